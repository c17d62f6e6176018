/**
 * Hand corrections of a project: the persisted undo/redo log (`edits` + `edit_cursor`), constrained
 * re-alignment after each op (`shared/edit` `realignLocal`, run in a worker thread; main only
 * writes the result) stored as `edited` alignment versions,
 * exact path restore on undo/redo (each logged op remembers the versions before and after it),
 * version restore, alignment import and the review list.
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
import type { Features } from '../../shared/dsp/features.js';
import { scoreNoteAwareFeatures } from '../engine/features.js';
import { FEATURE_PARAMS, HOP_SECONDS } from '../../shared/dsp/params.js';
import type { AlignmentPath } from '../../shared/path.js';
import { scoreTimeAt } from '../../shared/path.js';
import type { Score } from '../../shared/score.js';
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
import type { Emit, TaskRunner } from './jobs.js';
import type { ProjectService } from './projects.js';

/** What `CorrectionService` needs. */
export interface CorrectionServiceDeps {
  db: Db;
  projects: ProjectService;
  emit: Emit;
  /** Runs the re-alignments (worker threads). */
  runner: TaskRunner;
}

interface EditRow {
  seq: number;
  op: string;
  inverse: string;
  alignment_before: number | null;
  alignment_after: number | null;
}

/**
 * `path` resampled onto `frames` frames of `hopSeconds` (re-alignment needs one path frame per
 * feature frame); returned as is when it already fits.
 */
export function pathOnGrid(path: AlignmentPath, frames: number, hopSeconds: number): AlignmentPath {
  if (path.scoreTime.length === frames && Math.abs(path.hopSeconds - hopSeconds) < 1e-12) return path;
  const n = path.scoreTime.length;
  const scoreTime = new Float64Array(frames);
  const confidence = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const t = f * hopSeconds;
    scoreTime[f] = scoreTimeAt(path, t);
    confidence[f] = n ? path.confidence[Math.min(n - 1, Math.max(0, Math.round(t / path.hopSeconds)))] : 0;
  }
  const jumpFrames = [
    ...new Set(
      path.jumpFrames
        .map((j) => Math.round((j * path.hopSeconds) / hopSeconds))
        .filter((j) => j > 0 && j < frames),
    ),
  ].sort((a, b) => a - b);
  const out: AlignmentPath = { hopSeconds, scoreTime, confidence, jumpFrames, method: path.method };
  if (path.modelVersion) out.modelVersion = path.modelVersion;
  return out;
}

/**
 * `f` with its arrays in shared memory: the features are kept and sent to a worker with every edit,
 * and copying them each time stalls the main thread (~60 ms for a 10-minute recording).
 */
