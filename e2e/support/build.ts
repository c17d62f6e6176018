/** Builds the renderer with its Vite config (skipped when ACCORD_E2E_SKIP_BUILD=1 and a build exists). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { RENDERER_DIST, ROOT } from './paths.js';

/** Ensures `renderer/dist` is a fresh build of the renderer. */
export async function buildRenderer(): Promise<void> {
  if (process.env.ACCORD_E2E_SKIP_BUILD === '1' && existsSync(join(RENDERER_DIST, 'index.html'))) return;
  await build({ configFile: join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
