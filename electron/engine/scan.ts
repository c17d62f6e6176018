/**
 * Scanned pages on the Node side (issue 11, route 2): a PNG, JPEG or PDF file's pages as gray
 * images for the detector (`shared/pages/scan/detect.ts`). PNG and JPEG are decoded with
 * @napi-rs/canvas; PDF pages are rendered with pdf.js (its legacy build, the one for Node) onto
 * @napi-rs/canvas at `PDF_DPI`. Both modules load on first use.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as CanvasModule from '@napi-rs/canvas';
import type * as PdfModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { GrayImage } from '../../shared/pages/scan/model.js';
import { ScanError } from '../../shared/pages/scan/errors.js';

export { ScanError } from '../../shared/pages/scan/errors.js';

/**
 * Resolution at which PDF pages are rendered: 200 dpi makes an A4 page 1654 × 2339 pixels, a
 * staff space of about 14 pixels at a common engraving size — enough for the detector's line
 * and bar-line widths, and a page detects in a few hundred milliseconds.
 */
export const PDF_DPI = 200;

/** Longest side, in pixels, a PDF page is rendered at (a poster-sized page is rendered smaller than `PDF_DPI`). */
export const MAX_PAGE_SIDE = 6000;

/** The file types `readScanPages` reads. */
export type ScanFileType = 'png' | 'jpeg' | 'pdf';

const require = createRequire(import.meta.url);
let canvasModule: typeof CanvasModule | undefined;
let pdfModule: Promise<typeof PdfModule> | undefined;

function canvas(): typeof CanvasModule {
  canvasModule ??= require('@napi-rs/canvas') as typeof CanvasModule;
  return canvasModule;
}

/** The file type by its leading bytes, or undefined. */
export function scanFileType(bytes: Uint8Array): ScanFileType | undefined {
  const starts = (sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  // %PDF- within the first 1024 bytes, as readers accept.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (head.includes('%PDF-')) return 'pdf';
  return undefined;
}

function describe(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file';
  const hex = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.length} bytes starting ${hex}`;
}

/** RGBA over white → gray (Rec. 601 luma), 0 = black. */
function toGray(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const a = rgba[4 * i + 3] / 255;
    const luma = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
    data[i] = Math.round(luma * a + 255 * (1 - a));
  }
  return { width, height, data };
}

async function readImage(bytes: Uint8Array, name: string, type: ScanFileType): Promise<GrayImage> {
  const { loadImage, createCanvas } = canvas();
  let img: CanvasModule.Image;
  try {
    img = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new ScanError(
      'decode-failed',
      `${name}: expected a readable ${type.toUpperCase()} image, decoding failed: ${(err as Error).message}`,
    );
  }
  if (img.width < 16 || img.height < 16) {
    throw new ScanError(
      'decode-failed',
      `${name}: expected a page image of at least 16×16 pixels, got ${img.width}×${img.height}`,
    );
  }
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return toGray(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height);
}

async function readPdf(bytes: Uint8Array, name: string, opts: ReadScanOptions): Promise<GrayImage[]> {
  pdfModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await pdfModule;
  const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
  const dirUrl = (d: string): string => pathToFileURL(path.join(root, d) + path.sep).href;
  let doc: PdfModule.PDFDocumentProxy;
  try {
    doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes), // pdf.js takes ownership of (detaches) the buffer it is given
      standardFontDataUrl: dirUrl('standard_fonts'),
      wasmUrl: dirUrl('wasm'),
      isEvalSupported: false,
      verbosity: 0,
    }).promise;
  } catch (err) {
    throw new ScanError(
      'decode-failed',
      `${name}: expected a readable PDF, pdf.js failed: ${(err as Error).message}`,
    );
  }
  try {
    if (doc.numPages < 1)
      throw new ScanError('no-pages', `${name}: expected at least one page, the PDF has none`);
    const { createCanvas } = canvas();
    const pages: GrayImage[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      opts.signal?.throwIfAborted();
      const page = await doc.getPage(i);
      const unit = page.getViewport({ scale: 1 });
      const scale = Math.min(PDF_DPI / 72, MAX_PAGE_SIDE / Math.max(unit.width, unit.height));
      const viewport = page.getViewport({ scale });
      const width = Math.max(1, Math.round(viewport.width));
      const height = Math.max(1, Math.round(viewport.height));
      const c = createCanvas(width, height);
      const ctx = c.getContext('2d');
      ctx.fillStyle = 'white';
      ctx.fillRect(0, 0, width, height);
      try {
        // pdf.js types its canvas as the DOM's; in Node it draws on @napi-rs/canvas (its own Node canvas).
        const params = { canvas: c, canvasContext: ctx, viewport } as unknown as Parameters<
          PdfModule.PDFPageProxy['render']
        >[0];
        await page.render(params).promise;
      } catch (err) {
        throw new ScanError(
          'decode-failed',
          `${name}, page ${i}: pdf.js could not render it: ${(err as Error).message}`,
        );
      }
      pages.push(toGray(ctx.getImageData(0, 0, width, height).data, width, height));
      page.cleanup();
      opts.onPage?.(i, doc.numPages);
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

/** Options of `readScanPages`. */
export interface ReadScanOptions {
  /** Called after each page is read: `done` of `count` pages. */
  onPage?: (done: number, count: number) => void;
  /** Stops a PDF between pages (throws the signal's reason). */
  signal?: AbortSignal;
}

/**
 * The pages of a scanned score file as gray images: one for a PNG or JPEG, one per page for a
 * PDF (rendered at `PDF_DPI`). The type is read from the bytes; `name` names the file in
 * messages. Throws `ScanError` ('unsupported-format', 'decode-failed', 'no-pages').
 */
export async function readScanPages(
  bytes: Uint8Array,
  name: string,
  opts: ReadScanOptions = {},
): Promise<GrayImage[]> {
  const type = scanFileType(bytes);
  if (!type) {
    throw new ScanError(
      'unsupported-format',
      `${name}: expected a PNG, JPEG or PDF file, got ${describe(bytes)}`,
    );
  }
  if (type === 'pdf') return readPdf(bytes, name, opts);
  const image = await readImage(bytes, name, type);
  opts.onPage?.(1, 1);
  return [image];
}
