/**
 * Following playback, working on the score and the theme, end to end in Chromium: the matrix
 * keeps the playhead in view when zoomed (a drag stops that, F resumes it), the sheet music turns
 * to the system being played (a wheel stops that, the Follow button resumes it), a drag across
 * bars of the sheet sets the practice loop to them, and the dark theme follows the system or the
 * saved choice. Each test sets up what it needs, so any one runs alone or in any order.
 */
import { describe, expect, it } from 'vitest';
import { useEditorApp } from './support/editorApp.js';
import { artifact, MINUET } from './support/paths.js';
import { PracticePage } from './pages/PracticePage.js';
import { PagesView } from './pages/PagesView.js';
import type { ScorePages } from '../shared/ipc.js';

const h = useEditorApp({ width: 1400, height: 900 });
const SAMPLE_TITLE = 'Sample (follow)';
const MINUET_TITLE = 'Minuet (follow)';

/** The matrix's visible performance window and zoom (its data attributes). */
async function matrixWindow(): Promise<{ x0: number; x1: number; zoom: number }> {
  return h.page.evaluate(() => {
    const c = document.querySelector('[data-testid="matrix"]');
    return {
      x0: Number(c?.getAttribute('data-x0')),
      x1: Number(c?.getAttribute('data-x1')),
      zoom: Number(c?.getAttribute('data-zoom')),
    };
  });
}

/** Waits until the playhead is within 0.05 s of `t`. */
async function playheadAt(t: number): Promise<void> {
  await h.page.waitForFunction(
    (want) =>
      Math.abs(Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) - want) < 0.05,
    t,
  );
}

/** Whether the sheet's cursor lies wholly inside the sheet's scroll box, and the box's scroll. */
async function cursorInView(): Promise<{ inside: boolean; scrollTop: number }> {
  return h.page.evaluate(
    () =>
      new Promise<{ inside: boolean; scrollTop: number }>((resolve) =>
        requestAnimationFrame(() => {
          const box = document.querySelector('[data-testid="sheet"]') as HTMLElement;
          const cur = box.querySelector('img[id^="cursorImg"]') as HTMLElement;
          const b = box.getBoundingClientRect();
          const c = cur.getBoundingClientRect();
          resolve({
            inside: c.top >= b.top - 1 && c.bottom <= b.bottom + 1 && c.height > 0,
            scrollTop: box.scrollTop,
          });
        }),
      ),
  );
}

async function openOnSheet(title: string): Promise<void> {
  await h.openProject(title);
  await h.editor.showView('Sheet music');
  await h.editor.sheet.locator('g.vf-stavenote').first().waitFor({ timeout: 60_000 });
  await h.page.waitForFunction(
    () => Number(document.querySelector('[data-testid="sheet"]')?.getAttribute('data-cursor-index')) >= 0,
  );
  // laid out at the pane's width (switching from the matrix view widens the pane: a re-layout follows)
  await h.page.waitForFunction(() => {
    const box = document.querySelector<HTMLElement>('[data-testid="sheet"]');
    return !!box && Math.abs(Number(box.dataset.layoutWidth) - box.clientWidth) < 16;
  });
}

const follow = () => h.page.getByRole('button', { name: 'Follow', exact: true });

