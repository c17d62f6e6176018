import type { Features } from '../dsp/features.js';
import { HOP_SECONDS, NUM_PITCHES } from '../dsp/params.js';
import { sparseNotes, type SparseNotes } from '../dsp/notes.js';
import { xorshift32 } from '../random.js';
import { costKernel } from './costKernel.js';

/**
 * Local cost between performance frame i and score frame j:
 * `(1 − chroma_i · chroma_j) + onsetWeight · ‖onset_i − onset_j‖₂`
 * (chroma cosine distance, both unit-norm, in 0..2, and 1 between a silent and a sounding frame,
 * since the uniform chroma of silence would otherwise look close to everything, `restCost` where
 * the score rests and the recording sounds; plus the Euclidean distance of the DLNCO
 * onset vectors, which sharpens the timing at note onsets). With `normalise` (the default) both
 * distances are first divided by their median over random cells of the piece (`normalisedCost`).
 * When both sides carry note features (`Features.notes`: the note network's onsets for audio,
 * the notes themselves for a score) a third term `noteWeight · ‖notes_i − notes_j‖₂` compares
 * onsets key by key; without them (no note model, pooled frames) the term is absent.
 * `onsetWeight` and `noteWeight` are tuned on ASAP validation pieces (see `DEFAULT_COST`).
 */
export interface CostParams {
  /** Weight w of the DLNCO onset distance relative to the chroma cosine distance. */
  onsetWeight: number;
  /** Multiplier of the chroma distance (1 unless set by `normalisedCost`). */
  chromaScale?: number;
  /** Multiplier of the onset distance (1 unless set by `normalisedCost`). */
  onsetScale?: number;
  /** Weight of the note-onset distance (used where both sides carry `notes`). */
  noteWeight?: number;
  /** Use the note term only at full resolution (not on pooled frames of coarse searches). */
  noteFineOnly?: boolean;
  /** Multiplier of the note distance (1 unless set by `normalisedCost`). */
  noteScale?: number;
  /** Whether aligners rescale both distances by their median over random cells (`normalisedCost`). */
  normalise?: boolean;
  /**
   * Chroma distance of a sounding performance frame against a silent score frame (a rest in
   * every voice), instead of 1 (a silent performance frame against a sounding score frame stays
   * at 1). A score's notes stop at their written length; a piano rings on through the rest, with
   * the pedal or the room, so a rest is heard as the notes before it fading. At 1 the alignment
   * hurried through rests to reach sound: the last three chords of Liszt's _Waldesrauschen_
   * (ov21, slowing down, the score's notes 0.2 s long with rests between them that the recording
   * fills with their ringing) were placed up to 1.8 s early. See `DEFAULT_COST`.
   */
  restCost?: number;
  /**
   * On pooled frames (the coarse searches, not the full-resolution refinement): a silent
   * performance frame costs this against every score frame, rest or note. Silence in the
   * recording says nothing of where the music is: a pause held on the score's note cost a full
   * mismatch per frame, a rest anywhere in the score (or the score's silent end) nothing, so a
   * pause of two or three seconds made it cheaper for the search to jump to a rest and back
   * (docs/EVALUATION.md, "A pause is no evidence"). Undefined: silence is priced like any frame.
   */
  coarsePauseCost?: number;
  /**
   * With `coarsePauseCost`: the shortest run of silent frames (s) it applies to. A shorter silence
   * (a rest played as written, a codec's gate between two notes) keeps its price, and with it its
   * hold on the score's rests. Default 0: every silent frame.
   */
  coarsePauseSeconds?: number;
}

