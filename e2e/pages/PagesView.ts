/** Page object of the Pages view (engraved pages, the current measure boxed). */
import type { Locator, Page } from 'playwright-core';

/** The Pages view of the open project. */
export class PagesView {
  constructor(readonly page: Page) {}

  get surface(): Locator {
    return this.page.getByTestId('pages');
  }
  /** The overlay of the shown page, which takes the clicks on measures. */
  get overlay(): Locator {
    return this.page.getByRole('img', { name: /^Measures of page \d+$/ });
  }
  get image(): Locator {
    return this.surface.locator('img');
  }
  get currentMeasure(): Locator {
    return this.page.getByTestId('current-measure');
  }
  get nextPage(): Locator {
    return this.page.getByRole('button', { name: 'Next page' });
  }
  get followPlayback(): Locator {
    return this.page.getByRole('button', { name: 'Follow playback' });
  }
  get notationSize(): Locator {
    return this.page.getByLabel('Notation size');
  }

  /** The page shown (1-based; 0 while none is). */
  async shownPage(): Promise<number> {
    return Number(await this.surface.getAttribute('data-page'));
  }
  /** The number of pages. */
  async pageCount(): Promise<number> {
    return Number(await this.surface.getAttribute('data-page-count'));
  }
  /** The printed number of the measure being played ('' before the first). */
  async measure(): Promise<string> {
    return (await this.surface.getAttribute('data-measure')) ?? '';
  }

  /** Waits until the pages are engraved, with more than `minPages` when given. */
  async waitPages(minPages = 1): Promise<void> {
    await this.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="pages"]')?.getAttribute('data-page-count')) >= n,
      minPages,
      { timeout: 60_000 },
    );
    await this.image.waitFor();
  }

  /** Waits until page `n` is shown. */
  async waitShown(n: number, timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(
      (p) => Number(document.querySelector('[data-testid="pages"]')?.getAttribute('data-page')) === p,
      n,
      { timeout: timeoutMs },
    );
  }

  /** Clicks the point (page pixels) `x`, `y` of the shown page. */
  async clickAt(x: number, y: number, page: { width: number; height: number }): Promise<void> {
    const b = await this.overlay.boundingBox();
    if (!b) throw new Error('the page overlay is not visible');
    await this.overlay.click({
      position: { x: (x / page.width) * b.width, y: (y / page.height) * b.height },
    });
  }
}
