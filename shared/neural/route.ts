import type { Features } from '../dsp/features.js';
import type { AlignmentPath } from '../path.js';
import { JUMP_BACK_SECONDS } from '../path.js';
import type { Route } from '../align/refine.js';
import { refineRoute } from '../align/refine.js';
import {
  alignJump,
  coarseJumpPath,
  jumpSearchParams,
  prefillCoarseCosts,
  prestretchScore,
  type CoarseCostCache,
  type CoarseCostFill,
  type CoarseSearchAside,
  type JumpOptions,
  type JumpParams,
  type JumpTarget,
} from '../align/jump.js';
import { cellCoster } from '../align/cost.js';
import { musicRange, soundingRange } from '../align/dtw.js';
import { buildNeuralInput, cellCentreFrame, cellRange } from './input.js';

/** What `alignNeural` needs of a model (electron/engine/neural.ts `NeuralModel` satisfies it). */
export interface NeuralRunner {
  config: { L: number; version: string };
  /** [channels × L × L] input → [L] normalised score positions. */
  run(input: Float32Array): Promise<Float32Array>;
}

/** Options of `alignNeural`. */
export interface NeuralAlignOptions {
  /** Score times (s) where a jump may start or land; route ends are snapped to the nearest within a cell. */
  jumpPointsSeconds?: readonly number[];
  /** Further tuning of the jump search the network steers (`neural-jump`), e.g. `beatPointsSeconds`. */
  jumpParams?: Partial<JumpParams>;
  /** The score's features stretched in time, for the jump search's refinement (`JumpOptions.stretchScore`). */
  stretchScore?: JumpOptions['stretchScore'];
  /** The score's notes for the jump search (`JumpOptions.sameMusic`). */
  sameMusic?: JumpOptions['sameMusic'];
  /**
   * Computes the coarse jump search's cell costs ahead of it (`neural-jump`), e.g. on other
   * threads while the network runs; without it the search computes them itself. The same values.
   */
  fillCoarseCosts?: CoarseCostFill;
  /**
   * Makes the steered search's coarse searches on another thread while this one makes the search
   * alone's (`neural-jump`): they are read when the search alone changes nothing the steered
   * search reads (it made no jump the network's windows take in or that is vetoed), else the
   * steered search is made here. The same path either way.
   */
  searchAside?: CoarseSearchAside;
  /** Network only: the L outputs interpolated to frames, no refinement (for the ablation). */
  raw?: boolean;
  /** Give refinement the network's curve as a guide (band around it) instead of a per-pass multiscale DTW; default false. */
  guide?: boolean;
  signal?: AbortSignal;
  /** Progress 0..1. */
  onProgress?: (fraction: number) => void;
}

/** A run of network rows between two detected jumps, rows `first` … `last` inclusive. */
export interface NeuralPass {
  first: number;
  last: number;
}

/** Score frame (fractional) of each network row: position · scoreFrames − 0.5, clamped. */
export function rowScoreFrames(output: Float32Array, scoreFrames: number): Float64Array {
  const out = new Float64Array(output.length);
  for (let i = 0; i < output.length; i++)
    out[i] = Math.min(scoreFrames - 1, Math.max(0, output[i] * scoreFrames - 0.5));
  return out;
}

/** Running median over ±half rows (window shrinks at the ends): removes one- or two-row spikes, keeps steps. */
export function medianFilter(x: Float64Array, half: number): Float64Array {
  const out = new Float64Array(x.length);
  const win: number[] = [];
  for (let i = 0; i < x.length; i++) {
    win.length = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(x.length - 1, i + half); k++) win.push(x[k]);
    win.sort((a, b) => a - b);
    out[i] = win[win.length >> 1];
  }
  return out;
}

/** A step back of more than this many cells (score frames per row) between rows is a jump. */
export const BACK_JUMP_CELLS = 5;
/** A step forward of more than 1 s plus this many cells is a jump. */
export const FORWARD_JUMP_CELLS = 6;
/** Mean-cost penalty per jump when routes with and without jumps compete. */
export const JUMP_COST_PENALTY = 0.005;

/**
 * Splits the rows into passes at jumps: a step back by more than max(BACK_JUMP_CELLS cells, 0.25 s)
 * or forward by more than 1 s + FORWARD_JUMP_CELLS cells (cells = score frames per row; more where
 * the score is the longer side). Thresholds set on the validation samples (models/README.md).
 */
