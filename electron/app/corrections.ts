/**
 * Hand corrections of a project: the persisted undo/redo log (`edits` + `edit_cursor`), constrained
 * re-alignment after each op as a `realign` job (`shared/edit` `realignLocal`, run in the edit
 * worker; main only writes the op first and the result last) stored as `edited` alignment versions,
 * exact path restore on undo/redo (each logged op remembers the versions before and after it),
 * version restore, alignment import and the review list.
 *
 * Every op is saved before its re-alignment starts. A newer op of the same project supersedes a
 * re-alignment still running (it is cancelled and its result never stored); the new job re-aligns
 * around the superseded spans too, so the latest version always comes to reflect every op. The
 * spans still to re-align are kept in `projects.realign_pending`, written with the op and cleared
 * with the version that reflects it: a re-alignment a quit or crash interrupted is resumed when
 * the project is opened again (`resume`).
 */
import { promises as fs } from 'node:fs';
import {
  AccordError,
  type AlignmentRecord,
  type AlignmentSummary,
  type CorrectionsState,
  type EditOutcome,
} from '../../shared/ipc.js';
import type { ImportFormat } from '../../shared/formats/index.js';
import { importAlignment } from '../../shared/formats/index.js';
import { HOP_SECONDS } from '../../shared/dsp/params.js';
import type { AlignmentPath } from '../../shared/path.js';
import {
  editSpan,
  emptyCorrections,
  record,
  redo,
  regionsToReview,
  undo,
  apply as applyOp,
  type EditHistory,
  type EditOp,
  type EditSpan,
  type HistoryState,
  type ReviewRegion,
} from '../../shared/edit/index.js';
import type { Db } from './db/database.js';
import type { Emit, JobService } from './jobs.js';
import type { ProjectService } from './projects.js';
import type { AlignmentJobResult } from '../../shared/ipc.js';
import type { Realigner } from './realigner.js';
import { pathOnGrid } from './workers/grid.js';

export { pathOnGrid } from './workers/grid.js';

/** What `CorrectionService` needs. */
export interface CorrectionServiceDeps {
  db: Db;
  projects: ProjectService;
  emit: Emit;
  /** Where the re-alignments run as `realign` jobs. */
  jobs: JobService;
  /** Runs the re-alignments (the edit worker). */
  realigner: Realigner;
}

/** A project's re-alignment state (this session). */
interface Lane {
  /** Spans the latest version does not reflect yet, oldest first (null: the whole recording); mirrors `projects.realign_pending`. */
  pending: (EditSpan | null)[];
  /** The running `realign` job, if any. */
  jobId: string | null;
  /** The pending spans were left by an earlier session and no job of this one has taken them up yet. */
  left: boolean;
}

/** True for a finite number. */
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** True for an `EditSpan` as stored (`{ perfTime }` or `{ perfStart, perfEnd }`) or null (the whole recording). */
function isPendingSpan(v: unknown): v is EditSpan | null {
  if (v === null) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  return (
    (keys === 'perfTime' && isTime(o.perfTime)) ||
    (keys === 'perfEnd,perfStart' && isTime(o.perfStart) && isTime(o.perfEnd))
  );
}

/**
 * The spans of `projects.realign_pending` (`text`). A value this build cannot read re-aligns the
 * whole recording, which reflects every op whatever the spans were.
 */
export function parsePending(text: string | null): (EditSpan | null)[] {
  if (text === null) return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return [null];
  }
  return Array.isArray(v) && v.length > 0 && v.every(isPendingSpan) ? v : [null];
}

/** The `cancelled` message of a re-alignment a newer edit replaced. */
export const SUPERSEDED = 'superseded by a newer edit of the project';

interface EditRow {
  seq: number;
  op: string;
  inverse: string;
  alignment_before: number | null;
  alignment_after: number | null;
}

/**
 * A parser's error message without what it quoted from the file (", got …" and anything else the
 * file contains), so an import error never reads a file out to the renderer.
 */
export function withoutContents(message: string, text: string): string {
  let m = message.replace(/,? got [\s\S]*$/, '').replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '…');
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.length >= 3 && m.includes(t)) m = m.split(t).join('…');
  }
  return m;
}

