/** The domain types and value lists the IPC channels carry (projects, recordings, alignments, practice, jobs). */
import type { Score, ScoreFormat } from '../score.js';
import type { AlignMethod, AlignmentPath } from '../path.js';
import type { ExportFormat, ImportFormat } from '../formats/common.js';
import type { Corrections, RegionKind } from '../edit/index.js';
import { CORRECTION_OP_TYPES } from '../edit/history.js';
import type { Engraving } from '../pages/model.js';
import type { Box, LinkedScanMeasure, ScanSystem } from '../pages/scan/model.js';

export type { ExportFormat } from '../formats/common.js';

/** Project status shown in the recent list. */
export type ProjectStatus =
  /** No alignment yet. */
  | 'new'
  /** An alignment job is running. */
  | 'aligning'
  /** Latest alignment is automatic. */
  | 'aligned'
  /** Latest alignment was edited by hand. */
  | 'edited'
  /** Latest alignment is marked reviewed. */
  | 'reviewed'
  /** The last alignment job failed (and none exists). */
  | 'failed'
  /** The recording moved or changed on disk: `project:relink` it. */
  | 'needs-relink';

/** How an alignment version was made. */
export const ALIGNMENT_KINDS = ['automatic', 'edited', 'reviewed', 'imported'] as const;
/** One of `ALIGNMENT_KINDS`. */
export type AlignmentKind = (typeof ALIGNMENT_KINDS)[number];

/** Methods `alignment:run` accepts (the subset of `AlignMethod` that computes a path). */
export const RUN_METHODS = ['auto', 'dtw', 'jump', 'neural'] as const;
/** One of `RUN_METHODS`. */
export type RunMethod = (typeof RUN_METHODS)[number];

/** Export formats `export:alignment` accepts: every `ExportFormat` of `shared/formats` (labels and extensions: its `EXPORT_FORMATS`). */
export const EXPORT_FORMAT_NAMES = [
  'csv',
  'json',
  'asap',
  'audacity',
  'svl',
  'midi',
] as const satisfies readonly ExportFormat[];
// Compile-time check that the list above names every format of shared/formats.
const _allFormatsListed: Exclude<ExportFormat, (typeof EXPORT_FORMAT_NAMES)[number]> extends never
  ? true
  : never = true;
void _allFormatsListed;

/** Formats `alignment:import` reads (those of `shared/formats` `IMPORT_FORMATS`). */
export const IMPORT_FORMAT_NAMES = ['csv', 'json', 'asap'] as const satisfies readonly ImportFormat[];

/** Region kinds a `mark-region` op may carry. */
export const REGION_KINDS = [
  'repeat-taken',
  'repeat-skipped',
  'not-in-score',
  'checked',
] as const satisfies readonly RegionKind[];

/** Edit op types the renderer may send to `corrections:apply` (`restore-version` goes through `alignment:restore`). */
export const APPLY_OP_TYPES = CORRECTION_OP_TYPES;

/** Views of the editor's main area. */
export const VIEW_KINDS = ['waveform', 'score', 'matrix', 'pianoroll', 'pages'] as const;
/** One of `VIEW_KINDS`. */
export type ViewKind = (typeof VIEW_KINDS)[number];

/** A row of the recent-projects list. */
export interface ProjectSummary {
  id: number;
  title: string;
  /** File name of the score as imported. */
  scoreName: string;
  /** File name of the recording. */
  recordingName: string;
  /** Recording duration, seconds. */
  durationSeconds: number;
  /** Creation time, ms since epoch. */
  createdAt: number;
  /** Last edit (anything saved), ms since epoch. */
  updatedAt: number;
  status: ProjectStatus;
  /** Fraction 0..1 of the recording covered by review marks. */
  checkedFraction: number;
}

/** The recording as stored in the project. */
export interface RecordingInfo {
  /** Absolute path on disk. */
  path: string;
  /** File name. */
  name: string;
  sizeBytes: number;
  /** Modification time, ms since epoch, when last verified. */
  mtimeMs: number;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
  durationSeconds: number;
  /** Sample rate of the file. */
  sampleRate: number;
  channels: number;
  /** URL the renderer's `<audio>` plays (`accord-media://…` in the app, `http://127.0.0.1…` in the bridge); supports HTTP Range. */
  mediaUrl: string;
  /** False when the file is missing or differs from what was stored (status `needs-relink`). */
  available: boolean;
}

/** The score as stored in the project (its bytes live in the database). */
export interface ScoreInfo {
  /** File name as imported. */
  name: string;
  /** Path it was imported from (may no longer exist; the project does not need it). */
  originalPath: string;
  format: ScoreFormat;
  sizeBytes: number;
  /** Hex sha256 of the score's bytes. */
  sha256: string;
}

/** An alignment version without its path. */
export interface AlignmentSummary {
  id: number;
  projectId: number;
  /** 1, 2, … per project. */
  version: number;
  kind: AlignmentKind;
  method: AlignMethod;
  modelVersion?: string;
  /** ms since epoch. */
  createdAt: number;
  /** The version it was derived from (edits, reviews). */
  parentId?: number;
}

