import type { Features } from '../dsp/features.js';
import { xorshift32 } from '../random.js';

/**
 * Synthetic score-like features for tests and benchmarks: a sequence of random "chords" of
 * 4..maxNoteFrames frames, chroma the chord's unit vector, DLNCO-like onsets that decay after
 * each chord change; silence (uniform chroma) at the ends when `silenceFrames` > 0.
 */
export function syntheticScore(
  frames: number,
  seed = 1,
  opts: { maxNoteFrames?: number; silenceFrames?: number } = {},
): Features {
  const rnd = xorshift32(seed);
  const maxNote = opts.maxNoteFrames ?? 20;
  const sil = opts.silenceFrames ?? 0;
  const chroma = new Float32Array(frames * 12);
  const onset = new Float32Array(frames * 12);
  const energy = new Float32Array(frames);
  const uniform = 1 / Math.sqrt(12);
  let f = 0;
  while (f < frames) {
    const len = 4 + Math.floor(rnd() * (maxNote - 3));
    const v = new Float32Array(12);
    const notes = 1 + Math.floor(rnd() * 3);
    for (let q = 0; q < notes; q++) v[Math.floor(rnd() * 12)] += 0.5 + rnd();
    for (let c = 0; c < 12; c++) v[c] += 0.05 * rnd();
    let norm = 0;
    for (let c = 0; c < 12; c++) norm += v[c] * v[c];
    norm = Math.sqrt(norm);
    for (let k = 0; k < len && f < frames; k++, f++) {
      const silent = f < sil || f >= frames - sil;
      for (let c = 0; c < 12; c++) {
        chroma[f * 12 + c] = silent ? uniform : v[c] / norm;
        onset[f * 12 + c] = silent || k >= 10 ? 0 : (v[c] / norm) * Math.sqrt((10 - k) / 10);
      }
      energy[f] = silent ? -23 : -3;
    }
  }
  return { frames, hopSeconds: 512 / 22050, chroma, onset, energy };
}

/**
 * Performance features made from score features: perf frame i shows score frame `warp[i]`
 * (rounded, clamped) plus uniform noise of amplitude `noise` on chroma (then renormalised) and onsets.
 */
export function warpFeatures(score: Features, warp: ArrayLike<number>, noise = 0.1, seed = 2): Features {
  const rnd = xorshift32(seed);
  const n = warp.length;
  const chroma = new Float32Array(n * 12);
  const onset = new Float32Array(n * 12);
  const energy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const j = Math.min(score.frames - 1, Math.max(0, Math.round(warp[i])));
    let norm = 0;
    for (let c = 0; c < 12; c++) {
      const v = Math.max(0, score.chroma[j * 12 + c] + noise * (rnd() - 0.5));
      chroma[i * 12 + c] = v;
      norm += v * v;
      onset[i * 12 + c] = Math.max(0, score.onset[j * 12 + c] + noise * (rnd() - 0.5));
    }
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < 12; c++) chroma[i * 12 + c] /= norm;
    energy[i] = score.energy[j];
  }
  return { frames: n, hopSeconds: score.hopSeconds, chroma, onset, energy };
}

/** A smooth monotone warp of `perfFrames` frames onto 0 … scoreFrames − 1 (tempo varies ±amount). */
export function smoothWarp(perfFrames: number, scoreFrames: number, seed = 3, amount = 0.3): Float64Array {
  const rnd = xorshift32(seed);
  const phases = [rnd() * 6.28, rnd() * 6.28, rnd() * 6.28];
  const rate = new Float64Array(perfFrames);
  for (let i = 0; i < perfFrames; i++) {
    const x = i / perfFrames;
    rate[i] =
      1 +
      amount *
        (0.5 * Math.sin(2 * Math.PI * 3 * x + phases[0]) +
          0.3 * Math.sin(2 * Math.PI * 7 * x + phases[1]) +
          0.2 * Math.sin(2 * Math.PI * 13 * x + phases[2]));
  }
  const w = new Float64Array(perfFrames);
  for (let i = 1; i < perfFrames; i++) w[i] = w[i - 1] + rate[i];
  const scale = (scoreFrames - 1) / w[perfFrames - 1];
  for (let i = 0; i < perfFrames; i++) w[i] *= scale;
  return w;
}

/** A warp that plays score frame ranges [a, b) one after another, each at `rate` with its own smooth tempo. */
export function playParts(
  parts: readonly (readonly [number, number])[],
  rate: number,
  seed: number,
): Float64Array {
  const out: number[] = [];
  parts.forEach(([a, b], k) => {
    const n = Math.round((b - a) / rate);
    const w = smoothWarp(n, b - a, seed + k, 0.3);
    for (let i = 0; i < n; i++) out.push(a + w[i]);
  });
  return Float64Array.from(out);
}