/**
 * Cost weights used unless a caller overrides them. `restCost` 0.5 was chosen on validation
 * (`node dist/node/electron/tools/eval/tune.js --method jump --sets overall,multi,structure --grid
 * '{"cost":{"restCost":[1,0.75,0.6,0.5,0.4,0.25]}}'`, `.eval/tune-rest*-s17.log`), % of beats
 * within 50 / 100 / 200 ms, overall · multi · structure within 100 ms: 1 (before) 95.72 / 97.05 /
 * 97.90 · 97.89 · 97.88; 0.75: 95.74 / 97.08 / 97.93 · 97.89 · 97.88; 0.6: 95.88 / 97.10 / 97.93 ·
 * 97.89 · 97.88; 0.5: 95.89 / 97.10 / 97.93 · 97.92 · 97.90; 0.4: 95.88 / 97.10 / 97.95 · 97.92 ·
 * 97.90; 0.25: 95.82 / 97.04 / 97.90 · 97.99 · 97.85, the structure set's jump precision 91.7 →
 * 78.6. The conditions probe (`--data .eval/probe --sets overall`) 93.41 / 97.33 / 98.80 at 1,
 * 93.35 / 97.32 / 98.80 at 0.5. `coarsePauseCost` 0.5 over runs of `coarsePauseSeconds` 0.5 s was
 * measured against every silent frame and runs of 1 s (`tune.js --method auto` on validation and
 * the probes; docs/EVALUATION.md, "A pause is no evidence"): validation overall 97.20 → 97.24,
 * multi 97.99 → 98.09 within 100 ms, the multi probe 95.74 → 96.01.
 */
export const DEFAULT_COST: CostParams = {
  onsetWeight: 1,
  noteWeight: 1,
  normalise: true,
  restCost: 0.5,
  coarsePauseCost: 0.5,
  coarsePauseSeconds: 0.5,
};

const pauseCache = new WeakMap<Float32Array, Map<number, Uint8Array>>();

/** Per-frame flags: 1 where the frame lies in a run of at least `minFrames` silent frames (cached). */
export function pauseMask(f: Features, minFrames: number): Uint8Array {
  let byLength = pauseCache.get(f.chroma);
  if (!byLength) pauseCache.set(f.chroma, (byLength = new Map<number, Uint8Array>()));
  let m = byLength.get(minFrames);
  if (m && m.length === f.frames) return m;
  const silent = silenceMask(f);
  m = new Uint8Array(f.frames);
  for (let i = 0; i < f.frames;) {
    let j = i;
    while (j < f.frames && silent[j]) j++;
    if (j > i && j - i >= minFrames) m.fill(1, i, j);
    i = Math.max(j, i + 1);
  }
  byLength.set(minFrames, m);
  return m;
}

/**
 * The price of a paused performance frame and the frames it applies to (`CostParams.coarsePauseCost`),
 * or undefined where silence is priced like any frame (full resolution, or not asked for).
 */
function pauseOf(perf: Features, params: CostParams): { cost: number; mask: Uint8Array } | undefined {
  if (params.coarsePauseCost === undefined || !(perf.hopSeconds > HOP_SECONDS * 1.01)) return undefined;
  const minFrames = Math.round((params.coarsePauseSeconds ?? 0) / perf.hopSeconds);
  return { cost: params.coarsePauseCost, mask: pauseMask(perf, minFrames) };
}

const sparseCache = new WeakMap<Float32Array, SparseNotes>();

/** The sparse view of a side's note features (cached per array), or undefined without them. */
function notesOf(f: Features): SparseNotes | undefined {
  if (!f.notes || f.notes.length !== f.frames * NUM_PITCHES) return undefined;
  let s = sparseCache.get(f.notes);
  if (!s) {
    s = sparseNotes(f.notes, f.frames);
    sparseCache.set(f.notes, s);
  }
  return s;
}

/**
 * Weight × scale of the note term for these two sides: 0 unless both carry note features (and,
 * with `noteFineOnly`, unless they are at full resolution).
 */
function noteTermWeight(perf: Features, score: Features, params: CostParams): number {
  const w = (params.noteWeight ?? 0) * (params.noteScale ?? 1);
  if (w === 0 || (params.noteFineOnly && perf.hopSeconds > HOP_SECONDS * 1.01)) return 0;
  return notesOf(perf) && notesOf(score) ? w : 0;
}

/**
 * A side's note features by pitch: for pitch p, the frames with a non-zero value
 * (`frame[start[p] … start[p + 1]]`, ascending) and those values.
 */
interface NotesByPitch {
  start: Int32Array;
  frame: Int32Array;
  value: Float32Array;
}

const byPitchCache = new WeakMap<Float32Array, NotesByPitch>();

