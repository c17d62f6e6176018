/**
 * The coarse structure search's cell costs on several threads (`CoarseCostFill` of
 * `shared/align/jump.ts`): the grid's rows are claimed in blocks from a shared counter by this
 * thread and by worker threads alike, into one shared buffer, so the values are the ones the
 * search computes itself, bit for bit, and the faster thread simply takes more blocks. This
 * thread yields between its blocks, so the structure network runs meanwhile. A block a worker
 * claimed but did not finish (it failed to start or died) is computed here at the end.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CostParams } from '../../shared/align/cost.js';
import { coarseRowCosts, type CoarseCostFill } from '../../shared/align/jump.js';
import type { Features } from '../../shared/dsp/features.js';
import { workerEntry } from './workerEntry.js';

/** Rows per claimed block (a 5-minute grid has ~3,000 rows of ~3,500 cells). */
export const BLOCK_ROWS = 32;

/** Grids smaller than this (cells) are filled on this thread alone: a worker starts in ~50 ms. */
export const MIN_PARALLEL_CELLS = 1_500_000;

/** What the threads share: the pooled features, the cost, the output and the block counter. */
export interface CoarseCostsJob {
  perf: Features;
  score: Features;
  cost: CostParams;
  /** N × M float64 cell costs, row-major. */
  costs: SharedArrayBuffer;
  /** Int32: [next block to claim, then one flag per block: 0, or 1 + the thread that wrote its rows]. */
  state: SharedArrayBuffer;
  blockRows: number;
}

/** Blocks of a job's grid. */
function blockCount(job: CoarseCostsJob): number {
  return Math.ceil(job.perf.frames / job.blockRows);
}

/** Rows of block b, computed into the shared output and flagged done by `thread` (0: the caller's). */
function runBlock(
  job: CoarseCostsJob,
  costs: Float64Array,
  state: Int32Array,
  b: number,
  thread: number,
): void {
  const from = b * job.blockRows;
  coarseRowCosts(job.perf, job.score, job.cost, from, Math.min(job.perf.frames, from + job.blockRows), costs);
  Atomics.store(state, 1 + b, 1 + thread);
}

/** Claims and computes up to `limit` blocks as `thread`; false once none is left to claim. */
export function claimBlocks(job: CoarseCostsJob, thread: number, limit = Infinity): boolean {
  const costs = new Float64Array(job.costs);
  const state = new Int32Array(job.state);
  const blocks = blockCount(job);
  for (let k = 0; k < limit; k++) {
    const b = Atomics.add(state, 0, 1);
    if (b >= blocks) return false;
    runBlock(job, costs, state, b, thread);
  }
  return true;
}

/** Runs a worker on the job; resolves when it has exited, however it ended. */
function startWorker(job: CoarseCostsJob, thread: number): { worker?: Worker; done: Promise<void> } {
  const { url, data } = workerEntry({
    ts: new URL('./workers/coarseCosts.ts', import.meta.url),
    js: new URL('./workers/coarseCosts.js', import.meta.url),
  });
  let worker: Worker;
  try {
    worker = new Worker(url, { workerData: { ...data, job, thread } });
  } catch {
    return { done: Promise.resolve() }; // its blocks are left to this thread
  }
  const done = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    worker.once('error', () => resolve());
  });
  return { worker, done };
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
      perf: grid.perf,
      score: grid.score,
      cost,
      costs: new SharedArrayBuffer(8 * N * M),
      state: new SharedArrayBuffer(4 * (1 + Math.ceil(N / BLOCK_ROWS))),
      blockRows: BLOCK_ROWS,
    };
    const costs = new Float64Array(job.costs);
    const state = new Int32Array(job.state);
    const allDone = (): boolean => {
      for (let b = 0; b < blockCount(job); b++) if (Atomics.load(state, 1 + b) === 0) return false;
      return true;
    };
    const started = Array.from({ length: N * M >= MIN_PARALLEL_CELLS ? workers : 0 }, (_, k) =>
      startWorker(job, 1 + k),
    );
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (opts.thisThread === false || !claimBlocks(job, 0, 1)) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Every block is claimed: wait for the workers still computing one (not for one still
      // starting, which would find nothing left).
      if (!allDone()) await Promise.all(started.map((w) => w.done));
    } finally {
      for (const w of started) void w.worker?.terminate();
    }
    const perThread = new Array<number>(1 + started.length).fill(0);
    for (let b = 0; b < blockCount(job); b++) {
      if (Atomics.load(state, 1 + b) === 0) runBlock(job, costs, state, b, 0);
      perThread[Atomics.load(state, 1 + b) - 1]++;
    }
    opts.onBlocks?.(perThread);
    return costs;
  };
}
