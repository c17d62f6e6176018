/**
 * The coarse structure search's cell costs on several threads (`CoarseCostFill` of
 * `shared/align/jump.ts`): the grid's rows are claimed in blocks (`sharedBlocks.ts`) by this
 * thread and by worker threads alike, into one shared buffer, so the values are the ones the
 * search computes itself, bit for bit. This thread yields between its blocks, so the structure
 * network runs meanwhile.
 */
import { availableParallelism } from 'node:os';
import type { CostParams } from '../../shared/align/cost.js';
import { coarseRowCosts, type CoarseCostFill } from '../../shared/align/jump.js';
import type { Features } from '../../shared/dsp/features.js';
import { claimBlocks, runSharedBlocks, sharedBlocks, type SharedBlocks } from './sharedBlocks.js';
import { workerEntry } from './workerEntry.js';

/** Rows per claimed block (a 5-minute grid has ~3,000 rows of ~3,500 cells). */
export const BLOCK_ROWS = 32;

/** Grids smaller than this (cells) are filled on this thread alone: a worker starts in ~50 ms. */
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

/** A worker's part: claims and computes blocks as `thread` until none is left. */
export function workOnCoarseCosts(job: CoarseCostsJob, thread: number): void {
  const costs = new Float64Array(job.costs);
  claimBlocks(job, thread, (b) => runBlock(job, costs, b));
}

/**
 * A `CoarseCostFill` on this thread and `workers` worker threads (default: one per core beyond
 * this one; 0: this thread only). `opts.onBlocks` hears how many blocks each thread computed (this
 * one first), for benchmarks and tests; `thisThread` false leaves the blocks to the workers.
 */
export function parallelCoarseCosts(
  workers = Math.max(0, availableParallelism() - 1),
  opts: {
    onBlocks?: (perThread: number[]) => void;
    /** False: this thread claims no block and only waits for the workers (default true). */
    thisThread?: boolean;
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
    const perThread = await runSharedBlocks(job, {
      workers: N * M >= MIN_PARALLEL_CELLS ? workers : 0,
      start: (thread) => {
        const { url, data } = workerEntry({
          ts: new URL('./workers/coarseCosts.ts', import.meta.url),
          js: new URL('./workers/coarseCosts.js', import.meta.url),
        });
        return { url, workerData: { ...data, job, thread } };
      },
      run: (b) => runBlock(job, costs, b),
      signal,
      thisThread: opts.thisThread,
    });
    opts.onBlocks?.(perThread);
    return costs;
  };
}
