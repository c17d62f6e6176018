/**
 * Jump detection figures of a predicted path against the true jumps of an edited recording:
 * a predicted jump counts when it is within 1 s of a true one in performance time and lands
 * within 2 beats of the true target in the score. Pure: no file access.
 */
import { isJump, type GtRow, type PredRow } from './metric.js';

/** A predicted jump counts when it is this close to a true one in performance time (s). */
export const JUMP_TIME_TOLERANCE_S = 1;
/** … and lands this close to the true target, in score beats. */
export const JUMP_TARGET_TOLERANCE_BEATS = 2;

/** A jump: at performance time `perfTime` the score continues at `toScoreTime`. */
export interface Jump {
  perfTime: number;
  toScoreTime: number;
}

/** Counts of one case (sum them over a set for recall and precision). */
export interface JumpCounts {
  nTrue: number;
  nPred: number;
  /** True jumps matched by a predicted one (one to one). */
  nMatched: number;
}

/** Jumps of a predicted path by the scorer's rule (score back > 0.25 s, or forward faster than 1 s + 4 × step). */
export function predictedJumps(rows: readonly PredRow[]): Jump[] {
  const sorted = [...rows].sort((a, b) => a.perfTime - b.perfTime);
  const out: Jump[] = [];
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1];
    const b = sorted[k];
    if (b.perfTime > a.perfTime && isJump(a.perfTime, a.scoreTime, b.perfTime, b.scoreTime)) {
      out.push({ perfTime: (a.perfTime + b.perfTime) / 2, toScoreTime: b.scoreTime });
    }
  }
  return out;
}

/** Fractional beat index of a score time on the sorted unique beat times (linear, extrapolated at the ends). */
export function beatIndexOf(beatTimes: readonly number[], scoreTime: number): number {
  const n = beatTimes.length;
  if (n === 0) return 0;
  if (n === 1) return scoreTime - beatTimes[0];
  let lo = 0;
  let hi = n - 1;
  if (scoreTime <= beatTimes[0]) hi = 1;
  else if (scoreTime >= beatTimes[n - 1]) lo = n - 2;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (beatTimes[mid] <= scoreTime) lo = mid;
      else hi = mid;
    }
  }
  const span = beatTimes[hi] - beatTimes[lo] || 1;
  return lo + (scoreTime - beatTimes[lo]) / span;
}

/** The score's beat grid as the GT knows it: sorted unique score times of the annotated beats. */
export function scoreBeatTimes(gt: readonly GtRow[]): number[] {
  const ts = [...new Set(gt.map((r) => r.scoreTime))].sort((a, b) => a - b);
  return ts;
}

/**
 * Matches predicted jumps to true ones (greedy by time distance, one to one) within
 * JUMP_TIME_TOLERANCE_S and JUMP_TARGET_TOLERANCE_BEATS on `beatTimes`.
 */
export function matchJumps(
  truth: readonly Jump[],
  pred: readonly Jump[],
  beatTimes: readonly number[],
): JumpCounts {
  const pairs: { d: number; t: number; p: number }[] = [];
  truth.forEach((tj, t) => {
    const tb = beatIndexOf(beatTimes, tj.toScoreTime);
    pred.forEach((pj, p) => {
      const d = Math.abs(pj.perfTime - tj.perfTime);
      if (d > JUMP_TIME_TOLERANCE_S) return;
      if (Math.abs(beatIndexOf(beatTimes, pj.toScoreTime) - tb) > JUMP_TARGET_TOLERANCE_BEATS) return;
      pairs.push({ d, t, p });
    });
  });
  pairs.sort((a, b) => a.d - b.d);
  const usedT = new Set<number>();
  const usedP = new Set<number>();
  for (const { t, p } of pairs) {
    if (usedT.has(t) || usedP.has(p)) continue;
    usedT.add(t);
    usedP.add(p);
  }
  return { nTrue: truth.length, nPred: pred.length, nMatched: usedT.size };
}

/** Recall and precision (percent) of summed counts; 100 where nothing was to be found or claimed. */
export function jumpFigures(
  counts: readonly JumpCounts[],
): { recall: number; precision: number } & JumpCounts {
  const nTrue = counts.reduce((a, c) => a + c.nTrue, 0);
  const nPred = counts.reduce((a, c) => a + c.nPred, 0);
  const nMatched = counts.reduce((a, c) => a + c.nMatched, 0);
  return {
    nTrue,
    nPred,
    nMatched,
    recall: nTrue ? (100 * nMatched) / nTrue : 100,
    precision: nPred ? (100 * nMatched) / nPred : 100,
  };
}
