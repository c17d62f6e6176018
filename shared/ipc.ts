/**
 * The one typed contract between the main side (Electron main process, or the local test
 * bridge) and the renderer: invoke channels `domain:verb` with their argument and result types,
 * main→renderer events, the error shape that crosses the boundary, and validators for every
 * argument. Pure TypeScript: no Node, no DOM.
 */
import type { Score, ScoreFormat } from './score.js';
import type { AlignMethod, AlignmentPath } from './path.js';
import type { ExportFormat, ImportFormat } from './formats/common.js';
import type { Corrections, EditOp, RegionKind, ReviewRegion } from './edit/index.js';
import { CORRECTION_OP_TYPES } from './edit/history.js';
import { PAGE_LAYOUT_LIMITS, type Engraving, type PageLayout } from './pages/model.js';

export type { ExportFormat } from './formats/common.js';

// ---------------------------------------------------------------- errors

/** Error codes that cross the boundary. */
export const ERROR_CODES = [
  'invalid-argument',
  'not-found',
  'file-missing',
  'file-changed',
  'hash-mismatch',
  'cancelled',
  'busy',
  'unsupported',
  'io',
  'internal',
] as const;
/** One of `ERROR_CODES`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as data. */
export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** What every invoke handler returns over the wire: errors are data, never a bare rejection. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

const ERROR_TAG = /\[accord:([a-z-]+)\] ?/;

/**
 * The error the renderer's `window.accord` calls reject with. Electron's contextBridge keeps
 * only an Error's message, so the code travels inside it as `[accord:<code>] ` and
 * `AccordError.from(e)` recovers it on the other side.
 */
export class AccordError extends Error {
  /** Machine-readable cause. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AccordError';
    this.code = code;
  }
  /** The message with the code tag, as thrown across the contextBridge. */
  toWireMessage(): string {
    return `[accord:${this.code}] ${this.message}`;
  }
  /** The data form. */
  toIpcError(): IpcError {
    return { code: this.code, message: this.message };
  }
  /** Any caught value as an AccordError (parses the `[accord:<code>]` tag; unknown → `internal`). */
  static from(e: unknown): AccordError {
    if (e instanceof AccordError) return e;
    if (isIpcError(e)) return new AccordError(e.code, e.message);
    const raw = e instanceof Error ? e.message : String(e);
    const m = ERROR_TAG.exec(raw);
    if (m && (ERROR_CODES as readonly string[]).includes(m[1])) {
      return new AccordError(m[1] as ErrorCode, raw.slice(m.index + m[0].length));
    }
    return new AccordError('internal', raw);
  }
}

function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as IpcError).message === 'string' &&
    (ERROR_CODES as readonly string[]).includes((e as IpcError).code)
  );
}

// ---------------------------------------------------------------- domain types

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

/** What a job does: `alignment` (`alignment:run`) or `realign` (re-alignment after an edit, `corrections:*`). */
export const JOB_KINDS = ['alignment', 'realign'] as const;
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

/** Native file-dialog request. */
export interface OpenDialogArgs {
  /** `alignment`: an alignment file for `alignment:import`. */
  kind: 'recording' | 'score' | 'alignment';
  title?: string;
}

