/**
 * Beat-level alignment accuracy, a TypeScript port of `../shared/eval/score.py` (the official
 * scorer): same path evaluation, jump rule, GT pass maps and margins, so results match it to
 * floating-point rounding. Pure: parsing takes text, no file access.
 */

/** Tolerances in seconds (50, 100, 200 ms). */
export const MARGINS_SECONDS = [0.05, 0.1, 0.2] as const;
/** A step going back in the score by more than this (s) is a jump. */
export const JUMP_BACK_S = 0.25;
/** A step going forward by more than this (s) + MAX_SLOPE × perf step is a jump. */
export const JUMP_FWD_S = 1.0;
/** Maximum score/perf slope of a continuous step. */
export const MAX_SLOPE = 4.0;
/** Beat intervals used to extrapolate a GT pass map beyond its ends. */
export const EDGE_BEATS = 4;

/** One ground-truth beat: performance time, score time (s) and its continuous pass. */
export interface GtRow {
  perfTime: number;
  scoreTime: number;
  /** Pass number; when every row lacks it, passes are split by the jump rule. */
  segment?: number;
}

/** One row of a predicted path (seconds). */
export interface PredRow {
  perfTime: number;
  scoreTime: number;
}

/** Per-case result, as score.py's `score_case` (accuracies in percent). */
export interface CaseScore {
  acc50: number;
  acc100: number;
  acc200: number;
  nBeats: number;
  /** Median beat error in ms; NaN when there is no usable prediction. */
  medianErrMs: number;
}

/** True when the step (p0, q0) → (p1, q1) is a jump (score back > 0.25 s or too far forward). */
export function isJump(p0: number, q0: number, p1: number, q1: number): boolean {
  const d = q1 - q0;
  return d < -JUMP_BACK_S || d > JUMP_FWD_S + MAX_SLOPE * (p1 - p0);
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);

/** Python `float(text)` semantics: the number, or undefined where Python raises. */
export function parsePyFloat(text: string): number | undefined {
  const t = text.trim();
  if (!PY_FLOAT.test(t)) return undefined;
  const low = t.toLowerCase().replace(/^[+-]/, '');
  const neg = t.startsWith('-');
  if (low.startsWith('inf')) return neg ? -Infinity : Infinity;
  if (low === 'nan') return NaN;
  return Number(t.replace(/_/g, ''));
}

function cleanCell(c: string): string {
  return stripChars(stripChars(c.trim(), '"'), "'").trim();
}

function stripChars(s: string, ch: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === ch) a++;
  while (b > a && s[b - 1] === ch) b--;
  return s.slice(a, b);
}

/**
 * Parses a prediction CSV as score.py does: header `perf_time,score_time` (any column order,
 * extra columns ignored) or none (first two columns); `,` `;` or TAB separators; bad lines and
 * non-finite values skipped. Rows come back in file order (scoreCase sorts them).
 */
export function parsePredCsv(text: string): PredRow[] {
  const rows: PredRow[] = [];
  let ip = 0;
  let iq = 1;
  let first = true;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const cells = line.replace(/;/g, ',').replace(/\t/g, ',').split(',').map(cleanCell);
    if (cells.every((c) => !c)) continue;
    if (first) {
      first = false;
      const low = cells.map((c) => c.toLowerCase());
      if (low.includes('perf_time') && low.includes('score_time')) {
        ip = low.indexOf('perf_time');
        iq = low.indexOf('score_time');
        continue;
      }
    }
    if (ip >= cells.length || iq >= cells.length) continue;
    const p = parsePyFloat(cells[ip]);
    const q = parsePyFloat(cells[iq]);
    if (p === undefined || q === undefined || !Number.isFinite(p) || !Number.isFinite(q)) continue;
    rows.push({ perfTime: p, scoreTime: q });
  }
  return rows;
}

/** Splits one CSV line with double-quote quoting (Python csv.reader's default dialect). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === '') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Parses a ground-truth CSV (`perf_time,score_time[,segment]`, header required) as score.py's
 * `load_gt`; without a `segment` column, passes are split by the jump rule. Throws on bad input.
 */
