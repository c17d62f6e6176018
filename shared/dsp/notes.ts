import type { ScoreNote } from '../score.js';
import { FEATURE_PARAMS, HOP_SECONDS, NUM_PITCHES } from './params.js';

/**
 * Note features: pitch-wise onset evidence on the feature grid, for audio from the note network's
 * onset probabilities (`models/accord-notes`), for a score from its notes. Both sides go through
 * the same decaying tail (`noteOnsetFeature`), so a cost can compare them frame by frame: a
 * performance onset matches a score onset of the same key (not of the same pitch class, as chroma
 * onsets do), and the tail gives the alignment a slope towards the exact onset frame.
 */

/** Tail length (frames) of `noteOnsetFeature`: weights sqrt((n − k)/n), k = 0..n−1 (as DLNCO). */
export const NOTE_TAIL_FRAMES = 10;
/** Onset probabilities below this are treated as 0 (they are the network's noise floor). */
export const NOTE_ONSET_FLOOR = 0.05;

/**
 * Pitch-wise onset feature [frames × NUM_PITCHES] from onset strengths in 0..1 (same layout):
 * values under `NOTE_ONSET_FLOOR` are dropped, then each frame's strengths ring on for
 * `NOTE_TAIL_FRAMES` frames with a square-root decay; overlapping tails keep the maximum.
 */
export function noteOnsetFeature(strength: Float32Array, frames: number): Float32Array {
  if (strength.length !== frames * NUM_PITCHES)
    throw new RangeError(
      `noteOnsetFeature: expected ${frames} × ${NUM_PITCHES} = ${frames * NUM_PITCHES} values, got ${strength.length}`,
    );
  const n = NOTE_TAIL_FRAMES;
  const w = Array.from({ length: n }, (_, k) => Math.sqrt((n - k) / n));
  const out = new Float32Array(strength.length);
  for (let f = 0; f < frames; f++) {
    const row = f * NUM_PITCHES;
    for (let p = 0; p < NUM_PITCHES; p++) {
      const v = strength[row + p];
      if (v < NOTE_ONSET_FLOOR) continue;
      for (let k = 0; k < n && f + k < frames; k++) {
        const idx = (f + k) * NUM_PITCHES + p;
        const x = v * w[k];
        if (x > out[idx]) out[idx] = x;
      }
    }
  }
  return out;
}

/** Sounding probabilities below this are treated as 0. */
export const NOTE_SOUNDING_FLOOR = 0.1;

/**
 * Adds sounding evidence to note features in place: each value becomes max(value, weight · s)
 * where s is the sounding strength (dropped under `NOTE_SOUNDING_FLOOR`). Onsets keep their peaks
 * (an onset and its tail are ≥ the sounding weight when the weight is < 1), and between onsets the
 * held keys still say where in the score the recording is.
 */
export function addSounding(notes: Float32Array, sounding: Float32Array, weight: number): Float32Array {
  if (sounding.length !== notes.length)
    throw new RangeError(`addSounding: expected ${notes.length} values, got ${sounding.length}`);
  if (!(weight > 0)) return notes;
  for (let i = 0; i < notes.length; i++) {
    const v = sounding[i] < NOTE_SOUNDING_FLOOR ? 0 : weight * sounding[i];
    if (v > notes[i]) notes[i] = v;
  }
  return notes;
}

/** Score sounding roll [frames × NUM_PITCHES]: 1 from each note's onset frame to the end of its `held` duration. */
export function scoreSoundingRoll(
  notes: readonly ScoreNote[],
  held: ArrayLike<number>,
  frames: number,
): Float32Array {
  const out = new Float32Array(frames * NUM_PITCHES);
  for (let i = 0; i < notes.length; i++) {
    const n = notes[i];
    const p = n.pitch - FEATURE_PARAMS.minPitch;
    if (p < 0 || p >= NUM_PITCHES) continue;
    const a = Math.max(0, Math.round(n.onset / HOP_SECONDS));
    const b = Math.min(frames - 1, Math.round((n.onset + held[i]) / HOP_SECONDS));
    for (let f = a; f <= b; f++) out[f * NUM_PITCHES + p] = 1;
  }
  return out;
}

/** Score onsets [frames × NUM_PITCHES]: 1 at the frame nearest each note's onset (pitches outside the piano are dropped). */
export function scoreOnsetStrength(notes: readonly ScoreNote[], frames: number): Float32Array {
  const out = new Float32Array(frames * NUM_PITCHES);
  for (const n of notes) {
    const p = n.pitch - FEATURE_PARAMS.minPitch;
    if (p < 0 || p >= NUM_PITCHES) continue;
    const f = Math.round(n.onset / HOP_SECONDS);
    if (f >= 0 && f < frames) out[f * NUM_PITCHES + p] = 1;
  }
  return out;
}

/** The score's note features on a grid of `frames` frames (those of its `scoreFeatures`). */
export function scoreNoteFeatures(notes: readonly ScoreNote[], frames: number): Float32Array {
  return noteOnsetFeature(scoreOnsetStrength(notes, frames), frames);
}

/**
 * Sparse view of note features for fast dot products: per frame the pitches with a value
 * (`index`, `value` from `start[f]` to `start[f + 1]`) and the squared norm.
 */
export interface SparseNotes {
  start: Int32Array;
  index: Uint8Array;
  value: Float32Array;
  norm2: Float32Array;
}

/** Builds the sparse view of [frames × NUM_PITCHES] note features. */
export function sparseNotes(notes: Float32Array, frames: number): SparseNotes {
  let count = 0;
  for (let i = 0; i < notes.length; i++) if (notes[i] > 0) count++;
  const start = new Int32Array(frames + 1);
  const index = new Uint8Array(count);
  const value = new Float32Array(count);
  const norm2 = new Float32Array(frames);
  let k = 0;
  for (let f = 0; f < frames; f++) {
    start[f] = k;
    let s = 0;
    for (let p = 0; p < NUM_PITCHES; p++) {
      const v = notes[f * NUM_PITCHES + p];
      if (v > 0) {
        index[k] = p;
        value[k++] = v;
        s += v * v;
      }
    }
    norm2[f] = s;
  }
  start[frames] = k;
  return { start, index, value, norm2 };
}

/** Note features are kept on a grid of 1/NOTE_LEVELS (so a cache of uint8 holds them exactly). */
export const NOTE_LEVELS = 255;

/** Rounds note features in [0, 1] to the 1/NOTE_LEVELS grid, in place; returns them. */
export function roundNotes(notes: Float32Array): Float32Array {
  for (let i = 0; i < notes.length; i++) notes[i] = Math.round(notes[i] * NOTE_LEVELS) / NOTE_LEVELS;
  return notes;
}

/** Note features as bytes (value × NOTE_LEVELS), for caches. */
export function quantiseNotes(notes: Float32Array): Uint8Array {
  const out = new Uint8Array(notes.length);
  for (let i = 0; i < notes.length; i++)
    out[i] = Math.max(0, Math.min(NOTE_LEVELS, Math.round(notes[i] * NOTE_LEVELS)));
  return out;
}

/** The note features of `quantiseNotes` bytes (exact for features on the 1/NOTE_LEVELS grid). */
export function dequantiseNotes(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / NOTE_LEVELS;
  return out;
}
