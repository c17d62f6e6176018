/**
 * Scanned pages on real images: the repository's minuet engraved by route 1 (verovio, true boxes
 * known), rasterized by resvg, read back through PNG, JPEG and a one-page PDF (pdf.js), and
 * detected straight and degraded like a scan (rotation, blur, noise, uneven light, JPEG).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type * as CanvasModule from '@napi-rs/canvas';
import { loadScore, type LoadedScore } from './score.js';
import { engraveLoadedScore } from './pages.js';
import { readScanPages, ScanError, scanFileType } from './scan.js';
import { detectScanPage } from '../../shared/pages/scan/detect.js';
import { linkScanMeasures } from '../../shared/pages/scan/link.js';
import type { Box, GrayImage, ScanDetection } from '../../shared/pages/scan/model.js';
import type { Engraving } from '../../shared/pages/model.js';
import { seededRandom } from '../../shared/random.js';
import { degradePage, rasterizeSvg, scaleBox, toJpeg } from '../tools/eval/scanDegrade.js';
import { matchBoxes } from '../tools/eval/scanMatch.js';
import { repoRoot } from './repoRoot.js';

const MINUET = path.join(repoRoot(), 'resources', 'fixtures', 'minuet-repeat', 'score.musicxml');
/** ~178 dpi: the engraving's 2100-pixel A4 width scaled as a scan would be. */
const SCALE = 0.7;

let loaded: LoadedScore;
let engraving: Engraving;
let clean: GrayImage;
let truth: { measures: Box[]; systems: Box[] };

beforeAll(async () => {
  loaded = await loadScore(MINUET);
  engraving = await engraveLoadedScore(loaded, MINUET);
  const page = engraving.pages[0];
  clean = rasterizeSvg(page.svg, Math.round(page.width * SCALE));
  const f = clean.width / page.width;
  truth = {
    measures: engraving.measures.map((m) => scaleBox(m.box, f)),
    systems: engraving.systems.map((s) => scaleBox(s.box, f)),
  };
});

/** PNG bytes of a gray image (@napi-rs/canvas). */
function toPng(image: GrayImage): Uint8Array {
  const { createCanvas } = createRequire(import.meta.url)('@napi-rs/canvas') as typeof CanvasModule;
  const c = createCanvas(image.width, image.height);
  const ctx = c.getContext('2d');
  const id = ctx.createImageData(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) {
    id.data[4 * i] = id.data[4 * i + 1] = id.data[4 * i + 2] = image.data[i];
    id.data[4 * i + 3] = 255;
  }
  ctx.putImageData(id, 0, 0);
  return new Uint8Array(c.toBuffer('image/png'));
}

