import type { AlignmentPath } from '../path.js';
import type { Features } from '../dsp/features.js';
import { poolFeatures } from '../dsp/features.js';
import type { CostParams } from './cost.js';
import { DEFAULT_COST, normalisedCost, rowCosts } from './cost.js';
import type { AlignOptions, DtwParams } from './dtw.js';
import { DEFAULT_DTW } from './dtw.js';
import type { Route } from './refine.js';
import { refineRoute } from './refine.js';

/** Tuning of the structure-aware (JumpDTW-like) search. */
export interface JumpParams {
  /** Coarse frame length (s) the jump search runs at, at least. */
  coarseSeconds: number;
  /** Cells (coarse perf × score frames) allowed before the coarse frames grow. */
  maxCells: number;
  /** Cost of one jump, in units of normalised coarse-frame cost (a random cell costs ≈ 2, a good match ≈ 1). */
  jumpPenalty: number;
  cost: CostParams;
  /** Band radius (frames) of the full-resolution refinement around each pass. */
  bandFrames: number;
  /** How far (frames) the refinement may move a cut from where the coarse search put it. */
  boundaryFrames: number;
}

/** Jump search defaults (tuned on synthetic and cut-and-rejoined validation audio). */
export const DEFAULT_JUMP: JumpParams = {
  coarseSeconds: 0.2,
  maxCells: 30_000_000,
  jumpPenalty: 6,
  cost: DEFAULT_COST,
  bandFrames: DEFAULT_DTW.fineRadius,
  boundaryFrames: 64,
};

/** A coarse structure-aware path: coarse cells in order and the path indices where a jump lands. */
export interface CoarseJumpPath {
  /** Pooling factor of the coarse frames. */
  factor: number;
  perfFrames: Int32Array;
  scoreFrames: Int32Array;
  /** Path indices k where cell k is reached by a jump from cell k − 1. */
  jumps: number[];
  /** Back-pointer cells allocated. */
  cells: number;
}

const DIAG = 0;
const VERT = 1;
const HORIZ = 2;
const JUMP = 3;
const START = 4;

/**
 * Coarse JumpDTW: DTW steps (1,1), (1,0), (0,1) with unit weights plus jumps from the last frame
 * before any jump point (or the score's end) to the first frame of any jump point (or the start),
 * each costing `jumpPenalty`. The path may also start at a jump point or end before one at that
 * cost. O(N·(M + J)) time with the per-row best jump source, one byte per cell.
 */
