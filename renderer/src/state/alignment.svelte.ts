import type { Score } from '../../../shared/score';
import type { AccordApi, AlignmentRecord, MatrixImage, Peaks, ProjectDetail, RunMethod } from '../lib/api';
import { errorMessage } from '../lib/api';
import type { ExportFormat } from '../../../shared/ipc';
import { EXPORT_FORMAT_NAMES, PROJECT_FILE_SAVE_FORMAT } from '../../../shared/ipc';
import { PROJECT_FILE_EXTENSION } from '../../../shared/projectFile';
import { EXPORT_FORMATS } from '../../../shared/formats/index';
import { nearest, perfTimesOf, scoreTimeAt } from '../lib/timeline';
import { localStore } from '../lib/storage';

/** A running alignment job as the progress bar shows it. */
export interface JobView {
  /** Empty until main answered `alignment:run`. */
  jobId: string;
  stage: string;
  /** 0..1 */
  fraction: number;
}

/** Where the export format last chosen is kept between sessions (`localStorage`). */
export const EXPORT_FORMAT_KEY = 'accord.exportFormat';

/** The export format last chosen, from `storage`; CSV when none (or not a format any more). */
export function storedExportFormat(storage: Pick<Storage, 'getItem'> | undefined): ExportFormat {
  const v = storage?.getItem(EXPORT_FORMAT_KEY);
  return (EXPORT_FORMAT_NAMES as readonly string[]).includes(v ?? '') ? (v as ExportFormat) : 'csv';
}

/** Matrix image size requested from main (columns × rows). */
export const MATRIX_REQUEST = { width: 1024, height: 512 } as const;

/** Performance marks of `open()` (read by e2e/bench.ts). */
export const OPEN_START_MARK = 'accord:open-start';
/** Set when `project:get` answered. */
export const DETAIL_LOADED_MARK = 'accord:detail-loaded';
/** Set when the peaks arrived. */
export const PEAKS_LOADED_MARK = 'accord:peaks-loaded';

/** Waveform peaks per second for a recording of `durationSeconds` (bounded payload for long recordings). */
export function peaksPerSecond(durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 100;
  return Math.max(10, Math.min(200, Math.floor(400_000 / durationSeconds)));
}

