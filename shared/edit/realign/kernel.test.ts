import { describe, expect, it } from 'vitest';
import { xorshift32 } from '../../random.js';
import { kthSmallest } from './kernel.js';

describe('kthSmallest', () => {
  it('gives the value the sorted array has at k, with ties and any k (seeded)', () => {
    const rnd = xorshift32(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 300);
      // Few distinct values in half the trials, so ties are common.
      const levels = trial % 2 ? 5 : 1e9;
      const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * levels) / 7);
      const sorted = v.slice().sort();
      const k = Math.floor(rnd() * n);
      expect(kthSmallest(v.slice(), k)).toBe(sorted[k]);
    }
  });
});
