/**
 * Re-alignment under hand corrections. Every correction is a hard constraint:
 * - an anchor pins its perf frame (`round(perfTime / hopSeconds)`) to exactly its score time (confidence 1);
 * - a manual jump cuts the path before its perf frame and pins that frame to `toScoreTime`; the
 *   frame before the cut is free (the DP picks where the previous pass ends);
 * - a `not-in-score` region holds the score position of the frame before it (the frame after it
 *   when it opens the recording), confidence 0, and is left out of the DP; the pass before it
 *   ends where the DP finds the music stopped, the pass after it resumes from the held position;
 * - a `repeat-taken` region [perfStart, perfEnd] is a pass that replays score material: the path
 *   jumps back at perfStart (target chosen by the DP, at or before the position just before the
 *   region) and is back at the position it had just before perfStart at perfEnd;
 * - a `repeat-skipped` region: the path jumps forward at perfStart (by at least 1 s of score,
 *   target chosen by the DP); perfEnd is not used;
 * - `checked` regions do not constrain anything.
 * Between consecutive constraints the path is a monotone DTW on the features of that stretch
 * (coarse-to-fine: `multiscaleDtw` between two pinned points, an open-ended banded DP where an
 * end is free). The input path's own jumps are kept as constraints (both frames either side
 * pinned to their old values) unless inside a `not-in-score` region, within
 * `OLD_JUMP_OVERRIDE_SECONDS` of a manual jump or a repeat/not-in-score boundary, or contradicted
 * by an anchor within `ANCHOR_CHECK_SECONDS` (off the old path by more than
 * `ANCHOR_CONTRADICTION_SECONDS`); `realignLocal` also drops the old jump at the edit itself (so
 * deleting a manual jump removes it). An anchor behind the previous pinned point of its pass
 * (by more than the scorer's 0.25 s) implies a jump between the two, and so does an anchor more
 * than `IMPLIED_JUMP_OFF_SECONDS` off the input path when a jump fits the features better than one
 * pass by more than a penalty; the jump goes where a pass from the earlier point plus a pass into
 * the anchor fit best (`cutFinder`), and `realignLocal` re-aligns both passes. Free pass ends
 * snap to `jumpPointsSeconds` within 1 s when given. The recording's first and
 * last frames keep their old score positions unless a constraint says otherwise.
 */
import type { AlignmentPath } from '../path.js';
import { JUMP_BACK_SECONDS, pathFromFramePairs } from '../path.js';
import type { Features } from '../dsp/features.js';
import { poolFeatures } from '../dsp/features.js';
import { NUM_PITCHES } from '../dsp/params.js';
import type { Band } from '../align/band.js';
import { fullBand } from '../align/band.js';
import type { CostParams } from '../align/cost.js';
import { DEFAULT_COST, cellCost, normalisedCost, randomCellCost, rowCosts } from '../align/cost.js';
import { movingAverage } from '../align/confidence.js';
import { DEFAULT_DTW, multiscaleDtw, projectPath, sliceFeatures, soundingRange } from '../align/dtw.js';
import type { Corrections } from './types.js';

/** An old jump this close (s) to a manual jump or a region boundary is replaced by it. */
export const OLD_JUMP_OVERRIDE_SECONDS = 3;
/** Anchors this close (s) to an old jump are checked against it. */
export const ANCHOR_CHECK_SECONDS = 5;
/** An anchor this far (score s) off the old path contradicts a nearby old jump. */
export const ANCHOR_CONTRADICTION_SECONDS = 1;
/** An anchor this far (score s) off the input path is checked for an implied jump before it. */
export const IMPLIED_JUMP_OFF_SECONDS = 2;
/** Cost of an implied jump, in cells' worth of (random − good) cost. */
const IMPLIED_JUMP_PENALTY = 10;
/** Fastest tempo ratio (score s per perf s) an open end may imply. */
const MAX_TEMPO_RATIO = 3;
/** Coarsest level size of the pinned-stretch multiscale DTW. */
const EDIT_COARSE_MAX_FRAMES = 400;
/** Cells of the coarse open-ended DP before its frames grow. */
const OPEN_DP_MAX_CELLS = 300_000;
/** Band radius (frames) of the fine open-ended DP around the coarse path. */
const OPEN_FINE_RADIUS = 12;
/** A free end may be later than the cheapest by this many cells' worth of (random − good) cost. */
const OPEN_END_SLACK = 2;
/** A free end moves to a score jump point this close (s). */
const SNAP_SECONDS = 1;
/** Half-width (frames) of the confidence smoothing, as in `pathConfidence`. */
const SMOOTH_HALF_FRAMES = 11;