export function findPasses(
  rowScore: Float64Array,
  perfFrames: number,
  scoreFrames: number,
  scoreHopSeconds: number,
): NeuralPass[] {
  const L = rowScore.length;
  const cell = scoreFrames / L;
  const back = Math.max(BACK_JUMP_CELLS * cell, JUMP_BACK_SECONDS / scoreHopSeconds);
  const fwd =
    FORWARD_JUMP_CELLS * cell * Math.max(1, scoreFrames / Math.max(1, perfFrames)) + 1 / scoreHopSeconds;
  const passes: NeuralPass[] = [];
  let first = 0;
  for (let i = 1; i < L; i++) {
    const d = rowScore[i] - rowScore[i - 1];
    if (d < -back || d > fwd) {
      passes.push({ first, last: i - 1 });
      first = i;
    }
  }
  passes.push({ first, last: L - 1 });
  return passes;
}

/** Per-row smoothness 0..1: exp(−|raw − median| / cell), low where the network's curve is jittery. */
export function rowSmoothness(raw: Float64Array, smooth: Float64Array, scoreFrames: number): Float64Array {
  const cell = scoreFrames / raw.length;
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++)
    out[i] = Math.exp(-Math.abs(raw[i] - smooth[i]) / Math.max(1e-9, cell));
  return out;
}

/** Per-perf-frame score frame: linear between row centres inside a pass, a step between passes, held at the ends. */
export function framesFromRows(
  rowScore: Float64Array,
  passes: readonly NeuralPass[],
  perfFrames: number,
): { scoreFrame: Float64Array; jumpFrames: number[] } {
  const L = rowScore.length;
  const scoreFrame = new Float64Array(perfFrames);
  const jumpFrames: number[] = [];
  for (const [k, p] of passes.entries()) {
    const start = k === 0 ? 0 : cellRange(p.first, perfFrames, L)[0];
    const end = k === passes.length - 1 ? perfFrames : cellRange(passes[k + 1].first, perfFrames, L)[0];
    if (k > 0 && start > 0 && start < perfFrames) jumpFrames.push(start);
    for (let f = start; f < end; f++) {
      // Rows of this pass around frame f.
      let r = p.first;
      while (r < p.last && cellCentreFrame(r + 1, perfFrames, L) <= f) r++;
      const c0 = cellCentreFrame(r, perfFrames, L);
      if (r === p.last || f <= c0) {
        scoreFrame[f] = rowScore[r];
      } else {
        const c1 = cellCentreFrame(r + 1, perfFrames, L);
        scoreFrame[f] = rowScore[r] + ((f - c0) / (c1 - c0)) * (rowScore[r + 1] - rowScore[r]);
      }
    }
  }
  return { scoreFrame, jumpFrames };
}

/** Nearest jump point (as a score frame) within `radius` frames of `frame`, else `frame`. */
function snap(frame: number, jumpPointFrames: readonly number[], radius: number): number {
  let best = frame;
  let bestD = radius;
  for (const j of jumpPointFrames) {
    const d = Math.abs(j - frame);
    if (d <= bestD) {
      bestD = d;
      best = j;
    }
  }
  return best;
}

/** Least-squares line through (x, y) evaluated at `at` (the mean when there is one point or no spread). */
function fitAt(xs: number[], ys: number[], at: number, fallbackSlope: number): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < n; k++) {
    sxx += (xs[k] - mx) ** 2;
    sxy += (xs[k] - mx) * (ys[k] - my);
  }
  const slope = n >= 2 && sxx > 0 ? Math.max(0, sxy / sxx) : fallbackSlope;
  return my + slope * (at - mx);
}

/** Rows used to extrapolate a pass end: up to 8 rows, without the row that straddles a jump. */
const END_ROWS = 8;

/**
 * The coarse route for `refineRoute`: per pass its perf frames (cuts at the row boundary of the
 * jump) and score frames, from a line fitted to the (raw) rows at each end of the pass, extrapolated
 * to the pass's perf ends, then snapped to the nearest jump point within a cell (a pass starting
 * near the score's start or ending near its end is stretched to it).
 */