describe('follow playback', () => {
  it('matrix: zoomed in from the keyboard it keeps the playhead in view; a drag stops that, F resumes', async () => {
    await h.ensureAligned(SAMPLE_TITLE);
    await h.openProject(SAMPLE_TITLE);
    const { page, editor } = h;
    await editor.showMatrix();
    await editor.matrix.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="matrix"]')?.getAttribute('data-zoom')) > 5,
    );
    expect(await follow().getAttribute('aria-pressed')).toBe('true');
    // Home and End reach the editor from the focused matrix; the window follows the playhead
    await page.keyboard.press('End');
    const end = await editor.playhead();
    expect(end).toBeGreaterThan(10);
    await page.waitForFunction((t) => {
      const c = document.querySelector('[data-testid="matrix"]');
      return Number(c?.getAttribute('data-x0')) <= t && t <= Number(c?.getAttribute('data-x1'));
    }, end);
    const w = await matrixWindow();
    expect(w.x1 - w.x0).toBeLessThan(end / 4);
    await page.keyboard.press('Home');
    await playheadAt(0);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="matrix"]')?.getAttribute('data-x0')) <= 0.001,
    );
    // drag the view to later times: following stops and the window stays where it was dragged
    const box = await editor.matrix.boundingBox();
    if (!box) throw new Error('matrix not visible');
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(
      () => document.querySelector('button[aria-pressed="false"][title*="Keep the playhead"]') !== null,
    );
    const dragged = await matrixWindow();
    expect(dragged.x0).toBeGreaterThan(0.5);
    await editor.matrix.focus();
    await page.keyboard.press('End');
    await playheadAt(end);
    await page.keyboard.press('Home');
    await playheadAt(0);
    expect((await matrixWindow()).x0).toBeCloseTo(dragged.x0, 2);
    // F: following again, the playhead (at 0) back in view
    await page.keyboard.press('f');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="matrix"]')?.getAttribute('data-x0')) <= 0.001,
    );
    expect(await follow().getAttribute('aria-pressed')).toBe('true');
    // 0 fits the whole matrix
    await page.keyboard.press('0');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="matrix"]')?.getAttribute('data-zoom')) === 1,
    );
  });

  it('sheet: the system being played stays in view through the piece; a wheel stops following, Follow resumes', async () => {
    await h.ensureAligned(MINUET_TITLE, { score: MINUET.musicxml, recording: MINUET.recording });
    await openOnSheet(MINUET_TITLE);
    const { page, editor } = h;
    // the designer's small window: the minuet's systems do not all fit in the pane
    await page.setViewportSize({ width: 1024, height: 640 });
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-testid="sheet"]') as HTMLElement;
      return box.scrollHeight > box.clientHeight * 1.5;
    });
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await playheadAt(0);
    const duration = await page.evaluate(() => {
      const text = document.querySelector('output[aria-label="Playhead"]')?.textContent ?? '';
      const [m, s] = (text.split('/')[1] ?? '').trim().split(':');
      return Number(m) * 60 + Number(s);
    });
    expect(duration).toBeGreaterThan(20);
    const scrolls = new Set<number>();
    for (let t = 0; t < duration - 1; t += 2) {
      const v = await cursorInView();
      expect(v.inside, `cursor out of view at ${t} s`).toBe(true);
      scrolls.add(Math.round(v.scrollTop));
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('Shift+ArrowRight');
      await playheadAt(t + 2);
    }
    // the piece is longer than the pane: it turned at least twice
    expect(scrolls.size).toBeGreaterThan(2);
    await page.screenshot({ path: artifact('sheet-followed.png') });

    // a wheel over the sheet: the reader looks elsewhere, the sheet stops following
    const sheetBox = await editor.sheet.boundingBox();
    if (!sheetBox) throw new Error('sheet not visible');
    await page.mouse.move(sheetBox.x + sheetBox.width / 2, sheetBox.y + sheetBox.height / 2);
    await page.mouse.wheel(0, -5000);
    await page.waitForFunction(
      () => document.querySelector('button[aria-pressed="false"][title*="Keep the playhead"]') !== null,
    );
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="sheet"]') as HTMLElement).scrollTop === 0,
    );
    const here = await editor.playhead();
    await page.keyboard.press('ArrowLeft');
    await playheadAt(Math.max(0, here - 5));
    expect((await cursorInView()).scrollTop).toBe(0);
    expect((await cursorInView()).inside).toBe(false);
    await follow().click();
    await page.waitForFunction(() =>
      document.querySelector('[aria-pressed="true"][title*="Keep the playhead"]'),
    );
    expect((await cursorInView()).inside).toBe(true);
  });

  it('a drag across bars of the sheet sets the practice loop to them, as typing them would', async () => {
    await h.ensureAligned(SAMPLE_TITLE);
    await openOnSheet(SAMPLE_TITLE);
    const { page, editor } = h;
    const practice = new PracticePage(page);
    const notes = editor.sheet.locator('g.vf-stavenote');
    const n = await notes.count();
    const from = await notes.nth(Math.floor(n * 0.2)).boundingBox();
    const to = await notes.nth(Math.floor(n * 0.6)).boundingBox();
    if (!from || !to) throw new Error('notes not visible');
    const before = await editor.playhead();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await practice.panel.waitFor();
    const marked = await editor.sheet
      .locator('[data-testid="bar-selection"] > div')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.measure ?? ''));
    expect(marked.length).toBeGreaterThan(1);
    const bars = `${marked[0]}-${marked[marked.length - 1]}`;
    expect(await practice.bars.inputValue()).toBe(bars);
    const dragged = await practice.loop();
    expect(dragged.b).toBeGreaterThan(dragged.a);
    // the drag is not a click: the playhead stayed where it was
    expect(await editor.playhead()).toBeCloseTo(before, 3);
    await practice.loopBars(bars);
    const typed = await practice.loop();
    expect(typed.a).toBeCloseTo(dragged.a, 3);
    expect(typed.b).toBeCloseTo(dragged.b, 3);
    expect(h.pageErrors()).toEqual([]);
  });
});