/** Native save-dialog request. */
export interface SaveDialogArgs {
  format: ExportFormat;
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
export type { PageLayout } from './pages/model.js';

/** Information about the host. */
export interface AppInfo {
  version: string;
  /** `electron` in the app, `bridge` in the browser test bridge. */
  host: 'electron' | 'bridge';
  platform: string;
}

// ---------------------------------------------------------------- channels

/** Invoke channels: arguments tuple and resolved value. */
export interface InvokeChannels {
  'app:info': { args: []; result: AppInfo };
  'project:list': { args: []; result: ProjectSummary[] };
  'project:create': { args: [args: CreateProjectArgs]; result: ProjectSummary };
  /** Opens a project: re-verifies the recording (size/mtime, then hash) and returns everything the views need. */
  'project:get': { args: [projectId: number]; result: ProjectDetail };
  'project:rename': { args: [projectId: number, title: string]; result: ProjectSummary };
  'project:duplicate': { args: [projectId: number]; result: ProjectSummary };
  /** Deletes the project from the database (never the files on disk). */
  'project:delete': { args: [projectId: number]; result: void };
  /** Points the project at a moved recording; fails with `hash-mismatch` if the bytes differ. */
  'project:relink': { args: [projectId: number, recordingPath: string]; result: ProjectSummary };
  'recording:peaks': { args: [projectId: number, options: PeaksOptions]; result: Peaks };
  /** The project's notated score engraved on pages of `layout` (`unsupported` for a MIDI score). */
  'score:pages': { args: [projectId: number, layout: PageLayout]; result: ScorePages };
  /** Starts an alignment job; progress and the outcome arrive as `job:*` events. */
  'alignment:run': { args: [projectId: number, method?: RunMethod]; result: { jobId: string } };
  'alignment:list': { args: [projectId: number]; result: AlignmentSummary[] };
  'alignment:get': { args: [alignmentId: number]; result: AlignmentRecord };
  'alignment:matrix': { args: [projectId: number, options: MatrixOptions]; result: MatrixImage };
  /** Cancels a running job; false when it already finished. */
  'job:cancel': { args: [jobId: string]; result: boolean };
  'job:list': { args: []; result: JobInfo[] };
  'view:save': { args: [projectId: number, state: ViewState]; result: void };
  /** Stores the project's practice settings (replacing the previous ones). */
  'practice:save': { args: [projectId: number, settings: PracticeSettings]; result: void };
  /** Writes the latest alignment (or `alignmentId`) to `destPath` atomically. */
  'export:alignment': {
    args: [projectId: number, format: ExportFormat, destPath: string, alignmentId?: number];
    result: { path: string; bytes: number };
  };
  /** The project's corrections and undo/redo state. */
  'corrections:get': { args: [projectId: number]; result: CorrectionsState };
  /** Logs `op`, then re-aligns around it under all corrections in a `realign` job that stores an `edited` version. */
  'corrections:apply': { args: [projectId: number, op: EditOp]; result: EditOutcome };
  /** Undoes the last op; the path shown before it comes back exactly (as a new version). */
  'corrections:undo': { args: [projectId: number]; result: EditOutcome };
  /** Redoes the next undone op; its path comes back exactly (as a new version). */
  'corrections:redo': { args: [projectId: number]; result: EditOutcome };
  /** Re-aligns the whole recording under all corrections in a `realign` job (an `edited` version; not an op in the log). */
  'corrections:realign': { args: [projectId: number]; result: EditOutcome };
  /** Alignment versions, newest first. */
  'alignment:versions': { args: [projectId: number]; result: AlignmentSummary[] };
  /** Makes an older version current again (a logged, undoable op; stored as a new version). */
  'alignment:restore': { args: [projectId: number, alignmentId: number]; result: EditOutcome };
  /** Reads an alignment file and stores it as an `imported` version. */
  'alignment:import': {
    args: [projectId: number, format: ImportFormat, path: string];
    result: AlignmentSummary;
  };
  /** Low-confidence regions of the latest alignment not yet fully marked checked. */
  'review:regions': { args: [projectId: number]; result: ReviewRegion[] };
  /** Marks [perfStart, perfEnd] checked (an undoable op); returns the corrections state. */
  'review:mark': { args: [projectId: number, perfStart: number, perfEnd: number]; result: CorrectionsState };
  /** Native open dialog; null when cancelled. */
  'dialog:open': { args: [args: OpenDialogArgs]; result: string | null };
  /** Native save dialog; null when cancelled. */
  'dialog:save': { args: [args: SaveDialogArgs]; result: string | null };
}

/** An invoke channel name. */
export type InvokeChannel = keyof InvokeChannels;
/** Argument tuple of a channel. */
export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
/** Resolved value of a channel. */
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

/** Menu commands main sends to the renderer (`menu:command`). */
export const MENU_COMMANDS = [
  'file:new',
  'file:open',
  'file:export',
  'file:close',
  'view:score',
  'view:matrix',
  'view:pianoroll',
  'view:zoom-in',
  'view:zoom-out',
  'help:about',
] as const;
/** One of `MENU_COMMANDS`. */
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** A menu item's keyboard shortcut (Electron accelerator syntax) and what it does, in words. */
export interface MenuShortcut {
  command: MenuCommand;
  accelerator: string;
  /** The help overlay's description. */
  does: string;
}

/** The app menu's shortcuts: main builds the menu from this table and the help overlay lists it. */
export const MENU_SHORTCUTS: readonly MenuShortcut[] = [
  { command: 'file:new', accelerator: 'CmdOrCtrl+N', does: 'New project' },
  { command: 'file:open', accelerator: 'CmdOrCtrl+O', does: 'Back to the project list, to open one' },
  {
    command: 'file:export',
    accelerator: 'CmdOrCtrl+E',
    does: 'Export the alignment in the format last chosen',
  },
  { command: 'file:close', accelerator: 'CmdOrCtrl+W', does: 'Close the project' },
  { command: 'view:score', accelerator: 'CmdOrCtrl+1', does: 'Sheet music view' },
  { command: 'view:pianoroll', accelerator: 'CmdOrCtrl+2', does: 'Piano roll view' },
  { command: 'view:matrix', accelerator: 'CmdOrCtrl+3', does: 'Matrix view, enlarged' },
  { command: 'view:zoom-in', accelerator: 'CmdOrCtrl+=', does: 'Zoom in' },
  { command: 'view:zoom-out', accelerator: 'CmdOrCtrl+-', does: 'Zoom out' },
];

/** The accelerator of menu command `command` (throws for a command without one). */
export function menuAccelerator(command: MenuCommand): string {
  const s = MENU_SHORTCUTS.find((m) => m.command === command);
  if (!s) throw new Error(`menuAccelerator: expected a command with a shortcut, got ${command}`);
  return s.accelerator;
}

/** An accelerator as the help shows it (`CmdOrCtrl+E` → `Ctrl+E`, or `⌘E` on a Mac). */
export function acceleratorLabel(accelerator: string, mac = false): string {
  return mac ? accelerator.replace('CmdOrCtrl+', '⌘') : accelerator.replace('CmdOrCtrl+', 'Ctrl+');
}

/** Main → renderer events and their payloads. */
export interface EventChannels {
  'job:progress': { jobId: string; projectId: number; kind: JobKind; stage: string; fraction: number };
  'job:done': { jobId: string; projectId: number; kind: JobKind; result: AlignmentJobResult };
  /** Also sent on cancel and when a newer edit supersedes a re-alignment, with `error.code === 'cancelled'`. */
  'job:failed': { jobId: string; projectId: number; kind: JobKind; error: IpcError };
  /** Something about a project changed (renderer re-fetches). */
  'project:changed': { projectId: number };
  /** A menu item was chosen; `projectId` for File > Open Recent. */
  'menu:command': { command: MenuCommand; projectId?: number };
}
/** An event channel name. */
export type EventChannel = keyof EventChannels;

/** All invoke channel names, for hosts that wire them generically. */
export const INVOKE_CHANNELS = [
  'app:info',
  'project:list',
  'project:create',
  'project:get',
  'project:rename',
  'project:duplicate',
  'project:delete',
  'project:relink',
  'recording:peaks',
  'score:pages',
  'alignment:run',
  'alignment:list',
  'alignment:get',
  'alignment:matrix',
  'job:cancel',
  'job:list',
  'view:save',
  'practice:save',
  'export:alignment',
  'corrections:get',
  'corrections:apply',
  'corrections:undo',
  'corrections:redo',
  'corrections:realign',
  'alignment:versions',
  'alignment:restore',
  'alignment:import',
  'review:regions',
  'review:mark',
  'dialog:open',
  'dialog:save',
] as const satisfies readonly InvokeChannel[];

/** All event channel names. */
export const EVENT_CHANNELS = [
  'job:progress',
  'job:done',
  'job:failed',
  'project:changed',
  'menu:command',
] as const satisfies readonly EventChannel[];

type DomainOf<C> = C extends `${infer D}:${string}` ? D : never;

/**
 * `window.accord`: one method per invoke channel, grouped by domain
 * (`accord.project.get(id)` calls `project:get`), rejecting with an error that
 * `AccordError.from()` turns back into a typed `AccordError`; `on()` subscribes to an event
 * and returns the unsubscribe function.
 */
export type AccordApi = {
  [D in DomainOf<InvokeChannel>]: {
    [C in InvokeChannel as C extends `${D}:${infer V}` ? V : never]: (
      ...args: InvokeArgs<C>
    ) => Promise<InvokeResult<C>>;
  };
} & {
  on<E extends EventChannel>(event: E, listener: (payload: EventChannels[E]) => void): () => void;
  /** Host helpers that answer in the renderer, without a call to main. */
  files: HostFiles;
};

/** A file the user dropped or picked in the page (a DOM `File`; typed by shape, shared code has no DOM). */
export interface PageFile {
  readonly name: string;
}

/**
 * One-way message the preload sends when `files.pathFor` finds a dropped file on disk: main adds
 * the path to its granted paths (`electron/app/ipc/grants.ts`). Not exposed to the page.
 */
export const GRANT_CHANNEL = 'files:grant';
/** The type of `GRANT_CHANNEL`, for the preload (which cannot import values from here). */
export type GrantChannel = typeof GRANT_CHANNEL;

/** File helpers the host offers the renderer. */
export interface HostFiles {
  /**
   * Absolute path of a dropped file on disk, '' when it has none (a file made in the page); the
   * host grants that path, as a dialog answer is granted.
   * Electron 32+ removed `File.path`: the preload answers with `webUtils.getPathForFile`.
   */
  pathFor(file: PageFile): string;
}

// ---------------------------------------------------------------- validation

/** File-system checks the validators need, injected by the Node side (shared code has no fs). */
export interface ValidationEnv {
  /** True when `path` is an existing regular file. */
  isFile(path: string): boolean;
  /** True when `path` is an existing directory. */
  isDirectory(path: string): boolean;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).slice(0, 8).join(', ')}]`;
  return typeof v;
}

function fail(what: string, expected: string, got: unknown): never {
  throw new AccordError('invalid-argument', `${what}: expected ${expected}, got ${describe(got)}`);
}

/** A positive integer id. */
export function checkId(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(what, 'a positive integer id', v);
  return v;
}

/** A finite number in [min, max]. */
export function checkNumber(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(what, `a number in [${min}, ${max}]`, v);
  }
  return v;
}

/** An integer in [min, max]. */
export function checkInt(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(what, `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

