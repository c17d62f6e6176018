/**
 * The README's screenshots: every view of the editor and the start screen at 1400×900 and
 * 1024×640, taken in Chromium over the local bridge (the real pipeline aligns the sample first;
 * the sample's pages, engraved and rasterized, are imported as its scan for the scanned Pages view).
 * Writes `docs/screenshots/<view>-<width>x<height>.png`. Not part of `npm test`.
 * Run: `npm run screenshots` (or `npx jiti e2e/screenshots.ts [--out dir]`).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startApp, type TestApp } from './support/app.js';
import { MINUET, ROOT, SAMPLE } from './support/paths.js';
import { EditorPage } from './pages/EditorPage.js';
import { PagesView } from './pages/PagesView.js';
import { ScanView } from './pages/ScanView.js';
import { makeScanPages } from './support/scanPages.js';
import { PracticePage } from './pages/PracticePage.js';
import { StartPage } from './pages/StartPage.js';

/** The two window sizes the designer's pass judges. */
export const SCREEN_SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 640 },
] as const;

/** The views shot, in README order. */
export const SCREEN_VIEWS = ['editor', 'pianoroll', 'pages', 'scan', 'practice', 'start'] as const;
type View = (typeof SCREEN_VIEWS)[number];

const SAMPLE_TITLE = 'Sample — Bach, Prelude in C';

/** Aligns project `title` (created from `score` + `recording`) through the services; returns its id. */
async function aligned(app: TestApp, title: string, score: string, recording: string): Promise<number> {
  const s = app.bridge.services;
  const p = await s.projects.create({ scorePath: score, recordingPath: recording, title });
  const { jobId } = await s.projects.runAlignment(p.id, 'auto');
  await s.jobs.settled(jobId);
  if (s.projects.listAlignments(p.id).length === 0)
    throw new Error(`screenshots: the alignment of "${title}" stored no version`);
  return p.id;
}

/** Opens project `id` on the sheet music with the cursor a little way into the piece. */
async function openEditor(page: Page, id: number): Promise<EditorPage> {
  const editor = new EditorPage(page);
  await page.goto(`${page.url().split('#')[0]}#/project/${id}`);
  await editor.waitOpen(SAMPLE_TITLE);
  // practice mode is saved with the project: the views other than practice are shot without it
  const practice = new PracticePage(page);
  if ((await practice.toggle.getAttribute('aria-pressed')) === 'true') await practice.toggle.click();
  await editor.showView('Sheet music');
  await editor.sheet.locator('svg').first().waitFor({ timeout: 60_000 });
  await editor.showMatrix();
  await editor.showView('Sheet music');
  await editor.sheet.locator('svg').first().waitFor({ timeout: 60_000 });
  // mid-piece: a few notes in, so the cursor, playhead and path point are all visible
  await page.keyboard.press('Home');
  for (let k = 0; k < 2; k++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="sheet"]')?.getAttribute('data-cursor-index')) > 0,
  );
  return editor;
}

/** Puts `page` in the state shown for `view`. */
async function show(page: Page, view: View, id: number): Promise<void> {
  if (view === 'start') {
    await page.goto(page.url().split('#')[0]);
    await new StartPage(page, { queueDialog: () => undefined }).waitReady();
    await page.getByRole('table', { name: 'Recent projects' }).waitFor();
    return;
  }
  const editor = await openEditor(page, id);
  if (view === 'pianoroll') {
    await editor.showView('Piano roll');
    await editor.pianoRoll.waitFor();
  } else if (view === 'practice') {
    const practice = new PracticePage(page);
    await practice.open();
    await practice.loopBars('3-5');
  } else if (view === 'pages') {
    const pages = new PagesView(page);
    await editor.showView('Pages');
    // The sample has a scan too, which the view shows first.
    await page.getByRole('radio', { name: 'Engraved' }).check();
    await pages.waitPages();
    await pages.currentMeasure.waitFor();
  } else if (view === 'scan') {
    const scan = new ScanView(page);
    await editor.showView('Pages');
    await page.getByRole('radio', { name: 'Scan' }).check();
    await scan.waitPages();
    await scan.currentMeasure.waitFor();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? join(ROOT, 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const app = await startApp(SCREEN_SIZES[0]);
  try {
    const id = await aligned(app, SAMPLE_TITLE, SAMPLE.musicxml, SAMPLE.recording);
    // The sample's own pages as its scan, at a notation size that takes two pages, as a scanner would give them.
    const scanned = await makeScanPages(SAMPLE.musicxml, app.dir, 200);
    await app.bridge.services.scans.import(id, scanned.paths);
    await aligned(app, 'Minuet in G with its repeat', MINUET.musicxml, MINUET.recording);
    let total = 0;
    for (const size of SCREEN_SIZES) {
      const page = await app.newPage();
      await page.setViewportSize(size);
      // the same fonts and colours for every run: the light theme, no animations
      await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
      for (const view of SCREEN_VIEWS) {
        await show(page, view, id);
        await page.waitForTimeout(400); // let the last redraw land
        const path = join(out, `${view}-${size.width}x${size.height}.png`);
        await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
        const bytes = statSync(path).size;
        total += bytes;
        console.log(`${path}  ${Math.round(bytes / 1024)} KB`);
      }
      await page.close();
    }
    const errors = app.errors.filter((e) => !/favicon|Failed to load resource/.test(e));
    if (errors.length > 0) throw new Error(`screenshots: the page reported errors:\n${errors.join('\n')}`);
    console.log(`total ${Math.round(total / 1024)} KB`);
  } finally {
    await app.close();
  }
}

await main();
