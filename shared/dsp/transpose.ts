import type { Features } from './features.js';
import { FEATURE_PARAMS, NUM_PITCHES } from './params.js';

/**
 * A recording a semitone or two away from its score: Baroque pitch (A = 415 Hz, a semitone
 * below the modern 440), Chorton (466 Hz, a semitone above), a transposed edition or a
 * transposing instrument. The tuning estimate only follows the bands within half a semitone
 * (`estimateTuningCents`), so such a recording's chroma is rotated against the score's and
 * nothing matches: ASAP validation cases pitched a semitone up or down kept 1–7 % of their beats
 * within 200 ms. Each candidate is tried against the score's harmonies (`nearestDistances`).
 */
export const MAX_TRANSPOSITION = 2;

/**
 * How much nearer (mean cosine distance of each recording frame's pitch classes to its nearest
 * score frame's, `nearestDistances`) a transposition must bring the recording than none, relative
 * to none's distance. Measured on the note features' pitch classes (`notePitchClasses`, what the
 * engine reads; `node scripts/level-pitch.mjs`, docs/EVALUATION.md, "Recordings off the usual
 * level or pitch"): on the 185 validation and probe recordings at concert pitch, twelve of them
 * in sustained timbres (organs, strings, choir, pads) and 24 under the robustness probe's
 * conditions, the nearest other candidate is at least 1.14 × none's; on the 13 moved a semitone
 * to a whole tone (sox `pitch`) the right one is 0.13–0.57 × none's. On chroma (no note features)
 * the concert-pitch recordings were at least 0.87 × (a lo-fi honky-tonk piano) but a drawbar
 * organ at 0.67 ×, and the moved ones 0.28–0.76 ×: the notes separate them far better.
 */
export const TRANSPOSITION_MARGIN = 0.33;

/** What `estimateTransposition` reads of each side's features (`notes` where both sides have them). */
export type ChromaOnly = Pick<Features, 'chroma' | 'frames' | 'hopSeconds' | 'notes'>;

/**
 * The pitch classes of `f`'s note features (its keys folded to 12 and each frame set to unit
 * length; a frame without notes uniform, as silence is in chroma), or undefined without them.
 * The note network hears a key's fundamental where chroma also hears its partials: a drawbar
 * organ at concert pitch, whose partials put a strong minor seventh above every note, has chroma
 * nearer its score's moved a whole tone up than unmoved (0.67 × none's distance), its notes
 * 1.95 × (`node scripts/level-pitch.mjs`).
 */
function notePitchClasses(f: ChromaOnly): ChromaOnly | undefined {
  if (!f.notes || f.notes.length !== f.frames * NUM_PITCHES) return undefined;
  const chroma = new Float32Array(f.frames * 12);
  const uniform = 1 / Math.sqrt(12);
  const lowest = FEATURE_PARAMS.minPitch;
  for (let i = 0; i < f.frames; i++) {
    const row = chroma.subarray(i * 12, (i + 1) * 12);
    for (let p = 0; p < NUM_PITCHES; p++) row[(lowest + p) % 12] += f.notes[i * NUM_PITCHES + p];
    let n = 0;
    for (let c = 0; c < 12; c++) n += row[c] * row[c];
    n = Math.sqrt(n);
    for (let c = 0; c < 12; c++) row[c] = n > 1e-3 ? row[c] / n : uniform;
  }
  return { chroma, frames: f.frames, hopSeconds: f.hopSeconds };
}

/** Seconds of audio or score pooled into one frame for `estimateTransposition`. */
const POOL_SECONDS = 0.5;

/**
 * At most this many of the recording's pooled frames are compared (evenly spaced): the estimate
 * is a mean, and the work stays proportional to the score's length (22 ms for 5 minutes; without
 * the cap a 60-minute recording would cost 144 times a 5-minute one instead of 12).
 */
const MAX_PERF_SAMPLES = 300;

/** Pitch class `c` (0 … 11) moved up `k` semitones (k may be negative). */
function classUp(c: number, k: number): number {
  return (((c + k) % 12) + 12) % 12;
}

/** The sounding frames of pooled chroma: `count` unit rows, [count × 12]. */
interface Pooled {
  chroma: Float64Array;
  count: number;
}

/** Chroma of `f` pooled over `POOL_SECONDS`, its sounding frames only (silence is uniform chroma). */
function pooledChroma(f: ChromaOnly): Pooled {
  const step = Math.max(1, Math.round(POOL_SECONDS / f.hopSeconds));
  const frames = Math.ceil(f.frames / step);
  const chroma = new Float64Array(frames * 12);
  const uniform = 1 / Math.sqrt(12);
  let count = 0;
  for (let g = 0; g < frames; g++) {
    const row = count * 12;
    let sounding = false;
    for (let i = g * step; i < Math.min(f.frames, (g + 1) * step); i++) {
      let flat = true;
      for (let c = 0; c < 12 && flat; c++) flat = Math.abs(f.chroma[i * 12 + c] - uniform) < 1e-6;
      if (flat) continue;
      sounding = true;
      for (let c = 0; c < 12; c++) chroma[row + c] += f.chroma[i * 12 + c];
    }
    if (!sounding) continue;
    let n = 0;
    for (let c = 0; c < 12; c++) n += chroma[row + c] ** 2;
    n = Math.sqrt(n);
    for (let c = 0; c < 12; c++) chroma[row + c] /= n;
    count++;
  }
  return { chroma, count };
}

