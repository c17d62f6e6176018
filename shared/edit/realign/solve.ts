/** Solving a constraint plan: each stretch re-aligned in order, holds held, anchors placed, jumps collected. */
import type { AlignmentPath } from '../../path.js';
import { JUMP_BACK_SECONDS, JUMP_FORWARD_SECONDS, JUMP_MAX_SLOPE, pathFromFramePairs } from '../../path.js';
import type { Features } from '../../dsp/features.js';
import { cellCost } from '../../align/cost.js';
import { movingAverage } from '../../align/confidence.js';
import { soundingRange } from '../../align/dtw.js';
import { snapToOnsets, type SnapParams } from '../../align/snap.js';
import { DEFAULT_UNSTRUCK, timeUnstruckBeats } from '../../align/unstruckBeats.js';
import type { FramePairs, Levels } from './kernel.js';
import { clampCol, openDtw, pinnedDtw } from './kernel.js';
import type { Hold, Plan, PlanItem, StartSpec, Stretch } from './plan.js';
import { itemDependencies } from './plan.js';
import {
  KEEP_AGREE_SECONDS,
  KEEP_FADE_SECONDS,
  KEEP_PATH_SECONDS,
  LOCAL_FIX_SECONDS,
  LOCAL_WINDOW_SECONDS,
  MAX_TEMPO_RATIO,
  SNAP_SECONDS,
} from './rules.js';

/** Half-width (frames) of the confidence smoothing, as in `pathConfidence`. */
const SMOOTH_HALF_FRAMES = 11;

/** What the stretches of one solve share: the inputs, the levels and the path being written. */
interface SolveContext {
  perf: Features;
  score: Features;
  levels: Levels;
  /** Score frames of the score's jump points, where free ends snap. */
  jumpPointFrames: number[];
  /** [first, last] sounding perf frame. */
  sound: [number, number];
  /** Score time (s) of each perf frame of the input path, where stretches may keep it (`RealignOptions.keepPath`). */
  old?: Float64Array;
  /** Score time (s) of each perf frame, written in place. */
  out: Float64Array;
  /** Confidence of each perf frame, written in place. */
  conf: Float32Array;
  /** Onset snapping of each re-solved stretch, as the aligner does (absent: none). */
  snap?: StretchSnap;
}

/**
 * What snapping a re-solved stretch needs: the score's notes, and the parameters; with the score's
 * beat times (s, ascending), its unstruck beats are timed from the struck ones too
 * (`timeUnstruckBeats`), as the aligner does.
 */
export interface StretchSnap {
  scoreNotes: readonly { onset: number; pitch: number }[];
  params: SnapParams;
  beats?: readonly number[];
}

/** Solves the items `pick` selects (plus every item reading a value they changed), left to right, on a copy of `path`. */
export function solvePlan(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  plan: Plan,
  pick: (item: PlanItem) => boolean,
  jumpPointsSeconds: readonly number[],
  levels: Levels,
  snap?: StretchSnap,
  keep?: Float64Array,
): AlignmentPath {
  const frameCount = perf.frames;
  const sHop = score.hopSeconds;
  const ctx: SolveContext = {
    perf,
    score,
    levels,
    jumpPointFrames: jumpPointsSeconds
      .map((t) => Math.round(t / sHop))
      .filter((c) => c >= 0 && c < score.frames),
    sound: soundingRange(perf),
    old: keep,
    out: path.scoreTime.slice(),
    conf: path.confidence.slice(),
    snap,
  };
  const solved = new Uint8Array(frameCount);
  const changed = new Uint8Array(frameCount);
  const openingHolds: Hold[] = [];
  for (const item of plan.items) {
    const deps = itemDependencies(item);
    if (!pick(item) && !deps.some((d) => d >= 0 && changed[d])) continue;
    const before = ctx.out.slice(item.first, item.last + 1);
    if (item.kind === 'hold') {
      if (item.first === 0) openingHolds.push(item);
      else ctx.out.fill(ctx.out[item.first - 1], item.first, item.last + 1);
      ctx.conf.fill(0, item.first, item.last + 1);
    } else solveStretch(ctx, item);
    solved.fill(1, item.first, item.last + 1);
    for (let f = item.first; f <= item.last; f++)
      if (Math.abs(ctx.out[f] - before[f - item.first]) > 1e-9) changed[f] = 1;
  }
  for (const h of openingHolds)
    if (h.last + 1 < frameCount) ctx.out.fill(ctx.out[h.last + 1], h.first, h.last + 1);
  for (const [f, s] of plan.anchors) {
    if (!solved[f]) continue;
    ctx.out[f] = s;
    ctx.conf[f] = 1;
  }
  // Jumps: old ones where nothing was re-solved, plan cuts where the values do break.
  const jumps = new Set<number>();
  for (const jumpFrame of path.jumpFrames)
    if (!solved[jumpFrame] && !solved[jumpFrame - 1]) jumps.add(jumpFrame);
  for (const c of plan.cuts) {
    if (c < 1 || c >= frameCount || (!solved[c] && !solved[c - 1])) continue;
    if (Math.abs(ctx.out[c] - ctx.out[c - 1]) > 1.5 * sHop) jumps.add(c);
  }
  return {
    hopSeconds: path.hopSeconds,
    scoreTime: ctx.out,
    confidence: ctx.conf,
    jumpFrames: [...jumps].sort((x, y) => x - y),
    method: 'manual',
    modelVersion: path.modelVersion,
  };
}

