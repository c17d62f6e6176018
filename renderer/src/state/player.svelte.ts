/** Playback on another clock than the media element's (practice mode's loop on the Web Audio clock). */
export interface ExternalPlayback {
  /** Recording seconds heard now. */
  now(): number;
  /** Moves playback to `seconds` (it keeps playing). */
  seek(seconds: number): void;
  /** Stops it; it calls `handBack` with where it stopped. */
  stop(): void;
}

/**
 * Playback of the recording: one media element, one playhead that every view follows. While
 * an external playback has taken over (the practice loop), the media element stays paused and
 * the playhead comes from that playback's clock.
 */
export class PlayerState {
  #time = $state(0);
  #duration = $state(0);
  #playing = $state(false);
  #external = $state.raw<ExternalPlayback | null>(null);
  #media: HTMLMediaElement;
  #raf = 0;
  #cleanup: (() => void)[] = [];

  /** Wraps `media` (an <audio> element by default). */
  constructor(media: HTMLMediaElement = new Audio()) {
    this.#media = media;
    media.preload = 'auto';
    const listen = (type: string, fn: () => void) => {
      media.addEventListener(type, fn);
      this.#cleanup.push(() => media.removeEventListener(type, fn));
    };
    // while an external playback plays, the (paused) media element's events say nothing about it
    listen('play', () => {
      if (this.#external) return;
      this.#playing = true;
      this.#tick();
    });
    listen('pause', () => {
      if (this.#external) return;
      this.#playing = false;
      this.#time = media.currentTime;
    });
    listen('ended', () => {
      if (!this.#external) this.#playing = false;
    });
    listen('seeked', () => {
      if (!this.#external) this.#time = media.currentTime;
    });
    listen('durationchange', () => {
      if (Number.isFinite(media.duration) && media.duration > 0) this.#duration = media.duration;
    });
  }

  /** The media element (wavesurfer drives its waveform from it). */
  get media(): HTMLMediaElement {
    return this.#media;
  }
  /** Playhead, performance seconds. */
  get time(): number {
    return this.#time;
  }
  /** Recording length, seconds. */
  get duration(): number {
    return this.#duration;
  }
  /** True while playing. */
  get playing(): boolean {
    return this.#playing;
  }
  /** True while an external playback (the practice loop) has taken over from the media element. */
  get external(): boolean {
    return this.#external !== null;
  }

  /** Lets `playback` play instead of the media element (paused): the playhead follows its clock. */
  takeOver(playback: ExternalPlayback): void {
    this.#external = playback;
    if (!this.#media.paused) this.#media.pause();
    this.#playing = true;
    this.#time = playback.now();
    this.#tick();
  }

  /** Ends a take-over: the media element (paused) and the playhead go to `seconds`. */
  handBack(seconds: number): void {
    this.#external = null;
    this.#playing = false;
    this.seek(seconds);
  }

  /** Points the player at `url`; `durationSeconds` (from main) is known before the media loads. */
  load(url: string, durationSeconds: number, startSeconds = 0): void {
    this.pause();
    this.#duration = durationSeconds;
    if (this.#media.src !== url) this.#media.src = url;
    else this.#media.load(); // same URL, maybe a relinked file: fetch it again
    this.seek(startSeconds);
  }

  /** Starts playback (of the media element; nothing while an external playback plays). */
  async play(): Promise<void> {
    if (this.#external) return;
    try {
      await this.#media.play();
    } catch (e) {
      // play() rejects when a pause() interrupts it: not an error for the user
      if (!(e instanceof DOMException && e.name === 'AbortError')) throw e;
    }
  }

  /** Pauses playback (an external playback stops and hands back). */
  pause(): void {
    this.#external?.stop();
    this.#external = null;
    if (!this.#media.paused) this.#media.pause();
    this.#playing = false;
  }

  /** Plays when paused, pauses when playing. */
  async toggle(): Promise<void> {
    if (this.#playing) this.pause();
    else await this.play();
  }

  /** Moves the playhead to `seconds` (clamped to the recording). */
  seek(seconds: number): void {
    const max = this.#duration > 0 ? this.#duration : Number.POSITIVE_INFINITY;
    const t = Math.min(max, Math.max(0, Number.isFinite(seconds) ? seconds : 0));
    this.#time = t;
    if (this.#external) return this.#external.seek(t);
    try {
      this.#media.currentTime = t;
    } catch {
      // media not loaded yet: the time is applied once it is (see load)
    }
  }

  /** Moves the playhead by `deltaSeconds`. */
  step(deltaSeconds: number): void {
    this.seek(this.#time + deltaSeconds);
  }

  /** Stops playback and releases the media element. */
  destroy(): void {
    cancelAnimationFrame(this.#raf);
    this.pause();
    for (const fn of this.#cleanup.splice(0)) fn();
    this.#media.removeAttribute('src');
  }

  #tick = () => {
    cancelAnimationFrame(this.#raf);
    if (!this.#playing) return;
    this.#time = this.#external ? this.#external.now() : this.#media.currentTime;
    this.#raf = requestAnimationFrame(this.#tick);
  };
}
