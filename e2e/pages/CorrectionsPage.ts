/** Page object of the corrections panel (jumps, anchors, regions, undo/redo, versions). */
import type { Locator, Page } from 'playwright-core';

/** The editor's corrections panel. */
export class CorrectionsPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByRole('region', { name: 'Corrections' });
  }
  get undoButton(): Locator {
    return this.root.getByRole('button', { name: 'Undo', exact: true });
  }
  get redoButton(): Locator {
    return this.root.getByRole('button', { name: 'Redo', exact: true });
  }
  /** The list of corrections (inside a collapsed `<details>` until opened). */
  get list(): Locator {
    return this.root.getByRole('list', { name: 'Corrections list' });
  }

  /** Waits until the panel is shown (the project has an alignment). */
  async waitReady(): Promise<void> {
    await this.root.waitFor();
  }

  /** Seeks the player to `time` (seconds or m:ss.t) and waits until the playhead is there. */
  async goTo(seconds: number): Promise<void> {
    await this.root.getByLabel('Go to time').fill(seconds.toFixed(3));
    await this.root.getByRole('button', { name: 'Go', exact: true }).click();
    await this.page.waitForFunction(
      (t) =>
        Math.abs(Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) - t) < 0.01,
      seconds,
    );
  }

  /** Inserts a jump at the playhead that continues at `barBeat`, and waits for main's re-alignment. */
  async insertJump(barBeat: string): Promise<void> {
    const before = await this.cursor();
    await this.root.getByLabel('Score position (bar.beat)').fill(barBeat);
    await this.root.getByRole('button', { name: 'Insert jump' }).click();
    await this.waitCursor(before + 1);
  }

  /** Clicks Undo and waits until the log's cursor moved back. */
  async undo(): Promise<void> {
    const before = await this.cursor();
    await this.undoButton.click();
    await this.waitCursor(before - 1);
  }

  /** Ops applied in the edit log (the panel's `data-cursor`). */
  async cursor(): Promise<number> {
    return Number(await this.root.getAttribute('data-cursor'));
  }

  /** Waits until no call and no re-alignment job runs (the panel's `data-busy`) and the log's cursor is `n`. */
  async waitCursor(n: number, timeoutMs = 120_000): Promise<void> {
    await this.page.waitForFunction(
      (want) => {
        const el = document.querySelector('section[aria-label="Corrections"]');
        return el?.getAttribute('data-busy') === 'false' && Number(el.getAttribute('data-cursor')) === want;
      },
      n,
      { timeout: timeoutMs },
    );
  }

  /** Texts of the corrections list's items. */
  async items(): Promise<string[]> {
    const details = this.root.locator('details', {
      has: this.page.locator('ul[aria-label="Corrections list"]'),
    });
    if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
    return this.list.getByRole('listitem').allInnerTexts();
  }
}
