/**
 * Helper threads kept for the process: started once (`warm`, while this thread decodes the
 * audio, so their code is loaded when the first job comes) and given one job after another
 * (`run`): the pitch-energy and coarse-cost blocks (`sharedBlocks.ts`), the score's features
 * (`features.ts`), the note network's chunks (`notes.ts`) and a coarse search run beside this
 * thread's (`coarseCosts.ts`). A helper holds the process open only while it has a job; one that
 * fails to start or dies answers its jobs as failed and is replaced at the next `run`, and every
 * job's caller has this thread do what the helper did not.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from './workerEntry.js';

/** The jobs a helper knows (`helperTasks.ts`). */
export type HelperKind =
  'pitchEnergy' | 'coarseCosts' | 'coarseSearch' | 'scoreFeatures' | 'notes' | 'noteModel';

/** A job sent to a helper. */
export interface HelperRequest {
  id: number;
  kind: HelperKind;
  data: unknown;
}

/** A helper's answer to job `id`: its result, or why it failed. */
export type HelperReply = { id: number; result: unknown } | { id: number; error: string };

/** How a job ended: its result, or (the helper failed, died or could not start) why not. */
export type HelperOutcome = { ok: true; result: unknown } | { ok: false; error: string };

interface Helper {
  /** Undefined when it could not be made. */
  worker?: Worker;
  pending: Map<number, (outcome: HelperOutcome) => void>;
  dead: boolean;
}

/** How to start a helper: the entry module and its `workerData`. */
export type HelperEntry = () => { url: URL; workerData: unknown };

/** The helper entry of built code and of the sources (`workerEntry`). */
export const HELPER_ENTRY: HelperEntry = () => {
  const { url, data } = workerEntry({
    ts: new URL('./workers/helper.ts', import.meta.url),
    js: new URL('./workers/helper.js', import.meta.url),
  });
  return { url, workerData: data };
};

/** Helper threads numbered 1, 2, … (0 is the thread that owns the pool). */
export class HelperPool {
  private readonly helpers = new Map<number, Helper>();
  private nextId = 1;

  constructor(private readonly entry: HelperEntry = HELPER_ENTRY) {}

  /** Starts helpers 1 … `count` that are not running, without waiting for them. */
  warm(count: number): void {
    for (let k = 1; k <= count; k++) this.helper(k);
  }

  /** Helpers alive now (started and not dead: a dead one leaves the pool). */
  get size(): number {
    return this.helpers.size;
  }

  /**
   * Sends a job to helper `thread` (≥ 1; started if it is not running); resolves when it has
   * answered, never rejects. Jobs sent to one helper run one after the other.
   */
  run(thread: number, kind: HelperKind, data: unknown): Promise<HelperOutcome> {
    if (!Number.isInteger(thread) || thread < 1)
      throw new RangeError(`helper thread must be an integer ≥ 1, got ${thread}`);
    const h = this.helper(thread);
    const worker = h.worker;
    if (h.dead || !worker) return Promise.resolve({ ok: false, error: 'the helper could not start' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      h.pending.set(id, resolve);
      if (h.pending.size === 1) worker.ref();
      try {
        worker.postMessage({ id, kind, data } satisfies HelperRequest);
      } catch (err) {
        this.settle(h, id, { ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /**
   * Ends helper `thread` (a later job starts a new one): what its jobs shared with it is then
   * free at once, where an idle helper would hold it until its next garbage collection. Pending
   * jobs answer as failed.
   */
  async end(thread: number, why = 'the helper was ended'): Promise<void> {
    const h = this.helpers.get(thread);
    if (!h) return;
    this.helpers.delete(thread);
    this.fail(h, why);
    await h.worker?.terminate();
  }

  /** Ends every helper; their pending jobs answer as failed. */
  async close(): Promise<void> {
    await Promise.all([...this.helpers.keys()].map((thread) => this.end(thread, 'the helpers were closed')));
  }

  private helper(thread: number): Helper {
    const known = this.helpers.get(thread);
    if (known && !known.dead) return known;
    const { url, workerData } = this.entry();
    let worker: Worker;
    try {
      worker = new Worker(url, { workerData });
    } catch {
      // A helper that cannot be made now is tried again at the next job.
      return { pending: new Map(), dead: true };
    }
    const h: Helper = { worker, pending: new Map(), dead: false };
    worker.on('message', (reply: HelperReply) => {
      this.settle(
        h,
        reply.id,
        'error' in reply ? { ok: false, error: reply.error } : { ok: true, result: reply.result },
      );
    });
    const end = (why: string): void => {
      h.dead = true;
      if (this.helpers.get(thread) === h) this.helpers.delete(thread);
      this.fail(h, why);
    };
    worker.on('error', (err) => end(`the helper failed: ${err.message}`));
    worker.on('exit', (code) => end(`the helper ended (exit code ${code})`));
    // Idle, it does not hold the process open (after the listeners: a 'message' listener refs it).
    worker.unref();
    this.helpers.set(thread, h);
    return h;
  }

  private settle(h: Helper, id: number, outcome: HelperOutcome): void {
    const resolve = h.pending.get(id);
    if (!resolve) return;
    h.pending.delete(id);
    if (h.pending.size === 0 && !h.dead) h.worker?.unref();
    resolve(outcome);
  }

  private fail(h: Helper, error: string): void {
    for (const id of [...h.pending.keys()]) this.settle(h, id, { ok: false, error });
  }
}

let shared: HelperPool | undefined;

/** The process's helper pool (made at the first call; its helpers start when a job or `warm` asks). */
export function sharedHelpers(): HelperPool {
  shared ??= new HelperPool();
  return shared;
}
