/**
 * The local bridge: serves the built renderer to a normal browser (for e2e tests, since the
 * Electron binary cannot run here) and gives it `window.accord` backed by the same handlers as
 * the app. Loopback only, random port, a per-run token on every request.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  AccordError,
  EVENT_CHANNELS,
  type EventChannel,
  type EventChannels,
  type OpenDialogArgs,
  type SaveDialogArgs,
} from '../../../shared/ipc.js';
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
import { packageVersion } from '../../engine/repoRoot.js';
import { fromWireJson, toWireJson } from '../../app/ipc/wire.js';
import { BRIDGE_PREFIX, bridgeClientScript } from './client.js';
import { rendererCsp, resolveStatic, staticContentType } from '../../app/ipc/web.js';

/** Options of `startBridge`. */
export interface BridgeOptions {
  /** SQLite database file (created if missing). */
  dbPath: string;
  /** Built renderer folder (`renderer/dist`), with an `index.html`. */
  rendererDir: string;
  /** Port on 127.0.0.1; default 0 (a random free port). */
  port?: number;
  /** Neural model folder (default: the shipped one). */
  modelDir?: string;
  /** Answers for `dialog:open` / `dialog:save`; default: the queue fed by `queueDialog` (null when empty). */
  dialogs?: {
    open?(args: OpenDialogArgs): Promise<string | null> | string | null;
    /** `dialog:pages` (default: the queue, where an answer may be a list of paths). */
    openFiles?(args: OpenDialogArgs): Promise<string[]> | string[];
    save?(args: SaveDialogArgs): Promise<string | null> | string | null;
  };
}

/** A running bridge. */
export interface Bridge {
  /** Page to open, token included: `http://127.0.0.1:<port>/?token=<token>`. */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The per-run secret the page, `bridge.js`, invoke, events and media need (header `x-accord-token` or `?token=`; never a cookie). */
  token: string;
  /** The services behind the handlers (tests may inspect the database). */
  services: AppServices;
  /** Queues the answer of the next file dialog (a path, several for `dialog:pages`, or null for "cancelled"); the answer is granted when the dialog returns it. */
  queueDialog(answer: string | string[] | null): void;
  /** Grants `path` as a file dropped on the window would be (the page's `accordBridge.fileAt` does this). */
  grant(path: string): void;
  /** Stops the server, cancels jobs, closes the database. */
  close(): Promise<void>;
}

const CSP = rendererCsp();

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** True for a loopback peer address. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.has(address);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The token a request carries: the `x-accord-token` header or `?token=`. Never a cookie: a
 * cookie for 127.0.0.1 goes to every port on it, so a server on another port would receive it.
 */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers['x-accord-token'];
  if (typeof h === 'string') return h;
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Why a request comes from another origin (another 127.0.0.1 port included), or null: a
 * browser says so with `Sec-Fetch-Site` and, on scripts, fetches and posts, `Origin`.
 */
