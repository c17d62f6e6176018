import { Emitter } from '../lib/emitter';
import { listen } from '../lib/listen';
import type { MatrixImage } from '../lib/api';
import type { PathLike } from '../lib/timeline';
import { scoreTimeAt } from '../lib/timeline';
import { prepareCanvas } from './canvas.js';

/** Zoom (1 = whole matrix) and pan centre (0..1 along performance and score time). */
export interface MatrixViewport {
  zoom: number;
  cx: number;
  cy: number;
}

/** Options of the matrix/path view. */
export interface MatrixOptions {
  /** Canvas to draw on; its CSS size sets the drawing size. */
  canvas: HTMLCanvasElement;
  /** Downsampled cost matrix from main (null: path only). */
  matrix: MatrixImage | null;
  /** The alignment path drawn on top. */
  path: PathLike;
  /** Performance seconds on the x axis (the recording's duration). */
  perfSeconds: number;
  /** Score seconds on the y axis. */
  scoreSeconds: number;
  viewport?: MatrixViewport;
  /** Keep the playhead's point of the path in view (default true); a pan by the user turns it off. */
  follow?: boolean;
}

/** What the pointer is over. */
export interface MatrixHover {
  /** Pointer position inside the canvas, CSS px. */
  x: number;
  y: number;
  perfSeconds: number;
  scoreSeconds: number;
}

/** Events of the matrix/path view. */
export interface MatrixEvents {
  /** A click (not a drag) at performance time `seconds`. */
  seek: [seconds: number];
  /** Pointer moved over the matrix (null: it left). */
  hover: [MatrixHover | null];
  /** Zoom or pan changed. */
  viewport: [MatrixViewport];
  /** Following the playhead turned on or off (off: the user panned away). */
  follow: [on: boolean];
}

/** Background colour of the view (tests count pixels that differ from it). */
export const MATRIX_BACKGROUND = '#10141c';
/** Largest zoom factor. */
export const MATRIX_MAX_ZOOM = 256;
/** Zoom step of the keyboard and the zoom buttons. */
export const MATRIX_ZOOM_STEP = 1.5;
/** Pan step of the arrow keys, fraction of the visible width or height. */
export const MATRIX_PAN_STEP = 0.2;
/** Name of the performance-timeline measure recorded for every redraw. */
export const MATRIX_DRAW_MEASURE = 'accord:matrix-draw';

const CONFIDENCE_COLOURS = ['#ff4d4f', '#ff9f43', '#ffd93d', '#9be15d', '#2ee59d'];

/** The cost matrix with the alignment path on top (coloured by confidence, jumps as separate strokes). */
export class MatrixView extends Emitter<MatrixEvents> {
  #canvas: HTMLCanvasElement;
  #image: HTMLCanvasElement | null = null;
  #path: PathLike;
  #perf: number;
  #score: number;
  #vp: MatrixViewport;
  #time = 0;
  #raf = 0;
  #unsubs: (() => void)[] = [];
  #drag: { x: number; y: number; cx: number; cy: number; moved: boolean } | null = null;
  #follow: boolean;
  /** Pointers down on the canvas (two: a pinch), CSS px inside it. */
  #pointers = new Map<number, { x: number; y: number }>();
  #pinch: { dist: number } | null = null;

  constructor(opts: MatrixOptions) {
    super();
    this.#canvas = opts.canvas;
    this.#path = opts.path;
    this.#perf = Math.max(1e-3, opts.perfSeconds);
    this.#score = Math.max(1e-3, opts.scoreSeconds);
    this.#vp = clampViewport(opts.viewport ?? { zoom: 1, cx: 0.5, cy: 0.5 });
    this.#follow = opts.follow ?? true;
    if (opts.matrix) this.#image = toImage(opts.matrix);
    this.#listen();
    this.draw();
  }

  /** Current zoom/pan. */
  get viewport(): MatrixViewport {
    return this.#vp;
  }

  /** Sets zoom/pan and redraws (no event). */
  setViewport(vp: MatrixViewport): void {
    this.#vp = clampViewport(vp);
    this.requestDraw();
  }