/** A string of 1..maxLength characters (after trimming). */
export function checkText(v: unknown, what: string, maxLength: number): string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > maxLength) {
    fail(what, `a non-empty string of at most ${maxLength} characters`, v);
  }
  return v.trim();
}

/** One of `options`. */
export function checkEnum<T extends string>(v: unknown, what: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    fail(what, `one of ${options.join(' | ')}`, v);
  }
  return v as T;
}

/** True for `/abs`, `C:\abs`, `C:/abs` and `\\server\share`. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function checkPathString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0') || !isAbsolutePath(v)) {
    fail(what, 'an absolute path', v);
  }
  return v;
}

/** An absolute path of an existing regular file. */
export function checkExistingFile(v: unknown, what: string, env: ValidationEnv): string {
  const p = checkPathString(v, what);
  if (!env.isFile(p)) fail(what, 'an existing file', p);
  return p;
}

/** An absolute path whose directory exists (the file itself may not). */
export function checkWritablePath(v: unknown, what: string, env: ValidationEnv): string {
  const p = checkPathString(v, what);
  const cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  const dir = cut <= 0 ? p.slice(0, cut + 1) || '/' : p.slice(0, cut);
  if (cut === p.length - 1) fail(what, 'a file path (not ending in a separator)', p);
  if (!env.isDirectory(dir)) fail(`${what}'s folder`, 'an existing folder', dir);
  if (env.isDirectory(p)) fail(what, 'a file path, not a directory', p);
  return p;
}