/** The by-pitch view of [frames × NUM_PITCHES] note features (cached per array). */
function notesByPitch(notes: Float32Array, frames: number): NotesByPitch {
  let v = byPitchCache.get(notes);
  if (v) return v;
  const start = new Int32Array(NUM_PITCHES + 1);
  for (let f = 0; f < frames; f++)
    for (let p = 0; p < NUM_PITCHES; p++) if (notes[f * NUM_PITCHES + p] !== 0) start[p + 1]++;
  for (let p = 0; p < NUM_PITCHES; p++) start[p + 1] += start[p];
  const fill = start.slice(0, NUM_PITCHES);
  const frame = new Int32Array(start[NUM_PITCHES]);
  const value = new Float32Array(start[NUM_PITCHES]);
  for (let f = 0; f < frames; f++)
    for (let p = 0; p < NUM_PITCHES; p++) {
      const x = notes[f * NUM_PITCHES + p];
      if (x !== 0) {
        frame[fill[p]] = f;
        value[fill[p]++] = x;
      }
    }
  v = { start, frame, value };
  byPitchCache.set(notes, v);
  return v;
}

let dotScratch = new Float64Array(0);

/**
 * perf.notes_i · score.notes_j for j = lo … hi into `out[0 … hi − lo]`, summed over the perf
 * row's pitches in the same order as `noteDistance` (the terms it adds where the score is 0 are
 * exact zeros), so every value is bit-identical to it; the work is the non-zero pairs only.
 */
function noteDots(
  a: SparseNotes,
  b: NotesByPitch,
  i: number,
  lo: number,
  hi: number,
  out: Float64Array,
): void {
  out.fill(0, 0, hi - lo + 1);
  const { start, frame, value } = b;
  for (let k = a.start[i]; k < a.start[i + 1]; k++) {
    const p = a.index[k];
    const v = a.value[k];
    // First entry of pitch p at a frame ≥ lo.
    let q = start[p];
    let e = start[p + 1];
    while (q < e) {
      const mid = (q + e) >>> 1;
      if (frame[mid] < lo) q = mid + 1;
      else e = mid;
    }
    for (const end = start[p + 1]; q < end; q++) {
      const j = frame[q];
      if (j > hi) break;
      out[j - lo] += v * value[q];
    }
  }
}

/** ‖perf.notes_i − score.notes_j‖₂ from the sparse perf row and the dense score row. */
function noteDistance(a: SparseNotes, b: SparseNotes, dense: Float32Array, i: number, j: number): number {
  let dot = 0;
  const base = j * NUM_PITCHES;
  for (let k = a.start[i]; k < a.start[i + 1]; k++) dot += a.value[k] * dense[base + a.index[k]];
  return Math.sqrt(Math.max(0, a.norm2[i] + b.norm2[j] - 2 * dot));
}

const silenceCache = new WeakMap<Float32Array, Uint8Array>();

/** Per-frame flags: 1 where the frame is silence (the features write uniform 1/√12 chroma there). Cached per chroma array. */
export function silenceMask(f: Features): Uint8Array {
  let m = silenceCache.get(f.chroma);
  if (m && m.length === f.frames) return m;
  m = new Uint8Array(f.frames);
  const u = 1 / Math.sqrt(12);
  for (let i = 0; i < f.frames; i++) {
    let silent = 1;
    for (let c = 0; c < 12; c++) {
      if (Math.abs(f.chroma[i * 12 + c] - u) > 1e-4) {
        silent = 0;
        break;
      }
    }
    m[i] = silent;
  }
  silenceCache.set(f.chroma, m);
  return m;
}

/**
 * Chroma distance where one side is silent and the other sounds: 1 for a silent performance frame,
 * `restCost` for a sounding one against a score rest.
 */
function silentMismatch(perfSilent: number, params: CostParams): number {
  return perfSilent ? 1 : (params.restCost ?? 1);
}

/** Cost of one cell (perf frame i, score frame j); for many cells of the same sides, `cellCoster`. */
export function cellCost(
  perf: Features,
  score: Features,
  i: number,
  j: number,
  params: CostParams = DEFAULT_COST,
): number {
  return cellCoster(perf, score, params)(i, j);
}

/**
 * `cellCost` of these two sides and params as a function of (i, j), with what every cell shares
 * (the silence masks, the note views, the weights) looked up once: the same value, bit for bit.
 */
