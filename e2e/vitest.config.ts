import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/** End-to-end tests: the real bridge + SQLite + pipeline, driven in Chromium. One file at a time, in order. */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    // A temporary folder per run, removed at its end (tests' mkdtemp folders go with it).
    globalSetup: ['electron/tools/testing/tmpRoot.testutil.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
