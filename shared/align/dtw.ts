import type { AlignmentPath } from '../path.js';
import { pathFromFramePairs, withSilentEdges } from '../path.js';
import type { Features } from '../dsp/features.js';
import { poolFeatures } from '../dsp/features.js';
import { NUM_PITCHES } from '../dsp/params.js';
import type { Band } from './band.js';
import { dilatedBand, fullBand } from './band.js';
import type { CostParams } from './cost.js';
import { DEFAULT_COST, normalisedCost } from './cost.js';
import type { DpResult, StepWeights } from './dp.js';
import { DEFAULT_STEPS, runBandedDtw } from './dp.js';
import { pathConfidence } from './confidence.js';

/** Options shared by the aligners. */
export interface AlignOptions {
  signal?: AbortSignal;
  /** Progress 0..1. */
  onProgress?: (fraction: number) => void;
}

/** Tuning of the multiscale DTW (defaults in `DEFAULT_DTW`). */
export interface DtwParams {
  /** The coarsest level is pooled until both sequences have at most this many frames. */
  coarseMaxFrames: number;
  /** Pooling ratio between consecutive levels. */
  levelRatio: number;
  /** Band radius (frames of the level) around the projected coarser path, at intermediate levels. */
  radius: number;
  /** Band radius (full-resolution frames) at the finest level. */
  fineRadius: number;
  cost: CostParams;
  /** Onset weight at the pooled levels (pooling blurs onsets); the finest level uses `cost.onsetWeight`. */
  coarseOnsetWeight: number;
  steps: StepWeights;
}

/**
 * Multiscale DTW defaults. `fineRadius` 24 (0.56 s) was chosen on the ASAP validation eval set
 * (`.eval/data`, jump search, % within 50/100/200 ms overall): fineRadius 8 → 89.5/92.8/94.8,
 * 24 → 89.7/93.0/95.1; widening the intermediate `radius` with it (16, 24, 32, 48) gave
 * 89.6–89.7/93.0/95.0, and `radius` 24 with fineRadius 8 89.6/92.9/94.9; the structure set
 * stayed at 95.6–95.7 within 100 ms. The wider finest band lets the last level undo errors of
 * the coarser ones in hard pieces (Scriabin Sonata 5 +3.4 points, Ravel +1.3, Liszt +1.1).
 */
export const DEFAULT_DTW: DtwParams = {
  coarseMaxFrames: 4000,
  levelRatio: 4,
  radius: 8,
  fineRadius: 24,
  cost: DEFAULT_COST,
  coarseOnsetWeight: DEFAULT_COST.onsetWeight,
  steps: DEFAULT_STEPS,
};

/** Pooling factors from coarsest to 1 for sequences of n and m frames. */
export function levelFactors(n: number, m: number, coarseMaxFrames: number, levelRatio: number): number[] {
  const f0 = Math.max(1, Math.ceil(Math.max(n, m) / coarseMaxFrames));
  const out = [f0];
  let f = f0;
  while (f > 1) {
    f = Math.max(1, Math.ceil(f / levelRatio));
    out.push(f);
  }
  return out;
}

/** Level-0 frame x → index of the pooled frame (factor F) that covers it (see `poolFeatures`). */
function pooledIndex(x: number, factor: number): number {
  return Math.floor((x + Math.floor((factor - 1) / 2)) / factor);
}

/**
 * Band at pooling `fineFactor` around a path found at pooling `coarseFactor`: every coarse cell is
 * projected onto the finer cells it covers, then dilated by ±radius.
 */
export function projectPath(
  path: { perfFrames: ArrayLike<number>; scoreFrames: ArrayLike<number> },
  coarseFactor: number,
  fineFactor: number,
  rows: number,
  cols: number,
  radius: number,
): Band {
  const { minCol, maxCol } = projectedColumns(path, coarseFactor, fineFactor, rows, cols);
  return dilatedBand(0, minCol, maxCol, radius, cols);
}

/**
 * Per row at pooling `fineFactor` (rows × cols), the first and last column the cells of a path
 * found at pooling `coarseFactor` cover (maxCol −1 where none does): `projectPath` before its
 * dilation.
 */
