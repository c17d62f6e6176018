/**
 * Scanned pages as data (issue 11, route 2): a page image, the staff systems and measure boxes
 * found on it, and the link from each box to a notated measure of the score. Pure: the
 * detector (`detect.ts`), the app's scan service and the renderer all read these types.
 */
import type { Box } from '../svg.js';

export type { Box } from '../svg.js';

/** A grayscale page: `data[y · width + x]`, 0 = black ink, 255 = white paper. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One staff system found on a page. */
export interface ScanSystem {
  /** Box of the system in page pixels (left bar line to right end, top line to bottom line of its staves). */
  box: Box;
  /** Number of five-line staves in the system (2 for a piano grand staff). */
  staves: number;
  /** y of every staff line of the system, top to bottom (5 per staff), in page pixels. */
  staffLines: number[];
}

/** One measure box found on a page (or placed or moved by the user). */
export interface ScanMeasureBox {
  /** 1-based page number. */
  page: number;
  /** 0-based index of its system on the page, top to bottom. */
  system: number;
  /** Box in page pixels; spans the system's staves, from one bar line to the next. */
  box: Box;
}

/** What the detector found on one page. */
export interface ScanDetection {
  /** 1-based page number. */
  page: number;
  width: number;
  height: number;
  /** The page's estimated rotation in degrees (positive: clockwise); boxes are in the unrotated page's pixels. */
  skewDegrees: number;
  /** Systems top to bottom. */
  systems: ScanSystem[];
  /** Measure boxes in reading order (system by system, left to right). */
  measures: ScanMeasureBox[];
}

/** A measure box linked to a notated measure of the score (the user may re-link it). */
export interface LinkedScanMeasure extends ScanMeasureBox {
  /** The notated measure's printed number (`ScoreMeasure.number`), or null while unlinked. */
  number: string | null;
  /** Indices into `Score.measures` (played order) of every pass through this notated measure. */
  passes: number[];
  /**
   * The notated measures after `number` that this box also covers, in order, where the linker
   * judged a bar line missing (one box, two or three measures); absent when it covers one.
   */
  alsoCovers?: { number: string; passes: number[] }[];
}
