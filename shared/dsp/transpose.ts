import type { Features } from './features.js';
import { NUM_PITCHES } from './params.js';

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
 * How much nearer (mean chroma cosine distance of each recording frame to its nearest score
 * frame, `nearestDistances`) a transposition must bring the recording than none, relative to
 * none's distance. On the 138 validation and probe recordings at concert pitch the best other
 * candidate's distance is at least 0.87 × none's (a lo-fi honky-tonk piano, whose detuned
 * strings blur the pitch; the rest ≥ 1.02; the robustness probe's clipped ov05 0.97); on six
 * of them moved a semitone up or down (sox `pitch ±100`) the right candidate's is 0.28–0.47 ×
 * none's. 0.33 lies between (`node scripts/level-pitch.mjs`, docs/EVALUATION.md, "Recordings
 * off the usual level or pitch").
 */
export const TRANSPOSITION_MARGIN = 0.33;

/** What `estimateTransposition` reads of each side's features. */
export type ChromaOnly = Pick<Features, 'chroma' | 'frames' | 'hopSeconds'>;

/** Seconds of audio or score pooled into one frame for `estimateTransposition`. */
const POOL_SECONDS = 0.5;

/**
 * At most this many of the recording's pooled frames are compared (evenly spaced): the estimate
 * is a mean, and the work stays proportional to the score's length (22 ms for 5 minutes; without
 * the cap a 60-minute recording would cost 144 times a 5-minute one instead of 12).
 */
const MAX_PERF_SAMPLES = 300;

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
      for (let c = 0; c < 12; c++) moved[q * 12 + ((((c + k) % 12) + 12) % 12)] = a.chroma[i * 12 + c];
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
 * Semitones (−`MAX_TRANSPOSITION` … +`MAX_TRANSPOSITION`) the recording must be moved up to sound
 * at the score's pitch, with each candidate's distance (`nearestDistances`); 0 unless a
 * transposition brings the recording `TRANSPOSITION_MARGIN` (relative) nearer the score than none.
 */
export function estimateTransposition(
  perf: ChromaOnly,
  score: ChromaOnly,
): { semitones: number; distances: Record<number, number> } {
  const a = pooledChroma(perf);
  const b = pooledChroma(score);
  const near = nearestDistances(a, b);
  const distances: Record<number, number> = {};
  for (let k = -MAX_TRANSPOSITION; k <= MAX_TRANSPOSITION; k++) distances[k] = near[k + MAX_TRANSPOSITION];
  let best = 0;
  for (let k = -MAX_TRANSPOSITION; k <= MAX_TRANSPOSITION; k++) if (distances[k] < distances[best]) best = k;
  const semitones = best !== 0 && distances[best] < (1 - TRANSPOSITION_MARGIN) * distances[0] ? best : 0;
  return { semitones, distances };
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
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < 12; c++) out[i * 12 + ((((c + k) % 12) + 12) % 12)] = x[i * 12 + c];
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
