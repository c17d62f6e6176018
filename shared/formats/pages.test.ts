import { describe, expect, it } from 'vitest';
import { scanPagesJson } from './pages.js';
import type { AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import type { LinkedScanMeasure, ScanDetection } from '../pages/scan/model.js';

/** Three measures of 2 s, the first two repeated: played 1 2 1 2 3. */
const score = {
  format: 'midi',
  duration: 10,
  notes: [],
  beats: [],
  measures: [0, 1, 2, 3, 4].map((i) => ({
    index: i,
    number: String([1, 2, 1, 2, 3][i]),
    start: 2 * i,
    end: 2 * i + 2,
    timeSignature: [4, 4],
  })),
  jumpPoints: [],
} as unknown as Score;

/** A performance 0.5 s late that plays the score straight through (score time = perf time − 0.5). */
function latePath(): AlignmentPath {
  const hop = 0.01;
  const n = 1100;
  return {
    hopSeconds: hop,
    scoreTime: Float64Array.from({ length: n }, (_, f) => Math.max(0, f * hop - 0.5)),
    confidence: new Float32Array(n).fill(1),
    jumpFrames: [],
    method: 'dtw',
  };
}

const page = (n: number, systems: number): ScanDetection => ({
  page: n,
  width: 1000,
  height: 1400,
  skewDegrees: 0,
  systems: Array.from({ length: systems }, (_, s) => ({
    box: [50, 100 + 300 * s, 900, 200],
    staves: 2,
    staffLines: [],
  })),
  measures: [],
});

describe('scanPagesJson', () => {
  it('numbers systems across pages, times every pass of a linked box, leaves unlinked boxes out', () => {
    const linked: LinkedScanMeasure[] = [
      { page: 1, system: 0, box: [50, 100, 400, 200], number: '1', passes: [0, 2] },
      { page: 1, system: 1, box: [50, 400, 400, 200], number: '2', passes: [1, 3] },
      { page: 2, system: 0, box: [50, 100, 300, 200], number: null, passes: [] },
      { page: 2, system: 1, box: [50, 400, 300, 200], number: '3', passes: [4] },
    ];
    const meta = { audio: { name: 'a.wav', sha256: 'x' }, score: { name: 's.mid', sha256: 'y' } };
    const { doc, unlinked } = scanPagesJson([page(1, 2), page(2, 2)], linked, latePath(), score, meta, [
      'o.page-1.png',
      'o.page-2.png',
    ]);
    expect(unlinked).toBe(1);
    expect(doc.pages).toEqual([
      { index: 1, image: 'o.page-1.png', width: 1000, height: 1400 },
      { index: 2, image: 'o.page-2.png', width: 1000, height: 1400 },
    ]);
    expect(doc.systems.map((s) => s.page)).toEqual([1, 1, 2, 2]);
    expect(doc.measures.map((m) => [m.number, m.page, m.system])).toEqual([
      ['1', 1, 0],
      ['2', 1, 1],
      ['3', 2, 3],
    ]);
    expect(doc.measures[0].scoreTimes).toEqual([0, 4]);
    expect(doc.measures[0].perfTimes.map((t) => Math.round(t * 100) / 100)).toEqual([0.5, 4.5]);
    expect(doc.measures[2].perfTimes.map((t) => Math.round(t * 100) / 100)).toEqual([8.5]);
    expect(() => scanPagesJson([page(1, 1)], linked, latePath(), score, meta, [])).toThrow(
      /expected 1 image names, got 0/,
    );
  });
});
