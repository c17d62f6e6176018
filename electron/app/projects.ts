/**
 * Projects: a recording (path, size, mtime, sha256, duration, cached peaks and features) plus a
 * score whose bytes live in the database, with versioned alignments and editor state.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { basename, extname } from 'node:path';
import {
  AccordError,
  type AlignmentJobResult,
  type AlignmentKind,
  type AlignmentRecord,
  type AlignmentSummary,
  type CreateProjectArgs,
  type ExportFormat,
  type MatrixImage,
  type MatrixOptions,
  type Peaks,
  type PeaksOptions,
  type ProjectDetail,
  type ProjectStatus,
  type ProjectSummary,
  type RecordingInfo,
  type RunMethod,
  type ScoreInfo,
  type PracticeSettings,
  type ViewState,
  checkPracticeSettings,
  checkViewState,
} from '../../shared/ipc.js';
import type { AlignMethod, AlignmentPath } from '../../shared/path.js';
import type { Score, ScoreFormat } from '../../shared/score.js';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import { exportAlignment as writeFormat } from '../../shared/formats/index.js';
import type { Db } from './db/database.js';
import { blobToFloat32, decodePath, encodePath, float32ToBlob } from './db/pathCodec.js';
import { dequantiseNotes, quantiseNotes } from '../../shared/dsp/notes.js';
import { AUDIO_EXTENSIONS } from '../engine/audio.js';
import { loadScoreBytes, ScoreLoadError, SCORE_EXTENSIONS } from '../engine/score.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { BASE_PEAKS_PER_SECOND, poolPeaks } from '../engine/peaks.js';
import type { Emit, JobService, TaskRunner } from './jobs.js';
import type { ChromaFeatures } from './workers/protocol.js';
import type { Features } from '../../shared/dsp/features.js';
import type { Corrections, EditOp, RegionMark } from '../../shared/edit/index.js';
import { apply as applyEdit, emptyCorrections } from '../../shared/edit/index.js';

/** What `ProjectService` needs from its host. */
export interface ProjectServiceDeps {
  db: Db;
  runner: TaskRunner;
  jobs: JobService;
  emit: Emit;
  /** URL the renderer plays the project's recording from (custom protocol or bridge). */
  mediaUrl(projectId: number): string;
  /** Neural model folder (default: the shipped one). */
  modelDir?: string;
}

