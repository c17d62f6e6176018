/**
 * ASAP-style beat annotations (`../shared/corpora/asap/README.md`): `time<TAB>time<TAB>label`,
 * one line per performed beat in performance order, label `db`/`b` (`bR` read too) followed
 * by `,<time signature>` where it changes and `,<key>` where the key changes.
 *
 * ASAP's plain format pairs line i with score beat i, so it can say "skipped" (ASAP's own
 * convention: the unplayed beats as a run of lines a few ms apart, which this writer uses) but
 * not "played again". When a path goes back in the score, this writer adds a 4th column with
 * each beat's `bar.beat` label; the reader maps such lines by label (as it does Audacity
 * `bar.beat` labels). Readers that take three columns are unaffected.
 */
import type { AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import type { PathRow, PerformedBeat } from './common.js';
import { FormatError, fixed, performedBeats, rowsToPath, textLines } from './common.js';

/** Spacing of the lines that mark skipped beats, seconds (ASAP: "a few ms apart"). */
export const ASAP_SKIP_SPACING_S = 0.001;
/** Beat intervals shorter than this (s) mark unplayed beats in ASAP annotations (ASAP README: < 50 ms). */
export const UNPLAYED_GAP_SECONDS = 0.05;

/** The effective key of every score beat (carried forward in played order). */
function beatKeys(score: Score): (number | undefined)[] {
  let key: number | undefined;
  return score.beats.map((b) => (key = b.key ?? key));
}

/** Writes the performed beats as ASAP annotations. */
export function writeAsap(path: AlignmentPath, score: Score): string {
  const played = performedBeats(path, score);
  const goesBack = played.some((b, i) => i > 0 && b.beat <= played[i - 1].beat);
  const lines: { time: number; beat: number }[] = [];
  let prev = -1;
  for (const p of played) {
    if (!goesBack && p.beat > prev + 1) {
      const skipped = p.beat - prev - 1;
      for (let j = 0; j < skipped; j++) {
        lines.push({ time: p.perfTime - (skipped - j) * ASAP_SKIP_SPACING_S, beat: prev + 1 + j });
      }
    }
    lines.push({ time: p.perfTime, beat: p.beat });
    prev = p.beat;
  }
  const keys = beatKeys(score);
  let lastTs: string | undefined;
  let lastKey: number | undefined;
  const out = lines.map(({ time, beat }) => {
    const b = score.beats[beat];
    const parts = [b.downbeat ? 'db' : 'b'];
    let ts = '';
    if (b.downbeat) {
      const m = score.measures[b.measure];
      const sig = m ? `${m.timeSignature[0]}/${m.timeSignature[1]}` : b.timeSignature;
      if (sig !== undefined && sig !== lastTs) ts = lastTs = sig;
    }
    const key = keys[beat];
    const keyText = key !== undefined && key !== lastKey ? String(key) : '';
    if (keyText !== '') lastKey = key;
    if (ts !== '' || keyText !== '') parts.push(ts);
    if (keyText !== '') parts.push(keyText);
    const t = fixed(time, 6);
    return `${t}\t${t}\t${parts.join(',')}` + (goesBack ? `\t${b.label}` : '');
  });
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

/** Score beat index for each `bar.beat` label; labels of a repeated passage have several. */
function labelIndex(score: Score): Map<string, number[]> {
  const m = new Map<string, number[]>();
  score.beats.forEach((b, i) => {
    const list = m.get(b.label);
    if (list) list.push(i);
    else m.set(b.label, [i]);
  });
  return m;
}

/**
 * Reads ASAP annotations (or Audacity `bar.beat` labels) into a dense path at `hopSeconds`.
 * With `scoreAnnotations` (ASAP's `midi_score_annotations.txt`) line i pairs with its line i,
 * as ASAP defines; else plain lines pair with `score.beats` in order. Runs of lines closer
 * than `UNPLAYED_GAP_SECONDS` are unplayed beats (a skip);
 * `bar.beat` labels pick the occurrence nearest the previous beat's successor. A new pass
 * starts wherever a beat is not the score successor of the previous one.
 */
export function readAsap(
  data: string,
  score: Score,
  hopSeconds: number,
  scoreAnnotations?: string,
): AlignmentPath {
  const recs = parseLines(data, 'asap');
  if (scoreAnnotations !== undefined) {
    // ASAP's own pairing: line i of the performance file is line i of the score's file.
    const ref = parseLines(scoreAnnotations, 'asap score annotations').map((r) => r.time);
    if (recs.length !== ref.length) {
      throw new FormatError(
        'asap',
        0,
        `expected as many lines as the score annotations (${ref.length}), got ${recs.length}`,
      );
    }
    const last = ref.length - 1;
    const grid: BeatGrid = {
      times: ref,
      end: (i) => (i < last ? ref[i + 1] : ref[last] + (last > 0 ? ref[last] - ref[last - 1] : 0)),
    };
    return beatsToPath(orderedBeats(recs), grid, hopSeconds);
  }
  if (score.beats.length === 0)
    throw new FormatError('asap', 0, 'expected a score with beats, got one with none');
  const grid: BeatGrid = { times: score.beats.map((b) => b.time), end: (i) => beatEnd(score, i) };
  const byLabel = recs.some((r) => r.position !== undefined);
  if (!byLabel) {
    if (recs.length > score.beats.length) {
      throw new FormatError(
        'asap',
        recs[score.beats.length].line,
        `expected at most ${score.beats.length} lines (one per score beat, in order), got ${recs.length}; a performance that goes back needs bar.beat positions`,
      );
    }
    return beatsToPath(orderedBeats(recs), grid, hopSeconds);
  }
  const beats: PerformedBeat[] = [];
  const index = labelIndex(score);
  let prev = -1;
  for (const r of recs) {
    if (r.position === undefined)
      throw new FormatError('asap', r.line, 'expected a bar.beat position like the other lines, got none');
    const cands = index.get(r.position);
    if (!cands)
      throw new FormatError('asap', r.line, `expected a beat label of the score, got "${r.position}"`);
    const want = prev + 1;
    const beat = cands.reduce((best, c) => (Math.abs(c - want) < Math.abs(best - want) ? c : best), cands[0]);
    beats.push({ perfTime: r.time, beat, segment: 0 });
    prev = beat;
  }
  return beatsToPath(beats, grid, hopSeconds);
}

/** One parsed annotation line. */
interface AsapLine {
  line: number;
  time: number;
  kind: string;
  position?: string;
}

/** Beats paired with reference beats in order; lines of a run closer than `UNPLAYED_GAP_SECONDS` are unplayed. */
function orderedBeats(recs: AsapLine[]): PerformedBeat[] {
  const beats: PerformedBeat[] = [];
  recs.forEach((r, i) => {
    const unplayed = i + 1 < recs.length && recs[i + 1].time - r.time < UNPLAYED_GAP_SECONDS;
    if (!unplayed) beats.push({ perfTime: r.time, beat: i, segment: 0 });
  });
  return beats;
}

/**
 * The times (first column, seconds) of ASAP annotation lines, in file order: the beats of a
 * performance or of a score (`midi_score_annotations.txt`); `what` names the file in errors.
 */
export function readAsapTimes(data: string, what: string): number[] {
  return parseLines(data, what).map((r) => r.time);
}

function parseLines(data: string, what: string): AsapLine[] {
  const lines = textLines(data);
  const recs: AsapLine[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const cells = text.split('\t');
    const time = Number(cells[0]);
    if (cells.length < 3 || cells[0].trim() === '' || !Number.isFinite(time)) {
      throw new FormatError(what, i + 1, `expected "time<TAB>time<TAB>label", got "${text}"`);
    }
    if (recs.length > 0 && time < recs[recs.length - 1].time) {
      throw new FormatError(
        what,
        i + 1,
        `expected times in performance order, got ${time} after ${recs[recs.length - 1].time}`,
      );
    }
    const label = cells[2].trim();
    const kind = label.split(',')[0];
    const position =
      cells.length > 3 && cells[3].trim() !== ''
        ? cells[3].trim()
        : /^\d+\.\d+$/.test(label)
          ? label
          : undefined;
    if (position === undefined && kind !== 'db' && kind !== 'b' && kind !== 'bR') {
      throw new FormatError(
        what,
        i + 1,
        `expected a label starting with db, b or bR (or a bar.beat label), got "${label}"`,
      );
    }
    recs.push({ line: i + 1, time, kind, position });
  });
  if (recs.length === 0) throw new FormatError(what, 0, 'expected at least one beat line, got none');
  return recs;
}

/** Score seconds per performance second over the beat interval k → k+1. */
function rate(beats: PerformedBeat[], grid: BeatGrid, k: number): number {
  const dt = beats[k + 1].perfTime - beats[k].perfTime;
  const ds = grid.times[beats[k + 1].beat] - grid.times[beats[k].beat];
  return dt > 0 && ds > 0 ? ds / dt : NaN;
}

/** Score times of the reference beats and where each ends. */
export interface BeatGrid {
  /** Score seconds of beat i. */
  times: number[];
  /** Score seconds where beat i ends. */
  end: (i: number) => number;
}

/** End of score beat `i`: the next beat, or the end of its measure / the score. */
function beatEnd(score: Score, i: number): number {
  if (i + 1 < score.beats.length) return score.beats[i + 1].time;
  const m = score.measures[score.beats[i].measure];
  return m ? m.end : score.duration;
}

/**
 * Dense path through beats in performance order: linear inside a pass; the last beat of a
 * pass goes on at the pass's last tempo (up to the end of that beat) until the next pass starts.
 */
export function beatsToPath(beats: PerformedBeat[], grid: BeatGrid, hopSeconds: number): AlignmentPath {
  if (beats.length === 0) throw new Error('an alignment needs at least one beat, got none');
  const cont = (k: number): boolean => beats[k + 1].beat === beats[k].beat + 1;
  const rates = beats
    .slice(0, -1)
    .map((_, k) => (cont(k) ? rate(beats, grid, k) : NaN))
    .filter((r) => r > 0);
  const median = rates.length > 0 ? [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] : 1;
  const rows: PathRow[] = [];
  const jumpAfter: boolean[] = [];
  const lastRate = (k: number): number =>
    k > 0 && cont(k - 1) && rate(beats, grid, k - 1) > 0 ? rate(beats, grid, k - 1) : median;
  for (let k = 0; k < beats.length; k++) {
    const b = beats[k];
    const s = grid.times[b.beat];
    rows.push({ perf: b.perfTime, score: s, confidence: 1 });
    const endOfPass = k + 1 >= beats.length || !cont(k);
    if (!endOfPass) {
      jumpAfter.push(false);
      continue;
    }
    const r = lastRate(k);
    const end = grid.end(b.beat);
    if (k + 1 < beats.length) {
      // Hold the pass's tempo until just before the next pass starts.
      const tNext = beats[k + 1].perfTime;
      const tEnd = Math.max(b.perfTime, tNext - 1e-6);
      const tReach = b.perfTime + (end - s) / r;
      if (tReach < tEnd) {
        // The beat ends before the next pass starts: reach its end, then hold.
        jumpAfter.push(false);
        rows.push({ perf: tReach, score: end, confidence: 1 });
      }
      jumpAfter.push(false);
      rows.push({ perf: tEnd, score: Math.min(end, s + (tEnd - b.perfTime) * r), confidence: 1 });
      jumpAfter.push(true);
    } else if (end > s) {
      jumpAfter.push(false);
      rows.push({ perf: b.perfTime + (end - s) / r, score: end, confidence: 1 });
    }
  }
  return rowsToPath(rows, hopSeconds, (k) => jumpAfter[k] === true, 'import');
}
