/**
 * The evaluation CSV (`../shared/method.md`): header `perf_time,score_time,confidence`, one
 * row per frame sorted by perf time. Times carry 4 decimals (0.1 ms): rounding moves a value
 * by at most 0.05 ms, under 1/400 of a 23.2 ms frame and 1/1000 of the scorer's 50 ms margin.
 * A jump is the last frame before it and the first after it as two consecutive rows; a step
 * inside a pass that the scorer would read as a jump gets bridge rows (`pathToRows`).
 */
import type { AlignmentPath } from '../path.js';
import { isScorerJump, pathToRows } from '../path.js';
import type { PathRow } from './common.js';
import { FormatError, fixed, parseNumber, rowsToPath, textLines } from './common.js';

/** Decimals of the time columns. */
export const CSV_TIME_DECIMALS = 4;

/** Writes the dense path as the evaluation CSV. */
export function writeCsv(path: AlignmentPath): string {
  const out = ['perf_time,score_time,confidence'];
  for (const r of pathToRows(path)) {
    const confidence = path.confidence[r.frame] ?? 1;
    out.push(
      `${fixed(r.perfTime, CSV_TIME_DECIMALS)},${fixed(r.scoreTime, CSV_TIME_DECIMALS)},${fixed(confidence, 3)}`,
    );
  }
  return out.join('\n') + '\n';
}

/**
 * Reads a `perf_time,score_time[,confidence]` CSV (columns by header, extra columns ignored;
 * `,`, `;` or TAB separate) into a dense path at `hopSeconds`. Jumps are where consecutive
 * rows break the scorer's continuity rule.
 */
export function readCsv(data: string, hopSeconds: number): AlignmentPath {
  const lines = textLines(data);
  if (lines.length === 0)
    throw new FormatError('csv', 0, 'expected a header `perf_time,score_time`, got an empty file');
  const split = (line: string): string[] =>
    line.split(/[,;\t]/).map((c) => c.trim().replace(/^["']|["']$/g, ''));
  const header = split(lines[0]).map((c) => c.toLowerCase());
  const ip = header.indexOf('perf_time');
  const iq = header.indexOf('score_time');
  const ic = header.indexOf('confidence');
  if (ip < 0 || iq < 0) {
    throw new FormatError(
      'csv',
      1,
      `expected a header with columns perf_time and score_time, got "${lines[0]}"`,
    );
  }
  const rows: PathRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = split(lines[i]);
    const perf = parseNumber(cells[ip] ?? '');
    const score = parseNumber(cells[iq] ?? '');
    if (perf === undefined || score === undefined) {
      throw new FormatError('csv', i + 1, `expected numbers in perf_time and score_time, got "${lines[i]}"`);
    }
    let confidence = 1;
    if (ic >= 0 && (cells[ic] ?? '') !== '') {
      const c = parseNumber(cells[ic]);
      if (c === undefined || c < 0 || c > 1) {
        throw new FormatError('csv', i + 1, `expected a confidence between 0 and 1, got "${cells[ic]}"`);
      }
      confidence = c;
    }
    if (rows.length > 0 && perf < rows[rows.length - 1].perf) {
      throw new FormatError(
        'csv',
        i + 1,
        `expected rows sorted by perf_time, got ${perf} after ${rows[rows.length - 1].perf}`,
      );
    }
    rows.push({ perf, score, confidence });
  }
  if (rows.length === 0)
    throw new FormatError('csv', 0, 'expected at least one data row after the header, got none');
  const jump = (k: number): boolean =>
    isScorerJump(rows[k].perf, rows[k].score, rows[k + 1].perf, rows[k + 1].score);
  return rowsToPath(rows, hopSeconds, jump, 'import');
}
