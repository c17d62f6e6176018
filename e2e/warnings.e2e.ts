/**
 * The pipeline's warnings reach the user: with the neural model missing, `auto` falls back to the
 * jump search (the CLI says `accord: warning: …`) and the editor shows the same warning.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { SAMPLE } from './support/paths.js';
import { StartPage } from './pages/StartPage.js';
import { EditorPage } from './pages/EditorPage.js';

const TITLE = 'Sample without a model';

let app: TestApp;
let page: Page;
/** A model folder that is never created. */
const modelDir = join(tmpdir(), `accord-no-model-${process.pid}`);

beforeAll(async () => {
  for (const p of [SAMPLE.midi, SAMPLE.recording])
    if (!existsSync(p)) throw new Error(`e2e fixture missing: expected ${p}`);
  app = await startApp({ modelDir });
  page = await app.newPage();
});

afterAll(async () => {
  await app?.close();
});

describe('alignment warnings', () => {
  it('shows the fallback warning after aligning, until dismissed', async () => {
    const start = new StartPage(page, app.bridge);
    const editor = new EditorPage(page);
    await start.waitReady();
    await start.create(SAMPLE.midi, SAMPLE.recording, TITLE);
    await start.open(TITLE);
    await editor.waitOpen(TITLE);
    expect(await editor.warnings.count()).toBe(0);
    await editor.alignAndWait();
    await editor.warnings.waitFor();
    const text = await editor.warnings.innerText();
    expect(text).toContain('Aligned, with a warning');
    expect(text).toContain(modelDir);
    expect(text).toContain('aligned with the classical jump search instead of the neural aligner');
    expect(await editor.barBeat.innerText()).toMatch(/bar \d+\.\d+/);
    await editor.warnings.getByRole('button', { name: 'Dismiss' }).click();
    await editor.warnings.waitFor({ state: 'detached' });
    // less the browser's missing-favicon 404 (as in editor.e2e.ts)
    expect(app.errors.filter((e) => !/favicon|Failed to load resource/.test(e))).toEqual([]);
  });
});
