/**
 * The Pages view end to end: the sample aligned by the real pipeline, engraved by verovio in
 * main, shown in Chromium under the app's CSP. The view follows playback across a page turn,
 * a click on a measure plays from there, and the view survives a reopen.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { artifact, SAMPLE } from './support/paths.js';
import { screenshotStats } from './support/pixels.js';
import { StartPage } from './pages/StartPage.js';
import { EditorPage } from './pages/EditorPage.js';
import { PagesView } from './pages/PagesView.js';
import type { ScorePages } from '../shared/ipc.js';

const TITLE = 'Sample on pages';
/** The notation size at which the sample's seven bars take more than one A4 page. */
const SIZE = 200;

let app: TestApp;
let page: Page;
let start: StartPage;
let editor: EditorPage;
let pages: PagesView;

beforeAll(async () => {
  for (const p of Object.values(SAMPLE))
    if (!existsSync(p)) throw new Error(`e2e fixture missing: expected ${p}`);
  app = await startApp({ width: 1400, height: 900 });
  page = await app.newPage();
  start = new StartPage(page, app.bridge);
  editor = new EditorPage(page);
  pages = new PagesView(page);
});

afterAll(async () => {
  await app?.close();
});

/** The engraving the view shows, through the same contract (`score:pages`) the renderer uses. */
async function engraving(): Promise<ScorePages> {
  return page.evaluate(async (size) => {
    const [project] = await window.accord.project.list();
    const layout = {
      pageWidth: Math.round(210000 / size),
      pageHeight: Math.round(297000 / size),
      scale: size,
    };
    return window.accord.score.pages(project.id, layout);
  }, SIZE);
}

describe('pages view', () => {
  it('shows the aligned sample on engraved pages, the current measure boxed', async () => {
    await start.waitReady();
    await start.create(SAMPLE.musicxml, SAMPLE.recording, TITLE);
    await start.open(TITLE);
    await editor.waitOpen(TITLE);
    await editor.alignAndWait();
    await editor.showView('Pages');
    await pages.waitPages();
    expect(await pages.pageCount()).toBe(1);
    await pages.notationSize.selectOption(String(SIZE));
    await pages.waitPages(2);
    expect(await pages.shownPage()).toBe(1);
    await pages.currentMeasure.waitFor();
    expect(await pages.measure()).toBe('1');
    // The page image decoded under the CSP (a blob: URL of the SVG).
    expect(await pages.image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const shot = await screenshotStats(page, pages.surface, artifact('pages.png'));
    expect(shot.inkedFraction).toBeGreaterThan(0.01);
    // The box is drawn over the page image.
    const img = await pages.image.boundingBox();
    const box = await pages.currentMeasure.boundingBox();
    expect(img && box).toBeTruthy();
    expect(box!.x).toBeGreaterThanOrEqual(img!.x - 10);
    expect(box!.x + box!.width).toBeLessThanOrEqual(img!.x + img!.width + 10);
    expect(box!.y).toBeGreaterThanOrEqual(img!.y - 10);
  });

  it('turns pages by hand, and back to the playhead’s page', async () => {
    await pages.nextPage.click();
    await pages.waitShown(2);
    await pages.followPlayback.click();
    await pages.waitShown(1);
  });

  it('plays from a clicked measure and follows playback across the page turn', async () => {
    const e = await engraving();
    const onFirst = e.measures.filter((m) => m.page === 1);
    const last = onFirst[onFirst.length - 1];
    const firstOfNext = e.measures.find((m) => m.page === 2)!;
    expect(firstOfNext).toBeDefined();
    const before = await editor.playhead();
    await pages.clickAt(last.box[0] + last.box[2] / 2, last.box[1] + last.box[3] / 2, e.pages[0]);
    await editor.pauseButton.waitFor();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="pages"]')?.getAttribute('data-measure') === n,
      last.number,
    );
    const clickedAt = await editor.playhead();
    expect(clickedAt).toBeGreaterThan(before + 1);
    expect(await pages.shownPage()).toBe(1);
    // Playback reaches the next page's first bar: the page turns with it.
    await pages.waitShown(2, 20_000);
    expect(await pages.measure()).toBe(firstOfNext.number);
    expect(await pages.currentMeasure.getAttribute('data-number')).toBe(firstOfNext.number);
    expect(await editor.playhead()).toBeGreaterThan(clickedAt);
    await page.screenshot({ path: artifact('pages-turned.png') });
    await editor.pauseButton.click();
    await editor.playButton.waitFor();
  });

  it('reopens on the Pages view at the playhead’s page, with no CSP or console errors', async () => {
    await editor.waitSaved();
    await editor.close();
    await start.open(TITLE);
    await editor.waitOpen(TITLE);
    expect(await editor.selectedView()).toBe('Pages');
    await pages.waitPages();
    await pages.currentMeasure.waitFor();
    // Less the browser's missing-favicon 404 (as in editor.e2e.ts); a CSP refusal would show here.
    expect(app.errors.filter((e) => !/favicon|Failed to load resource/.test(e))).toEqual([]);
  });
});