export function routeFromRows(
  rowScore: Float64Array,
  passes: readonly NeuralPass[],
  perfFrames: number,
  scoreFrames: number,
  jumpPointFrames: readonly number[],
): Route {
  const L = rowScore.length;
  const cell = scoreFrames / L;
  const segments: Route['segments'] = [];
  const K = passes.length;
  for (const [k, p] of passes.entries()) {
    const perfStart = k === 0 ? 0 : cellRange(p.first, perfFrames, L)[0];
    const perfEnd = k === K - 1 ? perfFrames : cellRange(passes[k + 1].first, perfFrames, L)[0];
    if (perfEnd <= perfStart) continue;
    const long = p.last - p.first + 1 >= 4;
    const a = k > 0 && long ? p.first + 1 : p.first;
    const b = k < K - 1 && long ? p.last - 1 : p.last;
    const rows = (from: number, to: number): [number[], number[]] => {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let r = Math.max(a, from); r <= Math.min(b, to); r++) {
        xs.push(cellCentreFrame(r, perfFrames, L));
        ys.push(rowScore[r]);
      }
      return [xs, ys];
    };
    const slope0 = scoreFrames / perfFrames;
    let s0 = fitAt(...rows(a, a + END_ROWS - 1), perfStart, slope0);
    let s1 = fitAt(...rows(b - END_ROWS + 1, b), perfEnd, slope0);
    s0 = k === 0 && s0 < 2 * cell ? 0 : snap(s0, jumpPointFrames, cell);
    s1 = k === K - 1 && s1 > scoreFrames - 2 * cell ? scoreFrames : snap(s1, jumpPointFrames, cell);
    const scoreStart = Math.min(scoreFrames - 1, Math.max(0, Math.round(s0)));
    const scoreEnd = Math.min(scoreFrames, Math.max(scoreStart + 1, Math.round(s1)));
    segments.push({ perfStart, perfEnd, scoreStart, scoreEnd });
  }
  for (let k = 0; k < segments.length; k++) segments[k].perfStart = k === 0 ? 0 : segments[k - 1].perfEnd;
  segments[segments.length - 1].perfEnd = perfFrames;
  return { segments };
}

/** At most this many of the network's jumps (the largest) are tried by `alignNeural`. */
export const MAX_JUMP_CANDIDATES = 6;

/** The passes with only the jumps at pass indices `keep` (k = the pass starting after jump k) left; the others merged. */
export function mergePasses(passes: readonly NeuralPass[], keep: readonly number[]): NeuralPass[] {
  const out: NeuralPass[] = [{ ...passes[0] }];
  for (let k = 1; k < passes.length; k++) {
    if (keep.includes(k)) out.push({ ...passes[k] });
    else out[out.length - 1].last = passes[k].last;
  }
  return out;
}

/** How close (seconds, in performance and in score time) two jumps are to count as the same. */
const SAME_JUMP_SECONDS = 1;

/**
 * Whether a path makes the jumps of the search alone (`searchAloneJumps`): as many, each within
 * `SAME_JUMP_SECONDS` of its counterpart in performance time and in where it lands.
 */
export function sameJumps(path: AlignmentPath, own: readonly SearchJump[], scoreHopSeconds: number): boolean {
  if (path.jumpFrames.length !== own.length) return false;
  return path.jumpFrames.every(
    (f, k) =>
      Math.abs(f - own[k].perfFrame) * path.hopSeconds <= SAME_JUMP_SECONDS &&
      Math.abs(path.scoreTime[f] - own[k].scoreFrame * scoreHopSeconds) <= SAME_JUMP_SECONDS,
  );
}

/** Mean local cost (shared/align/cost.ts) of a dense path: frame f against the score frame it is mapped to. */
export function meanPathCost(perf: Features, score: Features, path: AlignmentPath): number {
  return pathCostSum(perf, score, path, 0, perf.frames - 1) / Math.max(1, perf.frames);
}

/** Summed local cost of perf frames first … last of a dense path, each against the score frame it is mapped to. */
function pathCostSum(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  first: number,
  last: number,
): number {
  let s = 0;
  const cellCost = cellCoster(perf, score);
  for (let f = first; f <= last; f++) {
    const j = Math.min(score.frames - 1, Math.max(0, Math.round(path.scoreTime[f] / score.hopSeconds)));
    s += cellCost(f, j);
  }
  return s;
}

/**
 * What the arbiter (`NeuralJumpParams.arbiterJumpCost`) charges a path: its frames' local costs
 * over the recording's music (`musicRange`), plus `jumpCost` for each jump and for an open end (a
 * path that starts more than `SAME_JUMP_SECONDS` into the score or stops that far before its
 * end), as the jump search charges a full jump for each (`JumpParams.openEndScale`); the score's
 * start and end are its first and last sounding frames. The silence or noise before and after
 * the music is left out: which score frame it lies on says nothing of the structure, and a path
 * entering the score on a rest would otherwise be paid for it.
 */
