import { describe, expect, it } from 'vitest';
import { smoothWarp, syntheticScore, warpFeatures } from './synthetic.js';
import { ONSET_DENSITY_BIAS, tempoRatio } from './tempo.js';

const score = syntheticScore(6000, 21);

/** Performance features playing score frames [a, b) at `rate` score frames per perf frame. */
function play(a: number, b: number, rate: number, onsetScale = 1): ReturnType<typeof warpFeatures> {
  const n = Math.round((b - a) / rate);
  const w = smoothWarp(n, b - a, 4, 0.2).map((x) => a + x);
  const perf = warpFeatures(score, w, 0.02, 5);
  for (let i = 0; i < perf.onset.length; i++) perf.onset[i] *= onsetScale;
  return perf;
}

describe('tempoRatio', () => {
  it('is the ratio of sounding lengths for a recording of the whole score', () => {
    // Audio onsets come out denser than the score's (the bias the cap divides out): scaled here alike.
    const perf = play(0, 6000, 0.8, 2 * ONSET_DENSITY_BIAS);
    expect(tempoRatio(perf, score)).toBeCloseTo(6000 / perf.frames, 2);
    expect(tempoRatio(perf, score, { density: false })).toBeCloseTo(6000 / perf.frames, 2);
  });
  it('finds the tempo of a recording of an excerpt, which the lengths put 6 times too fast', () => {
    // At the score's own tempo: the synthetic warp repeats frames, so a slower take would carry
    // more onset mass per note than audio does.
    const perf = play(2000, 3000, 1, ONSET_DENSITY_BIAS);
    const byLength = tempoRatio(perf, score, { density: false });
    expect(byLength).toBeGreaterThan(4.5);
    const r = tempoRatio(perf, score);
    // The truth is 1: the density cap brings the lengths' 6 within 25 % of it.
    expect(r).toBeGreaterThan(1 / 1.25);
    expect(r).toBeLessThan(1.25);
  });
  it('stays within [1/8, 8]', () => {
    const perf = play(2000, 2100, 0.8);
    expect(tempoRatio(perf, score, { density: false })).toBe(8);
  });
});
