/**
 * The layout at the smaller window size the designer's pass judges (1024×640), in Chromium: the
 * editor's header, transport and corrections toolbar each stay on one row with nothing clipped,
 * and the recent-projects table stays inside its card (actions inside, dates on one line); the
 * waveform carries a time ruler whose spacing follows the zoom; a notice moves none of the panes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { useEditorApp } from './support/editorApp.js';

const h = useEditorApp({ width: 1024, height: 640 });
const TITLE = 'Sample (layout)';

/** The height of `row` and of the tallest control in it, CSS px. */
async function rowHeights(row: Locator): Promise<{ row: number; control: number }> {
  return row.evaluate((el: HTMLElement) => {
    const controls = Array.from(el.querySelectorAll('button, select, input')).map(
      (c) => c.getBoundingClientRect().height,
    );
    return { row: el.getBoundingClientRect().height, control: Math.max(...controls) };
  });
}

/** Whether `el`'s content fits its box (no horizontal overflow) and its children stay inside it. */
async function overflow(el: Locator): Promise<{ scroll: number; client: number; outside: string[] }> {
  return el.evaluate((box: HTMLElement) => {
    const r = box.getBoundingClientRect();
    const outside = Array.from(box.querySelectorAll('button, select, input, output'))
      .filter((c) => {
        const b = c.getBoundingClientRect();
        return b.width > 0 && (b.left < r.left - 0.5 || b.right > r.right + 0.5);
      })
      .map((c) => c.getAttribute('aria-label') ?? c.textContent ?? c.tagName);
    return { scroll: box.scrollWidth, client: box.clientWidth, outside };
  });
}

