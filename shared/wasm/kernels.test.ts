/**
 * The WebAssembly kernels (`kernels.c`): every cell cost bit-identical to the JavaScript
 * `rowCosts` on rows of every shape (`costKernel.ts`), every step of the coarse search's rows the
 * JavaScript's (`stepKernel.ts`), the half-band resampler's outputs and 16-bit PCM made mono as
 * the JavaScript makes them, and the committed module the build of its source.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Features } from '../dsp/features.js';
import { xorshift32 } from '../random.js';
import { DEFAULT_COST, normalisedCost, rowCosts, type CostParams } from '../align/cost.js';
import { costKernel } from '../align/costKernel.js';
import { stepRows } from '../align/stepKernel.js';
import { ensureMemory, heapStart, kernelInstance } from './instance.js';

const root = join(import.meta.dirname, '../..');

/** Random unit chroma (every `silentEvery`-th frame silent), sparse onsets and `notesPerFrame` notes. */
function features(frames: number, seed: number, silentEvery: number, notesPerFrame: number): Features {
  const rnd = xorshift32(seed);
  const chroma = new Float32Array(frames * 12);
  const onset = new Float32Array(frames * 12);
  const notes = new Float32Array(frames * 88);
  for (let i = 0; i < frames; i++) {
    let norm = 0;
    for (let c = 0; c < 12; c++) norm += (chroma[i * 12 + c] = rnd()) ** 2;
    for (let c = 0; c < 12; c++)
      chroma[i * 12 + c] = i % silentEvery === 0 ? 1 / Math.sqrt(12) : chroma[i * 12 + c] / Math.sqrt(norm);
    for (let c = 0; c < 12; c++) onset[i * 12 + c] = rnd() < 0.3 ? 2 * rnd() : 0;
    for (let k = 0; k < notesPerFrame; k++) notes[i * 88 + Math.floor(rnd() * 88)] = rnd();
  }
  return { frames, hopSeconds: 0.0232, chroma, onset, energy: new Float32Array(frames), notes };
}

/** Rows of `perf` against `score` by both, over varied column ranges; the count of differing costs. */
function differing(perf: Features, score: Features, params: CostParams, seed: number): number {
  const rnd = xorshift32(seed);
  const a = new Float64Array(score.frames);
  const b = new Float64Array(score.frames);
  let bad = 0;
  for (let i = 0; i < perf.frames; i++) {
    // Whole rows, odd and even starts and ends, short rows (under the kernel's minimum too).
    const lo = i % 3 === 0 ? 0 : Math.floor(rnd() * score.frames);
    const hi = i % 3 === 0 ? score.frames - 1 : Math.min(score.frames - 1, lo + Math.floor(rnd() * 90));
    rowCosts(perf, score, i, lo, hi, a, params);
    rowCosts(perf, score, i, lo, hi, b, params, false);
    for (let k = 0; k <= hi - lo; k++) if (!Object.is(a[k], b[k])) bad++;
  }
  return bad;
}

