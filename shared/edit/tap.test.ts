import { describe, expect, it } from 'vitest';
import { xorshift32 } from '../random.js';
import type { AlignmentPath } from '../path.js';
import type { ScoreBeat } from '../score.js';
import { tapsToAnchors } from './tap.js';

const hop = 0.02;
/** 3/4 at 120 bpm: a beat every 0.5 s, 40 bars. */
const beats: ScoreBeat[] = Array.from({ length: 120 }, (_, i) => ({
  time: i * 0.5,
  measure: Math.floor(i / 3),
  beat: (i % 3) + 1,
  downbeat: i % 3 === 0,
  label: `${Math.floor(i / 3) + 1}.${(i % 3) + 1}`,
}));

/** Performance plays score time s at perf 2 + 1.25·s (slower); the path is off by `err` score seconds. */
const perfOf = (s: number): number => 2 + 1.25 * s;
function linearPath(err: number): AlignmentPath {
  const n = Math.round(80 / hop);
  const q = new Float64Array(n);
  for (let f = 0; f < n; f++) q[f] = Math.max(0, (f * hop - 2) / 1.25 + err);
  return {
    hopSeconds: hop,
    scoreTime: q,
    confidence: new Float32Array(n).fill(1),
    jumpFrames: [],
    method: 'dtw',
  };
}

describe('tapsToAnchors', () => {
  it('matches noisy beat taps from the playhead on, skips a missed tap, rejects a double tap', () => {
    const rnd = xorshift32(3);
    const expected: number[] = [];
    const taps: number[] = [];
    for (let i = 10; i < 40; i++) {
      if (i === 20) continue; // missed
      expected.push(beats[i].time);
      taps.push(perfOf(beats[i].time) + (rnd() - 0.5) * 0.06);
    }
    const extra = perfOf(beats[30].time) + 0.12; // a double tap right after beat 30
    const r = tapsToAnchors([...taps, extra], beats, linearPath(0.15), { mode: 'beat' });
    expect(r.rejected).toEqual([extra]);
    expect(r.anchors.map((a) => a.scoreTime)).toEqual(expected);
    expect(r.anchors.every((a) => a.source === 'tap')).toBe(true);
    expect(new Set(r.anchors.map((a) => a.id)).size).toBe(r.anchors.length);
  });

  it('matches downbeat taps to downbeats', () => {
    const taps = [12, 13, 14, 15, 16].map((m) => perfOf(m * 1.5) + 0.02);
    const r = tapsToAnchors(taps, beats, linearPath(-0.3), { mode: 'downbeat' });
    expect(r.anchors.map((a) => a.scoreTime)).toEqual([18, 19.5, 21, 22.5, 24]);
    expect(r.rejected).toEqual([]);
  });

  it('follows the path into a repeated pass', () => {
    // Perf 0–20 s plays score 0–20, then jumps back and plays 0–20 again.
    const n = Math.round(40 / hop);
    const q = new Float64Array(n);
    for (let f = 0; f < n; f++) q[f] = f < 1000 ? f * hop : (f - 1000) * hop;
    const path: AlignmentPath = {
      hopSeconds: hop,
      scoreTime: q,
      confidence: new Float32Array(n).fill(1),
      jumpFrames: [1000],
      method: 'jump',
    };
    const taps = [17, 17.5, 18, 18.5, 19, 19.5, 20.5, 21, 21.5];
    const r = tapsToAnchors(taps, beats, path, { mode: 'beat' });
    expect(r.anchors.map((a) => a.scoreTime)).toEqual([17, 17.5, 18, 18.5, 19, 19.5, 0.5, 1, 1.5]);
  });
});