/** Cache of one open project's data (detail, peaks, matrix) and of its alignment job. */
export class AlignmentState {
  #detail = $state.raw<ProjectDetail | null>(null);
  #peaks = $state.raw<Peaks | null>(null);
  #matrix = $state.raw<MatrixImage | null>(null);
  #job = $state<JobView | null>(null);
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);
  #warnings = $state.raw<readonly string[]>([]);
  #exportFormat = $state<ExportFormat>(storedExportFormat(localStore()));
  #api: AccordApi;
  #unsubscribe: (() => void)[] = [];

  constructor(api: AccordApi) {
    this.#api = api;
    this.#unsubscribe.push(
      // Re-alignment jobs of edits belong to the corrections panel; their versions arrive with `project:changed`.
      api.on('job:progress', (p) => {
        if (p.projectId !== this.projectId || p.kind !== 'alignment') return;
        this.#job = { jobId: p.jobId, stage: p.stage, fraction: Math.min(1, Math.max(0, p.fraction)) };
      }),
      api.on('job:done', ({ projectId, kind, result }) => {
        if (projectId !== this.projectId || kind !== 'alignment') return;
        this.#job = null;
        this.#notice = null;
        this.#warnings = result.warnings;
        void this.reload();
      }),
      api.on('job:failed', ({ projectId, kind, error }) => {
        if (projectId !== this.projectId || kind !== 'alignment') return;
        this.#job = null;
        if (error.code === 'cancelled') this.#notice = 'Alignment cancelled.';
        else this.#error = `Alignment failed: ${error.message}`;
        void this.reload();
      }),
      api.on('project:changed', ({ projectId }) => {
        if (projectId === this.projectId && !this.#job) void this.reload();
      }),
    );
  }

  /** Id of the open project, null when none. */
  get projectId(): number | null {
    return this.#detail?.project.id ?? null;
  }
  /** Everything main returned for the open project. */
  get detail(): ProjectDetail | null {
    return this.#detail;
  }
  /** The parsed score. */
  get score(): Score | null {
    return this.#detail?.score ?? null;
  }
  /** The latest alignment, null until aligned. */
  get alignment(): AlignmentRecord | null {
    return this.#detail?.alignment ?? null;
  }
  /** Waveform peaks. */
  get peaks(): Peaks | null {
    return this.#peaks;
  }
  /** The similarity matrix image, null until available. */
  get matrix(): MatrixImage | null {
    return this.#matrix;
  }
  /** The running alignment job (`alignment:run`; not the re-alignments of edits). */
  get job(): JobView | null {
    return this.#job;
  }
  /** The last failure as a message for the user. */
  get error(): string | null {
    return this.#error;
  }
  /** A neutral message (e.g. cancelled). */
  get notice(): string | null {
    return this.#notice;
  }
  /** The export format last chosen (the Export button's list and the menu's Ctrl+E use it). */
  get exportFormat(): ExportFormat {
    return this.#exportFormat;
  }
  set exportFormat(format: ExportFormat) {
    this.#exportFormat = format;
    try {
      localStore()?.setItem(EXPORT_FORMAT_KEY, format);
    } catch {
      // a full or disabled storage only loses the memory of the choice
    }
  }
  /** Warnings of the last finished alignment job (e.g. the model is missing: aligned without it). */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /**
   * Opens project `id`: fetches the detail and the peaks (in parallel when `durationHint`, the
   * recording's duration from the project list, is known). Returns false (and sets `error`) on failure.
   */
  async open(id: number, durationHint?: number): Promise<boolean> {
    this.close();
    try {
      performance.mark(OPEN_START_MARK);
      // the peaks need only the duration: take it from the list (cheap) so they load while main verifies the project
      const duration = durationHint
        ? Promise.resolve(durationHint)
        : this.#api.project.list().then((l) => l.find((p) => p.id === id)?.durationSeconds);
      const early = duration.then((d) =>
        d
          ? {
              pps: peaksPerSecond(d),
              peaks: this.#api.recording.peaks(id, { pointsPerSecond: peaksPerSecond(d) }),
            }
          : null,
      );
      // a rejected early request must not go unhandled while the detail loads; the sequential path reports errors
      early.then((e) => e?.peaks.catch(() => undefined)).catch(() => undefined);
      const detail = await this.#api.project.get(id);
      performance.mark(DETAIL_LOADED_MARK);
      const pps = peaksPerSecond(detail.recording.durationSeconds);
      const pre = await early.catch(() => null);
      const loadPeaks = () =>
        pre && pre.pps === pps ? pre.peaks : this.#api.recording.peaks(id, { pointsPerSecond: pps });
      // a missing recording (status needs-relink) still opens: the editor offers to locate it
      const peaks = detail.recording.available ? await loadPeaks() : await loadPeaks().catch(() => null);
      performance.mark(PEAKS_LOADED_MARK);
      this.#detail = detail;
      this.#peaks = peaks;
      const running = (await this.#api.job.list()).find((j) => j.projectId === id && j.kind === 'alignment');
      if (running) this.#job = { jobId: running.jobId, stage: running.stage, fraction: running.fraction };
      // The matrix image comes later: main computes it on the first open of an alignment (1.9 s for
      // 60 minutes), and the waveform, the score and the path need none of it.
      void this.#loadMatrix();
      return true;
    } catch (e) {
      this.#error = errorMessage(e);
      return false;
    }
  }

  /** Re-fetches the open project's detail (after a job or an outside change). */
  async reload(): Promise<void> {
    const id = this.projectId;
    if (id === null) return;
    try {
      const detail = await this.#api.project.get(id);
      if (this.projectId !== id) return;
      this.#detail = detail;
      await this.#loadMatrix();
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  /** Forgets the open project. */
  close(): void {
    this.#detail = null;
    this.#peaks = null;
    this.#matrix = null;
    this.#job = null;
    this.#error = null;
    this.#notice = null;
    this.#warnings = [];
  }

  /** Starts an alignment job with `method` (main's default when omitted). */
  async align(method?: RunMethod): Promise<void> {
    const id = this.projectId;
    if (id === null || this.#job) return;
    this.#error = null;
    this.#notice = null;
    this.#warnings = [];
    this.#job = { jobId: '', stage: 'starting', fraction: 0 };
    try {
      const { jobId } = method
        ? await this.#api.alignment.run(id, method)
        : await this.#api.alignment.run(id);
      if (this.#job && !this.#job.jobId) this.#job = { ...this.#job, jobId };
    } catch (e) {
      this.#job = null;
      this.#error = errorMessage(e);
    }
  }

  /** Cancels the running job. */
  async cancel(): Promise<void> {
    const jobId = this.#job?.jobId;
    if (!jobId) return;
    try {
      await this.#api.job.cancel(jobId);
    } catch (e) {
      this.#error = errorMessage(e);
    }
  }

  /** Asks main for the moved recording (open dialog) and points the project at it; main checks it is the same file. */
  async relink(): Promise<void> {
    const id = this.projectId;
    if (id === null) return;
    try {
      const path = await this.#api.dialog.open({ kind: 'recording', title: 'Locate the recording' });
      if (path === null) return;
      await this.#api.project.relink(id, path);
      this.#error = null;
      await this.reload();
      const d = this.#detail;
      if (d && !this.#peaks) {
        this.#peaks = await this.#api.recording.peaks(id, {
          pointsPerSecond: peaksPerSecond(d.recording.durationSeconds),
        });
      }
    } catch (e) {
      this.#error = `Relink failed: ${errorMessage(e)}`;
    }
  }

  /** Asks main for a destination (save dialog) and writes the latest alignment as `format` (default: the format last chosen) there. */
  async exportAs(format: ExportFormat = this.#exportFormat): Promise<void> {
    const d = this.#detail;
    if (!d?.alignment) return;
    try {
      const base = d.project.title.replace(/[\\/:*?"<>|]+/g, '_');
      const dest = await this.#api.dialog.save({
        format,
        defaultName: base + EXPORT_FORMATS[format].extension,
      });
      if (dest === null) return;
      const out = await this.#api.export.alignment(d.project.id, format, dest);
      this.#error = null;
      this.#notice = `Exported ${EXPORT_FORMATS[format].label} to ${out.path}`;
    } catch (e) {
      this.#error = `Export failed: ${errorMessage(e)}`;
    }
  }

  /** Asks main for a destination (save dialog) and saves the open project there as a `.accord` project file. */
  async saveProjectFile(): Promise<void> {
    const d = this.#detail;
    if (!d) return;
    try {
      const base = d.project.title.replace(/[\\/:*?"<>|]+/g, '_');
      const dest = await this.#api.dialog.save({
        format: PROJECT_FILE_SAVE_FORMAT,
        defaultName: base + PROJECT_FILE_EXTENSION,
      });
      if (dest === null) return;
      const out = await this.#api.projectfile.save(d.project.id, dest);
      this.#error = null;
      this.#notice = `Saved the project file ${out.path}`;
    } catch (e) {
      this.#error = `Saving the project file failed: ${errorMessage(e)}`;
    }
  }

  /** Clears the error and notice messages. */
  dismiss(): void {
    this.#error = null;
    this.#notice = null;
  }

  /** Clears the last job's warnings. */
  dismissWarnings(): void {
    this.#warnings = [];
  }

  /** Score seconds at performance time `perfSeconds`; null before alignment. */
  scoreTimeAt(perfSeconds: number): number | null {
    const a = this.alignment;
    return a ? scoreTimeAt(a.path, perfSeconds) : null;
  }

  /** Performance seconds where one of `scoreSeconds` is played, the pass nearest `playheadSeconds`; null before alignment. */
  perfTimeOf(scoreSeconds: readonly number[], playheadSeconds: number): number | null {
    const a = this.alignment;
    if (!a) return null;
    return (
      nearest(
        scoreSeconds.flatMap((t) => perfTimesOf(a.path, t)),
        playheadSeconds,
      ) ?? null
    );
  }

  /** Stops listening to main. */
  destroy(): void {
    for (const fn of this.#unsubscribe.splice(0)) fn();
  }

  async #loadMatrix(): Promise<void> {
    const id = this.projectId;
    if (id === null || !this.alignment) {
      this.#matrix = null;
      return;
    }
    try {
      const m = await this.#api.alignment.matrix(id, { ...MATRIX_REQUEST });
      if (this.projectId === id) this.#matrix = m;
    } catch (e) {
      // the path view still works without the image; say why it is missing
      this.#matrix = null;
      this.#notice = `Similarity matrix unavailable: ${errorMessage(e)}`;
    }
  }
}