/**
 * For each k = −`MAX_TRANSPOSITION` … +`MAX_TRANSPOSITION` (index k + `MAX_TRANSPOSITION`): the
 * mean, over the recording's sounding pooled frames (`MAX_PERF_SAMPLES` of them at most) moved up
 * k semitones, of the chroma cosine distance to the nearest sounding pooled score frame: how well
 * the recording's harmonies occur somewhere in the score, whatever their order (repeats, skips
 * and tempo do not matter).
 */
function nearestDistances(a: Pooled, b: Pooled): Float64Array {
  const K = 2 * MAX_TRANSPOSITION + 1;
  const sums = new Float64Array(K);
  // The sampled recording frame moved up by each k, [K × 12].
  const moved = new Float64Array(K * 12);
  const best = new Float64Array(K);
  const stride = Math.max(1, Math.floor(a.count / MAX_PERF_SAMPLES));
  let n = 0;
  for (let i = 0; i < a.count; i += stride) {
    for (let q = 0; q < K; q++) {
      const k = q - MAX_TRANSPOSITION;
      for (let c = 0; c < 12; c++) moved[q * 12 + classUp(c, k)] = a.chroma[i * 12 + c];
    }
    best.fill(-1);
    const x = b.chroma;
    for (let j = 0; j < b.count; j++) {
      const p = j * 12;
      const b0 = x[p],
        b1 = x[p + 1],
        b2 = x[p + 2],
        b3 = x[p + 3],
        b4 = x[p + 4],
        b5 = x[p + 5];
      const b6 = x[p + 6],
        b7 = x[p + 7],
        b8 = x[p + 8],
        b9 = x[p + 9],
        b10 = x[p + 10],
        b11 = x[p + 11];
      for (let q = 0, m = 0; q < K; q++, m += 12) {
        const dot =
          moved[m] * b0 +
          moved[m + 1] * b1 +
          moved[m + 2] * b2 +
          moved[m + 3] * b3 +
          moved[m + 4] * b4 +
          moved[m + 5] * b5 +
          moved[m + 6] * b6 +
          moved[m + 7] * b7 +
          moved[m + 8] * b8 +
          moved[m + 9] * b9 +
          moved[m + 10] * b10 +
          moved[m + 11] * b11;
        if (dot > best[q]) best[q] = dot;
      }
    }
    for (let q = 0; q < K; q++) sums[q] += 1 - best[q];
    n++;
  }
  return sums.map((x) => (n > 0 ? x / n : 0));
}

/**
 * The harmonies' order must agree too (`orderedDistance`): the candidate kept by
 * `TRANSPOSITION_MARGIN` must also bring the recording's ordered match to the score this much
 * (relative) nearer than none's. On chroma, the drawbar organ above (0.67 × order-free) is at
 * 0.79 × ordered, the recordings truly moved at 0.23–0.54 ×; on the note features' pitch classes
 * the moved ones are at 0.12–0.47 × (`node scripts/level-pitch.mjs`).
 */
export const ORDERED_MARGIN = 0.3;

/** A jump in `orderedDistance`'s match costs this much (cosine distance): repeats and skips are allowed, rarely. */
const ORDERED_JUMP_PRICE = 3;

/** At most this many pooled frames a side in `orderedDistance` (longer sides are pooled further). */
const ORDERED_MAX_FRAMES = 1000;

/** Pooled frames `a` merged `factor` at a time (each renormalised to unit length). */
function coarser(a: Pooled, factor: number): Pooled {
  if (factor <= 1) return a;
  const count = Math.ceil(a.count / factor);
  const chroma = new Float64Array(count * 12);
  for (let i = 0; i < a.count; i++)
    for (let c = 0; c < 12; c++) chroma[Math.floor(i / factor) * 12 + c] += a.chroma[i * 12 + c];
  for (let g = 0; g < count; g++) {
    let n = 0;
    for (let c = 0; c < 12; c++) n += chroma[g * 12 + c] ** 2;
    n = Math.sqrt(n) || 1;
    for (let c = 0; c < 12; c++) chroma[g * 12 + c] /= n;
  }
  return { chroma, count };
}

/**
 * Mean chroma cosine distance of the recording's sounding pooled frames, moved up `k` semitones,
 * along their cheapest ordered match to the score's: each frame is matched to a score frame one
 * or two after the previous one's, or the same (tempo from half to twice the score's), and the
 * match may start anywhere and jump anywhere for `ORDERED_JUMP_PRICE` (repeats, skips, excerpts).
 */
