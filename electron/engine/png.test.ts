/** Grayscale PNGs decoded back by a real decoder (@napi-rs/canvas, Skia): the same pixels. */
import { describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { encodeGrayPng } from './png.js';

describe('encodeGrayPng', () => {
  it('round-trips a gradient through a real PNG decoder', async () => {
    const width = 37;
    const height = 11;
    const data = Uint8Array.from({ length: width * height }, (_, i) => (i * 7) % 256);
    const img = await loadImage(Buffer.from(encodeGrayPng({ width, height, data })));
    expect([img.width, img.height]).toEqual([width, height]);
    const ctx = createCanvas(width, height).getContext('2d');
    ctx.drawImage(img, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const gray = Uint8Array.from({ length: width * height }, (_, i) => rgba[4 * i]);
    expect(gray).toEqual(data);
  });

  it('refuses data of the wrong size, saying what it expected', () => {
    expect(() => encodeGrayPng({ width: 4, height: 4, data: new Uint8Array(15) })).toThrow(
      'PNG: expected 4 × 4 = 16 bytes, got 15',
    );
  });
});
