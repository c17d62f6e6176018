/** Screenshot checks done inside the page (its canvas decodes the PNG: no image library needed). */
import type { Locator, Page } from 'playwright-core';

/** How much of a screenshot differs from its background. */
export interface PixelStats {
  width: number;
  height: number;
  /** Pixels whose RGB differs from the background by more than the tolerance. */
  inked: number;
  /** `inked / (width × height)`. */
  inkedFraction: number;
  /** Distinct colours (quantised to 4 bits per channel). */
  colours: number;
}

/**
 * Takes a screenshot of `target`, saves it to `path`, and counts the pixels that differ from
 * `background` (default: the colour of the top-left pixel).
 */
export async function screenshotStats(
  page: Page,
  target: Locator,
  path: string,
  background?: [number, number, number],
): Promise<PixelStats> {
  const png = await target.screenshot({ path });
  return page.evaluate(
    async ({ b64, bg }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d');
      if (!ctx) throw new Error('no 2d context');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const ref = bg ?? [d[0], d[1], d[2]];
      let inked = 0;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const diff = Math.abs(d[i] - ref[0]) + Math.abs(d[i + 1] - ref[1]) + Math.abs(d[i + 2] - ref[2]);
        if (diff > 24) inked++;
        colours.add(((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4));
      }
      const n = c.width * c.height;
      return {
        width: c.width,
        height: c.height,
        inked,
        inkedFraction: n ? inked / n : 0,
        colours: colours.size,
      };
    },
    { b64: png.toString('base64'), bg: background ?? null },
  );
}
