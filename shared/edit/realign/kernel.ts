/** The DPs of re-alignment, all on the one banded kernel of `shared/align/dp.ts`: pinned and open-ended stretches, and the cut finder of implied jumps. */
import type { AlignmentPath } from '../../path.js';
import type { Features } from '../../dsp/features.js';
import { poolFeatures } from '../../dsp/features.js';
import { NUM_PITCHES } from '../../dsp/params.js';
import type { Band } from '../../align/band.js';
import { fullBand } from '../../align/band.js';
import type { CostParams } from '../../align/cost.js';
import { DEFAULT_COST, cellCost, normalisedCost, randomCellCost } from '../../align/cost.js';
import { runBandedDtw } from '../../align/dp.js';
import { DEFAULT_DTW, multiscaleDtw, projectPath, sliceFeatures } from '../../align/dtw.js';
import type { CutFinder } from './plan.js';
import { IMPLIED_JUMP_PENALTY, MAX_TEMPO_RATIO, OPEN_END_SLACK } from './rules.js';

/** Coarsest level size of the pinned-stretch multiscale DTW. */
const EDIT_COARSE_MAX_FRAMES = 400;
/** Cells of the coarse open-ended DP before its frames grow. */
const OPEN_DP_MAX_CELLS = 300_000;
/** Band radius (frames) of the fine open-ended DP around the coarse path. */
const OPEN_FINE_RADIUS = 12;

/** Cost params of a piece and its cost levels: `good` (10th percentile along the input path) and `random` (20th percentile of random cells). */
export interface Levels {
  cost: CostParams;
  good: number;
  random: number;
}

/** Score frame nearest `x`, within [0, cols − 1]. */
export function clampCol(x: number, cols: number): number {
  return Math.min(cols - 1, Math.max(0, Math.round(x)));
}

/** The good level samples the path's cost every this many perf frames. */
export const GOOD_SAMPLE_FRAMES = 7;
/** Quantile of the sampled path costs that is the good level. */
const GOOD_QUANTILE = 0.1;
/** Quantile of random cells' costs that is the random level. */
const RANDOM_QUANTILE = 0.2;

/** The piece's normalised cost and its cost levels along `path`. */
export function costLevels(perf: Features, score: Features, path: AlignmentPath): Levels {
  const cost = normalisedCost(perf, score, DEFAULT_COST);
  const sampled = new Float64Array(Math.ceil(perf.frames / GOOD_SAMPLE_FRAMES));
  for (let k = 0; k < sampled.length; k++)
    sampled[k] = cellCost(
      perf,
      score,
      k * GOOD_SAMPLE_FRAMES,
      pathColumn(score, path, k * GOOD_SAMPLE_FRAMES),
      cost,
    );
  return { cost, good: goodLevel(sampled), random: randomLevel(perf, score, cost) };
}

/** Score frame of `path` at perf frame `i`, the column the good level samples there. */
export function pathColumn(score: Features, path: AlignmentPath, i: number): number {
  return clampCol(path.scoreTime[i] / score.hopSeconds, score.frames);
}

/** The good level of the sampled path costs (0 without samples); `sampled` is left as it is. */
export function goodLevel(sampled: Float64Array): number {
  return sampled.length ? kthSmallest(sampled.slice(), Math.floor(sampled.length * GOOD_QUANTILE)) : 0;
}

