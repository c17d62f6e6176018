/**
 * The Electron main process: window, menus, single instance, native dialogs, the `accord://app`
 * and `accord-media://` protocols, security settings, and IPC wired to the shared handlers.
 * Everything else lives in services that also run without Electron (bridge, tests).
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  type MenuItemConstructorOptions,
} from 'electron';
import { createReadStream, promises as fs } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  INVOKE_CHANNELS,
  type EventChannel,
  type EventChannels,
  GRANT_CHANNEL,
  menuAccelerator,
  type MenuCommand,
  type OpenDialogArgs,
  PROJECT_FILE_SAVE_FORMAT,
  SCAN_EXTENSIONS,
  type ProjectFileOpened,
  type Result,
  type SaveDialogArgs,
} from '../../../shared/ipc.js';
import { PROJECT_FILE_EXTENSION } from '../../../shared/projectFile.js';
import { EXPORT_FORMATS } from '../../../shared/formats/index.js';
import { SCORE_EXTENSIONS } from '../../engine/score.js';
import { AUDIO_EXTENSIONS } from '../../engine/audio.js';
import {
  createHandlers,
  createServices,
  dispatch,
  type AppServices,
  type Handlers,
} from '../../app/ipc/handle.js';
import { toIpcError } from '../../app/errors.js';
import { audioContentType, parseRange } from '../../app/ipc/range.js';
import { PathGrants } from '../../app/ipc/grants.js';
import { backupIfDue } from '../../app/db/recovery.js';
import type { Emit } from '../../app/jobs.js';
import { resolveStatic } from '../../app/ipc/web.js';
import {
  APP_ORIGIN,
  denyPermissionCheck,
  denyPermissionRequest,
  hardenContents,
  isTrustedSender,
  rendererHeaders,
  windowOptions,
} from './security.js';
import { openWithRecovery, recoveryDialog } from './startup.js';
import { ProjectFileInbox, projectFilesInArgv } from './openFiles.js';

protocol.registerSchemesAsPrivileged([
  { scheme: 'accord', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  {
    scheme: 'accord-media',
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
  },
]);

let services: AppServices | undefined;
let handlers: Handlers | undefined;
let mainWindow: BrowserWindow | undefined;
/** `.accord` files from the OS: opened once the window has loaded. */
let inbox: ProjectFileInbox | undefined;
/** Files macOS hands over (`open-file`) before `inbox` exists. */
const earlyFiles: string[] = [];

function send<E extends EventChannel>(event: E, payload: EventChannels[E]): void {
  for (const w of BrowserWindow.getAllWindows()) if (!w.isDestroyed()) w.webContents.send(event, payload);
}

function menuCommand(command: MenuCommand, projectId?: number): void {
  send('menu:command', projectId === undefined ? { command } : { command, projectId });
}