export function parseGtCsv(text: string): GtRow[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!lines.length)
    throw new Error('ground truth: expected a header perf_time,score_time[,segment], got an empty file');
  const hdr = splitCsvLine(lines[0]).map((c) => c.trim().toLowerCase());
  const ip = hdr.indexOf('perf_time');
  const iq = hdr.indexOf('score_time');
  const ig = hdr.indexOf('segment');
  if (ip < 0 || iq < 0)
    throw new Error(`ground truth: expected columns perf_time,score_time, got "${lines[0]}"`);
  const rows: GtRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const rec = splitCsvLine(lines[i]);
    const p = rec[ip] === undefined ? undefined : parsePyFloat(rec[ip]);
    const q = rec[iq] === undefined ? undefined : parsePyFloat(rec[iq]);
    const g = ig >= 0 ? rec[ig]?.trim() : '0';
    if (p === undefined || q === undefined || g === undefined || !/^[+-]?\d(?:_?\d)*$/.test(g)) {
      throw new Error(
        `ground truth line ${i + 1}: expected numbers perf_time,score_time[,integer segment], got "${lines[i]}"`,
      );
    }
    rows.push(
      ig >= 0
        ? { perfTime: p, scoreTime: q, segment: Number(g.replace(/_/g, '')) }
        : { perfTime: p, scoreTime: q },
    );
  }
  return rows;
}

/** Pass numbers of GT rows: their `segment`, or (when absent) split where consecutive rows jump. */
export function gtSegments(gt: readonly GtRow[]): number[] {
  if (gt.length && gt.every((r) => r.segment !== undefined)) return gt.map((r) => r.segment as number);
  const seg = new Array<number>(gt.length).fill(0);
  let g = 0;
  for (let i = 1; i < gt.length; i++) {
    if (isJump(gt[i - 1].perfTime, gt[i - 1].scoreTime, gt[i].perfTime, gt[i].scoreTime)) g++;
    seg[i] = g;
  }
  return seg;
}

/** Stable order of indices by key (numpy argsort kind="stable"). */
function stableOrder(keys: ArrayLike<number>): number[] {
  const idx = Array.from({ length: keys.length }, (_, i) => i);
  return idx.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
}