/** Re-aligns the frames of one stretch into ctx.out / ctx.conf. */
function solveStretch(ctx: SolveContext, stretch: Stretch): void {
  const { perf, score, levels, out } = ctx;
  const scoreFrames = score.frames;
  const sHop = score.hopSeconds;
  // Silence before the first / after the last sound of the recording holds the end positions.
  const first =
    stretch.lead && stretch.last > stretch.first
      ? Math.min(Math.max(stretch.first, ctx.sound[0]), stretch.last - 1)
      : stretch.first;
  const last =
    stretch.tail && stretch.last > first
      ? Math.max(Math.min(stretch.last, ctx.sound[1]), first + 1)
      : stretch.last;
  const len = last - first + 1;
  const fixedStart =
    stretch.start.kind === 'pin'
      ? stretch.start.score
      : stretch.start.kind === 'prev'
        ? out[stretch.start.frame]
        : undefined;
  const fixedEnd =
    stretch.end.kind === 'pin'
      ? stretch.end.score
      : stretch.end.kind === 'prev'
        ? out[stretch.end.frame]
        : undefined;
  if (len === 1) {
    out[first] = fixedStart ?? fixedEnd ?? out[first];
    stretchConfidence(ctx, first, last);
    return;
  }
  const maxSpan = Math.ceil((MAX_TEMPO_RATIO * len * perf.hopSeconds + 2) / sHop);
  const colOf = (x: number): number => Math.min(scoreFrames - 1, Math.max(0, Math.round(x)));
  let pairs: FramePairs;
  const startExact = fixedStart;
  let endExact = fixedEnd;
  if (fixedStart !== undefined && fixedEnd !== undefined) {
    const startCol = colOf(fixedStart / sHop);
    const endCol = Math.max(startCol, colOf(fixedEnd / sHop));
    if (endCol === startCol) endExact = startExact;
    pairs = pinnedDtw(perf, score, levels, first, last, startCol, endCol);
  } else {
    let startCols: [number, number];
    if (fixedStart !== undefined) startCols = [colOf(fixedStart / sHop), colOf(fixedStart / sHop)];
    else {
      const open = stretch.start as Extract<StartSpec, { kind: 'open' }>;
      const endCol = fixedEnd !== undefined ? colOf(fixedEnd / sHop) : scoreFrames - 1;
      const refCol = open.refFrame >= 0 ? colOf(out[open.refFrame] / sHop) : -1;
      if (open.dir === 'back' && refCol >= 0)
        startCols = [Math.max(0, Math.min(refCol, endCol) - maxSpan), Math.min(refCol, endCol)];
      else if (open.dir === 'fwd' && refCol >= 0) {
        const lo = colOf(refCol + 1 / sHop);
        startCols = [lo, Math.max(lo, fixedEnd !== undefined ? endCol : scoreFrames - 1)];
      } else
        startCols = fixedEnd !== undefined ? [Math.max(0, endCol - maxSpan), endCol] : [0, scoreFrames - 1];
    }
    const endCols: [number, number] =
      fixedEnd !== undefined
        ? [Math.max(startCols[0], colOf(fixedEnd / sHop)), Math.max(startCols[0], colOf(fixedEnd / sHop))]
        : [startCols[0], colOf(startCols[1] + maxSpan)];
    let res = openDtw(perf, score, levels, first, last, startCols, endCols);
    // Free ends snap to a score jump point nearby.
    if (ctx.jumpPointFrames.length) {
      const snap = (col: number, range: [number, number]): number => {
        let best = col;
        let bestDistance = SNAP_SECONDS / sHop;
        for (const j of ctx.jumpPointFrames) {
          for (const candidate of [j, j - 1]) {
            const d = Math.abs(candidate - col);
            if (d < bestDistance && candidate >= range[0] && candidate <= range[1]) {
              bestDistance = d;
              best = candidate;
            }
          }
        }
        return best;
      };
      const startCol = res.scoreFrames[0];
      const endCol = res.scoreFrames[res.scoreFrames.length - 1];
      const snappedStart = fixedStart === undefined ? snap(startCol, startCols) : startCol;
      const snappedEnd = fixedEnd === undefined ? snap(endCol, endCols) : endCol;
      if ((snappedStart !== startCol || snappedEnd !== endCol) && snappedEnd >= snappedStart)
        res = pinnedDtw(perf, score, levels, first, last, snappedStart, snappedEnd);
    }
    pairs = res;
  }
  writeDense(ctx, pairs, first, last, startExact, endExact);
  out.fill(out[first], stretch.first, first);
  out.fill(out[last], last + 1, stretch.last + 1);
  keepOldPath(ctx, stretch, fixedStart, fixedEnd, [first, last]);
  stretchConfidence(ctx, stretch.first, stretch.last);
}