export function projectedColumns(
  path: { perfFrames: ArrayLike<number>; scoreFrames: ArrayLike<number> },
  coarseFactor: number,
  fineFactor: number,
  rows: number,
  cols: number,
): { minCol: Int32Array; maxCol: Int32Array } {
  const minCol = new Int32Array(rows).fill(0x7fffffff);
  const maxCol = new Int32Array(rows).fill(-1);
  const back = Math.floor((coarseFactor - 1) / 2);
  for (let k = 0; k < path.perfFrames.length; k++) {
    const a = path.perfFrames[k] * coarseFactor - back;
    const b = a + coarseFactor - 1;
    const ca = path.scoreFrames[k] * coarseFactor - back;
    const cb = ca + coarseFactor - 1;
    const r0 = Math.max(0, pooledIndex(Math.max(0, a), fineFactor));
    const r1 = Math.min(rows - 1, pooledIndex(b, fineFactor));
    const c0 = pooledIndex(Math.max(0, ca), fineFactor);
    const c1 = Math.min(cols - 1, pooledIndex(cb, fineFactor));
    for (let r = r0; r <= r1; r++) {
      if (c0 < minCol[r]) minCol[r] = c0;
      if (c1 > maxCol[r]) maxCol[r] = c1;
    }
  }
  return { minCol, maxCol };
}

/** Result of the multiscale search: the full-resolution warping path and the cells allocated. */
export interface MultiscaleResult extends DpResult {
  /** Back-pointer cells of the largest level (the memory bound). */
  maxLevelCells: number;
  /** Pooling factors used, coarsest first. */
  factors: number[];
}

/**
 * A path the coarsest level may stay near instead of searching the whole matrix: per perf frame,
 * the score frame (full resolution, fractional allowed) of a coarser search already made, and how
 * far (full-resolution score frames) either side of it the level searches.
 */
export interface CoarseGuide {
  scoreFrames: ArrayLike<number>;
  radiusFrames: number;
}

/**
 * The coarsest level's band around a `CoarseGuide` at pooling `factor` (rows × cols pooled
 * frames), taking in the first cell and the last.
 */
export function guideBand(guide: CoarseGuide, factor: number, rows: number, cols: number): Band {
  if (guide.scoreFrames.length < 1)
    throw new RangeError('guideBand: expected a guide of at least one perf frame, got none');
  const minCol = new Int32Array(rows).fill(0x7fffffff);
  const maxCol = new Int32Array(rows).fill(-1);
  for (let f = 0; f < guide.scoreFrames.length; f++) {
    const r = Math.min(rows - 1, pooledIndex(f, factor));
    const c = Math.max(
      0,
      Math.min(cols - 1, pooledIndex(Math.max(0, Math.round(guide.scoreFrames[f])), factor)),
    );
    if (c < minCol[r]) minCol[r] = c;
    if (c > maxCol[r]) maxCol[r] = c;
  }
  minCol[0] = 0;
  maxCol[rows - 1] = cols - 1;
  if (maxCol[0] < 0) maxCol[0] = 0;
  if (minCol[rows - 1] > cols - 1) minCol[rows - 1] = cols - 1;
  return dilatedBand(0, minCol, maxCol, Math.ceil(guide.radiusFrames / factor), cols);
}

/**
 * Multiscale (coarse-to-fine) DTW between two feature sequences from (0,0) to (N−1, M−1). With
 * `coarseGuide` the coarsest level searches only its band (`guideBand`) instead of the whole
 * matrix. With `finestFactor` F > 1 the coarser levels run as usual, then one pooled by F, whose
 * path is returned in its pooled frames (`factors`' last): a caller that searches full
 * resolution itself around it (`projectPath`) does not pay for that level twice.
 */
