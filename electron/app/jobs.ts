/**
 * Long work off the main thread. `TaskRunner` runs one worker-thread task (decode, features,
 * align, matrix, scan) with progress and cancel; `JobService` turns alignment runs, the
 * re-alignments of edits and scan imports into jobs with ids, `job:*` events and `job:cancel`.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  AccordError,
  type EventChannel,
  type EventChannels,
  type JobDone,
  type JobInfo,
  type JobKind,
  type JobResults,
  type Result,
} from '../../shared/ipc.js';
import type { ControlMessage, TaskResults, WorkerMessage, WorkerRequest } from './workers/protocol.js';
import { toIpcError } from './errors.js';
import { workerEntry } from '../engine/workerEntry.js';

/** Sends a main→renderer event (Electron: every window; bridge: every SSE client). */
export type Emit = <E extends EventChannel>(event: E, payload: EventChannels[E]) => void;

/** Options of one task run. */
export interface TaskOptions {
  signal?: AbortSignal;
  /** Whole-task progress, 0..1, with the current stage. */
  onProgress?: (stage: string, fraction: number) => void;
}

/** Minimum spacing of `job:progress` events of one job (the renderer redraws on each). */
export const PROGRESS_INTERVAL_MS = 100;

/** How long a cancelled worker may take to stop by itself before it is terminated. */
const CANCEL_GRACE_MS = 1500;

/** How to start one of the app's workers (`workerEntry` of the engine, for this code's build). */
export function appWorker(entry: 'alignWorker' | 'editWorker'): { url: URL; data: Record<string, unknown> } {
  return workerEntry(
    entry === 'alignWorker'
      ? {
          ts: new URL('./workers/alignWorker.ts', import.meta.url),
          js: new URL('./workers/alignWorker.js', import.meta.url),
        }
      : {
          ts: new URL('./workers/editWorker.ts', import.meta.url),
          js: new URL('./workers/editWorker.js', import.meta.url),
        },
  );
}

/** Runs worker tasks, at most `concurrency` at a time (the rest wait in order). */
export class TaskRunner {
  readonly #concurrency: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];
  readonly #workers = new Set<Worker>();

  constructor(opts: { concurrency?: number } = {}) {
    this.#concurrency = Math.max(1, opts.concurrency ?? 1);
  }

  /** Runs `req` in a fresh worker thread; rejects with an `AccordError` (code `cancelled` on abort). */
  async run<T extends WorkerRequest['task']>(
    req: Extract<WorkerRequest, { task: T }>,
    opts: TaskOptions = {},
  ): Promise<TaskResults[T]> {
    opts.signal?.throwIfAborted();
    await this.#acquire();
    try {
      return await this.#spawn<T>(req, opts);
    } finally {
      this.#release();
    }
  }

  /** Terminates every running worker (app quit, tests). */
  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((w) => w.terminate()));
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(() => (this.#running++, resolve())));
  }

  #release(): void {
    this.#running--;
    this.#queue.shift()?.();
  }

  #spawn<T extends WorkerRequest['task']>(req: WorkerRequest, opts: TaskOptions): Promise<TaskResults[T]> {
    const { url, data } = appWorker('alignWorker');
    return new Promise<TaskResults[T]>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(new AccordError('cancelled', 'the job was cancelled'));
        return;
      }
      const worker = new Worker(url, { workerData: { ...req, ...data } });
      this.#workers.add(worker);
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(killTimer);
        opts.signal?.removeEventListener('abort', onAbort);
        // One task per worker: stop it now rather than wait for libraries (ONNX threads) to let go.
        void worker.terminate();
        fn();
      };
      const onAbort = (): void => {
        worker.postMessage({ type: 'cancel' } satisfies ControlMessage);
        killTimer = setTimeout(() => {
          void worker.terminate();
          finish(() => reject(new AccordError('cancelled', 'the job was cancelled')));
        }, CANCEL_GRACE_MS);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'progress') {
          if (!settled) opts.onProgress?.(msg.stage, msg.fraction);
        } else if (msg.type === 'done') {
          finish(() => resolve(msg.result as TaskResults[T]));
        } else {
          finish(() => reject(new AccordError(msg.error.code, msg.error.message)));
        }
      });
      worker.on('error', (err) =>
        finish(() => reject(new AccordError('internal', `worker (${req.task}) crashed: ${err.message}`))),
      );
      worker.on('exit', (code) => {
        this.#workers.delete(worker);
        const cancelled = opts.signal?.aborted ?? false;
        finish(() =>
          reject(
            cancelled
              ? new AccordError('cancelled', 'the job was cancelled')
              : new AccordError('internal', `worker (${req.task}) exited with code ${code} before answering`),
          ),
        );
      });
    });
  }
}

