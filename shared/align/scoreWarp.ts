/**
 * The score the jump search's refinement aligns against, played at the recording's tempo
 * (`JumpParams.refineStretch`, `JumpParams.refineTempoSeconds`): a monotone map from the written
 * score's frames to the frames of the score rendered again with every time mapped through it.
 * One factor for the whole recording (`linearWarp`), or the coarse search's own tempo, score
 * place by score place (`localWarp` of `localStretch`): the refinement's DTW favours the
 * diagonal, and a passage played three times as fast as written would otherwise pay for every
 * frame of tempo difference and lag behind the music.
 */
import { lowerBound } from '../sorted.js';
import type { CoarseJumpPath } from './jump.js';
import type { Route } from './refine.js';

/** A monotone map from the written score's frames to the stretched score's frames. */
export interface ScoreWarp {
  /** Stretched frame of (fractional) written frame x. */
  toFrame(x: number): number;
  /** Written frame of (fractional) stretched frame y. */
  fromFrame(y: number): number;
  /** Stretched seconds of written second t (hop: the frame length, s). */
  toSeconds(t: number, hop: number): number;
  /** Written seconds of stretched second t. */
  fromSeconds(t: number, hop: number): number;
  /** Stretched length / written length over the whole score. */
  mean: number;
}

/** Every time multiplied by k. */
export function linearWarp(k: number): ScoreWarp {
  return {
    toFrame: (x) => x * k,
    fromFrame: (y) => y / k,
    toSeconds: (t) => t * k,
    fromSeconds: (t) => t / k,
    mean: k,
  };
}

/**
 * Written frame j lasts `factors[j]` stretched frames (all > 0); beyond the last frame the last
 * factor goes on, before frame 0 the first.
 */
export function localWarp(factors: ArrayLike<number>): ScoreWarp {
  const M = factors.length;
  if (M === 0) throw new RangeError('localWarp: expected at least one frame');
  const at = new Float64Array(M + 1);
  for (let j = 0; j < M; j++) at[j + 1] = at[j] + factors[j];
  const toFrame = (x: number): number => {
    if (x <= 0) return x * factors[0];
    if (x >= M) return at[M] + (x - M) * factors[M - 1];
    const j = Math.floor(x);
    return at[j] + (x - j) * factors[j];
  };
  const fromFrame = (y: number): number => {
    if (y <= 0) return y / factors[0];
    if (y >= at[M]) return M + (y - at[M]) / factors[M - 1];
    const j = Math.max(0, lowerBound(at, y) - 1);
    return j + (y - at[j]) / factors[j];
  };
  return {
    toFrame,
    fromFrame,
    toSeconds: (t, hop) => toFrame(t / hop) * hop,
    fromSeconds: (t, hop) => fromFrame(t / hop) * hop,
    mean: at[M] / M,
  };
}

/**
 * Smallest and largest factor a score is rendered at, locally or as a whole (a passage 8 times
 * slower or faster than written; `stretchFactor` too).
 */
export const MAX_LOCAL_FACTOR = 8;

/**
 * Per written score frame, how many times as long the refinement renders it: the coarse
 * search's perf time per score time around it, (perf s / score s)^power, averaged over the
 * passes that play it within ±`windowSeconds` of score, counting sounding perf frames only
 * (`sound`: the recording's first and last sounding frames). Where no pass plays within the
 * window, `fallback` (the whole route's factor). With `holdLimit` > 0, a run of coarse rows on
 * one score column counts for at most `holdLimit` times the rows a column takes at the route's
 * own tempo (`JumpParams.refineHoldLimit`): a pause is no tempo.
 */
export function localStretch(
  coarse: CoarseJumpPath,
  route: Route,
  scoreFrames: number,
  hops: { perf: number; score: number },
  power: number,
  windowSeconds: number,
  fallback: number,
  sound?: readonly [number, number],
  holdLimit = 0,
): Float64Array {
  const { perfFactor: pf, scoreFactor: sf } = coarse;
  const C = Math.ceil(scoreFrames / sf);
  const rows = new Float64Array(C + 1);
  const cover = new Float64Array(C + 1);
  const back = Math.floor((pf - 1) / 2);
  const lo = sound ? sound[0] : 0;
  const hi = sound ? sound[1] : Infinity;
  const secondsPerRow = (pf * hops.perf) / (sf * hops.score);
  // The most rows one run on a column counts for (the route's rows per column × holdLimit).
  const maxRun =
    holdLimit > 0 ? Math.max(1, (holdLimit * Math.pow(fallback, 1 / power)) / secondsPerRow) : Infinity;
  let cell = 0;
  for (const g of route.segments) {
    // The coarse cells of this pass that lie in its score range, in sounding frames.
    let first = Infinity;
    let last = -Infinity;
    let runCol = -1;
    let run = 0;
    for (; cell < coarse.perfFrames.length; cell++) {
      const f = coarse.perfFrames[cell] * pf - back;
      if (f >= g.perfEnd) break;
      if (f < g.perfStart || f < lo || f > hi) continue;
      const c = coarse.scoreFrames[cell];
      if (c * sf < g.scoreStart - sf || c * sf > g.scoreEnd - 1 + sf || c >= C) continue;
      run = c === runCol ? run + 1 : 1;
      runCol = c;
      rows[c] += Math.max(0, Math.min(1, maxRun - (run - 1)));
      first = Math.min(first, c);
      last = Math.max(last, c);
    }
    for (let c = first; c <= last; c++) cover[c] += 1;
  }
  // Prefix sums, then the window's perf rows per played column.
  const rowSum = new Float64Array(C + 1);
  const coverSum = new Float64Array(C + 1);
  for (let c = 0; c < C; c++) {
    rowSum[c + 1] = rowSum[c] + rows[c];
    coverSum[c + 1] = coverSum[c] + cover[c];
  }
  const w = Math.max(0, Math.round(windowSeconds / (hops.score * sf)));
  const colFactor = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const a = Math.max(0, c - w);
    const b = Math.min(C, c + w + 1);
    const played = coverSum[b] - coverSum[a];
    const perfRows = rowSum[b] - rowSum[a];
    colFactor[c] =
      played > 0 && perfRows > 0
        ? Math.min(
            MAX_LOCAL_FACTOR,
            Math.max(1 / MAX_LOCAL_FACTOR, Math.pow((perfRows / played) * secondsPerRow, power)),
          )
        : fallback;
  }
  const out = new Float64Array(scoreFrames);
  for (let j = 0; j < scoreFrames; j++) out[j] = colFactor[Math.min(C - 1, Math.floor(j / sf))];
  return out;
}
