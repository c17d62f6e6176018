/** What the app's own web server and the test bridge send with the renderer's files. */
import { realpath } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';

/**
 * The renderer's Content-Security-Policy: only its own origin, no inline scripts (WebAssembly
 * allowed for the score engraver), no objects, frames or form posts. `mediaSchemes` adds
 * sources for media and fetches (the Electron app streams recordings from `accord-media:`).
 */
export function rendererCsp(mediaSchemes: readonly string[] = []): string {
  const extra = mediaSchemes.map((s) => ` ${s}`).join('');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `media-src 'self'${extra} blob:`,
    `connect-src 'self'${extra}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Hosts a link in the app may open in the user's browser (after a confirmation); nothing else opens. */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'creativecommons.org'];

/** Whether `url` may go to `shell.openExternal`: https, no credentials, a host of `EXTERNAL_HOSTS`. */
export function externalUrlAllowed(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === 'https:' && !u.username && !u.password && !u.port && EXTERNAL_HOSTS.includes(u.hostname)
  );
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.mid': 'audio/midi',
  '.xml': 'application/xml',
  '.musicxml': 'application/vnd.recordare.musicxml+xml',
};

/** Content type of one of the renderer's static files, by its extension. */
export function staticContentType(file: string): string {
  return STATIC_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Where `resolveStatic` landed: the real file to serve, or why not. */
export type StaticFile = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * The real path of the file a URL path names inside `rootDir`, or why it is refused: `..`,
 * and symbolic links (file or folder) that lead out of the folder are refused (403), whatever
 * the folder itself is reached through.
 */
export async function resolveStatic(rootDir: string, urlPathname: string): Promise<StaticFile> {
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(urlPathname)).replace(/^([/\\])+/, '');
  } catch {
    return { ok: false, status: 400, reason: 'expected a URL-encoded path' };
  }
  const root = resolve(rootDir);
  const file = resolve(root, rel || 'index.html');
  if (!file.startsWith(root + sep))
    return { ok: false, status: 403, reason: 'path outside the served folder' };
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(file);
  } catch {
    return { ok: false, status: 404, reason: `no file ${urlPathname}` };
  }
  if (!real.startsWith(realRoot + sep)) {
    return { ok: false, status: 403, reason: 'path leads outside the served folder (symbolic link)' };
  }
  return { ok: true, file: real };
}
