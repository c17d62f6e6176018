import { describe, expect, it } from 'vitest';
import {
  LoopRunner,
  msUntilWrap,
  mustWrap,
  outsidePass,
  passStart,
  rampedPercent,
  WRAP_EARLY_SECONDS,
  type LoopClock,
  type LoopSpec,
  type WrapInfo,
} from './loop';

const spec: LoopSpec = { start: 10, end: 14, preRoll: 1, count: null };

describe('loop arithmetic', () => {
  it('starts each pass at A less the pre-roll, never before 0', () => {
    expect(passStart(spec)).toBe(9);
    expect(passStart({ ...spec, start: 0.5 })).toBe(0);
    expect(passStart({ ...spec, preRoll: -3 })).toBe(10);
  });

  it('wraps at B (or within the allowed few ms before it), not earlier', () => {
    expect(mustWrap(spec, 13.99)).toBe(false);
    expect(mustWrap(spec, 14 - WRAP_EARLY_SECONDS)).toBe(true);
    expect(mustWrap(spec, 14.2)).toBe(true);
    expect(outsidePass(spec, 8)).toBe(true);
    expect(outsidePass(spec, 9)).toBe(false);
    expect(outsidePass(spec, 15)).toBe(true);
  });

  it('ramps the speed by the step each pass up (or down) to the target', () => {
    const ramp = { stepPercent: 5, targetPercent: 100 };
    expect([0, 1, 2, 5, 6, 9].map((p) => rampedPercent(75, ramp, p))).toEqual([75, 80, 85, 100, 100, 100]);
    expect(rampedPercent(120, ramp, 3)).toBe(105);
    expect(rampedPercent(120, ramp, 10)).toBe(100);
    expect(rampedPercent(75, null, 4)).toBe(75);
  });

  it('times the wrap timer by the playback rate', () => {
    expect(msUntilWrap(spec, 13, 1, 0, 0)).toBeCloseTo(1000, 9);
    expect(msUntilWrap(spec, 13, 0.5, 0, 0)).toBeCloseTo(2000, 9);
    expect(msUntilWrap(spec, 13, 1.5, 0, 1)).toBeCloseTo(1000 / 1.5 - 1, 9);
    expect(msUntilWrap(spec, 15, 1)).toBe(0);
  });
});

/** A media element whose clock is advanced by the fake timers (wall ms × rate). */
class FakeMedia {
  currentTime = 0;
  paused = false;
  playbackRate = 1;
  pause(): void {
    this.paused = true;
  }
}

/** Manual clock: frames every 16.7 ms, timers at their due time; media time advances with wall time. */
class FakeClock implements LoopClock {
  now = 0;
  #next = 1;
  #frames = new Map<number, () => void>();
  #timers = new Map<number, { at: number; fn: () => void }>();
  constructor(readonly media: FakeMedia) {}
  requestFrame(fn: () => void): number {
    const id = this.#next++;
    this.#frames.set(id, fn);
    return id;
  }
  cancelFrame(id: number): void {
    this.#frames.delete(id);
  }
  setTimer(fn: () => void, ms: number): number {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + Math.max(1, ms), fn });
    return id;
  }
  clearTimer(id: number): void {
    this.#timers.delete(id);
  }
  /** Cannot hold (time only moves in run()): the runner falls back to polling. */
  holdUntil(_done: () => boolean, _maxMs: number, after: (reached: boolean) => void): void {
    after(false);
  }
  /** Polls a task every 0.25 ms of wall time. */
  nextTask(fn: () => void): () => void {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + 0.25, fn });
    return () => this.#timers.delete(id);
  }
  /** Runs for `ms` of wall time in 0.25 ms steps. */
  run(ms: number, frameMs = 1000 / 60): void {
    let nextFrame = Math.ceil(this.now / frameMs) * frameMs;
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 0.25;
      if (!this.media.paused) this.media.currentTime += (this.media.playbackRate * 0.25) / 1000;
      for (const [id, t] of [...this.#timers]) {
        if (t.at <= this.now) {
          this.#timers.delete(id);
          t.fn();
        }
      }
      if (this.now >= nextFrame) {
        nextFrame += frameMs;
        const fs = [...this.#frames.values()];
        this.#frames.clear();
        for (const f of fs) f();
      }
    }
  }
}

describe('LoopRunner', () => {
  it('goes back to the pass start at B every pass, never more than a poll (0.4 ms of media) past B at 150 %', () => {
    const media = new FakeMedia();
    const clock = new FakeClock(media);
    const runner = new LoopRunner(media, clock);
    const wraps: WrapInfo[] = [];
    runner.on('wrap', (w) => wraps.push(w));
    runner.setSpec({ start: 1, end: 1.5, preRoll: 0.2, count: null });
    media.currentTime = 0;
    media.playbackRate = 1.5;
    runner.enter();
    expect(media.currentTime).toBeCloseTo(0.8, 9);
    runner.start();
    // frames alone would overshoot by up to 25 ms of media at 150 %; the timer catches B
    clock.run(10 * (700 / 1.5) + 50);
    expect(wraps.length).toBe(10);
    for (const w of wraps) {
      expect(w.overshootSeconds).toBeLessThanOrEqual(0.0004);
      expect(w.overshootSeconds).toBeGreaterThanOrEqual(-WRAP_EARLY_SECONDS);
    }
    expect(wraps.map((w) => w.pass)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(media.paused).toBe(false);
  });

  it('stops at the pass start after `count` passes', () => {
    const media = new FakeMedia();
    const clock = new FakeClock(media);
    const runner = new LoopRunner(media, clock);
    const wraps: WrapInfo[] = [];
    runner.on('wrap', (w) => wraps.push(w));
    runner.setSpec({ start: 2, end: 2.3, preRoll: 0, count: 3 });
    runner.enter();
    expect(media.currentTime).toBe(2);
    runner.start();
    clock.run(2000);
    expect(wraps.map((w) => w.finished)).toEqual([false, false, true]);
    expect(media.paused).toBe(true);
    expect(media.currentTime).toBe(2);
  });

  it('does nothing without a loop or while stopped', () => {
    const media = new FakeMedia();
    const clock = new FakeClock(media);
    const runner = new LoopRunner(media, clock);
    const wraps: WrapInfo[] = [];
    runner.on('wrap', (w) => wraps.push(w));
    runner.start();
    clock.run(500);
    expect(media.currentTime).toBeCloseTo(0.5, 6);
    runner.stop();
    runner.setSpec({ start: 0.1, end: 0.2, preRoll: 0, count: null });
    clock.run(500);
    expect(wraps).toEqual([]);
    expect(media.currentTime).toBeCloseTo(1, 6);
  });
});