export function foreignOrigin(req: IncomingMessage, own: readonly string[]): string | null {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none')
    return `expected a request from the bridge's own page (Sec-Fetch-Site same-origin or none), got Sec-Fetch-Site ${site}`;
  const o = req.headers.origin;
  if (typeof o === 'string' && !own.includes(o)) return `expected Origin ${own[0]}, got ${o}`;
  return null;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY_BYTES)
      throw new AccordError(
        'invalid-argument',
        `request body: expected at most ${MAX_BODY_BYTES} bytes, got more`,
      );
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the bridge on 127.0.0.1. */
export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const rendererDir = resolve(opts.rendererDir);
  const token = randomBytes(24).toString('base64url');
  const sseClients = new Set<ServerResponse>();
  const dialogQueue: (string | string[] | null)[] = [];
  let origin = '';

  const emit = <E extends EventChannel>(event: E, payload: EventChannels[E]): void => {
    const frame = `event: ${event}\ndata: ${toWireJson(payload)}\n\n`;
    for (const res of sseClients) res.write(frame);
  };
  const services = createServices({
    dbPath: opts.dbPath,
    emit,
    mediaUrl: (projectId) => `${origin}/media/${projectId}?token=${token}`,
    modelDir: opts.modelDir,
  });
  const nextDialog = (): string | string[] | null =>
    dialogQueue.length > 0 ? (dialogQueue.shift() ?? null) : null;
  const grants = new PathGrants();
  const handlers: Handlers = createHandlers(
    services,
    {
      info: { version: packageVersion() ?? '0.0.0', host: 'bridge', platform: process.platform },
      openDialog: async (a) => {
        if (opts.dialogs?.open) return opts.dialogs.open(a);
        const next = nextDialog();
        return Array.isArray(next) ? (next[0] ?? null) : next;
      },
      openFiles: async (a) => {
        if (opts.dialogs?.openFiles) return opts.dialogs.openFiles(a);
        const next = nextDialog();
        return next === null ? [] : Array.isArray(next) ? next : [next];
      },
      saveDialog: async (a) => {
        if (opts.dialogs?.save) return opts.dialogs.save(a);
        const next = nextDialog();
        return Array.isArray(next) ? (next[0] ?? null) : next;
      },
    },
    grants,
  );

  const serveIndex = async (res: ServerResponse): Promise<void> => {
    const indexPath = join(rendererDir, 'index.html');
    let html: string;
    try {
      html = await fs.readFile(indexPath, 'utf8');
    } catch {
      send(
        res,
        500,
        `bridge: expected the built renderer at ${indexPath} (run the renderer build), found nothing`,
      );
      return;
    }
    const tag = `<script src="${BRIDGE_PREFIX}/bridge.js?token=${token}"></script>`;
    // Before any other script, so window.accord exists when the app starts.
    const at = html.search(/<script[\s>]/i);
    html =
      at >= 0
        ? html.slice(0, at) + tag + '\n' + html.slice(at)
        : html.replace(/<\/head>/i, `${tag}\n</head>`);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(html);
  };

  const serveStatic = async (res: ServerResponse, pathname: string): Promise<void> => {
    const r = await resolveStatic(rendererDir, pathname);
    if (!r.ok) {
      send(res, r.status, `bridge: ${r.reason}`);
      return;
    }
    const file = r.file;
    const st = await fs.stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      send(res, 404, `bridge: no file ${pathname}`);
      return;
    }
    res.writeHead(200, {
      'content-type': staticContentType(file),
      'content-length': st.size,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    createReadStream(file).pipe(res);
  };

  const serveMedia = async (req: IncomingMessage, res: ServerResponse, idText: string): Promise<void> => {
    const id = Number(idText);
    if (!Number.isSafeInteger(id) || id <= 0) {
      send(res, 400, `bridge: expected a positive integer project id, got ${JSON.stringify(idText)}`);
      return;
    }
    let file: { path: string; sizeBytes: number; name: string };
    try {
      file = await services.projects.recordingFile(id);
    } catch (err) {
      const e = toIpcError(err);
      send(res, e.code === 'not-found' ? 404 : 409, `${e.code}: ${e.message}`);
      return;
    }
    const size = (await fs.stat(file.path)).size;
    const range = parseRange(req.headers.range, size);
    const headers: Record<string, string | number> = {
      'content-type': audioContentType(file.name),
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
    };
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path, { start, end }).pipe(res);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopback(req.socket.remoteAddress)) {
      send(res, 403, `bridge: expected a loopback client, got ${req.socket.remoteAddress ?? 'unknown'}`);
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    // A page on another origin (DNS rebinding) sends a foreign Host header.
    const host = req.headers.host ?? '';
    if (host !== new URL(origin).host && host !== `localhost:${new URL(origin).port}`) {
      send(res, 403, `bridge: expected Host ${new URL(origin).host}, got ${host || '(none)'}`);
      return;
    }
    const foreign = foreignOrigin(req, [origin, `http://localhost:${new URL(origin).port}`]);
    if (foreign) {
      send(res, 403, `bridge: ${foreign}`);
      return;
    }
    const p = url.pathname;
    // The built renderer is public code: its files load without the token (the page's own
    // <script>/<link> requests cannot carry it); the page, bridge.js, invoke, events and media need it.
    const isAsset =
      (req.method === 'GET' || req.method === 'HEAD') &&
      p !== '/' &&
      p !== '/index.html' &&
      !p.startsWith(BRIDGE_PREFIX + '/') &&
      !p.startsWith('/media/');
    if (isAsset) {
      await serveStatic(res, p);
      return;
    }
    const given = tokenOf(req, url);
    if (!given || !sameSecret(given, token)) {
      send(
        res,
        401,
        'bridge: expected the per-run token (x-accord-token header or ?token=), got ' +
          (given ? 'a wrong one' : 'none'),
      );
      return;
    }
    if (p.startsWith(BRIDGE_PREFIX + '/')) {
      const sub = p.slice(BRIDGE_PREFIX.length);
      if (sub === '/bridge.js' && req.method === 'GET') {
        send(res, 200, bridgeClientScript(token), 'text/javascript; charset=utf-8');
      } else if (sub.startsWith('/invoke/') && req.method === 'POST') {
        const channel = decodeURIComponent(sub.slice('/invoke/'.length));
        let args: unknown;
        try {
          args = fromWireJson(await readBody(req));
        } catch (err) {
          send(
            res,
            400,
            toWireJson({
              ok: false,
              error: {
                code: 'invalid-argument',
                message: `request body: expected a JSON array of arguments (${toIpcError(err).message})`,
              },
            }),
            'application/json',
          );
          return;
        }
        const result = await dispatch(handlers, channel, args);
        send(res, 200, toWireJson(result), 'application/json');
      } else if (sub === '/events' && req.method === 'GET') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(`: accord events (${EVENT_CHANNELS.join(', ')})\n\n`);
        sseClients.add(res);
        req.on('close', () => sseClients.delete(res));
      } else if (sub === '/drop' && req.method === 'POST') {
        // The browser's stand-in for a desktop drop: accordBridge.fileAt(path) grants its path.
        const body = JSON.parse(await readBody(req)) as { path?: unknown };
        if (typeof body.path !== 'string' || body.path === '') {
          send(res, 400, `bridge: expected a path, got ${JSON.stringify(body.path)}`);
          return;
        }
        grants.grant(body.path);
        send(res, 200, '{}', 'application/json');
      } else if (sub === '/test/dialog' && req.method === 'POST') {
        const body = JSON.parse(await readBody(req)) as { answers?: unknown };
        const answers = Array.isArray(body.answers) ? body.answers : [];
        for (const a of answers)
          dialogQueue.push(
            typeof a === 'string' || (Array.isArray(a) && a.every((x) => typeof x === 'string')) ? a : null,
          );
        send(res, 200, JSON.stringify({ queued: dialogQueue.length }), 'application/json');
      } else {
        send(res, 404, `bridge: no endpoint ${req.method} ${p}`);
      }
      return;
    }
    if (p.startsWith('/media/') && (req.method === 'GET' || req.method === 'HEAD')) {
      await serveMedia(req, res, p.slice('/media/'.length));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, `bridge: expected GET, got ${req.method}`);
      return;
    }
    await serveIndex(res);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      console.error('[bridge]', err);
      if (!res.headersSent) send(res, 500, `bridge: ${toIpcError(err).message}`);
      else res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    services,
    queueDialog: (answer) => void dialogQueue.push(answer),
    grant: (path) => grants.grant(path),
    async close() {
      for (const res of sseClients) res.end();
      sseClients.clear();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await services.close();
    },
  };
}