export function arbiterPrice(perf: Features, score: Features, path: AlignmentPath, jumpCost: number): number {
  const [first, last] = musicRange(perf);
  const s = pathCostSum(perf, score, path, first, last);
  const n = path.scoreTime.length;
  const [scoreFirst, scoreLast] = soundingRange(score);
  const openEnds =
    (n > 0 && path.scoreTime[0] > scoreFirst * score.hopSeconds + SAME_JUMP_SECONDS ? 1 : 0) +
    (n > 0 && path.scoreTime[n - 1] < scoreLast * score.hopSeconds - SAME_JUMP_SECONDS ? 1 : 0);
  return s + jumpCost * (path.jumpFrames.length + openEnds);
}

/** Linear interpolation of per-row values to per-frame values (row centres, held at the ends). */
function rowsToFrames(values: Float64Array, perfFrames: number): Float32Array {
  const L = values.length;
  const out = new Float32Array(perfFrames);
  let r = 0;
  for (let f = 0; f < perfFrames; f++) {
    while (r < L - 1 && cellCentreFrame(r + 1, perfFrames, L) <= f) r++;
    const c0 = cellCentreFrame(r, perfFrames, L);
    if (r === L - 1 || f <= c0) out[f] = values[r];
    else {
      const c1 = cellCentreFrame(r + 1, perfFrames, L);
      out[f] = values[r] + ((f - c0) / (c1 - c0)) * (values[r + 1] - values[r]);
    }
  }
  return out;
}

/**
 * A refined path marked as the network's: method `neural`, the model's version, and confidence =
 * the refinement's × (0.5 + 0.5 × the network curve's smoothness at that frame).
 */
function withNetwork(path: AlignmentPath, smoothnessRows: Float64Array, model: NeuralRunner): AlignmentPath {
  const N = path.confidence.length;
  const rows = rowsToFrames(smoothnessRows, N);
  const confidence = new Float32Array(N);
  for (let f = 0; f < N; f++) confidence[f] = path.confidence[f] * (0.5 + 0.5 * rows[f]);
  return { ...path, confidence, method: 'neural', modelVersion: model.config.version };
}