export function cellCoster(
  perf: Features,
  score: Features,
  params: CostParams = DEFAULT_COST,
): (i: number, j: number) => number {
  const a = perf.chroma;
  const b = score.chroma;
  const oa = perf.onset;
  const ob = score.onset;
  const perfSilence = silenceMask(perf);
  const scoreSilence = silenceMask(score);
  const cs = params.chromaScale ?? 1;
  const ow = params.onsetWeight * (params.onsetScale ?? 1);
  const wn = noteTermWeight(perf, score, params);
  const na = wn !== 0 ? notesOf(perf) : undefined;
  const nb = wn !== 0 ? notesOf(score) : undefined;
  const pause = pauseOf(perf, params);
  return (i, j) => {
    if (pause?.mask[i]) return pause.cost;
    const pi = i * 12;
    const pj = j * 12;
    let dot = 0;
    let od = 0;
    for (let c = 0; c < 12; c++) {
      dot += a[pi + c] * b[pj + c];
      const d = oa[pi + c] - ob[pj + c];
      od += d * d;
    }
    const perfSilent = perfSilence[i];
    const chromaDist = perfSilent !== scoreSilence[j] ? silentMismatch(perfSilent, params) : 1 - dot;
    return (
      cs * chromaDist + ow * Math.sqrt(od) + (na && nb ? wn * noteDistance(na, nb, score.notes!, i, j) : 0)
    );
  };
}

/** Costs of cells (perfFrames[k], scoreFrames[k]) for every k. */
export function pathCosts(
  perf: Features,
  score: Features,
  perfFrames: ArrayLike<number>,
  scoreFrames: ArrayLike<number>,
  params: CostParams = DEFAULT_COST,
): Float64Array {
  const out = new Float64Array(perfFrames.length);
  const cost = cellCoster(perf, score, params);
  for (let k = 0; k < out.length; k++) out[k] = cost(perfFrames[k], scoreFrames[k]);
  return out;
}

/** Rows of fewer cells are computed in JavaScript (the kernel's call costs more than it saves). */
const KERNEL_MIN_CELLS = 8;

/**
 * Costs of row i against score frames lo..hi into `out[0 .. hi − lo]`: in the WebAssembly kernel
 * (`costKernel.ts`, bit-identical) where it runs, else (or with `kernel` false, the kernel's
 * reference in tests) in JavaScript.
 */
export function rowCosts(
  perf: Features,
  score: Features,
  i: number,
  lo: number,
  hi: number,
  out: Float64Array,
  params: CostParams = DEFAULT_COST,
  kernel = true,
): void {
  const a = perf.chroma;
  const b = score.chroma;
  const oa = perf.onset;
  const ob = score.onset;
  const cs = params.chromaScale ?? 1;
  const rowSilent = silenceMask(perf)[i];
  const pause = rowSilent ? pauseOf(perf, params) : undefined;
  if (pause?.mask[i]) {
    out.fill(pause.cost, 0, hi - lo + 1);
    return;
  }
  const colSilent = silenceMask(score);
  const mismatch = silentMismatch(rowSilent, params);
  const w = params.onsetWeight * (params.onsetScale ?? 1);
  const wn = noteTermWeight(perf, score, params);
  const na = wn !== 0 ? notesOf(perf) : undefined;
  const nb = wn !== 0 ? notesOf(score) : undefined;
  const pi = i * 12;
  const wasm = kernel && hi - lo + 1 >= KERNEL_MIN_CELLS ? costKernel() : undefined;
  if (wasm) {
    const layout = wasm.score(b, ob, colSilent, nb?.norm2, score.frames);
    const notes = na !== undefined && nb !== undefined;
    if (notes) noteDots(na, notesByPitch(score.notes!, score.frames), i, lo, hi, layout.dots);
    const row = layout.row;
    for (let c = 0; c < 12; c++) {
      row[c] = a[pi + c];
      row[12 + c] = oa[pi + c];
    }
    layout.run(lo, hi, rowSilent, mismatch, cs, w, wn, notes ? na.norm2[i] : 0, notes, out);
    return;
  }
  let dots = dotScratch;
  let na2 = 0;
  if (na && nb) {
    if (dots.length < hi - lo + 1) dots = dotScratch = new Float64Array(hi - lo + 1);
    noteDots(na, notesByPitch(score.notes!, score.frames), i, lo, hi, dots);
    na2 = na.norm2[i];
  }
  const a0 = a[pi],
    a1 = a[pi + 1],
    a2 = a[pi + 2],
    a3 = a[pi + 3],
    a4 = a[pi + 4],
    a5 = a[pi + 5];
  const a6 = a[pi + 6],
    a7 = a[pi + 7],
    a8 = a[pi + 8],
    a9 = a[pi + 9],
    a10 = a[pi + 10],
    a11 = a[pi + 11];
  const o0 = oa[pi],
    o1 = oa[pi + 1],
    o2 = oa[pi + 2],
    o3 = oa[pi + 3],
    o4 = oa[pi + 4],
    o5 = oa[pi + 5];
  const o6 = oa[pi + 6],
    o7 = oa[pi + 7],
    o8 = oa[pi + 8],
    o9 = oa[pi + 9],
    o10 = oa[pi + 10],
    o11 = oa[pi + 11];
  for (let j = lo; j <= hi; j++) {
    const p = j * 12;
    const dot =
      a0 * b[p] +
      a1 * b[p + 1] +
      a2 * b[p + 2] +
      a3 * b[p + 3] +
      a4 * b[p + 4] +
      a5 * b[p + 5] +
      a6 * b[p + 6] +
      a7 * b[p + 7] +
      a8 * b[p + 8] +
      a9 * b[p + 9] +
      a10 * b[p + 10] +
      a11 * b[p + 11];
    let c = cs * (colSilent[j] !== rowSilent ? mismatch : 1 - dot);
    if (w !== 0) {
      const d0 = o0 - ob[p],
        d1 = o1 - ob[p + 1],
        d2 = o2 - ob[p + 2],
        d3 = o3 - ob[p + 3];
      const d4 = o4 - ob[p + 4],
        d5 = o5 - ob[p + 5],
        d6 = o6 - ob[p + 6],
        d7 = o7 - ob[p + 7];
      const d8 = o8 - ob[p + 8],
        d9 = o9 - ob[p + 9],
        d10 = o10 - ob[p + 10],
        d11 = o11 - ob[p + 11];
      c +=
        w *
        Math.sqrt(
          d0 * d0 +
            d1 * d1 +
            d2 * d2 +
            d3 * d3 +
            d4 * d4 +
            d5 * d5 +
            d6 * d6 +
            d7 * d7 +
            d8 * d8 +
            d9 * d9 +
            d10 * d10 +
            d11 * d11,
        );
    }
    // The expression of `noteDistance`, with the dot product from `noteDots`.
    if (na && nb) c += wn * Math.sqrt(Math.max(0, na2 + nb.norm2[j] - 2 * dots[j - lo]));
    out[j - lo] = c;
  }
}

