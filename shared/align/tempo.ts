/**
 * The performance's global tempo against the score (score seconds per performance second), the
 * prior the jump search pools its coarse grid by. The ratio of the sounding lengths is exact for
 * a recording of the whole score, but a recording of an excerpt (a practice take, one passage, a
 * cut-and-rejoined dataset recording) is far shorter than its score and the length ratio then
 * claims a tempo 2–5 times too fast. Note density cannot be fooled that way: the same notes in
 * less time are denser. It is a biased estimate (the audio's note features miss and blur notes),
 * so it only caps the length ratio, from above, after dividing out its bias.
 */
import type { Features } from '../dsp/features.js';
import { NUM_PITCHES } from '../dsp/params.js';
import { soundingRange } from './dtw.js';

/**
 * Density ratio ÷ true tempo ratio is at least these on the validation set (84 recordings,
 * `.eval/data`): 1.22 with the note features, 1.69 with the chroma onsets. The caps divide by a
 * little less, so no whole-score recording there is capped (its length ratio stays within 3 %
 * of the truth), while the mean error on excerpts drops from a factor 2.2 to 1.35.
 */
export const NOTE_DENSITY_BIAS = 1.2;
export const ONSET_DENSITY_BIAS = 1.65;
/** The ratio stays within [1/8, 8]. */
const MAX_RATIO = 8;

/** Sum of a frame-major feature over the sounding frames, per second. */
function massPerSecond(f: Features, values: Float32Array, width: number): number {
  const [a, b] = soundingRange(f);
  let s = 0;
  for (let i = a * width; i < (b + 1) * width; i++) s += values[i];
  return s / ((b - a + 1) * f.hopSeconds);
}

/** Score seconds per performance second: the sounding-length ratio, capped by note density. */
export function tempoRatio(perf: Features, score: Features, opts: { density?: boolean } = {}): number {
  const [p0, p1] = soundingRange(perf);
  const [s0, s1] = soundingRange(score);
  const clamp = (r: number): number => Math.min(MAX_RATIO, Math.max(1 / MAX_RATIO, r));
  const byLength = ((s1 - s0 + 1) * score.hopSeconds) / ((p1 - p0 + 1) * perf.hopSeconds);
  if (opts.density === false) return clamp(byLength);
  const pn = perf.notes?.length === perf.frames * NUM_PITCHES ? perf.notes : undefined;
  const sn = score.notes?.length === score.frames * NUM_PITCHES ? score.notes : undefined;
  const [pd, sd, bias] =
    pn && sn
      ? [massPerSecond(perf, pn, NUM_PITCHES), massPerSecond(score, sn, NUM_PITCHES), NOTE_DENSITY_BIAS]
      : [massPerSecond(perf, perf.onset, 12), massPerSecond(score, score.onset, 12), ONSET_DENSITY_BIAS];
  if (!(sd > 0) || !(pd > 0)) return clamp(byLength);
  return clamp(Math.min(byLength, pd / sd / bias));
}
