/** Page object of the Pages view showing a scan (measure boxes over the page images). */
import type { Locator, Page } from 'playwright-core';

/** The scan side of the Pages view. */
export class ScanView {
  constructor(readonly page: Page) {}

  get surface(): Locator {
    return this.page.locator('[data-testid="pages"][data-source="scan"]');
  }
  get image(): Locator {
    return this.surface.locator('img');
  }
  get boxes(): Locator {
    return this.surface.getByTestId('scan-box');
  }
  /** The box of the measure being played. */
  get currentMeasure(): Locator {
    return this.surface.getByTestId('current-measure');
  }
  get linkedMeasure(): Locator {
    return this.page.getByLabel('Linked measure');
  }
  get warnings(): Locator {
    return this.page.getByTestId('scan-warnings');
  }
  /** The box of bar `number`. */
  box(number: string): Locator {
    return this.surface.locator(`[data-testid="scan-box"][data-number="${number}"]`);
  }

  /** Drops files the host knows on disk on the Pages view (as a desktop drop). */
  async drop(paths: string[]): Promise<void> {
    await this.page.evaluate((ps) => {
      const host = (window as unknown as { accordBridge: { fileAt(p: string): File } }).accordBridge;
      const dt = new DataTransfer();
      for (const p of ps) dt.items.add(host.fileAt(p));
      const target = document.querySelector('section.pages');
      if (!target) throw new Error('drop: expected the Pages view, found none');
      for (const type of ['dragover', 'drop'])
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, paths);
  }

  /** The page shown (1-based; 0 while none is). */
  async shownPage(): Promise<number> {
    return Number(await this.surface.getAttribute('data-page'));
  }
  async pageCount(): Promise<number> {
    return Number(await this.surface.getAttribute('data-page-count'));
  }
  /** The printed number of the measure being played ('' before the first). */
  async measure(): Promise<string> {
    return (await this.surface.getAttribute('data-measure')) ?? '';
  }

  /** Waits until the scan's pages are shown, at least `minPages`, the image loaded. */
  async waitPages(minPages = 1): Promise<void> {
    await this.page.waitForFunction(
      (n) =>
        Number(
          document
            .querySelector('[data-testid="pages"][data-source="scan"]')
            ?.getAttribute('data-page-count'),
        ) >= n,
      minPages,
      { timeout: 120_000 },
    );
    await this.image.waitFor();
  }

  /** Waits until page `n` is shown. */
  async waitShown(n: number, timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(
      (p) =>
        Number(
          document.querySelector('[data-testid="pages"][data-source="scan"]')?.getAttribute('data-page'),
        ) === p,
      n,
      { timeout: timeoutMs },
    );
  }

  /** Drags `from` (a locator's centre) by `dx`, `dy` screen pixels with the mouse. */
  async dragBy(from: Locator, dx: number, dy: number): Promise<void> {
    const b = await from.boundingBox();
    if (!b) throw new Error('drag: the box is not visible');
    const [x, y] = [b.x + b.width / 2, b.y + b.height / 2];
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
    await this.page.mouse.move(x + dx, y + dy, { steps: 4 });
    await this.page.mouse.up();
  }
}