/** What `realignLocal` re-aligns around: a point (an anchor or jump added, moved or deleted) or a range. */
export type EditSpan = { perfTime: number } | { perfStart: number; perfEnd: number };

/** Options of the re-aligners. */
export interface RealignOptions {
  /** Score times (s) where jumps may start or land (`Score.jumpPoints`): free ends of passes snap to them. */
  jumpPointsSeconds?: readonly number[];
}

type StartSpec =
  | { kind: 'pin'; score: number }
  | { kind: 'prev'; frame: number }
  | { kind: 'open'; dir: 'any' | 'back' | 'fwd'; refFrame: number };
type EndSpec = { kind: 'pin'; score: number } | { kind: 'prev'; frame: number } | { kind: 'open' };
interface StretchItem {
  kind: 'dtw';
  a: number;
  b: number;
  start: StartSpec;
  end: EndSpec;
  /** Starts the recording unconstrained: leading silence holds the first score position. */
  lead?: boolean;
  /** Ends the recording unconstrained: trailing silence holds the last score position. */
  tail?: boolean;
}
interface HoldItem {
  kind: 'hold';
  a: number;
  b: number;
}
type Item = StretchItem | HoldItem;

/** The constraint plan: items tiling the recording (stretches share their pinned end frames). */
interface Plan {
  items: Item[];
  /** Frames pinned by anchors → score seconds. */
  anchors: Map<number, number>;
  /** Frames f where the path may be discontinuous between f − 1 and f. */
  cuts: Set<number>;
  /** Frame spans [previous pin, anchor] in which an anchor implied a jump. */
  implied: [number, number][];
}

/**
 * Where (first frame of the later pass) a jump between pin (f0, score s0) and pin (f1, score s1)
 * fits best, and how much cheaper that is than one monotone pass (less the jump penalty).
 */
type CutFinder = (f0: number, s0: number, f1: number, s1: number) => { cut: number; gain: number };

/** Cost params of a piece and its cost levels: `good` (10th percentile along the input path) and `random` (20th percentile of random cells). */
interface Levels {
  cost: CostParams;
  good: number;
  random: number;
}

function costLevels(perf: Features, score: Features, path: AlignmentPath): Levels {
  const cost = normalisedCost(perf, score, DEFAULT_COST);
  const sampled: number[] = [];
  for (let i = 0; i < perf.frames; i += 7)
    sampled.push(
      cellCost(perf, score, i, clampCol(path.scoreTime[i] / score.hopSeconds, score.frames), cost),
    );
  sampled.sort((x, y) => x - y);
  return {
    cost,
    good: sampled.length ? sampled[Math.floor(sampled.length * 0.1)] : 0,
    random: randomCellCost(perf, score, cost, 0.2),
  };
}

interface Ctx {
  perf: Features;
  score: Features;
  cost: CostParams;
  good: number;
  random: number;
  jumpPointFrames: number[];
  /** [first, last] sounding perf frame. */
  sound: [number, number];
  out: Float64Array;
  conf: Float32Array;
}

/** Re-aligns only the stretch between the constraints neighbouring the edit, with ALL corrections as hard constraints; frames outside it are unchanged. */
export function realignLocal(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  corrections: Corrections,
  edit: EditSpan,
  options: RealignOptions = {},
): AlignmentPath {
  checkInputs(perf, score, path);
  const N = perf.frames;
  const lo = (t: number): number => Math.min(N - 1, Math.max(0, Math.floor(t / path.hopSeconds)));
  const hi = (t: number): number => Math.min(N - 1, Math.max(0, Math.ceil(t / path.hopSeconds)));
  let e0: number;
  let e1: number;
  let drop: [number, number][];
  if ('perfTime' in edit) {
    e0 = lo(edit.perfTime);
    e1 = hi(edit.perfTime);
    drop = [[e0 - 2, e1 + 2]];
  } else {
    e0 = lo(Math.min(edit.perfStart, edit.perfEnd));
    e1 = hi(Math.max(edit.perfStart, edit.perfEnd));
    drop = [
      [e0 - 2, e0 + 2],
      [e1 - 2, e1 + 2],
    ];
  }
  const lv = costLevels(perf, score, path);
  const plan = buildPlan(path, corrections, drop, cutFinder(perf, score, lv));
  // A jump an anchor at the edit implies moves the passes on both sides of it.
  for (const [p0, p1] of plan.implied) {
    if (p1 >= e0 - 1 && p0 <= e1 + 1) {
      e0 = Math.min(e0, p0);
      e1 = Math.max(e1, p1);
    }
  }
  return solvePlan(perf, score, path, plan, (it) => it.b >= e0 - 1 && it.a <= e1 + 1, options, lv);
}

