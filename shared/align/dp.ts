import type { Features } from '../dsp/features.js';
import type { Band } from './band.js';
import { bandCells } from './band.js';
import type { CostParams } from './cost.js';
import { DEFAULT_COST, rowCosts } from './cost.js';

/** DTW step weights for the steps (1,1) diagonal, (1,0) perf advances, (0,1) score advances. */
export interface StepWeights {
  diagonal: number;
  perf: number;
  score: number;
}

/** Step weights used unless overridden (tuned on ASAP validation pieces). */
export const DEFAULT_STEPS: StepWeights = { diagonal: 1, perf: 1, score: 1 };

/**
 * One pass of a (possibly multi-pass) banded DTW. The path enters the pass at score frame
 * `entryCol` in one of the rows `entryRows` and leaves it at `exitCol` in one of `exitRows`;
 * passes are chained: pass k is entered in row i from pass k−1's exit in row i − 1.
 */
export interface DpPass {
  /** Cells of this pass. */
  band: Band;
  /** Score frame where the pass starts. */
  entryCol: number;
  /** Score frame where the pass ends. */
  exitCol: number;
  /** Absolute rows [first, last] where the pass may be entered (pass 0: row 0 only is used). */
  entryRows: [number, number];
  /** Absolute rows [first, last] where the pass may be left (the last pass: its last row only). */
  exitRows: [number, number];
  /** Extra cost of entering this pass (added once). */
  entryPenalty?: number;
  /**
   * Passes after the first: score frames where the pass may be entered besides `entryCol`, each
   * with an extra cost (`extra[j − first]`, Infinity: not there). Without it, `entryCol` only.
   */
  entryChoices?: { first: number; extra: Float64Array };
  /**
   * Passes before the last: score frames where the pass may be left besides `exitCol`, each with
   * an extra cost (`extra[j − first]`, Infinity: not there; `exitCol` itself is one of them only
   * if its extra is finite). Without it, `exitCol` only.
   */
  exitChoices?: { first: number; extra: Float64Array };
  /** Pass 0 only: it may start in any score frame of [first, last] of its first row, not only at `entryCol`. */
  entryCols?: readonly [number, number];
  /**
   * The last pass only: it may end in any score frame of [first, last] of its last exit row, not
   * only at `exitCol`; the path ends at the cheapest (the latest within `DpOptions.endSlack`).
   */
  exitCols?: readonly [number, number];
  /** Receives the least accumulated cost of each row of this pass (index: row − `band.rowStart`). */
  rowMin?: Float64Array;
}

/** Options of `runBandedDtw`. */
export interface DpOptions {
  cost?: CostParams;
  steps?: StepWeights;
  signal?: AbortSignal;
  /** Progress 0..1 over all rows of all passes. */
  onProgress?: (fraction: number) => void;
  /** With `exitCols`: of the ends whose cost is within this much of the least, the latest is taken (a held note ends where it ends). */
  endSlack?: number;
}

/** Result of `runBandedDtw`: the warping path in path order plus the pair indices where a new pass begins. */
export interface DpResult {
  /** Perf frame of each path cell. */
  perfFrames: Int32Array;
  /** Score frame of each path cell. */
  scoreFrames: Int32Array;
  /** Path indices k where cell k is the first of a new pass (k ≥ 1). */
  passStarts: number[];
  /** Accumulated cost at the end of the path. */
  totalCost: number;
  /** Cells allocated for back-pointers (sum of band sizes). */
  cells: number;
}

const DIAG = 0;
const VERT = 1;
const HORIZ = 2;
const ENTRY = 3;
const START = 4;
const NONE = 255;

/**
 * Banded DTW over one or more chained passes with steps (1,1), (1,0), (0,1). Keeps two rows of
 * accumulated cost and one byte of back-pointer per band cell, so memory is O(band cells). With
 * `entryCols` / `exitCols` the path's start / end score frame is free within a range (open-ended
 * DTW, as re-alignment uses between a pinned and a free end).
 */