/**
 * Writes the DP's frame pairs over perf frames first … last into ctx.out as a dense path, the
 * pinned ends at their exact score times (a ramp of under a frame's error), and snaps its chords
 * onto their onsets between the ends, which stay (pins are hard constraints).
 */
function writeDense(
  ctx: SolveContext,
  pairs: FramePairs,
  first: number,
  last: number,
  startExact: number | undefined,
  endExact: number | undefined,
): void {
  const { perf, out } = ctx;
  const len = last - first + 1;
  const rel = new Int32Array(pairs.perfFrames.length);
  for (let k = 0; k < rel.length; k++) rel[k] = pairs.perfFrames[k] - first;
  const dense = pathFromFramePairs(rel, pairs.scoreFrames, {
    perfFrames: len,
    hopSeconds: perf.hopSeconds,
    scoreHopSeconds: ctx.score.hopSeconds,
    method: 'manual',
    confidence: new Float32Array(len),
    jumpPairs: [],
  }).scoreTime;
  const startShift = startExact !== undefined ? startExact - dense[0] : 0;
  const endShift = endExact !== undefined ? endExact - dense[len - 1] : 0;
  for (let q = 0; q < len; q++)
    out[first + q] = dense[q] + startShift + ((endShift - startShift) * q) / (len - 1);
  if (!ctx.snap) return;
  const stretch: AlignmentPath = {
    hopSeconds: perf.hopSeconds,
    scoreTime: out,
    confidence: ctx.conf,
    jumpFrames: [],
    method: 'manual',
  };
  snapToOnsets(stretch, perf, ctx.snap.scoreNotes, ctx.snap.params, [first, last + 1]);
  if (ctx.snap.beats)
    timeUnstruckBeats(stretch, ctx.snap.beats, ctx.snap.scoreNotes, DEFAULT_UNSTRUCK, [first, last + 1]);
}

/**
 * Corrections stay local. Where the input path passes a re-aligned stretch's pinned ends within
 * `LOCAL_FIX_SECONDS`, in one pass, and the new DTW path agrees with it within
 * `KEEP_AGREE_SECONDS` (it is no held run or drift the DTW undoes), the stretch keeps the input
 * path: moved onto an end it passes within `KEEP_PATH_SECONDS` (the offset fading out over
 * `KEEP_FADE_SECONDS`: a chord placed a little off, not the whole stretch), and re-aligned only
 * over the `LOCAL_WINDOW_SECONDS` before an end it misses by more (between the input path there
 * and the pin). The aligner's path is finer than the editor's DTW, and an anchor a beat off it
 * says the path is wrong there, not everywhere between it and the next.
 */