/** Full re-alignment with all constraints (after loading a project or many edits); free pass ends snap to `jumpPointsSeconds`. */
export function realignAll(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  corrections: Corrections,
  jumpPointsSeconds: readonly number[],
): AlignmentPath {
  checkInputs(perf, score, path);
  const lv = costLevels(perf, score, path);
  const plan = buildPlan(path, corrections, [], cutFinder(perf, score, lv));
  return solvePlan(perf, score, path, plan, () => true, { jumpPointsSeconds }, lv);
}

function checkInputs(perf: Features, score: Features, path: AlignmentPath): void {
  if (path.scoreTime.length !== perf.frames) {
    throw new RangeError(
      `realign: the path has ${path.scoreTime.length} frames, expected the performance's ${perf.frames}`,
    );
  }
  if (perf.frames < 1 || score.frames < 1)
    throw new RangeError(
      `realign: need ≥ 1 frame each, got ${perf.frames} perf and ${score.frames} score frames`,
    );
  if (Math.abs(perf.hopSeconds - path.hopSeconds) > 1e-9) {
    throw new RangeError(
      `realign: path hop ${path.hopSeconds} s differs from the features' ${perf.hopSeconds} s`,
    );
  }
}

function frameOf(t: number, hop: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.round(t / hop)));
}

