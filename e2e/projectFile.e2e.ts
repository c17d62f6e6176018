/**
 * `.accord` project files through the real renderer and bridge: the editor's "Save project file…"
 * writes one where the save dialog says, "Open project file…" on the start screen of another
 * library (another machine) brings the project in and opens it, and opening it again in the
 * library that holds it focuses that project without adding a copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseProjectFile } from '../shared/projectFile.js';
import { startApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { SAMPLE } from './support/paths.js';
import { StartPage } from './pages/StartPage.js';
import { EditorPage } from './pages/EditorPage.js';

const TITLE = 'Sample to carry';
let first: TestApp;
let second: TestApp;
let page: Page;
let file = '';

beforeAll(async () => {
  for (const p of [SAMPLE.midi, SAMPLE.recording])
    if (!existsSync(p)) throw new Error(`e2e fixture missing: expected ${p}`);
  first = await startApp();
  page = await first.newPage();
  file = join(first.dir, 'carried.accord');
});

afterAll(async () => {
  await second?.close();
  await first?.close();
});

describe('.accord project files in the editor', () => {
  it('saves the open project to the file the save dialog names', async () => {
    const start = new StartPage(page, first.bridge);
    const editor = new EditorPage(page);
    await start.waitReady();
    await start.create(SAMPLE.midi, SAMPLE.recording, TITLE);
    await start.open(TITLE);
    await editor.waitOpen(TITLE);
    await editor.saveProjectFile(first.bridge, file);
    const doc = parseProjectFile(readFileSync(file, 'utf8'));
    expect(doc).toMatchObject({
      format: 'accord-project',
      title: TITLE,
      recording: { path: SAMPLE.recording },
    });
  }, 240_000);

  it('opening it again in the same library, from the dialog or a drop, focuses that project, adding no copy', async () => {
    const start = new StartPage(page, first.bridge);
    const editor = new EditorPage(page);
    await start.ensure();
    await start.openProjectFile(file);
    await editor.waitOpen(TITLE);
    await start.ensure();
    expect(await start.table.getByRole('button', { name: `Open ${TITLE}`, exact: true }).count()).toBe(1);
    // Dropped on the start screen (the drop grants the path), it opens the same way.
    await start.drop({ paths: [file] });
    await editor.waitOpen(TITLE);
    await start.ensure();
    expect(await start.table.getByRole('button', { name: `Open ${TITLE}`, exact: true }).count()).toBe(1);
  }, 120_000);

  it('opens it in another library from the start screen, straight into the editor', async () => {
    second = await startApp();
    const other = await second.newPage();
    const start = new StartPage(other, second.bridge);
    const editor = new EditorPage(other);
    await start.waitReady();
    expect(await start.table.count()).toBe(0);
    await start.openProjectFile(file);
    await editor.waitOpen(TITLE);
    expect(await other.getByRole('alert').count()).toBe(0);
    expect(second.errors.filter((e) => !/favicon|Failed to load resource/.test(e))).toEqual([]);
  }, 240_000);
});