export function multiscaleDtw(
  perf: Features,
  score: Features,
  params: DtwParams = DEFAULT_DTW,
  opts: AlignOptions & { coarseGuide?: CoarseGuide; finestFactor?: number } = {},
): MultiscaleResult {
  if (perf.frames < 1 || score.frames < 1)
    throw new RangeError(
      `multiscaleDtw: need ≥ 1 frame each, got ${perf.frames} perf and ${score.frames} score frames`,
    );
  const finest = opts.finestFactor ?? 1;
  if (!(Number.isInteger(finest) && finest >= 1))
    throw new RangeError(`multiscaleDtw: finestFactor must be an integer ≥ 1, got ${finest}`);
  const all = levelFactors(perf.frames, score.frames, params.coarseMaxFrames, params.levelRatio);
  // Levels finer than `finestFactor` are left out, that factor ends the search (the path is in
  // its frames).
  const factors = finest === 1 ? all : [...all.filter((f) => f > finest), finest];
  let result: DpResult | null = null;
  let prevFactor = 0;
  let maxLevelCells = 0;
  // Progress weights: rough share of each level's cells.
  const L = factors.length;
  for (let l = 0; l < L; l++) {
    const f = factors[l];
    const p = f === 1 ? perf : poolFeatures(perf, f);
    const s = f === 1 ? score : poolFeatures(score, f);
    const band =
      result === null
        ? opts.coarseGuide
          ? guideBand(opts.coarseGuide, f, p.frames, s.frames)
          : fullBand(p.frames, s.frames)
        : projectPath(result, prevFactor, f, p.frames, s.frames, f === 1 ? params.fineRadius : params.radius);
    const lo = l / L;
    result = runBandedDtw(
      p,
      s,
      [
        {
          band,
          entryCol: 0,
          exitCol: s.frames - 1,
          entryRows: [0, 0],
          exitRows: [p.frames - 1, p.frames - 1],
        },
      ],
      {
        cost: f === 1 ? params.cost : { ...params.cost, onsetWeight: params.coarseOnsetWeight },
        steps: params.steps,
        signal: opts.signal,
        onProgress: opts.onProgress ? (x) => opts.onProgress?.(lo + x / L) : undefined,
      },
    );
    maxLevelCells = Math.max(maxLevelCells, result.cells);
    prevFactor = f;
  }
  if (!result) throw new Error('multiscaleDtw: no level ran');
  return { ...result, maxLevelCells, factors };
}

/** Whether frame f is silence (the features write uniform 1/√12 chroma there). */
export function isSilentFrame(f: Features, frame: number): boolean {
  const u = 1 / Math.sqrt(12);
  const o = frame * 12;
  for (let c = 0; c < 12; c++) if (Math.abs(f.chroma[o + c] - u) > 1e-4) return false;
  return true;
}

/** [first, last] sounding (non-silent) frame, or the whole range when everything is silent. */
export function soundingRange(f: Features): [number, number] {
  let a = 0;
  while (a < f.frames && isSilentFrame(f, a)) a++;
  if (a === f.frames) return [0, f.frames - 1];
  let b = f.frames - 1;
  while (b > a && isSilentFrame(f, b)) b--;
  return [a, b];
}

/** Least onset (0..1) of some key at which `musicStart` hears the music begin. */
export const MUSIC_ONSET = 0.5;

/**
 * The recording's first frame of music. Before it a recording may hold noise, hiss or a room's
 * murmur that is not silence (`soundingRange` hears sound from the first frame), and an aligner
 * starting there "plays" the score's opening through it, a second or two before any key is
 * struck. Where the recording has note features, the music begins a frame before the first at
 * which some key's onset reaches `MUSIC_ONSET` (any key: an old recording's band-limiting may
 * leave only the first chord's overtones), or at the first sounding frame `a` (`soundingRange`'s)
 * if that is later.
 */
export function musicStart(perf: Features, a = soundingRange(perf)[0]): number {
  const notes = perf.notes;
  if (notes?.length !== perf.frames * NUM_PITCHES) return a;
  for (let i = a * NUM_PITCHES; i < notes.length; i++)
    if (notes[i] >= MUSIC_ONSET) return Math.max(a, Math.floor(i / NUM_PITCHES) - 1);
  return a;
}

/** Least span (s) of noise before the music from which `musicRange` measures the noise's level. */
export const NOISE_FLOOR_SECONDS = 1;
/** How far (natural log of energy: 6 dB) above the noise's level a frame still sounds (`musicRange`). */
const ABOVE_NOISE = Math.log(4);