/** A one-page PDF (A4) whose page is the JPEG, as a scanner writes it (DCTDecode image XObject). */
function jpegPdf(jpeg: Uint8Array, w: number, h: number): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: string | Uint8Array): void => {
    const u = typeof b === 'string' ? enc.encode(b) : b;
    parts.push(u);
    length += u.length;
  };
  const content = 'q 595.28 0 0 841.89 0 0 cm /Im0 Do Q\n';
  const objects: (string | Uint8Array)[][] = [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
    [
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>',
    ],
    [
      `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`,
      jpeg,
      '\nendstream',
    ],
    [`<< /Length ${content.length} >>\nstream\n${content}endstream`],
  ];
  push('%PDF-1.4\n');
  objects.forEach((o, i) => {
    offsets.push(length);
    push(`${i + 1} 0 obj\n`);
    o.forEach(push);
    push('\nendobj\n');
  });
  const xref = length;
  push(
    `xref\n0 6\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}` +
      `trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
  );
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every true measure and system found (IoU ≥ 0.5, one to one), nothing else found. */
function expectAllFound(det: ScanDetection, f = 1): void {
  const t = (b: Box): Box => scaleBox(b, f);
  const mm = matchBoxes(
    truth.measures.map(t),
    det.measures.map((m) => m.box),
  );
  expect(mm.filter((m) => m < 0).length, JSON.stringify(det.measures.map((m) => m.box.map(Math.round)))).toBe(
    0,
  );
  expect(det.measures).toHaveLength(truth.measures.length);
  const sm = matchBoxes(
    truth.systems.map(t),
    det.systems.map((s) => s.box),
  );
  expect(sm.every((m) => m >= 0)).toBe(true);
  expect(det.systems).toHaveLength(truth.systems.length);
  expect(det.systems.every((s) => s.staves === 2 && s.staffLines.length === 10)).toBe(true);
}

describe('detectScanPage', () => {
  it('finds the 3 grand-staff systems and the 16 measures of the engraved minuet, straight', () => {
    expect(truth.measures).toHaveLength(16);
    const det = detectScanPage(clean, 1);
    expect(Math.abs(det.skewDegrees)).toBeLessThanOrEqual(0.1);
    expectAllFound(det);
    expect(det.measures.every((m) => m.page === 1)).toBe(true);
    expect(det.measures.map((m) => m.system)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2]);
  });

  it.each([1.5, -1.5])(
    'finds them on a scan-like copy rotated %s°, blurred, noisy, unevenly lit and JPEG-compressed',
    async (deg) => {
      const rand = seededRandom(7);
      const image = await degradePage(
        clean,
        {
          rotateDegrees: deg,
          blurSigma: 1,
          noiseSigma: 12,
          lightRamp: 0.4,
          lightAngle: 0.7,
          vignette: 0.25,
          paper: 228,
          ink: 60,
          jpegQuality: 45,
        },
        rand,
      );
      const det = detectScanPage(image, 1);
      expect(Math.abs(det.skewDegrees - deg)).toBeLessThanOrEqual(0.3);
      expectAllFound(det);
    },
  );

  it('says what it expected of a malformed image', () => {
    expect(() => detectScanPage({ width: 10, height: 10, data: new Uint8Array(100) }, 1)).toThrow(
      /expected an image of at least 16×16 pixels, got 10×10/,
    );
    expect(() => detectScanPage({ width: 20, height: 20, data: new Uint8Array(10) }, 1)).toThrow(
      /expected 20×20 = 400 gray bytes, got 10/,
    );
  });

  it('finds no measures on a blank page', () => {
    const det = detectScanPage({ width: 400, height: 500, data: new Uint8Array(400 * 500).fill(240) }, 2);
    expect(det.systems).toEqual([]);
    expect(det.measures).toEqual([]);
  });
});

describe('linkScanMeasures', () => {
  it('links every box of the minuet to its notated measure and both passes of the repeat', () => {
    const det = detectScanPage(clean, 1);
    const { measures, warnings } = linkScanMeasures([det], loaded.score);
    expect(warnings).toEqual([]);
    expect(measures.map((m) => m.number)).toEqual(engraving.measures.map((m) => m.number));
    expect(measures.map((m) => m.passes)).toEqual(engraving.measures.map((m) => m.passes));
    expect(measures[0].passes).toHaveLength(2);
  });

  it('warns when the boxes are fewer than the notated measures and leaves the rest without a box', () => {
    const det = detectScanPage(clean, 1);
    const short = { ...det, measures: det.measures.slice(0, 13) };
    const { measures, warnings } = linkScanMeasures([short], loaded.score);
    expect(warnings).toEqual([
      "expected 16 notated measures (the score's), found 13 measure boxes on 1 page: measures 14–16 (3) have no box",
    ]);
    expect(measures).toHaveLength(13);
    expect(measures.every((m) => m.number !== null)).toBe(true);
  });

  it('warns when the boxes outnumber the notated measures and leaves the surplus unlinked', () => {
    const det = detectScanPage(clean, 1);
    const second = { ...det, page: 2, measures: det.measures.slice(0, 2).map((m) => ({ ...m, page: 2 })) };
    const { measures, warnings } = linkScanMeasures([second, det], loaded.score);
    expect(warnings[0]).toMatch(
      /^expected 16 notated measures \(the score's\), found 18 measure boxes on 2 pages: the last 2 boxes \(from page 2, system 1\) are not linked$/,
    );
    expect(measures.slice(16).map((m) => [m.number, m.passes])).toEqual([
      [null, []],
      [null, []],
    ]);
    expect(measures[0].page).toBe(1);
  });
});

describe('readScanPages', () => {
  it('reads a PNG, a JPEG and a one-page PDF of the page, and each detects all its measures', async () => {
    const png = toPng(clean);
    const jpeg = toJpeg(clean, 80);
    const pdf = jpegPdf(jpeg, clean.width, clean.height);
    expect([scanFileType(png), scanFileType(jpeg), scanFileType(pdf)]).toEqual(['png', 'jpeg', 'pdf']);
    const [fromPng] = await readScanPages(png, 'page.png');
    expect(fromPng.width).toBe(clean.width);
    expect(Buffer.from(fromPng.data).equals(Buffer.from(clean.data))).toBe(true);
    expectAllFound(detectScanPage(fromPng, 1));
    const [fromJpeg] = await readScanPages(jpeg, 'page.jpg');
    expectAllFound(detectScanPage(fromJpeg, 1));
    const pages = await readScanPages(pdf, 'page.pdf');
    expect(pages).toHaveLength(1);
    // A4 at 200 dpi.
    expect([pages[0].width, pages[0].height]).toEqual([1654, 2339]);
    expectAllFound(detectScanPage(pages[0], 1), pages[0].width / clean.width);
  });

  it('says what it expected of a file that is no PNG, JPEG or PDF, and of a broken PDF', async () => {
    const text = readFileSync(MINUET);
    await expect(readScanPages(new Uint8Array(text), 'score.musicxml')).rejects.toThrow(
      /^score\.musicxml: expected a PNG, JPEG or PDF file, got \d+ bytes starting 3c 3f 78 6d/,
    );
    await expect(readScanPages(new Uint8Array(), 'empty.png')).rejects.toThrow(
      'empty.png: expected a PNG, JPEG or PDF file, got an empty file',
    );
    const broken = readScanPages(new TextEncoder().encode('%PDF-1.4\nnot a pdf'), 'broken.pdf');
    await expect(broken).rejects.toBeInstanceOf(ScanError);
    await expect(
      readScanPages(new TextEncoder().encode('%PDF-1.4\nnot a pdf'), 'broken.pdf'),
    ).rejects.toThrow(/^broken\.pdf: expected a readable PDF/);
  });
});
