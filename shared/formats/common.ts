/**
 * Shared pieces of the alignment formats: the format names, export metadata, the beat-level
 * path queries the writers need (score → perf per pass, performed beats) and the
 * rows → dense-path resampling the readers need.
 */
import type { AlignMethod, AlignmentPath } from '../path.js';
import { segments } from '../path.js';
import type { Score } from '../score.js';

/** Formats an alignment can be written to. */
export type ExportFormat = 'csv' | 'json' | 'asap' | 'audacity' | 'svl' | 'midi';

/** Formats an alignment can be read from. */
export type ImportFormat = 'csv' | 'json' | 'asap';

/** A file the alignment was made from. */
export interface InputRef {
  /** File name (no folders). */
  name: string;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
}

/** What the writers record besides the path (only `json` uses it). */
export interface ExportMeta {
  /** The performance recording. */
  audio: InputRef;
  /** The score file. */
  score: InputRef;
}

/** A reader's complaint about its input, with the 1-based line it is about (0: the whole file). */
export class FormatError extends Error {
  /** 1-based line number of the offending line, 0 when not about one line. */
  readonly line: number;
  constructor(format: string, line: number, message: string) {
    super(line > 0 ? `${format}, line ${line}: ${message}` : `${format}: ${message}`);
    this.name = 'FormatError';
    this.line = line;
  }
}

/** One row of a path as the text formats carry it. */
export interface PathRow {
  /** Performance seconds. */
  perf: number;
  /** Score seconds. */
  score: number;
  /** Confidence 0..1. */
  confidence: number;
}

/** A score beat as performed: one per beat per pass. */
export interface PerformedBeat {
  /** Performance seconds. */
  perfTime: number;
  /** Index into `Score.beats`. */
  beat: number;
  /** Index of the path segment (pass) it was played in. */
  segment: number;
}

/**
 * Performance time at which segment `seg` plays score time `s`, or undefined where it does not:
 * where the pass first moves on past `s`. A hold at `s` is a wait before it (leading silence, a
 * breath before a landing), so `s` sounds where the hold ends; a pass that stops at `s` plays
 * it on arrival. A segment's first frame also claims score times up to one hop before it (a
 * jump lands between frames); the path's last segment claims up to one hop after its end.
 */
export function perfTimeInSegment(
  path: AlignmentPath,
  seg: { startFrame: number; endFrame: number },
  s: number,
  isLast: boolean,
): number | undefined {
  const q = path.scoreTime;
  const hop = path.hopSeconds;
  const tol = hop + 1e-9;
  const first = seg.startFrame;
  const last = seg.endFrame - 1;
  if (s < q[first]) {
    if (q[first] - s > tol) return undefined;
    let f = first;
    while (f < last && q[f + 1] === q[first]) f++;
    return (f === last ? first : f) * hop;
  }
  for (let f = first + 1; f <= last; f++) {
    if (q[f] > s && q[f - 1] <= s) {
      let frac = (s - q[f - 1]) / (q[f] - q[f - 1]);
      // After a hold the motion starts between frames: take it back from the next step's slope.
      const slope = f < last ? q[f + 1] - q[f] : 0;
      if (f - 2 >= first && q[f - 2] === q[f - 1] && slope > 0) frac = Math.max(frac, 1 - (q[f] - s) / slope);
      return (f - 1 + frac) * hop;
    }
  }
  if (q[last] === s || (isLast && s > q[last] && s - q[last] <= tol)) {
    let f = last;
    while (f > first && q[f - 1] === q[last]) f--;
    return f * hop;
  }
  return undefined;
}

/**
 * Every performance time (seconds, ascending) at which the path plays score time `s`, one per
 * pass, with `perfTimeInSegment`'s allowance at jump landings and at the end (what the beat
 * exports need; `perfTimesOfScoreTime` of `shared/path.ts` is exact).
 */
export function passTimesOfScoreTime(path: AlignmentPath, s: number): number[] {
  const segs = segments(path);
  const out: number[] = [];
  segs.forEach((seg, i) => {
    const t = perfTimeInSegment(path, seg, s, i === segs.length - 1);
    if (t !== undefined) out.push(t);
  });
  return out;
}

/** Score beats in performance order, once per pass that plays them. */
export function performedBeats(path: AlignmentPath, score: Score): PerformedBeat[] {
  const segs = segments(path);
  const out: PerformedBeat[] = [];
  segs.forEach((seg, si) => {
    score.beats.forEach((b, bi) => {
      const t = perfTimeInSegment(path, seg, b.time, si === segs.length - 1);
      if (t !== undefined) out.push({ perfTime: t, beat: bi, segment: si });
    });
  });
  out.sort((a, b) => a.perfTime - b.perfTime || a.segment - b.segment || a.beat - b.beat);
  return out;
}

/**
 * Dense path at `hopSeconds` from sparse or dense rows sorted by perf time. Between rows the
 * path is linear unless `isJump(k)` says rows k → k+1 are a jump, where it holds row k until
 * row k+1 starts. Before the first row it holds the first score time; after the last, the last.
 */
export function rowsToPath(
  rows: PathRow[],
  hopSeconds: number,
  isJump: (k: number) => boolean,
  method: AlignMethod,
  modelVersion?: string,
): AlignmentPath {
  if (!(hopSeconds > 0)) throw new Error(`hopSeconds must be > 0, got ${hopSeconds}`);
  if (rows.length === 0) throw new Error('an alignment needs at least one row, got none');
  // Rows written with 4 decimals sit up to 0.05 ms off the frame grid: snap within 1 ms.
  const eps = Math.min(1e-3, hopSeconds / 4);
  const n = Math.max(1, Math.round(rows[rows.length - 1].perf / hopSeconds) + 1);
  const scoreTime = new Float64Array(n);
  const confidence = new Float32Array(n);
  const jumpFrames: number[] = [];
  const segOfRow = new Int32Array(rows.length);
  for (let k = 1; k < rows.length; k++) segOfRow[k] = segOfRow[k - 1] + (isJump(k - 1) ? 1 : 0);
  let k = 0;
  let prevSeg = -1;
  for (let f = 0; f < n; f++) {
    const t = f * hopSeconds;
    while (k + 1 < rows.length && rows[k + 1].perf <= t + eps) k++;
    const r = rows[k];
    let q: number;
    if (k + 1 >= rows.length || t <= r.perf) q = r.score;
    else if (isJump(k)) q = r.score;
    else {
      const r1 = rows[k + 1];
      const span = r1.perf - r.perf;
      q = span > 0 ? r.score + ((t - r.perf) / span) * (r1.score - r.score) : r1.score;
    }
    scoreTime[f] = q;
    confidence[f] = r.confidence;
    const seg = segOfRow[k];
    if (prevSeg >= 0 && seg !== prevSeg) jumpFrames.push(f);
    prevSeg = seg;
  }
  const path: AlignmentPath = { hopSeconds, scoreTime, confidence, jumpFrames, method };
  if (modelVersion !== undefined) path.modelVersion = modelVersion;
  return path;
}

/** `x` with `digits` decimals and no `-0`. */
export function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Parses a finite decimal number or returns undefined. */
export function parseNumber(cell: string): number | undefined {
  const c = cell.trim();
  if (c === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(c)) return undefined;
  const v = Number(c);
  return Number.isFinite(v) ? v : undefined;
}

/** Lines of a text file without a trailing empty line; CRLF and a BOM accepted. */
export function textLines(data: string): string[] {
  const lines = data.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}
