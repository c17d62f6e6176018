/**
 * The main side of the edit worker (`workers/editWorker.ts`): one long-lived worker thread that
 * re-aligns after hand edits and keeps each project's decoded features between edits, so an edit
 * sends only the path and the corrections. Requests go to it one at a time, in order; a crashed or
 * stuck worker is replaced by a new one at the next request. A worker being stopped is never given
 * another request: whatever ends the request it ran (its answer, its exit, a cancel), the next one
 * goes to a new worker.
 */
import { Worker } from 'node:worker_threads';
import { AccordError } from '../../shared/ipc.js';
import type { Corrections, EditSpan } from '../../shared/edit/index.js';
import type { AlignmentPath } from '../../shared/path.js';
import { appWorker, type TaskOptions } from './jobs.js';
import type { EditCancel, EditInputs, EditReply, EditRequest } from './workers/protocol.js';

/** How long a cancelled request may take to answer before its worker is replaced (default). */
export const CANCEL_GRACE_MS = 1500;

/** `Realigner`'s options. */
export interface RealignerOptions {
  /** How long a cancelled request may take to answer before its worker is replaced (ms). */
  cancelGraceMs?: number;
}

/** One re-alignment. */
export interface RealignRequest {
  /** What the inputs are (`ProjectService.editInputsKey`): the worker keeps them under this key. */
  key: string;
  /** The current path (copied to the worker). */
  path: AlignmentPath;
  corrections: Corrections;
  /** Re-align around each in turn (`realignLocal`); a null one re-aligns the whole recording (`realignAll`). */
  spans: (EditSpan | null)[];
}

/** `run`'s options: the inputs, loaded only when the worker does not hold them. */
export interface RealignOptions extends TaskOptions {
  inputs(): Promise<EditInputs>;
}

/** A re-aligned path and the milliseconds the worker spent on it. */
export interface Realigned {
  path: AlignmentPath;
  workerMs: number;
}

interface Waiting {
  req: RealignRequest;
  opts: RealignOptions;
  resolve(r: Realigned): void;
  reject(err: AccordError): void;
}

interface InFlight extends Waiting {
  id: number;
  /** The worker it was sent to. */
  worker: Worker;
  /** Settled towards the caller (done, failed, or cancelled at once): later replies only free the worker. */
  settled: boolean;
  /** Sent to the worker and not answered yet (false while its inputs load: the worker runs nothing of it). */
  posted: boolean;
  onAbort?: () => void;
  killTimer?: NodeJS.Timeout;
}

/** Buffers of `arrays` that can be handed over whole (not views into a larger or shared buffer), each once. */
function handOver(arrays: (ArrayBufferView | null | undefined)[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) {
    if (!a || !(a.buffer instanceof ArrayBuffer)) continue;
    if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.add(a.buffer);
  }
  return [...out];
}

/** Runs re-alignments in the edit worker. */
export class Realigner {
  /** The worker new requests go to (null: the next request starts one). */
  #worker: Worker | null = null;
  /** Every worker thread not yet exited, the ones being stopped included. */
  readonly #workers = new Set<Worker>();
  /** Keys whose inputs were sent to the current worker. */
  readonly #sent = new Set<string>();
  readonly #queue: Waiting[] = [];
  #inFlight: InFlight | null = null;
  #nextId = 1;
  #closed = false;
  readonly #graceMs: number;

  constructor(opts: RealignerOptions = {}) {
    this.#graceMs = opts.cancelGraceMs ?? CANCEL_GRACE_MS;
  }

  /** Re-aligns `req` in the worker; rejects with an `AccordError` (code `cancelled` on abort, at once). */
  run(req: RealignRequest, opts: RealignOptions): Promise<Realigned> {
    if (this.#closed) return Promise.reject(new AccordError('cancelled', 'the app is closing'));
    return new Promise<Realigned>((resolve, reject) => {
      this.#queue.push({ req, opts, resolve, reject });
      this.#next();
    });
  }

  /** Stops the worker thread at once, as a crash would: the request in flight fails, the next starts a new worker. */
  kill(): Promise<number> {
    const w = this.#worker;
    return w ? this.#retire(w) : Promise.resolve(0);
  }

  /** True while a worker thread is up (it stays up between edits). */
  get alive(): boolean {
    return this.#worker !== null;
  }

  /** Cancels what waits and stops the worker (app quit, tests). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#queue.splice(0)) w.reject(new AccordError('cancelled', 'the app is closing'));
    this.#worker = null;
    await Promise.all([...this.#workers].map((w) => w.terminate()));
  }

  /**
   * Stops `worker` and takes it out of service at once: no request is sent to it from now on (the
   * next starts a new worker), so its exit can only fail the request it was running.
   */
  #retire(worker: Worker): Promise<number> {
    if (this.#worker === worker) {
      this.#worker = null;
      this.#sent.clear();
    }
    return worker.terminate();
  }

