import { describe, expect, it } from 'vitest';
import type { Features } from '../dsp/features.js';
import { perfTimesOfScoreTime } from '../path.js';
import { alignDtw, DEFAULT_DTW, levelFactors, multiscaleDtw, projectedColumns } from './dtw.js';
import { smoothWarp, syntheticScore, warpFeatures } from './synthetic.js';

/** Errors (perf frames) at every chord change of the synthetic score: predicted vs true perf position. */
function onsetErrors(
  score: Features,
  warp: Float64Array,
  scoreTime: Float64Array,
  hop: number,
  jumpFrames: number[] = [],
): number[] {
  const path = {
    hopSeconds: hop,
    scoreTime,
    confidence: new Float32Array(scoreTime.length),
    jumpFrames,
    method: 'dtw' as const,
  };
  const errs: number[] = [];
  const n = warp.length;
  for (let j = 1; j < score.frames; j++) {
    let diff = 0;
    for (let c = 0; c < 12; c++) diff += Math.abs(score.chroma[j * 12 + c] - score.chroma[(j - 1) * 12 + c]);
    if (diff < 1e-6) continue;
    let k = 1;
    while (k < n && warp[k] < j) k++;
    if (k >= n) continue;
    const truth = k - 1 + (j - warp[k - 1]) / (warp[k] - warp[k - 1]);
    const got = perfTimesOfScoreTime(path, j * hop)[0] / hop;
    errs.push(Math.abs(got - truth));
  }
  return errs;
}

describe('alignDtw', () => {
  it('recovers a smooth synthetic tempo warp within 1 frame at chord changes', () => {
    const score = syntheticScore(6000, 11);
    const warp = smoothWarp(7000, 6000, 5, 0.4);
    const perf = warpFeatures(score, warp, 0.3, 7);
    const path = alignDtw(perf, score);
    expect(path.method).toBe('dtw');
    expect(path.jumpFrames).toEqual([]);
    expect(path.scoreTime).toHaveLength(7000);
    const errs = onsetErrors(score, warp, path.scoreTime, path.hopSeconds);
    expect(errs.length).toBeGreaterThan(300);
    const within1 = errs.filter((e) => e <= 1).length / errs.length;
    expect(within1).toBeGreaterThan(0.98);
    for (let f = 1; f < 7000; f++) expect(path.scoreTime[f]).toBeGreaterThanOrEqual(path.scoreTime[f - 1]);
  });

  it('maps leading and trailing silence of the recording to the score ends', () => {
    const score = syntheticScore(3000, 4);
    const lead = 200;
    const warp = new Float64Array(3400);
    for (let i = 0; i < 3400; i++) warp[i] = Math.min(2999, Math.max(0, i - lead));
    const perf = warpFeatures(score, warp, 0.2, 3);
    // Silence: uniform chroma, no onsets.
    for (let i = 0; i < 3400; i++) {
      if (i >= lead && i < 3200) continue;
      for (let c = 0; c < 12; c++) {
        perf.chroma[i * 12 + c] = 1 / Math.sqrt(12);
        perf.onset[i * 12 + c] = 0;
      }
    }
    const path = alignDtw(perf, score);
    expect(path.scoreTime[lead / 2]).toBeLessThan(2 * path.hopSeconds);
    const errs = onsetErrors(score, warp, path.scoreTime, path.hopSeconds);
    expect(Math.max(...errs)).toBeLessThanOrEqual(1.5);
    expect(path.scoreTime[3350] / path.hopSeconds).toBeGreaterThan(2990);
  });

  it('gives high confidence on a clean match and low confidence where the recording is noise', () => {
    const score = syntheticScore(3000, 8);
    const warp = smoothWarp(3000, 3000, 2, 0.2);
    const perf = warpFeatures(score, warp, 0.1, 5);
    const other = syntheticScore(3000, 99);
    perf.chroma.set(other.chroma.subarray(1000 * 12, 1600 * 12), 1000 * 12);
    perf.onset.set(other.onset.subarray(1000 * 12, 1600 * 12), 1000 * 12);
    const path = alignDtw(perf, score);
    expect(path.confidence[500]).toBeGreaterThan(0.8);
    expect(path.confidence[1300]).toBeLessThan(0.3);
  });

  it('stays memory-bounded on a 60-minute sequence', () => {
    const n = 155_000;
    const score = syntheticScore(150_000, 21);
    const warp = smoothWarp(n, 150_000, 9, 0.3);
    const perf = warpFeatures(score, warp, 0.2, 9);
    const r = multiscaleDtw(perf, score);
    expect(r.factors[0]).toBeGreaterThan(1);
    expect(r.factors[r.factors.length - 1]).toBe(1);
    // Back-pointer bytes of the largest level: the coarse square or a band linear in N + M, far below N×M.
    expect(r.maxLevelCells).toBeLessThanOrEqual(
      Math.max(DEFAULT_DTW.coarseMaxFrames ** 2, 60 * (n + 150_000)),
    );
    expect(r.maxLevelCells).toBeLessThan((n * 150_000) / 1000);
  });

  it('reports progress and stops when aborted', () => {
    const score = syntheticScore(4000, 2);
    const perf = warpFeatures(score, smoothWarp(4000, 4000, 1, 0.2), 0.1, 1);
    const seen: number[] = [];
    alignDtw(perf, score, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[seen.length - 1]).toBe(1);
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThanOrEqual(seen[k - 1]);
    const ctl = new AbortController();
    ctl.abort();
    expect(() => alignDtw(perf, score, { signal: ctl.signal })).toThrow();
  });
});