function checkObject(v: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'an object', v);
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(what, `only the keys ${allowed.join(', ')}`, v);
  return v as Record<string, unknown>;
}

function checkArity(args: unknown, channel: string, min: number, max: number): unknown[] {
  if (!Array.isArray(args) || args.length < min || args.length > max) {
    fail(`${channel} arguments`, min === max ? `${min} argument(s)` : `${min}..${max} arguments`, args);
  }
  return args;
}

/** Validates a `ViewState`. */
export function checkViewState(v: unknown, what: string): ViewState {
  const o = checkObject(v, what, ['playheadSeconds', 'pixelsPerSecond', 'scrollSeconds', 'selectedView']);
  return {
    playheadSeconds: checkNumber(o.playheadSeconds, `${what}.playheadSeconds`, 0, 1e6),
    pixelsPerSecond: checkNumber(o.pixelsPerSecond, `${what}.pixelsPerSecond`, 1e-3, 1e5),
    scrollSeconds: checkNumber(o.scrollSeconds, `${what}.scrollSeconds`, 0, 1e6),
    selectedView: checkEnum(o.selectedView, `${what}.selectedView`, VIEW_KINDS),
  };
}

const MAX_SECONDS = 1e6;

function checkBoolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') fail(what, 'true or false', v);
  return v;
}

