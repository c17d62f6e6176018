/** Playback of the recording: one media element, one playhead that every view follows. */
export class PlayerState {
  #time = $state(0);
  #duration = $state(0);
  #playing = $state(false);
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
    listen('play', () => {
      this.#playing = true;
      this.#tick();
    });
    listen('pause', () => {
      this.#playing = false;
      this.#time = media.currentTime;
    });
    listen('ended', () => {
      this.#playing = false;
    });
    listen('seeked', () => {
      this.#time = media.currentTime;
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

  /** Points the player at `url`; `durationSeconds` (from main) is known before the media loads. */
  load(url: string, durationSeconds: number, startSeconds = 0): void {
    this.pause();
    this.#duration = durationSeconds;
    if (this.#media.src !== url) this.#media.src = url;
    else this.#media.load(); // same URL, maybe a relinked file: fetch it again
    this.seek(startSeconds);
  }

  /** Starts playback. */
  async play(): Promise<void> {
    try {
      await this.#media.play();
    } catch (e) {
      // play() rejects when a pause() interrupts it: not an error for the user
      if (!(e instanceof DOMException && e.name === 'AbortError')) throw e;
    }
  }

  /** Pauses playback. */
  pause(): void {
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
    this.#time = this.#media.currentTime;
    this.#raf = requestAnimationFrame(this.#tick);
  };
}
