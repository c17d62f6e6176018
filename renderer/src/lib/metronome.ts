/**
 * A metronome that follows the performer: clicks on the aligned beats of the recording (the
 * beats the exports write), scheduled ahead on the Web Audio clock at the times the media
 * element will reach them at its playback rate.
 */
import type { AlignmentPath } from '../../../shared/path';
import type { Score } from '../../../shared/score';
import { performedBeats } from '../../../shared/formats/common';
import { lastAtOrBefore } from './timeline';

/** One click of the metronome. */
export interface Beat {
  /** Performance seconds. */
  time: number;
  /** First beat of a bar (accented). */
  downbeat: boolean;
}

/** Beats closer than this (seconds) are one click (a jump landing on a beat the previous pass just played). */
const MERGE_SECONDS = 0.03;

/** The performed beats of `path` (one per beat per pass, as exported), ascending. */
export function alignedBeats(path: AlignmentPath, score: Pick<Score, 'beats'>): Beat[] {
  const out: Beat[] = [];
  for (const b of performedBeats(path, score as Score)) {
    const beat: Beat = { time: b.perfTime, downbeat: score.beats[b.beat]?.downbeat ?? false };
    const prev = out[out.length - 1];
    if (prev && beat.time - prev.time < MERGE_SECONDS) prev.downbeat ||= beat.downbeat;
    else out.push(beat);
  }
  return out;
}

/** The beats with `from ≤ time < to`. */
export function beatsBetween(beats: readonly Beat[], from: number, to: number): Beat[] {
  let i = lastAtOrBefore(beats, from, (b) => b.time);
  if (i < 0 || beats[i].time < from) i++;
  const out: Beat[] = [];
  for (; i < beats.length && beats[i].time < to; i++) out.push(beats[i]);
  return out;
}

/**
 * Audio-clock time at which media time `beatTime` sounds, given that the media is at `mediaNow`
 * and the audio clock at `audioNow` at the same instant, playing at `rate`.
 */
export function clickTime(beatTime: number, mediaNow: number, audioNow: number, rate: number): number {
  return audioNow + (beatTime - mediaNow) / rate;
}

