/** The app under test: a fresh SQLite file, the real bridge serving the built renderer, Chromium. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startBridge } from '../../electron/hosts/bridge/server.js';
import type { Bridge } from '../../electron/hosts/bridge/server.js';
import { launchBrowser } from './browser.js';
import type { Browser } from './browser.js';
import { buildRenderer } from './build.js';
import { RENDERER_DIST } from './paths.js';

/** A running bridge + browser. */
export interface TestApp {
  /** The bridge's URL (opens the start screen). */
  url: string;
  /** Temp folder for this run's files (database, bad fixtures). */
  dir: string;
  browser: Browser;
  /** The bridge (queue file-dialog answers with `bridge.queueDialog`). */
  bridge: Bridge;
  /** Opens a new tab on `url` (plus `hash`), with console errors collected in `errors`. */
  newPage(hash?: string): Promise<Page>;
  /** Page errors and console errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Builds the renderer, starts the bridge on a temp database and launches Chromium; `modelDir` replaces the shipped model. */
export async function startApp(
  opts: { width?: number; height?: number; modelDir?: string } = {},
): Promise<TestApp> {
  await buildRenderer();
  const dir = mkdtempSync(join(tmpdir(), 'accord-e2e-'));
  const bridge = await startBridge({
    dbPath: join(dir, 'accord.sqlite'),
    rendererDir: RENDERER_DIST,
    modelDir: opts.modelDir,
  });
  const browser = await launchBrowser(opts);
  const errors: string[] = [];
  return {
    url: bridge.url,
    dir,
    browser,
    bridge,
    errors,
    async newPage(hash = '') {
      const page = await browser.context.newPage();
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      await page.goto(bridge.url + hash);
      return page;
    },
    async close() {
      await browser.close();
      await bridge.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
