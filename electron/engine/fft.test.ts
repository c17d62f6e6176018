/**
 * The engine's FFT (`fft.ts`): the WebAssembly PFFFT loads here and gives the JavaScript FFT's
 * spectrum within single precision, and the pitch energy made with it agrees with fft.js's.
 */
import { describe, expect, it } from 'vitest';
import { audioPitchEnergy, jsFrameFft } from '../../shared/dsp/features.js';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import { xorshift32 } from '../../shared/random.js';
import { frameFft, loadWasmFft, wasmFftLoaded } from './fft.js';

const N = FEATURE_PARAMS.frameLength;

describe('the engine FFT', () => {
  it('loads the WebAssembly FFT and gives the same spectrum as fft.js on every bin the features read', async () => {
    expect(await loadWasmFft()).toBe(true);
    expect(wasmFftLoaded()).toBe(true);
    const wasm = frameFft();
    const js = jsFrameFft();
    expect(wasm.input).toBeInstanceOf(Float32Array);
    const rand = xorshift32(3);
    for (let trial = 0; trial < 3; trial++) {
      for (let n = 0; n < N; n++) {
        const x = Math.sin(0.05 * (trial + 1) * n) + 0.3 * (rand() - 0.5);
        wasm.input[n] = x;
        js.input[n] = Math.fround(x);
      }
      wasm.run();
      js.run();
      let peak = 0;
      for (let k = 1; k < N / 2; k++) peak = Math.max(peak, Math.hypot(js.out[2 * k], js.out[2 * k + 1]));
      expect(peak).toBeGreaterThan(100);
      for (let k = 1; k < N / 2; k++) {
        expect(Math.abs(wasm.out[2 * k] - js.out[2 * k])).toBeLessThan(1e-5 * peak);
        expect(Math.abs(wasm.out[2 * k + 1] - js.out[2 * k + 1])).toBeLessThan(1e-5 * peak);
      }
    }
  });

  it('gives the JavaScript FFT when asked, and the same WebAssembly one on every call', async () => {
    await loadWasmFft();
    expect(frameFft()).toBe(frameFft());
    expect(frameFft(false).input).toBeInstanceOf(Float64Array);
  });

  it('makes the pitch energy of fft.js within single precision of its loudest band', async () => {
    await loadWasmFft();
    const sr = FEATURE_PARAMS.sampleRate;
    const audio = new Float32Array(3 * sr);
    for (let n = 0; n < audio.length; n++)
      audio[n] = 0.4 * Math.sin((2 * Math.PI * 440 * n) / sr) + 0.1 * Math.sin((2 * Math.PI * 97 * n) / sr);
    const a = audioPitchEnergy(audio, undefined, 0, frameFft());
    const b = audioPitchEnergy(audio, undefined, 0, jsFrameFft());
    let peak = 0;
    for (const v of b.energy) peak = Math.max(peak, v);
    let worst = 0;
    for (let k = 0; k < a.energy.length; k++) worst = Math.max(worst, Math.abs(a.energy[k] - b.energy[k]));
    expect(worst).toBeLessThan(1e-5 * peak);
    expect(worst).toBeGreaterThan(0);
  });
});
