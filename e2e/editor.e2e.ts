/**
 * The editor end to end: the real bridge, a temp SQLite file, the real alignment pipeline and
 * Chromium. Tests named `smoke:` form the fast subset (`-t smoke`). Each test sets up what it
 * needs (its project, aligned or not, on a fresh page), so any one runs alone or in any order.
 */
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEditorApp } from './support/editorApp.js';
import { artifact, MINUET, SAMPLE } from './support/paths.js';
import { screenshotStats } from './support/pixels.js';

/** The sample with its MusicXML score, aligned (by the services when a test needs it so). */
const TITLE = 'Sample (MusicXML)';
/** The sample with its MIDI score. */
const MIDI_TITLE = 'Sample (MIDI)';
const MIDI = { score: SAMPLE.midi, recording: SAMPLE.recording };

const h = useEditorApp({ width: 1400, height: 900 });

/** Opens `title` on the sheet-music view with the sheet drawn and its cursor placed. */
async function openOnSheet(title: string): Promise<void> {
  await h.openProject(title);
  await h.editor.showView('Sheet music');
  await h.editor.sheet.locator('svg').first().waitFor({ timeout: 60_000 });
  await h.page.waitForFunction(
    () => Number(document.querySelector('[data-testid="sheet"]')?.getAttribute('data-cursor-index')) >= 0,
  );
}

