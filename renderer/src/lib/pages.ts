/**
 * The Pages view's model: page layouts in words, and, for an engraving linked to the score
 * (`linkEngraving`), where a score time is on the pages (page, measure box, note head) and which
 * score times a measure starts at (one per pass), for a click to play from there.
 */
import type { Score } from '../../../shared/score';
import type { EngravedMeasure, EngravedNote, Engraving, PageLayout } from '../../../shared/pages/model';
import { playedMeasureAt } from '../../../shared/pages/model';

/** Paper sizes of the Pages view, in verovio's units at scale 100 (10 px a millimetre). */
export const PAPER = {
  a4: { label: 'A4', width: 2100, height: 2970 },
  letter: { label: 'Letter', width: 2159, height: 2794 },
} as const;
/** One of `PAPER`'s keys. */
export type Paper = keyof typeof PAPER;

/** Notation sizes offered, percent. */
export const NOTATION_SIZES = [70, 100, 130, 160, 200] as const;

/** The layout of `paper` with notation at `sizePercent`: larger notation, fewer bars a page, the same page pixels. */
export function pageLayoutFor(paper: Paper, sizePercent: number): PageLayout {
  const p = PAPER[paper];
  return {
    pageWidth: Math.round((p.width * 100) / sizePercent),
    pageHeight: Math.round((p.height * 100) / sizePercent),
    scale: Math.round(sizePercent),
  };
}

/** Where a score time is on the pages. */
export interface PagePosition {
  /** 1-based page number. */
  page: number;
  measure: EngravedMeasure;
  /** The head of the latest note begun in the measure, where it has one on the page. */
  note?: EngravedNote;
}

/** An engraving linked to its score, indexed for lookups by score time. */
export class PagesIndex {
  readonly #engraving: Engraving;
  readonly #score: Score;
  /** Engraved measure of each played measure (index into `Score.measures`), -1 where none. */
  readonly #measureOfPlayed: Int32Array;
  readonly #noteHeads: Map<string, EngravedNote>;

  constructor(engraving: Engraving, score: Score) {
    this.#engraving = engraving;
    this.#score = score;
    this.#measureOfPlayed = new Int32Array(score.measures.length).fill(-1);
    engraving.measures.forEach((m, i) => {
      for (const k of m.passes) if (k < this.#measureOfPlayed.length) this.#measureOfPlayed[k] = i;
    });
    this.#noteHeads = new Map(engraving.notes.map((n) => [n.id, n]));
  }

  /** The engraving. */
  get engraving(): Engraving {
    return this.#engraving;
  }

  /** Number of pages. */
  get pageCount(): number {
    return this.#engraving.pages.length;
  }

  /** The measure (and note) played at score time `t`, or null before the first measure. */
  positionAt(t: number): PagePosition | null {
    const k = playedMeasureAt(this.#score, t);
    if (k < 0) return null;
    const i = this.#measureOfPlayed[k];
    if (i < 0) return null;
    const measure = this.#engraving.measures[i];
    const notes = this.#score.notes;
    let lo = 0;
    let hi = notes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (notes[mid].onset <= t + 1e-6) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let note: EngravedNote | undefined;
    for (let j = found; j >= 0 && notes[j].measure === k; j--) {
      const id = notes[j].elementId;
      const head = id !== undefined ? this.#noteHeads.get(id) : undefined;
      if (head) {
        note = head;
        break;
      }
    }
    return note ? { page: measure.page, measure, note } : { page: measure.page, measure };
  }

  /** Score seconds at which each pass through `measure` starts. */
  startsOf(measure: EngravedMeasure): number[] {
    return measure.passes.map((k) => this.#score.measures[k].start);
  }
}

/**
 * Indexes (into `Engraving.measures`, notated order) of printed bars `first`..`last`: the first
 * measure numbered `first`, and the first numbered `last` at or after it; null when either is missing.
 */
export function measureRange(
  measures: readonly Pick<EngravedMeasure, 'number'>[],
  first: string,
  last: string,
): [number, number] | null {
  const a = measures.findIndex((m) => m.number === first);
  if (a < 0) return null;
  const b = measures.findIndex((m, i) => i >= a && m.number === last);
  return b < 0 ? null : [a, b];
}

/** Printed bars `first-last` (or `n` for one bar) of measures `a`..`b` in either order, as typed bars are written. */
export function barsText(measures: readonly Pick<EngravedMeasure, 'number'>[], a: number, b: number): string {
  const [i, j] = a <= b ? [a, b] : [b, a];
  return i === j ? measures[i].number : `${measures[i].number}-${measures[j].number}`;
}