/** Validates `PracticeSettings` (every field, no extra keys; B after A; ramp target within the speed range). */
export function checkPracticeSettings(v: unknown, what: string): PracticeSettings {
  const o = checkObject(v, what, [
    'loop',
    'preRollSeconds',
    'loopCount',
    'speedPercent',
    'ramp',
    'metronome',
    'countInBeats',
  ]);
  let loop: PracticeLoop | null = null;
  if (o.loop === undefined) fail(`${what}.loop`, 'an object or null', o.loop);
  if (o.loop !== null) {
    const l = checkObject(o.loop, `${what}.loop`, ['startSeconds', 'endSeconds', 'bars']);
    const startSeconds = checkNumber(l.startSeconds, `${what}.loop.startSeconds`, 0, MAX_SECONDS);
    const endSeconds = checkNumber(l.endSeconds, `${what}.loop.endSeconds`, 0, MAX_SECONDS);
    if (endSeconds <= startSeconds)
      fail(`${what}.loop.endSeconds`, `a time > startSeconds (${startSeconds})`, endSeconds);
    loop = { startSeconds, endSeconds };
    if (l.bars !== undefined) loop.bars = checkText(l.bars, `${what}.loop.bars`, 40);
  }
  let loopCount: number | null = null;
  if (o.loopCount === undefined) fail(`${what}.loopCount`, 'an integer in [1, 999] or null', o.loopCount);
  if (o.loopCount !== null) loopCount = checkInt(o.loopCount, `${what}.loopCount`, 1, 999);
  let ramp: PracticeSettings['ramp'] = null;
  if (o.ramp === undefined) fail(`${what}.ramp`, 'an object or null', o.ramp);
  if (o.ramp !== null) {
    const r = checkObject(o.ramp, `${what}.ramp`, ['stepPercent', 'targetPercent']);
    ramp = {
      stepPercent: checkNumber(r.stepPercent, `${what}.ramp.stepPercent`, 1, 50),
      targetPercent: checkNumber(
        r.targetPercent,
        `${what}.ramp.targetPercent`,
        PRACTICE_SPEED_MIN,
        PRACTICE_SPEED_MAX,
      ),
    };
  }
  const m = checkObject(o.metronome, `${what}.metronome`, ['enabled', 'volume', 'accent']);
  return {
    loop,
    preRollSeconds: checkNumber(o.preRollSeconds, `${what}.preRollSeconds`, 0, 10),
    loopCount,
    speedPercent: checkNumber(o.speedPercent, `${what}.speedPercent`, PRACTICE_SPEED_MIN, PRACTICE_SPEED_MAX),
    ramp,
    metronome: {
      enabled: checkBoolean(m.enabled, `${what}.metronome.enabled`),
      volume: checkNumber(m.volume, `${what}.metronome.volume`, 0, 1),
      accent: checkBoolean(m.accent, `${what}.metronome.accent`),
    },
    countInBeats: checkInt(o.countInBeats, `${what}.countInBeats`, 0, 16),
  };
}

