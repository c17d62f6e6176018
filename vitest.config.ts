import { defineConfig } from 'vitest/config';

/** Unit tests of the engine and the main process (Node). The renderer's run under `renderer/vitest.config.ts` (jsdom). */
export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // A temporary folder per run, removed at its end (tests' mkdtemp folders go with it).
    globalSetup: ['electron/tools/testing/tmpRoot.testutil.ts'],
  },
});
