/**
 * `.accord` project files (docs/project-file.md) against the library: save a project to one
 * (atomically), and open one as a new project, or find the project already in the library with
 * the file's identity. Opening never changes a project already there; a recording not found
 * beside the file nor at its old path is recorded missing, for the user to relink. The scanned
 * pages and the spans still to re-align travel with the project (version 2).
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { EditOp } from '../../../shared/edit/index.js';
import { AccordError } from '../../../shared/ipc.js';
import {
  PROJECT_FILE_FORMAT,
  parseProjectFile,
  projectFileVersionOf,
  serializeProjectFile,
  type ProjectFile,
  type ProjectFileScan,
} from '../../../shared/projectFile.js';
import type { ScanSystem } from '../../../shared/pages/scan/model.js';
import { parsePending } from '../corrections.js';
import { pngSize } from '../../engine/png.js';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import type { Db } from '../db/database.js';
import { encodePath } from '../db/pathCodec.js';
import { checkAudioExtension, sha256File } from './files.js';
import { loadPractice, loadViewState, projectRow, scoreBytes } from './store.js';
import type { ScanBoxRow, ScanPageRow } from '../scans/service.js';
import { alignmentCorrections, getAlignment, listAlignments } from './versions.js';

/** The largest project file opened (an hour's alignment is a few MB). */
export const MAX_PROJECT_FILE_BYTES = 256 * 1024 * 1024;

/** What opening a project file did. */
export interface OpenedProjectFile {
  projectId: number;
  /** True when the library already held the file's project (it is left as it was). */
  existing: boolean;
  /** True when the recording was found neither beside the file nor at its old path (relink it). */
  recordingMissing: boolean;
}

/** The library's project with identity `uuid`, if any. */
function projectWithUuid(db: Db, uuid: string): OpenedProjectFile | null {
  const r = db
    .prepare(
      'SELECT p.id, r.available FROM projects p JOIN recordings r ON r.project_id = p.id WHERE p.uuid = ?',
    )
    .get(uuid) as { id: number; available: number } | undefined;
  return r ? { projectId: r.id, existing: true, recordingMissing: r.available === 0 } : null;
}

/** `target` relative to folder `from`, with `/` separators (absolute when on another drive). */
function relativeTo(from: string, target: string): string {
  const r = relative(from, target);
  return (isAbsolute(r) ? target : r).split(sep).join('/');
}

/** The project's identity, given now when it has none. */
function projectUuid(db: Db, id: number): string {
  const r = db.prepare('SELECT uuid FROM projects WHERE id = ?').get(id) as { uuid: string | null };
  if (r.uuid) return r.uuid;
  const uuid = randomUUID();
  db.prepare('UPDATE projects SET uuid = ? WHERE id = ?').run(uuid, id);
  return uuid;
}

/** Project `id`'s scanned pages and boxes as the file carries them; undefined when it has none. */
function scanOf(db: Db, id: number): ProjectFileScan | undefined {
  const pages = db
    .prepare(
      'SELECT page, width, height, source_name, source_page, skew_degrees, systems, png FROM scan_pages WHERE project_id = ? ORDER BY page',
    )
    .all(id) as (ScanPageRow & { png: Buffer })[];
  if (pages.length === 0) return undefined;
  const boxes = db
    .prepare('SELECT page, system, x, y, w, h, number FROM scan_boxes WHERE project_id = ? ORDER BY id')
    .all(id) as Omit<ScanBoxRow, 'id'>[];
  return {
    pages: pages.map((p) => ({
      page: p.page,
      width: p.width,
      height: p.height,
      sourceName: p.source_name,
      sourcePage: p.source_page,
      skewDegrees: p.skew_degrees,
      systems: JSON.parse(p.systems) as ScanSystem[],
      pngBase64: Buffer.from(p.png).toString('base64'),
    })),
    boxes: boxes.map((b) => ({
      page: b.page,
      system: b.system,
      box: [b.x, b.y, b.w, b.h],
      number: b.number,
    })),
  };
}

