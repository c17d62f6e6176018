/**
 * The channel contract between the main side (Electron main process, or the local test bridge)
 * and the renderer: invoke channels `domain:verb` with their argument and result types,
 * main→renderer events, and the `window.accord` API built from them.
 */
import type { ExportFormat, ImportFormat } from '../formats/common.js';
import type { EditOp, ReviewRegion } from '../edit/index.js';
import type { PageLayout } from '../pages/model.js';
import type { IpcError } from './errors.js';
import type { MenuCommand } from './menu.js';
import type {
  AlignmentRecord,
  AlignmentSummary,
  AppInfo,
  CorrectionsState,
  CreateProjectArgs,
  EditOutcome,
  JobInfo,
  JobKind,
  JobResults,
  MatrixImage,
  MatrixOptions,
  OpenDialogArgs,
  Peaks,
  PeaksOptions,
  PracticeSettings,
  ProjectDetail,
  ProjectFileOpened,
  ProjectSummary,
  RunMethod,
  SaveDialogArgs,
  ScanBoxRect,
  ScanPageImage,
  ScanState,
  ScorePages,
  ViewState,
} from './types.js';

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
  /** Writes the project to a `.accord` project file at `destPath` (a save-dialog answer), atomically. */
  'projectfile:save': {
    args: [projectId: number, destPath: string];
    result: { path: string; bytes: number };
  };
  /** Opens a `.accord` project file (a dialog answer, a drop or the command line): a new project, or the one the library holds. */
  'projectfile:open': { args: [path: string]; result: ProjectFileOpened };
  'recording:peaks': { args: [projectId: number, options: PeaksOptions]; result: Peaks };
  /** The project's notated score engraved on pages of `layout` (`unsupported` for a MIDI score). */
  'score:pages': { args: [projectId: number, layout: PageLayout]; result: ScorePages };
  /** Starts a `scan` job that replaces the project's scan with the pages of `paths` (granted PDF/PNG/JPEG files, pages in this order), detects systems and measure boxes in a worker and links them to the score's measures; progress and the outcome arrive as `job:*` events. */
  'scan:import': { args: [projectId: number, paths: string[]]; result: { jobId: string } };
  /** The project's scan: pages, linked boxes and warnings (no pages when it has none). */
  'scan:get': { args: [projectId: number]; result: ScanState };
  /** Page `page`'s image. */
  'scan:page': { args: [projectId: number, page: number]; result: ScanPageImage };
  /** Moves / resizes box `boxId` (kept inside its page). */
  'scan:place': { args: [projectId: number, boxId: number, box: ScanBoxRect]; result: ScanState };
  /** Links box `boxId` to the notated measure printed `number`, or unlinks it (null). */
  'scan:link': { args: [projectId: number, boxId: number, number: string | null]; result: ScanState };
  /** Adds an unlinked box on page `page`. */
  'scan:add': { args: [projectId: number, page: number, box: ScanBoxRect]; result: ScanState };
  /** Removes box `boxId`. */
  'scan:remove': { args: [projectId: number, boxId: number]; result: ScanState };
  /** Links every box, in reading order, to the notated measures in notated order (after boxes were added or removed). */
  'scan:relink': { args: [projectId: number]; result: ScanState };
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
  /** Native open dialog picking several files (kind `scan`), in page order (names compared number-aware); empty when cancelled. */
  'dialog:pages': { args: [args: OpenDialogArgs]; result: string[] };
  /** Native save dialog; null when cancelled. */
  'dialog:save': { args: [args: SaveDialogArgs]; result: string | null };
}

/** An invoke channel name. */
export type InvokeChannel = keyof InvokeChannels;
/** Argument tuple of a channel. */
export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
/** Resolved value of a channel. */
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

/** A `job:done` payload: the result of the job's kind. */
export type JobDone = {
  [K in JobKind]: { jobId: string; projectId: number; kind: K; result: JobResults[K] };
}[JobKind];

/** Main → renderer events and their payloads. */
export interface EventChannels {
  'job:progress': { jobId: string; projectId: number; kind: JobKind; stage: string; fraction: number };
  /** The job's result, typed by its `kind`. */
  'job:done': JobDone;
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
  'projectfile:save',
  'projectfile:open',
  'recording:peaks',
  'score:pages',
  'scan:import',
  'scan:get',
  'scan:page',
  'scan:place',
  'scan:link',
  'scan:add',
  'scan:remove',
  'scan:relink',
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
  'dialog:pages',
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

/** True when `name` is an invoke channel. */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(name);
}