describe('layout at 1024×640', () => {
  it('keeps the header, the transport and the corrections toolbar on one row each', async () => {
    await h.ensureAligned(TITLE);
    await h.openProject(TITLE);
    const { page } = h;
    const toolbar = page.getByRole('toolbar', { name: 'Edit' });
    await toolbar.waitFor();
    await page.getByLabel('Export format').waitFor();
    for (const [name, row] of [
      ['corrections toolbar', toolbar],
      ['header', page.locator('main.editor > header')],
      ['transport', page.getByRole('group', { name: 'Transport' })],
    ] as const) {
      const { row: height, control } = await rowHeights(row);
      expect(height, `${name}: ${height} px high, controls ${control} px (one row)`).toBeLessThan(
        control * 1.5,
      );
      const o = await overflow(row);
      expect(o.outside, `${name}: controls outside the row`).toEqual([]);
      expect(o.scroll, `${name}: content ${o.scroll} px in ${o.client} px`).toBeLessThanOrEqual(o.client);
    }
    // the export list shows its choice whole: the select is as wide as its text needs
    const exportSelect = page.getByLabel('Export format');
    for (const f of ['csv', 'svl', 'midi', 'audacity']) {
      await exportSelect.selectOption(f);
      const fits = await exportSelect.evaluate((s: HTMLSelectElement) => {
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(s).font;
        probe.style.whiteSpace = 'pre';
        probe.textContent = s.selectedOptions[0]?.textContent ?? '';
        document.body.append(probe);
        const text = probe.getBoundingClientRect().width;
        probe.remove();
        return { text, box: s.clientWidth };
      });
      expect(fits.text, `export "${f}" text in its select`).toBeLessThan(fits.box);
    }
    expect(h.pageErrors()).toEqual([]);
  });

  it('keeps the recent-projects table inside its card: actions inside, dates on one line', async () => {
    await h.ensureProject(TITLE);
    await h.ensureProject('Another sample project with a rather long title (layout)');
    await h.openStart();
    const table = h.start.table;
    await table.getByRole('row').nth(2).waitFor();
    const card = table.locator('xpath=ancestor::section[1]');
    const fit = await card.evaluate((c: HTMLElement) => {
      const t = c.querySelector('table');
      return { table: t?.scrollWidth ?? Infinity, card: c.clientWidth };
    });
    expect(fit.table, `table ${fit.table} px in a card of ${fit.card} px`).toBeLessThanOrEqual(fit.card);
    const o = await overflow(card);
    expect(o.outside, 'controls outside the card').toEqual([]);
    // dates on one line: the "Last edited" cells are one line high
    const dates = await table.evaluate((t: HTMLElement) => {
      const col = Array.from(t.querySelectorAll('th')).findIndex(
        (th) => th.textContent?.trim() === 'Last edited',
      );
      return Array.from(t.querySelectorAll('tbody tr')).map((tr) => {
        const td = tr.children[col] as HTMLElement;
        const range = document.createRange();
        range.selectNodeContents(td);
        return { lines: range.getClientRects().length, text: td.textContent?.trim() ?? '' };
      });
    });
    expect(dates.length).toBeGreaterThanOrEqual(2);
    for (const d of dates) expect(d.lines, `"${d.text}" on one line`).toBe(1);
    expect(h.pageErrors()).toEqual([]);
  });

  it('draws a time ruler in m:ss under the waveform, denser when zoomed in', async () => {
    await h.ensureAligned(TITLE);
    await h.openProject(TITLE);
    const { page, editor } = h;
    const ruler = page.getByTestId('waveform-ruler');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="waveform-ruler"]')?.getAttribute('data-major-step') === '2',
    );
    const read = () =>
      ruler.evaluate((c: HTMLCanvasElement) => {
        const g = c.getContext('2d');
        const px = g?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
        let inked = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
        return { step: Number(c.dataset.majorStep), label: c.dataset.firstLabel ?? '', inked };
      });
    const before = await read();
    expect(before.label).toMatch(/^\d+:\d\d$/);
    expect(before.inked).toBeGreaterThan(200);
    await editor.page.getByRole('button', { name: 'Zoom in' }).click();
    await editor.page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction(
      (s) =>
        Number(document.querySelector('[data-testid="waveform-ruler"]')?.getAttribute('data-major-step')) < s,
      before.step,
    );
    const after = await read();
    expect(after.step).toBeLessThan(before.step);
    expect(after.label).toMatch(/^\d+:\d\d(\.\d)?$/);
    expect(h.pageErrors()).toEqual([]);
  });

  it('shows a notice over the panes: none of them moves', async () => {
    await h.ensureAligned(TITLE);
    await h.openProject(TITLE);
    const { page, editor } = h;
    await page.getByRole('toolbar', { name: 'Edit' }).waitFor();
    const boxes = () =>
      page.evaluate(() =>
        ['[data-testid="waveform"]', '[aria-label="Transport"]', '[aria-label="Corrections"]', '.views'].map(
          (sel) => {
            const r = document.querySelector(sel)?.getBoundingClientRect();
            return { sel, box: r ? [r.x, r.y, r.width, r.height].map((v) => Math.round(v)) : null };
          },
        ),
      );
    const before = await boxes();
    expect(before.every((b) => b.box !== null)).toBe(true);
    await editor.saveProjectFile(h.app.bridge, join(h.app.dir, 'layout.accord'));
    await expect(editor.notice.isVisible()).resolves.toBe(true);
    expect(await boxes()).toEqual(before);
    // the notice can still be read and dismissed: it is on top, not under a pane
    const dismiss = editor.notice.getByRole('button', { name: 'Dismiss' });
    await dismiss.click();
    await editor.notice.waitFor({ state: 'detached' });
    expect(await boxes()).toEqual(before);
    // the corrections panel's messages float too: a refused "Go to time" moves nothing
    const go = page.getByRole('textbox', { name: 'Go to time' });
    await go.fill('1:99');
    await go.press('Enter');
    const refused = page.getByRole('alert').filter({ hasText: 'Expected a time as m:ss' });
    await refused.waitFor();
    expect(await boxes()).toEqual(before);
    await go.fill('0:01');
    await go.press('Enter');
    await refused.waitFor({ state: 'detached' });
    expect(await boxes()).toEqual(before);
    expect(h.pageErrors()).toEqual([]);
  });
});