function buildMenu(): void {
  const recent = (services?.projects.list() ?? []).slice(0, 10);
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'New Project…',
          accelerator: menuAccelerator('file:new'),
          click: () => menuCommand('file:new'),
        },
        { label: 'Open…', accelerator: menuAccelerator('file:open'), click: () => menuCommand('file:open') },
        {
          label: 'Open Recent',
          submenu: recent.length
            ? recent.map((p) => ({ label: p.title, click: () => menuCommand('file:open', p.id) }))
            : [{ label: 'No recent projects', enabled: false }],
        },
        { type: 'separator' },
        {
          label: 'Open Project File…',
          click: () => menuCommand('file:open-project-file'),
        },
        {
          label: 'Save Project File…',
          accelerator: menuAccelerator('file:save-project-file'),
          click: () => menuCommand('file:save-project-file'),
        },
        { type: 'separator' },
        {
          label: 'Export Alignment…',
          accelerator: menuAccelerator('file:export'),
          click: () => menuCommand('file:export'),
        },
        { type: 'separator' },
        {
          label: 'Close Project',
          accelerator: menuAccelerator('file:close'),
          click: () => menuCommand('file:close'),
        },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        // the waveform is always shown: the numbered views are the tabs, in their order
        {
          label: 'Sheet Music',
          accelerator: menuAccelerator('view:score'),
          click: () => menuCommand('view:score'),
        },
        {
          label: 'Piano Roll',
          accelerator: menuAccelerator('view:pianoroll'),
          click: () => menuCommand('view:pianoroll'),
        },
        {
          label: 'Matrix',
          accelerator: menuAccelerator('view:matrix'),
          click: () => menuCommand('view:matrix'),
        },
        { type: 'separator' },
        {
          label: 'Zoom In',
          accelerator: menuAccelerator('view:zoom-in'),
          click: () => menuCommand('view:zoom-in'),
        },
        {
          label: 'Zoom Out',
          accelerator: menuAccelerator('view:zoom-out'),
          click: () => menuCommand('view:zoom-out'),
        },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions]),
      ],
    },
    { role: 'help', submenu: [{ label: 'About Accord', click: () => menuCommand('help:about') }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Serves the built renderer at accord://app/… with the CSP header. */
async function serveRenderer(request: Request): Promise<Response> {
  const rendererDir = resolve(app.getAppPath(), 'renderer', 'dist');
  const url = new URL(request.url);
  if (url.host !== 'app') return new Response('not found', { status: 404 });
  const r = await resolveStatic(rendererDir, url.pathname);
  if (!r.ok) return new Response(r.reason, { status: r.status });
  const file = r.file;
  try {
    const body = await fs.readFile(file);
    return new Response(body, { headers: rendererHeaders(file) });
  } catch {
    return new Response(`no file ${url.pathname}`, { status: 404 });
  }
}

/** Streams a project's recording at accord-media://recording/<projectId>, with HTTP Range. */
async function serveMedia(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const id = Number(url.pathname.replace(/^\//, ''));
  if (url.host !== 'recording' || !Number.isSafeInteger(id) || id <= 0 || !services) {
    return new Response(`expected accord-media://recording/<project id>, got ${request.url}`, {
      status: 400,
    });
  }
  try {
    const file = await services.projects.recordingFile(id);
    const size = (await fs.stat(file.path)).size;
    const range = parseRange(request.headers.get('range'), size);
    const headers: Record<string, string> = {
      'content-type': audioContentType(file.name),
      'accept-ranges': 'bytes',
    };
    if (range === 'unsatisfiable')
      return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    const { start, end } = range ?? { start: 0, end: size - 1 };
    headers['content-length'] = String(end - start + 1);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    const body = Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream<Uint8Array>;
    return new Response(body, { status: range ? 206 : 200, headers });
  } catch (err) {
    const e = toIpcError(err);
    return new Response(`${e.code}: ${e.message}`, { status: e.code === 'not-found' ? 404 : 409 });
  }
}

function registerIpc(h: Handlers, grants: PathGrants): void {
  ipcMain.on(GRANT_CHANNEL, (event, path: unknown) => {
    if (isTrustedSender(event) && typeof path === 'string' && isAbsolute(path)) grants.grant(path);
  });
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: {
            code: 'invalid-argument',
            message: `expected a call from ${APP_ORIGIN}, got one from ${event.senderFrame?.url ?? 'an unknown frame'}`,
          },
        };
      }
      return dispatch(h, channel, args);
    });
  }
}

function hardenSessions(): void {
  session.defaultSession.setPermissionRequestHandler(denyPermissionRequest);
  session.defaultSession.setPermissionCheckHandler(denyPermissionCheck);
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, confirmExternal));
}