function orderedDistance(a: Pooled, b: Pooled, k: number): number {
  const n = a.count;
  const m = b.count;
  if (n === 0 || m === 0) return 0;
  const moved = new Float64Array(12);
  let prev = new Float64Array(m);
  let cur = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 12; c++) moved[classUp(c, k)] = a.chroma[i * 12 + c];
    let jumpFrom = Infinity;
    if (i > 0) for (let j = 0; j < m; j++) if (prev[j] < jumpFrom) jumpFrom = prev[j];
    jumpFrom += ORDERED_JUMP_PRICE;
    for (let j = 0; j < m; j++) {
      let dot = 0;
      for (let c = 0; c < 12; c++) dot += moved[c] * b.chroma[j * 12 + c];
      let best = 0;
      if (i > 0) {
        best = Math.min(prev[j], jumpFrom);
        if (j > 0 && prev[j - 1] < best) best = prev[j - 1];
        if (j > 1 && prev[j - 2] < best) best = prev[j - 2];
      }
      cur[j] = best + (1 - dot);
    }
    [prev, cur] = [cur, prev];
  }
  let end = Infinity;
  for (let j = 0; j < m; j++) if (prev[j] < end) end = prev[j];
  return end / n;
}

/**
 * Semitones (−`MAX_TRANSPOSITION` … +`MAX_TRANSPOSITION`) the recording must be moved up to sound
 * at the score's pitch, with each candidate's distance (`nearestDistances`); 0 unless a
 * transposition brings the recording `TRANSPOSITION_MARGIN` (relative) nearer the score than none
 * and its ordered match `ORDERED_MARGIN` nearer (`ordered`: [none's, the candidate's], when tried).
 */
export function estimateTransposition(
  perf: ChromaOnly,
  score: ChromaOnly,
): { semitones: number; distances: Record<number, number>; ordered?: [number, number] } {
  // The note features' pitch classes where both sides have them, else the chroma.
  const pa = notePitchClasses(perf);
  const pb = pa && notePitchClasses(score);
  const a = pooledChroma(pb ? pa : perf);
  const b = pooledChroma(pb ?? score);
  const near = nearestDistances(a, b);
  const distances: Record<number, number> = {};
  for (let k = -MAX_TRANSPOSITION; k <= MAX_TRANSPOSITION; k++) distances[k] = near[k + MAX_TRANSPOSITION];
  let best = 0;
  for (let k = -MAX_TRANSPOSITION; k <= MAX_TRANSPOSITION; k++) if (distances[k] < distances[best]) best = k;
  if (best === 0 || !(distances[best] < (1 - TRANSPOSITION_MARGIN) * distances[0]))
    return { semitones: 0, distances };
  const ca = coarser(a, Math.ceil(a.count / ORDERED_MAX_FRAMES));
  const cb = coarser(b, Math.ceil(b.count / ORDERED_MAX_FRAMES));
  const ordered: [number, number] = [orderedDistance(ca, cb, 0), orderedDistance(ca, cb, best)];
  const semitones = ordered[1] < (1 - ORDERED_MARGIN) * ordered[0] ? best : 0;
  return { semitones, distances, ordered };
}

/**
 * Features as if the recording were played `k` semitones higher: chroma and onsets rotated, the
 * pitch-wise note features moved up `k` keys (keys moved past the keyboard's ends are dropped).
 * `k` = 0 returns `f` itself.
 */
export function transposeFeatures(f: Features, k: number): Features {
  if (k === 0) return f;
  const out: Features = {
    ...f,
    chroma: rotateChroma(f.chroma, f.frames, k),
    onset: rotateChroma(f.onset, f.frames, k),
  };
  if (f.notes) {
    const notes = new Float32Array(f.notes.length);
    for (let i = 0; i < f.frames; i++)
      for (let p = Math.max(0, -k); p < Math.min(NUM_PITCHES, NUM_PITCHES - k); p++)
        notes[i * NUM_PITCHES + p + k] = f.notes[i * NUM_PITCHES + p];
    out.notes = notes;
  }
  return out;
}

/** [frames × 12] pitch-class values moved up `k` semitones (a new array). */
export function rotateChroma(x: Float32Array, frames: number, k: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < frames; i++) for (let c = 0; c < 12; c++) out[i * 12 + classUp(c, k)] = x[i * 12 + c];
  return out;
}

/**
 * The recording's features at the score's pitch (`estimateTransposition`, `transposeFeatures`)
 * and the semitones they were moved up (0: unchanged, `perf` itself).
 */
export function atScorePitch(perf: Features, score: Features): { perf: Features; semitones: number } {
  const { semitones } = estimateTransposition(perf, score);
  return { perf: transposeFeatures(perf, semitones), semitones };
}