/** Project `id` as a `.accord` document whose relative paths start at folder `dir`. */
export function projectFileOf(db: Db, id: number, dir: string): ProjectFile {
  const row = projectRow(db, id);
  const latest = listAlignments(db, id)[0];
  const record = latest ? getAlignment(db, latest.id) : null;
  const edits = db
    .prepare('SELECT op, inverse, created_at FROM edits WHERE project_id = ? ORDER BY seq')
    .all(id) as { op: string; inverse: string; created_at: number }[];
  const cursor =
    (
      db.prepare('SELECT position FROM edit_cursor WHERE project_id = ?').get(id) as
        { position: number } | undefined
    )?.position ?? 0;
  const score = scoreBytes(db, id);
  const pending = parsePending(
    (db.prepare('SELECT realign_pending AS p FROM projects WHERE id = ?').get(id) as { p: string | null }).p,
  );
  const scan = scanOf(db, id);
  const doc: ProjectFile = {
    format: PROJECT_FILE_FORMAT,
    version: 0,
    projectId: projectUuid(db, id),
    title: row.title,
    savedAt: Date.now(),
    recording: {
      path: row.rec_path,
      relativePath: relativeTo(dir, row.rec_path),
      name: row.rec_name,
      sha256: row.rec_sha256,
      sizeBytes: row.size_bytes,
      durationSeconds: row.duration_seconds,
      sampleRate: row.sample_rate,
      channels: row.channels,
    },
    score: {
      path: row.original_path,
      relativePath: relativeTo(dir, row.original_path),
      name: row.score_name,
      format: row.format,
      sha256: row.score_sha256,
      bytesBase64: Buffer.from(score.bytes).toString('base64'),
    },
    alignment: null,
    edits: {
      entries: edits.map((e) => ({
        op: JSON.parse(e.op) as EditOp,
        inverse: JSON.parse(e.inverse) as EditOp,
        createdAt: e.created_at,
      })),
      cursor: Math.min(cursor, edits.length),
    },
    viewState: loadViewState(db, id),
    practice: loadPractice(db, id),
    ...(pending.length > 0 ? { realignPending: pending } : {}),
    ...(scan ? { scan } : {}),
  };
  doc.version = projectFileVersionOf(doc);
  if (record) {
    doc.alignment = {
      version: record.version,
      kind: record.kind,
      method: record.method,
      createdAt: record.createdAt,
      hopSeconds: record.path.hopSeconds,
      scoreTime: Array.from(record.path.scoreTime),
      confidence: Array.from(record.path.confidence),
      jumpFrames: [...record.path.jumpFrames],
      corrections: alignmentCorrections(db, record.id),
    };
    if (record.modelVersion) doc.alignment.modelVersion = record.modelVersion;
  }
  return doc;
}

/** Writes project `id` to `destPath` as a `.accord` file, atomically. */
export async function saveProjectFile(
  db: Db,
  id: number,
  destPath: string,
): Promise<{ path: string; bytes: number }> {
  const text = serializeProjectFile(projectFileOf(db, id, dirname(resolve(destPath))));
  await writeFileAtomic(destPath, text);
  return { path: destPath, bytes: Buffer.byteLength(text) };
}

/** Reads and parses a `.accord` file (size-limited; the parser's errors name the file). */
export async function readProjectFile(path: string): Promise<ProjectFile> {
  const st = await fs.stat(path);
  if (!st.isFile())
    throw new AccordError('invalid-argument', `${path}: expected a project file, got a folder`);
  if (st.size > MAX_PROJECT_FILE_BYTES)
    throw new AccordError(
      'invalid-argument',
      `${path}: expected a project file of at most ${MAX_PROJECT_FILE_BYTES} bytes, got ${st.size} bytes`,
    );
  try {
    return parseProjectFile(await fs.readFile(path, 'utf8'));
  } catch (err) {
    if (err instanceof AccordError) throw new AccordError(err.code, `${path}: ${err.message}`);
    throw err;
  }
}

/** The first of `candidates` that is the recording (same size and sha256), with its mtime; null when none is. */
async function findRecording(
  candidates: string[],
  sizeBytes: number,
  sha256: string,
): Promise<{ path: string; mtimeMs: number } | null> {
  for (const p of candidates) {
    const st = await fs.stat(p).catch(() => null);
    if (!st?.isFile() || st.size !== sizeBytes) continue;
    if ((await sha256File(p)) === sha256) return { path: p, mtimeMs: st.mtimeMs };
  }
  return null;
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isFile() ?? false;
}

/**
 * Opens the `.accord` file at `path`: the project with its identity when the library holds it
 * (unchanged), else a new project holding the file's score, current alignment, undo/redo log and
 * editor state. Media are looked for beside the file first (its relative paths), then where they
 * were; a recording found nowhere is stored missing.
 */
