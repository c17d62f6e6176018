/** Launches the system Chromium (playwright-core cannot download browsers here) with a fresh profile. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

/** Chromium binary; override with ACCORD_CHROMIUM. */
export const CHROMIUM_PATH = process.env.ACCORD_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet and offline in CI containers. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/** A browser context on a throw-away profile; `close()` also deletes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh user-data dir and a `width`×`height` viewport. */
export async function launchBrowser(opts: { width?: number; height?: number } = {}): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