export function runBandedDtw(
  perf: Features,
  score: Features,
  passes: readonly DpPass[],
  opts: DpOptions = {},
): DpResult {
  const cost = opts.cost ?? DEFAULT_COST;
  const { diagonal: wd, perf: wv, score: wh } = opts.steps ?? DEFAULT_STEPS;
  const K = passes.length;
  if (K === 0) throw new RangeError('runBandedDtw: no passes');
  const ptrs: Uint8Array[] = [];
  const exits: Float64Array[] = [];
  // Per pass with exit choices: the score frame each exit row leaves from.
  const exitAt: (Int32Array | undefined)[] = [];
  let totalRows = 0;
  for (const p of passes) totalRows += p.band.rows;
  let doneRows = 0;
  let cells = 0;
  let maxWidth = 1;
  for (const p of passes) {
    for (let r = 0; r < p.band.rows; r++) maxWidth = Math.max(maxWidth, p.band.hi[r] - p.band.lo[r] + 1);
  }
  let prev = new Float64Array(maxWidth);
  let cur = new Float64Array(maxWidth);
  const c = new Float64Array(maxWidth);
  const progressEvery = 2048;
  // Accumulated costs of the last pass's last exit row, where the path ends.
  const last = passes[K - 1];
  const endRow = last.exitRows[1];
  const [endFirst, endLast] = last.exitCols ?? [last.exitCol, last.exitCol];
  const endCosts = new Float64Array(maxWidth).fill(Infinity);
  let endLo = 0;
  let endHi = -1;
  for (let k = 0; k < K; k++) {
    const pass = passes[k];
    const { band, entryCol, exitCol } = pass;
    const ptr = new Uint8Array(bandCells(band));
    cells += ptr.length;
    ptrs.push(ptr);
    const [x0, x1] = pass.exitRows;
    const exit = new Float64Array(Math.max(0, x1 - x0 + 1)).fill(Infinity);
    exits.push(exit);
    const leave = k < K - 1 ? pass.exitChoices : undefined;
    const leaveAt = leave ? new Int32Array(exit.length).fill(exitCol) : undefined;
    exitAt.push(leaveAt);
    const prevExit = k > 0 ? exits[k - 1] : null;
    const prevX0 = k > 0 ? passes[k - 1].exitRows[0] : 0;
    const [e0, e1] = pass.entryRows;
    const [startFirst, startLast] = k === 0 ? (pass.entryCols ?? [entryCol, entryCol]) : [0, -1];
    const penalty = pass.entryPenalty ?? 0;
    const choices = pass.entryChoices;
    const rowMin = pass.rowMin;
    let plo = 0;
    let phi = -1;
    for (let r = 0; r < band.rows; r++) {
      const i = band.rowStart + r;
      if (r % progressEvery === 0) {
        opts.signal?.throwIfAborted();
        opts.onProgress?.((doneRows + r) / totalRows);
      }
      const lo = band.lo[r];
      const hi = band.hi[r];
      const base = band.offset[r];
      rowCosts(perf, score, i, lo, hi, c, cost);
      // Cells fa … fb lie inside the previous row's band, away from the start and entry rows:
      // each has exactly its diagonal, vertical and horizontal steps, compared in the same order
      // as below without the checks.
      const plain = r > 0 && i !== e0 && !(k > 0 && i >= e0 && i <= e1 && prevExit);
      const fa = plain ? Math.max(lo + 1, plo + 1) : -1;
      const fb = Math.min(hi, phi);
      for (let j = lo; j <= hi; j++) {
        if (j === fa) {
          const pv = prev;
          const cu = cur;
          for (; j <= fb; j++) {
            const cc = c[j - lo];
            let best = pv[j - 1 - plo] + wd * cc;
            let code = DIAG;
            const v = pv[j - plo] + wv * cc;
            if (v < best) {
              best = v;
              code = VERT;
            }
            const h = cu[j - 1 - lo] + wh * cc;
            if (h < best) {
              best = h;
              code = HORIZ;
            }
            cu[j - lo] = best;
            ptr[base + j - lo] = code;
          }
          if (j > hi) break;
        }
        const cc = c[j - lo];
        let best = Infinity;
        let code = NONE;
        if (r > 0) {
          if (j - 1 >= plo && j - 1 <= phi) {
            best = prev[j - 1 - plo] + wd * cc;
            code = DIAG;
          }
          if (j >= plo && j <= phi) {
            const v = prev[j - plo] + wv * cc;
            if (v < best) {
              best = v;
              code = VERT;
            }
          }
        }
        // A start wins a tie with the step from its left (a free start may lie beside another).
        if (i === e0 && j >= startFirst && j <= startLast) {
          const v = penalty + cc;
          if (v < best) {
            best = v;
            code = START;
          }
        }
        if (j > lo) {
          const v = cur[j - 1 - lo] + wh * cc;
          if (v < best) {
            best = v;
            code = HORIZ;
          }
        }
        if (k > 0 && i >= e0 && i <= e1 && prevExit) {
          const xi = i - 1 - prevX0;
          const extra = choices
            ? j >= choices.first && j < choices.first + choices.extra.length
              ? choices.extra[j - choices.first]
              : Infinity
            : j === entryCol
              ? 0
              : Infinity;
          if (xi >= 0 && xi < prevExit.length && extra < Infinity) {
            const v = prevExit[xi] + penalty + extra + wd * cc;
            if (v < best) {
              best = v;
              code = ENTRY;
            }
          }
        }
        cur[j - lo] = best;
        ptr[base + j - lo] = code;
      }
      if (i >= x0 && i <= x1) {
        if (leave && leaveAt) {
          const a = Math.max(lo, leave.first);
          const b = Math.min(hi, leave.first + leave.extra.length - 1);
          let best = Infinity;
          for (let j = a; j <= b; j++) {
            const v = cur[j - lo] + leave.extra[j - leave.first];
            if (v < best) {
              best = v;
              leaveAt[i - x0] = j;
            }
          }
          exit[i - x0] = best;
        } else if (exitCol >= lo && exitCol <= hi) exit[i - x0] = cur[exitCol - lo];
      }
      if (rowMin) {
        let m = Infinity;
        for (let q = 0; q <= hi - lo; q++) if (cur[q] < m) m = cur[q];
        rowMin[r] = m;
      }
      if (k === K - 1 && i === endRow) {
        endCosts.set(cur.subarray(0, hi - lo + 1));
        endLo = lo;
        endHi = hi;
      }
      const t = prev;
      prev = cur;
      cur = t;
      plo = lo;
      phi = hi;
    }
    doneRows += band.rows;
  }
  opts.onProgress?.(1);
  // The end: the cheapest exit column of the last row (the latest within endSlack).
  let endCol = -1;
  let totalCost = Infinity;
  const f0 = Math.max(endFirst, endLo);
  const f1 = Math.min(endLast, endHi);
  for (let j = f0; j <= f1; j++) {
    if (endCosts[j - endLo] < totalCost) {
      totalCost = endCosts[j - endLo];
      endCol = j;
    }
  }
  const slack = opts.endSlack ?? 0;
  for (let j = f1; endCol >= 0 && j > endCol; j--) {
    if (endCosts[j - endLo] <= totalCost + slack) {
      totalCost = endCosts[j - endLo];
      endCol = j;
      break;
    }
  }
  if (endCol < 0 || !Number.isFinite(totalCost))
    throw new Error(
      `runBandedDtw: no path reaches row ${endRow}, score frame${endFirst === endLast ? ` ${endFirst}` : `s ${endFirst}…${endLast}`} (band too narrow?)`,
    );
  // Backtrack from there.
  const outP: number[] = [];
  const outS: number[] = [];
  const startsRev: number[] = [];
  let k = K - 1;
  let i = endRow;
  let j = endCol;
  for (;;) {
    const band = passes[k].band;
    const r = i - band.rowStart;
    if (r < 0 || r >= band.rows || j < band.lo[r] || j > band.hi[r])
      throw new Error(`runBandedDtw: backtrack left the band at (${i}, ${j})`);
    outP.push(i);
    outS.push(j);
    const code = ptrs[k][band.offset[r] + j - band.lo[r]];
    if (code === DIAG) {
      i--;
      j--;
    } else if (code === VERT) i--;
    else if (code === HORIZ) j--;
    else if (code === ENTRY) {
      startsRev.push(outP.length);
      k--;
      i--;
      j = exitAt[k]?.[i - passes[k].exitRows[0]] ?? passes[k].exitCol;
    } else if (code === START) break;
    else throw new Error(`runBandedDtw: broken back-pointer at (${i}, ${j})`);
  }
  const n = outP.length;
  const perfFrames = new Int32Array(n);
  const scoreFrames = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    perfFrames[q] = outP[n - 1 - q];
    scoreFrames[q] = outS[n - 1 - q];
  }
  const passStarts = startsRev.map((len) => n - len).sort((a, b) => a - b);
  return { perfFrames, scoreFrames, passStarts, totalCost, cells };
}
