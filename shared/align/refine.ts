import type { AlignmentPath } from '../path.js';
import { pathFromFramePairs } from '../path.js';
import type { Features } from '../dsp/features.js';
import type { Band } from './band.js';
import { dilatedBand, finishBand } from './band.js';
import type { DpPass } from './dp.js';
import { runBandedDtw } from './dp.js';
import { applyJumpCertainty, pathConfidence } from './confidence.js';
import { normalisedCost } from './cost.js';
import type { AlignOptions, DtwParams } from './dtw.js';
import {
  DEFAULT_DTW,
  multiscaleDtw,
  musicStart,
  projectedColumns,
  sliceFeatures,
  soundingRange,
} from './dtw.js';

/** A coarse structural route: the passes of the performance through the score, in perf order. */
export interface Route {
  /**
   * Per pass: perf frames perfStart … perfEnd − 1 play score frames scoreStart … scoreEnd − 1
   * (full-resolution frames, ends exclusive). Passes are contiguous in perf: the first starts at
   * 0, each starts where the previous ends, the last ends at the perf frame count.
   */
  segments: { perfStart: number; perfEnd: number; scoreStart: number; scoreEnd: number }[];
}

/** Options of `refineRoute`. */
export interface RefineOptions extends AlignOptions {
  /** Band radius (frames) around the guide, default `DEFAULT_DTW.fineRadius` (40 with a `guide`). */
  bandFrames?: number;
  /** Optional per-perf-frame coarse score frame; without it each pass is guided by its own multiscale DTW. */
  guide?: Float64Array;
  /**
   * Optional per-perf-frame score frame of the coarse search that made the route, and a radius
   * (score frames): each pass's multiscale DTW then searches only that far from it at its
   * coarsest level, instead of the pass's whole rectangle (`CoarseGuide`).
   */
  coarseGuide?: { scoreFrames: Float64Array; radiusFrames: number };
  /**
   * Without `guide`: the pooling at which each pass's own multiscale DTW stops, default 1 (full
   * resolution). Above 1 the band is laid around that level's cells, so the full-resolution
   * search runs once, in the band, instead of twice (`JumpParams.refineGuideFactor`).
   */
  guideFactor?: number;
  /** How far (perf frames) the cut between two passes may move from the route's boundary, default 64 (≈1.5 s). */
  boundaryFrames?: number;
  /** Multiscale DTW parameters (cost and step weights are used by the refinement too). */
  params?: Partial<DtwParams>;
  /**
   * Where a pass after a jump may land besides the route's own landing: score frames with the
   * extra cost of landing there, used within `radiusFrames` of the route's landing. The route's
   * landing comes from the coarse search, a bar line or a beat off; the full-resolution
   * refinement chooses among them together with the cut.
   */
  landings?: { frames: readonly number[]; extras: readonly number[]; radiusFrames: number };
  /**
   * Where a pass before a jump may be left besides the route's own exit: score frames with the
   * extra cost of leaving there, used within `radiusFrames` of the route's exit (the frame before
   * a beat, for a cut at that beat). The refinement chooses among them together with the cut.
   */
  exits?: RefineOptions['landings'];
  /** How the path was made, default 'jump'. */
  method?: AlignmentPath['method'];
}

/** Landings or exits offered to the refinement (`RefineOptions.landings`, `exits`). */
type CutPoints = RefineOptions['landings'];

/**
 * The route's own score frame `at` at no extra cost, and each of `points` within its radius of
 * `at` and within [min, max] at its own: as `DpPass.entryChoices` / `exitChoices`.
 */
function cutChoices(
  at: number,
  min: number,
  max: number,
  points: CutPoints,
): { first: number; extra: Float64Array } | undefined {
  if (!points || !(points.radiusFrames > 0)) return undefined;
  const lo = Math.max(min, at - points.radiusFrames);
  const hi = Math.min(max, at + points.radiusFrames);
  const extra = new Float64Array(hi - lo + 1).fill(Infinity);
  extra[at - lo] = 0;
  points.frames.forEach((f, q) => {
    if (f >= lo && f <= hi) extra[f - lo] = Math.min(extra[f - lo], points.extras[q]);
  });
  let a = 0;
  while (extra[a] === Infinity) a++;
  let b = extra.length - 1;
  while (extra[b] === Infinity) b--;
  return { first: lo + a, extra: extra.slice(a, b + 1) };
}

