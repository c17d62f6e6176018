/**
 * The coarse structure search's cell costs on several threads (`CoarseCostFill` of
 * `shared/align/jump.ts`): the grid's rows are claimed in blocks (`sharedBlocks.ts`) by this
 * thread and by helper threads (`helpers.ts`) alike, into one shared buffer, so the values are
 * the ones the search computes itself, bit for bit. This thread yields between its blocks, so the
 * structure network runs meanwhile.
 */
import { availableParallelism } from 'node:os';
import type { CostParams } from '../../shared/align/cost.js';
import {
  adoptSearches,
  cachedGrid,
  coarseRowCosts,
  jumpSearchParams,
  searchShape,
  type CoarseCostFill,
  type CoarseSearchAside,
  type SearchesMade,
} from '../../shared/align/jump.js';
import type { Features } from '../../shared/dsp/features.js';
import type { CoarseSearchJob } from './helperTasks.js';
import { sharedHelpers, type HelperPool } from './helpers.js';
import { claimBlocks, runSharedBlocks, sharedBlocks, type SharedBlocks } from './sharedBlocks.js';

/** Rows per claimed block (a 5-minute grid has ~3,000 rows of ~3,500 cells). */
export const BLOCK_ROWS = 32;

/** Grids smaller than this (cells) are filled on this thread alone: a helper's share would not repay the hand-over. */
export const MIN_PARALLEL_CELLS = 1_500_000;

/** What the threads share: the pooled features, the cost, the output and the block claims. */
export interface CoarseCostsJob extends SharedBlocks {
  perf: Features;
  score: Features;
  cost: CostParams;
  /** N × M float64 cell costs, row-major. */
  costs: SharedArrayBuffer;
  blockRows: number;
}

/** Rows of block b, computed into the shared output. */
function runBlock(job: CoarseCostsJob, costs: Float64Array, b: number): void {
  const from = b * job.blockRows;
  coarseRowCosts(job.perf, job.score, job.cost, from, Math.min(job.perf.frames, from + job.blockRows), costs);
}

/** A helper's part: claims and computes blocks as `thread` until none is left. */
export function workOnCoarseCosts(job: CoarseCostsJob, thread: number): void {
  const costs = new Float64Array(job.costs);
  claimBlocks(job, thread, (b) => runBlock(job, costs, b));
}

/**
 * A `CoarseCostFill` on this thread and `workers` helper threads (default: one per core beyond
 * this one; 0: this thread only; the process's `sharedHelpers` unless `helpers` is given).
 * `opts.onBlocks` hears how many blocks each thread computed (this one first), for benchmarks and
 * tests; `thisThread` false leaves the blocks to the helpers.
 */
export function parallelCoarseCosts(
  workers = Math.max(0, availableParallelism() - 1),
  opts: {
    onBlocks?: (perThread: number[]) => void;
    /** False: this thread claims no block and only waits for the helpers (default true). */
    thisThread?: boolean;
    /** The helper threads (default `sharedHelpers()`). */
    helpers?: HelperPool;
  } = {},
): CoarseCostFill {
  return async (grid, cost, signal) => {
    const N = grid.perf.frames;
    const M = grid.score.frames;
    const job: CoarseCostsJob = {
      ...sharedBlocks(Math.ceil(N / BLOCK_ROWS)),
      perf: grid.perf,
      score: grid.score,
      cost,
      costs: new SharedArrayBuffer(8 * N * M),
      blockRows: BLOCK_ROWS,
    };
    const costs = new Float64Array(job.costs);
    const pool = opts.helpers ?? sharedHelpers();
    const perThread = await runSharedBlocks(job, {
      helpers: N * M >= MIN_PARALLEL_CELLS ? workers : 0,
      part: (thread) => pool.run(thread, 'coarseCosts', { job, thread }),
      run: (b) => runBlock(job, costs, b),
      signal,
      thisThread: opts.thisThread,
    });
    opts.onBlocks?.(perThread);
    return costs;
  };
}

/**
 * A `CoarseSearchAside` on helper `thread` of `helpers` (default the process's): the searches run
 * there over the costs a parallel fill left in shared memory; without such costs it does nothing.
 */
export function helperCoarseSearch(helpers: HelperPool = sharedHelpers(), thread = 1): CoarseSearchAside {
  return async (perf, score, jumpPointsSeconds, params, cache) => {
    const costs = cache.costs;
    if (
      !costs ||
      !(costs.buffer instanceof SharedArrayBuffer) ||
      cache.perf !== perf ||
      cache.score !== score
    )
      return;
    let job: CoarseSearchJob;
    try {
      // The cost as normalised and the grid as pooled for the fill: the helper need not redo them.
      // The features go as their shapes (`searchShape`): the search reads the costs, not them.
      const full = jumpSearchParams(perf, score, params, cache);
      const grid = cachedGrid(perf, score, full, cache);
      job = {
        perf: searchShape(perf),
        score: searchShape(score),
        jumpPointsSeconds: [...jumpPointsSeconds],
        params: { ...params, cost: full.cost },
        costs: costs.buffer,
        grid: { ...grid, perf: searchShape(grid.perf), score: searchShape(grid.score) },
      };
    } catch {
      return; // the steered search is then made where it is due, and says what is wrong
    }
    const out = await helpers.run(thread, 'coarseSearch', job);
    if (out.ok) adoptSearches(cache, perf, score, out.result as SearchesMade);
  };
}
