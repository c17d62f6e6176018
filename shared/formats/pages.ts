/**
 * The pages export: the engraved pages of the score (their image files, written beside the JSON
 * by the caller) and, for every notated measure, its box on its page and the performance times at
 * which each pass through it starts, by the same path query as the JSON export's measures
 * (`passTimesOfScoreTime`). The same document describes scanned pages (`scanPagesJson`): the
 * boxes the detector found and the linker tied to the score's measures. Pure: the images' names
 * come in, the document goes out.
 */
import type { AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import type { Box, Engraving } from '../pages/model.js';
import type { LinkedScanMeasure, ScanDetection } from '../pages/scan/model.js';
import type { ExportMeta, InputRef } from './common.js';
import { passTimesOfScoreTime } from './common.js';

/** Format tag of the pages JSON. */
export const PAGES_FORMAT = 'accord-pages';
/** Version of the pages JSON layout. */
export const PAGES_VERSION = 1;

/** One page image. */
export interface PagesJsonPage {
  /** 1-based page number. */
  index: number;
  /** File name of the page image, beside the JSON. */
  image: string;
  /** Image width in pixels (boxes are in these pixels). */
  width: number;
  /** Image height in pixels. */
  height: number;
}

/** One notated measure with its box and times. */
export interface PagesJsonMeasure {
  /** Printed measure number. */
  number: string;
  /** The measure's element id in the score. */
  id: string;
  /** Page number (`pages[].index`). */
  page: number;
  /** Index into `systems`. */
  system: number;
  /** `[x, y, width, height]` in page pixels, origin top left: the measure's staves. */
  box: Box;
  /** Score seconds at which each pass through the measure starts (repeats unfolded), ascending. */
  scoreTimes: number[];
  /** Performance seconds at which the recording plays the measure's start: one per pass, ascending. */
  perfTimes: number[];
}

/** The pages JSON document. */
export interface PagesJson {
  format: typeof PAGES_FORMAT;
  version: typeof PAGES_VERSION;
  inputs: { audio: InputRef; score: InputRef };
  pages: PagesJsonPage[];
  /** Systems in reading order, each the union of its measures' boxes. */
  systems: { page: number; box: Box }[];
  /** Notated measures in reading order. */
  measures: PagesJsonMeasure[];
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * Builds the pages document for an engraving linked to `score` (`linkEngraving`), the path
 * aligned against that score, and `images[i]`, the file name of page i + 1.
 */
export function toPagesJson(
  engraving: Engraving,
  path: AlignmentPath,
  score: Score,
  meta: ExportMeta,
  images: string[],
): PagesJson {
  if (images.length !== engraving.pages.length) {
    throw new Error(`pages export: expected ${engraving.pages.length} image names, got ${images.length}`);
  }
  return {
    format: PAGES_FORMAT,
    version: PAGES_VERSION,
    inputs: { audio: { ...meta.audio }, score: { ...meta.score } },
    pages: engraving.pages.map((p, i) => ({
      index: p.index,
      image: images[i],
      width: p.width,
      height: p.height,
    })),
    systems: engraving.systems.map((s) => ({ page: s.page, box: s.box })),
    measures: engraving.measures.map((m) => ({
      number: m.number,
      id: m.id,
      page: m.page,
      system: m.system,
      box: m.box,
      ...passTimes(path, score, m.passes, `measure ${m.id}`),
    })),
  };
}

/** Score seconds (rounded) and performance seconds of every pass of the measures `passes` index. */
function passTimes(path: AlignmentPath, score: Score, passes: readonly number[], what: string) {
  const starts = passes.map((p) => {
    const measure = score.measures[p];
    if (!measure) throw new Error(`pages export: pass ${p} of ${what} is not a measure of the score`);
    return measure.start;
  });
  return {
    scoreTimes: starts.map(r6),
    perfTimes: starts
      .flatMap((s) => passTimesOfScoreTime(path, s))
      .sort((a, b) => a - b)
      .map(r6),
  };
}

/**
 * Builds the pages document for scanned pages: `detections` (pages in order, their systems),
 * the measure boxes linked to `score`'s notated measures (`linkScanMeasures`), the path aligned
 * against that score and `images[i]`, the file name of page i + 1. Every linked box is one entry,
 * with the times of its measure (a box that also covers the next measures, where a bar line was
 * missed, has the first one's; two boxes of one measure each have its times); unlinked boxes are
 * left out (`unlinked` counts them).
 */
export function scanPagesJson(
  detections: readonly ScanDetection[],
  linked: readonly LinkedScanMeasure[],
  path: AlignmentPath,
  score: Score,
  meta: ExportMeta,
  images: string[],
): { doc: PagesJson; unlinked: number } {
  if (images.length !== detections.length) {
    throw new Error(`pages export: expected ${detections.length} image names, got ${images.length}`);
  }
  const systems: { page: number; box: Box }[] = [];
  const firstSystem = new Map<number, number>();
  for (const d of detections) {
    firstSystem.set(d.page, systems.length);
    for (const s of d.systems) systems.push({ page: d.page, box: s.box });
  }
  const measures: PagesJsonMeasure[] = [];
  let unlinked = 0;
  for (const m of linked) {
    if (m.number === null || m.passes.length === 0) {
      unlinked++;
      continue;
    }
    const first = score.measures[m.passes[0]];
    measures.push({
      number: m.number,
      id: first?.elementId ?? m.number,
      page: m.page,
      system: (firstSystem.get(m.page) ?? 0) + m.system,
      box: m.box,
      ...passTimes(path, score, m.passes, `measure ${m.number}`),
    });
  }
  return {
    doc: {
      format: PAGES_FORMAT,
      version: PAGES_VERSION,
      inputs: { audio: { ...meta.audio }, score: { ...meta.score } },
      pages: detections.map((d, i) => ({
        index: d.page,
        image: images[i],
        width: d.width,
        height: d.height,
      })),
      systems,
      measures,
    },
    unlinked,
  };
}

/** The pages JSON text (one page, system or measure per line). */
export function writePagesJson(doc: PagesJson): string {
  const { pages, systems, measures, ...rest } = doc;
  let text = JSON.stringify({ ...rest, pages: [], systems: [], measures: [] }, null, 2);
  const rows: [string, unknown[]][] = [
    ['pages', pages],
    ['systems', systems],
    ['measures', measures],
  ];
  for (const [key, list] of rows) {
    const body = list.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
    text = text.replace(`"${key}": []`, list.length > 0 ? `"${key}": [\n${body}\n  ]` : `"${key}": []`);
  }
  return text + '\n';
}
