import { describe, expect, it } from 'vitest';
import { fadeSeam, LoopTimeline, regionFrames, SEAM_FADE_SECONDS } from './loopSchedule';
import { wsolaStretch } from './wsola';

const SR = 48000;

/** Loop P = 2 s, B = 5 s (3 s, 144000 samples), started at context 10 s. */
function timeline(over: Partial<ConstructorParameters<typeof LoopTimeline>[0]> = {}): LoopTimeline {
  return new LoopTimeline({
    passStart: 2,
    end: 5,
    sampleRate: SR,
    startAt: 10,
    from: 2,
    rateOf: () => 1,
    count: null,
    ...over,
  });
}

describe('LoopTimeline', () => {
  it('wraps every buffer length at speed 1 and maps context time onto the recording', () => {
    const t = timeline();
    expect(t.regionFrames).toBe(144000);
    expect([0, 1, 2].map((k) => t.pass(k))).toEqual([
      { index: 0, startAt: 10, endAt: 13, from: 2, rate: 1 },
      { index: 1, startAt: 13, endAt: 16, from: 2, rate: 1 },
      { index: 2, startAt: 16, endAt: 19, from: 2, rate: 1 },
    ]);
    expect(t.recordingTimeAt(9)).toBe(2);
    expect(t.recordingTimeAt(11.5)).toBeCloseTo(3.5, 12);
    // just before and at the wrap: B, then P again
    expect(t.recordingTimeAt(13 - 1e-9)).toBeCloseTo(5, 6);
    expect(t.recordingTimeAt(13)).toBe(2);
    expect(t.recordingTimeAt(14.25)).toBeCloseTo(3.25, 12);
    expect(t.passAt(15.9).index).toBe(1);
    expect(t.finishAt).toBeNull();
  });

  it('lasts the stretched buffer per pass at other speeds, and enters the first pass where playback is', () => {
    const t = timeline({ from: 3.5, rateOf: () => 1.5 });
    // 144000 samples at 150 % = 96000 samples = 2 s a pass; entered halfway, the first lasts 1 s
    expect(t.passSeconds(1.5)).toBe(2);
    expect(t.pass(0)).toEqual({ index: 0, startAt: 10, endAt: 11, from: 3.5, rate: 1.5 });
    expect(t.offsetOf(t.pass(0)!)).toBeCloseTo(1, 12);
    expect(t.pass(1)).toEqual({ index: 1, startAt: 11, endAt: 13, from: 2, rate: 1.5 });
    expect(t.offsetOf(t.pass(1)!)).toBe(0);
    expect(t.recordingTimeAt(10.5)).toBeCloseTo(4.25, 12);
    expect(t.recordingTimeAt(12)).toBeCloseTo(3.5, 12);
  });

  it('gives each pass of a ramp its own speed and stops after the passes set', () => {
    const rates = [0.9, 0.95, 1];
    const t = timeline({ rateOf: (k) => rates[Math.min(k, 2)], count: 3 });
    const passes = [0, 1, 2].map((k) => t.pass(k)!);
    expect(passes.map((p) => p.rate)).toEqual([0.9, 0.95, 1]);
    expect(passes[0].endAt - passes[0].startAt).toBeCloseTo(Math.round(144000 / 0.9) / SR, 12);
    expect(passes[1].startAt).toBe(passes[0].endAt);
    expect(passes[2].endAt - passes[2].startAt).toBeCloseTo(3, 12);
    expect(t.pass(3)).toBeNull();
    expect(t.finishAt).toBe(passes[2].endAt);
    // after the last pass the playhead stays at B (the player then stops at P)
    expect(t.recordingTimeAt(passes[2].endAt + 5)).toBe(5);
    expect(t.passAt(passes[2].endAt + 5).index).toBe(2);
  });

  it('puts each beat of the pass on the context clock once per pass, none on B', () => {
    const t = timeline({ rateOf: () => 0.5 });
    // beats every second from 0 to 6 s: those before P = 2 s and from B = 5 s on are never clicked
    const beats = [0, 1, 2, 3, 4, 5, 6].map((time) => ({ time }));
    const clicks = t.clicksBetween(beats, 10, 22.5);
    // a pass lasts 6 s at 50 %: beats 2, 3, 4 s at 0, 2, 4 s into each pass
    expect(clicks.map((c) => [c.when, c.beat.time])).toEqual([
      [10, 2],
      [12, 3],
      [14, 4],
      [16, 2],
      [18, 3],
      [20, 4],
      [22, 2],
    ]);
    // a window inside a pass, and one across the wrap
    expect(t.clicksBetween(beats, 12.5, 14.5).map((c) => c.when)).toEqual([14]);
    expect(t.clicksBetween(beats, 15, 16.5).map((c) => c.when)).toEqual([16]);
  });

  it('refuses a loop without length or a start outside it', () => {
    expect(() => timeline({ end: 2 })).toThrow('loop: expected B after the pass start, got P 2 s, B 2 s');
    expect(() => timeline({ from: 5 })).toThrow('loop: expected a start in [2, 5), got 5');
  });
});

describe('loop buffers', () => {
  it('takes the region samples, clipped to the recording', () => {
    expect(regionFrames(2, 5, SR, 10 * SR)).toEqual({ first: 96000, end: 240000 });
    expect(regionFrames(-1, 20, SR, 10 * SR)).toEqual({ first: 0, end: 480000 });
  });

  it('joins B back to P without a click: the seam jumps no more than the signal itself moves', () => {
    const f = 440;
    // a region that ends a quarter period after it starts: the raw seam jumps by the full amplitude
    const n = Math.round(1.25 * SR + (0.25 * SR) / f);
    const region = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / SR));
    const maxStep = 0.5 * ((2 * Math.PI * f) / SR);
    const seamJump = (x: Float32Array) => Math.abs(x[0] - x[x.length - 1]);
    expect(seamJump(region)).toBeGreaterThan(10 * maxStep);
    for (const rate of [1, 0.5, 1.5]) {
      const [y] = wsolaStretch([region], SR, rate);
      fadeSeam([y], SR);
      expect(seamJump(y)).toBeLessThanOrEqual(maxStep);
      // and the fade itself moves no faster than the sine: no click inside it either
      const fade = Math.round(SEAM_FADE_SECONDS * SR);
      for (let i = 1; i < fade + 2; i++) {
        expect(Math.abs(y[i] - y[i - 1])).toBeLessThanOrEqual(1.6 * maxStep);
        expect(Math.abs(y[y.length - i] - y[y.length - i - 1])).toBeLessThanOrEqual(1.6 * maxStep);
      }
    }
  });
});