  /** Whether the view keeps the playhead in sight. */
  get follow(): boolean {
    return this.#follow;
  }

  /** Turns following on (brings the playhead into view at once) or off; emits `follow` on a change. */
  setFollow(on: boolean): void {
    if (on === this.#follow) return;
    this.#follow = on;
    if (on) this.#keepPlayheadInView();
    this.emit('follow', on);
  }

  /** Performance and score seconds of the visible window. */
  get visible(): { x0: number; x1: number; y0: number; y1: number } {
    return this.#visible();
  }

  /** Moves the playhead line to `perfSeconds` (and the window with it while following). */
  setTime(perfSeconds: number): void {
    if (perfSeconds === this.#time) return;
    this.#time = perfSeconds;
    this.#keepPlayheadInView();
    this.requestDraw();
  }

  /** Zooms by `factor` around the canvas point (`x`, `y`) in CSS px; without one, around the playhead while following, else the centre. */
  zoomAt(factor: number, x?: number, y?: number): void {
    const { w, h } = this.#size();
    const anchor = x === undefined && this.#follow ? this.#playheadPoint() : null;
    const px = x ?? anchor?.x ?? w / 2;
    const py = y ?? anchor?.y ?? h / 2;
    const before = this.#toData(px, py);
    const zoom = Math.min(MATRIX_MAX_ZOOM, Math.max(1, this.#vp.zoom * factor));
    const spanX = 1 / zoom;
    const spanY = 1 / zoom;
    // keep the data point under the pointer where it was
    const fx = before.perfSeconds / this.#perf;
    const fy = before.scoreSeconds / this.#score;
    const cx = fx - (px / w - 0.5) * spanX;
    const cy = fy + (py / h - 0.5) * spanY;
    let next = clampViewport({ zoom, cx, cy });
    if (this.#follow) {
      const p = this.#playheadFractions();
      next = followViewport(next, p.fx, p.fy);
    }
    this.#setAndEmit(next);
  }

  /** Shows the whole matrix (zoom 1). */
  fit(): void {
    this.#setAndEmit({ zoom: 1, cx: 0.5, cy: 0.5 });
  }

  /** Pans by (`dx`, `dy`) CSS px: the user looks elsewhere, so following stops. */
  panBy(dx: number, dy: number): void {
    const { w, h } = this.#size();
    const z = this.#vp.zoom;
    this.setFollow(false);
    this.#setAndEmit({ zoom: z, cx: this.#vp.cx - dx / w / z, cy: this.#vp.cy + dy / h / z });
  }

  /**
   * The view's keys, for a focused canvas: + / − zoom, 0 fits, arrows pan (Shift: by a whole
   * window), F turns following the playhead on or off. Returns whether the key was one of them.
   */
  handleKey(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const { w, h } = this.#size();
    const step = e.shiftKey ? 1 : MATRIX_PAN_STEP;
    switch (e.key) {
      case '+':
      case '=':
        this.zoomAt(MATRIX_ZOOM_STEP);
        return true;
      case '-':
      case '_':
        this.zoomAt(1 / MATRIX_ZOOM_STEP);
        return true;
      case '0':
        this.fit();
        return true;
      case 'ArrowLeft':
        this.panBy(w * step, 0);
        return true;
      case 'ArrowRight':
        this.panBy(-w * step, 0);
        return true;
      case 'ArrowUp':
        this.panBy(0, h * step);
        return true;
      case 'ArrowDown':
        this.panBy(0, -h * step);
        return true;
      case 'f':
      case 'F':
        this.setFollow(!this.#follow);
        return true;
      default:
        return false;
    }
  }

  /** Schedules one redraw on the next animation frame. */
  requestDraw(): void {
    if (this.#raf) return;
    this.#raf = requestAnimationFrame(() => {
      this.#raf = 0;
      this.draw();
    });
  }

  /** Redraws now. */
  draw(): void {
    const t0 = performance.now();
    const frame = prepareCanvas(this.#canvas, MATRIX_BACKGROUND);
    if (!frame) return;
    const { ctx, w, h } = frame;
    const { x0, x1, y0, y1 } = this.#visible();
    if (this.#image) {
      const iw = this.#image.width;
      const ih = this.#image.height;
      ctx.imageSmoothingEnabled = this.#vp.zoom < 4;
      ctx.drawImage(
        this.#image,
        (x0 / this.#perf) * iw,
        (1 - y1 / this.#score) * ih,
        ((x1 - x0) / this.#perf) * iw,
        ((y1 - y0) / this.#score) * ih,
        0,
        0,
        w,
        h,
      );
    }
    this.#drawPath(ctx, w, h, x0, x1, y0, y1);
    const px = ((this.#time - x0) / (x1 - x0)) * w;
    if (px >= 0 && px <= w) {
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, h);
      ctx.stroke();
    }
    this.#drawAxes(ctx, w, h, x0, x1, y0, y1);
    performance.measure(MATRIX_DRAW_MEASURE, { start: t0, end: performance.now() });
  }

  /** Removes listeners and stops drawing. */
  destroy(): void {
    cancelAnimationFrame(this.#raf);
    for (const fn of this.#unsubs.splice(0)) fn();
    this.clearListeners();
    performance.clearMeasures(MATRIX_DRAW_MEASURE);
  }

  #drawPath(
    ctx: CanvasRenderingContext2D,
    w: number,
    h: number,
    x0: number,
    x1: number,
    y0: number,
    y1: number,
  ): void {
    const p = this.#path;
    const n = p.scoreTime.length;
    if (n === 0) return;
    const hop = p.hopSeconds;
    const f0 = Math.max(0, Math.floor(x0 / hop) - 1);
    const f1 = Math.min(n - 1, Math.ceil(x1 / hop) + 1);
    // about two points per pixel column: a 60-minute path is 155k frames
    const step = Math.max(1, Math.floor((f1 - f0) / (w * 2)));
    const sx = w / (x1 - x0);
    const sy = h / (y1 - y0);
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    let jumpIdx = 0;
    while (jumpIdx < p.jumpFrames.length && p.jumpFrames[jumpIdx] <= f0) jumpIdx++;
    let bucket = -1;
    let open = false;
    let lastX = 0;
    let lastY = 0;
    for (let f = f0; f <= f1; f += step) {
      let breakHere = false;
      // a jump inside (f - step, f]: end the stroke, start a new one at the jump frame
      if (jumpIdx < p.jumpFrames.length && p.jumpFrames[jumpIdx] <= f) {
        f = p.jumpFrames[jumpIdx];
        while (jumpIdx < p.jumpFrames.length && p.jumpFrames[jumpIdx] <= f) jumpIdx++;
        breakHere = true;
      }
      let conf = 0;
      for (let k = f; k < Math.min(n, f + step); k++) conf += p.confidence[k];
      conf /= Math.min(step, n - f);
      const b = Math.min(
        CONFIDENCE_COLOURS.length - 1,
        Math.max(0, Math.floor(conf * CONFIDENCE_COLOURS.length)),
      );
      const x = (f * hop - x0) * sx;
      const y = h - (p.scoreTime[f] - y0) * sy;
      if (breakHere || b !== bucket) {
        if (open) {
          if (!breakHere) ctx.lineTo(x, y);
          ctx.stroke();
        }
        ctx.strokeStyle = CONFIDENCE_COLOURS[b];
        ctx.beginPath();
        ctx.moveTo(breakHere || !open ? x : lastX, breakHere || !open ? y : lastY);
        bucket = b;
        open = true;
      }
      ctx.lineTo(x, y);
      lastX = x;
      lastY = y;
    }
    if (open) ctx.stroke();
  }

  /** Axis captions with the visible range (seconds) along the bottom and the left edge. */
  #drawAxes(
    ctx: CanvasRenderingContext2D,
    w: number,
    h: number,
    x0: number,
    x1: number,
    y0: number,
    y1: number,
  ): void {
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = 'rgba(255,255,255,0.75)';
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    ctx.fillText(`performance ${x0.toFixed(1)}–${x1.toFixed(1)} s →`, 6, h - 4);
    ctx.save();
    ctx.translate(14, h - 24);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(`score ${y0.toFixed(1)}–${y1.toFixed(1)} s →`, 0, 0);
    ctx.restore();
  }

  /** The path's point at the playhead, as fractions of the matrix (0..1 along each axis). */
  #playheadFractions(): { fx: number; fy: number } {
    const st = this.#path.scoreTime.length ? scoreTimeAt(this.#path, this.#time) : 0;
    return { fx: this.#time / this.#perf, fy: st / this.#score };
  }

  /** The path's point at the playhead in canvas CSS px (may lie outside the canvas). */
  #playheadPoint(): { x: number; y: number } {
    const { w, h } = this.#size();
    const { fx, fy } = this.#playheadFractions();
    const half = 0.5 / this.#vp.zoom;
    return {
      x: ((fx - this.#vp.cx + half) / (2 * half)) * w,
      y: (1 - (fy - this.#vp.cy + half) / (2 * half)) * h,
    };
  }

  #keepPlayheadInView(): void {
    if (!this.#follow) return;
    const { fx, fy } = this.#playheadFractions();
    const next = followViewport(this.#vp, fx, fy);
    if (next !== this.#vp) this.#setAndEmit(next);
  }

  #size(): { w: number; h: number } {
    return { w: Math.max(1, this.#canvas.clientWidth), h: Math.max(1, this.#canvas.clientHeight) };
  }

  #visible(): { x0: number; x1: number; y0: number; y1: number } {
    const { zoom, cx, cy } = this.#vp;
    const sx = 1 / zoom;
    return {
      x0: (cx - sx / 2) * this.#perf,
      x1: (cx + sx / 2) * this.#perf,
      y0: (cy - sx / 2) * this.#score,
      y1: (cy + sx / 2) * this.#score,
    };
  }

  #toData(x: number, y: number): { perfSeconds: number; scoreSeconds: number } {
    const { w, h } = this.#size();
    const { x0, x1, y0, y1 } = this.#visible();
    return { perfSeconds: x0 + (x / w) * (x1 - x0), scoreSeconds: y1 - (y / h) * (y1 - y0) };
  }

  #setAndEmit(vp: MatrixViewport): void {
    this.#vp = clampViewport(vp);
    this.requestDraw();
    this.emit('viewport', this.#vp);
  }

  #listen(): void {
    const c = this.#canvas;
    const local = (e: MouseEvent) => {
      const r = c.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const on = <K extends keyof HTMLElementEventMap>(
      target: HTMLElement | Window,
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      opts?: AddEventListenerOptions,
    ) => this.#unsubs.push(listen(target, type, fn, opts));
    on(
      c,
      'wheel',
      (e) => {
        e.preventDefault();
        const { x, y } = local(e);
        // Shift+wheel or a sideways trackpad swipe pans; a wheel or a pinch (Ctrl+wheel) zooms
        if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          this.panBy(-(e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX), 0);
          return;
        }
        this.zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), x, y);
      },
      { passive: false },
    );
    on(c, 'pointerdown', (e) => {
      if (e.button !== 0) return;
      this.#pointers.set(e.pointerId, local(e));
      c.setPointerCapture?.(e.pointerId);
      if (this.#pointers.size === 2) {
        // a second finger: pinch, not drag
        this.#drag = null;
        this.#pinch = { dist: pointerSpread(this.#pointers) };
        return;
      }
      this.#drag = { x: e.clientX, y: e.clientY, cx: this.#vp.cx, cy: this.#vp.cy, moved: false };
    });
    on(c, 'pointermove', (e) => {
      if (this.#pointers.has(e.pointerId)) this.#pointers.set(e.pointerId, local(e));
      if (this.#pinch && this.#pointers.size === 2) {
        const dist = pointerSpread(this.#pointers);
        const [a, b] = [...this.#pointers.values()];
        if (this.#pinch.dist > 0 && dist > 0)
          this.zoomAt(dist / this.#pinch.dist, (a.x + b.x) / 2, (a.y + b.y) / 2);
        this.#pinch.dist = dist;
        return;
      }
      const d = this.#drag;
      if (d) {
        const dx = e.clientX - d.x;
        const dy = e.clientY - d.y;
        if (!d.moved && Math.abs(dx) + Math.abs(dy) > 3) {
          d.moved = true;
          this.setFollow(false);
        }
        if (d.moved) {
          const { w, h } = this.#size();
          const z = this.#vp.zoom;
          this.#setAndEmit({ zoom: z, cx: d.cx - dx / w / z, cy: d.cy + dy / h / z });
        }
      }
      const { x, y } = local(e);
      this.emit('hover', { x, y, ...this.#toData(x, y) });
    });
    const release = (e: PointerEvent, click: boolean) => {
      this.#pointers.delete(e.pointerId);
      if (this.#pinch) {
        if (this.#pointers.size < 2) this.#pinch = null;
        this.#drag = null;
        return;
      }
      const d = this.#drag;
      this.#drag = null;
      if (click && d && !d.moved) {
        const { x, y } = local(e);
        this.emit('seek', Math.min(this.#perf, Math.max(0, this.#toData(x, y).perfSeconds)));
      }
    };
    on(c, 'pointerup', (e) => release(e, true));
    on(c, 'pointercancel', (e) => release(e, false));
    on(c, 'pointerleave', () => this.emit('hover', null));
  }
}

/** Part of the window's width and height at each edge that the followed playhead stays out of. */
export const FOLLOW_MARGIN = 0.1;

/**
 * The viewport that keeps the point (`fx`, `fy`) (fractions of the matrix) in view: unchanged
 * (the same object) while the point is inside the window less `FOLLOW_MARGIN` at each edge, else
 * re-centred along that axis so the point sits a third in from the side playback comes from, with
 * the rest of the window ahead of it (a page turn, not a scroll every frame).
 */
export function followViewport(vp: MatrixViewport, fx: number, fy: number): MatrixViewport {
  const span = 1 / vp.zoom;
  const inside = (p: number, c: number) => Math.abs(p - c) <= span * (0.5 - FOLLOW_MARGIN);
  const okX = inside(fx, vp.cx);
  const okY = inside(fy, vp.cy);
  if (okX && okY) return vp;
  const ahead = span * (0.5 - 1 / 3);
  const next = clampViewport({
    zoom: vp.zoom,
    cx: okX ? vp.cx : fx + ahead,
    cy: okY ? vp.cy : fy + ahead,
  });
  return next.cx === vp.cx && next.cy === vp.cy ? vp : next;
}

function pointerSpread(points: Map<number, { x: number; y: number }>): number {
  const [a, b] = [...points.values()];
  return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
}

/** Keeps the visible window inside the matrix. */
export function clampViewport(vp: MatrixViewport): MatrixViewport {
  const zoom = Math.min(MATRIX_MAX_ZOOM, Math.max(1, Number.isFinite(vp.zoom) ? vp.zoom : 1));
  const half = 0.5 / zoom;
  const clamp = (v: number) => Math.min(1 - half, Math.max(half, Number.isFinite(v) ? v : 0.5));
  return { zoom, cx: clamp(vp.cx), cy: clamp(vp.cy) };
}

function toImage(m: MatrixImage): HTMLCanvasElement | null {
  if (m.width <= 0 || m.height <= 0 || m.pixels.length < m.width * m.height) return null;
  const canvas = document.createElement('canvas');
  canvas.width = m.width;
  canvas.height = m.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const img = ctx.createImageData(m.width, m.height);
  for (let row = 0; row < m.height; row++) {
    // row 0 is the score start: draw it at the bottom
    const dst = (m.height - 1 - row) * m.width;
    const src = row * m.width;
    for (let col = 0; col < m.width; col++) {
      const v = m.pixels[src + col]; // 255 = most similar: bright
      const o = (dst + col) * 4;
      img.data[o] = v * 0.55;
      img.data[o + 1] = v * 0.65;
      img.data[o + 2] = v * 0.85;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