export async function openProjectFile(db: Db, path: string): Promise<OpenedProjectFile> {
  const doc = await readProjectFile(path);
  const known = projectWithUuid(db, doc.projectId);
  if (known) return known;
  checkAudioExtension(doc.recording.path);

  const scoreData = Buffer.from(doc.score.bytesBase64, 'base64');
  const scoreHash = createHash('sha256').update(scoreData).digest('hex');
  if (scoreHash !== doc.score.sha256)
    throw new AccordError(
      'invalid-argument',
      `${path}: project file: score.bytesBase64: expected bytes with sha256 ${doc.score.sha256.slice(0, 12)}…, got bytes with sha256 ${scoreHash.slice(0, 12)}…`,
    );
  const dir = dirname(resolve(path));
  const near = (m: { relativePath: string; path: string }): string[] => [
    resolve(dir, m.relativePath),
    m.path,
  ];
  const r = doc.recording;
  const found = await findRecording(near(r), r.sizeBytes, r.sha256);
  const scorePath = (await isFile(near(doc.score)[0])) ? near(doc.score)[0] : doc.score.path;
  const recPath = found?.path ?? r.path;
  const now = Date.now();
  const scanPngs = (doc.scan?.pages ?? []).map((p, i) => {
    const png = Buffer.from(p.pngBase64, 'base64');
    const size = pngSize(png);
    if (!size || size.width !== p.width || size.height !== p.height)
      throw new AccordError(
        'invalid-argument',
        `${path}: project file: scan.pages[${i}].pngBase64: expected a PNG of ${p.width} × ${p.height} pixels, got ${size ? `a PNG of ${size.width} × ${size.height}` : 'bytes that are not a PNG'}`,
      );
    return png;
  });

  return db.transaction((): OpenedProjectFile => {
    // Opened meanwhile (the same file twice at once): the first one made it.
    const again = projectWithUuid(db, doc.projectId);
    if (again) return again;
    const pid = Number(
      db
        .prepare('INSERT INTO projects (title, created_at, updated_at, uuid) VALUES (?, ?, ?, ?)')
        .run(doc.title, now, now, doc.projectId).lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO recordings (project_id, path, name, size_bytes, mtime_ms, sha256, duration_seconds, sample_rate, channels, available)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      pid,
      recPath,
      r.name,
      r.sizeBytes,
      found?.mtimeMs ?? 0,
      r.sha256,
      r.durationSeconds,
      r.sampleRate,
      r.channels,
      found ? 1 : 0,
    );
    db.prepare(
      'INSERT INTO scores (project_id, name, original_path, format, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(pid, doc.score.name, scorePath, doc.score.format, doc.score.sha256, scoreData);
    const a = doc.alignment;
    if (a) {
      const path = {
        hopSeconds: a.hopSeconds,
        scoreTime: Float64Array.from(a.scoreTime),
        confidence: Float32Array.from(a.confidence),
        jumpFrames: a.jumpFrames,
        method: a.method,
      };
      db.prepare(
        'INSERT INTO alignments (project_id, version, kind, method, model_version, created_at, path, parent_id, corrections) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)',
      ).run(
        pid,
        a.version,
        a.kind,
        a.method,
        a.modelVersion ?? null,
        a.createdAt,
        encodePath(path),
        a.corrections ? JSON.stringify(a.corrections) : null,
      );
    }
    // The log's links to versions are not carried (only the current version is): undo and redo
    // of an opened project re-align around the op instead of restoring a stored path.
    const ins = db.prepare(
      'INSERT INTO edits (project_id, seq, op, inverse, created_at, alignment_before, alignment_after) VALUES (?, ?, ?, ?, ?, NULL, NULL)',
    );
    doc.edits.entries.forEach((e, k) =>
      ins.run(pid, k + 1, JSON.stringify(e.op), JSON.stringify(e.inverse), e.createdAt),
    );
    if (doc.edits.entries.length > 0)
      db.prepare('INSERT INTO edit_cursor (project_id, position) VALUES (?, ?)').run(pid, doc.edits.cursor);
    if (doc.viewState)
      db.prepare('INSERT INTO view_state (project_id, state, updated_at) VALUES (?, ?, ?)').run(
        pid,
        JSON.stringify(doc.viewState),
        now,
      );
    if (doc.practice)
      db.prepare('INSERT INTO practice_settings (project_id, settings, updated_at) VALUES (?, ?, ?)').run(
        pid,
        JSON.stringify(doc.practice),
        now,
      );
    // Spans the saved alignment did not reflect yet: the project's first opening re-aligns them.
    if (doc.realignPending?.length)
      db.prepare('UPDATE projects SET realign_pending = ? WHERE id = ?').run(
        JSON.stringify(doc.realignPending),
        pid,
      );
    if (doc.scan) {
      const insPage = db.prepare(
        `INSERT INTO scan_pages (project_id, page, width, height, source_name, source_page, skew_degrees, systems, png)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      doc.scan.pages.forEach((p, i) =>
        insPage.run(
          pid,
          p.page,
          p.width,
          p.height,
          p.sourceName,
          p.sourcePage,
          p.skewDegrees,
          JSON.stringify(p.systems),
          scanPngs[i],
        ),
      );
      const insBox = db.prepare(
        'INSERT INTO scan_boxes (project_id, page, system, x, y, w, h, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const b of doc.scan.boxes) insBox.run(pid, b.page, b.system, ...b.box, b.number);
    }
    return { projectId: pid, existing: false, recordingMissing: !found };
  })();
}
