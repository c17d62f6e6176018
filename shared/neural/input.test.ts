import { describe, expect, it } from 'vitest';
import { syntheticScore } from '../align/synthetic.js';
import {
  INPUT_LEVELS,
  NEURAL_INPUT_CHANNELS,
  buildNeuralInput,
  cellRange,
  neuralTarget,
  poolUnit12,
} from './input.js';

describe('cellRange', () => {
  it('partitions the frames into L non-empty cells in order', () => {
    for (const [frames, cells] of [
      [1000, 256],
      [256, 256],
      [100, 256],
      [12920, 256],
    ]) {
      let expectStart = 0;
      for (let i = 0; i < cells; i++) {
        const [a, b] = cellRange(i, frames, cells);
        expect(b).toBeGreaterThan(a);
        if (frames >= cells) expect(a).toBe(expectStart);
        expectStart = b;
      }
      if (frames >= cells) expect(expectStart).toBe(frames);
    }
  });
});

describe('buildNeuralInput', () => {
  const f = syntheticScore(2048, 3);
  const L = 64;
  const x = buildNeuralInput(f, f, L);

  it('has [channels × L × L] values on the 1/255 grid in [0, 1]', () => {
    expect(x.length).toBe(NEURAL_INPUT_CHANNELS * L * L);
    for (let k = 0; k < x.length; k += 97) {
      expect(x[k]).toBeGreaterThanOrEqual(0);
      expect(x[k]).toBeLessThanOrEqual(1);
      expect(Math.abs(x[k] * INPUT_LEVELS - Math.round(x[k] * INPUT_LEVELS))).toBeLessThan(1e-4);
    }
  });

  it('is zero on the diagonal when both sides are the same features and larger off it', () => {
    let diag = 0;
    let off = 0;
    for (let i = 0; i < L; i++) {
      diag += x[i * L + i];
      off += x[i * L + ((i + L / 2) % L)];
    }
    expect(diag / L).toBeLessThan(0.01);
    expect(off / L).toBeGreaterThan(0.2);
  });

  it('pools rows to unit length and rejects a wrong shape', () => {
    const p = poolUnit12(f.chroma, f.frames, 10);
    for (let i = 0; i < 10; i++) {
      let n = 0;
      for (let c = 0; c < 12; c++) n += p[i * 12 + c] ** 2;
      expect(n).toBeCloseTo(1, 5);
    }
    expect(() => poolUnit12(f.chroma, f.frames + 1, 10)).toThrow(/expected/);
  });
});

describe('neuralTarget', () => {
  it('maps the identity alignment to the cell centres', () => {
    const n = 1024;
    const gt = Float64Array.from({ length: n }, (_, i) => i);
    const y = neuralTarget(gt, n, 64);
    for (let i = 0; i < 64; i++) expect(Math.abs(y[i] - (i + 0.5) / 64)).toBeLessThan(1 / 1024 + 1e-6);
  });
});
