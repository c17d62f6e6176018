import { describe, expect, it } from 'vitest';
import type { Features } from '../dsp/features.js';
import { HOP_SECONDS } from '../dsp/params.js';
import { cellCost, pauseMask, rowCosts, type CostParams } from './cost.js';

const U = 1 / Math.sqrt(12);

/** Features of frames given as chroma rows (12 values, or 'rest' for silence), onsets zero. */
function features(rows: (number[] | 'rest')[], hopSeconds = HOP_SECONDS): Features {
  const chroma = new Float32Array(rows.length * 12);
  rows.forEach((r, i) => {
    if (r === 'rest') chroma.fill(U, i * 12, i * 12 + 12);
    else {
      const n = Math.hypot(...r);
      r.forEach((v, c) => (chroma[i * 12 + c] = v / n));
    }
  });
  return {
    frames: rows.length,
    hopSeconds,
    chroma,
    onset: new Float32Array(rows.length * 12),
    energy: new Float32Array(rows.length),
  };
}

const c = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const g = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];

describe('the chroma distance at rests (`restCost`)', () => {
  // Performance: C sounding, then silence; score: C, G, then a rest in every voice.
  const perf = features([c, 'rest']);
  const score = features([c, g, 'rest']);
  const params: CostParams = { onsetWeight: 0, normalise: false };

  it('is 1 wherever one side is silent, by default', () => {
    expect(cellCost(perf, score, 0, 2, params)).toBe(1);
    expect(cellCost(perf, score, 1, 0, params)).toBe(1);
    expect(cellCost(perf, score, 1, 2, params)).toBeCloseTo(0, 6);
    expect(cellCost(perf, score, 0, 1, params)).toBeCloseTo(1, 6);
  });

  it('prices a sounding frame of the performance against a score rest at restCost, and nothing else', () => {
    const rest = { ...params, restCost: 0.5 };
    expect(cellCost(perf, score, 0, 2, rest)).toBe(0.5);
    // A performance silent where the score sounds stays at 1; sound against sound is unchanged.
    expect(cellCost(perf, score, 1, 0, rest)).toBe(1);
    expect(cellCost(perf, score, 0, 0, rest)).toBeCloseTo(0, 6);
    expect(cellCost(perf, score, 0, 1, rest)).toBe(cellCost(perf, score, 0, 1, params));
    // Scaled like the rest of the chroma distance.
    expect(cellCost(perf, score, 0, 2, { ...rest, chromaScale: 2 })).toBe(1);
  });

  it('gives rows the cells’ values, bit for bit', () => {
    for (const p of [
      params,
      { ...params, restCost: 0.5 },
      { onsetWeight: 1, restCost: 0.25, chromaScale: 1.5 },
    ])
      for (let i = 0; i < perf.frames; i++) {
        const row = new Float64Array(score.frames);
        rowCosts(perf, score, i, 0, score.frames - 1, row, p);
        for (let j = 0; j < score.frames; j++) expect(row[j]).toBe(cellCost(perf, score, i, j, p));
      }
  });
});

describe('a pause on pooled frames (`coarsePauseCost`)', () => {
  // Performance: C, three silent frames, C, one silent frame, C; score: C, G, a rest.
  const rows: (number[] | 'rest')[] = [c, 'rest', 'rest', 'rest', c, 'rest', c];
  const pooled = features(rows, 4 * HOP_SECONDS);
  const full = features(rows);
  const score = features([c, g, 'rest'], 4 * HOP_SECONDS);
  const plain: CostParams = { onsetWeight: 0, normalise: false, restCost: 0.5 };
  const pause: CostParams = { ...plain, coarsePauseCost: 0.25, coarsePauseSeconds: 3 * 4 * HOP_SECONDS };

  it('marks the runs of silent frames at least as long as asked', () => {
    expect(Array.from(pauseMask(pooled, 3))).toEqual([0, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(pauseMask(pooled, 1))).toEqual([0, 1, 1, 1, 0, 1, 0]);
    expect(Array.from(pauseMask(pooled, 4))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('prices a paused frame alike against every score frame, rest or note: it says nothing of where the music is', () => {
    for (let j = 0; j < score.frames; j++) expect(cellCost(pooled, score, 2, j, pause)).toBe(0.25);
    // Without it the rest is free and the notes cost a full mismatch: a pause drew the search to a rest.
    expect(cellCost(pooled, score, 2, 2, plain)).toBeCloseTo(0, 6);
    expect(cellCost(pooled, score, 2, 0, plain)).toBe(1);
  });

  it('leaves a silence shorter than the pause, sound, and full-resolution frames as they were', () => {
    for (const i of [0, 4, 5, 6])
      for (let j = 0; j < score.frames; j++)
        expect(cellCost(pooled, score, i, j, pause)).toBe(cellCost(pooled, score, i, j, plain));
    const fullScore = features([c, g, 'rest']);
    for (let j = 0; j < fullScore.frames; j++)
      expect(cellCost(full, fullScore, 2, j, pause)).toBe(cellCost(full, fullScore, 2, j, plain));
  });

  it('gives rows the cells’ values, bit for bit', () => {
    for (let i = 0; i < pooled.frames; i++) {
      const row = new Float64Array(score.frames);
      rowCosts(pooled, score, i, 0, score.frames - 1, row, pause);
      for (let j = 0; j < score.frames; j++) expect(row[j]).toBe(cellCost(pooled, score, i, j, pause));
    }
  });
});
