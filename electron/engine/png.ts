/**
 * Grayscale images as PNG (8-bit, colour type 0) with Node's zlib: how the scan service stores
 * page images, which the renderer shows as they are.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { GrayImage } from '../../shared/pages/scan/model.js';

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** `image` as a grayscale PNG; throws when its data is not `width × height` bytes. */
export function encodeGrayPng(image: GrayImage): Uint8Array {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new RangeError(`PNG: expected a positive integer width and height, got ${width} × ${height}`);
  if (data.length !== width * height)
    throw new RangeError(`PNG: expected ${width} × ${height} = ${width * height} bytes, got ${data.length}`);
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    // filter type 0 (none) on every row
    raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return new Uint8Array(
    Buffer.concat([
      SIGNATURE,
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw, { level: 6 })),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** Width and height of the PNG `bytes` (its IHDR), or null when they are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
