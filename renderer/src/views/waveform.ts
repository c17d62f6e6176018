import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.esm.js';
import { Emitter } from '../lib/emitter';
import type { Peaks } from '../lib/api';
import { rulerTicks } from './ruler';

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
  /** Colours of the wave, its played part and the playhead (the theme's). */
  colours?: WaveformColours;
}

/** Colours of the waveform, CSS colour strings. */
export interface WaveformColours {
  wave: string;
  progress: string;
  cursor: string;
  /** The time ruler's ticks and labels. */
  ruler?: string;
}

/** Events of the waveform view. */
export interface WaveformEvents {
  /** The user clicked or dragged to `seconds`. */
  seek: [seconds: number];
  /** The user zoomed with ctrl+wheel to `pxPerSec`. */
  zoom: [pxPerSec: number];
  /** The visible window starts at `seconds` (after a scroll or zoom). */
  scroll: [seconds: number];
  /** The user dragged across the waveform (or moved the loop's edges) while selection is on. */
  select: [startSeconds: number, endSeconds: number];
}

/** Colour of the loop region. */
const LOOP_COLOR = 'rgba(229, 160, 62, 0.28)';
/** Id prefix of the region showLoop() draws. */
const LOOP_REGION_ID = 'accord-loop';
/** Shortest selection taken as a loop, seconds (shorter drags are clicks). */
const MIN_SELECTION_SECONDS = 0.1;
/** Height of the time ruler under the wave, CSS px. */
const RULER_HEIGHT_PX = 18;

/** The recording's waveform (wavesurfer.js v7 driven by precomputed peaks), scrolling with the playhead. */
export class WaveformView extends Emitter<WaveformEvents> {
  #ws: WaveSurfer;
  #unsubs: (() => void)[] = [];
  #container: HTMLElement;
  #zoom: number;
  #regions: RegionsPlugin;
  #loop: Region | null = null;
  #loopSerial = 0;
  #disableDrag: (() => void) | null = null;
  #ruler: HTMLCanvasElement;
  #rulerColour: string;
  #rulerFrame = 0;

