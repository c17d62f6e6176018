/**
 * Scanned pages for the e2e tests, made from a score of the repository: engraved by verovio
 * (route 1) at a notation size that takes several pages, rasterized to PNG by resvg, written to
 * `dir`. The engraving's measure boxes are the truth the detected boxes are compared with.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadScoreBytes } from '../../electron/engine/score.js';
import { engraveLoadedScore, rasterizePage } from '../../electron/engine/pages.js';
import type { Engraving } from '../../shared/pages/model.js';

/** PNG files of `scorePath`'s pages at notation size `sizePercent` on A4, and the engraving they show. */
export async function makeScanPages(
  scorePath: string,
  dir: string,
  sizePercent: number,
): Promise<{ paths: string[]; engraving: Engraving }> {
  const score = await loadScoreBytes(readFileSync(scorePath), basename(scorePath));
  const engraving = await engraveLoadedScore(score, basename(scorePath), {
    pageWidth: Math.round(210000 / sizePercent),
    pageHeight: Math.round(297000 / sizePercent),
    scale: sizePercent,
  });
  const paths = engraving.pages.map((p) => {
    const path = join(dir, `scan-page-${p.index}.png`);
    writeFileSync(path, rasterizePage(p));
    return path;
  });
  return { paths, engraving };
}
