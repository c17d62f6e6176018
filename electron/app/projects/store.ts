/** The project tables in SQL: a project's row, its creation, copy, rename and removal, and its saved view and practice settings. */
import type { Stats } from 'node:fs';
import { basename } from 'node:path';
import {
  AccordError,
  type AlignmentKind,
  type PracticeSettings,
  type ViewState,
  checkPracticeSettings,
  checkViewState,
} from '../../../shared/ipc.js';
import type { AlignMethod } from '../../../shared/path.js';
import type { Db } from '../db/database.js';
import { float32ToBlob } from '../db/pathCodec.js';
import type { AnalyzeResult } from '../workers/protocol.js';

/** A project joined with its recording and score (`PROJECT_SELECT`). */
export interface ProjectRow {
  id: number;
  title: string;
  created_at: number;
  updated_at: number;
  last_error: string | null;
  rec_id: number;
  rec_path: string;
  rec_name: string;
  size_bytes: number;
  mtime_ms: number;
  rec_sha256: string;
  duration_seconds: number;
  sample_rate: number;
  channels: number;
  available: number;
  score_name: string;
  original_path: string;
  format: string;
  score_sha256: string;
  score_size: number;
  latest_kind: AlignmentKind | null;
}

/** A row of `alignments` without its path and corrections. */
export interface AlignmentRow {
  id: number;
  project_id: number;
  version: number;
  kind: AlignmentKind;
  method: AlignMethod;
  model_version: string | null;
  created_at: number;
  parent_id: number | null;
}

const PROJECT_SELECT = `
  SELECT p.id, p.title, p.created_at, p.updated_at, p.last_error,
         r.id AS rec_id, r.path AS rec_path, r.name AS rec_name, r.size_bytes, r.mtime_ms,
         r.sha256 AS rec_sha256, r.duration_seconds, r.sample_rate, r.channels, r.available,
         s.name AS score_name, s.original_path, s.format, s.sha256 AS score_sha256, length(s.bytes) AS score_size,
         (SELECT a.kind FROM alignments a WHERE a.project_id = p.id ORDER BY a.version DESC LIMIT 1) AS latest_kind
  FROM projects p JOIN recordings r ON r.project_id = p.id JOIN scores s ON s.project_id = p.id`;

/** The `not-found` error for a missing `what` id. */
export function notFound(what: string, id: number): AccordError {
  return new AccordError('not-found', `expected an existing ${what} id, got ${id}`);
}

/** One project's row (throws `not-found`). */
export function projectRow(db: Db, id: number): ProjectRow {
  const row = db.prepare(`${PROJECT_SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
  if (!row) throw notFound('project', id);
  return row;
}

/** Every project's row, last edited first. */
export function projectRows(db: Db): ProjectRow[] {
  return db.prepare(`${PROJECT_SELECT} ORDER BY p.updated_at DESC, p.id DESC`).all() as ProjectRow[];
}

/** Marks a project edited now. */
export function touchProject(db: Db, id: number): void {
  db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(Date.now(), id);
}

/** Records (or clears, with null) the error of a project's last alignment run. */
export function setLastError(db: Db, id: number, message: string | null): void {
  db.prepare('UPDATE projects SET last_error = ? WHERE id = ?').run(message, id);
}

/** What `insertProject` stores. */
export interface NewProject {
  title: string;
  recordingPath: string;
  recordingStat: Stats;
  analysis: AnalyzeResult;
  scorePath: string;
  scoreFormat: string;
  scoreSha256: string;
  scoreBytes: Uint8Array;
}

/** Inserts a project, its recording, its score's bytes and the recording's first peaks in one transaction; returns the project id. */
export function insertProject(db: Db, p: NewProject): number {
  const now = Date.now();
  const a = p.analysis;
  return db.transaction(() => {
    const pid = Number(
      db
        .prepare('INSERT INTO projects (title, created_at, updated_at) VALUES (?, ?, ?)')
        .run(p.title, now, now).lastInsertRowid,
    );
    const rid = Number(
      db
        .prepare(
          `INSERT INTO recordings (project_id, path, name, size_bytes, mtime_ms, sha256, duration_seconds, sample_rate, channels, available)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
        )
        .run(
          pid,
          p.recordingPath,
          basename(p.recordingPath),
          p.recordingStat.size,
          p.recordingStat.mtimeMs,
          a.sha256,
          a.durationSeconds,
          a.sampleRate,
          a.channels,
        ).lastInsertRowid,
    );
    db.prepare(
      'INSERT INTO scores (project_id, name, original_path, format, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(pid, basename(p.scorePath), p.scorePath, p.scoreFormat, p.scoreSha256, p.scoreBytes);
    db.prepare(
      'INSERT INTO peaks (recording_id, sha256, points_per_second, duration_seconds, data) VALUES (?, ?, ?, ?, ?)',
    ).run(rid, a.sha256, a.pointsPerSecond, a.durationSeconds, float32ToBlob(a.peaks));
    return pid;
  })();
}

