/**
 * How to start a worker thread from this code, built or not: built code (dist/node) starts the
 * compiled .js entry; from source (vitest, the dev bridge) Node 20 cannot load .ts itself, so the
 * worker starts `workers/devBootstrap.mjs`, which registers a TypeScript loader and imports the
 * entry.
 */

/** Whether this module runs from its TypeScript source. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The extension of this code's modules: `ts` from source, `js` built. */
export const MODULE_EXTENSION = FROM_SOURCE ? 'ts' : 'js';

/**
 * The URL to give `new Worker` and the `workerData` fields to add, for the worker entry module
 * `entry` (its URL with `MODULE_EXTENSION`).
 */
export function workerEntry(entry: URL): { url: URL; data: Record<string, unknown> } {
  if (entry.href.endsWith('.ts'))
    return { url: new URL('./workers/devBootstrap.mjs', import.meta.url), data: { __entry: entry.href } };
  return { url: entry, data: {} };
}