describe('levelFactors', () => {
  it('pools until the coarse level fits and ends at full resolution', () => {
    expect(levelFactors(2000, 2500, 3000, 4)).toEqual([1]);
    expect(levelFactors(155_000, 150_000, 3000, 4)).toEqual([52, 13, 4, 1]);
  });
});

describe('multiscaleDtw with a coarse guide', () => {
  const score = syntheticScore(9000, 21);
  const warp = smoothWarp(8600, 9000, 4, 0.3);
  const perf = warpFeatures(score, warp, 0.2, 5);

  it('finds the whole-matrix path near a guide that follows it, searching far fewer cells', () => {
    const full = multiscaleDtw(perf, score);
    const guided = multiscaleDtw(perf, score, DEFAULT_DTW, {
      coarseGuide: { scoreFrames: warp, radiusFrames: 300 },
    });
    expect(full.factors[0]).toBeGreaterThan(1);
    expect(guided.scoreFrames).toEqual(full.scoreFrames);
    expect(guided.perfFrames).toEqual(full.perfFrames);
    const rows = Math.ceil(perf.frames / full.factors[0]);
    expect(full.maxLevelCells).toBeGreaterThan(rows * Math.ceil(score.frames / full.factors[0]) * 0.9);
    expect(guided.maxLevelCells).toBeLessThan(full.maxLevelCells / 4);
  });

  it('stays within the radius of a guide that is wrong, from the first cell to the last', () => {
    // A guide 1,500 frames behind the truth in the middle third of the recording.
    const wrong = Float64Array.from(warp, (s, f) => (f > 2900 && f < 5700 ? Math.max(0, s - 1500) : s));
    const guided = multiscaleDtw(perf, score, DEFAULT_DTW, {
      coarseGuide: { scoreFrames: wrong, radiusFrames: 200 },
    });
    expect(guided.perfFrames[0]).toBe(0);
    expect(guided.scoreFrames[0]).toBe(0);
    expect(guided.perfFrames[guided.perfFrames.length - 1]).toBe(perf.frames - 1);
    expect(guided.scoreFrames[guided.scoreFrames.length - 1]).toBe(score.frames - 1);
    const f = 4300;
    const q = guided.perfFrames.indexOf(f);
    // The coarsest band (±200 frames, widened by pooling) and the finer levels' bands keep it near the guide.
    expect(Math.abs(guided.scoreFrames[q] - wrong[f])).toBeLessThan(400);
    expect(Math.abs(guided.scoreFrames[q] - warp[f])).toBeGreaterThan(1000);
  });
});

describe('multiscaleDtw stopped at a pooled level', () => {
  const score = syntheticScore(9000, 21);
  const warp = smoothWarp(8600, 9000, 4, 0.3);
  const perf = warpFeatures(score, warp, 0.2, 5);
  const full = multiscaleDtw(perf, score);

  it('returns the path of the level pooled by finestFactor, in its frames, without the finer ones', () => {
    const stopped = multiscaleDtw(perf, score, DEFAULT_DTW, { finestFactor: 4 });
    expect(full.factors).toEqual([3, 1]);
    expect(stopped.factors).toEqual([4]);
    const last = stopped.perfFrames.length - 1;
    expect(stopped.perfFrames[last]).toBe(Math.ceil(perf.frames / 4) - 1);
    expect(stopped.scoreFrames[last]).toBe(Math.ceil(score.frames / 4) - 1);
    expect(stopped.maxLevelCells).toBeLessThan(full.maxLevelCells);
    // The cells of the pooled path cover the full-resolution path within a few frames.
    const { minCol, maxCol } = projectedColumns(stopped, 4, 1, perf.frames, score.frames);
    let worst = 0;
    let uncovered = 0;
    for (let q = 0; q < full.perfFrames.length; q++) {
      const r = full.perfFrames[q];
      const c = full.scoreFrames[q];
      if (maxCol[r] < 0) uncovered++;
      else worst = Math.max(worst, minCol[r] - c, c - maxCol[r]);
    }
    expect(worst).toBeLessThan(8);
    // Pooled frames are centred (`poolFeatures`): the recording's last frame is in none of them.
    expect(uncovered).toBe(1);
    expect(maxCol[perf.frames - 1]).toBe(-1);
  });

  it('runs the coarser levels first, then the factor, and rejects a factor that is not a whole ≥ 1', () => {
    expect(() => multiscaleDtw(perf, score, DEFAULT_DTW, { finestFactor: 0 })).toThrow(/finestFactor/);
    expect(() => multiscaleDtw(perf, score, DEFAULT_DTW, { finestFactor: 1.5 })).toThrow(
      /integer ≥ 1, got 1.5/,
    );
    expect(multiscaleDtw(perf, score, DEFAULT_DTW, { finestFactor: 2 }).factors).toEqual([3, 2]);
  });
});