/** An alignment version with its path. */
export interface AlignmentRecord extends AlignmentSummary {
  path: AlignmentPath;
}

/** Per-project editor state. */
export interface ViewState {
  /** Playhead, performance seconds. */
  playheadSeconds: number;
  /** Horizontal zoom, pixels per second. */
  pixelsPerSecond: number;
  /** Horizontal scroll, performance seconds at the left edge. */
  scrollSeconds: number;
  selectedView: ViewKind;
}

/** Playback speed limits of practice mode, percent of the recording's tempo. */
export const PRACTICE_SPEED_MIN = 25;
/** Playback speed limits of practice mode, percent of the recording's tempo. */
export const PRACTICE_SPEED_MAX = 150;

/** An A–B loop of the recording. */
export interface PracticeLoop {
  /** A, performance seconds. */
  startSeconds: number;
  /** B, performance seconds (> A). */
  endSeconds: number;
  /** The bars it was typed as (`12-16`), absent for a waveform selection. */
  bars?: string;
}

/** Per-piece practice settings, saved in the project. */
export interface PracticeSettings {
  /** The A–B loop, null when none. */
  loop: PracticeLoop | null;
  /** Seconds played before A on every pass, 0..10. */
  preRollSeconds: number;
  /** Passes before playback stops, 1..999; null = loop until stopped. */
  loopCount: number | null;
  /** Playback speed, percent (`PRACTICE_SPEED_MIN`..`PRACTICE_SPEED_MAX`); pitch is kept. */
  speedPercent: number;
  /** Tempo ramp: +`stepPercent` each loop pass up to `targetPercent`; null when off. */
  ramp: { stepPercent: number; targetPercent: number } | null;
  /** Clicks on the performer's aligned beats. */
  metronome: {
    enabled: boolean;
    /** Gain 0..1. */
    volume: number;
    /** Louder, higher click on the first beat of each bar. */
    accent: boolean;
  };
  /** Clicks before playback starts (at the performer's beat spacing around the start), 0..16. */
  countInBeats: number;
}

/** Everything the editor shows for one project. */
export interface ProjectDetail {
  project: ProjectSummary;
  recording: RecordingInfo;
  scoreInfo: ScoreInfo;
  score: Score;
  /** MusicXML text for notated scores (rendered by the score view); absent for MIDI. */
  musicxml?: string;
  /** The latest alignment version, or null. */
  alignment: AlignmentRecord | null;
  /** All versions, newest first. */
  alignments: AlignmentSummary[];
  viewState: ViewState | null;
  /** Practice settings, null until first saved. */
  practice: PracticeSettings | null;
}

/** Arguments of `project:create`. */
export interface CreateProjectArgs {
  /** Absolute path of an existing audio file. */
  recordingPath: string;
  /** Absolute path of an existing score file (MIDI, MusicXML, …). */
  scorePath: string;
  /** Defaults to the score's title or the recording's file name. */
  title?: string;
}

/** Options of `recording:peaks`. */
export interface PeaksOptions {
  /** Peaks per second of audio, 1..1000. */
  pointsPerSecond: number;
}

/** Waveform peaks for wavesurfer (`peaks: [peaks.max]`, `duration`). */
export interface Peaks {
  pointsPerSecond: number;
  durationSeconds: number;
  /** [ceil(duration·pointsPerSecond)] max |sample| per bucket, 0..1, mono mix. */
  max: Float32Array;
}

/** Options of `alignment:matrix`. */
export interface MatrixOptions {
  /** Columns (performance axis), 1..4096. */
  width: number;
  /** Rows (score axis), 1..4096. */
  height: number;
}

/** A downsampled performance × score similarity image for the matrix view. */
export interface MatrixImage {
  width: number;
  height: number;
  /** [height × width] row-major; row 0 = score start, column 0 = performance start; 255 = most similar. */
  pixels: Uint8Array;
  /** Performance seconds spanned by the width. */
  perfSeconds: number;
  /** Score seconds spanned by the height. */
  scoreSeconds: number;
}

/** What a job does: `alignment` (`alignment:run`), `realign` (re-alignment after an edit, `corrections:*`) or `scan` (reading scanned pages, `scan:import`). */
export const JOB_KINDS = ['alignment', 'realign', 'scan'] as const;
/** One of `JOB_KINDS`. */
export type JobKind = (typeof JOB_KINDS)[number];

/** The state of a job. */
export interface JobInfo {
  jobId: string;
  projectId: number;
  kind: JobKind;
  stage: string;
  /** 0..1 within the whole job. */
  fraction: number;
  /** ms since epoch. */
  startedAt: number;
}

/** What a job produces: the version it stored (`alignment:run`, and the re-alignment jobs of edits). */
export interface AlignmentJobResult {
  alignmentId: number;
  version: number;
  /** Milliseconds per stage (decode, features, align, …; a re-alignment: `worker` computing, `total` until stored). */
  timings: Record<string, number>;
  /** Non-fatal problems the user should know of (e.g. the model is missing and `auto` fell back); empty when none. */
  warnings: string[];
}

