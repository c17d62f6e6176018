/** The A–B loop: pure pass arithmetic and a runner that keeps a media element inside [A, B]. */
import { Emitter } from './emitter';

/** What a loop does. Times are performance seconds. */
export interface LoopSpec {
  /** A. */
  start: number;
  /** B (> A). */
  end: number;
  /** Seconds played before A on every pass (clipped at 0). */
  preRoll: number;
  /** Passes before stopping; null = until stopped. */
  count: number | null;
}

/** How early (media seconds) the runner may wrap: a wrap at `B − WRAP_EARLY_SECONDS` or later counts as at B. */
export const WRAP_EARLY_SECONDS = 0.004;

/** Where each pass starts: A less the pre-roll, never before the recording. */
export function passStart(spec: LoopSpec): number {
  return Math.max(0, spec.start - Math.max(0, spec.preRoll));
}

/**
 * Speed (percent) of pass `pass` (0 = the first) with a ramp of +`step` % per pass towards
 * `target` (also downwards when starting above it); the base speed without a ramp.
 */
export function rampedPercent(
  basePercent: number,
  ramp: { stepPercent: number; targetPercent: number } | null,
  pass: number,
): number {
  if (!ramp) return basePercent;
  const delta = ramp.stepPercent * Math.max(0, pass);
  return ramp.targetPercent >= basePercent
    ? Math.min(ramp.targetPercent, basePercent + delta)
    : Math.max(ramp.targetPercent, basePercent - delta);
}

/** True when the playhead at `t` must go back to the pass start (at or past `B − early`). */
export function mustWrap(spec: LoopSpec, t: number, early = WRAP_EARLY_SECONDS): boolean {
  return t >= spec.end - early;
}

/** True when `t` lies outside the pass [pass start, B) (playback started elsewhere). */
export function outsidePass(spec: LoopSpec, t: number, early = WRAP_EARLY_SECONDS): boolean {
  return t < passStart(spec) - 0.05 || mustWrap(spec, t, early);
}

/**
 * Wall-clock milliseconds until media time `t` playing at `rate` reaches `B − early`, less
 * `leadMs` so a timer set for it fires a little before (then re-armed for the rest).
 */
export function msUntilWrap(
  spec: LoopSpec,
  t: number,
  rate: number,
  early = WRAP_EARLY_SECONDS,
  leadMs = 1,
): number {
  const r = rate > 0 ? rate : 1;
  return Math.max(0, ((spec.end - early - t) / r) * 1000 - leadMs);
}

/** The parts of a media element the runner uses. */
export interface LoopMedia {
  currentTime: number;
  readonly paused: boolean;
  readonly playbackRate: number;
  pause(): void;
}

/** Timers the runner uses (injectable for tests). */
export interface LoopClock {
  requestFrame(fn: () => void): number;
  cancelFrame(id: number): void;
  setTimer(fn: () => void, ms: number): number;
  clearTimer(id: number): void;
  /** Runs `fn` in a new task as soon as possible (no timer clamping); returns a cancel function. */
  nextTask(fn: () => void): () => void;
  /**
   * Holds the thread until `done()` or `maxMs` have passed, letting microtasks run between
   * checks, then calls `after(true when done() became true)`. A clock that cannot hold calls
   * `after(false)` at once.
   */
  holdUntil(done: () => boolean, maxMs: number, after: (reached: boolean) => void): void;
}

/** Wall-clock ms before B from which the runner polls every task instead of sleeping on a timer. */
export const POLL_WINDOW_MS = 40;
/** Wall-clock ms before B from which the runner holds the thread (no frame or task can come between). */
export const HOLD_WINDOW_MS = 15;

/** The browser's timers; `nextTask` posts to a MessageChannel (setTimeout clamps nested calls to 4 ms). */
export const BROWSER_CLOCK: LoopClock = {
  requestFrame: (fn) => requestAnimationFrame(fn),
  cancelFrame: (id) => cancelAnimationFrame(id),
  setTimer: (fn, ms) => window.setTimeout(fn, ms),
  clearTimer: (id) => window.clearTimeout(id),
  nextTask: (fn) => {
    const ch = new MessageChannel();
    let live = true;
    ch.port1.onmessage = () => {
      ch.port1.close();
      if (live) fn();
    };
    ch.port2.postMessage(null);
    return () => {
      live = false;
      ch.port1.close();
    };
  },
  // Chrome holds currentTime constant within a task and refreshes it at the microtask checkpoint
  // after a read, so awaiting between reads sees the clock move while nothing else runs.
  holdUntil: (done, maxMs, after) => {
    const end = performance.now() + maxMs;
    const hold = async (): Promise<boolean> => {
      while (performance.now() < end) {
        await Promise.resolve();
        if (done()) return true;
      }
      return false;
    };
    void hold().then(after);
  },
};