/** How a job of kind `K` ended: its result, or its error (code `cancelled` when cancelled or superseded). */
export type JobOutcome<K extends JobKind = JobKind> = Result<JobResults[K]>;

interface Job {
  info: JobInfo;
  controller: AbortController;
  done: Promise<JobOutcome>;
}

/** Outcomes of finished jobs kept for `outcome()`. */
const FINISHED_KEPT = 64;

/** What a second job of a kind a project runs one at a time is refused with. */
const BUSY: Partial<Record<JobKind, string>> = {
  alignment: 'already has an alignment running',
  scan: 'is already reading a scan',
};

/** Jobs: at most one alignment and one scan import per project at a time, progress/done/failed as events, cancellable. */
export class JobService {
  readonly #emit: Emit;
  readonly #jobs = new Map<string, Job>();
  readonly #finished = new Map<string, JobOutcome>();

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  /**
   * Starts `work` as a job of `kind` (default `alignment`) for `projectId` and returns its id at
   * once; `work` gets the job's AbortSignal and a progress callback; its value is sent as
   * `job:done`, its error as `job:failed`. A project runs one alignment and one scan job at a
   * time (`busy` otherwise); re-alignments are the corrections service's to order.
   */
  start<K extends JobKind = 'alignment'>(
    projectId: number,
    work: (
      signal: AbortSignal,
      onProgress: (stage: string, fraction: number) => void,
    ) => Promise<JobResults[K]>,
    kind: K = 'alignment' as K,
  ): string {
    const busy = BUSY[kind];
    if (busy && this.isRunning(projectId, kind))
      throw new AccordError('busy', `project ${projectId} ${busy}`);
    const jobId = randomUUID();
    const controller = new AbortController();
    const info: JobInfo = {
      jobId,
      projectId,
      kind,
      stage: 'queued',
      fraction: 0,
      startedAt: Date.now(),
    };
    let lastSent = 0;
    const onProgress = (stage: string, fraction: number): void => {
      const now = Date.now();
      const stageChanged = stage !== info.stage;
      info.stage = stage;
      info.fraction = fraction;
      // At most one event per PROGRESS_INTERVAL_MS, but every stage change is sent.
      if (!stageChanged && now - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = now;
      this.#emit('job:progress', { jobId, projectId, kind, stage, fraction });
    };
    const finish = (outcome: JobOutcome): JobOutcome => {
      this.#jobs.delete(jobId);
      this.#finished.set(jobId, outcome);
      if (this.#finished.size > FINISHED_KEPT) this.#finished.delete(this.#finished.keys().next().value!);
      if (outcome.ok) this.#emit('job:done', { jobId, projectId, kind, result: outcome.value } as JobDone);
      else this.#emit('job:failed', { jobId, projectId, kind, error: outcome.error });
      return outcome;
    };
    const done = (async (): Promise<JobOutcome> => {
      try {
        const result = await work(controller.signal, onProgress);
        controller.signal.throwIfAborted();
        return finish({ ok: true, value: result });
      } catch (err) {
        return finish({ ok: false, error: toIpcError(err, controller.signal) });
      }
    })();
    this.#jobs.set(jobId, { info, controller, done });
    return jobId;
  }

  /** Cancels a job (`why` becomes the `cancelled` error's message); false when no such job is running. */
  cancel(jobId: string, why = 'the job was cancelled'): boolean {
    const job = this.#jobs.get(jobId);
    if (!job) return false;
    job.controller.abort(new AccordError('cancelled', why));
    return true;
  }

  /** How job `jobId` (of kind `K`, the caller's to know) ended, once it has (one of the last finished jobs, or a running one); undefined for unknown ids. */
  outcome<K extends JobKind = 'alignment'>(jobId: string): Promise<JobOutcome<K>> | undefined {
    const finished = this.#finished.get(jobId);
    return (finished ? Promise.resolve(finished) : this.#jobs.get(jobId)?.done) as
      Promise<JobOutcome<K>> | undefined;
  }

  /** Running jobs. */
  list(): JobInfo[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.info }));
  }

  /** True while `projectId` has a job of `kind` (default: an alignment). */
  isRunning(projectId: number, kind: JobKind = 'alignment'): boolean {
    for (const j of this.#jobs.values())
      if (j.info.projectId === projectId && j.info.kind === kind) return true;
    return false;
  }

  /** Resolves when the job has finished (done, failed or cancelled); immediately for unknown ids. */
  async settled(jobId: string): Promise<void> {
    await this.#jobs.get(jobId)?.done;
  }

  /** Cancels every job and waits for them to settle. */
  async close(): Promise<void> {
    const all = [...this.#jobs.values()];
    for (const j of all) j.controller.abort();
    await Promise.all(all.map((j) => j.done));
  }
}