/** Builds the constraint plan of `corrections` over the whole recording (see the module comment). */
function buildPlan(
  path: AlignmentPath,
  corrections: Corrections,
  dropRanges: readonly [number, number][],
  cutBetween: CutFinder,
): Plan {
  const N = path.scoreTime.length;
  const hop = path.hopSeconds;
  const old = path.scoreTime;
  const fr = (t: number): number => frameOf(t, hop, N);
  const hold = new Uint8Array(N);
  const boundaries: number[] = [];
  for (const r of corrections.regions) {
    if (r.kind !== 'not-in-score') continue;
    const a = fr(Math.min(r.perfStart, r.perfEnd));
    const b = fr(Math.max(r.perfStart, r.perfEnd));
    hold.fill(1, a, b + 1);
    boundaries.push(a, b + 1);
  }
  const anchors = new Map<number, number>();
  for (const an of corrections.anchors) {
    const f = fr(an.perfTime);
    if (!hold[f]) anchors.set(f, an.scoreTime);
  }
  const cuts = new Map<number, StartSpec>();
  const endPins = new Map<number, EndSpec>();
  for (const r of corrections.regions) {
    if (r.kind !== 'repeat-taken' && r.kind !== 'repeat-skipped') continue;
    const ps = fr(Math.min(r.perfStart, r.perfEnd));
    const pe = fr(Math.max(r.perfStart, r.perfEnd));
    if (ps < 1 || hold[ps] || hold[ps - 1]) continue;
    boundaries.push(ps);
    cuts.set(ps, { kind: 'open', dir: r.kind === 'repeat-taken' ? 'back' : 'fwd', refFrame: ps - 1 });
    if (r.kind === 'repeat-taken' && pe > ps && !hold[pe]) endPins.set(pe, { kind: 'prev', frame: ps - 1 });
  }
  for (const j of corrections.jumps) {
    // The frame at or just before perfTime, so the path is at the target at perfTime itself.
    const f = Math.min(N - 1, Math.max(0, Math.floor(j.perfTime / hop + 1e-6)));
    if (f < 1 || hold[f]) continue;
    boundaries.push(f);
    cuts.set(f, { kind: 'pin', score: j.toScoreTime });
  }
  // The input path's own jumps, unless overridden.
  const overrideFrames = OLD_JUMP_OVERRIDE_SECONDS / hop;
  const checkFrames = ANCHOR_CHECK_SECONDS / hop;
  for (const J of path.jumpFrames) {
    if (J < 1 || J >= N || hold[J] || hold[J - 1] || cuts.has(J)) continue;
    if (boundaries.some((b) => Math.abs(b - J) <= overrideFrames)) continue;
    if (dropRanges.some(([lo, hi]) => J >= lo && J <= hi)) continue;
    let contradicted = false;
    for (const [f, s] of anchors) {
      if (Math.abs(f - J) <= checkFrames && Math.abs(old[f] - s) > ANCHOR_CONTRADICTION_SECONDS)
        contradicted = true;
    }
    if (contradicted) continue;
    cuts.set(J, { kind: 'pin', score: old[J] });
    if (!anchors.has(J - 1)) endPins.set(J - 1, { kind: 'pin', score: old[J - 1] });
  }
  // An anchor behind the previous pinned point of its pass implies a jump between them; one
  // far off the input path implies one where a jump fits much better than a monotone pass. The
  // jump goes where the two passes fit the performance best.
  const implied: [number, number][] = [];
  let last = hold[0] ? -Infinity : old[0];
  let lastFrame = hold[0] ? -1 : 0;
  for (let f = 0; f < N; f++) {
    if (hold[f] || cuts.has(f)) {
      last = -Infinity;
      lastFrame = -1;
    }
    const c = cuts.get(f);
    if (c?.kind === 'pin') {
      last = c.score;
      lastFrame = f;
    }
    const an = anchors.get(f);
    if (an === undefined) continue;
    const behind = an < last - JUMP_BACK_SECONDS;
    const off = Math.abs(old[f] - an) > IMPLIED_JUMP_OFF_SECONDS;
    if (f >= 1 && lastFrame >= 0 && lastFrame < f && !cuts.has(f) && (behind || off)) {
      const found = cutBetween(lastFrame, last, f, an);
      if (behind || found.gain > 0) {
        const cut = Math.min(f, Math.max(lastFrame + 1, found.cut));
        cuts.set(cut, cut === f ? { kind: 'pin', score: an } : { kind: 'open', dir: 'any', refFrame: -1 });
        implied.push([lastFrame, f]);
      }
    }
    last = an;
    lastFrame = f;
  }

  const items: Item[] = [];
  let f = 0;
  while (f < N) {
    if (hold[f]) {
      let g = f;
      while (g + 1 < N && hold[g + 1]) g++;
      items.push({ kind: 'hold', a: f, b: g });
      f = g + 1;
      continue;
    }
    const a = f;
    let start: StartSpec;
    const an = anchors.get(a);
    const cut = cuts.get(a);
    if (an !== undefined) start = { kind: 'pin', score: an };
    else if (cut) start = cut;
    else if (a === 0) start = { kind: 'pin', score: old[0] };
    else if (hold[a - 1]) {
      let h = a - 1;
      while (h > 0 && hold[h - 1]) h--;
      start = h > 0 ? { kind: 'prev', frame: h - 1 } : { kind: 'open', dir: 'any', refFrame: -1 };
    } else start = { kind: 'prev', frame: a };
    const breaks = (g: number): boolean => g + 1 >= N || hold[g + 1] === 1 || cuts.has(g + 1);
    if (breaks(a)) {
      // A one-frame stretch.
      items.push({
        kind: 'dtw',
        a,
        b: a,
        start,
        end: an !== undefined ? { kind: 'pin', score: an } : { kind: 'open' },
      });
      f = a + 1;
      continue;
    }
    let b = a + 1;
    while (!anchors.has(b) && !endPins.has(b) && !breaks(b)) b++;
    const bAnchor = anchors.get(b);
    let end: EndSpec;
    if (bAnchor !== undefined) end = { kind: 'pin', score: bAnchor };
    else if (endPins.has(b)) end = endPins.get(b) as EndSpec;
    else if (b === N - 1) end = { kind: 'pin', score: old[N - 1] };
    else end = { kind: 'open' };
    items.push({
      kind: 'dtw',
      a,
      b,
      start,
      end,
      lead: a === 0 && an === undefined && !cut,
      tail: b === N - 1 && bAnchor === undefined && !endPins.has(b),
    });
    f = breaks(b) ? b + 1 : b;
  }
  return { items, anchors, cuts: new Set(cuts.keys()), implied };
}