/** The `quantile` (0..1) of the costs of `samples` pseudo-random cells (fixed seed): the cost level of unrelated frames. */
export function randomCellCost(
  perf: Features,
  score: Features,
  params: CostParams = DEFAULT_COST,
  quantile = 0.5,
  samples = 4000,
): number {
  if (perf.frames === 0 || score.frames === 0) return 1;
  const rnd = xorshift32(0x9e3779b9);
  const v = new Float64Array(samples);
  const cost = cellCoster(perf, score, params);
  for (let k = 0; k < samples; k++)
    v[k] = cost(Math.floor(rnd() * perf.frames), Math.floor(rnd() * score.frames));
  v.sort();
  return v[Math.min(samples - 1, Math.floor(quantile * samples))];
}

/**
 * Note features are sparse (most cells of unrelated frames compare silence with silence), so
 * their distance is scaled by this upper quantile over random cells rather than the median.
 */
export const NOTE_SCALE_QUANTILE = 0.8;

/**
 * Cost params whose chroma and onset distances are each divided by their median over random
 * cells of these two sequences, so `onsetWeight` means the same on every piece (a piece whose
 * onset vectors are large everywhere does not let the onset term drown the chroma term).
 * Returns `params` unchanged unless `params.normalise`.
 */
export function normalisedCost(
  perf: Features,
  score: Features,
  params: CostParams = DEFAULT_COST,
): CostParams {
  if (!params.normalise) return params;
  const c = randomCellCost(perf, score, { onsetWeight: 0 });
  const o = randomCellCost(perf, score, { onsetWeight: 1, chromaScale: 0 });
  const n = noteTermWeight(perf, score, { onsetWeight: 0, noteWeight: 1 })
    ? randomCellCost(perf, score, { onsetWeight: 0, chromaScale: 0, noteWeight: 1 }, NOTE_SCALE_QUANTILE)
    : 1;
  return {
    ...params,
    chromaScale: 1 / Math.max(c, 0.05),
    onsetScale: 1 / Math.max(o, 0.05),
    noteScale: 1 / Math.max(n, 0.05),
    normalise: false,
  };
}
