import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import {
  HALF_BAND_PAIRS,
  MAX_RATIO,
  PASS_FRACTION,
  Resampler,
  designStage,
  resample,
  stageRates,
} from './resample.js';

const OUT = 22050;
/** Source rates met in the wild, and two awkward ones (no common factor; phase table rounded). */
const RATES = [8000, 16000, 32000, 44100, 48000, 88200, 96000, 44056];

function tone(rate: number, hz: number, seconds: number, amp = 0.5): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

const N = 16384;
const fft = new FFT(N);
const frame = new Array<number>(N).fill(0);
const spectrum = fft.createComplexArray() as number[];
/** Hann-windowed power of `y` (from its second second on) in the bins of [lo, hi] Hz. */
function bandPower(y: Float32Array, lo: number, hi: number): number {
  for (let i = 0; i < N; i++) frame[i] = y[OUT + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
  fft.realTransform(spectrum, frame);
  let p = 0;
  for (let k = Math.ceil((lo * N) / OUT); k <= Math.floor((hi * N) / OUT); k++)
    p += spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2;
  return p;
}

/** Max |y − ideal tone| away from the ends (the signal starts and stops abruptly there). */
function maxErrorVsTone(y: Float32Array, hz: number, amp = 0.5): number {
  let worst = 0;
  for (let i = 2000; i < y.length - 2000; i++)
    worst = Math.max(worst, Math.abs(y[i] - amp * Math.sin((2 * Math.PI * hz * i) / OUT)));
  return worst;
}

describe('stageRates / designStage', () => {
  it('halves while the rate stays at or above the target, then converts the rest by L/M', () => {
    expect(stageRates(44100, OUT)).toEqual([44100, 22050]);
    expect(stageRates(88200, OUT)).toEqual([88200, 44100, 22050]);
    expect(stageRates(48000, OUT)).toEqual([48000, 24000, 22050]);
    expect(stageRates(96000, OUT)).toEqual([96000, 48000, 24000, 22050]);
    expect(stageRates(16000, OUT)).toEqual([16000, 22050]);
    expect(stageRates(OUT, OUT)).toEqual([OUT]);
    const half = designStage(44100, OUT);
    expect(half).toMatchObject({ up: 1, down: 2, halfBand: true, taps: 4 * HALF_BAND_PAIRS, phases: 1 });
    const poly = designStage(24000, OUT);
    expect(poly).toMatchObject({ up: 147, down: 160, halfBand: false, phases: 147 });
    // Rates with no common factor: the phase is rounded to one of 4097 rows.
    expect(designStage(44056, OUT)).toMatchObject({ up: 11025, down: 22028, phases: 4097 });
  });

  it('half-band: every tap at an even distance from the centre is zero; each phase sums to 1', () => {
    const { table, taps } = designStage(44100, OUT);
    const centre = taps / 2 - 1;
    for (let m = 0; m < taps; m++) if (m !== centre && (m - centre) % 2 === 0) expect(table[m]).toBe(0);
    for (const [a, b] of [
      [16000, OUT],
      [24000, OUT],
    ]) {
      const d = designStage(a, b);
      for (let p = 0; p < d.phases; p++) {
        let s = 0;
        for (let m = 0; m < d.taps; m++) s += d.table[p * d.taps + m];
        expect(s).toBeCloseTo(1, 6);
      }
    }
  });

  it('refuses rates that are not positive integers or more than MAX_RATIO apart, saying which', () => {
    expect(() => new Resampler(0, OUT)).toThrow(/positive integer source rate, found 0/);
    expect(() => new Resampler(44100.5, OUT)).toThrow(/positive integer source rate, found 44100.5/);
    expect(() => new Resampler(OUT * MAX_RATIO + 1, OUT)).toThrow(/within a factor 256.*→ 22050 Hz/);
    expect(() => new Resampler(50, OUT)).toThrow(/within a factor 256 of each other, found 50 Hz/);
  });
});

describe('Resampler quality', () => {
  it('passband: tones up to PASS_FRACTION of the lower rate keep their level (±0.01 dB) and phase', () => {
    for (const rate of RATES) {
      const edge = PASS_FRACTION * Math.min(rate, OUT);
      for (const hz of [50, 440, 1000, 0.25 * edge, 0.5 * edge, 0.75 * edge, 0.9 * edge, edge]) {
        const y = resample(tone(rate, hz, 2), rate, OUT);
        const err = maxErrorVsTone(y, hz);
        // A sine of amplitude 0.5 off by ≤ 5e-4 at every sample: level within 0.01 dB, no delay.
        expect(err, `${rate} Hz source, ${hz.toFixed(0)} Hz tone`).toBeLessThan(5e-4);
      }
    }
  });

  it('a sine sweep across the passband comes out sample for sample', () => {
    for (const rate of [16000, 44100, 48000]) {
      const edge = PASS_FRACTION * Math.min(rate, OUT);
      const seconds = 4;
      // Linear chirp 20 Hz → edge: phase 2π(f0·t + (f1 − f0)·t²/(2T)).
      const phase = (t: number): number => 2 * Math.PI * (20 * t + ((edge - 20) * t * t) / (2 * seconds));
      const x = new Float32Array(rate * seconds).map((_, i) => 0.5 * Math.sin(phase(i / rate)));
      const y = resample(x, rate, OUT);
      let worst = 0;
      for (let i = 2000; i < y.length - 2000; i++)
        worst = Math.max(worst, Math.abs(y[i] - 0.5 * Math.sin(phase(i / OUT))));
      expect(worst, `${rate} Hz`).toBeLessThan(1e-3);
    }
  });

  it('stopband: what would fold into the passband is ≥ 75 dB down (design 80 dB)', () => {
    for (const rate of [32000, 44100, 48000, 88200, 96000, 44056]) {
      const low = Math.min(rate, OUT);
      const edge = PASS_FRACTION * low;
      const reference = bandPower(resample(tone(rate, 1000, 2), rate, OUT), 0, edge - 100);
      let worst = -Infinity;
      // Tones from the stopband edge to the source Nyquist; wherever their aliases land (one
      // stage or several), the power left in [0, edge − 100 Hz] is measured.
      for (let k = 0; k < 24; k++) {
        const hz = (1 - PASS_FRACTION) * low + (k * (rate / 2 - (1 - PASS_FRACTION) * low)) / 24;
        const y = resample(tone(rate, hz, 2), rate, OUT);
        worst = Math.max(worst, 10 * Math.log10(bandPower(y, 0, edge - 100) / reference));
      }
      expect(worst, `${rate} Hz source`).toBeLessThan(-75);
    }
  });

  it('passes a 22050 Hz signal through unchanged', () => {
    const x = tone(OUT, 440, 1);
    expect(resample(x, OUT, OUT)).toEqual(x);
  });
});

describe('Resampler streaming', () => {
  it('gives round(length · ratio) samples for any length, even through several stages', () => {
    for (const rate of [44100, 48000, 96000, 16000, 44056]) {
      for (const len of [0, 1, 2, 3, 17, 1000, 48_001, 200_003]) {
        const y = resample(new Float32Array(len).fill(0.25), rate, OUT);
        expect(y.length, `${len} samples at ${rate} Hz`).toBe(Math.round((len * OUT) / rate));
      }
    }
  });

  it('pushing in pieces of any size gives exactly the whole-signal result', () => {
    for (const rate of [44100, 48000, 16000]) {
      const x = new Float32Array(rate * 5).map((_, i) => Math.sin(i * 0.01) * Math.cos(i * 0.00037));
      const whole = resample(x, rate, OUT);
      const pieces: Float32Array[] = [];
      const rs = new Resampler(rate, OUT);
      const take = (y: Float32Array): void => void pieces.push(y.slice());
      let seed = 7;
      for (let at = 0; at < x.length;) {
        seed = (seed * 48271) % 2147483647;
        const n = 1 + (seed % 150_000);
        rs.push(x.subarray(at, at + n), take);
        at += n;
      }
      rs.end(take);
      const streamed = new Float32Array(whole.length);
      let pos = 0;
      for (const p of pieces) {
        streamed.set(p, pos);
        pos += p.length;
      }
      expect(pos).toBe(whole.length);
      expect(streamed).toEqual(whole);
    }
  });

  it('the last samples are resampled, not left at zero (the input is flushed)', () => {
    const y = resample(new Float32Array(44100).fill(0.5), 44100, OUT);
    // A step down to silence after the end: the last output still sits on the signal's edge.
    expect(y[y.length - 1]).toBeGreaterThan(0.2);
    expect(y[y.length - 30]).toBeCloseTo(0.5, 4);
  });
});