describe('bars dragged on the pages', () => {
  it('a drag across measures of an engraved page loops those bars; the bars stay marked', async () => {
    const id = await h.ensureAligned(SAMPLE_TITLE);
    await h.openProject(SAMPLE_TITLE);
    const { page, editor } = h;
    const pages = new PagesView(page);
    const practice = new PracticePage(page);
    await editor.showView('Pages');
    await pages.waitPages();
    // the engraving the view shows (A4 at 100 %, the view's default), through the same contract
    const engraving: ScorePages = await page.evaluate(
      (pid) => window.accord.score.pages(pid, { pageWidth: 2100, pageHeight: 2970, scale: 100 }),
      id,
    );
    const onPage = engraving.measures.filter((m) => m.page === 1);
    expect(onPage.length).toBeGreaterThan(3);
    const [from, to] = [onPage[1], onPage[3]];
    const box = await pages.overlay.boundingBox();
    if (!box) throw new Error('the page overlay is not visible');
    const p = engraving.pages[0];
    const at = (b: readonly number[]) => ({
      x: box.x + ((b[0] + b[2] / 2) / p.width) * box.width,
      y: box.y + ((b[1] + b[3] / 2) / p.height) * box.height,
    });
    const before = await editor.playhead();
    await page.mouse.move(at(from.box).x, at(from.box).y);
    await page.mouse.down();
    await page.mouse.move(at(to.box).x, at(to.box).y, { steps: 10 });
    await page.mouse.up();
    await practice.panel.waitFor();
    const bars = `${from.number}-${to.number}`;
    await expect.poll(() => practice.bars.inputValue()).toBe(bars);
    const marked = await pages.surface
      .locator('[data-testid="bar-selection"] rect')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-measure')));
    expect(marked).toEqual([onPage[1].number, onPage[2].number, onPage[3].number]);
    // not a click on a measure: playback did not start nor the playhead move
    expect(await editor.playButton.isVisible()).toBe(true);
    expect(await editor.playhead()).toBeCloseTo(before, 3);
    const dragged = await practice.loop();
    await practice.loopBars(bars);
    const typed = await practice.loop();
    expect(dragged.b).toBeGreaterThan(dragged.a);
    expect(typed).toEqual(dragged);
    expect(h.pageErrors()).toEqual([]);
  });
});

describe('help', () => {
  it('the ? overlay lists the follow and matrix keys, and F toggles following', async () => {
    await h.ensureProject(SAMPLE_TITLE);
    await h.openProject(SAMPLE_TITLE);
    const { page } = h;
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    for (const section of [
      'Playback',
      'Matrix (when it has the focus: click it or Tab to it)',
      'Corrections',
    ])
      await help.getByRole('table', { name: section }).waitFor();
    const text = await help.innerText();
    expect(text).toContain('Follow the playhead in the sheet music and the matrix');
    expect(text).toContain('Fit the whole matrix');
    expect(text).toContain('drag across bars to loop them');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    expect(await follow().getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('f');
    await expect.poll(() => follow().getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.press('Shift+F');
    await expect.poll(() => follow().getAttribute('aria-pressed')).toBe('true');
  });
});

describe('theme', () => {
  /** The page's theme attribute and its computed background colour. */
  const shown = () =>
    h.page.evaluate(() => ({
      theme: document.documentElement.dataset.theme,
      bg: getComputedStyle(document.documentElement).backgroundColor,
    }));
  const DARK_BG = 'rgb(20, 23, 29)';
  const LIGHT_BG = 'rgb(246, 245, 241)';

  it('follows the system’s colour scheme, and a chosen theme is kept across a reload', async () => {
    await h.openStart();
    const { page } = h;
    const select = page.getByRole('combobox', { name: 'Theme' });
    // the choice is app-wide (localStorage): start from the system's
    await select.selectOption('system');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    expect(await shown()).toEqual({ theme: 'dark', bg: DARK_BG });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    expect(await shown()).toEqual({ theme: 'light', bg: LIGHT_BG });

    await select.selectOption('dark');
    expect(await shown()).toEqual({ theme: 'dark', bg: DARK_BG });
    await page.reload();
    await h.start.waitReady();
    expect(await shown()).toEqual({ theme: 'dark', bg: DARK_BG });
    expect(await page.getByRole('combobox', { name: 'Theme' }).inputValue()).toBe('dark');
    await page.screenshot({ path: artifact('start-dark.png') });

    // the keyboard's focus ring is the theme's
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const cs = getComputedStyle(document.activeElement as Element);
      return { style: cs.outlineStyle, colour: cs.outlineColor };
    });
    expect(ring).toEqual({ style: 'solid', colour: 'rgb(156, 194, 255)' });

    // the editor in the dark theme, for the eye (artifacts)
    await h.ensureAligned(SAMPLE_TITLE);
    await h.openProject(SAMPLE_TITLE);
    await h.page.screenshot({ path: artifact('editor-dark.png') });
    expect(await shown()).toEqual({ theme: 'dark', bg: DARK_BG });
    await h.page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
    expect(h.pageErrors()).toEqual([]);
  });
});