interface ProjectRow {
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

interface AlignmentRow {
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

/** Parsed scores kept in memory. */
const SCORE_CACHE_SIZE = 8;

/** Hex sha256 of a file, streamed (no whole-file buffer on the main thread). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function notFound(what: string, id: number): AccordError {
  return new AccordError('not-found', `expected an existing ${what} id, got ${id}`);
}

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

/** Fraction of [0, duration] covered by the union of `ranges`. */
export function coveredFraction(
  ranges: { perf_start: number; perf_end: number }[],
  durationSeconds: number,
): number {
  if (!(durationSeconds > 0)) return 0;
  const sorted = ranges
    .map((r) => [Math.max(0, r.perf_start), Math.min(durationSeconds, r.perf_end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -1;
  let curB = -1;
  for (const [a, b] of sorted) {
    if (a > curB) {
      total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  total += curB - curA;
  return Math.min(1, total / durationSeconds);
}

/** The project store and the operations behind the `project:*`, `recording:*`, `alignment:*`, `view:*`, `practice:*` and `export:*` channels. */
export class ProjectService {
  readonly #d: ProjectServiceDeps;

  constructor(deps: ProjectServiceDeps) {
    this.#d = deps;
  }

  /** Parsed scores by sha256 + file name, most recent last (this session only: a parser update must not meet a stale copy). */
  readonly #scores = new Map<string, Promise<{ score: Score; musicxml?: string }>>();

  #parsed(sha256: string, bytes: Uint8Array, name: string): Promise<{ score: Score; musicxml?: string }> {
    const key = `${sha256}|${extname(name).toLowerCase()}`;
    let p = this.#scores.get(key);
    if (p) this.#scores.delete(key);
    else {
      p = parseScore(bytes, name, this.#d.runner);
      p.catch(() => this.#scores.delete(key));
    }
    this.#scores.set(key, p);
    while (this.#scores.size > SCORE_CACHE_SIZE)
      this.#scores.delete(this.#scores.keys().next().value as string);
    return p;
  }

  get #db(): Db {
    return this.#d.db;
  }

  #row(id: number): ProjectRow {
    const row = this.#db.prepare(`${PROJECT_SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
    if (!row) throw notFound('project', id);
    return row;
  }

  #status(row: ProjectRow): ProjectStatus {
    if (!row.available) return 'needs-relink';
    if (this.#d.jobs.isRunning(row.id)) return 'aligning';
    if (row.latest_kind === 'edited') return 'edited';
    if (row.latest_kind === 'reviewed') return 'reviewed';
    if (row.latest_kind) return 'aligned';
    return row.last_error ? 'failed' : 'new';
  }

  #summary(row: ProjectRow): ProjectSummary {
    const marks = this.#db
      .prepare('SELECT perf_start, perf_end FROM review_marks WHERE project_id = ?')
      .all(row.id) as {
      perf_start: number;
      perf_end: number;
    }[];
    let checked: RegionMark[] = [];
    try {
      checked = this.#checkedRegions(row.id);
    } catch {
      // A damaged edit log counts no checked regions here, so the list still shows every
      // project; opening this one (`corrections:get`) reports the damage with its entry.
      checked = [];
    }
    for (const r of checked) marks.push({ perf_start: r.perfStart, perf_end: r.perfEnd });
    return {
      id: row.id,
      title: row.title,
      scoreName: row.score_name,
      recordingName: row.rec_name,
      durationSeconds: row.duration_seconds,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      status: this.#status(row),
      checkedFraction: coveredFraction(marks, row.duration_seconds),
    };
  }

  /** `checked` regions of the corrections the edit log has applied. */
  #checkedRegions(id: number): RegionMark[] {
    const rows = this.#db
      .prepare(
        'SELECT e.op, e.inverse FROM edits e JOIN edit_cursor c ON c.project_id = e.project_id WHERE e.project_id = ? AND e.seq <= c.position ORDER BY e.seq',
      )
      .all(id) as { op: string; inverse: string }[];
    if (rows.length === 0) return [];
    let c = emptyCorrections();
    for (const r of rows) c = applyEdit(c, JSON.parse(r.op) as EditOp);
    return c.regions.filter((x) => x.kind === 'checked');
  }

  #touch(id: number): void {
    this.#db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(Date.now(), id);
  }

  /** Recent projects, last edited first. */
  list(): ProjectSummary[] {
    const rows = this.#db
      .prepare(`${PROJECT_SELECT} ORDER BY p.updated_at DESC, p.id DESC`)
      .all() as ProjectRow[];
    return rows.map((r) => this.#summary(r));
  }

  /** One project's summary. */
  summary(id: number): ProjectSummary {
    return this.#summary(this.#row(id));
  }

  /** Creates a project: copies the score's bytes in, analyzes the recording in a worker (hash, duration, peaks). */
  async create(args: CreateProjectArgs): Promise<ProjectSummary> {
    const recExt = extname(args.recordingPath).toLowerCase();
    if (!AUDIO_EXTENSIONS.includes(recExt)) {
      throw new AccordError(
        'unsupported',
        `recording ${args.recordingPath}: expected one of ${AUDIO_EXTENSIONS.join(', ')}, got '${recExt || '(no extension)'}'`,
      );
    }
    const scoreBytes = new Uint8Array(await fs.readFile(args.scorePath));
    const scoreSha256 = createHash('sha256').update(scoreBytes).digest('hex');
    const score = await this.#parsed(scoreSha256, scoreBytes, basename(args.scorePath));
    const stat = await fs.stat(args.recordingPath);
    const a = await this.#d.runner.run({
      task: 'analyze',
      audioPath: args.recordingPath,
      pointsPerSecond: BASE_PEAKS_PER_SECOND,
    });
    const now = Date.now();
    const title =
      args.title ?? score.score.title ?? basename(args.recordingPath, extname(args.recordingPath));
    const id = this.#db.transaction(() => {
      const pid = Number(
        this.#db
          .prepare('INSERT INTO projects (title, created_at, updated_at) VALUES (?, ?, ?)')
          .run(title, now, now).lastInsertRowid,
      );
      const rid = Number(
        this.#db
          .prepare(
            `INSERT INTO recordings (project_id, path, name, size_bytes, mtime_ms, sha256, duration_seconds, sample_rate, channels, available)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
          )
          .run(
            pid,
            args.recordingPath,
            basename(args.recordingPath),
            stat.size,
            stat.mtimeMs,
            a.sha256,
            a.durationSeconds,
            a.sampleRate,
            a.channels,
          ).lastInsertRowid,
      );
      this.#db
        .prepare(
          'INSERT INTO scores (project_id, name, original_path, format, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(pid, basename(args.scorePath), args.scorePath, score.score.format, scoreSha256, scoreBytes);
      this.#db
        .prepare(
          'INSERT INTO peaks (recording_id, sha256, points_per_second, duration_seconds, data) VALUES (?, ?, ?, ?, ?)',
        )
        .run(rid, a.sha256, a.pointsPerSecond, a.durationSeconds, float32ToBlob(a.peaks));
      return pid;
    })();
    return this.summary(id);
  }

  /**
   * Checks the recording on disk: same size and mtime → fine; otherwise re-hash, and an equal
   * hash just records the new mtime. Missing or different bytes → `available = 0` (needs relink).
   */
  async verifyRecording(id: number): Promise<boolean> {
    const row = this.#row(id);
    let ok: boolean;
    try {
      const st = await fs.stat(row.rec_path);
      if (!st.isFile()) ok = false;
      else if (st.size === row.size_bytes && st.mtimeMs === row.mtime_ms) ok = true;
      else if (st.size !== row.size_bytes) ok = false;
      else {
        ok = (await sha256File(row.rec_path)) === row.rec_sha256;
        if (ok)
          this.#db.prepare('UPDATE recordings SET mtime_ms = ? WHERE id = ?').run(st.mtimeMs, row.rec_id);
      }
    } catch {
      ok = false;
    }
    if (ok !== Boolean(row.available)) {
      this.#db.prepare('UPDATE recordings SET available = ? WHERE id = ?').run(ok ? 1 : 0, row.rec_id);
      this.#d.emit('project:changed', { projectId: id });
    }
    return ok;
  }

  #scoreBytes(id: number): { name: string; bytes: Uint8Array } {
    const r = this.#db.prepare('SELECT name, bytes FROM scores WHERE project_id = ?').get(id) as
      { name: string; bytes: Buffer } | undefined;
    if (!r) throw notFound('project', id);
    return { name: r.name, bytes: new Uint8Array(r.bytes) };
  }

  /** Opens a project: verifies the recording, parses the stored score, loads the latest alignment and view state. */
  async get(id: number): Promise<ProjectDetail> {
    await this.verifyRecording(id);
    const row = this.#row(id);
    const { name, bytes } = this.#scoreBytes(id);
    const score = await this.#parsed(row.score_sha256, bytes, name);
    const alignments = this.listAlignments(id);
    const vs = this.#db.prepare('SELECT state FROM view_state WHERE project_id = ?').get(id) as
      { state: string } | undefined;
    let viewState: ViewState | null = null;
    if (vs) {
      try {
        viewState = checkViewState(JSON.parse(vs.state), 'stored view state');
      } catch {
        viewState = null; // an unreadable stored state is replaced on the next view:save
      }
    }
    const ps = this.#db.prepare('SELECT settings FROM practice_settings WHERE project_id = ?').get(id) as
      { settings: string } | undefined;
    let practice: PracticeSettings | null = null;
    if (ps) {
      try {
        practice = checkPracticeSettings(JSON.parse(ps.settings), 'stored practice settings');
      } catch {
        practice = null; // unreadable (hand-edited database): the defaults, replaced on the next practice:save
      }
    }
    const recording: RecordingInfo = {
      path: row.rec_path,
      name: row.rec_name,
      sizeBytes: row.size_bytes,
      mtimeMs: row.mtime_ms,
      sha256: row.rec_sha256,
      durationSeconds: row.duration_seconds,
      sampleRate: row.sample_rate,
      channels: row.channels,
      mediaUrl: this.#d.mediaUrl(id),
      available: Boolean(row.available),
    };
    const scoreInfo: ScoreInfo = {
      name: row.score_name,
      originalPath: row.original_path,
      format: row.format as ScoreFormat,
      sizeBytes: row.score_size,
      sha256: row.score_sha256,
    };
    const detail: ProjectDetail = {
      project: this.#summary(row),
      recording,
      scoreInfo,
      score: score.score,
      alignment: alignments.length > 0 ? this.getAlignment(alignments[0].id) : null,
      alignments,
      viewState,
      practice,
    };
    if (score.musicxml !== undefined) detail.musicxml = score.musicxml;
    return detail;
  }

  /** Renames a project. */
  rename(id: number, title: string): ProjectSummary {
    const r = this.#db
      .prepare('UPDATE projects SET title = ?, updated_at = ? WHERE id = ?')
      .run(title, Date.now(), id);
    if (r.changes === 0) throw notFound('project', id);
    return this.summary(id);
  }

  /** Copies a project with everything it holds (alignments keep their versions and parents). */
  duplicate(id: number): ProjectSummary {
    const row = this.#row(id);
    const db = this.#db;
    const newId = db.transaction(() => {
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
      return pid;
    })();
    return this.summary(newId);
  }

  /** Deletes a project and everything it holds from the database (files on disk are untouched). */
  delete(id: number): void {
    if (this.#d.jobs.isRunning(id))
      throw new AccordError('busy', `project ${id} has an alignment running: cancel it first`);
    const r = this.#db.prepare('DELETE FROM projects WHERE id = ?').run(id);
    if (r.changes === 0) throw notFound('project', id);
  }

  /** Points the project at `newPath` after checking its bytes hash to the stored sha256. */
  async relink(id: number, newPath: string): Promise<ProjectSummary> {
    const row = this.#row(id);
    const ext = extname(newPath).toLowerCase();
    if (!AUDIO_EXTENSIONS.includes(ext)) {
      throw new AccordError(
        'unsupported',
        `recording ${newPath}: expected one of ${AUDIO_EXTENSIONS.join(', ')}, got '${ext || '(no extension)'}'`,
      );
    }
    const st = await fs.stat(newPath);
    const hash = await sha256File(newPath);
    if (hash !== row.rec_sha256) {
      throw new AccordError(
        'hash-mismatch',
        `${newPath}: expected the recording with sha256 ${row.rec_sha256.slice(0, 12)}… (${row.size_bytes} bytes), got sha256 ${hash.slice(0, 12)}… (${st.size} bytes)`,
      );
    }
    this.#db
      .prepare(
        'UPDATE recordings SET path = ?, name = ?, size_bytes = ?, mtime_ms = ?, available = 1 WHERE id = ?',
      )
      .run(newPath, basename(newPath), st.size, st.mtimeMs, row.rec_id);
    this.#touch(id);
    this.#d.emit('project:changed', { projectId: id });
    return this.summary(id);
  }

  /** The recording file to stream, after verifying it (throws `file-changed` when it needs relinking). */
  async recordingFile(id: number): Promise<{ path: string; sizeBytes: number; name: string }> {
    if (!(await this.verifyRecording(id))) {
      const row = this.#row(id);
      throw new AccordError(
        'file-changed',
        `recording ${row.rec_path}: expected the file with sha256 ${row.rec_sha256.slice(0, 12)}…, it is missing or changed: relink it`,
      );
    }
    const row = this.#row(id);
    return { path: row.rec_path, sizeBytes: row.size_bytes, name: row.rec_name };
  }

  /** Waveform peaks at `pointsPerSecond`: from the cache (pooled from a finer rate) or computed once in a worker and cached. */
  async peaks(id: number, opts: PeaksOptions): Promise<Peaks> {
    const row = this.#row(id);
    const pps = opts.pointsPerSecond;
    const cached = this.#db
      .prepare(
        'SELECT points_per_second, duration_seconds, data FROM peaks WHERE recording_id = ? AND sha256 = ? AND points_per_second >= ? ORDER BY points_per_second LIMIT 1',
      )
      .get(row.rec_id, row.rec_sha256, pps) as
      { points_per_second: number; duration_seconds: number; data: Buffer } | undefined;
    if (cached) {
      const base = blobToFloat32(cached.data);
      const max =
        cached.points_per_second === pps
          ? base
          : poolPeaks(base, cached.points_per_second, pps, cached.duration_seconds);
      return { pointsPerSecond: pps, durationSeconds: cached.duration_seconds, max };
    }
    const { path } = await this.recordingFile(id);
    const r = await this.#d.runner.run({ task: 'peaks', audioPath: path, pointsPerSecond: pps });
    this.#checkSameRecording(row, r.sha256);
    this.#db
      .prepare(
        'INSERT OR REPLACE INTO peaks (recording_id, sha256, points_per_second, duration_seconds, data) VALUES (?, ?, ?, ?, ?)',
      )
      .run(row.rec_id, r.sha256, pps, r.durationSeconds, float32ToBlob(r.peaks));
    return { pointsPerSecond: pps, durationSeconds: r.durationSeconds, max: r.peaks };
  }

  #checkSameRecording(row: ProjectRow, sha256: string): void {
    if (sha256 !== row.rec_sha256) {
      this.#db.prepare('UPDATE recordings SET available = 0 WHERE id = ?').run(row.rec_id);
      this.#d.emit('project:changed', { projectId: row.id });
      throw new AccordError(
        'file-changed',
        `recording ${row.rec_path}: expected sha256 ${row.rec_sha256.slice(0, 12)}…, the file now hashes to ${sha256.slice(0, 12)}…: relink it`,
      );
    }
  }

  #storeFeatures(recId: number, f: ChromaFeatures): void {
    this.#db
      .prepare(
        'INSERT OR REPLACE INTO features (recording_id, sha256, feature_version, hop_seconds, frames, chroma, onset, energy, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        recId,
        f.sha256,
        f.featureVersion,
        f.hopSeconds,
        f.frames,
        float32ToBlob(f.chroma),
        f.onset ? float32ToBlob(f.onset) : null,
        f.energy ? float32ToBlob(f.energy) : null,
        f.notes ? quantiseNotes(f.notes) : null,
      );
  }

  /** Starts an alignment job; the new version is stored when it finishes. */
  async runAlignment(id: number, method: RunMethod = 'auto'): Promise<{ jobId: string }> {
    const { path: audioPath } = await this.recordingFile(id);
    const score = this.#scoreBytes(id);
    const jobId = this.#d.jobs.start(id, async (signal, onProgress): Promise<AlignmentJobResult> => {
      try {
        const r = await this.#d.runner.run(
          {
            task: 'align',
            audioPath,
            scoreBytes: score.bytes,
            scoreName: score.name,
            method,
            modelDir: this.#d.modelDir,
          },
          { signal, onProgress },
        );
        signal.throwIfAborted();
        const row = this.#row(id);
        this.#checkSameRecording(row, r.features.sha256);
        const stored = this.#db.transaction(() => {
          this.#storeFeatures(row.rec_id, r.features);
          this.#db.prepare('UPDATE projects SET last_error = NULL WHERE id = ?').run(id);
          return this.addAlignment(id, r.path, 'automatic');
        })();
        return {
          alignmentId: stored.id,
          version: stored.version,
          timings: r.timings,
          warnings: r.warnings,
        };
      } catch (err) {
        if (!signal.aborted) {
          this.#db
            .prepare('UPDATE projects SET last_error = ? WHERE id = ?')
            .run(AccordError.from(err).message, id);
        }
        throw err;
      } finally {
        this.#d.emit('project:changed', { projectId: id });
      }
    });
    this.#d.emit('project:changed', { projectId: id });
    return { jobId };
  }

  /** Stores `path` as the project's next alignment version (with the corrections it was made under, if any). */
  addAlignment(
    id: number,
    path: AlignmentPath,
    kind: AlignmentKind,
    parentId?: number,
    corrections?: Corrections,
  ): AlignmentSummary {
    this.#row(id);
    const next = (
      this.#db
        .prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM alignments WHERE project_id = ?')
        .get(id) as { v: number }
    ).v;
    const now = Date.now();
    const aid = Number(
      this.#db
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
    this.#db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now, id);
    return this.#alignmentSummary(aid);
  }

  #alignmentSummary(aid: number): AlignmentSummary {
    const r = this.#db
      .prepare(
        'SELECT id, project_id, version, kind, method, model_version, created_at, parent_id FROM alignments WHERE id = ?',
      )
      .get(aid) as AlignmentRow | undefined;
    if (!r) throw notFound('alignment', aid);
    return summaryOf(r);
  }

  /** Alignment versions, newest first. */
  listAlignments(id: number): AlignmentSummary[] {
    this.#row(id);
    const rows = this.#db
      .prepare(
        'SELECT id, project_id, version, kind, method, model_version, created_at, parent_id FROM alignments WHERE project_id = ? ORDER BY version DESC',
      )
      .all(id) as AlignmentRow[];
    return rows.map(summaryOf);
  }

  /** One alignment version with its path. */
  getAlignment(aid: number): AlignmentRecord {
    const r = this.#db.prepare('SELECT * FROM alignments WHERE id = ?').get(aid) as
      (AlignmentRow & { path: Buffer }) | undefined;
    if (!r) throw notFound('alignment', aid);
    return { ...summaryOf(r), path: decodePath(new Uint8Array(r.path), r.method, r.model_version) };
  }

  /** The corrections stored with alignment `aid` (null when it was made without any: automatic runs, imports). */
  alignmentCorrections(aid: number): Corrections | null {
    const r = this.#db.prepare('SELECT corrections FROM alignments WHERE id = ?').get(aid) as
      { corrections: string | null } | undefined;
    if (!r) throw notFound('alignment', aid);
    return r.corrections === null ? null : (JSON.parse(r.corrections) as Corrections);
  }

  /** The parsed score of a project. */
  async score(id: number): Promise<Score> {
    const row = this.#row(id);
    const { name, bytes } = this.#scoreBytes(id);
    return (await this.#parsed(row.score_sha256, bytes, name)).score;
  }

  /** Full recording features for re-alignment: from the cache when it holds onsets and energy, else computed in a worker and cached. */
  async editFeatures(id: number): Promise<Features> {
    let f = await this.#features(id);
    if (!f.onset || !f.energy) {
      const row = this.#row(id);
      const { path } = await this.recordingFile(id);
      f = await this.#d.runner.run({ task: 'features', audioPath: path });
      this.#checkSameRecording(row, f.sha256);
      this.#storeFeatures(row.rec_id, f);
    }
    if (!f.onset || !f.energy) throw new Error('features worker: expected onset and energy, got chroma only');
    return {
      frames: f.frames,
      hopSeconds: f.hopSeconds,
      chroma: f.chroma,
      onset: f.onset,
      energy: f.energy,
      ...(f.notes ? { notes: f.notes } : {}),
    };
  }

  async #features(id: number): Promise<ChromaFeatures> {
    const row = this.#row(id);
    const c = this.#db
      .prepare('SELECT * FROM features WHERE recording_id = ? AND sha256 = ? AND feature_version = ?')
      .get(row.rec_id, row.rec_sha256, FEATURE_PARAMS.version) as
      | {
          sha256: string;
          feature_version: number;
          hop_seconds: number;
          frames: number;
          chroma: Buffer;
          onset: Buffer | null;
          energy: Buffer | null;
          notes: Buffer | null;
        }
      | undefined;
    if (c) {
      const out: ChromaFeatures = {
        sha256: c.sha256,
        featureVersion: c.feature_version,
        hopSeconds: c.hop_seconds,
        frames: c.frames,
        chroma: blobToFloat32(c.chroma),
      };
      if (c.onset && c.energy) {
        out.onset = blobToFloat32(c.onset);
        out.energy = blobToFloat32(c.energy);
      }
      if (c.notes) out.notes = dequantiseNotes(c.notes);
      return out;
    }
    const { path } = await this.recordingFile(id);
    const f = await this.#d.runner.run({ task: 'features', audioPath: path });
    this.#checkSameRecording(row, f.sha256);
    this.#storeFeatures(row.rec_id, f);
    return f;
  }

  /** The matrix view's similarity image, from cached recording features (computed once if missing). */
  async matrix(id: number, opts: MatrixOptions): Promise<MatrixImage> {
    const features = await this.#features(id);
    const score = this.#scoreBytes(id);
    return this.#d.runner.run({
      task: 'matrix',
      features,
      scoreBytes: score.bytes,
      scoreName: score.name,
      width: opts.width,
      height: opts.height,
    });
  }

  /** Saves the editor's view state (not counted as an edit: `updated_at` is unchanged). */
  saveView(id: number, state: ViewState): void {
    this.#row(id);
    this.#db
      .prepare(
        'INSERT INTO view_state (project_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      )
      .run(id, JSON.stringify(state), Date.now());
  }

  /** Saves the practice settings, replacing the previous ones in one statement (not counted as an edit). */
  savePractice(id: number, settings: PracticeSettings): void {
    this.#row(id);
    this.#db
      .prepare(
        'INSERT INTO practice_settings (project_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at',
      )
      .run(id, JSON.stringify(settings), Date.now());
  }

  /** Writes an alignment (latest, or `alignmentId`) in `format` to `destPath` atomically. */
  async exportAlignment(
    id: number,
    format: ExportFormat,
    destPath: string,
    alignmentId?: number,
  ): Promise<{ path: string; bytes: number }> {
    const row = this.#row(id);
    let aid = alignmentId;
    if (aid === undefined) {
      const latest = this.listAlignments(id)[0];
      if (!latest)
        throw new AccordError(
          'not-found',
          `project ${id} has no alignment to export: run the alignment first`,
        );
      aid = latest.id;
    }
    const alignment = this.getAlignment(aid);
    if (alignment.projectId !== id)
      throw new AccordError(
        'invalid-argument',
        `alignment ${aid} belongs to project ${alignment.projectId}, expected one of project ${id}`,
      );
    const { name, bytes } = this.#scoreBytes(id);
    const score = await this.#parsed(row.score_sha256, bytes, name);
    const data = writeFormat(format, alignment.path, score.score, {
      audio: { name: row.rec_name, sha256: row.rec_sha256 },
      score: { name: row.score_name, sha256: row.score_sha256 },
    });
    await writeFileAtomic(destPath, data);
    return { path: destPath, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
  }
}

async function parseScore(
  bytes: Uint8Array,
  name: string,
  runner?: TaskRunner,
): Promise<{ score: Score; musicxml?: string }> {
  try {
    // MIDI parses in milliseconds; notated formats (verovio, ~1–2 s) go to a worker so the main
    // thread never stalls.
    if (
      runner &&
      extname(name).toLowerCase() in SCORE_EXTENSIONS &&
      SCORE_EXTENSIONS[extname(name).toLowerCase()] !== 'midi'
    ) {
      return await runner.run({ task: 'score', scoreBytes: bytes, scoreName: name });
    }
    const { score, musicxml } = await loadScoreBytes(bytes, name);
    return musicxml === undefined ? { score } : { score, musicxml };
  } catch (err) {
    if (err instanceof ScoreLoadError)
      throw new AccordError(err.code === 'unknown-format' ? 'unsupported' : 'invalid-argument', err.message);
    throw err;
  }
}
