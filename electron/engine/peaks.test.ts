import { describe, expect, it } from 'vitest';
import { computePeaks, peaksLength, poolPeaks } from './peaks.js';

describe('peaks', () => {
  it('takes the max |sample| per bucket, clamped to 1, covering a partial last bucket', () => {
    const sr = 1000;
    const x = new Float32Array(2500);
    x[10] = -0.5; // bucket 0
    x[999] = 0.25; // bucket 0 (last sample)
    x[1000] = 0.75; // bucket 1
    x[2400] = -3; // bucket 2 (partial), clamped
    const p = computePeaks(x, sr, 1);
    expect(Array.from(p)).toEqual([0.5, 0.75, 1]);
    expect(peaksLength(2.5, 1)).toBe(3);
    expect(peaksLength(2, 1)).toBe(2);
  });

  it('pools to a coarser rate exactly like computing at that rate', () => {
    const sr = 8000;
    const x = Float32Array.from(
      { length: sr * 3 + 123 },
      (_, i) => Math.sin(i * 0.01) * Math.exp(-i / 20000),
    );
    const fine = computePeaks(x, sr, 100);
    const direct = computePeaks(x, sr, 20);
    const pooled = poolPeaks(fine, 100, 20, x.length / sr);
    expect(pooled.length).toBe(direct.length);
    for (let i = 0; i < direct.length; i++) expect(pooled[i]).toBeCloseTo(direct[i], 6);
  });

  it('refuses a finer target than the source and bad rates', () => {
    expect(() => poolPeaks(new Float32Array(10), 10, 20, 1)).toThrow(/expected a target rate ≤ 10, got 20/);
    expect(() => computePeaks(new Float32Array(10), 0, 10)).toThrow(/expected sampleRate > 0, got 0/);
  });
});