/** Copies project `row` with everything it holds (alignments keep their versions and parents, the scan its pages and boxes); returns the new id. */
export function duplicateProject(db: Db, row: ProjectRow): number {
  const id = row.id;
  return db.transaction(() => {
    const now = Date.now();
    const pid = Number(
      db
        .prepare('INSERT INTO projects (title, created_at, updated_at, last_error) VALUES (?, ?, ?, ?)')
        .run(`${row.title} (copy)`, now, now, row.last_error).lastInsertRowid,
    );
    const rid = Number(
      db
        .prepare(
          `INSERT INTO recordings (project_id, path, name, size_bytes, mtime_ms, sha256, duration_seconds, sample_rate, channels, available)
             SELECT ?, path, name, size_bytes, mtime_ms, sha256, duration_seconds, sample_rate, channels, available FROM recordings WHERE project_id = ?`,
        )
        .run(pid, id).lastInsertRowid,
    );
    db.prepare(
      'INSERT INTO scores (project_id, name, original_path, format, sha256, bytes) SELECT ?, name, original_path, format, sha256, bytes FROM scores WHERE project_id = ?',
    ).run(pid, id);
    // A copy of a project whose path is stale is stale too (its re-alignment resumes on opening).
    db.prepare(
      'UPDATE projects SET realign_pending = (SELECT realign_pending FROM projects WHERE id = ?) WHERE id = ?',
    ).run(id, pid);
    db.prepare(
      'INSERT INTO peaks (recording_id, sha256, points_per_second, duration_seconds, data) SELECT ?, sha256, points_per_second, duration_seconds, data FROM peaks WHERE recording_id = ?',
    ).run(rid, row.rec_id);
    db.prepare(
      'INSERT INTO features (recording_id, sha256, feature_version, hop_seconds, frames, chroma) SELECT ?, sha256, feature_version, hop_seconds, frames, chroma FROM features WHERE recording_id = ?',
    ).run(rid, row.rec_id);
    const idMap = new Map<number, number>();
    const rows = db
      .prepare('SELECT * FROM alignments WHERE project_id = ? ORDER BY version')
      .all(id) as (AlignmentRow & { path: Buffer; corrections: string | null })[];
    const ins = db.prepare(
      'INSERT INTO alignments (project_id, version, kind, method, model_version, created_at, path, parent_id, corrections) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const a of rows) {
      const parent = a.parent_id === null ? null : (idMap.get(a.parent_id) ?? null);
      idMap.set(
        a.id,
        Number(
          ins.run(
            pid,
            a.version,
            a.kind,
            a.method,
            a.model_version,
            a.created_at,
            a.path,
            parent,
            a.corrections,
          ).lastInsertRowid,
        ),
      );
    }
    db.prepare(
      'INSERT INTO anchors (project_id, perf_time, score_time, kind, created_at) SELECT ?, perf_time, score_time, kind, created_at FROM anchors WHERE project_id = ?',
    ).run(pid, id);
    db.prepare(
      'INSERT INTO jumps_manual (project_id, perf_time, from_score, to_score, action, created_at) SELECT ?, perf_time, from_score, to_score, action, created_at FROM jumps_manual WHERE project_id = ?',
    ).run(pid, id);
    const edits = db
      .prepare(
        'SELECT seq, op, inverse, created_at, alignment_before, alignment_after FROM edits WHERE project_id = ?',
      )
      .all(id) as {
      seq: number;
      op: string;
      inverse: string;
      created_at: number;
      alignment_before: number | null;
      alignment_after: number | null;
    }[];
    const insEdit = db.prepare(
      'INSERT INTO edits (project_id, seq, op, inverse, created_at, alignment_before, alignment_after) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const mapped = (aid: number | null): number | null => (aid === null ? null : (idMap.get(aid) ?? null));
    for (const e of edits)
      insEdit.run(
        pid,
        e.seq,
        e.op,
        e.inverse,
        e.created_at,
        mapped(e.alignment_before),
        mapped(e.alignment_after),
      );
    db.prepare(
      'INSERT INTO edit_cursor (project_id, position) SELECT ?, position FROM edit_cursor WHERE project_id = ?',
    ).run(pid, id);
    db.prepare(
      'INSERT INTO review_marks (project_id, perf_start, perf_end, created_at) SELECT ?, perf_start, perf_end, created_at FROM review_marks WHERE project_id = ?',
    ).run(pid, id);
    db.prepare(
      'INSERT INTO view_state (project_id, state, updated_at) SELECT ?, state, updated_at FROM view_state WHERE project_id = ?',
    ).run(pid, id);
    db.prepare(
      'INSERT INTO practice_settings (project_id, settings, updated_at) SELECT ?, settings, updated_at FROM practice_settings WHERE project_id = ?',
    ).run(pid, id);
    db.prepare(
      `INSERT INTO scan_pages (project_id, page, width, height, source_name, source_page, skew_degrees, systems, png)
         SELECT ?, page, width, height, source_name, source_page, skew_degrees, systems, png FROM scan_pages WHERE project_id = ?`,
    ).run(pid, id);
    // In id order, so the copy's boxes keep their order (box ids are the copy's own).
    db.prepare(
      `INSERT INTO scan_boxes (project_id, page, system, x, y, w, h, number)
         SELECT ?, page, system, x, y, w, h, number FROM scan_boxes WHERE project_id = ? ORDER BY id`,
    ).run(pid, id);
    return pid;
  })();
}

/** Renames a project (throws `not-found`). */
export function renameProject(db: Db, id: number, title: string): void {
  const r = db
    .prepare('UPDATE projects SET title = ?, updated_at = ? WHERE id = ?')
    .run(title, Date.now(), id);
  if (r.changes === 0) throw notFound('project', id);
}

/** Deletes a project and everything it holds (throws `not-found`). */
export function deleteProject(db: Db, id: number): void {
  const r = db.prepare('DELETE FROM projects WHERE id = ?').run(id);
  if (r.changes === 0) throw notFound('project', id);
}

/** The stored score's file name and bytes (throws `not-found`). */
export function scoreBytes(db: Db, id: number): { name: string; bytes: Uint8Array } {
  const r = db.prepare('SELECT name, bytes FROM scores WHERE project_id = ?').get(id) as
    { name: string; bytes: Buffer } | undefined;
  if (!r) throw notFound('project', id);
  return { name: r.name, bytes: new Uint8Array(r.bytes) };
}

/** Marks the recording found (1) or missing / changed (0). */
export function setRecordingAvailable(db: Db, recId: number, available: boolean): void {
  db.prepare('UPDATE recordings SET available = ? WHERE id = ?').run(available ? 1 : 0, recId);
}

/** Records the new mtime of a recording whose bytes are unchanged. */
export function setRecordingMtime(db: Db, recId: number, mtimeMs: number): void {
  db.prepare('UPDATE recordings SET mtime_ms = ? WHERE id = ?').run(mtimeMs, recId);
}

/** Points a recording at `path` (found, with its size and mtime). */
export function relinkRecording(db: Db, recId: number, path: string, st: Stats): void {
  db.prepare(
    'UPDATE recordings SET path = ?, name = ?, size_bytes = ?, mtime_ms = ?, available = 1 WHERE id = ?',
  ).run(path, basename(path), st.size, st.mtimeMs, recId);
}

/** The review marks of a project. */
export function reviewMarks(db: Db, id: number): { perf_start: number; perf_end: number }[] {
  return db.prepare('SELECT perf_start, perf_end FROM review_marks WHERE project_id = ?').all(id) as {
    perf_start: number;
    perf_end: number;
  }[];
}

/** The ops of the edit log up to its cursor, in order. */
export function appliedEditOps(db: Db, id: number): { op: string; inverse: string }[] {
  return db
    .prepare(
      'SELECT e.op, e.inverse FROM edits e JOIN edit_cursor c ON c.project_id = e.project_id WHERE e.project_id = ? AND e.seq <= c.position ORDER BY e.seq',
    )
    .all(id) as { op: string; inverse: string }[];
}

/** The saved view state (null when none, or unreadable: it is replaced on the next `view:save`). */
export function loadViewState(db: Db, id: number): ViewState | null {
  const vs = db.prepare('SELECT state FROM view_state WHERE project_id = ?').get(id) as
    { state: string } | undefined;
  let viewState: ViewState | null = null;
  if (vs) {
    try {
      viewState = checkViewState(JSON.parse(vs.state), 'stored view state');
    } catch {
      viewState = null; // an unreadable stored state is replaced on the next view:save
    }
  }
  return viewState;
}

/** The saved practice settings (null when none, or unreadable). */
export function loadPractice(db: Db, id: number): PracticeSettings | null {
  const ps = db.prepare('SELECT settings FROM practice_settings WHERE project_id = ?').get(id) as
    { settings: string } | undefined;
  let practice: PracticeSettings | null = null;
  if (ps) {
    try {
      practice = checkPracticeSettings(JSON.parse(ps.settings), 'stored practice settings');
    } catch {
      practice = null; // unreadable (hand-edited database): the defaults, replaced on the next practice:save
    }
  }
  return practice;
}

/** Saves the editor's view state (not an edit: `updated_at` is unchanged). */
export function saveViewState(db: Db, id: number, state: ViewState): void {
  db.prepare(
    'INSERT INTO view_state (project_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
  ).run(id, JSON.stringify(state), Date.now());
}

/** Saves the practice settings in one statement (not an edit). */
export function savePracticeSettings(db: Db, id: number, settings: PracticeSettings): void {
  db.prepare(
    'INSERT INTO practice_settings (project_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at',
  ).run(id, JSON.stringify(settings), Date.now());
}
