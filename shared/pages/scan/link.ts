/**
 * Links the measure boxes found on scanned pages to the score's notated measures, in reading
 * order (issue 11, route 2). Pure.
 */
import type { Score } from '../../score.js';
import type { LinkedScanMeasure, ScanDetection } from './model.js';

/** A notated measure of a score and the indices (into `Score.measures`, played order) of its passes. */
export interface NotatedMeasure {
  /** `ScoreMeasure.elementId` where the score has ids, else its printed number. */
  key: string;
  /** Printed number. */
  number: string;
  passes: number[];
}

/**
 * The score's notated measures in the order they are first played (which is the order they are
 * printed: repeats and jumps only revisit measures already met), each with all its passes. A
 * measure is identified by its `elementId` where present, else by its printed number.
 */
export function notatedMeasures(score: Score): NotatedMeasure[] {
  const byKey = new Map<string, NotatedMeasure>();
  const out: NotatedMeasure[] = [];
  score.measures.forEach((m, i) => {
    const key = m.elementId ?? `#${m.number}`;
    let n = byKey.get(key);
    if (!n) {
      n = { key, number: m.number, passes: [] };
      byKey.set(key, n);
      out.push(n);
    }
    n.passes.push(i);
  });
  return out;
}

/**
 * Links the boxes of `detections` (pages in page order, each page's boxes in reading order) one
 * by one to the score's notated measures. Where the counts differ, a warning says so (expected N
 * notated measures, found M boxes) and the surplus boxes stay unlinked (`number` null, no passes).
 */
export function linkScanMeasures(
  detections: ScanDetection[],
  score: Score,
): { measures: LinkedScanMeasure[]; warnings: string[] } {
  const notated = notatedMeasures(score);
  const boxes = [...detections].sort((a, b) => a.page - b.page).flatMap((d) => d.measures);
  const measures: LinkedScanMeasure[] = boxes.map((b, i) => {
    const n = notated[i];
    return {
      page: b.page,
      system: b.system,
      box: [...b.box],
      number: n ? n.number : null,
      passes: n ? [...n.passes] : [],
    };
  });
  const warnings: string[] = [];
  if (boxes.length !== notated.length) {
    const pages = detections.length;
    const head = `expected ${notated.length} notated measures (the score's), found ${boxes.length} measure boxes on ${pages} page${pages === 1 ? '' : 's'}`;
    if (boxes.length > notated.length) {
      const first = boxes[notated.length];
      warnings.push(
        `${head}: the last ${boxes.length - notated.length} boxes (from page ${first.page}, system ${first.system + 1}) are not linked`,
      );
    } else {
      const missing = notated.slice(boxes.length);
      warnings.push(
        `${head}: measures ${missing[0].number}${missing.length > 1 ? `–${missing[missing.length - 1].number}` : ''} (${missing.length}) have no box`,
      );
    }
  }
  return { measures, warnings };
}
