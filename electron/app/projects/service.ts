/**
 * Projects: a recording (path, size, mtime, sha256, duration, cached peaks and features) plus a
 * score whose bytes live in the database, with versioned alignments and editor state.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
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
  type ProjectFileOpened,
  type ProjectSummary,
  type RecordingInfo,
  type RunMethod,
  type ScoreInfo,
  type PracticeSettings,
  type ViewState,
} from '../../../shared/ipc.js';
import type { AlignmentPath } from '../../../shared/path.js';
import type { Score, ScoreFormat } from '../../../shared/score.js';
import type { Features } from '../../../shared/dsp/features.js';
import type { Corrections } from '../../../shared/edit/index.js';
import { BASE_PEAKS_PER_SECOND } from '../../engine/peaks.js';
import type { Db } from '../db/database.js';
import type { Emit, JobService, TaskRunner } from '../jobs.js';
import type { ChromaFeatures, EditInputs } from '../workers/protocol.js';
import { FEATURE_PARAMS } from '../../../shared/dsp/params.js';
import {
  MatrixCache,
  ScoreCache,
  cachedFeatureRow,
  cachedFeatures,
  cachedPeaks,
  storeFeatures,
  storePeaks,
} from './cache.js';
import { fullFeaturesFromRow, type FeatureRow } from './featureRow.js';
import { exportAlignment } from './export.js';
import { openProjectFile, saveProjectFile } from './projectFile.js';
import { checkAudioExtension, recordingChangedError, recordingUnchanged, sha256File } from './files.js';
import {
  type ProjectRow,
  deleteProject,
  duplicateProject,
  insertProject,
  loadPractice,
  loadViewState,
  projectRow,
  projectRows,
  relinkRecording,
  renameProject,
  savePracticeSettings,
  saveViewState,
  scoreBytes,
  setLastError,
  setRecordingAvailable,
  setRecordingMtime,
  touchProject,
} from './store.js';
import { projectSummary } from './summary.js';
import * as versions from './versions.js';

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

/** The project store and the operations behind the `project:*`, `recording:*`, `alignment:*`, `view:*`, `practice:*` and `export:*` channels. */
export class ProjectService {
  readonly #d: ProjectServiceDeps;
  readonly #scores: ScoreCache;
  readonly #matrices = new MatrixCache();

  constructor(deps: ProjectServiceDeps) {
    this.#d = deps;
    this.#scores = new ScoreCache(deps.runner);
  }

