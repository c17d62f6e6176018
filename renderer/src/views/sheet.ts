import { OpenSheetMusicDisplay } from 'opensheetmusicdisplay';
import type { Score, ScoreMeasure } from '../../../shared/score';
import { Emitter } from '../lib/emitter';
import { listen } from '../lib/listen';
import { measureAt } from '../lib/timeline';
import { boxAt, followScrollTop, systemIndexAt, systemsOf } from '../lib/sheetLayout';
import type { Box, Span } from '../lib/sheetLayout';

/** Performance-timeline mark set when the sheet is rendered and indexed (read by e2e/bench.ts). */
export const SHEET_DRAWN_MARK = 'accord:sheet-drawn';

/** Options of the sheet-music view. */
export interface SheetOptions {
  /** Scrollable element the sheet is drawn into. */
  container: HTMLElement;
  /** MusicXML text. */
  xml: string;
  /** The parsed score (played-order measures with printed numbers, score times). */
  score: Score;
}

/** Events of the sheet-music view. */
export interface SheetEvents {
  /** The user clicked a note; `scoreSeconds` holds its score time in every pass (repeats). */
  noteClick: [scoreSeconds: number[]];
  /** The user dragged across bars `first` to `last` (printed numbers, in notated order). */
  barRange: [first: string, last: string];
  /** Following playback turned on or off (off: the user scrolled the sheet). */
  follow: [on: boolean];
}

/** Keys that scroll a focused sheet (the user looking elsewhere). */
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown']);

/** One position the OSMD cursor can stand on. */
interface Stop {
  /** OSMD source-measure index. */
  measure: number;
  /** Offset inside the measure, whole notes. */
  offsetWhole: number;
  /** Cursor box inside the cursor's offset parent, CSS px. */
  x: number;
  y: number;
  h: number;
}

/**
 * Sheet music (OpenSheetMusicDisplay) with a cursor on the note being played.
 * Score time → played measure (from the score) → printed measure → OSMD cursor stop.
 */
export class SheetView extends Emitter<SheetEvents> {
  #osmd: OpenSheetMusicDisplay;
  #score: Score;
  #container: HTMLElement;
  #stops: Stop[] = [];
  #stopsByMeasure = new Map<number, number[]>();
  /** printed measure number → OSMD source-measure index */
  #osmdIndexByNumber = new Map<string, number>();
  #cursorIndex = 0;
  #unsubs: (() => void)[] = [];
  #destroyed = false;
  #systems: Span[] = [];
  /** Last OSMD measure index on each system. */
  #lastMeasureOfSystem: number[] = [];
  /** Box of each OSMD source measure (all staves), in the cursor's page coordinates. */
  #measureBoxes: (Box | null)[] = [];
  #followOn = true;
  #drag: { from: number; to: number; moved: boolean } | null = null;
  #suppressClick = false;
  #highlight: [number, number] | null = null;
  #layer: HTMLDivElement | null = null;