describe('editor', () => {
  it('smoke: creates a project from a MusicXML score and a recording', async () => {
    await h.openStart();
    // main's file dialog answered by the bridge (the Electron app shows a native one)
    h.app.bridge.queueDialog(SAMPLE.musicxml);
    h.app.bridge.queueDialog(SAMPLE.recording);
    await h.start.createViaDialogs('Sample (chosen in dialogs)');
    const row = h.start.row('Sample (chosen in dialogs)');
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('score.musicxml');
    expect(text).toContain('performance.flac');
    expect(text).toContain('Not aligned');
    expect(text).toMatch(/\d+:\d\d\.\d/); // the duration
    expect(text).toContain('0%');
  });

  it('smoke: opens a project with the waveform and the sheet music drawn', async () => {
    await h.ensureProject('Sample (not aligned)');
    await openOnSheet('Sample (not aligned)');
    const { page, editor } = h;
    await editor.waveform.locator('div').first().waitFor();
    const wave = await screenshotStats(page, editor.waveform, artifact('waveform-before.png'));
    expect(wave.inkedFraction).toBeGreaterThan(0.05);
    const sheet = await screenshotStats(page, editor.sheet, artifact('sheet-before.png'), [255, 255, 255]);
    expect(sheet.inkedFraction).toBeGreaterThan(0.01);
    expect(await editor.barBeat.innerText()).toContain('not aligned');
  });

  it('aligns with a progress bar, then draws the path on the matrix', async () => {
    await h.ensureProject(TITLE);
    await openOnSheet(TITLE);
    const { page, editor } = h;
    const seen = await editor.alignAndWait();
    expect(seen.stages.length).toBeGreaterThan(0);
    expect(await editor.alignButton.isVisible()).toBe(true);
    const m = await screenshotStats(page, editor.matrix, artifact('matrix.png'), [0x10, 0x14, 0x1c]);
    expect(m.inkedFraction).toBeGreaterThan(0.05);
    expect(m.colours).toBeGreaterThan(8);
    const sheet = await screenshotStats(page, editor.sheet, artifact('sheet.png'), [255, 255, 255]);
    expect(sheet.inkedFraction).toBeGreaterThan(0.01);
    await screenshotStats(page, editor.waveform, artifact('waveform.png'));
    expect(await editor.barBeat.innerText()).toMatch(/bar \d+\.\d+/);
    await page.screenshot({ path: artifact('editor-aligned.png') });
  });

  it('plays: the playhead and the score cursor move', async () => {
    await h.ensureAligned(TITLE);
    await openOnSheet(TITLE);
    const { page, editor } = h;
    await page.keyboard.press('Home');
    const t0 = await editor.playhead();
    const c0 = await editor.cursorBox();
    const i0 = await editor.cursorIndex();
    await editor.playButton.click();
    await editor.pauseButton.waitFor();
    await page.waitForFunction(
      (t) => Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) > t + 2,
      t0,
      { timeout: 20_000 },
    );
    await editor.pauseButton.click();
    await editor.playButton.waitFor();
    const t1 = await editor.playhead();
    expect(t1).toBeGreaterThan(t0 + 2);
    const i1 = await editor.cursorIndex();
    expect(i1).toBeGreaterThan(i0);
    const c1 = await editor.cursorBox();
    expect(c1.x !== c0.x || c1.y !== c0.y).toBe(true);
    // the score time follows the alignment: it advanced too
    expect(await editor.scoreTime()).toBeGreaterThan(0.5);
    // a real aligned piece, mid-piece (the README's screenshots: `npm run screenshots`)
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      (i) => Number(document.querySelector('[data-testid="sheet"]')?.getAttribute('data-cursor-index')) > i,
      i1,
    );
    await page.screenshot({ path: artifact('editor.png') });
  });

  it('seeks the recording by clicking a note, the cursor lands on it', async () => {
    await h.ensureAligned(TITLE);
    await openOnSheet(TITLE);
    const { page, editor } = h;
    const before = await editor.playhead();
    const noteCount = await editor.sheet.locator('g.vf-stavenote').count();
    expect(noteCount).toBeGreaterThan(10);
    const target = Math.floor(noteCount * 0.6);
    const noteBox = await editor.sheet.locator('g.vf-stavenote').nth(target).boundingBox();
    await editor.clickNote(target);
    await page.waitForFunction(
      (t) => Math.abs(Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) - t) > 0.2,
      before,
    );
    const after = await editor.playhead();
    expect(after).not.toBeCloseTo(before, 1);
    const cursor = await editor.cursorBox();
    expect(noteBox).not.toBeNull();
    // the cursor stands on (or right next to) the clicked note
    expect(Math.abs(cursor.x - (noteBox?.x ?? 0))).toBeLessThan(40);
  });

  it('keyboard shortcuts: help overlay, zoom, step, home', async () => {
    await h.ensureAligned(TITLE);
    await h.openProject(TITLE);
    const { page, editor } = h;
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.innerText()).toContain('Play / pause');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    const z0 = parseFloat(await editor.zoom.innerText());
    await page.keyboard.press('+');
    await page.waitForFunction(
      (z) => parseFloat(document.querySelector('output[aria-label="Zoom"]')?.textContent ?? '0') > z,
      z0,
    );
    await page.keyboard.press('Home');
    await page.waitForFunction(
      () => Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) === 0,
    );
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      () => Math.abs(Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) - 5) < 0.01,
    );
  });

  it('matrix: wheel zooms, hover shows performance time, bar.beat and score time', async () => {
    await h.ensureAligned(TITLE);
    await h.openProject(TITLE);
    const { page, editor } = h;
    await editor.showMatrix();
    const box = await editor.matrix.boundingBox();
    if (!box) throw new Error('matrix not visible');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    const text = await tip.innerText();
    expect(text).toMatch(/Performance \d+:\d\d\.\d/);
    expect(text).toMatch(/Bar \d+\.\d+/);
    expect(text).toMatch(/Score \d+:\d\d\.\d/);
    const before = await screenshotStats(page, editor.matrix, artifact('matrix-fit.png'), [0x10, 0x14, 0x1c]);
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(200);
    const after = await screenshotStats(
      page,
      editor.matrix,
      artifact('matrix-zoomed.png'),
      [0x10, 0x14, 0x1c],
    );
    expect(after.inked).not.toBe(before.inked);
  });

  it('restores project, playhead, zoom and view after the page is closed and reopened', async () => {
    await h.ensureAligned(TITLE);
    await h.openProject(TITLE);
    const { page, editor } = h;
    await editor.showView('Matrix');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const playhead = await editor.playhead();
    const zoom = await editor.zoom.innerText();
    const view = await editor.selectedView();
    expect(view).toBe('Matrix');
    await editor.waitSaved();
    const hash = new URL(page.url()).hash;
    expect(hash).toMatch(/^#\/project\/\d+$/);

    await h.openStart();
    await h.start.open(TITLE);
    await h.editor.waitOpen(TITLE);
    await h.page.waitForFunction(
      (t) =>
        Math.abs(Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) - t) < 0.05,
      playhead,
    );
    expect(await h.editor.zoom.innerText()).toBe(zoom);
    expect(await h.editor.selectedView()).toBe(view);
    await h.editor.showView('Sheet music');
  });

  it('smoke: a bad recording gives a clear message and the app keeps working', async () => {
    await h.ensureProject(TITLE);
    await h.openStart();
    const { page, start, editor } = h;
    const bad = join(h.app.dir, 'broken.flac');
    writeFileSync(bad, 'this is not audio at all\n'.repeat(50));
    await start.create(SAMPLE.musicxml, bad, 'Broken');
    const alert = start.alert.first();
    const created = start.row('Broken');
    await Promise.race([alert.waitFor(), created.waitFor()]);
    if (await created.count()) {
      // accepted at creation: the failure must show when aligning
      await start.open('Broken');
      await editor.waitOpen('Broken');
      await editor.alignButton.click();
      await editor.alert.first().waitFor({ timeout: 120_000 });
      expect(await editor.alert.first().innerText()).toMatch(/broken\.flac|decode|audio|FLAC/i);
      await editor.close();
    } else {
      expect(await alert.innerText()).toMatch(/broken\.flac|decode|audio|FLAC|recording/i);
    }
    // still works: a missing file is reported, then a good project opens
    await start.create('/definitely/not/here.musicxml', SAMPLE.recording, 'Ghost');
    await page
      .getByRole('alert')
      .filter({ hasText: /not\/here\.musicxml/ })
      .waitFor();
    await start.open(TITLE);
    await editor.waitOpen(TITLE);
    await editor.close();
    await start.waitReady();
  });

  it('renames, duplicates and deletes a project (with a confirmation)', async () => {
    const title = 'Sample (to rename)';
    await h.ensureProject(title);
    await h.openStart();
    const { page, start } = h;
    await start.rename(title, 'Renamed sample');
    await start.duplicate('Renamed sample');
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length >= 2);
    const titles = await start.titles();
    const copy = titles.find((t) => t !== 'Renamed sample' && /Renamed sample/.test(t));
    expect(copy).toBeDefined();
    await start.delete(copy ?? '', false);
    expect(await start.titles()).toContain(copy);
    await start.delete(copy ?? '', true);
    await start.row(copy ?? '').waitFor({ state: 'detached' });
    expect(await start.titles()).toContain('Renamed sample');
    await start.rename('Renamed sample', title);
  });

  it('smoke: a MIDI score shows a piano roll with a playhead', async () => {
    const title = 'Sample (MIDI, from the form)';
    await h.openStart();
    const { page, start, editor } = h;
    await start.create(SAMPLE.midi, SAMPLE.recording, title);
    await start.open(title);
    await editor.waitOpen(title);
    await editor.pianoRoll.waitFor();
    const roll = await screenshotStats(page, editor.pianoRoll, artifact('pianoroll.png'), [0xfb, 0xfb, 0xf8]);
    expect(roll.inkedFraction).toBeGreaterThan(0.01);
    expect(await page.getByRole('tab', { name: 'Sheet music' }).count()).toBe(0);
  });

  it('cancels a running alignment', async () => {
    await h.ensureProject(MIDI_TITLE, MIDI);
    await h.openProject(MIDI_TITLE);
    const { page, editor } = h;
    await editor.alignButton.click();
    await editor.cancelButton.waitFor();
    await page.waitForFunction(() => !document.querySelector('.align button:disabled'));
    if (await editor.cancelButton.isVisible()) await editor.cancelButton.click();
    // either the job stopped (notice) or it had already finished (path drawn)
    await page
      .getByText('Alignment cancelled.')
      .or(editor.matrix.and(page.locator(':visible')))
      .first()
      .waitFor({ timeout: 60_000 });
    await editor.alignButton.waitFor();
    expect(h.pageErrors()).toEqual([]);
  });

  it('with a repeat, clicking a note seeks to the pass nearest the playhead', async () => {
    await h.ensureProject('Minuet', { score: MINUET.musicxml, recording: MINUET.recording });
    await h.openProject('Minuet');
    const { page, editor } = h;
    await editor.showView('Sheet music');
    await editor.sheet.locator('g.vf-stavenote').first().waitFor({ timeout: 60_000 });
    await editor.alignAndWait();
    const seekByNote = async (key: 'Home' | 'End'): Promise<number> => {
      await page.keyboard.press(key);
      const from = await editor.playhead();
      await editor.clickNote(2); // a note of bar 1 or 2: inside the repeated bars 1–8
      await page.waitForFunction(
        (t) =>
          Math.abs(Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) - t) > 0.2,
        from,
      );
      return editor.playhead();
    };
    const m = await screenshotStats(page, editor.matrix, artifact('matrix-repeat.png'), [0x10, 0x14, 0x1c]);
    expect(m.inkedFraction).toBeGreaterThan(0.05);
    const first = await seekByNote('Home');
    const second = await seekByNote('End');
    // the second pass of bars 1–8 starts about eight bars later in the recording
    expect(second - first).toBeGreaterThan(5);
    expect(first).toBeLessThan(8);
  });

  it('a moved recording is reported and can be located again', async () => {
    await h.openStart();
    const { page, start, editor } = h;
    const take = join(h.app.dir, 'take.ogg');
    copyFileSync(MINUET.recording, take);
    await start.create(MINUET.musicxml, take, 'Moved take');
    await start.row('Moved take').waitFor();
    const moved = join(h.app.dir, 'moved-take.ogg');
    renameSync(take, moved);
    await start.open('Moved take');
    await editor.waitOpen('Moved take');
    const banner = page.getByRole('alert').filter({ hasText: 'is missing or has changed on disk' });
    await banner.waitFor();
    h.app.bridge.queueDialog(moved);
    await banner.getByRole('button', { name: 'Locate recording…' }).click();
    await banner.waitFor({ state: 'detached' });
    await editor.close();
    expect(await start.row('Moved take').innerText()).not.toContain('Recording missing');
  });
});