/** The k-th smallest value of `v` (0-based; the value `v.sort()[k]` has), in linear time on average; reorders `v`. */
export function kthSmallest(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (lo < hi) {
    // Hoare partition around the middle value.
    const pivot = v[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  return v[k];
}

/** The random level of a piece under `cost`. */
export function randomLevel(perf: Features, score: Features, cost: CostParams): number {
  return randomCellCost(perf, score, cost, RANDOM_QUANTILE);
}

/** A warping path as perf / score frame pairs. */
export interface FramePairs {
  perfFrames: Int32Array;
  scoreFrames: Int32Array;
}

/**
 * Banded DTW (unit steps) from the band's first row at a score frame of `startCols` to its last
 * row at one of `endCols` (both inclusive); of the ends whose cost is within `endSlack` of the
 * least, the latest is taken. `rowMin[r]`, when given, receives the least accumulated cost of row r.
 */
export function openBandedDtw(
  perf: Features,
  score: Features,
  band: Band,
  startCols: readonly [number, number],
  endCols: readonly [number, number],
  cost: CostParams = DEFAULT_COST,
  endSlack = 0,
  rowMin?: Float64Array,
): FramePairs & { totalCost: number } {
  const firstRow = band.rowStart;
  const lastRow = band.rowStart + band.rows - 1;
  return runBandedDtw(
    perf,
    score,
    [
      {
        band,
        entryCol: startCols[0],
        exitCol: endCols[0],
        entryCols: startCols,
        exitCols: endCols,
        entryRows: [firstRow, firstRow],
        exitRows: [lastRow, lastRow],
        ...(rowMin ? { rowMin } : {}),
      },
    ],
    { cost, endSlack },
  );
}

/** Monotone DTW from (perf frame `first`, score frame `startCol`) to (`last`, `endCol`), coarse to fine. */
export function pinnedDtw(
  perf: Features,
  score: Features,
  levels: Levels,
  first: number,
  last: number,
  startCol: number,
  endCol: number,
): FramePairs {
  const r = multiscaleDtw(sliceFeatures(perf, first, last), sliceFeatures(score, startCol, endCol), {
    ...DEFAULT_DTW,
    coarseMaxFrames: EDIT_COARSE_MAX_FRAMES,
    cost: levels.cost,
  });
  for (let k = 0; k < r.perfFrames.length; k++) {
    r.perfFrames[k] += first;
    r.scoreFrames[k] += startCol;
  }
  return r;
}

/** Monotone DTW over perf frames first … last starting in a score frame of `startCols` and ending in one of `endCols`: a coarse full DP, then a fine band around it. */
export function openDtw(
  perf: Features,
  score: Features,
  levels: Levels,
  first: number,
  last: number,
  startCols: [number, number],
  endCols: [number, number],
): FramePairs {
  const colFirst = Math.min(startCols[0], endCols[0]);
  const colLast = Math.max(startCols[1], endCols[1], colFirst);
  const perfSlice = sliceFeatures(perf, first, last);
  const scoreSlice = sliceFeatures(score, colFirst, colLast);
  const rel = (r: [number, number]): [number, number] => [r[0] - colFirst, r[1] - colFirst];
  const pool = Math.max(1, Math.ceil(Math.sqrt((perfSlice.frames * scoreSlice.frames) / OPEN_DP_MAX_CELLS)));
  const slack = OPEN_END_SLACK * Math.max(0, levels.random - levels.good);
  let band: Band;
  if (pool > 1) {
    const back = Math.floor((pool - 1) / 2);
    const perfCoarse = poolFeatures(perfSlice, pool);
    const scoreCoarse = poolFeatures(scoreSlice, pool);
    const pooled = (x: number): number => Math.min(scoreCoarse.frames - 1, Math.floor((x + back) / pool));
    const startRel = rel(startCols);
    const endRel = rel(endCols);
    const coarse = openBandedDtw(
      perfCoarse,
      scoreCoarse,
      fullBand(perfCoarse.frames, scoreCoarse.frames),
      [pooled(startRel[0]), pooled(startRel[1])],
      [pooled(endRel[0]), pooled(endRel[1])],
      levels.cost,
      slack,
    );
    band = projectPath(coarse, pool, 1, perfSlice.frames, scoreSlice.frames, OPEN_FINE_RADIUS);
  } else band = fullBand(perfSlice.frames, scoreSlice.frames);
  const r = openBandedDtw(perfSlice, scoreSlice, band, rel(startCols), rel(endCols), levels.cost, slack);
  for (let k = 0; k < r.perfFrames.length; k++) {
    r.perfFrames[k] += first;
    r.scoreFrames[k] += colFirst;
  }
  return r;
}

/** The cut finder of the implied jumps under `levels` (see `cutSearch`). */
export function cutFinder(perf: Features, score: Features, levels: Levels): CutFinder {
  return (fromFrame, fromScore, toFrame, toScore) =>
    cutGain(cutSearch(perf, score, levels.cost, fromFrame, fromScore, toFrame, toScore), levels);
}

/** What `cutSearch` found: the cut, and how much cheaper the two passes are than one (none where the stretch is too short to search). */
export interface CutSearch {
  cut: number;
  fit?: number;
}

/** The cut finder's answer from a search: the cut, and its fit less the jump penalty of `levels` (0 where there was no search). */
export function cutGain(found: CutSearch, levels: Levels): { cut: number; gain: number } {
  const penalty = IMPLIED_JUMP_PENALTY * Math.max(0, levels.random - levels.good);
  return { cut: found.cut, gain: found.fit === undefined ? 0 : found.fit - penalty };
}

/**
 * Where a jump between pin (fromFrame, score fromScore) and pin (toFrame, score toScore) fits
 * best: coarse open-ended DPs forwards from the earlier pin and backwards from the later one; the
 * cut goes where the best prefix plus the best suffix is least. Depends on the features, `cost`
 * and the pins only.
 */
export function cutSearch(
  perf: Features,
  score: Features,
  cost: CostParams,
  fromFrame: number,
  fromScore: number,
  toFrame: number,
  toScore: number,
): CutSearch {
  const rows = toFrame - fromFrame + 1;
  if (rows < 3) return { cut: toFrame };
  const scoreFrames = score.frames;
  const sHop = score.hopSeconds;
  const maxSpan = Math.ceil((MAX_TEMPO_RATIO * rows * perf.hopSeconds + 2) / sHop);
  // Forward from the earlier pin: score frames fwdFirst … fwdLast; backward into the later one: bwdFirst … bwdLast.
  const fwdFirst = clampCol(fromScore / sHop, scoreFrames);
  const bwdLast = clampCol(toScore / sHop, scoreFrames);
  const fwdLast = Math.min(scoreFrames - 1, Math.max(fwdFirst + maxSpan, bwdLast));
  const bwdFirst = Math.max(0, bwdLast - maxSpan);
  const pool = Math.max(
    1,
    Math.ceil(
      Math.sqrt((rows * Math.max(fwdLast - fwdFirst + 1, bwdLast - bwdFirst + 1)) / OPEN_DP_MAX_CELLS),
    ),
  );
  const perfCoarse = poolFeatures(sliceFeatures(perf, fromFrame, toFrame), pool);
  const fwd = poolFeatures(sliceFeatures(score, fwdFirst, fwdLast), pool);
  const bwd = reverseFeatures(poolFeatures(sliceFeatures(score, bwdFirst, bwdLast), pool));
  const coarseRows = perfCoarse.frames;
  if (coarseRows < 2) return { cut: toFrame };
  const prefixCost = new Float64Array(coarseRows);
  const suffixCost = new Float64Array(coarseRows);
  openBandedDtw(
    perfCoarse,
    fwd,
    fullBand(coarseRows, fwd.frames),
    [0, 0],
    [0, fwd.frames - 1],
    cost,
    0,
    prefixCost,
  );
  // One monotone pass from the earlier pin to the later one, where there can be one.
  const back = Math.floor((pool - 1) / 2);
  const toCol = Math.min(fwd.frames - 1, Math.floor((bwdLast - fwdFirst + back) / pool));
  const monotone =
    bwdLast >= fwdFirst
      ? openBandedDtw(perfCoarse, fwd, fullBand(coarseRows, fwd.frames), [0, 0], [toCol, toCol], cost)
          .totalCost
      : Infinity;
  openBandedDtw(
    reverseFeatures(perfCoarse),
    bwd,
    fullBand(coarseRows, bwd.frames),
    [0, 0],
    [0, bwd.frames - 1],
    cost,
    0,
    suffixCost,
  );
  let bestRow = coarseRows - 1;
  let bestCost = Infinity;
  for (let k = 1; k < coarseRows; k++) {
    const v = prefixCost[k - 1] + suffixCost[coarseRows - 1 - k];
    if (v < bestCost) {
      bestCost = v;
      bestRow = k;
    }
  }
  return {
    cut: fromFrame + Math.min(rows - 1, Math.max(1, bestRow * pool - back)),
    fit: monotone - bestCost,
  };
}

/** Features in reverse frame order (copies). */
function reverseFeatures(f: Features): Features {
  const n = f.frames;
  const chroma = new Float32Array(n * 12);
  const onset = new Float32Array(n * 12);
  const energy = new Float32Array(n);
  const pitches = NUM_PITCHES;
  const notes = f.notes?.length === n * pitches ? new Float32Array(n * pitches) : undefined;
  for (let i = 0; i < n; i++) {
    const r = n - 1 - i;
    chroma.set(f.chroma.subarray(r * 12, r * 12 + 12), i * 12);
    onset.set(f.onset.subarray(r * 12, r * 12 + 12), i * 12);
    energy[i] = f.energy[r];
    notes?.set(f.notes!.subarray(r * pitches, r * pitches + pitches), i * pitches);
  }
  return { frames: n, hopSeconds: f.hopSeconds, chroma, onset, energy, ...(notes ? { notes } : {}) };
}