/** Last index k with xs[k] <= x (numpy searchsorted side=right, minus 1); -1 if none. */
function lastAtOrBefore(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Evaluates a sorted piecewise-linear path (p, q) at time t with score.py's rules. */
export function evalPath(p: ArrayLike<number>, q: ArrayLike<number>, t: number): number {
  const n = p.length;
  const k = Number.isNaN(t) ? n - 1 : lastAtOrBefore(p, t);
  if (k < 0) return q[0];
  if (k >= n - 1) return q[n - 1];
  const p0 = p[k];
  const q0 = q[k];
  const p1 = p[k + 1];
  const q1 = q[k + 1];
  if (p1 <= p0 || isJump(p0, q0, p1, q1)) return q0;
  return q0 + ((q1 - q0) * (t - p0)) / (p1 - p0);
}

/** numpy.interp(x, xp, fp) for increasing xp, including its exact arithmetic. */
function npInterp(x: number, xp: number[], fp: number[]): number {
  const n = xp.length;
  if (Number.isNaN(x)) return x;
  if (x < xp[0]) return fp[0];
  if (x > xp[n - 1]) return fp[n - 1];
  const j = lastAtOrBefore(xp, x);
  if (j >= n - 1) return fp[n - 1];
  if (xp[j] === x) return fp[j];
  const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  let r = slope * (x - xp[j]) + fp[j];
  if (Number.isNaN(r)) {
    r = slope * (x - xp[j + 1]) + fp[j + 1];
    if (Number.isNaN(r) && fp[j] === fp[j + 1]) r = fp[j];
  }
  return r;
}

/** Piecewise-linear score→perf map of one GT pass, linearly extrapolated at both ends. */
class PassMap {
  private readonly t: number[];
  private readonly s: number[];
  private readonly r0: number;
  private readonly r1: number;

  constructor(tIn: number[], sIn: number[], fallbackRate: number) {
    const o = stableOrder(tIn);
    const t0 = o.map((i) => tIn[i]);
    const s0 = o.map((i) => sIn[i]);
    this.t = [];
    this.s = [];
    for (let i = 0; i < t0.length; i++) {
      if (i === 0 || s0[i] - s0[i - 1] > 1e-9) {
        this.t.push(t0[i]);
        this.s.push(s0[i]);
      }
    }
    const n = this.t.length;
    const k = Math.min(EDGE_BEATS, n - 1);
    let r0 = fallbackRate;
    let r1 = fallbackRate;
    if (k >= 1) {
      r0 = (this.s[k] - this.s[0]) / Math.max(this.t[k] - this.t[0], 1e-9);
      r1 = (this.s[n - 1] - this.s[n - 1 - k]) / Math.max(this.t[n - 1] - this.t[n - 1 - k], 1e-9);
    }
    this.r0 = r0 > 0 ? r0 : fallbackRate;
    this.r1 = r1 > 0 ? r1 : fallbackRate;
  }

  /** Performance time at score time `sh`. */
  inverse(sh: number): number {
    const n = this.s.length;
    if (sh < this.s[0]) return this.t[0] + (sh - this.s[0]) / this.r0;
    if (sh > this.s[n - 1]) return this.t[n - 1] + (sh - this.s[n - 1]) / this.r1;
    return npInterp(sh, this.s, this.t);
  }
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  if (xs.some((x) => Number.isNaN(x))) return NaN;
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** Absolute time error (s) of every GT beat under the prediction (p, q sorted by p). */
export function beatErrors(gt: readonly GtRow[], p: ArrayLike<number>, q: ArrayLike<number>): number[] {
  const seg = gtSegments(gt);
  const groups = new Map<number, number[]>();
  seg.forEach((g, i) => {
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  const rates: number[] = [];
  for (const idx of groups.values()) {
    for (let j = 1; j < idx.length; j++) {
      const dt = gt[idx[j]].perfTime - gt[idx[j - 1]].perfTime;
      const ds = gt[idx[j]].scoreTime - gt[idx[j - 1]].scoreTime;
      if (dt > 0 && ds / dt > 0) rates.push(ds / dt);
    }
  }
  const fallback = rates.length ? median(rates) : 1.0;
  const err = new Array<number>(gt.length);
  for (const idx of groups.values()) {
    const map = new PassMap(
      idx.map((i) => gt[i].perfTime),
      idx.map((i) => gt[i].scoreTime),
      fallback,
    );
    for (const i of idx) err[i] = Math.abs(map.inverse(evalPath(p, q, gt[i].perfTime)) - gt[i].perfTime);
  }
  return err;
}

/**
 * Scores one prediction against one GT exactly as score.py's `score_case`: percent of beats
 * within 50/100/200 ms (+1e-9). The prediction is stably sorted by perfTime first; an empty
 * one scores 0.
 */
export function scoreCase(gt: readonly GtRow[], pred: readonly PredRow[]): CaseScore {
  const res: CaseScore = { acc50: 0, acc100: 0, acc200: 0, nBeats: gt.length, medianErrMs: NaN };
  if (!pred.length || !gt.length) return res;
  const order = stableOrder(pred.map((r) => r.perfTime));
  const p = order.map((i) => pred[i].perfTime);
  const q = order.map((i) => pred[i].scoreTime);
  const err = beatErrors(gt, p, q);
  const pct = (m: number): number => (100 * err.filter((e) => e <= m + 1e-9).length) / err.length;
  res.acc50 = pct(MARGINS_SECONDS[0]);
  res.acc100 = pct(MARGINS_SECONDS[1]);
  res.acc200 = pct(MARGINS_SECONDS[2]);
  res.medianErrMs = 1000 * median(err);
  return res;
}

/** Unweighted mean of case accuracies over a set (0 for an empty set). */
export function meanScores(scores: readonly CaseScore[]): { acc50: number; acc100: number; acc200: number } {
  const mean = (f: (s: CaseScore) => number): number =>
    scores.length ? scores.reduce((a, s) => a + f(s), 0) / scores.length : 0;
  return { acc50: mean((s) => s.acc50), acc100: mean((s) => s.acc100), acc200: mean((s) => s.acc200) };
}
