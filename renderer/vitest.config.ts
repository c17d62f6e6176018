import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

/** Unit tests of the renderer's state classes and pure helpers (runes need the Svelte compiler). */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    include: ['renderer/**/*.test.ts'],
    environment: 'jsdom',
  },
});
