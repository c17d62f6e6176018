import type { AccordApi } from '../lib/api';
import { errorMessage } from '../lib/api';
import type { CorrectionsState, EditOutcome } from '../../../shared/ipc';
import type { AnchorPlace, EditOp, RegionKind, ReviewRegion } from '../../../shared/edit/index';
import type { ImportFormat } from '../../../shared/formats/common';

let seq = 0;
/** A fresh id for an anchor, jump or region. */
export function newId(prefix: string): string {
  seq += 1;
  return `${prefix}-${Date.now().toString(36)}-${seq}`;
}

/** The open project's hand corrections: a cache of main's state, plus the calls that change it. */
export class CorrectionsEditor {
  #state = $state.raw<CorrectionsState | null>(null);
  #regions = $state.raw<ReviewRegion[]>([]);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);
  #projectId: number | null = null;
  #api: AccordApi;
  #off: () => void;

  constructor(api: AccordApi) {
    this.#api = api;
    this.#off = api.on('project:changed', ({ projectId }) => {
      if (projectId === this.#projectId && !this.#busy) void this.refresh();
    });
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
      this.#regions = regions;
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  async #run(fn: (id: number) => Promise<EditOutcome | CorrectionsState | unknown>): Promise<boolean> {
    const id = this.#projectId;
    if (id === null || this.#busy) return false;
    this.#busy = true;
    this.#error = null;
    this.#notice = null;
    try {
      const out = await fn(id);
      if (out && typeof out === 'object' && 'state' in out) this.#state = (out as EditOutcome).state;
      else if (out && typeof out === 'object' && 'corrections' in out) this.#state = out as CorrectionsState;
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

  /** Re-aligns the whole recording under all corrections; says so when main had nothing to re-align (the version `currentId` stays). */
  realign(currentId?: number): Promise<boolean> {
    return this.#run(async (id) => {
      const out = await this.#api.corrections.realign(id);
      if (currentId !== undefined && out.alignment?.id === currentId)
        this.#notice =
          'Nothing to re-align: there are no anchors, jumps or marked regions, so the current version stays.';
      return out;
    });
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
    this.#off();
    this.#projectId = null;
  }
}
