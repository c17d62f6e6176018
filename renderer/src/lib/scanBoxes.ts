/**
 * The scan side of the Pages view: where a score time is on the scanned pages (the box linked to
 * the played measure), and the maths of dragging a measure box (move, or resize by an edge or a
 * corner) and nudging it with the keyboard, kept inside its page.
 */
import type { Score } from '../../../shared/score';
import type { Box } from '../../../shared/pages/model';
import { playedMeasureAt } from '../../../shared/pages/model';
import type { ScanBox, ScanState } from '../../../shared/ipc';

/** What a drag takes hold of: the whole box, or an edge / corner (compass points). */
export type DragHandle = 'move' | 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';

/** Every resize handle, for drawing them. */
export const RESIZE_HANDLES = [
  'n',
  's',
  'e',
  'w',
  'ne',
  'nw',
  'se',
  'sw',
] as const satisfies readonly DragHandle[];

/** Smallest box side a resize leaves, page pixels. */
export const MIN_BOX_SIDE = 8;

/** A page's size in pixels. */
export interface PageSize {
  width: number;
  height: number;
}

/** The point of a handle on `box` (page pixels). */
export function handlePoint(box: Box, handle: DragHandle): [number, number] {
  const [x, y, w, h] = box;
  const hx = handle.includes('w') ? x : handle.includes('e') ? x + w : x + w / 2;
  const hy = handle.includes('n') ? y : handle.includes('s') ? y + h : y + h / 2;
  return [hx, hy];
}

/**
 * `start` dragged by `dx`, `dy` page pixels at `handle`: a move keeps the size and stays on the
 * page; a resize moves only the held edges, never past the page's edge nor below `MIN_BOX_SIDE`
 * (the other edges stay where they are).
 */
export function dragBox(start: Box, handle: DragHandle, dx: number, dy: number, page: PageSize): Box {
  let [x0, y0] = [start[0], start[1]];
  let [x1, y1] = [start[0] + start[2], start[1] + start[3]];
  if (handle === 'move') {
    const x = clamp(x0 + dx, 0, page.width - start[2]);
    const y = clamp(y0 + dy, 0, page.height - start[3]);
    return [x, y, start[2], start[3]];
  }
  if (handle.includes('w')) x0 = clamp(x0 + dx, 0, x1 - MIN_BOX_SIDE);
  if (handle.includes('e')) x1 = clamp(x1 + dx, x0 + MIN_BOX_SIDE, page.width);
  if (handle.includes('n')) y0 = clamp(y0 + dy, 0, y1 - MIN_BOX_SIDE);
  if (handle.includes('s')) y1 = clamp(y1 + dy, y0 + MIN_BOX_SIDE, page.height);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** The move an arrow key makes (`step` pixels; with Shift, ten times as far); null for another key. */
export function nudgeFor(key: string, shift: boolean, step = 1): [number, number] | null {
  const d = shift ? 10 * step : step;
  switch (key) {
    case 'ArrowLeft':
      return [-d, 0];
    case 'ArrowRight':
      return [d, 0];
    case 'ArrowUp':
      return [0, -d];
    case 'ArrowDown':
      return [0, d];
    default:
      return null;
  }
}

/** True when two boxes differ by more than a tenth of a pixel on some side. */
export function boxChanged(a: Box, b: Box): boolean {
  return a.some((v, i) => Math.abs(v - b[i]) > 0.1);
}

/** `box` rounded to whole pixels (what a drag saves). */
export function roundBox(box: Box): Box {
  return [Math.round(box[0]), Math.round(box[1]), Math.round(box[2]), Math.round(box[3])];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A project's scan indexed for lookups by score time. */
export class ScanIndex {
  readonly #state: ScanState;
  readonly #score: Score;
  /** Box (index into `state.boxes`) of each played measure, -1 where none. */
  readonly #boxOfPlayed: Int32Array;

  constructor(state: ScanState, score: Score) {
    this.#state = state;
    this.#score = score;
    this.#boxOfPlayed = new Int32Array(score.measures.length).fill(-1);
    state.boxes.forEach((b, i) => {
      for (const k of b.passes)
        if (k < this.#boxOfPlayed.length && this.#boxOfPlayed[k] < 0) this.#boxOfPlayed[k] = i;
    });
  }

  /** The scan. */
  get state(): ScanState {
    return this.#state;
  }

  /** Number of pages. */
  get pageCount(): number {
    return this.#state.pages.length;
  }

  /** The box linked to the measure played at score time `t` (the first, when several are), or null. */
  boxAt(t: number): ScanBox | null {
    const k = playedMeasureAt(this.#score, t);
    if (k < 0) return null;
    const i = this.#boxOfPlayed[k];
    return i < 0 ? null : this.#state.boxes[i];
  }

  /** Score seconds at which each pass through `box`'s measure starts. */
  startsOf(box: ScanBox): number[] {
    return box.passes.map((k) => this.#score.measures[k].start);
  }
}