function checkOpId(v: unknown, what: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(v))
    fail(what, 'an id of 1..64 letters, digits, _ . : -', v);
  return v;
}

function checkSeconds(v: unknown, what: string): number {
  return checkNumber(v, what, 0, MAX_SECONDS);
}

function checkPlace<K extends string>(v: unknown, what: string, keys: readonly [K, K]): Record<K, number> {
  const o = checkObject(v, what, keys);
  return {
    [keys[0]]: checkSeconds(o[keys[0]], `${what}.${keys[0]}`),
    [keys[1]]: checkSeconds(o[keys[1]], `${what}.${keys[1]}`),
  } as Record<K, number>;
}

/** Validates an edit op for `corrections:apply` (every field, no extra keys). */
export function checkEditOp(v: unknown, what: string): EditOp {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'an edit op object', v);
  const type = checkEnum((v as { type?: unknown }).type, `${what}.type`, APPLY_OP_TYPES);
  const anchor = (x: unknown, w: string): Extract<EditOp, { type: 'add-anchor' }>['anchor'] => {
    const a = checkObject(x, w, ['id', 'perfTime', 'scoreTime', 'source']);
    return {
      id: checkOpId(a.id, `${w}.id`),
      perfTime: checkSeconds(a.perfTime, `${w}.perfTime`),
      scoreTime: checkSeconds(a.scoreTime, `${w}.scoreTime`),
      source: checkEnum(a.source, `${w}.source`, ['drag', 'tap', 'note-key', 'import'] as const),
    };
  };
  const jump = (x: unknown, w: string): Extract<EditOp, { type: 'insert-jump' }>['jump'] => {
    const j = checkObject(x, w, ['id', 'perfTime', 'toScoreTime']);
    return {
      id: checkOpId(j.id, `${w}.id`),
      perfTime: checkSeconds(j.perfTime, `${w}.perfTime`),
      toScoreTime: checkSeconds(j.toScoreTime, `${w}.toScoreTime`),
    };
  };
  const region = (x: unknown, w: string): Extract<EditOp, { type: 'mark-region' }>['region'] => {
    const r = checkObject(x, w, ['id', 'perfStart', 'perfEnd', 'kind']);
    const perfStart = checkSeconds(r.perfStart, `${w}.perfStart`);
    const perfEnd = checkSeconds(r.perfEnd, `${w}.perfEnd`);
    if (perfEnd < perfStart) fail(`${w}.perfEnd`, `a time ≥ perfStart (${perfStart})`, perfEnd);
    return {
      id: checkOpId(r.id, `${w}.id`),
      perfStart,
      perfEnd,
      kind: checkEnum(r.kind, `${w}.kind`, REGION_KINDS),
    };
  };
  switch (type) {
    case 'add-anchor':
    case 'delete-anchor': {
      const o = checkObject(v, what, ['type', 'anchor']);
      return { type, anchor: anchor(o.anchor, `${what}.anchor`) };
    }
    case 'move-anchor': {
      const o = checkObject(v, what, ['type', 'id', 'from', 'to']);
      const keys = ['perfTime', 'scoreTime'] as const;
      return {
        type,
        id: checkOpId(o.id, `${what}.id`),
        from: checkPlace(o.from, `${what}.from`, keys),
        to: checkPlace(o.to, `${what}.to`, keys),
      };
    }
    case 'insert-jump':
    case 'delete-jump': {
      const o = checkObject(v, what, ['type', 'jump']);
      return { type, jump: jump(o.jump, `${what}.jump`) };
    }
    case 'move-jump': {
      const o = checkObject(v, what, ['type', 'id', 'from', 'to']);
      const keys = ['perfTime', 'toScoreTime'] as const;
      return {
        type,
        id: checkOpId(o.id, `${what}.id`),
        from: checkPlace(o.from, `${what}.from`, keys),
        to: checkPlace(o.to, `${what}.to`, keys),
      };
    }
    case 'mark-region':
    case 'unmark-region': {
      const o = checkObject(v, what, ['type', 'region']);
      return { type, region: region(o.region, `${what}.region`) };
    }
  }
}

