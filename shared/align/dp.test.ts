import { describe, expect, it } from 'vitest';
import { fullBand } from './band.js';
import { cellCost } from './cost.js';
import { runBandedDtw } from './dp.js';
import { smoothWarp, syntheticScore, warpFeatures } from './synthetic.js';

const score = syntheticScore(60, 5);
const perf = warpFeatures(score, smoothWarp(50, 40, 2), 0.3, 3);

/** Least cost of a unit-step path from row 0 at a column of `starts` to the last row at a column of `ends`, by the full table. */
function bruteForce(starts: [number, number], ends: [number, number]): { best: number; rowMin: number[] } {
  const rows = perf.frames;
  const cols = score.frames;
  const acc: number[][] = [];
  for (let i = 0; i < rows; i++) {
    acc.push(new Array<number>(cols).fill(Infinity));
    for (let j = 0; j < cols; j++) {
      const c = cellCost(perf, score, i, j);
      let best = i === 0 && j >= starts[0] && j <= starts[1] ? c : Infinity;
      if (i > 0) best = Math.min(best, acc[i - 1][j] + c, j > 0 ? acc[i - 1][j - 1] + c : Infinity);
      if (j > 0) best = Math.min(best, acc[i][j - 1] + c);
      acc[i][j] = best;
    }
  }
  return {
    best: Math.min(...acc[rows - 1].slice(ends[0], ends[1] + 1)),
    rowMin: acc.map((row) => Math.min(...row)),
  };
}

function openPass(starts: [number, number], ends: [number, number], rowMin?: Float64Array) {
  return {
    band: fullBand(perf.frames, score.frames),
    entryCol: starts[0],
    exitCol: ends[0],
    entryCols: starts,
    exitCols: ends,
    entryRows: [0, 0] as [number, number],
    exitRows: [perf.frames - 1, perf.frames - 1] as [number, number],
    ...(rowMin ? { rowMin } : {}),
  };
}

describe('runBandedDtw with free ends (open-ended DTW)', () => {
  it('finds the least cost over every start and end in the ranges, and each row’s least cost', () => {
    for (const [starts, ends] of [
      [
        [0, 0],
        [0, 59],
      ],
      [
        [5, 20],
        [30, 45],
      ],
      [
        [0, 59],
        [0, 59],
      ],
    ] as [number, number][][]) {
      const rowMin = new Float64Array(perf.frames);
      const r = runBandedDtw(perf, score, [openPass(starts, ends, rowMin)]);
      const want = bruteForce(starts, ends);
      expect(r.totalCost).toBeCloseTo(want.best, 9);
      for (let i = 0; i < perf.frames; i++) expect(rowMin[i]).toBeCloseTo(want.rowMin[i], 9);
      expect(r.perfFrames[0]).toBe(0);
      expect(r.scoreFrames[0]).toBeGreaterThanOrEqual(starts[0]);
      expect(r.scoreFrames[0]).toBeLessThanOrEqual(starts[1]);
      expect(r.perfFrames[r.perfFrames.length - 1]).toBe(perf.frames - 1);
      const end = r.scoreFrames[r.scoreFrames.length - 1];
      expect(end).toBeGreaterThanOrEqual(ends[0]);
      expect(end).toBeLessThanOrEqual(ends[1]);
      let sum = 0;
      for (let k = 0; k < r.perfFrames.length; k++) {
        sum += cellCost(perf, score, r.perfFrames[k], r.scoreFrames[k]);
        if (k > 0) {
          const di = r.perfFrames[k] - r.perfFrames[k - 1];
          const dj = r.scoreFrames[k] - r.scoreFrames[k - 1];
          expect(di >= 0 && dj >= 0 && di <= 1 && dj <= 1 && di + dj > 0).toBe(true);
        }
      }
      expect(sum).toBeCloseTo(r.totalCost, 6);
    }
  });

  it('with endSlack takes the latest end within the slack of the cheapest', () => {
    const strict = runBandedDtw(perf, score, [openPass([0, 0], [0, 59])]);
    const loose = runBandedDtw(perf, score, [openPass([0, 0], [0, 59])], { endSlack: 1e9 });
    expect(loose.scoreFrames[loose.scoreFrames.length - 1]).toBe(59);
    expect(loose.totalCost).toBeGreaterThanOrEqual(strict.totalCost);
  });

  it('says which end no path reaches', () => {
    const band = fullBand(perf.frames, score.frames);
    for (let r = 0; r < band.rows; r++) band.hi[r] = Math.min(band.hi[r], 10);
    expect(() => runBandedDtw(perf, score, [{ ...openPass([0, 0], [30, 40]), band }])).toThrow(
      /no path reaches row 49, score frames 30…40/,
    );
  });
});
