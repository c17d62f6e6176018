/**
 * Fixes from the user test of issue 10, end to end: the real bridge, a temp SQLite file, the
 * real pipeline and Chromium. Each test sets up what it needs (its project, on a fresh page).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../electron/engine/audio.js';
import { writeWav16 } from '../electron/tools/eval/wav.js';
import { FEATURE_PARAMS } from '../shared/dsp/params.js';
import { useEditorApp } from './support/editorApp.js';
import { SAMPLE } from './support/paths.js';

/** The sample aligned by DTW (through the services). */
const ALIGNED = 'Fixes (aligned)';

const h = useEditorApp({ width: 1400, height: 900 });

describe('fixes from the user test', () => {
  it('smoke: a drop without a path on disk says so and fills nothing', async () => {
    await h.openStart();
    const { page, start } = h;
    await start.drop({ made: ['score.musicxml', 'notes.txt'] });
    const hint = page.getByText('“score.musicxml” has no file path here');
    await hint.waitFor();
    expect(await hint.innerText()).toContain('“notes.txt” is neither a score');
    expect(await page.getByLabel('Score', { exact: true }).inputValue()).toBe('');
  });

  it('smoke: dropping a score and a recording fills both paths and creates the project', async () => {
    await h.openStart();
    const { page, start } = h;
    await start.drop({ paths: [SAMPLE.recording, SAMPLE.musicxml] });
    expect(await page.getByLabel('Score', { exact: true }).inputValue()).toBe(SAMPLE.musicxml);
    expect(await page.getByLabel('Recording', { exact: true }).inputValue()).toBe(SAMPLE.recording);
    expect(await page.getByText('has no file path here').count()).toBe(0);
    await page.getByLabel('Title', { exact: true }).fill('Dropped');
    await page.getByRole('button', { name: 'Create project' }).click();
    await start.settled();
    await start.row('Dropped').waitFor();
  });

  it('the exported first beat of a recording that starts with 0.5 s of silence lies within 50 ms of 0.5 s', async () => {
    // The sample from its first sound (the first sample above −40 dB of its peak), behind 0.5 s of silence.
    const { samples } = await decodeAudioFile(SAMPLE.recording);
    const sr = FEATURE_PARAMS.sampleRate;
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    const first = samples.findIndex((v) => Math.abs(v) > 0.01 * peak);
    const pad = Math.round(0.5 * sr);
    const padded = new Float32Array(pad + samples.length - first);
    padded.set(samples.subarray(first), pad);
    const wav = join(h.app.dir, 'silence-first.wav');
    writeWav16(wav, { sampleRate: sr, channels: [padded] });
    await h.ensureAligned('Leading silence', { score: SAMPLE.musicxml, recording: wav });
    await h.openProject('Leading silence');
    const { page } = h;
    const dest = join(h.app.dir, 'leading-silence.txt');
    h.app.bridge.queueDialog(dest);
    await page.getByLabel('Export format').selectOption('asap');
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByText(`to ${dest}`).waitFor();
    const firstBeat = Number(readFileSync(dest, 'utf8').split('\n')[0].split('\t')[0]);
    console.log(`leading silence 0.5 s: first beat exported at ${firstBeat} s`);
    expect(Math.abs(firstBeat - 0.5)).toBeLessThan(0.05);
  });

  it('a bad path is reported in words, not field names', async () => {
    await h.openStart();
    const { start } = h;
    await start.create('/nowhere/score.mid', SAMPLE.recording, 'Bad');
    const alert = start.alert.first();
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('The score: expected an existing file, got the string "/nowhere/score.mid"');
    expect(text).not.toMatch(/scorePath|recordingPath/);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('aligns with the method chosen and shows the current version selected', async () => {
    await h.ensureProject('Fixes (first alignment)');
    await h.openProject('Fixes (first alignment)');
    const { page, editor } = h;
    await page.getByRole('combobox', { name: 'Alignment method' }).selectOption('dtw');
    await editor.alignAndWait();
    const versions = page.getByRole('combobox', { name: 'Alignment version' });
    await versions.waitFor();
    const shown = await versions.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '');
    expect(shown).toMatch(/^v1 automatic \(dtw\) – current$/);
    expect(await page.getByRole('button', { name: 'Restore' }).isDisabled()).toBe(true);
  });

  it('re-align with no corrections says so and makes no new version', async () => {
    await h.ensureAligned(ALIGNED, undefined, 'dtw');
    await h.openProject(ALIGNED);
    const { page } = h;
    const versions = page.getByRole('combobox', { name: 'Alignment version' });
    await versions.waitFor();
    const before = await versions.locator('option').count();
    await page.getByRole('button', { name: 'Re-align' }).click();
    await page.getByRole('status').filter({ hasText: 'Nothing to re-align' }).waitFor();
    expect(await versions.locator('option').count()).toBe(before);
  });

  it('"Go to time" refuses 1:99 and text with a message, and goes to 0:05.5', async () => {
    await h.ensureAligned(ALIGNED, undefined, 'dtw');
    await h.openProject(ALIGNED);
    const { page, editor } = h;
    const box = page.getByRole('textbox', { name: 'Go to time' });
    await box.fill('1:99');
    await box.press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: 'Expected a time as m:ss' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('got “1:99”, whose seconds (99) are 60 or more');
    await box.fill('soon');
    await box.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'got “soon”' }).waitFor();
    await box.fill('0:05.5');
    await box.press('Enter');
    await alert.waitFor({ state: 'detached' });
    expect(await editor.playhead()).toBeCloseTo(5.5, 2);
  });

  it('the ? overlay lists undo, redo and the menu shortcuts', async () => {
    await h.ensureAligned(ALIGNED, undefined, 'dtw');
    await h.openProject(ALIGNED);
    const { page } = h;
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const text = await help.innerText();
    for (const key of ['Ctrl+Z', 'Ctrl+Y', 'Ctrl+E', 'Ctrl+1', 'Ctrl+W']) expect(text, key).toContain(key);
    expect(text).toContain('Export the alignment in the format last chosen');
    expect(text).not.toContain('hear');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    expect(h.pageErrors()).toEqual([]);
  });
});
