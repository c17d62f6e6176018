// Writes build/icon.png (512 × 512 RGBA), the placeholder application icon electron-builder
// converts for each platform: staff lines and a waveform on a rounded square. No dependencies:
// node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const N = 512;
const px = Buffer.alloc(N * (N * 4 + 1));
const put = (x, y, [r, g, b, a]) => {
  const o = y * (N * 4 + 1) + 1 + x * 4;
  px[o] = r;
  px[o + 1] = g;
  px[o + 2] = b;
  px[o + 3] = a;
};
const R = 96; // corner radius
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const cx = Math.min(Math.max(x, R), N - 1 - R);
    const cy = Math.min(Math.max(y, R), N - 1 - R);
    const inside = (x - cx) ** 2 + (y - cy) ** 2 <= R * R;
    if (!inside) continue;
    const t = y / N;
    put(x, y, [Math.round(30 + 20 * t), Math.round(40 + 30 * t), Math.round(90 + 60 * t), 255]);
  }
}
for (let k = 0; k < 5; k++) {
  const y0 = 176 + k * 40;
  for (let x = 64; x < N - 64; x++) for (let w = 0; w < 4; w++) put(x, y0 + w, [210, 220, 240, 255]);
}
for (let x = 64; x < N - 64; x++) {
  const env = Math.sin((Math.PI * (x - 64)) / (N - 128));
  const y = Math.round(256 + 110 * env * Math.sin((x - 64) / 9));
  for (let d = -5; d <= 5; d++) put(x, y + d, [255, 190, 60, 255]);
}
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
writeFileSync(
  new URL('./icon.png', import.meta.url),
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(px, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
