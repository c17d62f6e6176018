/**
 * The main side of the IPC contract, independent of Electron: services wired to one handler per
 * channel, and `dispatch()` that validates the raw arguments, calls the handler and returns the
 * outcome as data. Electron's `ipcMain.handle` and the test bridge both call `dispatch()`.
 */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  isInvokeChannel,
  validateArgs,
  INVOKE_CHANNELS,
  PROJECT_FILE_SAVE_FORMAT,
  type AppInfo,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
  type OpenDialogArgs,
  type Result,
  type SaveDialogArgs,
  type ValidationEnv,
} from '../../../shared/ipc.js';
import { openDatabase, type Db } from '../db/database.js';
import { toIpcError } from '../errors.js';
import { JobService, TaskRunner, type Emit } from '../jobs.js';
import { ProjectService } from '../projects.js';
import { CorrectionService } from '../corrections.js';
import { Realigner } from '../realigner.js';
import { PageService } from '../pages.js';
import { ScanService } from '../scans/service.js';
import { safeFileName, type PathGrants } from './grants.js';

/** One channel's implementation (arguments already validated). */
export type Handler<C extends InvokeChannel> = (
  ...args: InvokeArgs<C>
) => Promise<InvokeResult<C>> | InvokeResult<C>;
/** Every channel's implementation. */
export type Handlers = { [C in InvokeChannel]: Handler<C> };

/** File checks for the validators, on the real file system. */
export const NODE_VALIDATION_ENV: ValidationEnv = {
  isFile: (p) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false,
  isDirectory: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
};

/** `paths` in page order: by file name, numbers compared as numbers (`page-2` before `page-10`), then by folder. */
export function orderFiles(paths: readonly string[]): string[] {
  const compare = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
  return [...paths].sort((a, b) => compare(basename(a), basename(b)) || compare(a, b));
}

/** What differs between the Electron app and the bridge. */
export interface Host {
  info: AppInfo;
  /** Native (or scripted, in the bridge) open dialog. */
  openDialog(args: OpenDialogArgs): Promise<string | null>;
  /** Native (or scripted) open dialog picking several files; empty when cancelled (default: `openDialog`'s one file). */
  openFiles?(args: OpenDialogArgs): Promise<string[]>;
  /** Native (or scripted) save dialog. */
  saveDialog(args: SaveDialogArgs): Promise<string | null>;
}

/** The services behind the handlers. */
export interface AppServices {
  db: Db;
  runner: TaskRunner;
  jobs: JobService;
  /** The edit worker the re-alignment jobs run in. */
  realigner: Realigner;
  projects: ProjectService;
  corrections: CorrectionService;
  /** Engraved pages of the projects' scores. */
  pages: PageService;
  /** Scanned pages of the projects and their measure boxes. */
  scans: ScanService;
  /** Cancels jobs, stops workers, closes the database. */
  close(): Promise<void>;
}

/** Opens the database and builds the services. */
export function createServices(opts: {
  dbPath: string;
  emit: Emit;
  mediaUrl: (projectId: number) => string;
  modelDir?: string;
  /** Worker threads at a time (default 2: a long alignment does not hold up opening another project). */
  concurrency?: number;
}): AppServices {
  const db = openDatabase(opts.dbPath);
  const runner = new TaskRunner({ concurrency: opts.concurrency ?? 2 });
  const jobs = new JobService(opts.emit);
  const projects = new ProjectService({
    db,
    runner,
    jobs,
    emit: opts.emit,
    mediaUrl: opts.mediaUrl,
    modelDir: opts.modelDir,
  });
  // Re-alignments run in their own long-lived worker, so an edit never waits behind a long
  // alignment run and never reloads the project's features.
  const realigner = new Realigner();
  const corrections = new CorrectionService({ db, projects, emit: opts.emit, jobs, realigner });
  return {
    db,
    runner,
    jobs,
    realigner,
    projects,
    corrections,
    pages: new PageService(db),
    scans: new ScanService({ db, runner, jobs, score: (id) => projects.score(id) }),
    async close() {
      await jobs.close();
      await runner.close();
      await realigner.close();
      db.close();
    },
  };
}

/**
 * Wires every channel to its service call. With `grants`, dialog answers are granted and
 * `project:create`, `project:relink`, `projectfile:save`, `projectfile:open`, `alignment:import`,
 * `scan:import` and `export:alignment` take only granted
 * paths (the relink also the project's own recording path); without, paths are not checked
 * (engine tests).
 */