describe('the WebAssembly kernels', () => {
  it('runs here', () => {
    expect(costKernel()).toBeDefined();
  });

  it('gives every cost of the JavaScript bit for bit, with notes, silence and rests', () => {
    const perf = features(301, 1, 7, 3);
    const score = features(257, 2, 5, 2);
    const params = normalisedCost(perf, score, DEFAULT_COST);
    expect(params.noteScale).not.toBe(1);
    expect(differing(perf, score, params, 3)).toBe(0);
    // The silent-against-sounding branch both ways, without the onset term, without notes.
    expect(differing(perf, score, { ...params, restCost: 0.37 }, 4)).toBe(0);
    expect(differing(perf, score, { ...params, onsetWeight: 0 }, 5)).toBe(0);
    expect(differing(perf, { ...score, notes: undefined }, params, 6)).toBe(0);
  });

  it('follows the score it is given: two scores in turn, and one so long its memory grows', () => {
    const perf = features(120, 7, 11, 2);
    const one = features(99, 8, 4, 1);
    const two = features(20_011, 9, 13, 3);
    const p1 = normalisedCost(perf, one, DEFAULT_COST);
    const p2 = normalisedCost(perf, two, DEFAULT_COST);
    for (let round = 0; round < 2; round++) {
      expect(differing(perf, one, p1, 10 + round)).toBe(0);
      expect(differing(perf, two, p2, 20 + round)).toBe(0);
    }
  });

  it('steps a coarse row as the JavaScript does: ties, +Infinity and every step kind', () => {
    const rnd = xorshift32(12);
    for (const M of [1, 2, 7, 64, 1001]) {
      const rows = stepRows(M)!;
      expect(rows).toBeDefined();
      const codes = new Uint8Array(3 * M);
      for (let round = 0; round < 3; round++) {
        // Values on a coarse grid, so many candidates tie; some unreachable columns.
        for (let j = 0; j < M; j++) {
          rows.prev[j] = rnd() < 0.1 ? Infinity : Math.floor(rnd() * 8) / 4;
          rows.cost[j] = rnd();
        }
        const [tp, a2, a3, a4] = [0.25, 0.5, round === 2 ? 0.5 : 1, 1.5];
        const prev = Array.from(rows.prev);
        const cost = Array.from(rows.cost);
        rows.step(codes, round * M, tp, a2, a3, a4);
        const seen = new Set<number>();
        for (let j = 0; j < M; j++) {
          // `searchCoarse`'s comparisons, in its order.
          const at = (k: number): number => (j - k >= 0 ? prev[j - k] : Infinity);
          let best = at(0) + tp;
          let code = 0;
          for (const [k, v] of [
            [1, at(1)],
            [2, at(2) + a2],
            [3, at(3) + a3],
            [4, at(4) + a4],
          ] as const)
            if (v < best) [best, code] = [v, k];
          expect(Object.is(rows.stepBest[j], best)).toBe(true);
          expect(Object.is(rows.cur[j], best + cost[j])).toBe(true);
          expect(codes[round * M + j]).toBe(code);
          seen.add(code);
        }
        if (M > 100) expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
        rows.swap();
      }
    }
  });

  it('filters a half band as the JavaScript does, from even and odd centres', () => {
    const ex = kernelInstance()!;
    const rnd = xorshift32(31);
    const h = Float64Array.from({ length: 10 }, () => Math.fround(rnd() - 0.5));
    const centre = Math.fround(0.5);
    const buf = Float32Array.from({ length: 2000 }, () => rnd() * 2 - 1);
    const hAt = heapStart(ex);
    const bufAt = hAt + 80;
    const outAt = bufAt + 4 * (buf.length + 4);
    ensureMemory(ex, outAt + 4 * 1000);
    new Float64Array(ex.memory.buffer, hAt, 10).set(h);
    new Float32Array(ex.memory.buffer, bufAt, buf.length).set(buf);
    // The last centre read is c0 + 2·(count − 1), its taps 19 either side (the kernel reads 3 past).
    for (const [c0, count] of [
      [19, 975],
      [20, 975],
      [25, 1],
    ]) {
      ex.halfBand(bufAt, outAt, count, c0, centre, hAt);
      const got = Array.from(new Float32Array(ex.memory.buffer, outAt, count));
      // `halfBandKernel`'s sum (shared/dsp/resample.ts), left to right, rounded to single precision.
      const want = new Float32Array(count);
      for (let k = 0; k < count; k++) {
        const c = c0 + 2 * k;
        let v = centre * buf[c];
        for (let q = 0; q < 10; q++) v += h[q] * (buf[c - 2 * q - 1] + buf[c + 2 * q + 1]);
        want[k] = v;
      }
      expect(got).toEqual(Array.from(want));
    }
  });

  it('makes mono of 16-bit PCM as the JavaScript does, one channel and two, to the extremes', () => {
    const ex = kernelInstance()!;
    const rnd = xorshift32(21);
    for (const channels of [1, 2]) {
      for (const frames of [1, 7, 8, 1001]) {
        const pcm = Int16Array.from({ length: frames * channels }, (_, k) =>
          k < 4 ? [-32768, 32767, -32768, 32767][k] : Math.floor(rnd() * 65536) - 32768,
        );
        const scale = 1 / channels / 32768;
        const inAt = heapStart(ex);
        const outAt = inAt + Math.ceil((2 * pcm.length) / 16) * 16;
        ensureMemory(ex, outAt + 4 * frames);
        new Int16Array(ex.memory.buffer, inAt, pcm.length).set(pcm);
        ex.pcm16Mono(inAt, outAt, frames, channels, scale);
        const got = new Float32Array(ex.memory.buffer, outAt, frames);
        // `wavFramesToMono`'s arithmetic (electron/engine/audio.ts), rounded to single precision.
        const want = new Float32Array(frames);
        for (let i = 0; i < frames; i++)
          want[i] = (channels === 2 ? pcm[2 * i] + pcm[2 * i + 1] : pcm[i]) * scale;
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });

  it('is the build of its source (where clang can build for wasm32)', (ctx) => {
    const clang = spawnSync('clang', ['--print-targets'], { encoding: 'utf8' });
    if (
      clang.status !== 0 ||
      !/wasm32/.test(clang.stdout) ||
      spawnSync('wasm-ld', ['--version']).status !== 0
    ) {
      console.log('skipped: no clang with the wasm32 target and wasm-ld (apt-get install clang lld)');
      ctx.skip();
      return;
    }
    const out = execFileSync('node', [join(root, 'scripts/build-wasm.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/is the build of/);
  });
});
