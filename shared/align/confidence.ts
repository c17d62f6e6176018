import type { Features } from '../dsp/features.js';
import type { CostParams } from './cost.js';
import { DEFAULT_COST, cellCoster, randomCellCost } from './cost.js';

/** Half-width (perf frames) of the moving average of path costs (≈ 0.25 s each side). */
const SMOOTH_HALF_FRAMES = 11;

/**
 * Per-perf-frame confidence 0..1 from the local cost along the path: the path cost of each frame
 * (mean over its cells), averaged over ±SMOOTH_HALF_FRAMES, is placed between `good` (the path's own
 * 10th-percentile cost → 1) and `random` (20th-percentile cost of random cells of the two feature
 * sequences → 0; a path through unrelated material still picks the cheaper cells), linearly and clamped.
 */
export function pathConfidence(
  perf: Features,
  score: Features,
  perfFrames: ArrayLike<number>,
  scoreFrames: ArrayLike<number>,
  cost: CostParams = DEFAULT_COST,
): Float32Array {
  const n = perf.frames;
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  const cellCost = cellCoster(perf, score, cost);
  for (let k = 0; k < perfFrames.length; k++) {
    const i = perfFrames[k];
    if (i < 0 || i >= n) continue;
    sum[i] += cellCost(i, scoreFrames[k]);
    cnt[i]++;
  }
  const frameCost = new Float64Array(n);
  let last = NaN;
  for (let i = 0; i < n; i++) {
    if (cnt[i] > 0) last = sum[i] / cnt[i];
    frameCost[i] = last;
  }
  const firstKnown = frameCost.findIndex((v) => Number.isFinite(v));
  for (let i = 0; i < firstKnown; i++) frameCost[i] = frameCost[firstKnown];
  const smooth = movingAverage(frameCost, SMOOTH_HALF_FRAMES);
  const sorted = Float64Array.from(smooth).sort();
  const good = sorted.length ? sorted[Math.floor(sorted.length * 0.1)] : 0;
  const random = randomCellCost(perf, score, cost, 0.2);
  const span = Math.max(1e-6, random - good);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1, Math.max(0, (random - smooth[i]) / span));
  return out;
}

/** Centred moving average over ±half samples (window shrinks at the ends). */
export function movingAverage(x: Float64Array, half: number): Float64Array {
  const n = x.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + (Number.isFinite(x[i]) ? x[i] : 0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = (prefix[b] - prefix[a]) / (b - a);
  }
  return out;
}

/** Window (perf frames, ≈ 2 s) over which a jump's certainty is measured and applied. */
const JUMP_WINDOW_FRAMES = 86;

/**
 * Certainty 0..1 of each jump of `path`: over the JUMP_WINDOW_FRAMES after the jump, the mean cost
 * of the path is compared with the mean cost of carrying on without the jump (the score position
 * before the jump continued at the tempo of the window before it); the saving is placed between
 * 0 (none) and the random-minus-good cost span (1), clamped. The confidence of the frames around
 * each jump (one window before, one after) is multiplied by its certainty.
 */
export function applyJumpCertainty(
  perf: Features,
  score: Features,
  path: { scoreTime: Float64Array; jumpFrames: number[]; hopSeconds: number; confidence: Float32Array },
  cost: CostParams = DEFAULT_COST,
): number[] {
  const n = path.scoreTime.length;
  const hop = score.hopSeconds;
  const random = randomCellCost(perf, score, cost, 0.2);
  const frameCosts: number[] = [];
  const cellCost = cellCoster(perf, score, cost);
  for (let i = 0; i < n; i += 7)
    frameCosts.push(cellCost(i, clampFrame(path.scoreTime[i] / hop, score.frames)));
  frameCosts.sort((a, b) => a - b);
  const good = frameCosts.length ? frameCosts[Math.floor(frameCosts.length * 0.1)] : 0;
  const span = Math.max(1e-6, random - good);
  const out: number[] = [];
  for (const J of path.jumpFrames) {
    const w = Math.min(JUMP_WINDOW_FRAMES, n - J, J);
    if (w < 2) {
      out.push(0.5);
      continue;
    }
    const before = path.scoreTime[J - 1] / hop;
    const slope = (path.scoreTime[J - 1] - path.scoreTime[J - w]) / hop / (w - 1);
    let cPath = 0;
    let cAlt = 0;
    for (let d = 0; d < w; d++) {
      cPath += cellCost(J + d, clampFrame(path.scoreTime[J + d] / hop, score.frames));
      cAlt += cellCost(J + d, clampFrame(before + slope * (d + 1), score.frames));
    }
    const certainty = Math.min(1, Math.max(0, (cAlt - cPath) / w / span));
    out.push(certainty);
    for (let i = Math.max(0, J - w); i < Math.min(n, J + w); i++) path.confidence[i] *= certainty;
  }
  return out;
}

function clampFrame(x: number, frames: number): number {
  return Math.min(frames - 1, Math.max(0, Math.round(x)));
}
