/**
 * The practice loop on the Web Audio clock: the recording's [P, B] rendered into an AudioBuffer
 * at the pass's speed (pitch kept by a `BufferStretcher`) and played by an AudioBufferSourceNode
 * with `loop`, `loopStart` and `loopEnd`, so the audio thread wraps from B to P on the sample;
 * a new speed (the ramp) starts a new source exactly where the last pass ends.
 */
import { fadeSeam, LoopTimeline, regionFrames } from './loopSchedule';
import type { BufferStretcher } from './timeStretch';

/** Context seconds before a pass starts by which its source (and buffer) must be scheduled. */
export const SCHEDULE_AHEAD_SECONDS = 0.5;
/** Context seconds from now at which a loop started without a time begins (the thread's lead). */
export const START_LEAD_SECONDS = 0.03;

/** How a loop starts. Times are recording seconds except `when`. */
export interface LoopStart {
  /** P: where each pass starts. */
  passStart: number;
  /** B. */
  end: number;
  /** Where the first pass starts, in [P, B). */
  from: number;
  /** Speed factor of pass k. */
  rateOf: (pass: number) => number;
  /** Passes before stopping, null = until stopped. */
  count: number | null;
  /** Context time the loop starts sounding (default: `START_LEAD_SECONDS` from now). */
  when?: number;
}

/** Plays the loop of a decoded recording on `context`, into `destination`. */
export class LoopPlayer {
  readonly context: AudioContext;
  #out: AudioNode;
  #stretcher: BufferStretcher;
  #audio: AudioBuffer | null = null;
  #buffers = new Map<number, AudioBuffer>();
  #region = '';
  #timeline: LoopTimeline | null = null;
  #scheduled = -1;
  #current: { node: AudioBufferSourceNode; rate: number } | null = null;
  #sources = new Set<AudioBufferSourceNode>();

  constructor(
    context: AudioContext,
    stretcher: BufferStretcher,
    destination: AudioNode = context.destination,
  ) {
    this.context = context;
    this.#stretcher = stretcher;
    this.#out = destination;
  }

  /** The decoded recording (at the context's sample rate). */
  setAudio(audio: AudioBuffer): void {
    if (audio === this.#audio) return;
    if (audio.sampleRate !== this.context.sampleRate)
      throw new RangeError(
        `loop: expected audio at the context's ${this.context.sampleRate} Hz, got ${audio.sampleRate} Hz`,
      );
    this.#audio = audio;
    this.#buffers.clear();
  }

  /** The loop playing (or finished but not stopped), null when stopped. */
  get timeline(): LoopTimeline | null {
    return this.#timeline;
  }

  /** Starts the loop (stopping one that plays) and returns its timeline. */
  start(s: LoopStart): LoopTimeline {
    const audio = this.#audio;
    if (!audio) throw new Error('loop: no decoded recording to play');
    this.stop();
    const region = `${s.passStart}:${s.end}`;
    if (region !== this.#region) {
      this.#buffers.clear();
      this.#region = region;
    }
    const ctx = this.context;
    // B no later than the decoded recording's end (a selection up to the very end, rounded)
    const end = Math.min(s.end, audio.length / audio.sampleRate);
    this.#timeline = new LoopTimeline({
      passStart: s.passStart,
      end,
      sampleRate: ctx.sampleRate,
      startAt: Math.max(s.when ?? 0, ctx.currentTime + START_LEAD_SECONDS),
      from: s.from >= s.passStart && s.from < end ? s.from : s.passStart,
      rateOf: s.rateOf,
      count: s.count,
    });
    this.pump();
    return this.#timeline;
  }

  /**
   * Schedules the passes due: each pass's source is set up while the one before it plays (a
   * speed change renders its buffer then), never at the wrap itself. Call often while playing.
   */
  pump(): void {
    const tl = this.#timeline;
    if (!tl) return;
    const horizon = this.context.currentTime + SCHEDULE_AHEAD_SECONDS;
    for (;;) {
      const k = this.#scheduled + 1;
      const p = tl.pass(k);
      const before = k > 0 ? tl.pass(k - 1) : null;
      if (!p || (before && before.startAt > horizon)) break;
      const cur = this.#current;
      if (!cur || cur.rate !== p.rate) {
        const buffer = this.#bufferFor(p.rate);
        cur?.node.stop(p.startAt);
        const node = this.context.createBufferSource();
        node.buffer = buffer;
        node.loop = true;
        node.loopStart = 0;
        node.loopEnd = buffer.duration;
        node.connect(this.#out);
        node.start(p.startAt, tl.offsetOf(p));
        this.#sources.add(node);
        node.onended = () => {
          this.#sources.delete(node);
          node.disconnect();
        };
        this.#current = { node, rate: p.rate };
      }
      if (tl.spec.count !== null && k === tl.spec.count - 1) this.#current?.node.stop(p.endAt);
      this.#scheduled = k;
    }
  }

  /** Stops every source now. */
  stop(): void {
    for (const node of this.#sources) {
      try {
        node.stop();
      } catch {
        // never started or already stopped
      }
    }
    this.#sources.clear();
    this.#current = null;
    this.#timeline = null;
    this.#scheduled = -1;
  }

  /** Stops and drops the audio and its buffers. */
  destroy(): void {
    this.stop();
    this.#audio = null;
    this.#buffers.clear();
  }

  /** The region rendered at `rate` (cached per speed while the region stays). */
  #bufferFor(rate: number): AudioBuffer {
    const have = this.#buffers.get(rate);
    if (have) return have;
    const tl = this.#timeline;
    const audio = this.#audio;
    if (!tl || !audio) throw new Error('loop: nothing to render');
    const { first, end } = regionFrames(tl.spec.passStart, tl.spec.end, audio.sampleRate, audio.length);
    const input = Array.from({ length: audio.numberOfChannels }, (_, c) =>
      audio.getChannelData(c).subarray(first, end),
    );
    this.#stretcher.setRate(rate);
    const out = this.#stretcher.render(input, audio.sampleRate);
    fadeSeam(out, audio.sampleRate);
    const buffer = this.context.createBuffer(out.length, out[0].length, audio.sampleRate);
    out.forEach((data, c) => buffer.getChannelData(c).set(data));
    this.#buffers.set(rate, buffer);
    return buffer;
  }
}