function keepOldPath(
  ctx: SolveContext,
  stretch: Stretch,
  fixedStart: number | undefined,
  fixedEnd: number | undefined,
  sounding: [number, number],
): void {
  const { old, out, perf, score } = ctx;
  if (!old || fixedStart === undefined || fixedEnd === undefined) return;
  const { first, last } = stretch;
  if (last <= first) return;
  const startShift = fixedStart - old[first];
  const endShift = fixedEnd - old[last];
  if (Math.abs(startShift) > LOCAL_FIX_SECONDS || Math.abs(endShift) > LOCAL_FIX_SECONDS) return;
  const hop = perf.hopSeconds;
  for (let f = first; f < last; f++) {
    const step = old[f + 1] - old[f];
    if (step < -JUMP_BACK_SECONDS || step > JUMP_FORWARD_SECONDS + JUMP_MAX_SLOPE * hop) return;
  }
  const len = last - first + 1;
  const windowFrames = Math.round(LOCAL_WINDOW_SECONDS / hop);
  const startAgrees = Math.abs(startShift) <= KEEP_PATH_SECONDS;
  const endAgrees = Math.abs(endShift) <= KEEP_PATH_SECONDS;
  const headFrames = startAgrees ? 0 : windowFrames;
  const tailFrames = endAgrees ? 0 : windowFrames;
  if (headFrames + tailFrames >= len - 1) return;
  // An end the path passes within KEEP_PATH_SECONDS: its offset, faded out over KEEP_FADE_SECONDS.
  const fade = Math.min(len - 1, Math.max(1, Math.round(KEEP_FADE_SECONDS / hop)));
  const kept = new Float64Array(len);
  for (let q = 0; q < len; q++)
    kept[q] =
      old[first + q] +
      (startAgrees ? startShift * Math.max(0, 1 - q / fade) : 0) +
      (endAgrees ? endShift * Math.max(0, 1 - (len - 1 - q) / fade) : 0);
  const lo = Math.max(sounding[0], first + headFrames);
  const hi = Math.min(sounding[1], last - tailFrames);
  for (let f = lo; f <= hi; f++) if (Math.abs(kept[f - first] - out[f]) > KEEP_AGREE_SECONDS) return;
  // A window must run forwards from the input path to the pin (else the stretch's DTW stands).
  if (headFrames && kept[headFrames] < fixedStart) return;
  if (tailFrames && fixedEnd < kept[len - 1 - tailFrames]) return;
  out.set(kept, first);
  const colOf = (t: number): number => clampCol(t / score.hopSeconds, score.frames);
  const resolve = (a: number, b: number, from: number, to: number): void =>
    writeDense(
      ctx,
      pinnedDtw(perf, score, ctx.levels, a, b, colOf(from), Math.max(colOf(from), colOf(to))),
      a,
      b,
      from,
      to,
    );
  if (headFrames) resolve(first, first + headFrames, fixedStart, kept[headFrames]);
  if (tailFrames) resolve(last - tailFrames, last, kept[len - 1 - tailFrames], fixedEnd);
}

/** Confidence of re-aligned frames first … last from their local cost (placed between the piece's good and random levels). */
function stretchConfidence(ctx: SolveContext, first: number, last: number): void {
  const { good, random, cost } = ctx.levels;
  const len = last - first + 1;
  const costs = new Float64Array(len);
  for (let q = 0; q < len; q++)
    costs[q] = cellCost(
      ctx.perf,
      ctx.score,
      first + q,
      clampCol(ctx.out[first + q] / ctx.score.hopSeconds, ctx.score.frames),
      cost,
    );
  const smooth = movingAverage(costs, SMOOTH_HALF_FRAMES);
  const span = Math.max(1e-6, random - good);
  for (let q = 0; q < len; q++) ctx.conf[first + q] = Math.min(1, Math.max(0, (random - smooth[q]) / span));
}
