/**
 * The links between a scan's measure boxes and the score's notated measures as the editor keeps
 * them after the user's edits: boxes in reading order, linking them in that order, and the warnings
 * when boxes and measures do not add up. Pure: the scan service and the renderer both use it.
 */
import type { LinkedScanMeasure, ScanMeasureBox } from './model.js';
import type { NotatedMeasure } from './link.js';

/** A notated measure as the links need it: its printed number and its passes (`link.ts` `NotatedMeasure`). */
export type NotatedMeasureRef = Pick<NotatedMeasure, 'number' | 'passes'>;

/** Boxes in reading order: page, then system, then left to right. */
export function readingOrder<T extends ScanMeasureBox>(boxes: readonly T[]): T[] {
  return [...boxes].sort((a, b) => a.page - b.page || a.system - b.system || a.box[0] - b.box[0]);
}

/** The passes of the notated measure printed `number` (all measures so printed), empty when none is. */
export function passesOf(measures: readonly NotatedMeasureRef[], number: string | null): number[] {
  if (number === null) return [];
  return measures.filter((m) => m.number === number).flatMap((m) => m.passes);
}

/** Box `i` of `boxes` (reading order) linked to notated measure `i`; boxes past the last measure stay unlinked. */
export function linkInOrder(
  boxes: readonly ScanMeasureBox[],
  measures: readonly NotatedMeasureRef[],
): LinkedScanMeasure[] {
  return readingOrder(boxes).map((b, i) =>
    i < measures.length
      ? { ...b, number: measures[i].number, passes: [...measures[i].passes] }
      : { ...b, number: null, passes: [] },
  );
}

/** Lists at most `max` items, then how many more. */
function list(items: string[], max = 8): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/**
 * What the user should resolve about the links, in words: a count mismatch between boxes and
 * notated measures, measures no box is linked to, boxes linked to no measure, and measures linked
 * from more than one box. Empty when every measure has exactly one box.
 */
export function linkWarnings(
  boxes: readonly Pick<LinkedScanMeasure, 'number' | 'page'>[],
  measures: readonly NotatedMeasureRef[],
): string[] {
  if (boxes.length === 0) return [];
  const out: string[] = [];
  if (boxes.length !== measures.length)
    out.push(
      `The scan has ${boxes.length} measure box${boxes.length === 1 ? '' : 'es'}, the score ${measures.length} measure${measures.length === 1 ? '' : 's'}: add, remove or re-link boxes so that each measure has one.`,
    );
  const count = new Map<string, number>();
  for (const b of boxes) if (b.number !== null) count.set(b.number, (count.get(b.number) ?? 0) + 1);
  const missing = measures.filter((m) => !count.has(m.number)).map((m) => m.number);
  if (missing.length > 0) out.push(`No box for measure${missing.length === 1 ? '' : 's'} ${list(missing)}.`);
  const unlinked = boxes.filter((b) => b.number === null).length;
  if (unlinked > 0) out.push(`${unlinked} box${unlinked === 1 ? ' is' : 'es are'} linked to no measure.`);
  const twice = [...count].filter(([, n]) => n > 1).map(([k]) => k);
  if (twice.length > 0)
    out.push(`More than one box for measure${twice.length === 1 ? '' : 's'} ${list(twice)}.`);
  return out;
}