/** What a `scan` job produces: the scan it stored (the renderer fetches it with `scan:get`). */
export interface ScanJobResult {
  /** Pages read. */
  pages: number;
  /** Measure boxes found. */
  boxes: number;
  /** What the user should resolve (the `ScanState` warnings); empty when none. */
  warnings: string[];
}

/** What a job of each kind produces. */
export interface JobResults {
  alignment: AlignmentJobResult;
  realign: AlignmentJobResult;
  scan: ScanJobResult;
}

/** What an open dialog asks for. */
export const OPEN_DIALOG_KINDS = ['recording', 'score', 'alignment', 'project', 'scan'] as const;

/** Native file-dialog request. */
export interface OpenDialogArgs {
  /** `alignment`: an alignment file for `alignment:import`; `project`: a `.accord` file for `projectfile:open`; `scan`: PDF, PNG or JPEG files for `scan:import` (`dialog:pages`). */
  kind: (typeof OPEN_DIALOG_KINDS)[number];
  title?: string;
}

/** The save dialog's format for a `.accord` project file (`projectfile:save`). */
export const PROJECT_FILE_SAVE_FORMAT = 'accord-project';

/** Native save-dialog request. */
export interface SaveDialogArgs {
  /** An export format, or `accord-project` for a `.accord` project file. */
  format: ExportFormat | typeof PROJECT_FILE_SAVE_FORMAT;
  /** Suggested file name. */
  defaultName?: string;
}

/** A project's hand corrections and where its undo/redo log stands. */
export interface CorrectionsState {
  corrections: Corrections;
  /** Ops in the log. */
  entries: number;
  /** Ops applied (`entries − cursor` can be redone). */
  cursor: number;
  canUndo: boolean;
  canRedo: boolean;
  /** The project's running `realign` job (an edit's, or one resumed from an earlier session), if any. */
  realignJobId: string | null;
}

/**
 * What an edit (apply, undo, redo, restore, realign) leaves: the corrections (already saved) and the
 * latest alignment; when the path must be re-aligned, the `realign` job doing it, whose version
 * arrives with its `job:done` (a newer edit of the project supersedes it: `job:failed`, `cancelled`).
 */
export interface EditOutcome {
  state: CorrectionsState;
  /** The latest alignment version now (the one the re-alignment job starts from); null while the project has none. */
  alignment: AlignmentRecord | null;
  /** The re-alignment job this edit started; null when the path needs none (an exact undo/redo/restore, a `checked` mark). */
  jobId: string | null;
}

/** A notated score engraved on pages (`score:pages`): the page SVGs and the boxes of systems, measures and notes in page pixels. */
export type ScorePages = Engraving;
export type { PageLayout } from '../pages/model.js';

/** File extensions `scan:import` reads (PDF pages, or one image a file). */
export const SCAN_EXTENSIONS = ['.pdf', '.png', '.jpg', '.jpeg'] as const;

/** Most pages a project's scan may have. */
export const MAX_SCAN_PAGES = 200;

/** One page of a project's scan (its image comes from `scan:page`). */
export interface ScanPageInfo {
  /** 1-based page number within the project's scan. */
  page: number;
  /** Image width in pixels (the boxes' coordinates). */
  width: number;
  height: number;
  /** File name it was imported from. */
  sourceName: string;
  /** 1-based page within that file. */
  sourcePage: number;
  /** The detector's estimate of the page's rotation, degrees. */
  skewDegrees: number;
  /** The staff systems found on the page. */
  systems: ScanSystem[];
}

/** A measure box of the scan, with the id its edits name. */
export interface ScanBox extends LinkedScanMeasure {
  id: number;
}

/** A notated measure of the score, in notated order, that a scan box can link to. */
export interface NotatedMeasure {
  /** Printed number (`ScoreMeasure.number`). */
  number: string;
  /** Indices into `Score.measures` of its passes. */
  passes: number[];
}

/** A project's scanned pages (`scan:get`): pages, measure boxes in reading order, and what does not add up. */
export interface ScanState {
  /** Empty when the project has no scan. */
  pages: ScanPageInfo[];
  /** Boxes in reading order (page, system, left to right). */
  boxes: ScanBox[];
  /** The score's notated measures, in notated order. */
  measures: NotatedMeasure[];
  /** What the user should resolve: count mismatch, measures with no box, boxes with no measure; empty when none. */
  warnings: string[];
}

/** A scanned page's image (`scan:page`). */
export interface ScanPageImage {
  page: number;
  width: number;
  height: number;
  /** Grayscale PNG. */
  png: Uint8Array;
}

/** What `scan:place` / `scan:add` take: a box in page pixels. */
export type ScanBoxRect = Box;

/** Information about the host. */
export interface AppInfo {
  version: string;
  /** `electron` in the app, `bridge` in the browser test bridge. */
  host: 'electron' | 'bridge';
  platform: string;
}

/** What `projectfile:open` did. */
export interface ProjectFileOpened {
  project: ProjectSummary;
  /** True when the library already held the file's project: it is left as it was, and focused. */
  existing: boolean;
  /** True when the recording was found neither beside the file nor at its old path: relink it. */
  recordingMissing: boolean;
}
