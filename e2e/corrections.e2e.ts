/**
 * Hand corrections end to end: the minuet whose recording plays bars 1–8 twice, against a MIDI
 * score without the repeat, aligned by plain DTW (which misses the second pass). A jump inserted
 * by hand in the corrections panel fixes it; the exported CSV is scored against `gt.csv` with the
 * official metric; the correction survives reopening the project; undo restores the DTW path.
 * A serial fixture (`serialSteps`): each step builds on the one before; run the file whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { serialSteps } from './support/editorApp.js';
import { ROOT } from './support/paths.js';
import { EditorPage } from './pages/EditorPage.js';
import { CorrectionsPage } from './pages/CorrectionsPage.js';
import { parseGtCsv, parsePredCsv, scoreCase } from '../shared/eval/metric.js';

const FIXTURE = join(ROOT, 'resources', 'fixtures', 'minuet-repeat');
const gt = parseGtCsv(readFileSync(join(FIXTURE, 'gt.csv'), 'utf8'));

let app: TestApp;
let projectId = 0;
let title = '';
let page: Page;
let exports = 0;

/** Exports the latest alignment as CSV through the editor's Export button; returns the file's text. */
async function exportCsv(p: Page): Promise<string> {
  const dest = join(app.dir, `export-${++exports}.csv`);
  app.bridge.queueDialog(dest);
  await p.getByLabel('Export format').selectOption('csv');
  await p.getByRole('button', { name: 'Export…' }).click();
  await p.getByText(`to ${dest}`).waitFor();
  return readFileSync(dest, 'utf8');
}

/** Page and console errors, less the browser's missing-favicon 404 (as in editor.e2e.ts). */
const pageErrors = (): string[] => app.errors.filter((e) => !/favicon|Failed to load resource/.test(e));

const acc50 = (csv: string): number => scoreCase(gt, parsePredCsv(csv)).acc50;

beforeAll(async () => {
  app = await startApp({ width: 1400, height: 900 });
  const s = app.bridge.services;
  const p = await s.projects.create({
    recordingPath: join(FIXTURE, 'performance.ogg'),
    scorePath: join(FIXTURE, 'score-norepeat.mid'),
    title: 'Minuet (no repeat in score)',
  });
  projectId = p.id;
  title = p.title;
  const { jobId } = await s.projects.runAlignment(projectId, 'dtw');
  await s.jobs.settled(jobId);
});

afterAll(async () => {
  await app?.close();
});

const step = serialSteps();

describe('corrections', () => {
  let dtwCsv = '';

  step('a jump inserted by hand at the second pass brings the exported beats within 50 ms', async () => {
    page = await app.newPage(`#/project/${projectId}`);
    const editor = new EditorPage(page);
    const corr = new CorrectionsPage(page);
    await editor.waitOpen(title);
    await corr.waitReady();
    dtwCsv = await exportCsv(page);
    const before = acc50(dtwCsv);
    expect(before).toBeLessThan(75);

    const second = gt.find((r) => r.segment === 1);
    if (!second) throw new Error('gt.csv: expected a second pass (segment 1)');
    await corr.goTo(second.perfTime);
    await corr.insertJump('1.1');
    expect(await corr.undoButton.isEnabled()).toBe(true);
    const after = acc50(await exportCsv(page));
    // The held final chord is beyond DTW either way; every other beat comes within 50 ms.
    expect(after).toBeGreaterThan(90);
    expect(after).toBeGreaterThan(before + 25);
    expect(pageErrors()).toEqual([]);
  });

  step('reopening the project (new page) shows the correction persisted', async () => {
    await page.close();
    page = await app.newPage(`#/project/${projectId}`);
    const corr = new CorrectionsPage(page);
    await new EditorPage(page).waitOpen(title);
    await corr.waitReady();
    await corr.waitCursor(1);
    const items = await corr.items();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^Jump at 0:14\.\d → bar 1\.1/);
    expect(acc50(await exportCsv(page))).toBeGreaterThan(90);
  });

  step('undo (Ctrl+Z) restores the previous path exactly', async () => {
    const corr = new CorrectionsPage(page);
    await page.locator('main.editor h1').click();
    await page.keyboard.press('Control+z');
    await corr.waitCursor(0);
    const csv = await exportCsv(page);
    expect(parsePredCsv(csv)).toEqual(parsePredCsv(dtwCsv));
    expect(await corr.redoButton.isEnabled()).toBe(true);
    expect(await corr.items()).toEqual([]);
    expect(pageErrors()).toEqual([]);
  });
});