  constructor(opts: WaveformOptions) {
    super();
    this.#container = opts.container;
    this.#zoom = opts.zoomPxPerSec;
    this.#rulerColour = opts.colours?.ruler ?? '#5d6678';
    this.#ws = WaveSurfer.create({
      container: opts.container,
      media: opts.media,
      peaks: [opts.peaks.max],
      duration: opts.peaks.durationSeconds,
      height: opts.heightPx ?? 120,
      minPxPerSec: opts.zoomPxPerSec,
      waveColor: opts.colours?.wave ?? '#6b8fb8',
      progressColor: opts.colours?.progress ?? '#2c5282',
      cursorColor: opts.colours?.cursor ?? '#e53e3e',
      cursorWidth: 2,
      normalize: true,
      autoScroll: true,
      autoCenter: true,
      dragToSeek: true,
      interact: true,
    });
    this.#regions = this.#ws.registerPlugin(RegionsPlugin.create());
    this.#unsubs.push(
      this.#regions.on('region-created', (r) => {
        // the loop shown by showLoop(), not a new selection
        if (r.id.startsWith(LOOP_REGION_ID)) return;
        // a drag made a new selection: it replaces the loop shown
        if (r.end - r.start < MIN_SELECTION_SECONDS) return r.remove();
        this.#loop?.remove();
        this.#loop = r;
        this.emit('select', r.start, r.end);
      }),
      this.#regions.on('region-updated', (r) => {
        if (r === this.#loop) this.emit('select', r.start, r.end);
      }),
    );
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

    // the time ruler: a canvas under the wave, redrawn for the visible window
    this.#ruler = document.createElement('canvas');
    this.#ruler.className = 'ruler';
    this.#ruler.setAttribute('aria-hidden', 'true');
    this.#ruler.dataset.testid = 'waveform-ruler';
    this.#ruler.style.display = 'block';
    this.#ruler.style.width = '100%';
    this.#ruler.style.height = `${RULER_HEIGHT_PX}px`;
    opts.container.append(this.#ruler);
    const redraw = () => this.#scheduleRuler();
    this.#unsubs.push(
      this.#ws.on('scroll', redraw),
      this.#ws.on('redrawcomplete', redraw),
      this.#ws.on('zoom', redraw),
      () => cancelAnimationFrame(this.#rulerFrame),
    );
    const resize = new ResizeObserver(redraw);
    resize.observe(opts.container);
    this.#unsubs.push(() => resize.disconnect());
  }

  #scheduleRuler(): void {
    if (this.#rulerFrame) return;
    this.#rulerFrame = requestAnimationFrame(() => {
      this.#rulerFrame = 0;
      this.#drawRuler();
    });
  }

  /** Draws the ruler's ticks and m:ss labels for the visible window (spacing from the zoom). */
  #drawRuler(): void {
    const canvas = this.#ruler;
    const duration = this.#ws.getDuration();
    const cssWidth = canvas.clientWidth;
    if (!(duration > 0) || cssWidth === 0) return;
    // the wave fills the view when the recording is shorter than it: the real scale is the wrapper's
    const pxPerSec = this.#ws.getWrapper().scrollWidth / duration;
    const start = this.#ws.getScroll() / pxPerSec;
    const end = start + this.#ws.getWidth() / pxPerSec;
    const { majorStep, ticks } = rulerTicks(start, end, pxPerSec);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(RULER_HEIGHT_PX * dpr);
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssWidth, RULER_HEIGHT_PX);
    g.strokeStyle = this.#rulerColour;
    g.fillStyle = this.#rulerColour;
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'top';
    g.lineWidth = 1;
    g.beginPath();
    for (const t of ticks) {
      const x = Math.round((t.seconds - start) * pxPerSec) + 0.5;
      g.moveTo(x, 0);
      g.lineTo(x, t.major ? 7 : 3);
      if (t.major) g.fillText(t.label, x + 3, 5);
    }
    g.stroke();
    canvas.dataset.majorStep = String(majorStep);
    canvas.dataset.firstLabel = ticks.find((t) => t.major)?.label ?? '';
  }

  /** Recolours the wave, its played part and the playhead (a theme change). */
  setColours(c: WaveformColours): void {
    this.#ws.setOptions({ waveColor: c.wave, progressColor: c.progress, cursorColor: c.cursor });
    if (c.ruler) this.#rulerColour = c.ruler;
    this.#scheduleRuler();
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

  /** Draws the cursor at `seconds` (scrolling to it) without touching the media element: playback on another clock. */
  showTime(seconds: number): void {
    const d = this.#ws.getDuration();
    if (d > 0) this.#ws.getRenderer().renderProgress(Math.min(1, Math.max(0, seconds / d)), true);
  }

  /** Lets a drag across the waveform select a range (`select` events) instead of seeking. */
  setSelectable(on: boolean): void {
    if (on === (this.#disableDrag !== null)) return;
    if (on) {
      this.#ws.setOptions({ dragToSeek: false });
      this.#disableDrag = this.#regions.enableDragSelection({ color: LOOP_COLOR });
    } else {
      this.#disableDrag?.();
      this.#disableDrag = null;
      this.#ws.setOptions({ dragToSeek: true });
    }
  }

  /** Shows the loop [start, end] (null hides it); its edges can be dragged while selection is on. */
  showLoop(loop: { startSeconds: number; endSeconds: number } | null): void {
    const cur = this.#loop;
    if (!loop) {
      cur?.remove();
      this.#loop = null;
      return;
    }
    if (cur && Math.abs(cur.start - loop.startSeconds) < 1e-3 && Math.abs(cur.end - loop.endSeconds) < 1e-3)
      return;
    cur?.remove();
    this.#loop = null;
    const r = this.#regions.addRegion({
      id: `${LOOP_REGION_ID}-${++this.#loopSerial}`,
      start: loop.startSeconds,
      end: loop.endSeconds,
      color: LOOP_COLOR,
      drag: false,
      resize: true,
    });
    this.#loop = r;
  }

  /** Removes the waveform and every listener. */
  destroy(): void {
    this.#disableDrag?.();
    for (const fn of this.#unsubs.splice(0)) fn();
    this.clearListeners();
    this.#ws.destroy();
    this.#container.replaceChildren();
  }
}
