/**
 * Preload (sandboxed, so CommonJS and only `electron` may be required): `window.accord`, one
 * `invoker()` per channel. Handlers answer `{ ok, value | error }`; an error is rethrown as an
 * `Error` whose message carries `[accord:<code>] ` because contextBridge keeps only messages —
 * the renderer reads it back with `AccordError.from(e)` (shared/ipc.ts).
 */
// A sandboxed preload is a CommonJS script: `import x = require()` is the TS form that stays `require`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type {
  AccordApi,
  EventChannel,
  EventChannels,
  GrantChannel,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  Result,
} from '../../../shared/ipc.js';

const { contextBridge, ipcRenderer, webUtils } = electron;

// Repeated because a sandboxed preload cannot import shared/ipc.ts at run time; the type checks it.
const GRANT_CHANNEL: GrantChannel = 'files:grant';

function invoker<C extends InvokeChannel>(channel: C): (...args: InvokeArgs<C>) => Promise<InvokeResult<C>> {
  return async (...args) => {
    const r = (await ipcRenderer.invoke(channel, ...args)) as Result<InvokeResult<C>>;
    if (r.ok) return r.value;
    throw new Error(`[accord:${r.error.code}] ${r.error.message}`);
  };
}

// Event names repeated here because a sandboxed preload cannot import shared/ipc.ts at run
// time; `satisfies` makes the compiler check the list against EventChannel.
const EVENTS = [
  'job:progress',
  'job:done',
  'job:failed',
  'project:changed',
  'menu:command',
] as const satisfies readonly EventChannel[];

function on<E extends EventChannel>(event: E, listener: (payload: EventChannels[E]) => void): () => void {
  if (!(EVENTS as readonly string[]).includes(event))
    throw new Error(
      `[accord:invalid-argument] expected one of the events ${EVENTS.join(', ')}, got ${String(event)}`,
    );
  const wrapped = (_e: Electron.IpcRendererEvent, payload: EventChannels[E]): void => listener(payload);
  ipcRenderer.on(event, wrapped);
  return () => void ipcRenderer.removeListener(event, wrapped);
}

const api: AccordApi = {
  app: { info: invoker('app:info') },
  project: {
    list: invoker('project:list'),
    create: invoker('project:create'),
    get: invoker('project:get'),
    rename: invoker('project:rename'),
    duplicate: invoker('project:duplicate'),
    delete: invoker('project:delete'),
    relink: invoker('project:relink'),
  },
  projectfile: { save: invoker('projectfile:save'), open: invoker('projectfile:open') },
  recording: { peaks: invoker('recording:peaks') },
  score: { pages: invoker('score:pages') },
  scan: {
    import: invoker('scan:import'),
    get: invoker('scan:get'),
    page: invoker('scan:page'),
    place: invoker('scan:place'),
    link: invoker('scan:link'),
    add: invoker('scan:add'),
    remove: invoker('scan:remove'),
    relink: invoker('scan:relink'),
  },
  alignment: {
    run: invoker('alignment:run'),
    list: invoker('alignment:list'),
    get: invoker('alignment:get'),
    matrix: invoker('alignment:matrix'),
    versions: invoker('alignment:versions'),
    restore: invoker('alignment:restore'),
    import: invoker('alignment:import'),
  },
  corrections: {
    get: invoker('corrections:get'),
    apply: invoker('corrections:apply'),
    undo: invoker('corrections:undo'),
    redo: invoker('corrections:redo'),
    realign: invoker('corrections:realign'),
  },
  review: { regions: invoker('review:regions'), mark: invoker('review:mark') },
  job: { cancel: invoker('job:cancel'), list: invoker('job:list') },
  view: { save: invoker('view:save') },
  practice: { save: invoker('practice:save') },
  export: { alignment: invoker('export:alignment') },
  dialog: {
    open: invoker('dialog:open'),
    pages: invoker('dialog:pages'),
    save: invoker('dialog:save'),
  },
  on,
  // Electron 32+ has no File.path: only the preload can ask where a dropped file lies.
  files: {
    pathFor: (file) => {
      const path = webUtils.getPathForFile(file as File);
      // Only a real dropped file has a path, so the page cannot grant one it made up.
      if (path) ipcRenderer.send(GRANT_CHANNEL, path);
      return path;
    },
  },
};

contextBridge.exposeInMainWorld('accord', api);
