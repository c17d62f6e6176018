import { describe, expect, it } from 'vitest';
import { alignDtw } from '../align/dtw.js';
import { smoothWarp, syntheticScore, warpFeatures } from '../align/synthetic.js';
import type { AlignmentPath } from '../path.js';
import { realignAll, realignLocal } from './realign.js';
import type { Corrections } from './types.js';
import { emptyCorrections } from './types.js';

/**
 * Pins re-alignment results bit for bit (a refactor of the planner or the DP kernel must not move
 * a frame). On a deliberate change of results, run with ACCORD_PRINT_PINS=1 and paste the printed
 * values into `PINS`.
 */

const score = syntheticScore(3000, 7);
const hop = score.hopSeconds;
const warp = smoothWarp(3200, 3000, 11, 0.3);
const perf = warpFeatures(score, warp, 0.15, 4);
// Score frames 0–1500, then 0–3000 again.
const repeatWarp = Float64Array.from({ length: 4500 }, (_, f) => (f < 1500 ? f : f - 1500));
const repeatPerf = warpFeatures(score, repeatWarp, 0.15, 5);
const repeatDtw = alignDtw(repeatPerf, score);

/** 53-bit hash (cyrb53) of the bytes of a typed array. */
function hashOf(a: Float64Array | Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const b of bytes) {
    h1 = Math.imul(h1 ^ b, 2654435761);
    h2 = Math.imul(h2 ^ b, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

function driftingPath(a: number, b: number, drift: number): AlignmentPath {
  const q = Float64Array.from(
    warp,
    (w, f) => Math.max(0, w + (f < a || f > b ? 0 : drift * Math.sin((Math.PI * (f - a)) / (b - a)))) * hop,
  );
  return {
    hopSeconds: hop,
    scoreTime: q,
    confidence: new Float32Array(q.length).fill(0.5),
    jumpFrames: [],
    method: 'dtw',
  };
}

const anchor = (f: number, scoreFrame: number, id: string): Corrections['anchors'][number] => ({
  id,
  perfTime: f * hop,
  scoreTime: scoreFrame * hop,
  source: 'drag',
});
const jumpPoints = [500, 1000, 1500, 2000, 2500].map((c) => c * hop + 0.2);

const SCENARIOS: Record<string, () => AlignmentPath> = {
  'local, anchors (pinned stretches)': () =>
    realignLocal(
      perf,
      score,
      driftingPath(1000, 2000, 60),
      { ...emptyCorrections(), anchors: [anchor(800, warp[800], 'a'), anchor(1500, warp[1500], 'b')] },
      { perfTime: 1500 * hop },
    ),
  'all, not-in-score with jump points (open starts and ends, snapping)': () =>
    realignAll(
      perf,
      score,
      driftingPath(0, 1, 0),
      {
        ...emptyCorrections(),
        regions: [
          { id: 'r', perfStart: 1000 * hop, perfEnd: 1100 * hop, kind: 'not-in-score' },
          { id: 's', perfStart: 0, perfEnd: 40 * hop, kind: 'not-in-score' },
        ],
      },
      jumpPoints,
    ),
  'all, repeat-taken (open back)': () =>
    realignAll(
      repeatPerf,
      score,
      repeatDtw,
      {
        ...emptyCorrections(),
        regions: [{ id: 'r', perfStart: 1500 * hop, perfEnd: 3000 * hop, kind: 'repeat-taken' }],
      },
      [],
    ),
  'all, repeat-skipped (open forward)': () =>
    realignAll(
      perf,
      score,
      driftingPath(0, 1, 0),
      {
        ...emptyCorrections(),
        regions: [{ id: 'r', perfStart: 1200 * hop, perfEnd: 1300 * hop, kind: 'repeat-skipped' }],
      },
      jumpPoints,
    ),
  'local, manual jump': () =>
    realignLocal(
      repeatPerf,
      score,
      repeatDtw,
      { ...emptyCorrections(), jumps: [{ id: 'j', perfTime: 1500 * hop, toScoreTime: 0 }] },
      { perfTime: 1500 * hop },
    ),
  'local, one anchor implies a jump (cut finder)': () =>
    realignLocal(
      repeatPerf,
      score,
      repeatDtw,
      { ...emptyCorrections(), anchors: [anchor(2000, repeatWarp[2000], 'a')] },
      { perfTime: 2000 * hop },
    ),
  'all, an anchor behind the previous one': () =>
    realignAll(
      repeatPerf,
      score,
      repeatDtw,
      {
        ...emptyCorrections(),
        anchors: [anchor(1000, repeatWarp[1000], 'a'), anchor(2000, repeatWarp[2000], 'b')],
      },
      jumpPoints,
    ),
};

/** scoreTime hash, confidence hash, jump frames. */
const PINS: Record<string, [string, string, number[]]> = {
  'local, anchors (pinned stretches)': ['1d062254a2b5e1', 'e0e1a2089fa3', []],
  'all, not-in-score with jump points (open starts and ends, snapping)': [
    '1ef1572f1b4031',
    '14e7dbff9ef2c1',
    [],
  ],
  'all, repeat-taken (open back)': ['19c16c0fa6cb05', '15157e090f2155', [1500]],
  'all, repeat-skipped (open forward)': ['187393507c5c17', 'be1aa63da38e2', [1200]],
  'local, manual jump': ['1379147edc56fb', '45b2b565365c2', [1500]],
  'local, one anchor implies a jump (cut finder)': ['ab95b4ea429f7', '1fba299f468968', [1498]],
  'all, an anchor behind the previous one': ['621c01091168b', '116d533e6baf1', [1500]],
};

describe('re-alignment results are pinned', () => {
  for (const [name, run] of Object.entries(SCENARIOS)) {
    it(name, () => {
      const out = run();
      const got: [string, string, number[]] = [
        hashOf(Float64Array.from(out.scoreTime)),
        hashOf(Float32Array.from(out.confidence)),
        out.jumpFrames,
      ];
      if (process.env.ACCORD_PRINT_PINS) console.log(`  ${JSON.stringify(name)}: ${JSON.stringify(got)},`);
      else expect(got).toEqual(PINS[name]);
    });
  }
});