  #spawn(): Worker {
    const { url, data } = appWorker('editWorker');
    const worker = new Worker(url, { workerData: data });
    this.#sent.clear();
    this.#workers.add(worker);
    worker.on('message', (msg: EditReply) => this.#reply(worker, msg));
    worker.on('error', (err) => this.#lost(worker, `crashed: ${err.message}`));
    worker.on('exit', (code) => {
      this.#workers.delete(worker);
      this.#lost(worker, `stopped (exit code ${code})`);
    });
    this.#worker = worker;
    return worker;
  }

  #next(): void {
    if (this.#inFlight || this.#closed) return;
    const w = this.#queue.shift();
    if (!w) return;
    if (w.opts.signal?.aborted) {
      w.reject(new AccordError('cancelled', 'the job was cancelled'));
      this.#next();
      return;
    }
    const worker = this.#worker ?? this.#spawn();
    // Held while it works (a CLI or bench awaiting a job must not exit); an idle worker is not.
    worker.ref();
    const f: InFlight = { ...w, id: this.#nextId++, worker, settled: false, posted: false };
    this.#inFlight = f;
    const onAbort = (): void => {
      this.#settle(f, () => w.reject(new AccordError('cancelled', 'the job was cancelled')));
      // Still loading its inputs: the worker runs nothing of it, the next request may go at once
      // (the inputs, when they come, are dropped).
      if (!f.posted) {
        this.#free(f);
        return;
      }
      worker.postMessage({ type: 'cancel', id: f.id } satisfies EditCancel);
      // A span runs to its end; one that runs long holds up the next edit: replace the worker.
      // Retired before the next request is sent, so that request never lands on the stopping one.
      f.killTimer = setTimeout(() => {
        if (this.#inFlight !== f) return;
        void this.#retire(worker);
        this.#free(f);
      }, this.#graceMs);
    };
    f.onAbort = onAbort;
    w.opts.signal?.addEventListener('abort', onAbort, { once: true });
    void this.#send(f, !this.#sent.has(w.req.key));
  }

  /** Sends `f` to its worker, with the inputs when `withInputs`. */
  async #send(f: InFlight, withInputs: boolean): Promise<void> {
    let inputs: EditInputs | undefined;
    if (withInputs) {
      f.opts.onProgress?.('loading', 0);
      try {
        inputs = await f.opts.inputs();
      } catch (err) {
        this.#settle(f, () => f.reject(AccordError.from(err)));
        this.#free(f);
        return;
      }
      if (this.#inFlight !== f || f.settled) {
        if (this.#inFlight === f) this.#free(f);
        return;
      }
      if (inputs.key !== f.req.key) {
        this.#settle(f, () =>
          f.reject(
            new AccordError(
              'internal',
              `edit inputs: expected those of ${f.req.key}, got those of ${inputs!.key}`,
            ),
          ),
        );
        this.#free(f);
        return;
      }
      this.#sent.add(f.req.key);
    }
    const { path, corrections, spans, key } = f.req;
    const msg: EditRequest = { type: 'realign', id: f.id, key, path, corrections, spans };
    if (inputs) msg.inputs = inputs;
    const p = inputs?.perf;
    f.posted = true;
    f.worker.postMessage(msg, handOver([p?.chroma, p?.onset, p?.energy, p?.notes]));
  }

  #reply(worker: Worker, msg: EditReply): void {
    const f = this.#inFlight;
    if (!f || f.worker !== worker || f.id !== msg.id) return;
    switch (msg.type) {
      case 'progress':
        if (!f.settled) f.opts.onProgress?.(msg.stage, msg.fraction);
        return;
      case 'need-inputs':
        f.posted = false;
        this.#sent.delete(f.req.key);
        void this.#send(f, true);
        return;
      case 'done':
        this.#settle(f, () => f.resolve({ path: msg.result, workerMs: msg.ms }));
        break;
      case 'error':
        this.#settle(f, () => f.reject(new AccordError(msg.error.code, msg.error.message)));
        break;
    }
    this.#free(f);
  }

  /** The worker exited or threw: the request it ran fails (unless already settled), the next request starts a new worker. */
  #lost(worker: Worker, how: string): void {
    if (this.#worker === worker) {
      this.#worker = null;
      this.#sent.clear();
    }
    const f = this.#inFlight;
    if (f && f.worker === worker) {
      this.#settle(f, () =>
        f.reject(
          new AccordError(
            'internal',
            `the re-alignment worker ${how} before answering; the edit is saved, and the next edit re-aligns it in a new worker`,
          ),
        ),
      );
      this.#free(f);
    }
  }

  #settle(f: InFlight, fn: () => void): void {
    if (f.settled) return;
    f.settled = true;
    fn();
  }

  #free(f: InFlight): void {
    clearTimeout(f.killTimer);
    if (f.onAbort) f.opts.signal?.removeEventListener('abort', f.onAbort);
    if (this.#inFlight !== f) return;
    this.#inFlight = null;
    this.#next();
    if (!this.#inFlight) this.#worker?.unref();
  }
}