/**
 * The recording's music: its first frame (`musicStart`) and its last. Digital silence at either
 * end is no music (`soundingRange`); nor is noise. Where the recording holds at least
 * `NOISE_FLOOR_SECONDS` of noise before the music (hiss, a room), the median energy of those
 * frames is its level, and the music ends at the last frame 6 dB above it.
 */
export function musicRange(perf: Features): [number, number] {
  const [a, b] = soundingRange(perf);
  const first = Math.min(b, musicStart(perf, a));
  if ((first - a) * perf.hopSeconds < NOISE_FLOOR_SECONDS) return [first, b];
  const noise = Array.from(perf.energy.subarray(a, first)).sort((x, y) => x - y);
  const floor = noise[Math.floor(noise.length / 2)] + ABOVE_NOISE;
  let last = b;
  while (last > first && perf.energy[last] <= floor) last--;
  return [first, last];
}

/** Frames first … last (inclusive) of a feature sequence (views, no copy). */
export function sliceFeatures(f: Features, first: number, last: number): Features {
  return {
    frames: last - first + 1,
    hopSeconds: f.hopSeconds,
    chroma: f.chroma.subarray(first * 12, (last + 1) * 12),
    onset: f.onset.subarray(first * 12, (last + 1) * 12),
    energy: f.energy.subarray(first, last + 1),
    ...(f.notes?.length === f.frames * NUM_PITCHES
      ? { notes: f.notes.subarray(first * NUM_PITCHES, (last + 1) * NUM_PITCHES) }
      : {}),
  };
}

/**
 * Aligns the recording's music (`musicRange`) with `align`, and widens the path it gives to every
 * frame (`withSilentEdges`): what comes before the music holds the path's first score time, what
 * comes after it its last. Silence or noise is no part of the score: left in, a search prices each
 * of its frames against the score's first or last note, and may rather enter or leave the score
 * on a rest, or play the noise as some quiet passage of the score.
 */
export async function alignSounding<T extends { path: AlignmentPath }>(
  perf: Features,
  align: (sounding: Features) => Promise<T>,
): Promise<T> {
  const [first, last] = musicRange(perf);
  if (first === 0 && last === perf.frames - 1) return align(perf);
  const out = await align({ ...perf, ...sliceFeatures(perf, first, last) });
  out.path = withSilentEdges(out.path, first, perf.frames);
  return out;
}

/**
 * Monotone alignment of a performance to a score by memory-bounded multiscale DTW (see
 * `DEFAULT_DTW`). Leading/trailing silence of either side is cut off first: the recording's
 * silence before the music maps to the score's first sound, after it to the last.
 */
export function alignDtw(
  perf: Features,
  score: Features,
  opts: AlignOptions & { params?: Partial<DtwParams> } = {},
): AlignmentPath {
  const params = { ...DEFAULT_DTW, ...opts.params };
  params.cost = normalisedCost(perf, score, params.cost);
  const [p0, p1] = soundingRange(perf);
  const [s0, s1] = soundingRange(score);
  const r = multiscaleDtw(sliceFeatures(perf, p0, p1), sliceFeatures(score, s0, s1), params, opts);
  const n = r.perfFrames.length;
  const perfFrames = new Int32Array(p0 + n + (perf.frames - 1 - p1));
  const scoreFrames = new Int32Array(perfFrames.length);
  let k = 0;
  for (let i = 0; i < p0; i++, k++) {
    perfFrames[k] = i;
    scoreFrames[k] = s0;
  }
  for (let q = 0; q < n; q++, k++) {
    perfFrames[k] = r.perfFrames[q] + p0;
    scoreFrames[k] = r.scoreFrames[q] + s0;
  }
  for (let i = p1 + 1; i < perf.frames; i++, k++) {
    perfFrames[k] = i;
    scoreFrames[k] = s1;
  }
  const confidence = pathConfidence(perf, score, perfFrames, scoreFrames, params.cost);
  return pathFromFramePairs(perfFrames, scoreFrames, {
    perfFrames: perf.frames,
    hopSeconds: perf.hopSeconds,
    scoreHopSeconds: score.hopSeconds,
    method: 'dtw',
    confidence,
    jumpPairs: [],
  });
}