export function coarseJumpPath(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  params: JumpParams = DEFAULT_JUMP,
  opts: AlignOptions = {},
): CoarseJumpPath {
  const hop = perf.hopSeconds;
  let factor = Math.max(1, Math.round(params.coarseSeconds / hop));
  while (Math.ceil(perf.frames / factor) * Math.ceil(score.frames / factor) > params.maxCells) factor++;
  const p = poolFeatures(perf, factor);
  const s = poolFeatures(score, factor);
  const N = p.frames;
  const M = s.frames;
  const coarseHop = score.hopSeconds * factor;
  // Jump targets (first frame of a section) and sources (last frame before one).
  const targetSet = new Set<number>([0]);
  const sourceSet = new Set<number>([M - 1]);
  for (const t of jumpPointsSeconds) {
    const c = Math.round(t / coarseHop);
    if (c >= 0 && c < M) targetSet.add(c);
    if (c - 1 >= 0 && c - 1 < M) sourceSet.add(c - 1);
  }
  const isTarget = new Uint8Array(M);
  for (const t of targetSet) isTarget[t] = 1;
  const sources = Int32Array.from([...sourceSet].sort((a, b) => a - b));
  const P = params.jumpPenalty;
  const ptr = new Uint8Array(N * M);
  const bestSrc = new Int32Array(N);
  let prev = new Float64Array(M);
  let cur = new Float64Array(M);
  const c = new Float64Array(M);
  for (let i = 0; i < N; i++) {
    if (i % 1024 === 0) {
      opts.signal?.throwIfAborted();
      opts.onProgress?.(i / N);
    }
    rowCosts(p, s, i, 0, M - 1, c, params.cost);
    // Best jump source in the previous row.
    let jumpFrom = Infinity;
    if (i > 0) {
      let bs = -1;
      for (let q = 0; q < sources.length; q++) {
        const v = prev[sources[q]];
        if (v < jumpFrom) {
          jumpFrom = v;
          bs = sources[q];
        }
      }
      bestSrc[i - 1] = bs;
      jumpFrom += P;
    }
    const base = i * M;
    for (let j = 0; j < M; j++) {
      const cc = c[j];
      let best = Infinity;
      let code = START;
      if (i === 0) {
        if (j === 0) best = cc;
        else if (isTarget[j]) best = P + cc;
      } else {
        if (j > 0) {
          best = prev[j - 1] + cc;
          code = DIAG;
        }
        const v = prev[j] + cc;
        if (v < best) {
          best = v;
          code = VERT;
        }
        if (isTarget[j]) {
          const w = jumpFrom + cc;
          if (w < best) {
            best = w;
            code = JUMP;
          }
        }
      }
      if (j > 0) {
        const h = cur[j - 1] + cc;
        if (h < best) {
          best = h;
          code = HORIZ;
        }
      }
      cur[j] = best;
      ptr[base + j] = code;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  // End at the score's end, or (with a penalty) before any jump point.
  let endCol = M - 1;
  let endVal = prev[M - 1];
  for (let q = 0; q < sources.length; q++) {
    const v = prev[sources[q]] + P;
    if (v < endVal) {
      endVal = v;
      endCol = sources[q];
    }
  }
  const outP: number[] = [];
  const outS: number[] = [];
  const jumpsRev: number[] = [];
  let i = N - 1;
  let j = endCol;
  for (;;) {
    outP.push(i);
    outS.push(j);
    const code = ptr[i * M + j];
    if (i === 0 && code === START) break;
    if (code === DIAG) {
      i--;
      j--;
    } else if (code === VERT) i--;
    else if (code === HORIZ) j--;
    else if (code === JUMP) {
      jumpsRev.push(outP.length);
      i--;
      j = bestSrc[i];
    } else throw new Error(`coarseJumpPath: broken back-pointer at (${i}, ${j})`);
  }
  const n = outP.length;
  const perfFrames = new Int32Array(n);
  const scoreFrames = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    perfFrames[q] = outP[n - 1 - q];
    scoreFrames[q] = outS[n - 1 - q];
  }
  opts.onProgress?.(1);
  return { factor, perfFrames, scoreFrames, jumps: jumpsRev.map((len) => n - len).sort((a, b) => a - b), cells: ptr.length };
}

/** Full-resolution route from a coarse jump path: passes split at its jumps, cut score frames snapped to the jump points. */
export function routeFromCoarse(coarse: CoarseJumpPath, perfFrames: number, scoreFrames: number, jumpPointsSeconds: readonly number[], scoreHopSeconds: number): Route {
  const F = coarse.factor;
  const back = Math.floor((F - 1) / 2);
  const coarseHop = scoreHopSeconds * F;
  const fine = (cCol: number): number => Math.min(scoreFrames, Math.max(0, cCol * F - back));
  // Exact frame of the jump point nearest a coarse target column (boundary between columns c−1 and c).
  const snap = (cCol: number): number => {
    let best = fine(cCol);
    let bestD = Infinity;
    for (const t of jumpPointsSeconds) {
      const d = Math.abs(t / coarseHop - cCol);
      if (d < bestD && d <= 0.5) {
        bestD = d;
        best = Math.round(t / scoreHopSeconds);
      }
    }
    return Math.min(scoreFrames, Math.max(0, best));
  };
  const segs: Route['segments'] = [];
  const starts = [0, ...coarse.jumps];
  for (let q = 0; q < starts.length; q++) {
    const a = starts[q];
    const b = q + 1 < starts.length ? starts[q + 1] : coarse.perfFrames.length;
    const perfStart = q === 0 ? 0 : Math.min(perfFrames, Math.max(0, coarse.perfFrames[a] * F - back));
    const perfEnd = q + 1 < starts.length ? Math.min(perfFrames, Math.max(0, coarse.perfFrames[b] * F - back)) : perfFrames;
    const startCol = coarse.scoreFrames[a];
    const endCol = coarse.scoreFrames[b - 1];
    const scoreStart = q === 0 && startCol === 0 ? 0 : snap(startCol);
    const scoreEnd = q + 1 === starts.length && endCol === Math.ceil(scoreFrames / F) - 1 ? scoreFrames : snap(endCol + 1);
    if (perfEnd <= perfStart) continue;
    segs.push({ perfStart, perfEnd, scoreStart, scoreEnd: Math.max(scoreEnd, scoreStart + 1) });
  }
  // Re-knit perf ranges after dropping empty passes.
  for (let k = 0; k < segs.length; k++) {
    segs[k].perfStart = k === 0 ? 0 : segs[k - 1].perfEnd;
  }
  segs[segs.length - 1].perfEnd = perfFrames;
  return { segments: segs };
}

/**
 * Structure-aware alignment (in the spirit of JumpDTW, Fremerey et al. 2010): a coarse search
 * that may leave the score at a jump point and continue at another (repeat taken, skip, jump
 * back), then a full-resolution banded refinement of each pass (`refineRoute`).
 */
export function alignJump(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  opts: AlignOptions & { params?: Partial<JumpParams>; dtwParams?: Partial<DtwParams> } = {},
): AlignmentPath {
  const params = { ...DEFAULT_JUMP, ...opts.params };
  params.cost = normalisedCost(perf, score, params.cost);
  const progress = opts.onProgress;
  const coarse = coarseJumpPath(perf, score, jumpPointsSeconds, params, {
    signal: opts.signal,
    onProgress: progress ? (x) => progress(0.4 * x) : undefined,
  });
  const route = routeFromCoarse(coarse, perf.frames, score.frames, jumpPointsSeconds, score.hopSeconds);
  return refineRoute(perf, score, route, {
    bandFrames: params.bandFrames,
    boundaryFrames: params.boundaryFrames,
    params: { ...opts.dtwParams, cost: params.cost },
    signal: opts.signal,
    onProgress: progress ? (x) => progress(0.4 + 0.6 * x) : undefined,
    method: 'jump',
  });
}