/** One wrap from B back to the pass start. */
export interface WrapInfo {
  /** Passes completed, counting this one. */
  pass: number;
  /** The media time read when the wrap happened. */
  atSeconds: number;
  /** `atSeconds − B`: > 0 ran past B, ≤ 0 wrapped in time. */
  overshootSeconds: number;
  /** True when this was the last pass (playback stopped at B). */
  finished: boolean;
}

/** Events of the loop runner. */
export interface LoopEvents {
  /** Playback reached B and went back (or stopped on the last pass). */
  wrap: [info: WrapInfo];
}

/**
 * Keeps playback inside [pass start, B]: checks the media time on every animation frame, on a
 * timer set for shortly before B is due (frames alone are up to 17 ms apart, 25 ms of media at
 * 150 %), then on every task, and for the last `HOLD_WINDOW_MS` holds the thread (a frame or a
 * long task starting just before B would otherwise overshoot), and seeks back to the pass start
 * at B; after `count` passes it pauses at the pass start.
 */
export class LoopRunner extends Emitter<LoopEvents> {
  #media: LoopMedia;
  #clock: LoopClock;
  #spec: LoopSpec | null = null;
  #passes = 0;
  #frame = 0;
  #timer = 0;
  #cancelTask: (() => void) | null = null;
  #holding = false;
  #running = false;

  constructor(media: LoopMedia, clock: LoopClock = BROWSER_CLOCK) {
    super();
    this.#media = media;
    this.#clock = clock;
  }

  /** The loop in force, null when none. */
  get spec(): LoopSpec | null {
    return this.#spec;
  }
  /** Passes completed since the loop was set or `resetPasses()`. */
  get passes(): number {
    return this.#passes;
  }

  /** Sets (or with null clears) the loop; the pass count starts again. */
  setSpec(spec: LoopSpec | null): void {
    this.#spec = spec && spec.end > spec.start ? { ...spec } : null;
    this.#passes = 0;
    if (this.#running) this.check();
  }

  /** Starts the pass count again. */
  resetPasses(): void {
    this.#passes = 0;
  }

  /** Moves the playhead into the pass when it is outside it (call before playing). */
  enter(): void {
    const s = this.#spec;
    if (s && outsidePass(s, this.#media.currentTime)) this.#media.currentTime = passStart(s);
  }

  /** Watches the media while it plays (call on `play`). */
  start(): void {
    this.#running = true;
    this.#onFrame();
  }

  /** Stops watching (call on `pause`). */
  stop(): void {
    this.#running = false;
    this.#clock.cancelFrame(this.#frame);
    this.#disarm();
  }

  /** Checks the media time now: wraps at B, otherwise arms the timer for B. */
  check(): void {
    const s = this.#spec;
    this.#disarm();
    if (!s || !this.#running || this.#media.paused || this.#holding) return;
    const t = this.#media.currentTime;
    if (mustWrap(s, t)) {
      this.#passes++;
      const finished = s.count !== null && this.#passes >= s.count;
      if (finished) this.#media.pause();
      this.#media.currentTime = passStart(s);
      this.emit('wrap', { pass: this.#passes, atSeconds: t, overshootSeconds: t - s.end, finished });
      if (finished) {
        this.#passes = 0;
        return this.stop();
      }
      if (!this.#running || this.#media.paused) return;
    }
    const ms = msUntilWrap(s, this.#media.currentTime, this.#media.playbackRate);
    if (ms > POLL_WINDOW_MS) this.#timer = this.#clock.setTimer(() => this.check(), ms - POLL_WINDOW_MS);
    else if (ms > HOLD_WINDOW_MS) this.#cancelTask = this.#clock.nextTask(() => this.check());
    else this.#hold(s, ms);
  }

  /** The last few ms before B: hold the thread so no frame or long task delays the wrap. */
  #hold(s: LoopSpec, ms: number): void {
    this.#holding = true;
    const done = () => !this.#running || this.#media.paused || mustWrap(s, this.#media.currentTime);
    this.#clock.holdUntil(done, ms + 10, (reached) => {
      this.#holding = false;
      if (reached) this.check();
      else this.#cancelTask = this.#clock.nextTask(() => this.check());
    });
  }

  #disarm(): void {
    this.#clock.clearTimer(this.#timer);
    this.#cancelTask?.();
    this.#cancelTask = null;
  }

  /** Stops watching and drops every listener. */
  destroy(): void {
    this.stop();
    this.clearListeners();
  }

  #onFrame = (): void => {
    this.#clock.cancelFrame(this.#frame);
    if (!this.#running) return;
    this.check();
    this.#frame = this.#clock.requestFrame(this.#onFrame);
  };
}
