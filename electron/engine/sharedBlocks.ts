/**
 * Work split into numbered blocks that this thread and helper threads (`helpers.ts`) claim from
 * one shared counter (`Atomics`), each writing its blocks' results into shared memory: the faster
 * thread simply takes more blocks, and a block a helper claimed but did not finish (it failed to
 * start or died) is computed here at the end. The coarse search's cell costs (`coarseCosts.ts`)
 * and the recording's pitch energy (`pitchEnergy.ts`) run this way.
 */

/** The claim state of a job's blocks, shared with the helpers (in their job). */
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

/**
 * `claimBlocks` for work that may complete later (an ONNX Runtime run): a block whose `run`
 * returns a promise is awaited before the next is claimed. Resolves false once none is left.
 */
export async function claimBlocksAsync(
  job: SharedBlocks,
  thread: number,
  run: (block: number) => void | Promise<void>,
  limit = Infinity,
): Promise<boolean> {
  const state = new Int32Array(job.state);
  for (let k = 0; k < limit; k++) {
    const b = Atomics.add(state, 0, 1);
    if (b >= job.blocks) return false;
    const pending = run(b);
    if (pending) await pending;
    Atomics.store(state, 1 + b, 1 + thread);
  }
  return true;
}

/**
 * Starts helper `thread`'s part of a job (1, 2, …: it claims blocks until none is left); resolves
 * when that part has ended, however it ended.
 */
export type HelperPart = (thread: number) => Promise<unknown>;

/**
 * Runs every block of `job`: `helpers` helper threads (`part`, from `helpers.ts`) and this thread
 * (`run`, one block at a time, yielding to the event loop between blocks unless `yieldEvery` is
 * 0) claim them; resolves with how many blocks each thread finished, this one first. On abort the
 * blocks left unclaimed are withdrawn, so the helpers stop after the block they are on.
 */
export async function runSharedBlocks(
  job: SharedBlocks,
  opts: {
    helpers: number;
    part: HelperPart;
    /** One block on this thread; a promise it returns is awaited before the next block is claimed. */
    run: (block: number) => void | Promise<void>;
    signal?: AbortSignal;
    /** False: this thread claims no block and only waits for the helpers (default true). */
    thisThread?: boolean;
    /** Blocks this thread runs between two yields to the event loop (default 1; 0: never yields). */
    yieldEvery?: number;
    /**
     * Other work this thread awaits once the helpers have their parts, before it claims a block
     * (e.g. a model loading): the helpers compute meanwhile. Its failure is the caller's to answer.
     */
    meanwhile?: Promise<unknown>;
  },
): Promise<number[]> {
  const state = new Int32Array(job.state);
  const allDone = (): boolean => {
    for (let b = 0; b < job.blocks; b++) if (Atomics.load(state, 1 + b) === 0) return false;
    return true;
  };
  const started = Array.from({ length: opts.helpers }, (_, k) => opts.part(1 + k));
  const every = opts.yieldEvery ?? 1;
  try {
    await opts.meanwhile?.catch(() => undefined);
    for (;;) {
      opts.signal?.throwIfAborted();
      if (
        opts.thisThread === false ||
        !(await claimBlocksAsync(job, 0, opts.run, every > 0 ? every : Infinity))
      )
        break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Every block is claimed: wait for the helpers still computing one (not for one still
    // busy with an earlier job, which will find nothing left).
    if (!allDone()) await Promise.all(started);
  } catch (err) {
    Atomics.store(state, 0, job.blocks);
    throw err;
  }
  const perThread = new Array<number>(1 + opts.helpers).fill(0);
  for (let b = 0; b < job.blocks; b++) {
    if (Atomics.load(state, 1 + b) === 0) {
      await opts.run(b);
      Atomics.store(state, 1 + b, 1);
    }
    perThread[Atomics.load(state, 1 + b) - 1]++;
  }
  return perThread;
}
