/**
 * The practice loop on the audio clock, as arithmetic: each pass plays the recording's [P, B]
 * (P = A less the pre-roll) from a buffer rendered at the pass's speed, so a pass lasts the
 * buffer's length in context seconds and the wrap happens where the buffer ends. These functions
 * map context time ↔ recording time for the playhead, the wraps and the metronome's clicks.
 */
import { stretchedLength } from './wsola';

/** Fade at each end of a loop buffer, seconds: the jump from B back to P sounds without a click. */
export const SEAM_FADE_SECONDS = 0.002;

/** The sample range [first, end) of the recording's [fromSeconds, toSeconds] at `sampleRate`, within `length` samples. */
export function regionFrames(
  fromSeconds: number,
  toSeconds: number,
  sampleRate: number,
  length: number,
): { first: number; end: number } {
  const first = Math.min(length, Math.max(0, Math.round(fromSeconds * sampleRate)));
  const end = Math.min(length, Math.max(first, Math.round(toSeconds * sampleRate)));
  return { first, end };
}

/** Fades `channels` in over their first and out over their last `seconds` (in place): the loop's seam. */
export function fadeSeam(
  channels: readonly Float32Array[],
  sampleRate: number,
  seconds = SEAM_FADE_SECONDS,
): void {
  for (const c of channels) {
    const n = Math.min(Math.floor(c.length / 2), Math.round(seconds * sampleRate));
    for (let i = 0; i < n; i++) {
      const g = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / n);
      c[i] *= g;
      c[c.length - 1 - i] *= g;
    }
  }
}

/** One pass of the loop on the context clock. */
export interface LoopPass {
  /** 0 for the pass playback started in (maybe entered after P), then 1, 2, … */
  index: number;
  /** Context time the pass starts sounding. */
  startAt: number;
  /** Context time it reaches B: the wrap (or the stop after the last pass). */
  endAt: number;
  /** Recording time it starts from: P, or where playback entered the first pass. */
  from: number;
  /** Speed factor of the pass (the ramp's). */
  rate: number;
}

/** What a loop timeline is made of. */
export interface LoopTimelineSpec {
  /** P: where each pass starts, recording seconds. */
  passStart: number;
  /** B, recording seconds (> P). */
  end: number;
  /** Sample rate of the context (buffers are rendered at it). */
  sampleRate: number;
  /** Context time the first pass starts sounding. */
  startAt: number;
  /** Recording time it starts from, in [P, B). */
  from: number;
  /** Speed factor of pass k (0 = the first). */
  rateOf: (pass: number) => number;
  /** Passes before stopping (the first counts, even when entered after P); null = until stopped. */
  count: number | null;
}

/**
 * The passes of a loop on the context clock, made as they are asked for: pass k lasts its
 * buffer's length (`stretchedLength` of the region at its speed) over the sample rate, and maps
 * its context time linearly onto [from, B] (exact at both ends: the buffer starts at P and ends at B).
 */
export class LoopTimeline {
  readonly spec: Readonly<LoopTimelineSpec>;
  #passes: LoopPass[] = [];
  #frames: number;
  #hint = 0;

  constructor(spec: LoopTimelineSpec) {
    if (!(spec.end > spec.passStart))
      throw new RangeError(
        `loop: expected B after the pass start, got P ${spec.passStart} s, B ${spec.end} s`,
      );
    if (!(spec.from >= spec.passStart && spec.from < spec.end))
      throw new RangeError(`loop: expected a start in [${spec.passStart}, ${spec.end}), got ${spec.from}`);
    this.spec = { ...spec };
    const { first, end } = regionFrames(spec.passStart, spec.end, spec.sampleRate, Number.POSITIVE_INFINITY);
    this.#frames = end - first;
  }

  /** Samples of the recording one pass plays ([P, B] at the sample rate). */
  get regionFrames(): number {
    return this.#frames;
  }

  /** Context seconds a whole pass lasts at `rate`. */
  passSeconds(rate: number): number {
    return stretchedLength(this.#frames, rate) / this.spec.sampleRate;
  }

  /** Pass `k`, or null past the last one. */
  pass(k: number): LoopPass | null {
    const s = this.spec;
    if (k < 0 || (s.count !== null && k >= s.count)) return null;
    while (this.#passes.length <= k) {
      const i = this.#passes.length;
      const prev = this.#passes[i - 1];
      const rate = s.rateOf(i);
      const full = this.passSeconds(rate);
      const from = i === 0 ? s.from : s.passStart;
      const startAt = prev ? prev.endAt : s.startAt;
      // the first pass may start inside the buffer: it lasts the rest of it
      const seconds = full * ((s.end - from) / (s.end - s.passStart));
      this.#passes.push({ index: i, startAt, endAt: startAt + seconds, from, rate });
    }
    return this.#passes[k];
  }

  /** Context time after which nothing plays (the end of the last pass), null when it loops until stopped. */
  get finishAt(): number | null {
    const s = this.spec;
    return s.count === null ? null : (this.pass(s.count - 1)?.endAt ?? s.startAt);
  }

  /** The pass sounding at context time `t` (the first before it starts, the last after it ends). */
  passAt(t: number): LoopPass {
    // playheads move forward: start from the last answer when it is not after t
    let k = this.#hint < this.#passes.length && this.#passes[this.#hint].startAt <= t ? this.#hint : 0;
    for (;;) {
      const p = this.pass(k);
      if (!p) return this.pass(k - 1) as LoopPass;
      if (t < p.endAt) {
        this.#hint = k;
        return p;
      }
      k++;
    }
  }

  /** Offset into pass `p`'s buffer at its start, buffer seconds (0 except for an entered first pass). */
  offsetOf(p: LoopPass): number {
    const s = this.spec;
    return (this.passSeconds(p.rate) * (p.from - s.passStart)) / (s.end - s.passStart);
  }

  /** Recording seconds heard at context time `t` (the start before it, B after the last pass). */
  recordingTimeAt(t: number): number {
    const p = this.passAt(t);
    if (t <= p.startAt) return p.from;
    if (t >= p.endAt) return this.spec.end;
    return p.from + ((t - p.startAt) * (this.spec.end - p.from)) / (p.endAt - p.startAt);
  }

  /** Context time at which pass `p` plays recording time `r` (in [p.from, B]). */
  contextTimeOf(p: LoopPass, r: number): number {
    return p.startAt + ((r - p.from) * (p.endAt - p.startAt)) / (this.spec.end - p.from);
  }

  /**
   * The clicks of `beats` (recording seconds, ascending) sounding at context times in
   * [from, to): every beat in [pass start, B) of every pass there; a beat on B is the next
   * pass's start (or nothing after the last), never clicked at B.
   */
  clicksBetween<T extends { time: number }>(
    beats: readonly T[],
    from: number,
    to: number,
  ): { when: number; beat: T }[] {
    const out: { when: number; beat: T }[] = [];
    for (let k = this.passAt(from).index; ; k++) {
      const p = this.pass(k);
      if (!p || p.startAt >= to) break;
      for (const b of beats) {
        if (b.time < p.from || b.time >= this.spec.end) continue;
        const when = this.contextTimeOf(p, b.time);
        if (when >= from && when < to) out.push({ when, beat: b });
      }
    }
    return out;
  }
}