/** The operations behind the `corrections:*`, `alignment:versions|restore|import` and `review:*` channels. */
export class CorrectionService {
  readonly #d: CorrectionServiceDeps;
  /** Per-project queue: edits of one project are logged one after another. */
  readonly #queues = new Map<number, Promise<unknown>>();
  readonly #lanes = new Map<number, Lane>();
  /** The latest version of each project edited, path included (versions never change): an edit neither reads nor decodes it again. */
  readonly #kept = new Map<number, AlignmentRecord>();

  constructor(deps: CorrectionServiceDeps) {
    this.#d = deps;
  }

  #serial<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return next;
  }

  #rows(id: number): EditRow[] {
    return this.#d.db
      .prepare(
        'SELECT seq, op, inverse, alignment_before, alignment_after FROM edits WHERE project_id = ? ORDER BY seq',
      )
      .all(id) as EditRow[];
  }

  /**
   * Throws `busy` when the log is no longer what `state` was loaded from: an edit must never be
   * written from a stale cursor (it would drop the entries written meanwhile).
   */
  #expectLog(id: number, state: { rows: EditRow[]; rawCursor: number }): void {
    const r = this.#d.db
      .prepare('SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS last FROM edits WHERE project_id = ?')
      .get(id) as { n: number; last: number };
    const cursor = this.#cursor(id);
    const last = state.rows.length ? state.rows[state.rows.length - 1].seq : 0;
    if (r.n !== state.rows.length || r.last !== last || cursor !== state.rawCursor) {
      throw new AccordError(
        'busy',
        `project ${id}'s edit log changed while this edit was computed (expected ${state.rows.length} entries at position ${state.rawCursor}, found ${r.n} at ${cursor}): reopen the project and try again`,
      );
    }
  }

  #cursor(id: number): number {
    const r = this.#d.db.prepare('SELECT position FROM edit_cursor WHERE project_id = ?').get(id) as
      { position: number } | undefined;
    return r?.position ?? 0;
  }

  /** The log and the corrections it leads to (replayed from the stored ops). */
  #load(id: number): HistoryState & { rows: EditRow[]; rawCursor: number } {
    this.#d.projects.summary(id);
    const rows = this.#rows(id);
    const rawCursor = this.#cursor(id);
    const cursor = Math.min(rawCursor, rows.length);
    let at = 0;
    try {
      const history: EditHistory = {
        entries: rows.map((r, k) => {
          at = k;
          return { op: JSON.parse(r.op) as EditOp, inverse: JSON.parse(r.inverse) as EditOp };
        }),
        cursor,
      };
      let corrections = emptyCorrections();
      for (at = 0; at < cursor; at++) corrections = applyOp(corrections, history.entries[at].op);
      return { history, corrections, rows, rawCursor };
    } catch (err) {
      throw new AccordError(
        'internal',
        `project ${id}'s edit log is damaged at entry ${rows[at]?.seq ?? at + 1} of ${rows.length}: ${(err as Error).message}`,
      );
    }
  }

  #stateOf(id: number, s: HistoryState): CorrectionsState {
    const { entries, cursor } = s.history;
    return {
      corrections: s.corrections,
      entries: entries.length,
      cursor,
      canUndo: cursor > 0,
      canRedo: cursor < entries.length,
      realignJobId: this.#lanes.get(id)?.jobId ?? null,
    };
  }

  #latest(id: number): AlignmentRecord {
    const latest = this.#d.projects.listAlignments(id)[0];
    if (!latest)
      throw new AccordError(
        'not-found',
        `project ${id} has no alignment to correct: run the alignment first`,
      );
    const kept = this.#kept.get(id);
    if (kept?.id === latest.id) return kept;
    const record = this.#d.projects.getAlignment(latest.id);
    this.#kept.set(id, record);
    return record;
  }

  #lane(id: number): Lane {
    let lane = this.#lanes.get(id);
    if (!lane) {
      const row = this.#d.db.prepare('SELECT realign_pending AS p FROM projects WHERE id = ?').get(id) as
        { p: string | null } | undefined;
      const pending = parsePending(row?.p ?? null);
      lane = { pending, jobId: null, left: pending.length > 0 };
      this.#lanes.set(id, lane);
    }
    return lane;
  }

  /** Records `pending` as the project's spans still to re-align (in the caller's transaction, if any). */
  #savePending(id: number, pending: (EditSpan | null)[]): void {
    this.#d.db
      .prepare('UPDATE projects SET realign_pending = ? WHERE id = ?')
      .run(pending.length ? JSON.stringify(pending) : null, id);
  }

  /**
   * Resumes a re-alignment an earlier session left pending (the app quit or crashed before its
   * version was stored), once per session, when the project is opened; returns its job id, or
   * null when none was left. The job is the one an edit would have started: the latest version
   * re-aligned around every pending span under the current corrections.
   */
  resume(id: number): string | null {
    const lane = this.#lane(id);
    if (!lane.left || lane.jobId || lane.pending.length === 0) return null;
    if (this.#d.projects.listAlignments(id).length === 0) {
      lane.left = false;
      return null;
    }
    return this.#restart(id);
  }

  /**
   * Cancels the project's running re-alignment (its result is never stored) and, when spans are
   * pending, starts one over all of them on the latest version under the current corrections.
   * Called right after the log changed, in the same turn. Returns the new job's id.
   */
  #restart(id: number): string | null {
    const lane = this.#lane(id);
    if (lane.jobId) this.#d.jobs.cancel(lane.jobId, SUPERSEDED);
    lane.jobId = null;
    lane.left = false;
    if (lane.pending.length === 0) return null;
    const spans = [...lane.pending];
    let jobId = '';
    jobId = this.#d.jobs.start(
      id,
      async (signal, onProgress) => {
        try {
          return await this.#realignJob(id, spans, signal, onProgress);
        } finally {
          if (lane.jobId === jobId) lane.jobId = null;
        }
      },
      'realign',
    );
    lane.jobId = jobId;
    return jobId;
  }

  /** A `realign` job: re-aligns the latest version around `spans` in the edit worker and stores it as an `edited` version. */
  async #realignJob(
    id: number,
    spans: (EditSpan | null)[],
    signal: AbortSignal,
    onProgress: (stage: string, fraction: number) => void,
  ): Promise<AlignmentJobResult> {
    onProgress('queued', 0);
    const t0 = performance.now();
    const state = this.#load(id);
    const base = this.#latest(id);
    const { path, workerMs } = await this.#d.realigner.run(
      { key: this.#d.projects.editInputsKey(id), path: base.path, corrections: state.corrections, spans },
      { signal, onProgress, inputs: () => this.#d.projects.editInputs(id) },
    );
    signal.throwIfAborted();
    onProgress('saving', 1);
    const stored = this.#d.db.transaction(() => {
      this.#expectLog(id, state);
      const latest = this.#d.projects.listAlignments(id)[0];
      if (latest?.id !== base.id)
        throw new AccordError(
          'busy',
          `project ${id}'s latest alignment changed while re-aligning (expected version ${base.version}, found ${latest?.version ?? 'none'}): re-align again`,
        );
      const s = this.#store(id, path, 'edited', base.id, state.corrections);
      this.#savePending(id, []);
      // The op this version answers now has an exact version after it (undo/redo restore it).
      const last = state.rows[state.history.cursor - 1];
      if (last)
        this.#d.db
          .prepare(
            'UPDATE edits SET alignment_after = ? WHERE project_id = ? AND seq = ? AND alignment_after IS NULL',
          )
          .run(s.id, id, last.seq);
      return s;
    })();
    this.#kept.set(id, { ...stored, path });
    // Stored: no later edit may cancel this job any more.
    const lane = this.#lane(id);
    lane.pending = [];
    lane.jobId = null;
    this.#changed(id);
    return {
      alignmentId: stored.id,
      version: stored.version,
      timings: { worker: Math.round(workerMs), total: Math.round(performance.now() - t0) },
      warnings: [],
    };
  }

  #store(
    id: number,
    path: AlignmentPath,
    kind: AlignmentRecord['kind'],
    parentId: number,
    corrections: HistoryState['corrections'],
  ): AlignmentSummary {
    return this.#d.projects.addAlignment(id, path, kind, parentId, corrections);
  }

  #changed(id: number): void {
    this.#d.emit('project:changed', { projectId: id });
  }

  /**
   * Refuses an op that places an anchor, a jump or a mark outside the project: performance times
   * within the recording, score times within the score, with the range expected and what came.
   */
  async #checkBounds(id: number, op: EditOp): Promise<void> {
    const perfEnd = this.#d.projects.summary(id).durationSeconds;
    const check = (value: number, end: number, what: string, within: string): void => {
      if (value < 0 || value > end + 1e-6) {
        throw new AccordError(
          'invalid-argument',
          `${what}: expected a time within the ${within} (0–${end.toFixed(3)} s), got ${value}`,
        );
      }
    };
    const perf = (v: number, what: string): void => check(v, perfEnd, what, 'recording');
    let scoreEnd: number | undefined;
    const score = async (v: number, what: string): Promise<void> => {
      scoreEnd ??= (await this.#d.projects.score(id)).duration;
      check(v, scoreEnd, what, 'score');
    };
    switch (op.type) {
      case 'add-anchor':
        perf(op.anchor.perfTime, 'anchor.perfTime');
        await score(op.anchor.scoreTime, 'anchor.scoreTime');
        break;
      case 'move-anchor':
        perf(op.to.perfTime, 'anchor.perfTime');
        await score(op.to.scoreTime, 'anchor.scoreTime');
        break;
      case 'insert-jump':
        perf(op.jump.perfTime, 'jump.perfTime');
        await score(op.jump.toScoreTime, 'jump.toScoreTime');
        break;
      case 'move-jump':
        perf(op.to.perfTime, 'jump.perfTime');
        await score(op.to.toScoreTime, 'jump.toScoreTime');
        break;
      case 'mark-region':
        perf(op.region.perfStart, 'region.perfStart');
        perf(op.region.perfEnd, 'region.perfEnd');
        break;
      default:
        break;
    }
  }

  /** The corrections and undo/redo state; the first read of a session resumes a re-alignment an earlier one left pending (`resume`). */
  get(id: number): CorrectionsState {
    const state = this.#load(id);
    this.resume(id);
    return this.#stateOf(id, state);
  }

  /**
   * Logs `op` (saved at once), then re-aligns around it under all corrections in a `realign` job
   * that stores an `edited` version (no job when the path cannot change, e.g. a `checked` mark).
   */
  apply(id: number, op: EditOp): Promise<EditOutcome> {
    return this.#serial(id, async () => {
      await this.#checkBounds(id, op);
      const state = this.#load(id);
      let next: HistoryState;
      try {
        next = record(state, op);
      } catch (err) {
        throw new AccordError('invalid-argument', (err as Error).message);
      }
      const before = this.#latest(id);
      const lane = this.#lane(id);
      const span = editSpan(op);
      // Versions link to the op only when they show exactly its corrections: the latest does
      // before it when nothing is pending; it does after it too when the op changes no path.
      const exact = lane.pending.length === 0;
      const pending = span ? [...lane.pending, span] : lane.pending;
      this.#d.db.transaction(() => {
        this.#expectLog(id, state);
        this.#writeLog(
          id,
          state.history.cursor,
          op,
          next.history.entries[next.history.cursor - 1].inverse,
          exact ? before.id : null,
          exact && !span ? before.id : null,
        );
        // The path is stale from this op on, until a version reflects it (even across a restart).
        if (span) this.#savePending(id, pending);
      })();
      lane.pending = pending;
      const jobId = lane.pending.length ? this.#restart(id) : null;
      this.#changed(id);
      return { state: this.#stateOf(id, next), alignment: before, jobId };
    });
  }

  #writeLog(
    id: number,
    cursor: number,
    op: EditOp,
    inverse: EditOp,
    beforeId: number | null,
    afterId: number | null,
  ): void {
    const db = this.#d.db;
    db.prepare('DELETE FROM edits WHERE project_id = ? AND seq > ?').run(id, cursor);
    db.prepare(
      'INSERT INTO edits (project_id, seq, op, inverse, created_at, alignment_before, alignment_after) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(id, cursor + 1, JSON.stringify(op), JSON.stringify(inverse), Date.now(), beforeId, afterId);
    this.#setCursor(id, cursor + 1);
  }

  #setCursor(id: number, position: number): void {
    this.#d.db
      .prepare(
        'INSERT INTO edit_cursor (project_id, position) VALUES (?, ?) ON CONFLICT (project_id) DO UPDATE SET position = excluded.position',
      )
      .run(id, position);
    this.#d.db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(Date.now(), id);
  }

  /**
   * Moves the log's cursor to where `h` stands and shows the version `targetId` again, exactly
   * (a new version with a copy of its path, unless it is the latest). Without that version (none
   * was linked, or it was deleted) the latest stays and a `realign` job re-aligns around the op
   * `h` applied (the whole recording for a restore).
   */
  #step(
    id: number,
    state: HistoryState & { rows: EditRow[]; rawCursor: number },
    h: HistoryState & { applied: EditOp },
    targetId: number | null,
  ): EditOutcome {
    const lane = this.#lane(id);
    const moved = (show: () => AlignmentRecord | null): AlignmentRecord | null =>
      this.#d.db.transaction(() => {
        this.#expectLog(id, state);
        const alignment = show();
        this.#setCursor(id, h.history.cursor);
        return alignment;
      })();
    if (this.#d.projects.listAlignments(id).length === 0) {
      moved(() => null);
      this.#changed(id);
      return { state: this.#stateOf(id, h), alignment: null, jobId: null };
    }
    const latest = this.#latest(id);
    const target = targetId === null ? null : this.#d.projects.getAlignment(targetId);
    let alignment: AlignmentRecord | null;
    if (target) {
      alignment = moved(() => {
        this.#savePending(id, []);
        return target.id === latest.id
          ? latest
          : this.#d.projects.getAlignment(
              this.#store(id, target.path, target.kind, target.id, h.corrections).id,
            );
      });
      lane.pending = [];
    } else {
      const span = editSpan(h.applied);
      const pending = span || h.applied.type === 'restore-version' ? [...lane.pending, span] : lane.pending;
      alignment = moved(() => {
        this.#savePending(id, pending);
        return latest;
      });
      lane.pending = pending;
    }
    const jobId = this.#restart(id);
    this.#changed(id);
    return { state: this.#stateOf(id, h), alignment, jobId };
  }

  /** Undoes the last op; the version shown before it comes back exactly. */
  undo(id: number): Promise<EditOutcome> {
    return this.#serial(id, () => {
      const state = this.#load(id);
      const u = undo(state);
      if (!u) throw new AccordError('not-found', `project ${id} has no edit to undo`);
      const row = state.rows[state.history.cursor - 1];
      return Promise.resolve(this.#step(id, state, u, row.alignment_before));
    });
  }

  /** Redoes the next undone op; the version it made comes back exactly. */
  redo(id: number): Promise<EditOutcome> {
    return this.#serial(id, () => {
      const state = this.#load(id);
      const r = redo(state);
      if (!r) throw new AccordError('not-found', `project ${id} has no undone edit to redo`);
      const row = state.rows[state.history.cursor];
      return Promise.resolve(this.#step(id, state, r, row.alignment_after));
    });
  }

  /**
   * Re-aligns the whole recording under all corrections (free pass ends snap to the score's jump
   * points). Without a correction that constrains the path (anchors, jumps, regions other than
   * `checked`) there is nothing to re-align: the latest version is returned and none is stored.
   */
  realign(id: number): Promise<EditOutcome> {
    return this.#serial(id, () => {
      const state = this.#load(id);
      const latest = this.#latest(id);
      const lane = this.#lane(id);
      const c = state.corrections;
      if (
        lane.pending.length === 0 &&
        c.anchors.length === 0 &&
        c.jumps.length === 0 &&
        c.regions.every((r) => r.kind === 'checked')
      )
        return Promise.resolve({ state: this.#stateOf(id, state), alignment: latest, jobId: null });
      const pending = [...lane.pending, null];
      this.#savePending(id, pending);
      lane.pending = pending;
      const jobId = this.#restart(id);
      return Promise.resolve({ state: this.#stateOf(id, state), alignment: latest, jobId });
    });
  }

  /** Makes version `alignmentId` current again, with the corrections it was made under (none for automatic runs and imports); undoable. */
  restore(id: number, alignmentId: number): Promise<EditOutcome> {
    return this.#serial(id, () => {
      const target = this.#d.projects.getAlignment(alignmentId);
      if (target.projectId !== id)
        throw new AccordError(
          'invalid-argument',
          `alignment ${alignmentId} belongs to project ${target.projectId}, expected one of project ${id}`,
        );
      const state = this.#load(id);
      const latest = this.#latest(id);
      const op: EditOp = {
        type: 'restore-version',
        fromVersion: latest.version,
        toVersion: target.version,
        before: state.corrections,
        after: this.#d.projects.alignmentCorrections(alignmentId) ?? emptyCorrections(),
      };
      const next = record(state, op);
      const lane = this.#lane(id);
      const s = this.#d.db.transaction(() => {
        this.#expectLog(id, state);
        const stored = this.#store(id, target.path, target.kind, target.id, next.corrections);
        this.#writeLog(
          id,
          state.history.cursor,
          op,
          next.history.entries[next.history.cursor - 1].inverse,
          lane.pending.length === 0 ? latest.id : null,
          stored.id,
        );
        this.#savePending(id, []);
        return stored;
      })();
      // The restored version is exact: nothing is left to re-align.
      lane.pending = [];
      this.#restart(id);
      this.#changed(id);
      return Promise.resolve({
        state: this.#stateOf(id, next),
        alignment: this.#d.projects.getAlignment(s.id),
        jobId: null,
      });
    });
  }

  /** Reads an alignment file (`shared/formats`) onto the feature grid and stores it as an `imported` version. */
  async importFile(id: number, format: ImportFormat, filePath: string): Promise<AlignmentSummary> {
    const score = await this.#d.projects.score(id);
    const text = await fs.readFile(filePath, 'utf8');
    let path: AlignmentPath;
    try {
      path = importAlignment(format, text, score, HOP_SECONDS);
    } catch (err) {
      throw new AccordError(
        'invalid-argument',
        `${filePath}: ${withoutContents((err as Error).message, text)}`,
      );
    }
    const frames = Math.floor(this.#d.projects.summary(id).durationSeconds / HOP_SECONDS) + 1;
    const latest = this.#d.projects.listAlignments(id)[0];
    const s = this.#d.db.transaction(() => {
      this.#savePending(id, []);
      return this.#d.projects.addAlignment(id, pathOnGrid(path, frames, HOP_SECONDS), 'imported', latest?.id);
    })();
    // The imported path is what the project shows now: a re-alignment of the one before it is moot.
    this.#lane(id).pending = [];
    this.#restart(id);
    this.#changed(id);
    return s;
  }

  /** Low-confidence regions of the latest alignment not yet fully marked checked. */
  regions(id: number): ReviewRegion[] {
    const latest = this.#d.projects.listAlignments(id)[0];
    if (!latest) return [];
    return regionsToReview(this.#d.projects.getAlignment(latest.id).path, this.#load(id).corrections.regions);
  }

  /** Marks [perfStart, perfEnd] checked (a logged op; the path is unchanged). */
  async mark(id: number, perfStart: number, perfEnd: number): Promise<CorrectionsState> {
    const regionId = `checked-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const op: EditOp = { type: 'mark-region', region: { id: regionId, perfStart, perfEnd, kind: 'checked' } };
    await this.#checkBounds(id, op);
    const has = this.#d.projects.listAlignments(id).length > 0;
    if (has) return (await this.apply(id, op)).state;
    // Without an alignment there is no version to link: log the mark alone.
    return this.#serial(id, () => {
      const state = this.#load(id);
      const next = record(state, op);
      const db = this.#d.db;
      db.transaction(() => {
        this.#expectLog(id, state);
        db.prepare('DELETE FROM edits WHERE project_id = ? AND seq > ?').run(id, state.history.cursor);
        db.prepare('INSERT INTO edits (project_id, seq, op, inverse, created_at) VALUES (?, ?, ?, ?, ?)').run(
          id,
          state.history.cursor + 1,
          JSON.stringify(op),
          JSON.stringify(next.history.entries[state.history.cursor].inverse),
          Date.now(),
        );
        this.#setCursor(id, state.history.cursor + 1);
      })();
      this.#changed(id);
      return Promise.resolve(this.#stateOf(id, next));
    });
  }
}
