/** Page object of the editor (align, views, transport). */
import type { Locator, Page } from 'playwright-core';

/** The editor of one project. */
export class EditorPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.locator('main.editor');
  }
  get alignButton(): Locator {
    return this.page.getByRole('button', { name: 'Align', exact: true });
  }
  get cancelButton(): Locator {
    return this.page.getByRole('button', { name: 'Cancel', exact: true });
  }
  get progress(): Locator {
    return this.page.getByRole('progressbar', { name: 'Alignment progress' });
  }
  get alert(): Locator {
    return this.page.getByRole('alert');
  }
  /** The finished job's warnings (shown only when it had some). */
  get warnings(): Locator {
    return this.page.getByRole('status', { name: 'Alignment warnings' });
  }
  get playButton(): Locator {
    return this.page.getByRole('button', { name: 'Play', exact: true });
  }
  get pauseButton(): Locator {
    return this.page.getByRole('button', { name: 'Pause', exact: true });
  }
  get waveform(): Locator {
    return this.page.getByRole('region', { name: 'Waveform' });
  }
  get sheet(): Locator {
    return this.page.getByTestId('sheet');
  }
  get pianoRoll(): Locator {
    return this.page.getByTestId('pianoroll');
  }
  get matrix(): Locator {
    return this.page.getByTestId('matrix');
  }
  get barBeat(): Locator {
    return this.page.getByLabel('Bar and beat');
  }
  get zoom(): Locator {
    return this.page.getByLabel('Zoom', { exact: true });
  }
  /** The OSMD cursor image. */
  get sheetCursor(): Locator {
    return this.sheet.locator('img[id^="cursorImg"]');
  }

  /** The notice line (`role=status`) under the header. */
  get notice(): Locator {
    return this.page.locator('.message.notice');
  }

  /** Clicks "Save project file…" with the save dialog (answered by `bridge`) giving `path`; waits for the notice. */
  async saveProjectFile(bridge: { queueDialog(answer: string | null): void }, path: string): Promise<void> {
    bridge.queueDialog(path);
    await this.page.getByRole('button', { name: 'Save project file…' }).click();
    await this.notice.getByText(`Saved the project file ${path}`).waitFor();
  }

  /** Waits until the editor shows project `title`. */
  async waitOpen(title: string): Promise<void> {
    await this.page.getByRole('heading', { name: title, level: 1 }).waitFor();
  }

  /** Clicks Align and waits until the path is shown; returns the progress fractions seen. */
  async alignAndWait(timeoutMs = 180_000): Promise<{ stages: string[]; maxPercent: number }> {
    const seen = { stages: [] as string[], maxPercent: 0 };
    await this.alignButton.click();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = await this.page.evaluate(() => {
        const bar = document.querySelector('progress[aria-label="Alignment progress"]');
        const stage = document.querySelector('.progress .stage')?.textContent ?? null;
        const matrix = document.querySelector('[data-testid="matrix"]');
        return {
          running: !!bar,
          value: bar ? Number(bar.getAttribute('value')) : -1,
          stage,
          aligned:
            !!matrix?.closest('.wrap:not([hidden])') && matrix.getAttribute('data-has-image') === 'true',
        };
      });
      if (state.running) {
        if (state.stage && !seen.stages.includes(state.stage)) seen.stages.push(state.stage);
        seen.maxPercent = Math.max(seen.maxPercent, state.value);
      }
      if (!state.running && state.aligned) return seen;
      if (!state.running && (await this.alert.count()) > 0)
        throw new Error(`alignment failed: ${await this.alert.first().innerText()}`);
      await this.page.waitForTimeout(50);
    }
    throw new Error(`alignment did not finish within ${timeoutMs} ms`);
  }

  /** Shows the Matrix view and waits until the cost matrix image is drawn. */
  async showMatrix(): Promise<void> {
    await this.showView('Matrix');
    await this.page.waitForFunction(
      () => document.querySelector('[data-testid="matrix"]')?.getAttribute('data-has-image') === 'true',
    );
  }

  /** The playhead, performance seconds (from the editor's data attribute). */
  async playhead(): Promise<number> {
    return Number(await this.root.getAttribute('data-playhead'));
  }

  /** Score seconds at the playhead ('' before alignment → NaN). */
  async scoreTime(): Promise<number> {
    const v = await this.root.getAttribute('data-score-time');
    return v === null || v === '' ? Number.NaN : Number(v);
  }

  /** Index of the sheet cursor's stop. */
  async cursorIndex(): Promise<number> {
    return Number(await this.sheet.getAttribute('data-cursor-index'));
  }

  /** Position of the OSMD cursor inside the page, CSS px. */
  async cursorBox(): Promise<{ x: number; y: number }> {
    const b = await this.sheetCursor.boundingBox();
    if (!b) throw new Error('the sheet cursor is not visible');
    return { x: b.x, y: b.y };
  }

  /** Clicks the `n`-th rendered note head group of the sheet (VexFlow `g.vf-stavenote`). */
  async clickNote(n: number): Promise<void> {
    const note = this.sheet.locator('g.vf-stavenote').nth(n);
    await note.scrollIntoViewIfNeeded();
    await note.click({ force: true });
  }

  /** Shows view `name` (tab label). */
  async showView(name: 'Sheet music' | 'Pages' | 'Piano roll' | 'Matrix'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** The selected view tab's label. */
  async selectedView(): Promise<string> {
    return this.page.getByRole('tab', { selected: true }).innerText();
  }

  /** Waits until the view state reached main. */
  async waitSaved(): Promise<void> {
    await this.page.getByText('Saved', { exact: true }).waitFor();
  }

  /** Back to the start screen. */
  async close(): Promise<void> {
    await this.page.getByRole('button', { name: '← Projects' }).click();
  }
}
