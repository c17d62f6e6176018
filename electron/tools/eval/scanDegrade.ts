/**
 * Engraved pages made to look scanned, with their true boxes (issue 11, route 2): the page SVG
 * rasterized at a scan's resolution, then — each amount drawn from a seeded generator — gray ink
 * on tinted paper, a rotation about the centre, blur, uneven lighting, sensor noise and JPEG
 * compression. The boxes stay in the straight page's pixels (the frame the detector reports in
 * once it has undone the skew), scaled with the page.
 */
import { createRequire } from 'node:module';
import type * as CanvasModule from '@napi-rs/canvas';
import type * as ResvgModule from '@resvg/resvg-js';
import type { Box, GrayImage } from '../../../shared/pages/scan/model.js';

const require = createRequire(import.meta.url);

/** How strong each degradation is; `degradationFor` draws one. */
export interface Degradation {
  /** Rotation in degrees, positive clockwise. */
  rotateDegrees: number;
  /** Gaussian blur sigma in pixels (0: none). */
  blurSigma: number;
  /** Gaussian noise sigma in gray levels. */
  noiseSigma: number;
  /** Darkening at the far side of a linear light ramp (0..1). */
  lightRamp: number;
  /** Direction of the ramp, radians. */
  lightAngle: number;
  /** Darkening at the corners (vignette, 0..1). */
  vignette: number;
  /** Paper and ink gray levels. */
  paper: number;
  ink: number;
  /** JPEG quality 0..100 (0: no JPEG). */
  jpegQuality: number;
}

/** The straight, clean page: its degradation is the identity. */
export const CLEAN: Degradation = {
  rotateDegrees: 0,
  blurSigma: 0,
  noiseSigma: 0,
  lightRamp: 0,
  lightAngle: 0,
  vignette: 0,
  paper: 255,
  ink: 0,
  jpegQuality: 0,
};

/** A scan-like degradation drawn from `rand` (uniform in [0, 1)): rotation up to ±`maxRotate`°, blur, noise, lighting, JPEG 40–85. */
export function degradationFor(rand: () => number, maxRotate = 1.5): Degradation {
  const u = (lo: number, hi: number): number => lo + (hi - lo) * rand();
  return {
    rotateDegrees: u(-maxRotate, maxRotate),
    blurSigma: u(0.4, 1.1),
    noiseSigma: u(3, 12),
    lightRamp: u(0.1, 0.4),
    lightAngle: u(0, 2 * Math.PI),
    vignette: u(0, 0.25),
    paper: u(225, 250),
    ink: u(15, 70),
    jpegQuality: Math.round(u(40, 85)),
  };
}

/** A page SVG rasterized to gray at `width` pixels wide (resvg, white background). */
export function rasterizeSvg(svg: string, width: number): GrayImage {
  const { Resvg } = require('@resvg/resvg-js') as typeof ResvgModule;
  const img = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Serif' },
  }).render();
  const px = img.pixels;
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(0.299 * px[4 * i] + 0.587 * px[4 * i + 1] + 0.114 * px[4 * i + 2]);
  }
  return { width: img.width, height: img.height, data };
}

/** Boxes scaled by `f` (page pixels at another resolution). */
export function scaleBox(b: Box, f: number): Box {
  return [b[0] * f, b[1] * f, b[2] * f, b[3] * f];
}

function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  if (sigma <= 0) return src;
  const r = Math.ceil(sigma * 3);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let i = -r; i <= r; i++) v += k[i + r] * src[y * w + Math.min(w - 1, Math.max(0, x + i))];
      tmp[y * w + x] = v;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let i = -r; i <= r; i++) v += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
      out[y * w + x] = v;
    }
  }
  return out;
}

/** A gray image as JPEG bytes at `quality` 0..100 (@napi-rs/canvas). */
export function toJpeg(image: GrayImage, quality: number): Uint8Array {
  const { createCanvas } = require('@napi-rs/canvas') as typeof CanvasModule;
  const c = createCanvas(image.width, image.height);
  const ctx = c.getContext('2d');
  const id = ctx.createImageData(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) {
    id.data[4 * i] = id.data[4 * i + 1] = id.data[4 * i + 2] = image.data[i];
    id.data[4 * i + 3] = 255;
  }
  ctx.putImageData(id, 0, 0);
  return new Uint8Array(c.toBuffer('image/jpeg', quality));
}

/** Gray image through a JPEG encode and decode at `quality` (@napi-rs/canvas). */
export async function jpegRoundTrip(image: GrayImage, quality: number): Promise<GrayImage> {
  const { createCanvas, loadImage } = require('@napi-rs/canvas') as typeof CanvasModule;
  const { width, height } = image;
  const jpeg = toJpeg(image, quality);
  const img = await loadImage(jpeg);
  const d = createCanvas(width, height);
  const dctx = d.getContext('2d');
  dctx.drawImage(img, 0, 0);
  const px = dctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = px[4 * i + 1];
  return { width, height, data };
}

/**
 * The page degraded by `d`: levels mapped to ink..paper, rotated by `d.rotateDegrees` about the
 * centre (bilinear, paper outside), blurred, lit unevenly, noised (from `rand`), JPEG'd. Same size.
 */
export async function degradePage(page: GrayImage, d: Degradation, rand: () => number): Promise<GrayImage> {
  const { width: w, height: h } = page;
  const src = new Float32Array(w * h);
  for (let i = 0; i < src.length; i++) src[i] = d.ink + ((d.paper - d.ink) * page.data[i]) / 255;
  const a = (d.rotateDegrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const cx = w / 2;
  const cy = h / 2;
  let img: Float32Array = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // The straight page's point that lands at (x, y) once the page is turned by a (clockwise on screen).
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const sx = cx + dx * c + dy * s - 0.5;
      const sy = cy - dx * s + dy * c - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const tx = sx - x0;
      const ty = sy - y0;
      const at = (xx: number, yy: number): number =>
        xx >= 0 && yy >= 0 && xx < w && yy < h ? src[yy * w + xx] : d.paper;
      img[y * w + x] =
        (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) +
        (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
    }
  }
  img = gaussianBlur(img, w, h, d.blurSigma);
  const ux = Math.cos(d.lightAngle);
  const uy = Math.sin(d.lightAngle);
  const half = Math.hypot(cx, cy);
  const out = new Uint8Array(w * h);
  let spare: number | undefined;
  const gauss = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const ramp = (((dx * ux + dy * uy) / half + 1) / 2) * d.lightRamp;
      const vig = ((dx * dx + dy * dy) / (half * half)) * d.vignette;
      const v = img[y * w + x] * (1 - ramp) * (1 - vig) + d.noiseSigma * gauss();
      out[y * w + x] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  const degraded = { width: w, height: h, data: out };
  return d.jpegQuality > 0 ? jpegRoundTrip(degraded, d.jpegQuality) : degraded;
}
