/** Typed bar ranges (`12-16`, `12–16`, `12`) → score seconds → the performance seconds where they are played. */
import type { AlignmentPath } from '../../../shared/path';
import { segments } from '../../../shared/path';
import type { Score } from '../../../shared/score';
import { perfTimeInSegment } from '../../../shared/formats/common';

/** A range of printed bars resolved in the score's played order. */
export interface BarRange {
  /** Printed number of the first bar. */
  first: string;
  /** Printed number of the last bar. */
  last: string;
  /** Score seconds where the first bar starts. */
  startScore: number;
  /** Score seconds where the last bar ends. */
  endScore: number;
}

/** What `parseBarRange` returns: the range, or a message for the user. */
export type BarRangeResult = { ok: true; range: BarRange } | { ok: false; error: string };

const RANGE = /^\s*(\d+[a-z]?)\s*(?:(?:-|–|—|\.\.|to)\s*(\d+[a-z]?)\s*)?$/i;

/**
 * Parses `text` as printed bars of `score`: `12-16` (hyphen, en or em dash, `..` or `to`) or one
 * bar `12`. The first bar is its first occurrence in played order, the last bar the first
 * occurrence of it at or after the first.
 */
export function parseBarRange(score: Pick<Score, 'measures'>, text: string): BarRangeResult {
  const ms = score.measures;
  if (ms.length === 0) return { ok: false, error: 'This score has no bars.' };
  const span = `bars ${ms[0].number}–${ms[ms.length - 1].number}`;
  const m = RANGE.exec(text);
  if (!m) {
    const shown = text.trim() === '' ? 'nothing' : `“${text.trim()}”`;
    return { ok: false, error: `Expected bars as first–last (e.g. 2-4) or one bar (e.g. 3), got ${shown}.` };
  }
  const first = m[1];
  const last = m[2] ?? m[1];
  const i = ms.findIndex((x) => x.number === first);
  if (i < 0) return { ok: false, error: `This score has no bar ${first} (${span}).` };
  const j = ms.findIndex((x, k) => k >= i && x.number === last);
  if (j < 0) {
    if (ms.some((x) => x.number === last))
      return { ok: false, error: `Bar ${last} comes before bar ${first}: type the first bar first.` };
    return { ok: false, error: `This score has no bar ${last} (${span}).` };
  }
  return { ok: true, range: { first, last, startScore: ms[i].start, endScore: ms[j].end } };
}

/** Performance seconds [start, end) of one pass through a score range. */
export interface PerfRange {
  startSeconds: number;
  endSeconds: number;
}

/**
 * Where the performance plays score seconds [startScore, endScore): every pass (path segment)
 * that plays the start and moves on to the end, the one starting nearest `nearSeconds` first.
 * The end of a pass that stops inside the range is the end of that pass.
 */
export function perfRangesOf(
  path: AlignmentPath,
  startScore: number,
  endScore: number,
  nearSeconds = 0,
): PerfRange[] {
  const segs = segments(path);
  const out: PerfRange[] = [];
  segs.forEach((seg, i) => {
    const isLast = i === segs.length - 1;
    const a = perfTimeInSegment(path, seg, startScore, isLast);
    if (a === undefined) return;
    const b = perfTimeInSegment(path, seg, endScore, isLast) ?? seg.endFrame * path.hopSeconds;
    if (b > a) out.push({ startSeconds: a, endSeconds: b });
  });
  return out.sort((x, y) => Math.abs(x.startSeconds - nearSeconds) - Math.abs(y.startSeconds - nearSeconds));
}

/** First and last printed bar of a loop's `bars` (`12-16` → ['12', '16'], `12` → ['12', '12']); null for none. */
export function splitBars(bars: string | undefined): [first: string, last: string] | null {
  const m = bars ? /^(\S+?)(?:-(\S+))?$/.exec(bars) : null;
  return m ? [m[1], m[2] ?? m[1]] : null;
}