/** The performer's beat spacing at `t`: the median of up to 4 beat intervals from the first beat at or after `t`. */
export function beatPeriodAt(beats: readonly Beat[], t: number, fallback = 0.5): number {
  let i = lastAtOrBefore(beats, t, (b) => b.time);
  if (i < 0 || beats[i].time < t) i++;
  const gaps: number[] = [];
  for (let k = Math.max(0, Math.min(i, beats.length - 2)); k + 1 < beats.length && gaps.length < 4; k++)
    gaps.push(beats[k + 1].time - beats[k].time);
  if (gaps.length === 0) return fallback;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

/** A count-in before playing from `startSeconds`: its clicks and when the media must start, as wall-clock offsets. */
export interface CountIn {
  /** Seconds from now of each count-in click (the last one a beat before the first played beat). */
  clicks: number[];
  /** Seconds from now at which playback must start so the first beat lands a beat after the last click. */
  startAfter: number;
}

/**
 * `n` clicks at the performer's beat spacing leading into the first aligned beat at or after
 * `startSeconds`, at `rate`; the first click `leadSeconds` from now.
 */
export function countIn(
  beats: readonly Beat[],
  startSeconds: number,
  n: number,
  rate: number,
  leadSeconds = 0.1,
): CountIn {
  const period = beatPeriodAt(beats, startSeconds) / rate;
  const next = beatsBetween(beats, startSeconds, Number.POSITIVE_INFINITY)[0];
  // seconds of playback before the first beat sounds
  const toFirstBeat = next ? (next.time - startSeconds) / rate : 0;
  const firstBeatAt = Math.max(leadSeconds + n * period, leadSeconds + toFirstBeat);
  const clicks = Array.from({ length: n }, (_, k) => firstBeatAt - (n - k) * period);
  return { clicks, startAfter: firstBeatAt - toFirstBeat };
}

/** The audio side of the metronome (a Web Audio implementation below; a silent one in tests). */
export interface ClickSink {
  /** The audio clock now, seconds: the time of the sample being heard. */
  now(): number;
  /** Plays a click at audio time `when`; `accent` for a downbeat. */
  click(when: number, accent: boolean): void;
  /** Cancels every click not yet sounded. */
  cancel(): void;
}

/** The audio clock as heard now: the context time of the sample leaving the speakers (currentTime runs a buffer ahead). */
export function heardTime(context: BaseAudioContext): number {
  const c = context as AudioContext;
  const ts = typeof c.getOutputTimestamp === 'function' ? c.getOutputTimestamp() : undefined;
  if (ts && ts.contextTime && ts.performanceTime) {
    return ts.contextTime + (performance.now() - ts.performanceTime) / 1000;
  }
  return c.currentTime;
}

/** Click sound: a short decaying sine burst. */
const CLICK_SECONDS = 0.03;

/** Clicks on the Web Audio clock of `context`, through one gain (the volume). */
export class WebAudioClicks implements ClickSink {
  readonly context: AudioContext;
  #gain: GainNode;
  #buffers: { plain: AudioBuffer; accent: AudioBuffer };
  #pending: { node: AudioBufferSourceNode; when: number }[] = [];
  #accentGain = 1;

  constructor(context: AudioContext) {
    this.context = context;
    this.#gain = context.createGain();
    this.#gain.connect(context.destination);
    this.#buffers = { plain: this.#burst(1500), accent: this.#burst(2500) };
  }

  /** Volume 0..1. */
  setVolume(v: number): void {
    this.#gain.gain.value = Math.min(1, Math.max(0, v));
  }

  /** Whether downbeats get the higher, louder click. */
  setAccent(on: boolean): void {
    this.#accentGain = on ? 1 : 0;
  }

  now(): number {
    return heardTime(this.context);
  }

  click(when: number, accent: boolean): void {
    const c = this.context;
    const node = c.createBufferSource();
    const useAccent = accent && this.#accentGain > 0;
    node.buffer = useAccent ? this.#buffers.accent : this.#buffers.plain;
    const g = c.createGain();
    g.gain.value = useAccent ? 1 : 0.6;
    node.connect(g).connect(this.#gain);
    // a click the audio thread can no longer play on time is dropped rather than played late
    if (when < c.currentTime - LATE_SECONDS) return;
    const at = Math.max(c.currentTime, when);
    node.start(at);
    const entry = { node, when: at };
    this.#pending.push(entry);
    node.onended = () => {
      const i = this.#pending.indexOf(entry);
      if (i >= 0) this.#pending.splice(i, 1);
      g.disconnect();
    };
  }

  cancel(): void {
    const now = this.context.currentTime;
    for (const p of this.#pending.splice(0)) {
      if (p.when > now) {
        try {
          p.node.stop();
        } catch {
          // already stopped
        }
      }
    }
  }

  /** Stops every click and closes the context. */
  async close(): Promise<void> {
    this.cancel();
    await this.context.close();
  }

  #burst(freq: number): AudioBuffer {
    const rate = this.context.sampleRate;
    const n = Math.round(rate * CLICK_SECONDS);
    const b = this.context.createBuffer(1, n, rate);
    const d = b.getChannelData(0);
    for (let i = 0; i < n; i++)
      d[i] = Math.sin((2 * Math.PI * freq * i) / rate) * Math.exp(-i / (rate * 0.005));
    return b;
  }
}

/** The parts of a media element the scheduler reads. */
export interface ClockedMedia {
  readonly currentTime: number;
  readonly playbackRate: number;
  readonly paused: boolean;
  readonly seeking: boolean;
}

/** How far ahead clicks are scheduled, wall seconds. */
export const LOOKAHEAD_SECONDS = 0.15;
/** A beat noticed later than this (wall seconds) is skipped rather than clicked late. */
export const LATE_SECONDS = 0.012;

/**
 * Schedules the clicks of the beats the media will reach in the next `LOOKAHEAD_SECONDS`, once
 * each; `reset()` (after a seek, a wrap or a rate change) cancels the pending ones. Beats at or
 * after `stopBefore` (the loop's B) are never clicked: playback goes back before them.
 */
export class ClickScheduler {
  #sink: ClickSink;
  #media: ClockedMedia;
  #beats: readonly Beat[] = [];
  #scheduledUntil = Number.NEGATIVE_INFINITY;
  #lastMedia = Number.NaN;
  /** Media time up to which clicks may sound (B of the loop), or +∞. */
  stopBefore = Number.POSITIVE_INFINITY;

  constructor(sink: ClickSink, media: ClockedMedia) {
    this.#sink = sink;
    this.#media = media;
  }

  /** The beats to click. */
  setBeats(beats: readonly Beat[]): void {
    this.#beats = beats;
    this.reset();
  }

  /** Cancels the pending clicks; the next `tick()` schedules again from the media's position. */
  reset(): void {
    this.#sink.cancel();
    this.#scheduledUntil = Number.NEGATIVE_INFINITY;
    this.#lastMedia = Number.NaN;
  }

  /** Schedules what is due (call often: every frame and on a short timer while playing). */
  tick(): void {
    const m = this.#media;
    if (m.paused || m.seeking || this.#beats.length === 0) return;
    const mediaNow = m.currentTime;
    // the media clock stands still for a moment after play() and seeks: wait until it runs
    const running = mediaNow !== this.#lastMedia && !Number.isNaN(this.#lastMedia);
    const jumped =
      !Number.isNaN(this.#lastMedia) && (mediaNow < this.#lastMedia - 0.05 || mediaNow > this.#lastMedia + 1);
    this.#lastMedia = mediaNow;
    if (jumped) {
      this.#sink.cancel();
      this.#scheduledUntil = Number.NEGATIVE_INFINITY;
      return;
    }
    if (!running) return;
    const rate = m.playbackRate > 0 ? m.playbackRate : 1;
    const audioNow = this.#sink.now();
    const from = Math.max(this.#scheduledUntil, mediaNow - LATE_SECONDS * rate);
    const to = Math.min(mediaNow + LOOKAHEAD_SECONDS * rate, this.stopBefore);
    if (to <= from) return;
    for (const b of beatsBetween(this.#beats, from, to)) {
      this.#sink.click(clickTime(b.time, mediaNow, audioNow, rate), b.downbeat);
    }
    this.#scheduledUntil = to;
  }
}
