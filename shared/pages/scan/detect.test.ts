import { describe, expect, it } from 'vitest';
import { detectScanPage } from './detect.js';
import type { GrayImage } from './model.js';

/** A white page with ink drawing helpers (0 = ink). */
function page(width: number, height: number) {
  const data = new Uint8Array(width * height).fill(245);
  const rect = (x0: number, y0: number, w: number, h: number): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + h); y++)
      for (let x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) data[y * width + x] = 20;
  };
  const head = (cx: number, cy: number): void => {
    for (let y = -5; y <= 5; y++)
      for (let x = -7; x <= 7; x++) if ((x / 7) ** 2 + (y / 5) ** 2 <= 1) rect(cx + x, cy + y, 1, 1);
  };
  const image: GrayImage = { width, height, data };
  return { image, rect, head };
}

/** A grand staff (space 12 px, lines 2 px) from x 40 to `right`, bar lines through both staves at `bars`. */
function grandStaff(right: number, bars: number[]) {
  const p = page(800, 320);
  for (const top of [60, 180]) for (let k = 0; k < 5; k++) p.rect(40, top + 12 * k, right - 40 + 2, 2);
  for (const x of [40, ...bars]) p.rect(x, 60, 2, 170);
  return p;
}

describe('detectScanPage bar lines', () => {
  it('keeps a bar line through both staves that a chord touches in the upper staff', () => {
    const p = grandStaff(760, [300, 520, 760]);
    for (const y of [66, 78, 90]) p.head(309, y);
    p.head(293, 84);
    const det = detectScanPage(p.image, 1);
    expect(det.systems).toHaveLength(1);
    const ends = det.measures.map((m) => m.box[0] + m.box[2]);
    expect(ends).toHaveLength(3);
    [301, 521, 761].forEach((x, i) => expect(Math.abs(ends[i] - x)).toBeLessThanOrEqual(2));
  });

  it('makes no measure of the courtesy time signature after the last bar line', () => {
    const p = grandStaff(760, [300, 520, 724]);
    for (const top of [60, 180]) {
      p.rect(736, top + 6, 8, 12);
      p.rect(736, top + 30, 8, 12);
    }
    const det = detectScanPage(p.image, 1);
    expect(det.measures).toHaveLength(3);
    [40, 301, 521].forEach((x, i) => expect(Math.abs(det.measures[i].box[0] - x)).toBeLessThanOrEqual(2));
    expect(Math.abs(det.measures[2].box[0] + det.measures[2].box[2] - 761)).toBeLessThanOrEqual(2);
  });
});

describe('detectScanPage systems', () => {
  it('drops five lines of something else (the beams of a long run) inside a system of several staves', () => {
    const p = page(800, 560);
    // A four-staff system: one line at the left and the final bar line through all four staves.
    for (const top of [60, 150, 330, 420]) for (let k = 0; k < 5; k++) p.rect(40, top + 12 * k, 722, 2);
    for (const x of [40, 760]) p.rect(x, 60, 2, 410);
    // Five evenly spaced horizontal lines between the second and the third staff, over part of the width.
    for (let k = 0; k < 5; k++) p.rect(200, 240 + 12 * k, 400, 2);
    const det = detectScanPage(p.image, 1);
    expect(det.systems.map((s) => s.staves)).toEqual([4]);
    expect(det.measures).toHaveLength(1);
    expect(Math.abs(det.measures[0].box[1] - 60)).toBeLessThanOrEqual(2);
    expect(Math.abs(det.measures[0].box[1] + det.measures[0].box[3] - 469)).toBeLessThanOrEqual(2);
  });

  it('keeps a page of one-staff systems (a melody) as it is', () => {
    const p = page(800, 400);
    for (const top of [60, 200]) {
      for (let k = 0; k < 5; k++) p.rect(40, top + 12 * k, 722, 2);
      for (const x of [40, 400, 760]) p.rect(x, top, 2, 50);
    }
    const det = detectScanPage(p.image, 1);
    expect(det.systems.map((s) => s.staves)).toEqual([1, 1]);
    expect(det.measures).toHaveLength(4);
  });
});
