// Runs a TypeScript worker entry from source (tests, the bridge under vitest): Node 20 cannot
// load .ts itself, so register tsHooks.mjs in this thread, then import the entry. Built code
// (dist/node) starts the compiled .js entry directly and never loads this file.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register(new URL('./tsHooks.mjs', import.meta.url));
await import(workerData.__entry);