/** Solves the items `pick` selects (plus every item reading a value they changed), left to right, on a copy of `path`. */
function solvePlan(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  plan: Plan,
  pick: (it: Item) => boolean,
  options: RealignOptions,
  lv: Levels,
): AlignmentPath {
  const N = perf.frames;
  const sHop = score.hopSeconds;
  const ctx: Ctx = {
    perf,
    score,
    ...lv,
    jumpPointFrames: (options.jumpPointsSeconds ?? [])
      .map((t) => Math.round(t / sHop))
      .filter((c) => c >= 0 && c < score.frames),
    sound: soundingRange(perf),
    out: Float64Array.from(path.scoreTime),
    conf: Float32Array.from(path.confidence),
  };
  const solved = new Uint8Array(N);
  const changed = new Uint8Array(N);
  const openingHolds: HoldItem[] = [];
  for (const it of plan.items) {
    const deps = dependencies(it);
    if (!pick(it) && !deps.some((d) => d >= 0 && changed[d])) continue;
    const before = ctx.out.slice(it.a, it.b + 1);
    if (it.kind === 'hold') {
      if (it.a === 0) openingHolds.push(it);
      else ctx.out.fill(ctx.out[it.a - 1], it.a, it.b + 1);
      ctx.conf.fill(0, it.a, it.b + 1);
    } else solveStretch(ctx, it);
    solved.fill(1, it.a, it.b + 1);
    for (let f = it.a; f <= it.b; f++) if (Math.abs(ctx.out[f] - before[f - it.a]) > 1e-9) changed[f] = 1;
  }
  for (const h of openingHolds) if (h.b + 1 < N) ctx.out.fill(ctx.out[h.b + 1], h.a, h.b + 1);
  for (const [f, s] of plan.anchors) {
    if (!solved[f]) continue;
    ctx.out[f] = s;
    ctx.conf[f] = 1;
  }
  // Jumps: old ones where nothing was re-solved, plan cuts where the values do break.
  const jumps = new Set<number>();
  for (const J of path.jumpFrames) if (!solved[J] && !solved[J - 1]) jumps.add(J);
  for (const c of plan.cuts) {
    if (c < 1 || c >= N || (!solved[c] && !solved[c - 1])) continue;
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

function dependencies(it: Item): number[] {
  if (it.kind === 'hold') return [it.a - 1];
  const d: number[] = [];
  if (it.start.kind === 'prev') d.push(it.start.frame);
  if (it.start.kind === 'open') d.push(it.start.refFrame);
  if (it.end.kind === 'prev') d.push(it.end.frame);
  return d;
}

function clampCol(x: number, cols: number): number {
  return Math.min(cols - 1, Math.max(0, Math.round(x)));
}

/** Re-aligns frames a … b of one stretch into ctx.out / ctx.conf. */
function solveStretch(ctx: Ctx, it: StretchItem): void {
  const { perf, score, out } = ctx;
  const M = score.frames;
  const sHop = score.hopSeconds;
  // Silence before the first / after the last sound of the recording holds the end positions.
  const a = it.lead && it.b > it.a ? Math.min(Math.max(it.a, ctx.sound[0]), it.b - 1) : it.a;
  const b = it.tail && it.b > a ? Math.max(Math.min(it.b, ctx.sound[1]), a + 1) : it.b;
  const len = b - a + 1;
  const fixedStart =
    it.start.kind === 'pin' ? it.start.score : it.start.kind === 'prev' ? out[it.start.frame] : undefined;
  const fixedEnd =
    it.end.kind === 'pin' ? it.end.score : it.end.kind === 'prev' ? out[it.end.frame] : undefined;
  if (len === 1) {
    out[a] = fixedStart ?? fixedEnd ?? out[a];
    stretchConfidence(ctx, a, b);
    return;
  }
  const maxSpan = Math.ceil((MAX_TEMPO_RATIO * len * perf.hopSeconds + 2) / sHop);
  const lim = (x: number): number => Math.min(M - 1, Math.max(0, Math.round(x)));
  let pairs: { perfFrames: ArrayLike<number>; scoreFrames: ArrayLike<number> };
  const startExact = fixedStart;
  let endExact = fixedEnd;
  if (fixedStart !== undefined && fixedEnd !== undefined) {
    const s = lim(fixedStart / sHop);
    const e = Math.max(s, lim(fixedEnd / sHop));
    if (e === s) endExact = startExact;
    pairs = pinnedDtw(ctx, a, b, s, e);
  } else {
    let sRange: [number, number];
    if (fixedStart !== undefined) sRange = [lim(fixedStart / sHop), lim(fixedStart / sHop)];
    else {
      const st = it.start as Extract<StartSpec, { kind: 'open' }>;
      const e = fixedEnd !== undefined ? lim(fixedEnd / sHop) : M - 1;
      const ref = st.refFrame >= 0 ? lim(out[st.refFrame] / sHop) : -1;
      if (st.dir === 'back' && ref >= 0) sRange = [Math.max(0, Math.min(ref, e) - maxSpan), Math.min(ref, e)];
      else if (st.dir === 'fwd' && ref >= 0) {
        const lo = lim(ref + 1 / sHop);
        sRange = [lo, Math.max(lo, fixedEnd !== undefined ? e : M - 1)];
      } else sRange = fixedEnd !== undefined ? [Math.max(0, e - maxSpan), e] : [0, M - 1];
    }
    const eRange: [number, number] =
      fixedEnd !== undefined
        ? [Math.max(sRange[0], lim(fixedEnd / sHop)), Math.max(sRange[0], lim(fixedEnd / sHop))]
        : [sRange[0], lim(sRange[1] + maxSpan)];
    let res = openDtw(ctx, a, b, sRange, eRange);
    // Free ends snap to a score jump point nearby.
    if (ctx.jumpPointFrames.length) {
      const snap = (c: number, range: [number, number]): number => {
        let best = c;
        let bestD = SNAP_SECONDS / sHop;
        for (const j of ctx.jumpPointFrames) {
          for (const cand of [j, j - 1]) {
            const d = Math.abs(cand - c);
            if (d < bestD && cand >= range[0] && cand <= range[1]) {
              bestD = d;
              best = cand;
            }
          }
        }
        return best;
      };
      const s0 = res.scoreFrames[0];
      const e0 = res.scoreFrames[res.scoreFrames.length - 1];
      const s1 = fixedStart === undefined ? snap(s0, sRange) : s0;
      const e1 = fixedEnd === undefined ? snap(e0, eRange) : e0;
      if ((s1 !== s0 || e1 !== e0) && e1 >= s1) res = pinnedDtw(ctx, a, b, s1, e1);
    }
    pairs = res;
  }
  const rel = new Int32Array(pairs.perfFrames.length);
  for (let k = 0; k < rel.length; k++) rel[k] = pairs.perfFrames[k] - a;
  const dense = pathFromFramePairs(rel, pairs.scoreFrames, {
    perfFrames: len,
    hopSeconds: perf.hopSeconds,
    scoreHopSeconds: sHop,
    method: 'manual',
    confidence: new Float32Array(len),
    jumpPairs: [],
  }).scoreTime;
  // Pinned ends take their exact score times (a ramp of under a frame's error).
  const d0 = startExact !== undefined ? startExact - dense[0] : 0;
  const d1 = endExact !== undefined ? endExact - dense[len - 1] : 0;
  for (let q = 0; q < len; q++) out[a + q] = dense[q] + d0 + ((d1 - d0) * q) / (len - 1);
  out.fill(out[a], it.a, a);
  out.fill(out[b], b + 1, it.b + 1);
  stretchConfidence(ctx, it.a, it.b);
}

/**
 * The cut finder of the implied jumps: coarse open-ended DPs forwards from the earlier pin and
 * backwards from the later one; the cut goes where the best prefix plus the best suffix is least.
 */
function cutFinder(perf: Features, score: Features, lv: Levels): CutFinder {
  const { cost } = lv;
  return (fp, sp, fa, sa) => {
    const rows = fa - fp + 1;
    if (rows < 3) return { cut: fa, gain: 0 };
    const M = score.frames;
    const sHop = score.hopSeconds;
    const maxSpan = Math.ceil((MAX_TEMPO_RATIO * rows * perf.hopSeconds + 2) / sHop);
    const c0 = clampCol(sp / sHop, M);
    const d1 = clampCol(sa / sHop, M);
    const c1 = Math.min(M - 1, Math.max(c0 + maxSpan, d1));
    const d0 = Math.max(0, d1 - maxSpan);
    const F = Math.max(
      1,
      Math.ceil(Math.sqrt((rows * Math.max(c1 - c0 + 1, d1 - d0 + 1)) / OPEN_DP_MAX_CELLS)),
    );
    const P = poolFeatures(sliceFeatures(perf, fp, fa), F);
    const fwd = poolFeatures(sliceFeatures(score, c0, c1), F);
    const bwd = reverseFeatures(poolFeatures(sliceFeatures(score, d0, d1), F));
    const R = P.frames;
    if (R < 2) return { cut: fa, gain: 0 };
    const m1 = new Float64Array(R);
    const m2 = new Float64Array(R);
    bandedOpenDtw(P, fwd, fullBand(R, fwd.frames), [0, 0], [0, fwd.frames - 1], cost, 0, m1);
    // One monotone pass from the earlier pin to the later one, where there can be one.
    const back = Math.floor((F - 1) / 2);
    const ka = Math.min(fwd.frames - 1, Math.floor((d1 - c0 + back) / F));
    const mono =
      d1 >= c0 ? bandedOpenDtw(P, fwd, fullBand(R, fwd.frames), [0, 0], [ka, ka], cost).totalCost : Infinity;
    bandedOpenDtw(reverseFeatures(P), bwd, fullBand(R, bwd.frames), [0, 0], [0, bwd.frames - 1], cost, 0, m2);
    let best = R - 1;
    let bestCost = Infinity;
    for (let k = 1; k < R; k++) {
      const v = m1[k - 1] + m2[R - 1 - k];
      if (v < bestCost) {
        bestCost = v;
        best = k;
      }
    }
    const penalty = IMPLIED_JUMP_PENALTY * Math.max(0, lv.random - lv.good);
    return { cut: fp + Math.min(rows - 1, Math.max(1, best * F - back)), gain: mono - bestCost - penalty };
  };
}

/** Features in reverse frame order (copies). */
function reverseFeatures(f: Features): Features {
  const n = f.frames;
  const chroma = new Float32Array(n * 12);
  const onset = new Float32Array(n * 12);
  const energy = new Float32Array(n);
  const P = NUM_PITCHES;
  const notes = f.notes?.length === n * P ? new Float32Array(n * P) : undefined;
  for (let i = 0; i < n; i++) {
    const r = n - 1 - i;
    chroma.set(f.chroma.subarray(r * 12, r * 12 + 12), i * 12);
    onset.set(f.onset.subarray(r * 12, r * 12 + 12), i * 12);
    energy[i] = f.energy[r];
    notes?.set(f.notes!.subarray(r * P, r * P + P), i * P);
  }
  return { frames: n, hopSeconds: f.hopSeconds, chroma, onset, energy, ...(notes ? { notes } : {}) };
}

/** Monotone DTW from (a, s) to (b, e), coarse to fine. */
function pinnedDtw(
  ctx: Ctx,
  a: number,
  b: number,
  s: number,
  e: number,
): { perfFrames: Int32Array; scoreFrames: Int32Array } {
  const r = multiscaleDtw(sliceFeatures(ctx.perf, a, b), sliceFeatures(ctx.score, s, e), {
    ...DEFAULT_DTW,
    coarseMaxFrames: EDIT_COARSE_MAX_FRAMES,
    cost: ctx.cost,
  });
  for (let k = 0; k < r.perfFrames.length; k++) {
    r.perfFrames[k] += a;
    r.scoreFrames[k] += s;
  }
  return r;
}

/** Monotone DTW over rows a … b starting in a score frame of `sRange` and ending in one of `eRange`: a coarse full DP, then a fine band around it. */
function openDtw(
  ctx: Ctx,
  a: number,
  b: number,
  sRange: [number, number],
  eRange: [number, number],
): { perfFrames: Int32Array; scoreFrames: Int32Array } {
  const c0 = Math.min(sRange[0], eRange[0]);
  const c1 = Math.max(sRange[1], eRange[1], c0);
  const P = sliceFeatures(ctx.perf, a, b);
  const S = sliceFeatures(ctx.score, c0, c1);
  const rel = (r: [number, number]): [number, number] => [r[0] - c0, r[1] - c0];
  const F = Math.max(1, Math.ceil(Math.sqrt((P.frames * S.frames) / OPEN_DP_MAX_CELLS)));
  const slack = OPEN_END_SLACK * Math.max(0, ctx.random - ctx.good);
  let band: Band;
  if (F > 1) {
    const back = Math.floor((F - 1) / 2);
    const Pc = poolFeatures(P, F);
    const Sc = poolFeatures(S, F);
    const pooled = (x: number): number => Math.min(Sc.frames - 1, Math.floor((x + back) / F));
    const sr = rel(sRange);
    const er = rel(eRange);
    const coarse = bandedOpenDtw(
      Pc,
      Sc,
      fullBand(Pc.frames, Sc.frames),
      [pooled(sr[0]), pooled(sr[1])],
      [pooled(er[0]), pooled(er[1])],
      ctx.cost,
      slack,
    );
    band = projectPath(coarse, F, 1, P.frames, S.frames, OPEN_FINE_RADIUS);
  } else band = fullBand(P.frames, S.frames);
  const r = bandedOpenDtw(P, S, band, rel(sRange), rel(eRange), ctx.cost, slack);
  for (let k = 0; k < r.perfFrames.length; k++) {
    r.perfFrames[k] += a;
    r.scoreFrames[k] += c0;
  }
  return r;
}

const DIAG = 0;
const VERT = 1;
const HORIZ = 2;
const START = 3;
const NONE = 255;

/**
 * Banded DTW (unit steps (1,1), (1,0), (0,1)) from row 0 at a column in `sRange` to the last row
 * at a column in `eRange` (both inclusive); of the ends whose cost is within `endSlack` of the
 * least, the latest is taken. `rowMin[r]`, when given, receives the least accumulated cost of row r.
 */
export function bandedOpenDtw(
  perf: Features,
  score: Features,
  band: Band,
  sRange: readonly [number, number],
  eRange: readonly [number, number],
  cost: CostParams = DEFAULT_COST,
  endSlack = 0,
  rowMin?: Float64Array,
): { perfFrames: Int32Array; scoreFrames: Int32Array; totalCost: number } {
  const rows = band.rows;
  if (band.rowStart !== 0 || rows !== perf.frames)
    throw new RangeError(
      `bandedOpenDtw: band covers rows ${band.rowStart}…${band.rowStart + rows - 1}, expected 0…${perf.frames - 1}`,
    );
  let maxW = 1;
  for (let r = 0; r < rows; r++) maxW = Math.max(maxW, band.hi[r] - band.lo[r] + 1);
  const ptr = new Uint8Array(band.offset[rows]);
  let prev = new Float64Array(maxW);
  let cur = new Float64Array(maxW);
  const c = new Float64Array(maxW);
  let plo = 0;
  let phi = -1;
  for (let r = 0; r < rows; r++) {
    const lo = band.lo[r];
    const hi = band.hi[r];
    const base = band.offset[r];
    rowCosts(perf, score, r, lo, hi, c, cost);
    for (let j = lo; j <= hi; j++) {
      const cc = c[j - lo];
      let best = Infinity;
      let code = NONE;
      if (r === 0) {
        if (j >= sRange[0] && j <= sRange[1]) {
          best = cc;
          code = START;
        }
      } else {
        if (j - 1 >= plo && j - 1 <= phi) {
          best = prev[j - 1 - plo] + cc;
          code = DIAG;
        }
        if (j >= plo && j <= phi) {
          const v = prev[j - plo] + cc;
          if (v < best) {
            best = v;
            code = VERT;
          }
        }
      }
      if (j > lo) {
        const v = cur[j - 1 - lo] + cc;
        if (v < best) {
          best = v;
          code = HORIZ;
        }
      }
      cur[j - lo] = best;
      ptr[base + j - lo] = code;
    }
    if (rowMin) {
      let m = Infinity;
      for (let j = 0; j <= hi - lo; j++) if (cur[j] < m) m = cur[j];
      rowMin[r] = m;
    }
    const t = prev;
    prev = cur;
    cur = t;
    plo = band.lo[r];
    phi = band.hi[r];
  }
  let endCol = -1;
  let endCost = Infinity;
  const e0 = Math.max(eRange[0], plo);
  const e1 = Math.min(eRange[1], phi);
  for (let j = e0; j <= e1; j++) {
    if (prev[j - plo] < endCost) {
      endCost = prev[j - plo];
      endCol = j;
    }
  }
  // Among ends as good as the best (within endSlack), the latest: a held note ends where it ends.
  for (let j = e1; j > endCol; j--) {
    if (prev[j - plo] <= endCost + endSlack) {
      endCost = prev[j - plo];
      endCol = j;
      break;
    }
  }
  if (endCol < 0)
    throw new Error(
      `bandedOpenDtw: no path from columns ${sRange[0]}…${sRange[1]} reaches columns ${eRange[0]}…${eRange[1]} of the last row`,
    );
  const outP: number[] = [];
  const outS: number[] = [];
  let i = rows - 1;
  let j = endCol;
  for (;;) {
    outP.push(i);
    outS.push(j);
    const code = ptr[band.offset[i] + j - band.lo[i]];
    if (code === START) break;
    if (code === DIAG) {
      i--;
      j--;
    } else if (code === VERT) i--;
    else if (code === HORIZ) j--;
    else throw new Error(`bandedOpenDtw: broken back-pointer at (${i}, ${j})`);
  }
  const n = outP.length;
  const perfFrames = new Int32Array(n);
  const scoreFrames = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    perfFrames[q] = outP[n - 1 - q];
    scoreFrames[q] = outS[n - 1 - q];
  }
  return { perfFrames, scoreFrames, totalCost: endCost };
}

/** Confidence of re-aligned frames a … b from their local cost (placed between the piece's good and random levels). */
function stretchConfidence(ctx: Ctx, a: number, b: number): void {
  const len = b - a + 1;
  const costs = new Float64Array(len);
  for (let q = 0; q < len; q++)
    costs[q] = cellCost(
      ctx.perf,
      ctx.score,
      a + q,
      clampCol(ctx.out[a + q] / ctx.score.hopSeconds, ctx.score.frames),
      ctx.cost,
    );
  const smooth = movingAverage(costs, SMOOTH_HALF_FRAMES);
  const span = Math.max(1e-6, ctx.random - ctx.good);
  for (let q = 0; q < len; q++) ctx.conf[a + q] = Math.min(1, Math.max(0, (ctx.random - smooth[q]) / span));
}
