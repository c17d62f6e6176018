/**
 * Scanned pages end to end (issue 11, route 2): the sample's pages, engraved and rasterized to PNG
 * here, dropped on the Pages view of its aligned project; main reads and detects them in a worker
 * and links the boxes to the score. The view follows playback across the page turn, a dragged box
 * moves and a re-linked box keeps its new measure, in SQLite, so both survive a reopen.
 */
import { expect } from 'vitest';
import { useEditorApp, serialSteps } from './support/editorApp.js';
import { makeScanPages } from './support/scanPages.js';
import { artifact, SAMPLE } from './support/paths.js';
import { ScanView } from './pages/ScanView.js';
import type { ScanState } from '../shared/ipc.js';
import type { Engraving } from '../shared/pages/model.js';

const TITLE = 'Sample on scanned pages';
/** The notation size at which the sample's bars take more than one A4 page. */
const SIZE = 200;

const h = useEditorApp();
const step = serialSteps();
let engraving: Engraving;
let scan: ScanView;
let projectId = 0;
let moved: { id: number; box: [number, number, number, number] };
let relinked: { id: number; number: string };
let pagePaths: string[] = [];

async function scanState(): Promise<ScanState> {
  return h.page.evaluate((id) => window.accord.scan.get(id), projectId);
}

