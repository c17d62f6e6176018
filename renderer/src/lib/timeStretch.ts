/** Playback speed without a change of pitch, behind an interface a better stretcher can implement. */
import { wsolaStretch, type WsolaOptions } from './wsola';

/** Speed limits the editor offers (factor of the recorded tempo). */
export const STRETCH_MIN_RATE = 0.25;
/** Speed limits the editor offers (factor of the recorded tempo). */
export const STRETCH_MAX_RATE = 1.5;

/** Changes the speed of the recording's playback while keeping its pitch. */
export interface TimeStretcher {
  /** The speed factor in force (1 = as recorded). */
  readonly rate: number;
  /** Sets the speed factor; throws a RangeError outside [`STRETCH_MIN_RATE`, `STRETCH_MAX_RATE`]. */
  setRate(rate: number): void;
  /** Gives the media back as it was (speed 1). */
  release(): void;
}

/** Checks a speed factor against the editor's limits. */
function checkRate(rate: number): void {
  if (!Number.isFinite(rate) || rate < STRETCH_MIN_RATE || rate > STRETCH_MAX_RATE)
    throw new RangeError(
      `speed: expected a factor in [${STRETCH_MIN_RATE}, ${STRETCH_MAX_RATE}], got ${rate}`,
    );
}

/**
 * The baseline: the media element's own time-stretch (`playbackRate` with `preservesPitch`),
 * which the browser implements with WSOLA; fine for practice speeds, audibly smeary below ~50 %.
 */
export class MediaElementStretcher implements TimeStretcher {
  #media: HTMLMediaElement;
  #rate = 1;

  constructor(media: HTMLMediaElement) {
    this.#media = media;
    media.preservesPitch = true;
  }

  get rate(): number {
    return this.#rate;
  }

  setRate(rate: number): void {
    checkRate(rate);
    this.#rate = rate;
    const m = this.#media;
    m.preservesPitch = true;
    // defaultPlaybackRate survives a new src (load() resets playbackRate to it)
    m.defaultPlaybackRate = rate;
    m.playbackRate = rate;
  }

  release(): void {
    this.#rate = 1;
    this.#media.defaultPlaybackRate = 1;
    this.#media.playbackRate = 1;
  }
}

/** A stretcher that renders samples at its speed into a buffer (the practice loop plays them on the Web Audio clock). */
export interface BufferStretcher extends TimeStretcher {
  /** `channels` (at `sampleRate`) played at `rate` with the pitch kept: `stretchedLength(n, rate)` samples, ending as they end. */
  render(channels: readonly Float32Array[], sampleRate: number): Float32Array[];
}

/** WSOLA in TypeScript (`wsola.ts`): at speed 1 a plain copy. */
export class WsolaStretcher implements BufferStretcher {
  #rate = 1;
  #opts: WsolaOptions;

  constructor(opts: WsolaOptions = {}) {
    this.#opts = opts;
  }

  get rate(): number {
    return this.#rate;
  }

  setRate(rate: number): void {
    checkRate(rate);
    this.#rate = rate;
  }

  render(channels: readonly Float32Array[], sampleRate: number): Float32Array[] {
    return wsolaStretch(channels, sampleRate, this.#rate, this.#opts);
  }

  release(): void {
    this.#rate = 1;
  }
}