type Validators = { [C in InvokeChannel]: (args: unknown, env: ValidationEnv) => InvokeArgs<C> };

/** Per-channel argument validators: return the typed tuple or throw `AccordError('invalid-argument')`. */
export const VALIDATORS: Validators = {
  'app:info': (a) => (checkArity(a, 'app:info', 0, 0), []),
  'project:list': (a) => (checkArity(a, 'project:list', 0, 0), []),
  'project:create': (a, env) => {
    const [raw] = checkArity(a, 'project:create', 1, 1);
    const o = checkObject(raw, 'project:create args', ['recordingPath', 'scorePath', 'title']);
    const out: CreateProjectArgs = {
      recordingPath: checkExistingFile(o.recordingPath, 'The recording', env),
      scorePath: checkExistingFile(o.scorePath, 'The score', env),
    };
    if (o.title !== undefined) out.title = checkText(o.title, 'The title', 200);
    return [out];
  },
  'project:get': (a) => [checkId(checkArity(a, 'project:get', 1, 1)[0], 'projectId')],
  'project:rename': (a) => {
    const [id, title] = checkArity(a, 'project:rename', 2, 2);
    return [checkId(id, 'projectId'), checkText(title, 'The title', 200)];
  },
  'project:duplicate': (a) => [checkId(checkArity(a, 'project:duplicate', 1, 1)[0], 'projectId')],
  'project:delete': (a) => [checkId(checkArity(a, 'project:delete', 1, 1)[0], 'projectId')],
  'project:relink': (a, env) => {
    const [id, p] = checkArity(a, 'project:relink', 2, 2);
    return [checkId(id, 'projectId'), checkExistingFile(p, 'The recording', env)];
  },
  'recording:peaks': (a) => {
    const [id, raw] = checkArity(a, 'recording:peaks', 2, 2);
    const o = checkObject(raw, 'peaks options', ['pointsPerSecond']);
    return [
      checkId(id, 'projectId'),
      { pointsPerSecond: checkInt(o.pointsPerSecond, 'pointsPerSecond', 1, 1000) },
    ];
  },
  'score:pages': (a) => {
    const [id, raw] = checkArity(a, 'score:pages', 2, 2);
    const o = checkObject(raw, 'page layout', ['pageWidth', 'pageHeight', 'scale']);
    const { pageWidth, pageHeight, scale } = PAGE_LAYOUT_LIMITS;
    return [
      checkId(id, 'projectId'),
      {
        pageWidth: checkInt(o.pageWidth, 'pageWidth', pageWidth[0], pageWidth[1]),
        pageHeight: checkInt(o.pageHeight, 'pageHeight', pageHeight[0], pageHeight[1]),
        scale: checkInt(o.scale, 'scale', scale[0], scale[1]),
      },
    ];
  },
  'alignment:run': (a) => {
    const [id, method] = checkArity(a, 'alignment:run', 1, 2);
    const pid = checkId(id, 'projectId');
    return method === undefined ? [pid] : [pid, checkEnum(method, 'method', RUN_METHODS)];
  },
  'alignment:list': (a) => [checkId(checkArity(a, 'alignment:list', 1, 1)[0], 'projectId')],
  'alignment:get': (a) => [checkId(checkArity(a, 'alignment:get', 1, 1)[0], 'alignmentId')],
  'alignment:matrix': (a) => {
    const [id, raw] = checkArity(a, 'alignment:matrix', 2, 2);
    const o = checkObject(raw, 'matrix options', ['width', 'height']);
    return [
      checkId(id, 'projectId'),
      { width: checkInt(o.width, 'width', 1, 4096), height: checkInt(o.height, 'height', 1, 4096) },
    ];
  },
  'job:cancel': (a) => {
    const [id] = checkArity(a, 'job:cancel', 1, 1);
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) fail('jobId', 'a job id string', id);
    return [id];
  },
  'job:list': (a) => (checkArity(a, 'job:list', 0, 0), []),
  'view:save': (a) => {
    const [id, state] = checkArity(a, 'view:save', 2, 2);
    return [checkId(id, 'projectId'), checkViewState(state, 'state')];
  },
  'practice:save': (a) => {
    const [id, settings] = checkArity(a, 'practice:save', 2, 2);
    return [checkId(id, 'projectId'), checkPracticeSettings(settings, 'settings')];
  },
  'export:alignment': (a, env) => {
    const [id, format, dest, alignmentId] = checkArity(a, 'export:alignment', 3, 4);
    const head: [number, ExportFormat, string] = [
      checkId(id, 'projectId'),
      checkEnum(format, 'format', EXPORT_FORMAT_NAMES),
      checkWritablePath(dest, 'The export destination', env),
    ];
    return alignmentId === undefined ? head : [...head, checkId(alignmentId, 'alignmentId')];
  },
  'corrections:get': (a) => [checkId(checkArity(a, 'corrections:get', 1, 1)[0], 'projectId')],
  'corrections:apply': (a) => {
    const [id, op] = checkArity(a, 'corrections:apply', 2, 2);
    return [checkId(id, 'projectId'), checkEditOp(op, 'op')];
  },
  'corrections:undo': (a) => [checkId(checkArity(a, 'corrections:undo', 1, 1)[0], 'projectId')],
  'corrections:redo': (a) => [checkId(checkArity(a, 'corrections:redo', 1, 1)[0], 'projectId')],
  'corrections:realign': (a) => [checkId(checkArity(a, 'corrections:realign', 1, 1)[0], 'projectId')],
  'alignment:versions': (a) => [checkId(checkArity(a, 'alignment:versions', 1, 1)[0], 'projectId')],
  'alignment:restore': (a) => {
    const [id, aid] = checkArity(a, 'alignment:restore', 2, 2);
    return [checkId(id, 'projectId'), checkId(aid, 'alignmentId')];
  },
  'alignment:import': (a, env) => {
    const [id, format, p] = checkArity(a, 'alignment:import', 3, 3);
    return [
      checkId(id, 'projectId'),
      checkEnum(format, 'format', IMPORT_FORMAT_NAMES),
      checkExistingFile(p, 'The alignment file', env),
    ];
  },
  'review:regions': (a) => [checkId(checkArity(a, 'review:regions', 1, 1)[0], 'projectId')],
  'review:mark': (a) => {
    const [id, s0, s1] = checkArity(a, 'review:mark', 3, 3);
    const perfStart = checkSeconds(s0, 'perfStart');
    const perfEnd = checkSeconds(s1, 'perfEnd');
    if (perfEnd <= perfStart) fail('perfEnd', `a time > perfStart (${perfStart})`, perfEnd);
    return [checkId(id, 'projectId'), perfStart, perfEnd];
  },
  'dialog:open': (a) => {
    const [raw] = checkArity(a, 'dialog:open', 1, 1);
    const o = checkObject(raw, 'dialog:open args', ['kind', 'title']);
    const out: OpenDialogArgs = {
      kind: checkEnum(o.kind, 'kind', ['recording', 'score', 'alignment'] as const),
    };
    if (o.title !== undefined) out.title = checkText(o.title, 'title', 200);
    return [out];
  },
  'dialog:save': (a) => {
    const [raw] = checkArity(a, 'dialog:save', 1, 1);
    const o = checkObject(raw, 'dialog:save args', ['format', 'defaultName']);
    const out: SaveDialogArgs = { format: checkEnum(o.format, 'format', EXPORT_FORMAT_NAMES) };
    if (o.defaultName !== undefined) out.defaultName = checkText(o.defaultName, 'defaultName', 255);
    return [out];
  },
};

/** Validates the raw arguments of `channel`; throws `AccordError('invalid-argument')` saying what was expected and what came. */
export function validateArgs<C extends InvokeChannel>(
  channel: C,
  args: unknown,
  env: ValidationEnv,
): InvokeArgs<C> {
  const v = VALIDATORS[channel] as (args: unknown, env: ValidationEnv) => InvokeArgs<C>;
  return v(args, env);
}

/** True when `name` is an invoke channel. */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(name);
}