export function createHandlers(s: AppServices, host: Host, grants?: PathGrants): Handlers {
  const p = s.projects;
  const granted = (what: string, path: string, recordOf?: number): void => {
    if (!grants) return;
    if (recordOf !== undefined) {
      const r = s.db.prepare('SELECT path FROM recordings WHERE project_id = ?').get(recordOf) as
        { path: string } | undefined;
      if (r && resolve(r.path) === resolve(path)) return;
    }
    grants.require(path, what);
  };
  const answer = (path: string | null): string | null => {
    if (path !== null) grants?.grant(path);
    return path;
  };
  return {
    'app:info': () => host.info,
    'project:list': () => p.list(),
    'project:create': (args) => {
      granted('The recording', args.recordingPath);
      granted('The score', args.scorePath);
      return p.create(args);
    },
    'project:get': async (id) => {
      const detail = await p.get(id);
      // Opening the project: a re-alignment an earlier session left pending runs now.
      s.corrections.resume(id);
      return detail;
    },
    'project:rename': (id, title) => p.rename(id, title),
    'project:duplicate': (id) => p.duplicate(id),
    'project:delete': (id) => p.delete(id),
    'project:relink': (id, path) => {
      granted('the recording', path, id);
      return p.relink(id, path);
    },
    'projectfile:save': (id, dest) => {
      granted('the project file destination', dest);
      return p.saveFile(id, dest);
    },
    'projectfile:open': (path) => {
      granted('the project file', path);
      return p.openFile(path);
    },
    'recording:peaks': (id, o) => p.peaks(id, o),
    'score:pages': (id, layout) => s.pages.get(id, layout),
    'scan:import': (id, paths) => {
      for (const path of paths) granted('the scan', path);
      return s.scans.start(id, paths);
    },
    'scan:get': (id) => s.scans.get(id),
    'scan:page': (id, page) => s.scans.page(id, page),
    'scan:place': (id, boxId, box) => s.scans.setBox(id, boxId, box),
    'scan:link': (id, boxId, number) => s.scans.link(id, boxId, number),
    'scan:add': (id, page, box) => s.scans.addBox(id, page, box),
    'scan:remove': (id, boxId) => s.scans.removeBox(id, boxId),
    'scan:relink': (id) => s.scans.relinkAll(id),
    'alignment:run': (id, method) => p.runAlignment(id, method),
    'alignment:list': (id) => p.listAlignments(id),
    'alignment:get': (aid) => p.getAlignment(aid),
    'alignment:matrix': (id, o) => p.matrix(id, o),
    'job:cancel': (jobId) => s.jobs.cancel(jobId),
    'job:list': () => s.jobs.list(),
    'view:save': (id, state) => p.saveView(id, state),
    'practice:save': (id, settings) => p.savePractice(id, settings),
    'export:alignment': (id, format, dest, aid) => {
      granted('the export destination', dest);
      return p.exportAlignment(id, format, dest, aid);
    },
    'corrections:get': (id) => s.corrections.get(id),
    'corrections:apply': (id, op) => s.corrections.apply(id, op),
    'corrections:undo': (id) => s.corrections.undo(id),
    'corrections:redo': (id) => s.corrections.redo(id),
    'corrections:realign': (id) => s.corrections.realign(id),
    'alignment:versions': (id) => p.listAlignments(id),
    'alignment:restore': (id, aid) => s.corrections.restore(id, aid),
    'alignment:import': (id, format, path) => {
      granted('the alignment file', path);
      return s.corrections.importFile(id, format, path);
    },
    'review:regions': (id) => s.corrections.regions(id),
    'review:mark': (id, a, b) => s.corrections.mark(id, a, b),
    'dialog:open': async (args) => answer(await host.openDialog(args)),
    'dialog:pages': async (args) => {
      const picked = host.openFiles
        ? await host.openFiles(args)
        : [await host.openDialog(args)].filter((p): p is string => p !== null);
      const paths = orderFiles(picked);
      for (const p of paths) answer(p);
      return paths;
    },
    'dialog:save': async (args) =>
      answer(
        await host.saveDialog(
          args.defaultName === undefined
            ? args
            : {
                ...args,
                defaultName: safeFileName(
                  args.defaultName,
                  args.format === PROJECT_FILE_SAVE_FORMAT ? 'project.accord' : 'alignment',
                ),
              },
        ),
      ),
  };
}

/** Validates `rawArgs` for `channel`, runs its handler and returns the outcome as data; never throws. */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  rawArgs: unknown,
  env: ValidationEnv = NODE_VALIDATION_ENV,
): Promise<Result<unknown>> {
  if (!isInvokeChannel(channel)) {
    return {
      ok: false,
      error: {
        code: 'invalid-argument',
        message: `expected one of the channels ${INVOKE_CHANNELS.join(', ')}, got ${JSON.stringify(channel)}`,
      },
    };
  }
  try {
    const args = validateArgs(channel, rawArgs, env);
    const fn = handlers[channel] as (...a: unknown[]) => unknown;
    const value = await fn(...(args as unknown[]));
    return { ok: true, value };
  } catch (err) {
    const error = toIpcError(err);
    if (error.code === 'internal') console.error(`[ipc] ${channel} failed:`, err);
    return { ok: false, error };
  }
}
