/**
 * Reading scanned pages into the open project as a `scan` job (main reads and detects them in a
 * worker): the files picked or dropped, the job's progress, cancel, and how it ended. The scan
 * itself stays main's: on `job:done` the owner re-fetches it (`scan:get`).
 */
import type { AccordApi, ScanJobResult } from '../../../shared/ipc';
import { errorMessage } from '../lib/api';

/** Finished job ids remembered (a job's `job:done` may arrive before `scan:import` answers). */
const FINISHED_KEPT = 16;

/** A running import: its job (null until `scan:import` answers), stage and 0..1 progress. */
export interface ScanImportJob {
  jobId: string | null;
  stage: string;
  fraction: number;
}

/** What the progress line reads for a job stage. */
export function scanStageLabel(stage: string): string {
  return stage === 'read'
    ? 'Reading the pages'
    : stage === 'detect'
      ? 'Finding systems and measures'
      : 'Starting';
}

/** One sentence for a finished import. */
export function scanDoneNotice(r: ScanJobResult): string {
  const pages = `${r.pages} page${r.pages === 1 ? '' : 's'}`;
  const boxes = `${r.boxes} measure box${r.boxes === 1 ? '' : 'es'}`;
  return `Imported ${pages} with ${boxes}${r.warnings.length > 0 ? ': see the warnings below' : ''}.`;
}

/** The scan import of the open project. */
export class ScanImportState {
  #job = $state<ScanImportJob | null>(null);
  #notice = $state<string | null>(null);
  #error = $state<string | null>(null);
  #projectId: number | null = null;
  #finished: string[] = [];
  readonly #api: AccordApi;
  readonly #onDone: (projectId: number, result: ScanJobResult) => void;
  readonly #off: (() => void)[];

  /** `onDone` runs when an import of the open project stored its scan (re-fetch it there). */
  constructor(api: AccordApi, onDone: (projectId: number, result: ScanJobResult) => void) {
    this.#api = api;
    this.#onDone = onDone;
    this.#off = [
      api.on('job:progress', ({ jobId, projectId, kind, stage, fraction }) => {
        if (kind !== 'scan' || projectId !== this.#projectId || this.#finished.includes(jobId)) return;
        this.#job = { jobId, stage, fraction: Math.min(1, Math.max(0, fraction)) };
      }),
      api.on('job:done', (e) => {
        if (e.kind !== 'scan' || e.projectId !== this.#projectId) return;
        this.#ended(e.jobId);
        this.#notice = scanDoneNotice(e.result);
        this.#onDone(e.projectId, e.result);
      }),
      api.on('job:failed', ({ jobId, projectId, kind, error }) => {
        if (kind !== 'scan' || projectId !== this.#projectId) return;
        this.#ended(jobId);
        if (error.code === 'cancelled') this.#notice = 'Import cancelled: the scan is as it was.';
        else this.#error = `The scan could not be imported: ${error.message}`;
      }),
    ];
  }

  #ended(jobId: string): void {
    this.#finished = [...this.#finished.slice(-(FINISHED_KEPT - 1)), jobId];
    this.#job = null;
  }

  /** The running import, null when none. */
  get job(): ScanImportJob | null {
    return this.#job;
  }
  /** How the last import ended (done or cancelled), null when there is nothing to say. */
  get notice(): string | null {
    return this.#notice;
  }
  /** Why the last import failed, null when it did not. */
  get error(): string | null {
    return this.#error;
  }

  /** Follows project `projectId` (null: none), picking up an import it is running already. */
  async setProject(projectId: number | null): Promise<void> {
    if (projectId === this.#projectId) return;
    this.#projectId = projectId;
    this.#job = null;
    this.#notice = null;
    this.#error = null;
    if (projectId === null) return;
    const running = (await this.#api.job.list()).find((j) => j.kind === 'scan' && j.projectId === projectId);
    if (running && this.#projectId === projectId && !this.#finished.includes(running.jobId))
      this.#job = { jobId: running.jobId, stage: running.stage, fraction: running.fraction };
  }

  /** Imports `paths` (pages in this order), or the files the user picks, as the project's scan; false when nothing started. */
  async start(paths?: string[]): Promise<boolean> {
    const id = this.#projectId;
    if (id === null || this.#job) return false;
    this.#error = null;
    this.#notice = null;
    try {
      const files = paths ?? (await this.#api.dialog.pages({ kind: 'scan', title: 'Import scanned pages' }));
      if (files.length === 0 || this.#projectId !== id) return false;
      this.#job = { jobId: null, stage: 'queued', fraction: 0 };
      const { jobId } = await this.#api.scan.import(id, files);
      // Its events may have come first: keep what they said.
      if (this.#finished.includes(jobId)) return true;
      if (this.#job?.jobId === null) this.#job = { ...this.#job, jobId };
      return true;
    } catch (e) {
      this.#job = null;
      this.#error = errorMessage(e);
      return false;
    }
  }

  /** Cancels the running import (the old scan stays). */
  async cancel(): Promise<void> {
    const jobId = this.#job?.jobId;
    if (!jobId) return;
    try {
      await this.#api.job.cancel(jobId);
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  /** Sets the error shown (a drop of files that are no scan). */
  fail(message: string): void {
    this.#error = message;
    this.#notice = null;
  }

  /** Unsubscribes from main's events. */
  destroy(): void {
    for (const off of this.#off) off();
  }
}
