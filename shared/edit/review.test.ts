import { describe, expect, it } from 'vitest';
import type { AlignmentPath } from '../path.js';
import { checkedFraction, lowConfidenceRegions, musicFrames, regionsToReview } from './review.js';
import type { RegionMark } from './types.js';

const hop = 0.1;
/** A path moving through the score at the recording's pace (no holds), with confidence `conf`. */
function pathWith(conf: number[], scoreTime = Float64Array.from(conf, (_, f) => f * hop)): AlignmentPath {
  return {
    hopSeconds: hop,
    scoreTime,
    confidence: Float32Array.from(conf),
    jumpFrames: [],
    method: 'dtw',
  };
}

describe('review', () => {
  // Frames 10–19 low, a 2-frame gap, 22–29 low (merge); 50–52 low (too short); 70–89 low.
  const conf = new Array<number>(100).fill(0.9);
  for (let f = 10; f < 20; f++) conf[f] = 0.2;
  for (let f = 22; f < 30; f++) conf[f] = 0.4;
  for (let f = 50; f < 53; f++) conf[f] = 0.1;
  for (let f = 70; f < 90; f++) conf[f] = 0.3;
  const path = pathWith(conf);

  it('finds low-confidence regions, merges short gaps and drops short runs', () => {
    const r = lowConfidenceRegions(path, { threshold: 0.5, minSeconds: 1, mergeGapSeconds: 0.3 });
    expect(r.map((x) => [x.perfStart, x.perfEnd].map((t) => Math.round(t * 10)))).toEqual([
      [10, 30],
      [70, 90],
    ]);
    expect(r[0].minConfidence).toBeCloseTo(0.2, 6);
    expect(r[0].meanConfidence).toBeCloseTo((10 * 0.2 + 8 * 0.4 + 2 * 0.9) / 20, 5);
    // Without the merge the second run (0.8 s) is too short on its own.
    const unmerged = lowConfidenceRegions(path, { threshold: 0.5, minSeconds: 1, mergeGapSeconds: 0.1 });
    expect(unmerged.map((x) => Math.round(x.perfEnd * 10))).toEqual([20, 90]);
  });

  it('does not flag the silence before and after the music (the path waits on its first and last score position)', () => {
    // 2 s of silence (a hold at score 0, confidence 0.1), 6 s of music with a doubtful stretch
    // at 5–6.5 s, then 2 s of silence (a hold at the last score position)
    const n = 100;
    const q = new Float64Array(n);
    const c = new Array<number>(n).fill(0.9);
    for (let f = 0; f < n; f++) q[f] = Math.min(Math.max(0, (f - 20) * hop), 60 * hop);
    for (let f = 0; f <= 20; f++) c[f] = 0.1;
    for (let f = 80; f < n; f++) c[f] = 0.1;
    for (let f = 50; f < 65; f++) c[f] = 0.2;
    const p = pathWith(c, q);
    expect(musicFrames(p)).toEqual({ first: 20, last: 80 });
    const r = lowConfidenceRegions(p, { mergeGapSeconds: 0.3 });
    expect(r.map((x) => [x.perfStart, x.perfEnd].map((t) => Math.round(t * 10)))).toEqual([[50, 65]]);
    // the old behaviour, on request: the silences are flagged too
    const all = lowConfidenceRegions(p, { mergeGapSeconds: 0.3, skipEdgeHolds: false });
    expect(all.map((x) => Math.round(x.perfStart * 10))).toEqual([0, 50, 80]);
  });

  it('measures the checked fraction with overlaps counted once', () => {
    const marks: RegionMark[] = [
      { id: 'a', perfStart: 0, perfEnd: 2, kind: 'checked' },
      { id: 'b', perfStart: 1, perfEnd: 3, kind: 'checked' },
      { id: 'c', perfStart: 5, perfEnd: 6, kind: 'not-in-score' },
      { id: 'd', perfStart: 9, perfEnd: 12, kind: 'checked' },
    ];
    expect(checkedFraction(marks, 10)).toBeCloseTo(0.4, 9);
    expect(checkedFraction([], 10)).toBe(0);
  });

  it('lists only regions not yet checked', () => {
    const marks: RegionMark[] = [{ id: 'a', perfStart: 6.5, perfEnd: 9.5, kind: 'checked' }];
    const r = regionsToReview(path, marks, { mergeGapSeconds: 0.3 });
    expect(r.map((x) => Math.round(x.perfStart * 10))).toEqual([10]);
  });
});
