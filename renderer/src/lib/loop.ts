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
}

/** The browser's timers. */
export const BROWSER_CLOCK: LoopClock = {
  requestFrame: (fn) => requestAnimationFrame(fn),
  cancelFrame: (id) => cancelAnimationFrame(id),
  setTimer: (fn, ms) => window.setTimeout(fn, ms),
  clearTimer: (id) => window.clearTimeout(id),
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
 * Keeps playback inside [pass start, B]: checks the media time on every animation frame and on a
 * timer set for the moment B is due (frames alone are up to 17 ms apart, 25 ms of media at 150 %),
 * and seeks back to the pass start there; after `count` passes it pauses at the pass start.
 */
export class LoopRunner extends Emitter<LoopEvents> {
  #media: LoopMedia;
  #clock: LoopClock;
  #spec: LoopSpec | null = null;
  #passes = 0;
  #frame = 0;
  #timer = 0;
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
    this.#clock.clearTimer(this.#timer);
  }

  /** Checks the media time now: wraps at B, otherwise arms the timer for B. */
  check(): void {
    const s = this.#spec;
    this.#clock.clearTimer(this.#timer);
    if (!s || !this.#running || this.#media.paused) return;
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
    this.#timer = this.#clock.setTimer(() => this.check(), ms);
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