function inSharedMemory(f: Features): Features {
  const share = (a: Float32Array): Float32Array => {
    const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  const out: Features = { ...f, chroma: share(f.chroma), onset: share(f.onset), energy: share(f.energy) };
  if (f.notes) out.notes = share(f.notes);
  return out;
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
  /** Per-project queue: edits of one project run one after another. */
  readonly #queues = new Map<number, Promise<unknown>>();
  /** Score features by project id + score sha256. */
  readonly #scoreFeatures = new Map<string, { features: Features; score: Score }>();
  /** Recording features by project id + recording sha256 + feature version. */
  readonly #perfFeatures = new Map<string, Features>();

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

  #stateOf(s: HistoryState): CorrectionsState {
    const { entries, cursor } = s.history;
    return {
      corrections: s.corrections,
      entries: entries.length,
      cursor,
      canUndo: cursor > 0,
      canRedo: cursor < entries.length,
    };
  }

  #latest(id: number): AlignmentRecord {
    const latest = this.#d.projects.listAlignments(id)[0];
    if (!latest)
      throw new AccordError(
        'not-found',
        `project ${id} has no alignment to correct: run the alignment first`,
      );
    return this.#d.projects.getAlignment(latest.id);
  }

  async #inputs(id: number): Promise<{ perf: Features; score: Features; jumpPoints: number[] }> {
    const summary = this.#d.projects.summary(id);
    const score = await this.#d.projects.score(id);
    const key = `${id}|${summary.scoreName}|${score.notes.length}|${score.duration}`;
    let sf = this.#scoreFeatures.get(key);
    if (!sf) {
      sf = { features: inSharedMemory(scoreNoteAwareFeatures(score.notes, score.duration)), score };
      this.#scoreFeatures.clear();
      this.#scoreFeatures.set(key, sf);
    }
    // Read from the database (and unpacked) once per recording, not on every edit.
    const rec = this.#d.db.prepare('SELECT sha256 FROM recordings WHERE project_id = ?').get(id) as
      { sha256: string } | undefined;
    const perfKey = `${id}|${rec?.sha256}|${FEATURE_PARAMS.version}`;
    let perf = this.#perfFeatures.get(perfKey);
    if (!perf) {
      perf = inSharedMemory(await this.#d.projects.editFeatures(id));
      this.#perfFeatures.clear();
      this.#perfFeatures.set(perfKey, perf);
    }
    return { perf, score: sf.features, jumpPoints: score.jumpPoints };
  }

  /**
   * `base` re-aligned under `corrections` in a worker: around `span` (`realignLocal`), or the whole
   * recording when `span` is null (`realignAll`). Writes nothing.
   */
  async #realign(
    id: number,
    base: AlignmentPath,
    corrections: HistoryState['corrections'],
    span: EditSpan | null,
  ): Promise<AlignmentPath> {
    const { perf, score, jumpPoints } = await this.#inputs(id);
    return this.#d.runner.run({
      task: 'realign',
      perf,
      score,
      path: pathOnGrid(base, perf.frames, perf.hopSeconds),
      corrections,
      span,
      jumpPointsSeconds: jumpPoints,
    });
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

  /** The corrections and undo/redo state. */
  get(id: number): CorrectionsState {
    return this.#stateOf(this.#load(id));
  }

  /** Logs `op`, re-aligns around it under all corrections and stores an `edited` version (none when the path cannot change, e.g. a `checked` mark). */
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
      const span = editSpan(op);
      let path: AlignmentPath | null = null;
      if (span) path = await this.#realign(id, before.path, next.corrections, span);
      // The new version, the log entry and the cursor are written together or not at all.
      const afterId = this.#d.db.transaction(() => {
        this.#expectLog(id, state);
        const after = path ? this.#store(id, path, 'edited', before.id, next.corrections).id : before.id;
        this.#writeLog(
          id,
          state.history.cursor,
          op,
          next.history.entries[next.history.cursor - 1].inverse,
          before.id,
          after,
        );
        return after;
      })();
      this.#changed(id);
      return { state: this.#stateOf(next), alignment: this.#d.projects.getAlignment(afterId) };
    });
  }

  #writeLog(
    id: number,
    cursor: number,
    op: EditOp,
    inverse: EditOp,
    beforeId: number,
    afterId: number,
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
   * Shows alignment `targetId` again as a new version (exact copy of its path, same kind), unless
   * it is already what the latest version shows; falls back to re-aligning around `op` when the
   * target version was deleted. Returns the write, to run in the transaction that moves the cursor.
   */
  async #show(
    id: number,
    targetId: number | null,
    corrections: HistoryState['corrections'],
    op: EditOp,
  ): Promise<() => AlignmentRecord | null> {
    if (this.#d.projects.listAlignments(id).length === 0) return () => null;
    const latest = this.#latest(id);
    if (targetId !== null && targetId === latest.id) return () => latest;
    if (targetId !== null) {
      const target = this.#d.projects.getAlignment(targetId);
      return () =>
        this.#d.projects.getAlignment(this.#store(id, target.path, target.kind, target.id, corrections).id);
    }
    const span = editSpan(op);
    if (!span) return () => latest;
    const path = await this.#realign(id, latest.path, corrections, span);
    return () => this.#d.projects.getAlignment(this.#store(id, path, 'edited', latest.id, corrections).id);
  }

  /** Runs `show` and moves the cursor to `position` in one transaction. */
  #moveCursor(
    id: number,
    state: { rows: EditRow[]; rawCursor: number },
    show: () => AlignmentRecord | null,
    position: number,
  ): AlignmentRecord | null {
    return this.#d.db.transaction(() => {
      this.#expectLog(id, state);
      const alignment = show();
      this.#setCursor(id, position);
      return alignment;
    })();
  }

  /** Undoes the last op; the version shown before it comes back exactly. */
  undo(id: number): Promise<EditOutcome> {
    return this.#serial(id, async () => {
      const state = this.#load(id);
      const u = undo(state);
      if (!u) throw new AccordError('not-found', `project ${id} has no edit to undo`);
      const row = state.rows[state.history.cursor - 1];
      const show = await this.#show(id, row.alignment_before, u.corrections, u.applied);
      const alignment = this.#moveCursor(id, state, show, u.history.cursor);
      this.#changed(id);
      return { state: this.#stateOf(u), alignment };
    });
  }

  /** Redoes the next undone op; the version it made comes back exactly. */
  redo(id: number): Promise<EditOutcome> {
    return this.#serial(id, async () => {
      const state = this.#load(id);
      const r = redo(state);
      if (!r) throw new AccordError('not-found', `project ${id} has no undone edit to redo`);
      const row = state.rows[state.history.cursor];
      const show = await this.#show(id, row.alignment_after, r.corrections, r.applied);
      const alignment = this.#moveCursor(id, state, show, r.history.cursor);
      this.#changed(id);
      return { state: this.#stateOf(r), alignment };
    });
  }

  /**
   * Re-aligns the whole recording under all corrections (free pass ends snap to the score's jump
   * points). Without a correction that constrains the path (anchors, jumps, regions other than
   * `checked`) there is nothing to re-align: the latest version is returned and none is stored.
   */
  realign(id: number): Promise<EditOutcome> {
    return this.#serial(id, async () => {
      const state = this.#load(id);
      const latest = this.#latest(id);
      const c = state.corrections;
      if (c.anchors.length === 0 && c.jumps.length === 0 && c.regions.every((r) => r.kind === 'checked'))
        return { state: this.#stateOf(state), alignment: latest };
      const path = await this.#realign(id, latest.path, state.corrections, null);
      const s = this.#store(id, path, 'edited', latest.id, state.corrections);
      this.#changed(id);
      return { state: this.#stateOf(state), alignment: this.#d.projects.getAlignment(s.id) };
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
      const s = this.#d.db.transaction(() => {
        this.#expectLog(id, state);
        const stored = this.#store(id, target.path, target.kind, target.id, next.corrections);
        this.#writeLog(
          id,
          state.history.cursor,
          op,
          next.history.entries[next.history.cursor - 1].inverse,
          latest.id,
          stored.id,
        );
        return stored;
      })();
      this.#changed(id);
      return Promise.resolve({ state: this.#stateOf(next), alignment: this.#d.projects.getAlignment(s.id) });
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
    const s = this.#d.projects.addAlignment(
      id,
      pathOnGrid(path, frames, HOP_SECONDS),
      'imported',
      latest?.id,
    );
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
      return Promise.resolve(this.#stateOf(next));
    });
  }
}