/** The network's score frame per row (raw and median-filtered) and its per-row smoothness. */
async function networkRows(
  perf: Features,
  score: Features,
  model: NeuralRunner,
  opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<{ raw: Float64Array; smooth: Float64Array; confidenceRows: Float64Array }> {
  const L = model.config.L;
  const N = perf.frames;
  const M = score.frames;
  if (N < 2 || M < 2)
    throw new RangeError(`alignNeural: expected ≥ 2 frames on both sides, got perf ${N}, score ${M}`);
  opts.signal?.throwIfAborted();
  const output = await model.run(buildNeuralInput(perf, score, L));
  if (output.length !== L)
    throw new RangeError(`alignNeural: the model gave ${output.length} values, expected L = ${L}`);
  opts.signal?.throwIfAborted();
  opts.onProgress?.(0.15);
  const raw = rowScoreFrames(output, M);
  const smooth = medianFilter(raw, 2);
  return { raw, smooth, confidenceRows: rowSmoothness(raw, smooth, M) };
}

/** How the network steers the jump search in `alignNeuralJump`. */
export interface NeuralJumpParams {
  /** Jump cost (jump-search units) within `windowRows` network rows of a jump the network sees. */
  nearPenalty: number;
  /** Jump cost everywhere else. */
  farPenalty: number;
  /** Half-width, in network rows (1/L of the recording), of the cheap window around a network jump. */
  windowRows: number;
  /** Jump cost of the network's own jump: within `windowRows` of it and landing within `targetSeconds` of where the network lands. */
  targetPenalty: number;
  /** Half-width (score seconds, at least one network cell) of the landing window of `targetPenalty`. */
  targetSeconds: number;
  /**
   * What becomes of the targeted window of a network jump that the search alone (at
   * `farPenalty`) also makes: `network`, kept as the network placed it; `union`, widened to take
   * in the search's own landing too, so that the features choose between the two (the network's
   * landing is a cell of ~0.5–1.2 s and can pull a cut a few beats off); `drop`, removed.
   */
  targetConfirmed: 'network' | 'union' | 'drop';
  /**
   * Jump cost within `windowRows` rows of a jump the search alone makes and the network does
   * not see (a veto); `farPenalty` or less: no veto (16 and 20 measured worse, see below).
   */
  vetoPenalty: number;
  /**
   * Where the steered path's jumps are not the search alone's (`sameJumps`), keep the one whose
   * frames cost less at full resolution (the summed local cost against the written score, over
   * the music only) plus this much per jump and per open start or end (`arbiterPrice`); negative:
   * always the steered path. On the multi cases re-rendered in the
   * probe's timbres (`node scripts/conditions-set.mjs --multi`; `tune.js --method auto --data
   * .eval/probe-multi --sets multi --grid '{"neural":{"arbiterJumpCost":[-1,0,10,30,100]}}'`),
   * within 50 / 100 / 200 ms and jump recall / precision: off 91.43 / 93.97 / 95.56, 92.5 / 89.6;
   * 0 to 100 all 91.67 / 94.24 / 95.84, 95.7 / 91.8 (the search alone: 91.65 / 94.16 / 95.76,
   * 94.6 / 89.8). The piano validation sets are unchanged: there both paths make the same jumps.
   * With it, cheaper windows (near 12 / 8 / 6 / 4) gain 0.1–0.3 on those cases but near 8 loses
   * 2 points within 100 ms on the multi set (`.eval/tune-prices-val-s18.log`); kept at 16.
   */
  arbiterJumpCost: number;
}

/**
 * Defaults of `alignNeuralJump`, chosen on the validation eval set (models/README.md). Near 10 and
 * far 12 (were 8 and 15) re-chosen with the early-landing price and the cut lead (`tune.js
 * --method auto --sets multi --grid '{"neural":{"farPenalty":[…],"nearPenalty":[…]}}'`, multi
 * within 100 ms / jump recall / precision): 15 and 8: 93.52 / 81.7 / 83.5; 12 and 10: 93.81 /
 * 87.1 / 88.0; 12 and 6, 13.5 and 6 / 10, 10 and 12 / 15, 12 and 12 / 15: 92.18–93.71; far 20:
 * 91.04. Overall and structure sets: 93.76 and 96.47 (96.49 before).
 * With the search's own prices re-chosen (`offBarPenalty` 0, `jumpPenalty` 12; 2026-12-05,
 * `tune.js --method auto --sets multi,overall,structure --grid '{"neural":{…}}'`, multi within
 * 100 ms, jump recall / precision; overall): far 10 / 12 / 14 (target 8): 94.64 / 94.62 / 94.29;
 * target 6: 94.37 (far 10); `targetConfirmed` network / drop / union: 94.62, 91.4 / 93.4, 93.70 /
 * 93.60, 94.6 / 96.7, 93.94 / **94.80, 94.6 / 96.7, 93.69**; a veto of 16 / 20 (with drop):
 * 93.01 / 92.75, so none. The search alone at the same prices: 93.62, 94.6 / 96.7, 93.69.
 * With the search's coarse cell at 0.1 s (`JumpParams.coarseSeconds`, 2026-12-05; the prices are
 * per coarse cell, so they were scaled and re-chosen: `tune.js --method auto --sets
 * multi,overall,structure --grid '{"jump":{"coarseSeconds":[0.1],"tempoPenalty":[…]},
 * "neural":{…}}'`): far / near / target 20 / 16 / 12 (tempo 0.2): **95.45, 98.9 / 96.8, 93.61**;
 * 24 / 20 / 16: 95.38, 97.8 / 96.8, 93.61; 12 / 10 / 8 (tempo 0.1): 95.51, 100 / 93.9, 93.53;
 * 20 / 16 / 12 (tempo 0.1): 94.99, 96.8 / 96.8, 93.65; multi only, cheaper network windows:
 * 24 / 12 / 6: 95.24, 94.6 / 93.6; 24 / 12 / 10: 95.28, 96.8 / 95.7; 30 / 12 / 6: 94.72. At this
 * resolution the search alone at the same price makes every jump the network makes: `auto` and
 * `--method jump` give the same figures on all three validation sets.
 */
export const DEFAULT_NEURAL_JUMP: NeuralJumpParams = {
  nearPenalty: 16,
  farPenalty: 20,
  windowRows: 4,
  targetPenalty: 12,
  targetSeconds: 2,
  targetConfirmed: 'union',
  vetoPenalty: 20,
  arbiterJumpCost: 30,
};

/**
 * The network's jumps as targeted windows of the jump search: perf frames within `windowRows`
 * rows of each jump, landing within `targetSeconds` (or a cell) of the score frame the network
 * lands on, at `targetPenalty`.
 */
export function networkJumpTargets(
  smooth: Float64Array,
  perfFrames: number,
  scoreFrames: number,
  scoreHopSeconds: number,
  params: NeuralJumpParams,
): JumpTarget[] {
  const L = smooth.length;
  const passes = findPasses(smooth, perfFrames, scoreFrames, scoreHopSeconds);
  const half = Math.max(scoreFrames / L, params.targetSeconds / scoreHopSeconds);
  return passes.slice(1).map((p) => {
    const a = cellRange(Math.max(0, Math.floor(p.first - params.windowRows)), perfFrames, L)[0];
    const b = cellRange(Math.min(L - 1, Math.ceil(p.first + params.windowRows) - 1), perfFrames, L)[1];
    const land = smooth[p.first];
    return {
      perfStart: Math.max(0, a),
      perfEnd: Math.min(perfFrames, b),
      scoreLo: Math.max(0, Math.floor(land - half)),
      scoreHi: Math.min(scoreFrames - 1, Math.ceil(land + half)),
      penalty: params.targetPenalty,
    };
  });
}

/**
 * Per-performance-frame jump cost from the network's route: `nearPenalty` within `windowRows`
 * rows of each jump in the (median-filtered) curve, `farPenalty` elsewhere; and the jump frames.
 */
export function jumpPenaltyProfile(
  smooth: Float64Array,
  perfFrames: number,
  scoreFrames: number,
  scoreHopSeconds: number,
  params: NeuralJumpParams,
): { profile: Float32Array; jumpRows: number[] } {
  const L = smooth.length;
  const passes = findPasses(smooth, perfFrames, scoreFrames, scoreHopSeconds);
  const jumpRows = passes.slice(1).map((p) => p.first);
  const profile = new Float32Array(perfFrames).fill(params.farPenalty);
  for (const r of jumpRows) {
    // The jump lies between rows r − 1 and r: the window spans windowRows rows each side of that boundary.
    const a = cellRange(Math.max(0, Math.floor(r - params.windowRows)), perfFrames, L)[0];
    const b = cellRange(Math.min(L - 1, Math.ceil(r + params.windowRows) - 1), perfFrames, L)[1];
    for (let f = Math.max(0, a); f < Math.min(perfFrames, b); f++) profile[f] = params.nearPenalty;
  }
  return { profile, jumpRows };
}

/** How far (score seconds) beyond a targeted window a jump of the search alone may land and still agree with the network's. */
const CONFIRM_SECONDS = 2;

/** A jump of the coarse search: the full-resolution perf frame it lands in and the score frame it lands on. */
export interface SearchJump {
  perfFrame: number;
  scoreFrame: number;
}

/** The jumps the classical search makes alone (coarse level, no network), at full resolution. */
export function searchAloneJumps(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  jumpParams: Partial<JumpParams>,
  signal?: AbortSignal,
  costs?: CoarseCostCache,
): SearchJump[] {
  const params = jumpSearchParams(perf, score, jumpParams, costs);
  const c = coarseJumpPath(perf, score, jumpPointsSeconds, params, { signal, costs });
  return c.jumps.map((k) => ({
    perfFrame: Math.min(perf.frames - 1, c.perfFrames[k] * c.perfFactor),
    scoreFrame: Math.min(score.frames - 1, c.scoreFrames[k] * c.scoreFactor),
  }));
}

/**
 * Which network jumps (as targeted windows) the search alone confirms: the index of a jump of its
 * own in the window's perf frames, landing within `slackFrames` of the window's score range, or
 * −1; and which of the search's own jumps the network sees (inside some window's perf frames).
 */
export function agreement(
  targets: readonly JumpTarget[],
  own: readonly SearchJump[],
  slackFrames: number,
): { confirmed: number[]; seen: boolean[] } {
  const inWindow = (t: JumpTarget, j: SearchJump): boolean =>
    j.perfFrame >= t.perfStart && j.perfFrame < t.perfEnd;
  return {
    confirmed: targets.map((t) =>
      own.findIndex(
        (j) =>
          inWindow(t, j) &&
          j.scoreFrame >= t.scoreLo - slackFrames &&
          j.scoreFrame <= t.scoreHi + slackFrames,
      ),
    ),
    seen: own.map((j) => targets.some((t) => inWindow(t, j))),
  };
}

/**
 * The default structure-aware aligner: the network reads the L × L distance matrix and gives
 * its global route; where that route jumps, the classical jump search (`alignJump`) may jump
 * cheaply, elsewhere only at a higher cost; the search then places every jump exactly and
 * refines each pass at full frame rate. Where the search alone (coarse, at `farPenalty`) makes a
 * jump the network also sees, the cheap landing window takes in both landings
 * (`targetConfirmed`), so the features choose between them. Confidence = refinement confidence ×
 * network smoothness.
 */
export async function alignNeuralJump(
  perf: Features,
  score: Features,
  model: NeuralRunner,
  opts: NeuralAlignOptions & { params?: Partial<NeuralJumpParams> } = {},
): Promise<AlignmentPath> {
  const params = { ...DEFAULT_NEURAL_JUMP, ...opts.params };
  const N = perf.frames;
  // The search alone and the steered search see the same coarse cells: with `fillCoarseCosts`
  // they are computed (on other threads) while the network runs.
  const coarseCosts: CoarseCostCache = {};
  const filling = opts.fillCoarseCosts
    ? prefillCoarseCosts(
        perf,
        score,
        jumpSearchParams(perf, score, { ...opts.jumpParams, jumpPenalty: params.farPenalty }, coarseCosts),
        opts.fillCoarseCosts,
        coarseCosts,
        opts.signal,
      )
    : undefined;
  // Settled here even when the network fails, so no fill outlives the call unobserved.
  const network = await Promise.allSettled([networkRows(perf, score, model, opts), filling]);
  if (network[0].status === 'rejected') throw network[0].reason;
  if (network[1].status === 'rejected') throw network[1].reason;
  const { smooth, confidenceRows } = network[0].value;
  const { profile } = jumpPenaltyProfile(smooth, N, score.frames, score.hopSeconds, params);
  let jumpTargets = networkJumpTargets(smooth, N, score.frames, score.hopSeconds, params);
  // The search alone matters only where it can widen or drop a network jump, or arbitrate
  // against it (none: nothing to widen or arbitrate), or veto one of its own jumps the network
  // does not see.
  const arbitrates = params.arbiterJumpCost >= 0 && jumpTargets.length > 0;
  const confirms = params.targetConfirmed !== 'network' && jumpTargets.length > 0;
  const steered = { ...opts.jumpParams, jumpPenalty: params.farPenalty };
  const needsOwn = confirms || arbitrates || params.vetoPenalty > params.farPenalty;
  // The steered search as it is when the search alone jumps nowhere, made aside meanwhile (its
  // inputs are copied now, before the search alone's answer may change them).
  const aside =
    needsOwn && opts.searchAside
      ? opts.searchAside(
          perf,
          score,
          opts.jumpPointsSeconds ?? [],
          { ...steered, jumpPenaltyProfile: profile, jumpTargets },
          coarseCosts,
        )
      : undefined;
  const own = needsOwn
    ? searchAloneJumps(perf, score, opts.jumpPointsSeconds ?? [], steered, opts.signal, coarseCosts)
    : undefined;
  if (own) {
    const sides = agreement(jumpTargets, own, (params.targetSeconds + CONFIRM_SECONDS) / score.hopSeconds);
    if (params.targetConfirmed === 'drop') jumpTargets = jumpTargets.filter((_, k) => sides.confirmed[k] < 0);
    else if (params.targetConfirmed === 'union') {
      const half = Math.max(score.frames / smooth.length, params.targetSeconds / score.hopSeconds);
      jumpTargets = jumpTargets.map((t, k) => {
        const j = sides.confirmed[k] < 0 ? undefined : own[sides.confirmed[k]];
        if (!j) return t;
        return {
          ...t,
          scoreLo: Math.max(0, Math.min(t.scoreLo, Math.floor(j.scoreFrame - half))),
          scoreHi: Math.min(score.frames - 1, Math.max(t.scoreHi, Math.ceil(j.scoreFrame + half))),
        };
      });
    }
    if (params.vetoPenalty > params.farPenalty) {
      const half = Math.ceil((params.windowRows * N) / smooth.length);
      for (const j of own.filter((_, k) => !sides.seen[k]))
        for (let f = Math.max(0, j.perfFrame - half); f < Math.min(N, j.perfFrame + half); f++)
          profile[f] = Math.max(profile[f], params.vetoPenalty);
    }
  }
  // While the helper finishes the steered search, this thread stretches the score as the search
  // alone's route would have it (`prestretchScore`): where the steered route is the same (as it is
  // where their jumps agree) the refinement finds it made.
  if (aside && opts.stretchScore)
    prestretchScore(perf, score, opts.jumpPointsSeconds ?? [], {
      params: steered,
      coarseCosts,
      stretchScore: opts.stretchScore,
      sameMusic: opts.sameMusic,
      signal: opts.signal,
    });
  // Settled before the steered search, which reads what it added to the cache.
  await aside;
  const search = {
    coarseCosts,
    stretchScore: opts.stretchScore,
    sameMusic: opts.sameMusic,
    signal: opts.signal,
  };
  let path = alignJump(perf, score, opts.jumpPointsSeconds ?? [], {
    params: { ...steered, jumpPenaltyProfile: profile, jumpTargets },
    ...search,
    onProgress: opts.onProgress ? (x) => opts.onProgress?.(0.15 + 0.85 * x) : undefined,
  });
  // Where the steered path's jumps are not the search alone's, the search alone's path is made
  // too, and the one whose frames cost less at full resolution is kept (`arbiterJumpCost`).
  if (arbitrates && own && !sameJumps(path, own, score.hopSeconds)) {
    const alone = alignJump(perf, score, opts.jumpPointsSeconds ?? [], { params: steered, ...search });
    const price = (p: AlignmentPath): number => arbiterPrice(perf, score, p, params.arbiterJumpCost);
    if (price(alone) < price(path)) path = alone;
  }
  opts.onProgress?.(1);
  return withNetwork(path, confidenceRows, model);
}

/**
 * Structure-aware alignment with the neural model: the network reads the L × L distance matrix
 * and gives one score position per performance row; jumps in that curve split it into passes,
 * which `refineRoute` aligns at full frame resolution. `raw` skips the refinement.
 */
export async function alignNeural(
  perf: Features,
  score: Features,
  model: NeuralRunner,
  opts: NeuralAlignOptions = {},
): Promise<AlignmentPath> {
  const N = perf.frames;
  const M = score.frames;
  const { raw, smooth, confidenceRows } = await networkRows(perf, score, model, opts);
  const L = raw.length;
  if (opts.raw) {
    const passes = findPasses(raw, N, M, score.hopSeconds);
    const { scoreFrame, jumpFrames } = framesFromRows(raw, passes, N);
    const scoreTime = new Float64Array(N);
    for (let f = 0; f < N; f++) scoreTime[f] = scoreFrame[f] * score.hopSeconds;
    opts.onProgress?.(1);
    return {
      hopSeconds: perf.hopSeconds,
      scoreTime,
      confidence: rowsToFrames(confidenceRows, N),
      jumpFrames,
      method: 'neural',
      modelVersion: model.config.version,
    };
  }
  const passes = findPasses(smooth, N, M, score.hopSeconds);
  const jumpPointFrames = (opts.jumpPointsSeconds ?? []).map((t) => t / score.hopSeconds);
  const rowFrames = N / L;
  // Jumps are kept only where the features support them: each of the network's largest jumps is
  // tried alone against the single-pass route over the whole score (refined path's mean local cost + a penalty per
  // jump); the ones that win are then tried together.
  const boundaries = passes
    .slice(1)
    .map((p, k) => ({ k: k + 1, size: Math.abs(smooth[p.first] - smooth[p.first - 1]) }))
    .sort((x, y) => y.size - x.size)
    .slice(0, MAX_JUMP_CANDIDATES)
    .map((x) => x.k);
  const total = 2 + boundaries.length;
  let done = 0;
  const attempt = (keep: readonly number[]): { path: AlignmentPath; cost: number } => {
    const ps = mergePasses(passes, keep);
    // Without jumps the route is the whole score (the classical assumption), not the network's fit.
    const route: Route = keep.length
      ? routeFromRows(raw, ps, N, M, jumpPointFrames)
      : { segments: [{ perfStart: 0, perfEnd: N, scoreStart: 0, scoreEnd: M }] };
    const guide = opts.guide ? framesFromRows(smooth, ps, N).scoreFrame : undefined;
    const share = 0.85 / total;
    const p = refineRoute(perf, score, route, {
      guide,
      bandFrames: guide ? Math.max(40, Math.ceil((2 * M) / L)) : undefined,
      boundaryFrames: Math.max(64, Math.ceil(1.5 * rowFrames)),
      signal: opts.signal,
      onProgress: opts.onProgress ? (x) => opts.onProgress?.(0.15 + share * (done + x)) : undefined,
      method: 'neural',
    });
    done++;
    return { path: p, cost: meanPathCost(perf, score, p) + JUMP_COST_PENALTY * (route.segments.length - 1) };
  };
  let bestTry = attempt([]);
  const base = bestTry.cost;
  const winners: number[] = [];
  for (const b of boundaries) {
    const t = attempt([b]);
    if (t.cost < base) winners.push(b);
    if (t.cost < bestTry.cost) bestTry = t;
  }
  if (winners.length > 1) {
    const t = attempt(winners);
    if (t.cost < bestTry.cost) bestTry = t;
  }
  const path: AlignmentPath | undefined = bestTry.path;
  if (!path) throw new Error('alignNeural: no route could be refined');
  opts.onProgress?.(1);
  return withNetwork(path, confidenceRows, model);
}
