import WaveSurfer from 'wavesurfer.js';
import { Emitter } from '../lib/emitter';
import type { Peaks } from '../lib/api';

/** Performance-timeline mark set when the waveform is first drawn (read by e2e/bench.ts). */
export const WAVEFORM_DRAWN_MARK = 'accord:waveform-drawn';

/** Options of the waveform view. */
export interface WaveformOptions {
  /** Element the waveform fills. */
  container: HTMLElement;
  /** The player's media element: wavesurfer follows it, it never decodes the audio itself. */
  media: HTMLMediaElement;
  /** Peaks and duration computed by main. */
  peaks: Peaks;
  /** Initial zoom, pixels per second. */
  zoomPxPerSec: number;
  /** Height in CSS pixels. */
  heightPx?: number;
  /** Initial scroll: seconds at the left edge. */
  scrollSeconds?: number;
}

/** Events of the waveform view. */
export interface WaveformEvents {
  /** The user clicked or dragged to `seconds`. */
  seek: [seconds: number];
  /** The user zoomed with ctrl+wheel to `pxPerSec`. */
  zoom: [pxPerSec: number];
  /** The visible window starts at `seconds` (after a scroll or zoom). */
  scroll: [seconds: number];
}

/** The recording's waveform (wavesurfer.js v7 driven by precomputed peaks), scrolling with the playhead. */
export class WaveformView extends Emitter<WaveformEvents> {
  #ws: WaveSurfer;
  #unsubs: (() => void)[] = [];
  #container: HTMLElement;
  #zoom: number;

  constructor(opts: WaveformOptions) {
    super();
    this.#container = opts.container;
    this.#zoom = opts.zoomPxPerSec;
    this.#ws = WaveSurfer.create({
      container: opts.container,
      media: opts.media,
      peaks: [opts.peaks.max],
      duration: opts.peaks.durationSeconds,
      height: opts.heightPx ?? 120,
      minPxPerSec: opts.zoomPxPerSec,
      waveColor: '#6b8fb8',
      progressColor: '#2c5282',
      cursorColor: '#e53e3e',
      cursorWidth: 2,
      normalize: true,
      autoScroll: true,
      autoCenter: true,
      dragToSeek: true,
      interact: true,
    });
    this.#unsubs.push(
      this.#ws.on('interaction', (t) => this.emit('seek', t)),
      this.#ws.once('redrawcomplete', () => {
        performance.mark(WAVEFORM_DRAWN_MARK);
        if (opts.scrollSeconds) this.#ws.setScrollTime(opts.scrollSeconds);
      }),
      this.#ws.on('scroll', (start) => this.emit('scroll', start)),
    );
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      this.emit('zoom', this.#zoom * (e.deltaY < 0 ? 1.25 : 0.8));
    };
    opts.container.addEventListener('wheel', onWheel, { passive: false });
    this.#unsubs.push(() => opts.container.removeEventListener('wheel', onWheel));
  }

  /** Sets the zoom, pixels per second. */
  setZoom(pxPerSec: number): void {
    if (pxPerSec === this.#zoom) return;
    this.#zoom = pxPerSec;
    this.#ws.zoom(pxPerSec);
  }

  /** Keeps the waveform's cursor on `seconds` when the media element is not moving it (seek while paused). */
  setTime(seconds: number): void {
    const d = this.#ws.getDuration();
    if (d > 0 && Math.abs(this.#ws.getCurrentTime() - seconds) > 0.05) this.#ws.setTime(seconds);
  }

  /** Removes the waveform and every listener. */
  destroy(): void {
    for (const fn of this.#unsubs.splice(0)) fn();
    this.clearListeners();
    this.#ws.destroy();
    this.#container.replaceChildren();
  }
}
