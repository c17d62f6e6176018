import { OpenSheetMusicDisplay } from 'opensheetmusicdisplay';
import type { Score, ScoreMeasure } from '../../../shared/score';
import { Emitter } from '../lib/emitter';
import { measureAt } from '../lib/timeline';

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
}

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
    const onClick = (e: MouseEvent) => view.#onClick(e);
    opts.container.addEventListener('click', onClick);
    view.#unsubs.push(() => opts.container.removeEventListener('click', onClick));
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

  /** Moves the cursor to the note sounding at `scoreSeconds` and scrolls it into view. */
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
    const el = this.#osmd.cursor.cursorElement;
    const box = this.#container;
    if (!el) return;
    // the cursor's offsets are relative to OSMD's page element inside the scroll box
    const page =
      el.offsetParent instanceof HTMLElement && box.contains(el.offsetParent) ? el.offsetParent : box;
    const top = el.offsetTop + (page === box ? 0 : page.offsetTop);
    const left = el.offsetLeft + (page === box ? 0 : page.offsetLeft);
    const h = el.offsetHeight;
    const next = { top: box.scrollTop, left: box.scrollLeft };
    if (top < box.scrollTop || top + h > box.scrollTop + box.clientHeight)
      next.top = Math.max(0, top - box.clientHeight * 0.25);
    if (left < box.scrollLeft || left > box.scrollLeft + box.clientWidth - 20)
      next.left = Math.max(0, left - box.clientWidth * 0.3);
    if (next.top !== box.scrollTop || next.left !== box.scrollLeft) box.scrollTo(next);
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
