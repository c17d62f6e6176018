/**
 * Work split into numbered blocks that this thread and worker threads claim from one shared
 * counter (`Atomics`), each writing its blocks' results into shared memory: the faster thread
 * simply takes more blocks, and a block a worker claimed but did not finish (it failed to start
 * or died) is computed here at the end. The coarse search's cell costs (`coarseCosts.ts`) and
 * the recording's pitch energy (`pitchEnergy.ts`) run this way.
 */
import { Worker } from 'node:worker_threads';

/** The claim state of a job's blocks, shared with the workers (in their `workerData`). */
export interface SharedBlocks {
  blocks: number;
  /** Int32: [next block to claim, then one flag per block: 0, or 1 + the thread that finished it]. */
  state: SharedArrayBuffer;
}

export function sharedBlocks(blocks: number): SharedBlocks {
  return { blocks, state: new SharedArrayBuffer(4 * (1 + blocks)) };
}

/**
 * Claims and runs up to `limit` blocks as `thread` (0: the thread that started the job); false
 * once none is left to claim.
 */
export function claimBlocks(
  job: SharedBlocks,
  thread: number,
  run: (block: number) => void,
  limit = Infinity,
): boolean {
  const state = new Int32Array(job.state);
  for (let k = 0; k < limit; k++) {
    const b = Atomics.add(state, 0, 1);
    if (b >= job.blocks) return false;
    run(b);
    Atomics.store(state, 1 + b, 1 + thread);
  }
  return true;
}

/** How to start worker `thread` (1, 2, …): its entry and `workerData`. */
export type WorkerStart = (thread: number) => { url: URL; workerData: unknown };

/** Runs a worker; resolves when it has exited, however it ended. */
function startWorker(start: WorkerStart, thread: number): { worker?: Worker; done: Promise<void> } {
  const { url, workerData } = start(thread);
  let worker: Worker;
  try {
    worker = new Worker(url, { workerData });
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
 * Runs every block of `job`: `workers` worker threads (`start`) and this thread (`run`, one
 * block at a time, yielding to the event loop between blocks unless `yieldEvery` is 0) claim
 * them; resolves with how many blocks each thread finished, this one first.
 */
export async function runSharedBlocks(
  job: SharedBlocks,
  opts: {
    workers: number;
    start: WorkerStart;
    run: (block: number) => void;
    signal?: AbortSignal;
    /** False: this thread claims no block and only waits for the workers (default true). */
    thisThread?: boolean;
    /** Blocks this thread runs between two yields to the event loop (default 1; 0: never yields). */
    yieldEvery?: number;
  },
): Promise<number[]> {
  const state = new Int32Array(job.state);
  const allDone = (): boolean => {
    for (let b = 0; b < job.blocks; b++) if (Atomics.load(state, 1 + b) === 0) return false;
    return true;
  };
  const started = Array.from({ length: opts.workers }, (_, k) => startWorker(opts.start, 1 + k));
  const every = opts.yieldEvery ?? 1;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      if (opts.thisThread === false || !claimBlocks(job, 0, opts.run, every > 0 ? every : Infinity)) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Every block is claimed: wait for the workers still computing one (not for one still
    // starting, which would find nothing left).
    if (!allDone()) await Promise.all(started.map((w) => w.done));
  } finally {
    for (const w of started) void w.worker?.terminate();
  }
  const perThread = new Array<number>(1 + started.length).fill(0);
  for (let b = 0; b < job.blocks; b++) {
    if (Atomics.load(state, 1 + b) === 0) {
      opts.run(b);
      Atomics.store(state, 1 + b, 1);
    }
    perThread[Atomics.load(state, 1 + b) - 1]++;
  }
  return perThread;
}