/** Checks a route against the feature lengths and returns its passes with validated numbers. */
function checkRoute(route: Route, perfFrames: number, scoreFrames: number): Route['segments'] {
  const segs = route.segments;
  if (segs.length === 0) throw new RangeError('refineRoute: the route has no segments');
  let expectStart = 0;
  for (const [k, s] of segs.entries()) {
    if (s.perfStart !== expectStart)
      throw new RangeError(
        `refineRoute: segment ${k} starts at perf frame ${s.perfStart}, expected ${expectStart}`,
      );
    if (!(s.perfEnd > s.perfStart))
      throw new RangeError(`refineRoute: segment ${k} has perf range ${s.perfStart}…${s.perfEnd}`);
    if (!(s.scoreStart >= 0 && s.scoreEnd > s.scoreStart && s.scoreEnd <= scoreFrames)) {
      throw new RangeError(
        `refineRoute: segment ${k} has score range ${s.scoreStart}…${s.scoreEnd}, expected within 0…${scoreFrames}`,
      );
    }
    expectStart = s.perfEnd;
  }
  if (expectStart !== perfFrames)
    throw new RangeError(`refineRoute: the route ends at perf frame ${expectStart}, expected ${perfFrames}`);
  return segs;
}

/**
 * Full-resolution alignment along a coarse route: one banded DTW pass per segment, chained so
 * that each cut between passes is placed where the total cost is least within ±boundaryFrames of
 * the route's boundary (the score frames of the cut are the route's exactly). Leading/trailing
 * silence of the recording maps to the first/last sounding score frame of the first/last pass.
 */
