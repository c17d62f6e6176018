/** What the app's own web server and the test bridge send with the renderer's files. */
import { extname } from 'node:path';

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