  private constructor(opts: SheetOptions) {
    super();
    this.#container = opts.container;
    this.#score = opts.score;
    this.#osmd = new OpenSheetMusicDisplay(opts.container, {
      autoResize: false,
      backend: 'svg',
      drawTitle: true,
      drawingParameters: 'compacttight',
      followCursor: false,
    });
  }

  /** Loads and renders `opts.xml`; rejects with a readable message when OSMD cannot read it. */
  static async create(opts: SheetOptions): Promise<SheetView> {
    const view = new SheetView(opts);
    try {
      await view.#osmd.load(opts.xml);
    } catch (e) {
      throw new Error(`Sheet music could not be displayed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (view.#destroyed) return view;
    view.#osmd.render();
    view.#index();
    performance.mark(SHEET_DRAWN_MARK);
    view.#listen();
    return view;
  }

  /** Number of cursor stops (0 when the sheet has no notes). */
  get stopCount(): number {
    return this.#stops.length;
  }

  /** Index of the stop the cursor stands on. */
  get cursorIndex(): number {
    return this.#cursorIndex;
  }

  /** Whether the sheet scrolls with playback. */
  get follow(): boolean {
    return this.#followOn;
  }

  /** Turns following playback on (scrolling to the cursor at once) or off; emits `follow` on a change. */
  setFollow(on: boolean): void {
    if (on === this.#followOn) return;
    this.#followOn = on;
    if (on) this.#follow();
    this.emit('follow', on);
  }

  /** Marks printed bars `first`..`last` (notated order) on the sheet, or clears the mark with null. */
  highlightBars(range: [first: string, last: string] | null): void {
    const a = range ? this.#osmdIndexByNumber.get(range[0]) : undefined;
    const b = range ? this.#osmdIndexByNumber.get(range[1]) : undefined;
    this.#highlight = a !== undefined && b !== undefined ? [Math.min(a, b), Math.max(a, b)] : null;
    this.#drawHighlight(this.#highlight);
  }

  /** Moves the cursor to the note sounding at `scoreSeconds` and, while following, scrolls it into view. */
  showScoreTime(scoreSeconds: number): void {
    const k = this.#stopAt(scoreSeconds);
    if (k < 0) return;
    this.#moveCursorTo(k);
    this.#follow();
  }

  /** Re-lays out the sheet after the container was resized. */
  relayout(): void {
    const k = this.#cursorIndex;
    this.#osmd.render();
    this.#index();
    this.#moveCursorTo(k);
    this.#follow();
    this.#drawHighlight(this.#highlight);
  }

  /** Removes the sheet and every listener. */
  destroy(): void {
    this.#destroyed = true;
    for (const fn of this.#unsubs.splice(0)) fn();
    this.clearListeners();
    try {
      this.#osmd.clear();
    } catch {
      // OSMD throws when nothing was loaded: nothing to clear then
    }
    this.#container.replaceChildren();
  }

  #index(): void {
    const osmd = this.#osmd;
    const measures = osmd.Sheet.SourceMeasures;
    this.#osmdIndexByNumber.clear();
    measures.forEach((m, i) => {
      const key = String(m.MeasureNumber);
      if (!this.#osmdIndexByNumber.has(key)) this.#osmdIndexByNumber.set(key, i);
    });
    const cursor = osmd.cursor;
    cursor.show();
    cursor.reset();
    this.#stops = [];
    this.#stopsByMeasure.clear();
    const seen = new Set<string>();
    for (let guard = 0; !cursor.iterator.EndReached && guard < 200_000; guard++) {
      const it = cursor.iterator;
      const measure = it.CurrentMeasureIndex;
      const sm = measures[measure];
      const offsetWhole = sm ? it.CurrentSourceTimestamp.RealValue - sm.AbsoluteTimestamp.RealValue : 0;
      const key = `${measure}:${offsetWhole.toFixed(6)}`;
      if (!seen.has(key)) {
        seen.add(key);
        const el = cursor.cursorElement;
        const stop: Stop = {
          measure,
          offsetWhole,
          x: parseFloat(el.style.left) || 0,
          y: parseFloat(el.style.top) || 0,
          h: parseFloat(el.style.height) || el.height || 0,
        };
        const list = this.#stopsByMeasure.get(measure) ?? [];
        list.push(this.#stops.length);
        this.#stopsByMeasure.set(measure, list);
        this.#stops.push(stop);
      }
      cursor.next();
    }
    cursor.reset();
    this.#cursorIndex = 0;
    this.#systems = systemsOf(this.#stops);
    this.#lastMeasureOfSystem = this.#systems.map(() => -1);
    for (const st of this.#stops) {
      const k = systemIndexAt(this.#systems, st.y);
      if (k >= 0) this.#lastMeasureOfSystem[k] = Math.max(this.#lastMeasureOfSystem[k], st.measure);
    }
    this.#measureBoxes = this.#boxesOfMeasures();
  }

  /** Each source measure's box over all its staves, CSS px in the page (OSMD units are 10 px at zoom 1). */
  #boxesOfMeasures(): (Box | null)[] {
    const unit = 10 * this.#osmd.zoom;
    const list = this.#osmd.GraphicSheet.MeasureList;
    return this.#osmd.Sheet.SourceMeasures.map((_, i) => {
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      for (const gm of list[i] ?? []) {
        const p = gm?.PositionAndShape;
        if (!p) continue;
        x0 = Math.min(x0, p.AbsolutePosition.x);
        y0 = Math.min(y0, p.AbsolutePosition.y);
        x1 = Math.max(x1, p.AbsolutePosition.x + p.Size.width);
        y1 = Math.max(y1, p.AbsolutePosition.y + p.Size.height);
      }
      return Number.isFinite(x0 + y0 + x1 + y1)
        ? { x: x0 * unit, y: y0 * unit, w: (x1 - x0) * unit, h: (y1 - y0) * unit }
        : null;
    });
  }

  #osmdMeasureOf(m: ScoreMeasure): number {
    const i =
      this.#osmdIndexByNumber.get(m.number) ?? this.#osmdIndexByNumber.get(String(parseInt(m.number, 10)));
    if (i !== undefined) return i;
    return Math.min(m.index, this.#osmd.Sheet.SourceMeasures.length - 1);
  }

  #stopAt(scoreSeconds: number): number {
    const m = measureAt(this.#score, scoreSeconds);
    if (!m || this.#stops.length === 0) return -1;
    const om = this.#osmdMeasureOf(m);
    const sm = this.#osmd.Sheet.SourceMeasures[om];
    const list = this.#stopsByMeasure.get(om);
    if (!sm || !list?.length) return this.#nearestStopBefore(om);
    const frac = m.end > m.start ? (scoreSeconds - m.start) / (m.end - m.start) : 0;
    const offset = frac * sm.Duration.RealValue + 1e-6;
    let best = list[0];
    for (const k of list) if (this.#stops[k].offsetWhole <= offset) best = k;
    return best;
  }

  #nearestStopBefore(osmdMeasure: number): number {
    for (let m = osmdMeasure; m >= 0; m--) {
      const list = this.#stopsByMeasure.get(m);
      if (list?.length) return list[list.length - 1];
    }
    return 0;
  }

  #moveCursorTo(k: number): void {
    if (k === this.#cursorIndex) return;
    const target = this.#stops[k];
    if (!target) return;
    const cursor = this.#osmd.cursor;
    // step the iterator without redrawing (forward first, then from the start), then draw once
    if (!this.#seekForward(target) && (cursor.resetIterator(), !this.#atStop(target)))
      this.#seekForward(target);
    this.#cursorIndex = k;
    cursor.update();
  }

  #atStop(s: Stop): boolean {
    const it = this.#osmd.cursor.iterator;
    const sm = this.#osmd.Sheet.SourceMeasures[it.CurrentMeasureIndex];
    const off = sm ? it.CurrentSourceTimestamp.RealValue - sm.AbsoluteTimestamp.RealValue : 0;
    return it.CurrentMeasureIndex === s.measure && Math.abs(off - s.offsetWhole) < 1e-6;
  }

  #seekForward(s: Stop): boolean {
    const it = this.#osmd.cursor.iterator;
    while (!it.EndReached) {
      it.moveToNextVisibleVoiceEntry(false);
      if (this.#atStop(s)) return true;
    }
    return false;
  }

  #follow(): void {
    if (!this.#followOn) return;
    const el = this.#osmd.cursor.cursorElement;
    const box = this.#container;
    const stop = this.#stops[this.#cursorIndex];
    if (!el || !stop) return;
    // the cursor's offsets are relative to OSMD's page element inside the scroll box
    const page =
      el.offsetParent instanceof HTMLElement && box.contains(el.offsetParent) ? el.offsetParent : box;
    const pageTop = page === box ? 0 : page.offsetTop;
    const left = el.offsetLeft + (page === box ? 0 : page.offsetLeft);
    const k = systemIndexAt(this.#systems, stop.y);
    const onPage = (sp: Span): Span => ({ top: sp.top + pageTop, bottom: sp.bottom + pageTop });
    const current = onPage(this.#systems[k] ?? { top: stop.y, bottom: stop.y + stop.h });
    const next = k >= 0 && k + 1 < this.#systems.length ? onPage(this.#systems[k + 1]) : null;
    const next2 = {
      top: followScrollTop({
        scrollTop: box.scrollTop,
        viewHeight: box.clientHeight,
        current,
        next,
        lastBar: k >= 0 && stop.measure === this.#lastMeasureOfSystem[k],
      }),
      left: box.scrollLeft,
    };
    if (left < box.scrollLeft || left > box.scrollLeft + box.clientWidth - 20)
      next2.left = Math.max(0, left - box.clientWidth * 0.3);
    if (next2.top !== box.scrollTop || next2.left !== box.scrollLeft) box.scrollTo(next2);
  }

  #listen(): void {
    const box = this.#container;
    const on = <K extends keyof HTMLElementEventMap>(
      type: K,
      fn: (e: HTMLElementEventMap[K]) => void,
      opts?: AddEventListenerOptions,
    ) => this.#unsubs.push(listen(box, type, fn, opts));
    on('click', (e) => {
      if (this.#suppressClick) {
        this.#suppressClick = false;
        return;
      }
      this.#onClick(e);
    });
    // the user scrolling the sheet (wheel, touch, keys, its scrollbar) stops following
    const away = () => this.setFollow(false);
    on('wheel', away, { passive: true });
    on('touchmove', away, { passive: true });
    on('keydown', (e) => {
      if (SCROLL_KEYS.has(e.key)) away();
    });
    on('pointerdown', (e) => {
      if (e.target === box) {
        away(); // the scroll box itself: its scrollbar
        return;
      }
      if (e.button !== 0) return;
      const i = this.#measureAtEvent(e);
      this.#suppressClick = false;
      this.#drag = i >= 0 ? { from: i, to: i, moved: false } : null;
    });
    on('pointermove', (e) => {
      const d = this.#drag;
      if (!d || (e.buttons & 1) === 0) return;
      const i = this.#measureAtEvent(e);
      if (i < 0 || i === d.to) return;
      d.to = i;
      if (i !== d.from) d.moved = true;
      if (d.moved) this.#drawHighlight([Math.min(d.from, d.to), Math.max(d.from, d.to)]);
    });
    const end = (e: PointerEvent, done: boolean) => {
      const d = this.#drag;
      this.#drag = null;
      if (!d?.moved) return;
      this.#suppressClick = e.type === 'pointerup';
      this.#drawHighlight(this.#highlight);
      if (!done) return;
      const [a, b] = [Math.min(d.from, d.to), Math.max(d.from, d.to)];
      const ms = this.#osmd.Sheet.SourceMeasures;
      this.emit('barRange', String(ms[a].MeasureNumber), String(ms[b].MeasureNumber));
    };
    on('pointerup', (e) => end(e, true));
    on('pointercancel', (e) => end(e, false));
  }

  /** The OSMD measure under a pointer event, -1 when none. */
  #measureAtEvent(e: MouseEvent): number {
    const page = this.#osmd.cursor.cursorElement?.parentElement;
    if (!page) return -1;
    const r = page.getBoundingClientRect();
    return boxAt(this.#measureBoxes, e.clientX - r.left, e.clientY - r.top);
  }

  /** Draws translucent boxes over OSMD measures `range[0]`..`range[1]` (none for null). */
  #drawHighlight(range: [number, number] | null): void {
    const page = this.#osmd.cursor.cursorElement?.parentElement;
    if (!range || !page) {
      this.#layer?.replaceChildren();
      return;
    }
    if (!this.#layer || this.#layer.parentElement !== page) {
      this.#layer?.remove();
      this.#layer = document.createElement('div');
      this.#layer.dataset.testid = 'bar-selection';
      this.#layer.className = 'bar-selection';
      page.append(this.#layer);
    }
    const rects: HTMLElement[] = [];
    for (let i = range[0]; i <= range[1]; i++) {
      const b = this.#measureBoxes[i];
      if (!b) continue;
      const r = document.createElement('div');
      r.dataset.measure = String(this.#osmd.Sheet.SourceMeasures[i].MeasureNumber);
      Object.assign(r.style, {
        position: 'absolute',
        left: `${b.x}px`,
        top: `${b.y - 12}px`,
        width: `${b.w}px`,
        height: `${b.h + 24}px`,
        pointerEvents: 'none',
      });
      rects.push(r);
    }
    this.#layer.replaceChildren(...rects);
  }

  #onClick(e: MouseEvent): void {
    const parent = this.#osmd.cursor.cursorElement?.offsetParent;
    if (!(parent instanceof HTMLElement) || this.#stops.length === 0) return;
    // cursor boxes are in the offset parent's content coordinates (it may be the scrolling box)
    const rect = parent.getBoundingClientRect();
    const x = e.clientX - rect.left - parent.clientLeft + parent.scrollLeft;
    const y = e.clientY - rect.top - parent.clientTop + parent.scrollTop;
    let best = -1;
    let bestCost = Infinity;
    this.#stops.forEach((s, k) => {
      const dy = y < s.y ? s.y - y : y > s.y + s.h ? y - (s.y + s.h) : 0;
      const cost = Math.abs(x - s.x) + dy * 4;
      if (cost < bestCost) {
        bestCost = cost;
        best = k;
      }
    });
    if (best < 0 || bestCost > 80) return;
    const stop = this.#stops[best];
    const sm = this.#osmd.Sheet.SourceMeasures[stop.measure];
    const frac = sm && sm.Duration.RealValue > 0 ? stop.offsetWhole / sm.Duration.RealValue : 0;
    const times = this.#score.measures
      .filter((m) => this.#osmdMeasureOf(m) === stop.measure)
      .map((m) => m.start + frac * (m.end - m.start));
    if (times.length > 0) this.emit('noteClick', times);
  }
}
