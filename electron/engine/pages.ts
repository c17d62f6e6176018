/**
 * Engraved pages on the Node side: the score file's pages (verovio, `shared/pages`), linked to
 * the score the alignment was made against, rasterized to PNG with resvg where an image is
 * wanted, and the pages export written beside its JSON (every file atomically); or, for a
 * scanned score, its pages read, detected and linked (`writeScanPagesExport`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as ResvgModule from '@resvg/resvg-js';
import { SCORE_EXTENSIONS, extensionOf, readScoreSource } from '../../shared/scoreio/load.js';
import { engraveScore } from '../../shared/pages/engrave.js';
import {
  DEFAULT_PAGE_LAYOUT,
  PagesError,
  linkEngraving,
  type EngravedPage,
  type Engraving,
  type PageLayout,
} from '../../shared/pages/model.js';
import { scanPagesJson, toPagesJson, writePagesJson, type PagesJson } from '../../shared/formats/pages.js';
import { detectScanPage } from '../../shared/pages/scan/detect.js';
import { linkScanMeasures } from '../../shared/pages/scan/link.js';
import { readingOrder } from '../../shared/pages/scan/links.js';
import type { ScanDetection } from '../../shared/pages/scan/model.js';
import { readScanPages } from './scan.js';
import { encodeGrayPng } from './png.js';
import type { ExportMeta } from '../../shared/formats/common.js';
import type { AlignmentPath } from '../../shared/path.js';
import type { LoadedScore } from './score.js';
import { writeFileAtomic } from './atomicWrite.js';

export { PagesError } from '../../shared/pages/model.js';

/** Image formats of the page files. */
export const PAGE_IMAGE_FORMATS = ['png', 'svg'] as const;
/** One of `PAGE_IMAGE_FORMATS`. */
export type PageImageFormat = (typeof PAGE_IMAGE_FORMATS)[number];

const NOTATED_ENDINGS = ['.musicxml', '.mxl', '.xml', '.mei', '.krn', '.abc'];

function notEngraved(fileName: string): PagesError {
  const stem = fileName.replace(/\.(mid|midi|smf)$/i, '');
  const sibling = NOTATED_ENDINGS.map((e) => stem + e).find((p) => existsSync(p));
  return new PagesError(
    'not-engraved',
    `${path.basename(fileName)}: pages need an engraved score (MusicXML, MEI, Humdrum **kern or ABC); ` +
      `a MIDI file has no notation to lay out on pages — align with the notated score of the same piece` +
      (sibling ? ` (${sibling} is beside it)` : ''),
  );
}

/** Throws `PagesError` 'not-engraved' when `fileName` names a MIDI score (by its extension), before any work is done. */
export function assertEngravable(fileName: string): void {
  if (SCORE_EXTENSIONS[extensionOf(fileName)] === 'midi') throw notEngraved(fileName);
}

/**
 * The pages of a loaded score, linked to its measures in played order. `fileName` picks the
 * format and names the file in messages; a MIDI score throws `PagesError` 'not-engraved',
 * naming a notated file of the same name beside `fileName` where there is one.
 */
export async function engraveLoadedScore(
  score: Pick<LoadedScore, 'score' | 'bytes'>,
  fileName: string,
  layout: PageLayout = DEFAULT_PAGE_LAYOUT,
): Promise<Engraving> {
  const source = readScoreSource(score.bytes, fileName);
  if (source.format === 'midi') throw notEngraved(fileName);
  const name = path.basename(fileName);
  return linkEngraving(await engraveScore(source.text, source.format, name, layout), score.score, name);
}

/** A page as PNG bytes at its own pixel size, white background (resvg; system fonts for text). */
export function rasterizePage(page: EngravedPage): Uint8Array {
  // Required here, not imported at the top: only the pages export rasterizes.
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof ResvgModule;
  const resvg = new Resvg(page.svg, {
    background: 'white',
    fitTo: { mode: 'width', value: page.width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Serif' },
  });
  const image = resvg.render();
  if (image.width !== page.width || image.height !== page.height) {
    throw new PagesError(
      'render-failed',
      `page ${page.index}: expected a ${page.width}×${page.height} image, resvg made ${image.width}×${image.height}`,
    );
  }
  return new Uint8Array(image.asPng());
}

/** File name of page `index`'s image for the export `outPath` (`out.json` → `out.page-1.png`). */
export function pageImageName(outPath: string, index: number, format: PageImageFormat): string {
  const base = path.basename(outPath).replace(/\.json$/i, '');
  return `${base}.page-${index}.${format}`;
}

/**
 * Writes the pages export: every page image beside `outPath`, then the JSON at `outPath`
 * (each atomically, the JSON last, so a reader that finds the JSON finds its images). Resolves
 * to the document and the files written.
 */
export async function writePagesExport(
  outPath: string,
  format: PageImageFormat,
  engraving: Engraving,
  alignment: { path: AlignmentPath; score: LoadedScore['score'] },
  meta: ExportMeta,
): Promise<{ doc: PagesJson; files: string[] }> {
  const dir = path.dirname(path.resolve(outPath));
  const names = engraving.pages.map((p) => pageImageName(outPath, p.index, format));
  const doc = toPagesJson(engraving, alignment.path, alignment.score, meta, names);
  const files: string[] = [];
  for (const [i, page] of engraving.pages.entries()) {
    const file = path.join(dir, names[i]);
    await writeFileAtomic(file, format === 'png' ? rasterizePage(page) : page.svg);
    files.push(file);
  }
  await writeFileAtomic(outPath, writePagesJson(doc));
  files.push(path.resolve(outPath));
  return { doc, files };
}

/**
 * Writes the pages export of scanned pages: the pages of `scanFiles` (PNG, JPEG or PDF, in this
 * order) are read, their systems and measure boxes detected and the boxes linked to the score's
 * notated measures with no user action (as the editor's scan import does), each page written
 * beside `outPath` as a grayscale PNG (`out.page-N.png`), then the JSON (each file atomically,
 * the JSON last). `warnings` say where boxes and measures do not add up one to one.
 */
export async function writeScanPagesExport(
  outPath: string,
  scanFiles: readonly string[],
  alignment: { path: AlignmentPath; score: LoadedScore['score'] },
  meta: ExportMeta,
): Promise<{ doc: PagesJson; files: string[]; warnings: string[] }> {
  const images = [];
  for (const file of scanFiles)
    images.push(...(await readScanPages(new Uint8Array(await readFile(file)), path.basename(file))));
  const detections: ScanDetection[] = images.map((image, i) => {
    const d = detectScanPage(image, i + 1);
    return { ...d, measures: readingOrder(d.measures) };
  });
  const { measures: linked, warnings } = linkScanMeasures(detections, alignment.score);
  const names = images.map((_, i) => pageImageName(outPath, i + 1, 'png'));
  const { doc, unlinked } = scanPagesJson(detections, linked, alignment.path, alignment.score, meta, names);
  if (unlinked > 0)
    warnings.push(
      `${unlinked} measure box(es) found on the scan are linked to no measure of the score; left out`,
    );
  const dir = path.dirname(path.resolve(outPath));
  const files: string[] = [];
  for (const [i, image] of images.entries()) {
    const file = path.join(dir, names[i]);
    await writeFileAtomic(file, encodeGrayPng(image));
    files.push(file);
  }
  await writeFileAtomic(outPath, writePagesJson(doc));
  files.push(path.resolve(outPath));
  return { doc, files, warnings };
}
