import { describe, expect, it } from 'vitest';
import type { CoarseJumpPath } from './jump.js';
import { linearWarp, localStretch, localWarp } from './scoreWarp.js';

describe('linearWarp', () => {
  it('multiplies frames and seconds by one factor and divides them back', () => {
    const w = linearWarp(0.5);
    expect(w.toFrame(100)).toBe(50);
    expect(w.fromFrame(50)).toBe(100);
    expect(w.toSeconds(3, 0.02)).toBe(1.5);
    expect(w.fromSeconds(1.5, 0.02)).toBe(3);
    expect(w.mean).toBe(0.5);
  });
});

describe('localWarp', () => {
  // Frames 0–9 at written length, 10–19 three times as long, 20–29 half as long.
  const factors = [
    ...new Array<number>(10).fill(1),
    ...new Array<number>(10).fill(3),
    ...new Array<number>(10).fill(0.5),
  ];
  const w = localWarp(factors);

  it('sums the factors of the frames before a place, and goes on with the edge factors outside', () => {
    expect(w.toFrame(0)).toBe(0);
    expect(w.toFrame(10)).toBe(10);
    expect(w.toFrame(12.5)).toBeCloseTo(17.5, 12);
    expect(w.toFrame(20)).toBe(40);
    expect(w.toFrame(30)).toBe(45);
    expect(w.toFrame(34)).toBe(47);
    expect(w.toFrame(-2)).toBe(-2);
    expect(w.mean).toBeCloseTo(45 / 30, 12);
    expect(w.toSeconds(0.5, 0.025)).toBeCloseTo(w.toFrame(20) * 0.025, 12);
  });

  it('is increasing, and fromFrame undoes toFrame everywhere', () => {
    let prev = -Infinity;
    for (let x = -3; x <= 33; x += 0.25) {
      const y = w.toFrame(x);
      expect(y).toBeGreaterThan(prev);
      prev = y;
      expect(w.fromFrame(y)).toBeCloseTo(x, 9);
      expect(w.fromSeconds(w.toSeconds(x * 0.02, 0.02), 0.02)).toBeCloseTo(x * 0.02, 9);
    }
  });

  it('refuses an empty score', () => {
    expect(() => localWarp([])).toThrow(/at least one frame/);
  });
});

describe('localStretch', () => {
  /** Coarse cells of 2 perf × 2 score frames; `cols[r]`: the score column of coarse row r. */
  const coarseOf = (cols: number[]): CoarseJumpPath => ({
    perfFactor: 2,
    scoreFactor: 2,
    perfFrames: Int32Array.from(cols.map((_, r) => r)),
    scoreFrames: Int32Array.from(cols),
    jumps: [],
    cells: 0,
  });
  const hops = { perf: 0.02, score: 0.02 };

  it('follows the coarse path’s tempo: written speed, then three times as fast', () => {
    // Columns 0–29 one row each, then columns 30–89 one row per three columns (20 rows).
    const cols = [
      ...Array.from({ length: 30 }, (_, r) => r),
      ...Array.from({ length: 20 }, (_, r) => 30 + 3 * r),
    ];
    const route = { segments: [{ perfStart: 0, perfEnd: 100, scoreStart: 0, scoreEnd: 180 }] };
    const k = localStretch(coarseOf(cols), route, 180, hops, 1, 0.1, 1);
    expect(k).toHaveLength(180);
    // ±0.1 s = ±2–3 columns: inside each part, its own tempo.
    expect(k[20]).toBeCloseTo(1, 12);
    expect(k[140]).toBeGreaterThan(0.25);
    expect(k[140]).toBeLessThan(0.5);
    // Half-way in log with power 0.5.
    const h = localStretch(coarseOf(cols), route, 180, hops, 0.5, 0.1, 1);
    expect(h[140]).toBeCloseTo(Math.sqrt(k[140]), 12);
    // A window over the whole score gives the route’s one tempo: 50 rows for columns 0–87.
    const all = localStretch(coarseOf(cols), route, 180, hops, 1, 100, 1);
    expect(all[20]).toBeCloseTo(50 / 88, 12);
    expect(all[170]).toBeCloseTo(50 / 88, 12);
  });

  it('averages the passes that play a place, ignores silent frames and cells outside the pass, and falls back where none plays', () => {
    // Pass 1 plays columns 0–19 one row each; pass 2 plays them again at half speed (two rows a
    // column); columns 40–49 are never played.
    const cols = [
      ...Array.from({ length: 20 }, (_, r) => r),
      ...Array.from({ length: 40 }, (_, r) => Math.floor(r / 2)),
    ];
    const route = {
      segments: [
        { perfStart: 0, perfEnd: 40, scoreStart: 0, scoreEnd: 40 },
        { perfStart: 40, perfEnd: 120, scoreStart: 0, scoreEnd: 40 },
      ],
    };
    const k = localStretch(coarseOf(cols), route, 100, hops, 1, 0.1, 0.7);
    // (1 + 2) rows per column over two passes.
    expect(k[10]).toBeCloseTo(1.5, 12);
    expect(k[90]).toBe(0.7);
    // The recording sounds only from perf frame 40 on: the first pass counts for nothing.
    const late = localStretch(coarseOf(cols), route, 100, hops, 1, 0.1, 0.7, [40, 119]);
    expect(late[10]).toBeCloseTo(2, 12);
    // A cell far outside its pass's score range (a spurious landing) is not the pass's tempo.
    const stray = coarseOf([...cols.slice(0, 19), 45, ...cols.slice(20)]);
    expect(localStretch(stray, route, 100, hops, 1, 0.1, 0.7)[90]).toBe(0.7);
  });

  it('counts a hold on one column for at most holdLimit times the route’s time per column', () => {
    // Columns 0–59 one row each, except column 30, held for 21 rows (a pause of 20 rows).
    const cols = [
      ...Array.from({ length: 30 }, (_, r) => r),
      ...Array.from({ length: 21 }, () => 30),
      ...Array.from({ length: 29 }, (_, r) => 31 + r),
    ];
    const route = { segments: [{ perfStart: 0, perfEnd: 160, scoreStart: 0, scoreEnd: 120 }] };
    // ±0.1 s: the seven columns 27–33 around the hold, 27 rows.
    const free = localStretch(coarseOf(cols), route, 120, hops, 1, 0.1, 1);
    expect(free[60]).toBeCloseTo(27 / 7, 12);
    // At the route's own tempo (1 row a column) the hold counts for 3 rows.
    const held = localStretch(coarseOf(cols), route, 120, hops, 1, 0.1, 1, undefined, 3);
    expect(held[60]).toBeCloseTo(9 / 7, 12);
    // At half the route's speed (factor 2: 2 rows a column), for 6; fractions count pro rata.
    expect(localStretch(coarseOf(cols), route, 120, hops, 1, 0.1, 2, undefined, 3)[60]).toBeCloseTo(
      12 / 7,
      12,
    );
    expect(localStretch(coarseOf(cols), route, 120, hops, 1, 0.1, 1, undefined, 2.5)[60]).toBeCloseTo(
      8.5 / 7,
      12,
    );
    // Away from the hold, and where no column is held, nothing changes.
    expect(held[20]).toBe(free[20]);
    const steady = Array.from({ length: 60 }, (_, r) => r);
    expect(localStretch(coarseOf(steady), route, 120, hops, 1, 0.1, 1, undefined, 3)).toEqual(
      localStretch(coarseOf(steady), route, 120, hops, 1, 0.1, 1),
    );
  });
});
