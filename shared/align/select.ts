import type { Features } from '../dsp/features.js';
import { HOP_SECONDS } from '../dsp/params.js';
import type { AlignmentPath } from '../path.js';
import { DEFAULT_COST, cellCost, normalisedCost, type CostParams } from './cost.js';
import { DEFAULT_JUMP } from './jump.js';

/** How well a path explains the recording: lower is better. */
export interface PathFit {
  /** Mean normalised local cost over the performance frames (a random cell costs ≈ 2). */
  meanCost: number;
  /** Jumps in the path. */
  jumps: number;
  /** `meanCost` plus the jump penalty spread over the frames: the figure candidates are ranked by. */
  total: number;
}

/**
 * Penalty of one jump in normalised full-resolution cost units: the coarse jump search's
 * penalty (in coarse-frame costs) scaled to full-resolution frames, so both searches trade
 * jumps against cost alike.
 */
export const JUMP_PENALTY_COST = (DEFAULT_JUMP.jumpPenalty * DEFAULT_JUMP.coarseSeconds) / HOP_SECONDS;

/** Evaluates a path against the features (cost of the cell each performance frame is matched to). */
export function pathFit(perf: Features, score: Features, path: AlignmentPath, params: CostParams = DEFAULT_COST): PathFit {
  const cost = normalisedCost(perf, score, params);
  const n = Math.min(perf.frames, path.scoreTime.length);
  let sum = 0;
  for (let f = 0; f < n; f++) {
    const j = Math.min(score.frames - 1, Math.max(0, Math.round(path.scoreTime[f] / score.hopSeconds)));
    sum += cellCost(perf, score, f, j, cost);
  }
  const meanCost = sum / Math.max(1, n);
  const jumps = path.jumpFrames.length;
  return { meanCost, jumps, total: meanCost + (jumps * JUMP_PENALTY_COST) / Math.max(1, n) };
}

/** The candidate with the lowest `pathFit` total, with every candidate's fit (in input order). */
export function selectBestPath(
  perf: Features,
  score: Features,
  candidates: readonly AlignmentPath[],
): { best: AlignmentPath; index: number; fits: PathFit[] } {
  if (candidates.length === 0) throw new RangeError('selectBestPath: expected at least one candidate path, got none');
  const fits = candidates.map((p) => pathFit(perf, score, p));
  let index = 0;
  for (let k = 1; k < fits.length; k++) if (fits[k].total < fits[index].total) index = k;
  return { best: candidates[index], index, fits };
}