step('imports the dropped pages: every page, one box a bar, linked in order', async () => {
  projectId = await h.ensureAligned(TITLE, { score: SAMPLE.musicxml, recording: SAMPLE.recording });
  const made = await makeScanPages(SAMPLE.musicxml, h.app.dir, SIZE);
  engraving = made.engraving;
  pagePaths = made.paths;
  expect(engraving.pages.length).toBeGreaterThanOrEqual(2);
  await h.openProject(TITLE);
  await h.editor.showView('Pages');
  scan = new ScanView(h.page);
  await scan.drop(made.paths);
  await scan.waitPages(2);
  // Read in a job: its outcome is said in words.
  await h.page.getByTestId('scan-import-notice').waitFor();
  expect(await h.page.getByTestId('scan-import-notice').innerText()).toBe(
    `Imported ${engraving.pages.length} pages with ${engraving.measures.length} measure boxes.`,
  );
  expect(await scan.pageCount()).toBe(engraving.pages.length);
  const state = await scanState();
  expect(state.boxes.map((b) => [b.page, b.number])).toEqual(
    engraving.measures.map((m) => [m.page, m.number]),
  );
  expect(state.warnings).toEqual([]);
  expect(await scan.image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(
    engraving.pages[0].width,
  );
  expect(await scan.boxes.count()).toBe(engraving.measures.filter((m) => m.page === 1).length);
});

step('plays from a clicked box and follows playback across the page turn', async () => {
  const state = await scanState();
  const lastOfFirst = state.boxes.filter((b) => b.page === 1).at(-1)!;
  const firstOfNext = state.boxes.find((b) => b.page === 2)!;
  await scan.dragBy(scan.box(lastOfFirst.number!), 0, 0);
  await h.editor.pauseButton.waitFor();
  await h.page.waitForFunction(
    (n) => document.querySelector('[data-testid="pages"]')?.getAttribute('data-measure') === n,
    lastOfFirst.number,
  );
  expect(await scan.shownPage()).toBe(1);
  await scan.waitShown(2, 20_000);
  expect(await scan.measure()).toBe(firstOfNext.number);
  expect(await scan.currentMeasure.getAttribute('data-number')).toBe(firstOfNext.number);
  await h.editor.pauseButton.click();
  await h.editor.playButton.waitFor();
  await h.page.screenshot({ path: artifact('scan-pages-turned.png') });
});

step('a dragged box moves and a re-linked box keeps its measure, saved at once', async () => {
  const before = await scanState();
  const target = before.boxes.find((b) => b.page === 2)!;
  const el = scan.box(target.number!);
  const shown = await el.boundingBox();
  // A system-wide box has little room sideways: a little left, further down.
  await scan.dragBy(el, -10, 20);
  await h.page.waitForFunction(
    ([id, y]) =>
      Number(document.querySelector(`[data-testid="scan-box"][data-id="${id}"]`)?.getAttribute('y')) > y + 1,
    [target.id, target.box[1]] as const,
  );
  // The box followed the pointer on screen, and main holds it there, its size unchanged.
  const now = await h.page.locator(`[data-testid="scan-box"][data-id="${target.id}"]`).boundingBox();
  const after = (await scanState()).boxes.find((b) => b.id === target.id)!;
  expect(now!.x - shown!.x).toBeCloseTo(-10, -0.5);
  expect(now!.y - shown!.y).toBeCloseTo(20, -0.5);
  expect(after.box[0]).toBeLessThan(target.box[0] - 10);
  expect(after.box[1]).toBeGreaterThan(target.box[1] + 10);
  // The view places boxes on whole pixels: a detected size is kept, rounded.
  expect([after.box[2], after.box[3]]).toEqual([Math.round(target.box[2]), Math.round(target.box[3])]);
  moved = { id: target.id, box: after.box };
  // The dragged box is selected: link it to another bar.
  const other = before.measures.find((m) => m.number !== target.number)!.number;
  await scan.linkedMeasure.selectOption(other);
  await h.page.waitForFunction(
    ([id, n]) =>
      document.querySelector(`[data-testid="scan-box"][data-id="${id}"]`)?.getAttribute('data-number') === n,
    [target.id, other] as const,
  );
  await scan.warnings.waitFor();
  expect(await scan.warnings.innerText()).toContain(`No box for measure ${target.number}.`);
  relinked = { id: target.id, number: other };
  const saved = (await scanState()).boxes.find((b) => b.id === target.id)!;
  expect(saved.number).toBe(other);
});

step('both survive a reopen, with no CSP or console errors', async () => {
  await h.editor.waitSaved();
  await h.editor.close();
  await h.openProject(TITLE);
  expect(await h.editor.selectedView()).toBe('Pages');
  scan = new ScanView(h.page);
  await scan.waitPages(2);
  const box = (await scanState()).boxes.find((b) => b.id === moved.id)!;
  expect(box.box).toEqual(moved.box);
  expect(box.number).toBe(relinked.number);
  await scan.warnings.waitFor();
  expect(h.pageErrors()).toEqual([]);
});

step(
  'Replace scan… picks several pages in the dialog; Cancel import stops the job and keeps the scan',
  async () => {
    const before = await scanState();
    // The dialog answers the pages in reverse: main puts them in page order.
    h.app.bridge.queueDialog([...pagePaths].reverse());
    await h.page.getByRole('button', { name: 'Replace scan…' }).click();
    const progress = h.page.getByRole('progressbar', { name: 'Scan import progress' });
    await progress.waitFor();
    const cancel = h.page.getByRole('button', { name: 'Cancel import' });
    await expect.poll(() => cancel.isEnabled()).toBe(true);
    await cancel.click();
    await progress.waitFor({ state: 'detached' });
    expect(await h.page.getByTestId('scan-import-notice').innerText()).toBe(
      'Import cancelled: the scan is as it was.',
    );
    expect(await scanState()).toEqual(before);

    h.app.bridge.queueDialog([...pagePaths].reverse());
    await h.page.getByRole('button', { name: 'Replace scan…' }).click();
    await h.page.getByText(/^Imported \d+ pages/).waitFor({ timeout: 60_000 });
    const after = await scanState();
    expect(after.pages.map((p) => p.sourceName)).toEqual(pagePaths.map((p) => p.split(/[\\/]/).at(-1)));
    expect(after.boxes.map((b) => [b.page, b.number])).toEqual(
      engraving.measures.map((m) => [m.page, m.number]),
    );
    expect(h.pageErrors()).toEqual([]);
  },
);