  get #db(): Db {
    return this.#d.db;
  }

  #summary(row: ProjectRow): ProjectSummary {
    return projectSummary(this.#db, row, this.#d.jobs.isRunning(row.id));
  }

  /** Recent projects, last edited first. */
  list(): ProjectSummary[] {
    return projectRows(this.#db).map((r) => this.#summary(r));
  }

  /** One project's summary. */
  summary(id: number): ProjectSummary {
    return this.#summary(projectRow(this.#db, id));
  }

  /** Creates a project: copies the score's bytes in, analyzes the recording in a worker (hash, duration, peaks). */
  async create(args: CreateProjectArgs): Promise<ProjectSummary> {
    checkAudioExtension(args.recordingPath);
    const scoreBytes = new Uint8Array(await fs.readFile(args.scorePath));
    const scoreSha256 = createHash('sha256').update(scoreBytes).digest('hex');
    const score = await this.#scores.get(scoreSha256, scoreBytes, basename(args.scorePath));
    const stat = await fs.stat(args.recordingPath);
    const analysis = await this.#d.runner.run({
      task: 'analyze',
      audioPath: args.recordingPath,
      pointsPerSecond: BASE_PEAKS_PER_SECOND,
    });
    const title =
      args.title ?? score.score.title ?? basename(args.recordingPath, extname(args.recordingPath));
    const id = insertProject(this.#db, {
      title,
      recordingPath: args.recordingPath,
      recordingStat: stat,
      analysis,
      scorePath: args.scorePath,
      scoreFormat: score.score.format,
      scoreSha256,
      scoreBytes,
    });
    return this.summary(id);
  }

  /**
   * Checks the recording on disk: same size and mtime → fine; otherwise re-hash, and an equal
   * hash just records the new mtime. Missing or different bytes → `available = 0` (needs relink).
   */
  async verifyRecording(id: number): Promise<boolean> {
    const row = projectRow(this.#db, id);
    const ok = await recordingUnchanged(row, (mtimeMs) => setRecordingMtime(this.#db, row.rec_id, mtimeMs));
    if (ok !== Boolean(row.available)) {
      setRecordingAvailable(this.#db, row.rec_id, ok);
      this.#d.emit('project:changed', { projectId: id });
    }
    return ok;
  }

  /** Opens a project: verifies the recording, parses the stored score, loads the latest alignment and view state. */
  async get(id: number): Promise<ProjectDetail> {
    await this.verifyRecording(id);
    const row = projectRow(this.#db, id);
    const { name, bytes } = scoreBytes(this.#db, id);
    const score = await this.#scores.get(row.score_sha256, bytes, name);
    const alignments = this.listAlignments(id);
    const viewState = loadViewState(this.#db, id);
    const practice = loadPractice(this.#db, id);
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
    renameProject(this.#db, id, title);
    return this.summary(id);
  }

  /** Copies a project with everything it holds (alignments keep their versions and parents). */
  duplicate(id: number): ProjectSummary {
    return this.summary(duplicateProject(this.#db, projectRow(this.#db, id)));
  }

  /** Deletes a project and everything it holds from the database (files on disk are untouched). */
  delete(id: number): void {
    if (this.#d.jobs.isRunning(id))
      throw new AccordError('busy', `project ${id} has an alignment running: cancel it first`);
    deleteProject(this.#db, id);
  }

  /** Writes the project to a `.accord` project file at `destPath`, atomically (docs/project-file.md). */
  saveFile(id: number, destPath: string): Promise<{ path: string; bytes: number }> {
    return saveProjectFile(this.#db, id, destPath);
  }

  /** Opens a `.accord` project file: a new project, or the library's project with the file's identity, unchanged. */
  async openFile(path: string): Promise<ProjectFileOpened> {
    const r = await openProjectFile(this.#db, path);
    if (!r.existing) this.#d.emit('project:changed', { projectId: r.projectId });
    return { project: this.summary(r.projectId), existing: r.existing, recordingMissing: r.recordingMissing };
  }

  /** Points the project at `newPath` after checking its bytes hash to the stored sha256. */
  async relink(id: number, newPath: string): Promise<ProjectSummary> {
    const row = projectRow(this.#db, id);
    checkAudioExtension(newPath);
    const st = await fs.stat(newPath);
    const hash = await sha256File(newPath);
    if (hash !== row.rec_sha256) {
      throw new AccordError(
        'hash-mismatch',
        `${newPath}: expected the recording with sha256 ${row.rec_sha256.slice(0, 12)}… (${row.size_bytes} bytes), got sha256 ${hash.slice(0, 12)}… (${st.size} bytes)`,
      );
    }
    relinkRecording(this.#db, row.rec_id, newPath, st);
    touchProject(this.#db, id);
    this.#d.emit('project:changed', { projectId: id });
    return this.summary(id);
  }

  /** The recording file to stream, after verifying it (throws `file-changed` when it needs relinking). */
  async recordingFile(id: number): Promise<{ path: string; sizeBytes: number; name: string }> {
    if (!(await this.verifyRecording(id))) {
      const row = projectRow(this.#db, id);
      throw new AccordError(
        'file-changed',
        `recording ${row.rec_path}: expected the file with sha256 ${row.rec_sha256.slice(0, 12)}…, it is missing or changed: relink it`,
      );
    }
    const row = projectRow(this.#db, id);
    return { path: row.rec_path, sizeBytes: row.size_bytes, name: row.rec_name };
  }

  /** Waveform peaks at `pointsPerSecond`: from the cache (pooled from a finer rate) or computed once in a worker and cached. */
  async peaks(id: number, opts: PeaksOptions): Promise<Peaks> {
    const row = projectRow(this.#db, id);
    const pps = opts.pointsPerSecond;
    const cached = cachedPeaks(this.#db, row.rec_id, row.rec_sha256, pps);
    if (cached) return cached;
    const { path } = await this.recordingFile(id);
    const r = await this.#d.runner.run({ task: 'peaks', audioPath: path, pointsPerSecond: pps });
    this.#checkSameRecording(row, r.sha256);
    storePeaks(this.#db, row.rec_id, r.sha256, pps, r.durationSeconds, r.peaks);
    return { pointsPerSecond: pps, durationSeconds: r.durationSeconds, max: r.peaks };
  }

  #checkSameRecording(row: ProjectRow, sha256: string): void {
    if (sha256 !== row.rec_sha256) {
      setRecordingAvailable(this.#db, row.rec_id, false);
      this.#d.emit('project:changed', { projectId: row.id });
      throw recordingChangedError(row, sha256);
    }
  }

  /** Starts an alignment job; the new version is stored when it finishes. */
  async runAlignment(id: number, method: RunMethod = 'auto'): Promise<{ jobId: string }> {
    const { path: audioPath } = await this.recordingFile(id);
    const score = scoreBytes(this.#db, id);
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
        const row = projectRow(this.#db, id);
        this.#checkSameRecording(row, r.features.sha256);
        const stored = this.#db.transaction(() => {
          storeFeatures(this.#db, row.rec_id, r.features);
          setLastError(this.#db, id, null);
          return this.addAlignment(id, r.path, 'automatic');
        })();
        return {
          alignmentId: stored.id,
          version: stored.version,
          timings: r.timings,
          warnings: r.warnings,
        };
      } catch (err) {
        if (!signal.aborted) setLastError(this.#db, id, AccordError.from(err).message);
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
    return versions.addAlignment(this.#db, id, path, kind, parentId, corrections);
  }

  /** Alignment versions, newest first. */
  listAlignments(id: number): AlignmentSummary[] {
    return versions.listAlignments(this.#db, id);
  }

  /** One alignment version with its path. */
  getAlignment(aid: number): AlignmentRecord {
    return versions.getAlignment(this.#db, aid);
  }

  /** The corrections stored with alignment `aid` (null when it was made without any: automatic runs, imports). */
  alignmentCorrections(aid: number): Corrections | null {
    return versions.alignmentCorrections(this.#db, aid);
  }

  /** The parsed score of a project. */
  async score(id: number): Promise<Score> {
    const row = projectRow(this.#db, id);
    const { name, bytes } = scoreBytes(this.#db, id);
    return (await this.#scores.get(row.score_sha256, bytes, name)).score;
  }

  /** The stored features row of the recording with onsets and energy: from the cache, else computed in a worker and cached first. */
  async #fullFeatureRow(id: number): Promise<FeatureRow> {
    const row = projectRow(this.#db, id);
    let r = cachedFeatureRow(this.#db, row.rec_id, row.rec_sha256);
    if (!r?.onset || !r.energy) {
      const { path } = await this.recordingFile(id);
      const f = await this.#d.runner.run({ task: 'features', audioPath: path });
      this.#checkSameRecording(row, f.sha256);
      storeFeatures(this.#db, row.rec_id, f);
      r = cachedFeatureRow(this.#db, row.rec_id, row.rec_sha256);
    }
    if (!r?.onset || !r.energy)
      throw new Error('features worker: expected onset and energy, got chroma only');
    return r;
  }

  /** Full recording features for re-alignment: from the cache when it holds onsets and energy, else computed in a worker and cached. */
  async editFeatures(id: number): Promise<Features> {
    return fullFeaturesFromRow(await this.#fullFeatureRow(id), `project ${id}'s feature cache`);
  }

  /** What the inputs of project `id`'s re-alignments are: recording sha256 | score sha256 | feature version. */
  editInputsKey(id: number): string {
    const row = projectRow(this.#db, id);
    return `${row.rec_sha256}|${row.score_sha256}|${FEATURE_PARAMS.version}`;
  }

  /** The inputs of project `id`'s re-alignments as the edit worker takes them: the stored features row (undecoded) and the parsed score. */
  async editInputs(id: number): Promise<EditInputs> {
    const key = this.editInputsKey(id);
    const perf = await this.#fullFeatureRow(id);
    const score = await this.score(id);
    return {
      key,
      perf,
      scoreNotes: score.notes,
      scoreDuration: score.duration,
      scoreBeats: score.beats.map((b) => b.time),
      jumpPointsSeconds: score.jumpPoints,
    };
  }

  async #features(id: number): Promise<ChromaFeatures> {
    const row = projectRow(this.#db, id);
    const cached = cachedFeatures(this.#db, row.rec_id, row.rec_sha256);
    if (cached) return cached;
    const { path } = await this.recordingFile(id);
    const f = await this.#d.runner.run({ task: 'features', audioPath: path });
    this.#checkSameRecording(row, f.sha256);
    storeFeatures(this.#db, row.rec_id, f);
    return f;
  }

  /** The matrix view's similarity image, from cached recording features (computed once if missing); made once per recording, score, feature version and size. */
  matrix(id: number, opts: MatrixOptions): Promise<MatrixImage> {
    const row = projectRow(this.#db, id);
    return this.#matrices.get(row.rec_sha256, row.score_sha256, opts.width, opts.height, async () => {
      const features = await this.#features(id);
      const score = scoreBytes(this.#db, id);
      return this.#d.runner.run({
        task: 'matrix',
        features,
        scoreBytes: score.bytes,
        scoreName: score.name,
        width: opts.width,
        height: opts.height,
      });
    });
  }

  /** Saves the editor's view state (not counted as an edit: `updated_at` is unchanged). */
  saveView(id: number, state: ViewState): void {
    projectRow(this.#db, id);
    saveViewState(this.#db, id, state);
  }

  /** Saves the practice settings, replacing the previous ones in one statement (not counted as an edit). */
  savePractice(id: number, settings: PracticeSettings): void {
    projectRow(this.#db, id);
    savePracticeSettings(this.#db, id, settings);
  }

  /** Writes an alignment (latest, or `alignmentId`) in `format` to `destPath` atomically. */
  exportAlignment(
    id: number,
    format: ExportFormat,
    destPath: string,
    alignmentId?: number,
  ): Promise<{ path: string; bytes: number }> {
    return exportAlignment(this.#db, this.#scores, id, format, destPath, alignmentId);
  }
}