async function confirmExternal(url: string): Promise<void> {
  const opts = {
    type: 'question' as const,
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Open this link in your web browser?',
    detail: url,
  };
  const r = mainWindow ? await dialog.showMessageBox(mainWindow, opts) : await dialog.showMessageBox(opts);
  if (r.response === 0) await shell.openExternal(url);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(windowOptions(fileURLToPath(new URL('./preload.cjs', import.meta.url))));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** The native open dialog for `kind`; with `many`, several files may be picked. */
async function openDialog(kind: OpenDialogArgs['kind'], title?: string, many = false): Promise<string[]> {
  const extensions = (
    kind === 'recording'
      ? [...AUDIO_EXTENSIONS]
      : kind === 'score'
        ? Object.keys(SCORE_EXTENSIONS)
        : kind === 'project'
          ? [PROJECT_FILE_EXTENSION]
          : kind === 'scan'
            ? [...SCAN_EXTENSIONS]
            : ['csv', 'json', 'txt']
  ).map((e) => e.replace(/^\./, ''));
  const names = {
    recording: 'Audio',
    score: 'Scores',
    alignment: 'Alignments',
    project: 'Accord projects',
    scan: 'Scanned pages (PDF, PNG, JPEG)',
  } as const;
  const titles = {
    recording: 'Choose the recording',
    score: 'Choose the score',
    alignment: 'Choose the alignment file',
    project: 'Open a project file',
    scan: 'Choose the scanned pages',
  } as const;
  const opts = {
    title: title ?? titles[kind],
    properties: many ? ['openFile' as const, 'multiSelections' as const] : ['openFile' as const],
    filters: [{ name: names[kind], extensions }],
  };
  const r = mainWindow ? await dialog.showOpenDialog(mainWindow, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? [] : many ? r.filePaths : r.filePaths.slice(0, 1);
}

async function saveDialog(format: SaveDialogArgs['format'], defaultName?: string): Promise<string | null> {
  const info =
    format === PROJECT_FILE_SAVE_FORMAT
      ? { label: 'Accord project', extension: PROJECT_FILE_EXTENSION }
      : EXPORT_FORMATS[format];
  const opts = {
    title: format === PROJECT_FILE_SAVE_FORMAT ? 'Save the project file' : `Export ${info.label}`,
    defaultPath: join(app.getPath('documents'), defaultName ?? `alignment${info.extension}`),
    filters: [{ name: info.label, extensions: [info.extension.split('.').pop() ?? '*'] }],
  };
  const r = mainWindow ? await dialog.showSaveDialog(mainWindow, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}

/**
 * Opens the services on `dbPath`; when the database cannot be opened (damaged, newer, held
 * elsewhere) asks what to do (`planRecovery`) and tries again after the chosen file moves.
 * Undefined when the user quits: without this the app would quit with no window and no word.
 */
function openServices(dbPath: string, emit: Emit): AppServices | undefined {
  return openWithRecovery(dbPath, {
    open: () =>
      createServices({ dbPath, emit, mediaUrl: (projectId) => `accord-media://recording/${projectId}` }),
    ask: (plan) => dialog.showMessageBoxSync(recoveryDialog(plan)),
    fail: (title, message) => dialog.showErrorBox(title, message),
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (inbox) void inbox.add([path]);
    else earlyFiles.push(path);
  });
  app.on('second-instance', (_e, argv, workingDirectory) => {
    void inbox?.add(projectFilesInArgv(argv.slice(1), workingDirectory));
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  void app.whenReady().then(() => {
    hardenSessions();
    protocol.handle('accord', serveRenderer);
    protocol.handle('accord-media', serveMedia);
    const emit = <E extends EventChannel>(event: E, payload: EventChannels[E]): void => {
      send(event, payload);
      if (event === 'project:changed' || event === 'job:done') buildMenu();
    };
    const dbPath = join(app.getPath('userData'), 'accord.db');
    services = openServices(dbPath, emit);
    if (!services) {
      app.exit(1);
      return;
    }
    backupIfDue(services.db, dbPath).catch((err: unknown) =>
      console.error(`Accord: the daily backup of ${dbPath} failed:`, err),
    );
    const grants = new PathGrants();
    handlers = createHandlers(
      services,
      {
        info: { version: app.getVersion(), host: 'electron', platform: process.platform },
        openDialog: async (a) => (await openDialog(a.kind, a.title))[0] ?? null,
        openFiles: (a) => openDialog(a.kind, a.title, true),
        saveDialog: (a) => saveDialog(a.format, a.defaultName),
      },
      grants,
    );
    registerIpc(handlers, grants);
    buildMenu();
    const h = handlers;
    inbox = new ProjectFileInbox({
      grant: (path) => grants.grant(path),
      open: (path) => dispatch(h, 'projectfile:open', [path]) as Promise<Result<ProjectFileOpened>>,
      show: (opened) => menuCommand('file:open', opened.project.id),
      fail: (path, message) =>
        dialog.showErrorBox('Accord cannot open this project file', `${path}\n\n${message}`),
    });
    void inbox.add([...earlyFiles.splice(0), ...projectFilesInArgv(process.argv.slice(1), process.cwd())]);
    mainWindow = createWindow();
    const box = inbox;
    mainWindow.webContents.once('did-finish-load', () => void box.ready());
    mainWindow.on('closed', () => (mainWindow = undefined));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('before-quit', (e) => {
    if (closing || !services) return;
    closing = true;
    e.preventDefault();
    void services.close().finally(() => app.quit());
  });
}
