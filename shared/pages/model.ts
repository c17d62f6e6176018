/**
 * Engraved pages as data: the page layout, the pages with the boxes of their systems, measures
 * and notes, and the link from each notated measure to its passes in played order. Pure, no
 * verovio: the renderer imports it too.
 */
import type { Score } from '../score.js';
import type { Box } from './svg.js';

export type { Box } from './svg.js';

/** Why pages could not be made. */
export type PagesErrorCode = 'not-engraved' | 'render-failed' | 'mismatch' | 'invalid-options';

/** Pages that could not be made; the message says what was expected and what came. */
export class PagesError extends Error {
  /** Machine-readable reason. */
  readonly code: PagesErrorCode;
  constructor(code: PagesErrorCode, message: string) {
    super(message);
    this.name = 'PagesError';
    this.code = code;
  }
}

/** Page layout, in verovio's units (pixels at scale 100: 2100 × 2970 is A4 at 10 px/mm). */
export interface PageLayout {
  /** Page width before scaling, 300..10000 (default 2100). */
  pageWidth: number;
  /** Page height before scaling, 300..10000 (default 2970). */
  pageHeight: number;
  /** Size of the engraving in percent, 10..400 (default 100): larger notation, so fewer measures a page. */
  scale: number;
}

/** A4 portrait at verovio's default size. */
export const DEFAULT_PAGE_LAYOUT: PageLayout = { pageWidth: 2100, pageHeight: 2970, scale: 100 };

/** Limits of `PageLayout`'s fields (inclusive). */
export const PAGE_LAYOUT_LIMITS = {
  pageWidth: [300, 10000],
  pageHeight: [300, 10000],
  scale: [10, 400],
} as const satisfies Record<keyof PageLayout, readonly [number, number]>;

/** One engraved page. */
export interface EngravedPage {
  /** 1-based page number. */
  index: number;
  /** The page as SVG (no script; bounding-box helpers removed; root viewBox in page pixels). */
  svg: string;
  /** Page width in pixels. */
  width: number;
  /** Page height in pixels. */
  height: number;
}

/** One notated measure on its page. */
export interface EngravedMeasure {
  /** The notated measure's element id (`ScoreMeasure.elementId` without the pass suffix). */
  id: string;
  /** Printed number. */
  number: string;
  /** 1-based page number. */
  page: number;
  /** Index into `Engraving.systems`. */
  system: number;
  /** The measure's staves, in page pixels. */
  box: Box;
  /** Indexes into `Score.measures` (played order) of the passes through this measure, ascending. */
  passes: number[];
}

/** One note head on its page. */
export interface EngravedNote {
  /** The note's element id (`ScoreNote.elementId`). */
  id: string;
  /** The id of its measure. */
  measure: string;
  page: number;
  box: Box;
}

/** The engraved score. */
export interface Engraving {
  layout: PageLayout;
  pages: EngravedPage[];
  /** Systems in reading order. */
  systems: { page: number; box: Box }[];
  /** Notated measures in reading order. */
  measures: EngravedMeasure[];
  notes: EngravedNote[];
  /** The notated measure id of each measure in played order (repeats unfolded), as verovio plays the score. */
  playedOrder: string[];
}

/** Checks a layout against `PAGE_LAYOUT_LIMITS` (throws `PagesError` 'invalid-options'). */
export function checkPageLayout(layout: PageLayout): PageLayout {
  for (const key of Object.keys(PAGE_LAYOUT_LIMITS) as (keyof PageLayout)[]) {
    const [lo, hi] = PAGE_LAYOUT_LIMITS[key];
    const v = layout[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
      throw new PagesError(
        'invalid-options',
        `page layout: expected ${key} in [${lo}, ${hi}], got ${String(v)}`,
      );
    }
  }
  return {
    pageWidth: Math.round(layout.pageWidth),
    pageHeight: Math.round(layout.pageHeight),
    scale: layout.scale,
  };
}

/**
 * Checks that the engraving and the engine's score (loaded from the same file) agree on the
 * played order: the same number of measures, each pass the same notated measure. Fills in
 * printed numbers the SVG did not carry. Throws `PagesError` 'mismatch' otherwise.
 */
export function linkEngraving(engraving: Engraving, score: Score, name: string): Engraving {
  const played = engraving.playedOrder;
  if (played.length !== score.measures.length) {
    throw new PagesError(
      'mismatch',
      `${name}: expected the engraving to play ${score.measures.length} measures as the score does, it plays ${played.length}`,
    );
  }
  score.measures.forEach((m, i) => {
    if (m.elementId !== undefined && m.elementId !== played[i]) {
      throw new PagesError(
        'mismatch',
        `${name}: measure ${i + 1} in played order is ${m.elementId} (bar ${m.number}) in the score, ${played[i]} in the engraving`,
      );
    }
  });
  return {
    ...engraving,
    measures: engraving.measures.map((m) =>
      m.number !== '' || m.passes.length === 0 ? m : { ...m, number: score.measures[m.passes[0]].number },
    ),
  };
}

/** The measure on a page at a point (page pixels), or undefined. */
export function measureAt(
  engraving: Engraving,
  page: number,
  x: number,
  y: number,
): EngravedMeasure | undefined {
  return engraving.measures.find(
    (m) =>
      m.page === page &&
      x >= m.box[0] &&
      x <= m.box[0] + m.box[2] &&
      y >= m.box[1] &&
      y <= m.box[1] + m.box[3],
  );
}

/** The index (into `Score.measures`) of the played measure sounding at score time `t`, or -1 before the first. */
export function playedMeasureAt(score: Score, t: number): number {
  const ms = score.measures;
  let lo = 0;
  let hi = ms.length - 1;
  if (ms.length === 0 || t < ms[0].start) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ms[mid].start <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
