import type { AccordApi } from '../lib/api';
import { errorMessage } from '../lib/api';
import { SvelteSet } from 'svelte/reactivity';
import type { CorrectionsState, EditOutcome } from '../../../shared/ipc';
import type { AnchorPlace, EditOp, RegionKind, ReviewRegion } from '../../../shared/edit/index';
import type { ImportFormat } from '../../../shared/formats/common';

let seq = 0;
/** A fresh id for an anchor, jump or region. */
export function newId(prefix: string): string {
  seq += 1;
  return `${prefix}-${Date.now().toString(36)}-${seq}`;
}

/** Job ids remembered as finished (their `job:done`/`job:failed` may come before the call's answer). */
const FINISHED_KEPT = 32;

/**
 * The open project's hand corrections: a cache of main's state, plus the calls that change it.
 * An edit is saved when its call answers; main re-aligns after it in a `realign` job, followed
 * here through the `job:*` events (a newer edit supersedes it, so edits need not wait for it).
 */
export class CorrectionsEditor {
  #state = $state.raw<CorrectionsState | null>(null);
  #regions = $state.raw<ReviewRegion[]>([]);
  #busy = $state(false);
  readonly #running = new SvelteSet<string>();
  /** Ids of the last finished jobs, oldest first. */
  #finished: string[] = [];
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);
  #projectId: number | null = null;
  #api: AccordApi;
  #off: (() => void)[];

  constructor(api: AccordApi) {
    this.#api = api;
    this.#off = [
      api.on('project:changed', ({ projectId }) => {
        if (projectId === this.#projectId && !this.#busy) void this.refresh();
      }),
      api.on('job:progress', ({ jobId, projectId, kind }) => {
        if (kind === 'realign' && projectId === this.#projectId) this.#started(jobId);
      }),
      api.on('job:done', ({ jobId, projectId, kind }) => {
        if (kind === 'realign' && projectId === this.#projectId) this.#ended(jobId);
      }),
      api.on('job:failed', ({ jobId, projectId, kind, error }) => {
        if (kind !== 'realign' || projectId !== this.#projectId) return;
        this.#ended(jobId);
        // Cancelled: by hand, or superseded by a newer edit (whose job re-aligns this one's part too).
        if (error.code !== 'cancelled') this.#error = `Re-alignment failed: ${error.message}`;
      }),
    ];
  }

  #started(jobId: string): void {
    if (!this.#finished.includes(jobId)) this.#running.add(jobId);
  }

  #ended(jobId: string): void {
    this.#finished = [...this.#finished.slice(-(FINISHED_KEPT - 1)), jobId];
    this.#running.delete(jobId);
  }

  /** Corrections and undo/redo state (null until loaded). */
  get state(): CorrectionsState | null {
    return this.#state;
  }
  /** Low-confidence regions still to review. */
  get regions(): ReviewRegion[] {
    return this.#regions;
  }
  /** True while a call to main runs. */
  get busy(): boolean {
    return this.#busy;
  }
  /** True while main re-aligns after an edit (edits may still be made: the newest supersedes). */
  get realigning(): boolean {
    return this.#running.size > 0;
  }
  /** The last failure, for the panel. */
  get error(): string | null {
    return this.#error;
  }

  /** A neutral message about the last call (e.g. nothing to re-align). */
  get notice(): string | null {
    return this.#notice;
  }

  /** Loads project `projectId`'s corrections and review regions. */
  async load(projectId: number): Promise<void> {
    this.#projectId = projectId;
    this.#running.clear();
    this.#finished = [];
    await this.refresh();
  }

  /** Re-fetches from main. */
  async refresh(): Promise<void> {
    const id = this.#projectId;
    if (id === null) return;
    try {
      const [state, regions] = await Promise.all([
        this.#api.corrections.get(id),
        this.#api.review.regions(id),
      ]);
      if (id !== this.#projectId) return;
      this.#state = state;
      // A re-alignment main runs (one resumed on opening included) shows as for an edit.
      if (state.realignJobId) this.#started(state.realignJobId);
      this.#regions = regions;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  async #run(fn: (id: number) => Promise<unknown>): Promise<boolean> {
    const id = this.#projectId;
    if (id === null || this.#busy) return false;
    this.#busy = true;
    this.#error = null;
    this.#notice = null;
    try {
      const out = await fn(id);
      if (out && typeof out === 'object' && 'state' in out) {
        const edit = out as EditOutcome;
        this.#state = edit.state;
        if (edit.jobId && id === this.#projectId) this.#started(edit.jobId);
      } else if (out && typeof out === 'object' && 'corrections' in out)
        this.#state = out as CorrectionsState;
      return true;
    } catch (e) {
      this.#error = errorMessage(e);
      return false;
    } finally {
      this.#busy = false;
      await this.refresh();
    }
  }

  /** Logs and applies `op` (main re-aligns around it). */
  apply(op: EditOp): Promise<boolean> {
    return this.#run((id) => this.#api.corrections.apply(id, op));
  }

  /** From `perfTime` on, the performance continues at score time `toScoreTime`. */
  insertJump(perfTime: number, toScoreTime: number): Promise<boolean> {
    return this.apply({ type: 'insert-jump', jump: { id: newId('jump'), perfTime, toScoreTime } });
  }

  /** Pins `perfTime` to `scoreTime`. */
  addAnchor(place: AnchorPlace, source: 'drag' | 'tap' | 'note-key' = 'note-key'): Promise<boolean> {
    return this.apply({ type: 'add-anchor', anchor: { id: newId('anchor'), ...place, source } });
  }

  /** Marks [perfStart, perfEnd] as `kind`. */
  markRegion(kind: RegionKind, perfStart: number, perfEnd: number): Promise<boolean> {
    const [a, b] = perfStart <= perfEnd ? [perfStart, perfEnd] : [perfEnd, perfStart];
    return this.apply({ type: 'mark-region', region: { id: newId(kind), perfStart: a, perfEnd: b, kind } });
  }

  /** Deletes a correction (an undoable op). */
  remove(op: EditOp): Promise<boolean> {
    return this.apply(op);
  }

  /** Undoes the last op. */
  undo(): Promise<boolean> {
    if (!this.#state?.canUndo) return Promise.resolve(false);
    return this.#run((id) => this.#api.corrections.undo(id));
  }

  /** Redoes the next undone op. */
  redo(): Promise<boolean> {
    if (!this.#state?.canRedo) return Promise.resolve(false);
    return this.#run((id) => this.#api.corrections.redo(id));
  }

  /** Re-aligns the whole recording under all corrections; says so when main had nothing to re-align (the current version stays). */
  realign(): Promise<boolean> {
    return this.#run(async (id) => {
      const out = await this.#api.corrections.realign(id);
      if (out.jobId === null)
        this.#notice =
          'Nothing to re-align: there are no anchors, jumps or marked regions, so the current version stays.';
      return out;
    });
  }

  /** Stops the running re-alignment (the corrections stay; the next edit or Re-align re-aligns them). */
  async cancelRealign(): Promise<void> {
    try {
      await Promise.all([...this.#running].map((jobId) => this.#api.job.cancel(jobId)));
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  /** Makes version `alignmentId` current again. */
  restore(alignmentId: number): Promise<boolean> {
    return this.#run((id) => this.#api.alignment.restore(id, alignmentId));
  }

  /** Asks main for an alignment file (open dialog) and imports it as a new version. */
  importFile(format: ImportFormat): Promise<boolean> {
    return this.#run(async (id) => {
      const path = await this.#api.dialog.open({ kind: 'alignment', title: 'Import an alignment' });
      if (path === null) return null;
      return this.#api.alignment.import(id, format, path);
    });
  }

  /** Clears the error and the notice. */
  dismiss(): void {
    this.#error = null;
    this.#notice = null;
  }

  /** Forgets the project and stops listening to main. */
  destroy(): void {
    for (const off of this.#off.splice(0)) off();
    this.#projectId = null;
  }
}
