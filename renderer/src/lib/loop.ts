/** The A–B loop's pass arithmetic (the loop itself plays on the audio clock: `loopPlayer.ts`). */

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

/** One wrap from B back to the pass start. */
export interface WrapInfo {
  /** Passes completed, counting this one. */
  pass: number;
  /** The recording time the loop's clock had reached one sample before the wrap. */
  atSeconds: number;
  /** `atSeconds − B`: > 0 ran past B, ≤ 0 wrapped in time. */
  overshootSeconds: number;
  /** True when this was the last pass (playback stopped at B). */
  finished: boolean;
}
