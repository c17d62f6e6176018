import { describe, expect, it } from 'vitest';
import { stretchedLength, wsolaStretch } from './wsola';
import { WsolaStretcher } from './timeStretch';

const SR = 44100;

/** `seconds` of a sine of `freq` Hz, amplitude 0.5. */
function sine(freq: number, seconds: number, sampleRate = SR): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sampleRate) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / sampleRate),
  );
}

/** Frequency from the upward zero crossings (interpolated) of x[from, to). */
function zeroCrossingHz(x: Float32Array, from: number, to: number, sampleRate = SR): number {
  const ups: number[] = [];
  for (let i = from + 1; i < to; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) ups.push(i - 1 + x[i - 1] / (x[i - 1] - x[i]));
  }
  return ((ups.length - 1) * sampleRate) / (ups[ups.length - 1] - ups[0]);
}

/** RMS of each `win`-sample block of x[from, to). */
function blockRms(x: Float32Array, from: number, to: number, win: number): number[] {
  const out: number[] = [];
  for (let s = from; s + win <= to; s += win) {
    let e = 0;
    for (let i = s; i < s + win; i++) e += x[i] * x[i];
    out.push(Math.sqrt(e / win));
  }
  return out;
}

describe('wsolaStretch', () => {
  it('scales the duration by 1/rate and keeps the pitch and level of a sine', () => {
    const x = sine(440, 2);
    for (const rate of [0.25, 0.5, 0.75, 1.25, 1.5]) {
      const [y] = wsolaStretch([x], SR, rate);
      expect(y.length).toBe(stretchedLength(x.length, rate));
      expect(Math.abs(y.length / SR - 2 / rate)).toBeLessThan(0.002);
      // plain resampling would give 440·rate Hz
      expect(zeroCrossingHz(y, 2000, y.length - 2000)).toBeCloseTo(440, 0);
      expect(Math.abs(zeroCrossingHz(y, 2000, y.length - 2000) - 440)).toBeLessThan(1);
      // no dips where frames overlap (a bad phase match halves the level for a few ms)
      for (const r of blockRms(y, 0, y.length, 441))
        expect(Math.abs(r - 0.5 / Math.SQRT2)).toBeLessThan(0.02);
    }
  });

  it('keeps every channel in step and the pitch of a chord', () => {
    const a = sine(220, 1.5);
    const b = sine(330, 1.5);
    const [ya, yb] = wsolaStretch([a, b], SR, 0.6);
    expect(ya.length).toBe(yb.length);
    expect(Math.abs(zeroCrossingHz(ya, 2000, ya.length - 2000) - 220)).toBeLessThan(1);
    expect(Math.abs(zeroCrossingHz(yb, 2000, yb.length - 2000) - 330)).toBeLessThan(1);
  });

  it('ends exactly where the input ends (the loop reaches B with the samples before B)', () => {
    const x = Float32Array.from(sine(300, 1), (v, i) => v * (1 + 0.3 * Math.sin(i / 900)));
    for (const rate of [0.25, 0.8, 1.5]) {
      const [y] = wsolaStretch([x], SR, rate);
      const tail = 600;
      expect(Array.from(y.subarray(y.length - tail))).toEqual(Array.from(x.subarray(x.length - tail)));
    }
  });

  it('is a plain copy at rate 1 and refuses bad input with what it expected', () => {
    const x = sine(440, 0.1);
    const [y] = wsolaStretch([x], SR, 1);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
    expect(() => wsolaStretch([], SR, 1)).toThrow('wsolaStretch: expected at least one channel, got none');
    expect(() => wsolaStretch([x, x.subarray(1)], SR, 0.5)).toThrow(
      `wsolaStretch: expected channels of equal length, got ${x.length}, ${x.length - 1}`,
    );
    expect(() => wsolaStretch([x], SR, 0)).toThrow('wsolaStretch: expected a positive rate, got 0');
    expect(() => wsolaStretch([x], 0, 0.5)).toThrow('wsolaStretch: expected a positive sample rate, got 0');
  });
});

describe('WsolaStretcher', () => {
  it('renders at the rate set, within the editor limits', () => {
    const s = new WsolaStretcher();
    const x = sine(440, 1);
    expect(s.render([x], SR)[0]).toEqual(x);
    s.setRate(0.5);
    expect(s.rate).toBe(0.5);
    expect(s.render([x], SR)[0].length).toBe(2 * SR);
    expect(() => s.setRate(2)).toThrow('speed: expected a factor in [0.25, 1.5], got 2');
    s.release();
    expect(s.rate).toBe(1);
  });
});
