/** Alignment versions in SQL: store the next version, list them, read one back with its path and corrections. */
import type { AlignmentKind, AlignmentRecord, AlignmentSummary } from '../../../shared/ipc.js';
import type { AlignmentPath } from '../../../shared/path.js';
import type { Corrections } from '../../../shared/edit/index.js';
import type { Db } from '../db/database.js';
import { decodePath, encodePath } from '../db/pathCodec.js';
import { type AlignmentRow, notFound, projectRow } from './store.js';

function summaryOf(r: AlignmentRow): AlignmentSummary {
  const s: AlignmentSummary = {
    id: r.id,
    projectId: r.project_id,
    version: r.version,
    kind: r.kind,
    method: r.method,
    createdAt: r.created_at,
  };
  if (r.model_version) s.modelVersion = r.model_version;
  if (r.parent_id !== null) s.parentId = r.parent_id;
  return s;
}

/** Stores `path` as project `id`'s next alignment version (with the corrections it was made under, if any). */
export function addAlignment(
  db: Db,
  id: number,
  path: AlignmentPath,
  kind: AlignmentKind,
  parentId?: number,
  corrections?: Corrections,
): AlignmentSummary {
  projectRow(db, id);
  const next = (
    db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM alignments WHERE project_id = ?').get(id) as {
      v: number;
    }
  ).v;
  const now = Date.now();
  const aid = Number(
    db
      .prepare(
        'INSERT INTO alignments (project_id, version, kind, method, model_version, created_at, path, parent_id, corrections) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        next,
        kind,
        path.method,
        path.modelVersion ?? null,
        now,
        encodePath(path),
        parentId ?? null,
        corrections ? JSON.stringify(corrections) : null,
      ).lastInsertRowid,
  );
  db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, id);
  return alignmentSummary(db, aid);
}

function alignmentSummary(db: Db, aid: number): AlignmentSummary {
  const r = db
    .prepare(
      'SELECT id, project_id, version, kind, method, model_version, created_at, parent_id FROM alignments WHERE id = ?',
    )
    .get(aid) as AlignmentRow | undefined;
  if (!r) throw notFound('alignment', aid);
  return summaryOf(r);
}

/** Project `id`'s alignment versions, newest first. */
export function listAlignments(db: Db, id: number): AlignmentSummary[] {
  projectRow(db, id);
  const rows = db
    .prepare(
      'SELECT id, project_id, version, kind, method, model_version, created_at, parent_id FROM alignments WHERE project_id = ? ORDER BY version DESC',
    )
    .all(id) as AlignmentRow[];
  return rows.map(summaryOf);
}

/** One alignment version with its path. */
export function getAlignment(db: Db, aid: number): AlignmentRecord {
  const r = db.prepare('SELECT * FROM alignments WHERE id = ?').get(aid) as
    (AlignmentRow & { path: Buffer }) | undefined;
  if (!r) throw notFound('alignment', aid);
  return { ...summaryOf(r), path: decodePath(new Uint8Array(r.path), r.method, r.model_version) };
}

/** The corrections stored with alignment `aid` (null when it was made without any: automatic runs, imports). */
export function alignmentCorrections(db: Db, aid: number): Corrections | null {
  const r = db.prepare('SELECT corrections FROM alignments WHERE id = ?').get(aid) as
    { corrections: string | null } | undefined;
  if (!r) throw notFound('alignment', aid);
  return r.corrections === null ? null : (JSON.parse(r.corrections) as Corrections);
}
