/**
 * How to start a worker thread from this code, built or not: built code (dist/node) starts the
 * compiled .js entry; from source (vitest, the dev bridge) Node 20 cannot load .ts itself, so the
 * worker starts `workers/devBootstrap.mjs`, which registers a TypeScript loader and imports the
 * entry.
 */

/** Whether this module runs from its TypeScript source. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * The URL to give `new Worker` and the `workerData` fields to add, for a worker entry module
 * given as its source (`ts`) and its compiled file (`js`), each a literal
 * `new URL('…', import.meta.url)` so that the layout test sees what the caller starts.
 */
export function workerEntry(entry: { ts: URL; js: URL }): { url: URL; data: Record<string, unknown> } {
  if (FROM_SOURCE)
    return { url: new URL('./workers/devBootstrap.mjs', import.meta.url), data: { __entry: entry.ts.href } };
  return { url: entry.js, data: {} };
}
