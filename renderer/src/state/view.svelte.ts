import type { AccordApi, ViewKind, ViewState } from '../lib/api';
import { errorMessage } from '../lib/api';

/** Zoom limits of the waveform, pixels per second. */
export const ZOOM_MIN_PX_PER_SEC = 1;
/** Zoom limits of the waveform, pixels per second. */
export const ZOOM_MAX_PX_PER_SEC = 1000;
/** Zoom of a project never opened before, pixels per second. */
export const DEFAULT_ZOOM_PX_PER_SEC = 50;

/** Per-project view settings (zoom, scroll, shown view), saved to main a moment after each change. */
export class ViewSettings {
  #zoom = $state(DEFAULT_ZOOM_PX_PER_SEC);
  #scroll = $state(0);
  #view = $state<ViewKind>('score');
  #help = $state(false);
  #follow = $state(true);
  #saveError = $state<string | null>(null);
  #pending = $state(false);
  #api: AccordApi;
  #projectId: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #playhead: () => number;
  #delayMs: number;

  /** `playhead` reads the current playhead when a save happens; saves wait `delayMs` of quiet. */
  constructor(api: AccordApi, playhead: () => number, delayMs = 400) {
    this.#api = api;
    this.#playhead = playhead;
    this.#delayMs = delayMs;
  }

  /** Waveform zoom, px/s. */
  get zoom(): number {
    return this.#zoom;
  }
  /** Waveform scroll, seconds at the left edge. */
  get scroll(): number {
    return this.#scroll;
  }
  /** The view shown below the waveform. */
  get view(): ViewKind {
    return this.#view;
  }
  /** Whether the keyboard help overlay is shown. */
  get help(): boolean {
    return this.#help;
  }
  set help(v: boolean) {
    this.#help = v;
  }
  /** Whether the views keep the playhead in sight (the matrix and the sheet; off once the user pans or scrolls away). */
  get follow(): boolean {
    return this.#follow;
  }
  set follow(v: boolean) {
    this.#follow = v;
  }
  /** True from a change until main has stored it. */
  get pending(): boolean {
    return this.#pending;
  }
  /** Why the last save failed; null after a successful one. */
  get saveError(): string | null {
    return this.#saveError;
  }

  /** Takes the saved state of project `projectId` (or the defaults); `fallbackView` when none was saved. */
  restore(projectId: number, state: ViewState | null, fallbackView: ViewKind): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#projectId = projectId;
    this.#zoom = clampZoom(state?.pixelsPerSecond ?? DEFAULT_ZOOM_PX_PER_SEC);
    this.#scroll = Math.max(0, state?.scrollSeconds ?? 0);
    this.#view = state?.selectedView && state.selectedView !== 'waveform' ? state.selectedView : fallbackView;
    this.#follow = true;
  }

  /** Sets the waveform zoom (clamped). */
  setZoom(pxPerSec: number): void {
    const z = clampZoom(pxPerSec);
    if (z === this.#zoom) return;
    this.#zoom = z;
    this.scheduleSave();
  }
  /** Multiplies the zoom by `factor`. */
  zoomBy(factor: number): void {
    this.setZoom(this.#zoom * factor);
  }
  /** Records the waveform scroll. */
  setScroll(seconds: number): void {
    const s = Math.max(0, Number.isFinite(seconds) ? seconds : 0);
    if (Math.abs(s - this.#scroll) < 0.01) return;
    this.#scroll = s;
    this.scheduleSave();
  }
  /** Shows `view`. */
  setView(view: ViewKind): void {
    this.#view = view;
    this.scheduleSave();
  }

  /** The state as saved to main. */
  snapshot(): ViewState {
    return {
      playheadSeconds: Math.max(0, this.#playhead()),
      pixelsPerSecond: this.#zoom,
      scrollSeconds: this.#scroll,
      selectedView: this.#view,
    };
  }

  /** Saves after a short quiet period (coalesces bursts such as wheel zoom or seeking). */
  scheduleSave(): void {
    if (this.#projectId === null) return;
    clearTimeout(this.#timer);
    this.#pending = true;
    this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
  }

  /** Saves now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#projectId === null) return;
    try {
      await this.#api.view.save(this.#projectId, this.snapshot());
      this.#saveError = null;
    } catch (e) {
      this.#saveError = `View state not saved: ${errorMessage(e)}`;
    } finally {
      if (this.#timer === undefined) this.#pending = false;
    }
  }

  /** Saves pending changes and detaches from the project. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) await this.flush();
    this.#projectId = null;
  }
}

function clampZoom(px: number): number {
  if (!Number.isFinite(px)) return DEFAULT_ZOOM_PX_PER_SEC;
  return Math.min(ZOOM_MAX_PX_PER_SEC, Math.max(ZOOM_MIN_PX_PER_SEC, px));
}