export function refineRoute(
  perf: Features,
  score: Features,
  route: Route,
  opts: RefineOptions = {},
): AlignmentPath {
  const N = perf.frames;
  const M = score.frames;
  const segs = checkRoute(route, N, M).map((s) => ({ ...s }));
  const params = { ...DEFAULT_DTW, ...opts.params };
  params.cost = normalisedCost(perf, score, params.cost);
  const K = segs.length;
  const radius = opts.bandFrames ?? (opts.guide ? 40 : params.fineRadius);
  const boundary = opts.boundaryFrames ?? 64;
  const guideFactor = opts.guideFactor ?? 1;
  if (opts.guide && opts.guide.length !== N)
    throw new RangeError(`refineRoute: guide has ${opts.guide.length} frames, expected ${N}`);
  if (opts.coarseGuide && opts.coarseGuide.scoreFrames.length !== N)
    throw new RangeError(
      `refineRoute: coarseGuide has ${opts.coarseGuide.scoreFrames.length} frames, expected ${N}`,
    );

  // Silence at the ends of the recording. A recording that starts at the score's start sounds
  // nothing of it before its first onset: its first pass starts with the music, not with the noise
  // before it (`musicStart`); one that starts inside the score may begin in a held chord.
  const [sSound0, sSound1] = soundingRange(score);
  const first = segs[0];
  const last = segs[K - 1];
  const fromStart = first.scoreStart <= sSound0 + Math.round(1 / score.hopSeconds);
  const [sounding0, pSound1] = soundingRange(perf);
  const pSound0 = fromStart ? musicStart(perf, sounding0) : sounding0;
  const lead = Math.min(pSound0, first.perfEnd - 1);
  const tail = Math.max(pSound1, last.perfStart, lead);
  if (first.scoreStart <= sSound0 && sSound0 < first.scoreEnd) first.scoreStart = sSound0;
  if (last.scoreEnd - 1 >= sSound1 && sSound1 >= last.scoreStart) last.scoreEnd = sSound1 + 1;

  // Margins: how far each cut may move (at most a third of the passes either side).
  const margins: number[] = [0];
  for (let k = 1; k < K; k++) {
    const left = segs[k - 1].perfEnd - segs[k - 1].perfStart;
    const right = segs[k].perfEnd - segs[k].perfStart;
    margins.push(Math.max(1, Math.min(boundary, Math.floor(left / 3), Math.floor(right / 3))));
  }

  const passes: DpPass[] = [];
  const progress = opts.onProgress;
  for (let k = 0; k < K; k++) {
    opts.signal?.throwIfAborted();
    const s = segs[k];
    const rowA = k === 0 ? lead : s.perfStart - margins[k];
    const rowB = k === K - 1 ? tail : s.perfEnd - 1 + margins[k + 1];
    const colA = s.scoreStart;
    const colB = s.scoreEnd - 1;
    // A pass after a jump may land before the route's landing, not past its own end; one before a
    // jump may be left anywhere after its start.
    const choices = k > 0 ? cutChoices(colA, 0, colB, opts.landings) : undefined;
    const leave = k < K - 1 ? cutChoices(colB, colA, M - 1, opts.exits) : undefined;
    const passHi = leave ? leave.first + leave.extra.length - 1 : colB;
    const passLo = choices ? choices.first : colA;
    const entryTop = choices ? choices.first + choices.extra.length - 1 : colA;
    const rows = rowB - rowA + 1;
    const minCol = new Int32Array(rows).fill(0x7fffffff);
    const maxCol = new Int32Array(rows).fill(-1);
    const coreA = Math.max(rowA, s.perfStart);
    const coreB = Math.min(rowB, s.perfEnd - 1);
    if (opts.guide) {
      for (let i = coreA; i <= coreB; i++) {
        const g = Math.round(opts.guide[i]);
        minCol[i - rowA] = g;
        maxCol[i - rowA] = g;
      }
    } else {
      // Guide from a multiscale DTW of the pass's own rectangle.
      const g = opts.coarseGuide;
      const sub = multiscaleDtw(sliceFeatures(perf, coreA, coreB), sliceFeatures(score, colA, colB), params, {
        signal: opts.signal,
        coarseGuide: g && {
          scoreFrames: g.scoreFrames.subarray(coreA, coreB + 1).map((c) => c - colA),
          radiusFrames: g.radiusFrames,
        },
        finestFactor: guideFactor,
      });
      const cells = projectedColumns(
        sub,
        sub.factors[sub.factors.length - 1],
        1,
        coreB - coreA + 1,
        colB - colA + 1,
      );
      for (let r = 0; r < cells.minCol.length; r++) {
        if (cells.maxCol[r] < 0) continue;
        minCol[r + coreA - rowA] = cells.minCol[r] + colA;
        maxCol[r + coreA - rowA] = cells.maxCol[r] + colA;
      }
    }
    const band0 = dilatedBand(rowA, minCol, maxCol, radius, M);
    const lo = band0.lo;
    const hi = band0.hi;
    // Around each cut the band becomes a rectangle: the pass may start early or late, end early or late.
    const entryEnd = k > 0 ? s.perfStart + margins[k] - rowA : -1;
    const exitStart = k < K - 1 ? s.perfEnd - 1 - margins[k + 1] - rowA : rows;
    const entryHi = entryEnd >= 0 ? Math.max(entryTop, hi[Math.min(rows - 1, entryEnd)]) : 0;
    const exitLo = exitStart < rows ? Math.min(lo[Math.max(0, exitStart)], leave ? leave.first : colB) : 0;
    for (let r = 0; r < rows; r++) {
      if (r <= entryEnd) {
        lo[r] = passLo;
        if (hi[r] < entryHi) hi[r] = entryHi;
      }
      if (r >= exitStart) {
        hi[r] = passHi;
        if (lo[r] > exitLo) lo[r] = exitLo;
      }
      if (lo[r] < passLo) lo[r] = passLo;
      if (hi[r] > passHi) hi[r] = passHi;
    }
    lo[0] = passLo;
    hi[rows - 1] = passHi;
    const band: Band = finishBand(rowA, lo, hi, M);
    passes.push({
      band,
      entryChoices: choices,
      exitChoices: leave,
      entryCol: colA,
      exitCol: colB,
      entryRows: k === 0 ? [rowA, rowA] : [s.perfStart - margins[k], s.perfStart + margins[k]],
      exitRows: k === K - 1 ? [rowB, rowB] : [s.perfEnd - 1 - margins[k + 1], s.perfEnd - 1 + margins[k + 1]],
    });
    progress?.((0.5 * (k + 1)) / K);
  }
  const dp = runBandedDtw(perf, score, passes, {
    cost: params.cost,
    steps: params.steps,
    signal: opts.signal,
    onProgress: progress ? (x) => progress(0.5 + 0.5 * x) : undefined,
  });

  // Leading/trailing silence pairs around the DP path.
  const n = dp.perfFrames.length;
  const total = lead + n + (N - 1 - tail);
  const perfFrames = new Int32Array(total);
  const scoreFrames = new Int32Array(total);
  let q = 0;
  for (let i = 0; i < lead; i++, q++) {
    perfFrames[q] = i;
    scoreFrames[q] = passes[0].entryCol;
  }
  const jumpPairs: number[] = [];
  const starts = new Set(dp.passStarts);
  for (let p = 0; p < n; p++, q++) {
    perfFrames[q] = dp.perfFrames[p];
    scoreFrames[q] = dp.scoreFrames[p];
    if (starts.has(p)) {
      const d = dp.scoreFrames[p] - dp.scoreFrames[p - 1];
      if (d !== 0 && d !== 1) jumpPairs.push(q);
    }
  }
  for (let i = tail + 1; i < N; i++, q++) {
    perfFrames[q] = i;
    scoreFrames[q] = passes[K - 1].exitCol;
  }
  const confidence = pathConfidence(perf, score, perfFrames, scoreFrames, params.cost);
  const path = pathFromFramePairs(perfFrames, scoreFrames, {
    perfFrames: N,
    hopSeconds: perf.hopSeconds,
    scoreHopSeconds: score.hopSeconds,
    method: opts.method ?? 'jump',
    confidence,
    jumpPairs,
  });
  applyJumpCertainty(perf, score, path, params.cost);
  return path;
}
