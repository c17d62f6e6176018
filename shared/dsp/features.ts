import FFT from 'fft.js';
import { nextStrikesOfKey, type ScoreNote } from '../score.js';
import { FEATURE_PARAMS, HOP_SECONDS, NUM_PITCHES, frameCount } from './params.js';

/** Frame-synchronous features of audio or of a score, on the `FEATURE_PARAMS` grid. */
export interface Features {
  /** Number of frames; frame f is centred at f·hopSeconds. */
  frames: number;
  /** Seconds per frame. */
  hopSeconds: number;
  /** [frames × 12] frame-major chroma (C = 0), each frame unit L2 norm (silence → uniform 1/√12). */
  chroma: Float32Array;
  /** [frames × 12] frame-major DLNCO chroma onsets (≥ 0, locally normalised, decaying tail). */
  onset: Float32Array;
  /** [frames] natural log of total pitch energy (sine of amplitude A ≈ log(1.5·A²); silence = log(energyFloor)). */
  energy: Float32Array;
  /**
   * [frames × NUM_PITCHES] note-onset features (`shared/dsp/notes.ts`): for audio from the note
   * network (absent without a note model), for a score from its notes. Pooling averages them.
   */
  notes?: Float32Array;
  /** Audio only: the tuning (cents from `tuningHz`) the pitch bands followed. */
  tuningCents?: number;
  /** Audio only: how slowly its notes swell in (`meanRiseFrames` of `shared/dsp/attack.ts`). */
  attackRiseFrames?: number;
}

/** Pitch-energy matrix: [frames × NUM_PITCHES] frame-major, pitch index i is MIDI minPitch + i. */
export interface PitchEnergy {
  /** Number of frames. */
  frames: number;
  /** [frames × NUM_PITCHES] power per pitch band (a sine of amplitude A gives ≈ 1.5·A² in its band). */
  energy: Float32Array;
}

const { sampleRate, frameLength, hopLength, minPitch, maxPitch, tuningHz } = FEATURE_PARAMS;
const NUM_BINS = frameLength / 2 + 1;

/**
 * A real FFT of one frame of `frameLength` samples: fill `input`, call `run()`, read bin k
 * (1 ≤ k < frameLength / 2) as `out[2k]` (real) and `out[2k + 1]` (imaginary); bins 0 and
 * frameLength / 2 are not read. One user at a time: `input` and `out` are its own buffers.
 * `jsFrameFft` is the portable one; the engine passes a faster one (`electron/engine/fft.ts`).
 */
export interface FrameFft {
  input: Float32Array | Float64Array;
  out: Float32Array | Float64Array;
  run(): void;
}

/** `FrameFft` in JavaScript (fft.js, double precision). */
export function jsFrameFft(): FrameFft {
  const fft = new FFT(frameLength);
  const input = new Float64Array(frameLength);
  const out = new Float64Array(2 * frameLength);
  return { input, out, run: () => fft.realTransform(out, input) };
}

/** Periodic Hann window of `frameLength` samples. */
export function hannWindow(): Float64Array {
  const w = new Float64Array(frameLength);
  for (let n = 0; n < frameLength; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / frameLength);
  return w;
}

/** Fractional MIDI pitch of a frequency (Hz), for an instrument tuned `tuningCents` away from `tuningHz`. */
export function hzToPitch(hz: number, tuningCents = 0): number {
  return 69 + 12 * Math.log2(hz / tuningHz) - tuningCents / 100;
}

/**
 * For each STFT bin [NUM_BINS], the pitch index (0..NUM_PITCHES−1) whose ±0.5 semitone band
 * (centred on the pitch as tuned, `tuningCents` from `tuningHz`) holds it, or −1.
 */
export function binToPitchIndex(tuningCents = 0): Int16Array {
  const map = new Int16Array(NUM_BINS).fill(-1);
  for (let k = 1; k < NUM_BINS; k++) {
    const p = Math.floor(hzToPitch((k * sampleRate) / frameLength, tuningCents) + 0.5);
    if (p >= minPitch && p <= maxPitch) map[k] = p - minPitch;
  }
  return map;
}

/**
 * For each pitch index [NUM_PITCHES], the pitch index where the audio filterbank sees its
 * energy: itself if its band holds a bin, else the band of the bin nearest its centre
 * (low pitches narrower than a bin).
 */
export function effectivePitchIndex(): Int16Array {
  const map = binToPitchIndex();
  const out = new Int16Array(NUM_PITCHES);
  for (let i = 0; i < NUM_PITCHES; i++) {
    const hz = tuningHz * 2 ** ((minPitch + i - 69) / 12);
    const k = Math.max(1, Math.min(NUM_BINS - 1, Math.round((hz * frameLength) / sampleRate)));
    out[i] = map.includes(i) ? i : map[k] >= 0 ? map[k] : i;
  }
  return out;
}

/** Power scale so a full-scale sine's peak bin is ≈ 1: 4 / (Σ Hann)² = 16 / frameLength². */
const POWER_SCALE = 16 / (frameLength * frameLength);

/** Tuning deviations smaller than this (cents) are ignored: the ±50-cent bands absorb them. */
export const TUNING_DEADZONE_CENTS = 8;
/** Frequency range (Hz) whose spectral peaks vote on the tuning. */
const TUNING_BAND_HZ = [250, 2500] as const;

/**
 * Tuning of a recording in cents from `tuningHz` (−50 … 50): the amplitude-weighted circular
 * mean of the deviation from the nearest equal-tempered pitch of the spectral peaks (parabolic
 * interpolation on log magnitude) in up to `maxFrames` evenly spread frames. Old recordings and
 * historical pitch put whole performances up to ±40 cents off; their partials then leak into the
 * neighbouring pitch bands unless the bands follow them.
 */
export function estimateTuningCents(
  mono: Float32Array,
  maxFrames = 1200,
  fft: FrameFft = jsFrameFft(),
): number {
  const frames = frameCount(mono.length);
  const step = Math.max(1, Math.floor(frames / maxFrames));
  const window = hannWindow();
  const { input, out } = fft;
  const mag = new Float64Array(NUM_BINS);
  const kLo = Math.max(2, Math.floor((TUNING_BAND_HZ[0] * frameLength) / sampleRate));
  const kHi = Math.min(NUM_BINS - 2, Math.ceil((TUNING_BAND_HZ[1] * frameLength) / sampleRate));
  const half = frameLength / 2;
  let sx = 0;
  let sy = 0;
  for (let f = 0; f < frames; f += step) {
    const start = f * hopLength - half;
    for (let n = 0; n < frameLength; n++) {
      const i = start + n;
      input[n] = i >= 0 && i < mono.length ? mono[i] * window[n] : 0;
    }
    fft.run();
    let peak = 0;
    for (let k = kLo - 1; k <= kHi + 1; k++) {
      mag[k] = Math.hypot(out[2 * k], out[2 * k + 1]);
      peak = Math.max(peak, mag[k]);
    }
    if (peak < 1e-4) continue;
    const floor = peak * 0.05;
    for (let k = kLo; k <= kHi; k++) {
      const m = mag[k];
      if (m < floor || m <= mag[k - 1] || m < mag[k + 1]) continue;
      const a = Math.log(mag[k - 1] + 1e-12);
      const b = Math.log(m);
      const c = Math.log(mag[k + 1] + 1e-12);
      const den = a - 2 * b + c;
      const d = den < 0 ? (0.5 * (a - c)) / den : 0;
      const pitch = hzToPitch(((k + d) * sampleRate) / frameLength);
      const dev = pitch - Math.round(pitch);
      sx += m * Math.cos(2 * Math.PI * dev);
      sy += m * Math.sin(2 * Math.PI * dev);
    }
  }
  if (sx === 0 && sy === 0) return 0;
  return (Math.atan2(sy, sx) / (2 * Math.PI)) * 100;
}

/**
 * STFT pitch energy of mono audio at `FEATURE_PARAMS.sampleRate`: centred frames (zero padding of
 * frameLength/2), periodic Hann window, |FFT|²·16/N² summed over the bins of each pitch band
 * (bands centred on the pitches as tuned `tuningCents` away from `tuningHz`).
 */
export function audioPitchEnergy(
  mono: Float32Array,
  onProgress?: (fraction: number) => void,
  tuningCents = 0,
  fft?: FrameFft,
): PitchEnergy {
  const frames = frameCount(mono.length);
  const energy = new Float32Array(frames * NUM_PITCHES);
  pitchEnergyFrames(mono, 0, frames, energy, tuningCents, onProgress, fft);
  onProgress?.(1);
  return { frames, energy };
}

/**
 * Frames `from` … `to` − 1 of `audioPitchEnergy` into their rows of `energy` (frames ×
 * NUM_PITCHES): each frame depends on the audio alone, so ranges computed apart (on other
 * threads) are bit-identical to the whole.
 */
export function pitchEnergyFrames(
  mono: Float32Array,
  from: number,
  to: number,
  energy: Float32Array,
  tuningCents = 0,
  onProgress?: (fraction: number) => void,
  fft: FrameFft = jsFrameFft(),
): void {
  const window = hannWindow();
  const map = binToPitchIndex(tuningCents);
  let firstBin = NUM_BINS;
  let lastBin = 0;
  for (let k = 0; k < NUM_BINS; k++) {
    if (map[k] >= 0) {
      firstBin = Math.min(firstBin, k);
      lastBin = k;
    }
  }
  // Bands are contiguous: bins firstBin..lastBin map to non-decreasing pitches.
  const acc = new Float64Array(NUM_PITCHES);
  const { input, out } = fft;
  const half = frameLength / 2;
  const progressEvery = Math.max(1, Math.floor((to - from) / 50));
  for (let f = from; f < to; f++) {
    const start = f * hopLength - half;
    if (start >= 0 && start + frameLength <= mono.length) {
      for (let n = 0; n < frameLength; n++) input[n] = mono[start + n] * window[n];
    } else {
      for (let n = 0; n < frameLength; n++) {
        const i = start + n;
        input[n] = i >= 0 && i < mono.length ? mono[i] * window[n] : 0;
      }
    }
    fft.run();
    acc.fill(0);
    for (let k = firstBin; k <= lastBin; k++) {
      const re = out[2 * k];
      const im = out[2 * k + 1];
      acc[map[k]] += re * re + im * im;
    }
    const row = f * NUM_PITCHES;
    for (let i = 0; i < NUM_PITCHES; i++) energy[row + i] = acc[i] * POWER_SCALE;
    if (onProgress && (f - from) % progressEvery === 0) onProgress((f - from) / (to - from));
  }
}

/** Hann² energy fraction of a frame that lies after an onset at `offsetFrames` frames before its centre. */
function attackFraction(offsetFrames: number): number {
  const x = (offsetFrames * hopLength) / (frameLength / 2); // −1..1 across the window
  if (x <= -1) return 0;
  if (x >= 1) return 1;
  // ∫_{-1}^{x} cos⁴(πu/2) du / ∫_{-1}^{1} cos⁴(πu/2) du, closed form.
  const F = (u: number): number =>
    (3 * u) / 8 + Math.sin(Math.PI * u) / (2 * Math.PI) + Math.sin(2 * Math.PI * u) / (16 * Math.PI);
  return (F(x) - F(-1)) / (F(1) - F(-1));
}

/** Default of `ScoreModelOptions.pedalSeconds`: no pedal model. */
export const SCORE_PEDAL_SECONDS = 0;

/** Options of the score note model (`scorePitchEnergy`); the defaults model no pedal and no sounding roll. */
export interface ScoreModelOptions {
  /** Sustain-pedal model: every note rings at least this long (s), unless its key is struck again sooner. */
  pedalSeconds?: number;
  /** Weight of the score's sounding roll in its note features (`scoreNoteAwareFeatures`; 0: onsets only). */
  soundingWeight?: number;
  /**
   * The score's own sustain pedal (MIDI CC64, `ScoreNote.sounding`) holds the notes it catches
   * (default `SCORE_OWN_PEDAL`: off; docs/EVALUATION.md, "The score's own pedal, and fast
   * pedalled études").
   */
  scorePedal?: boolean;
}

/**
 * Default of `ScoreModelOptions.scorePedal`: the score's pedal marks are read (`ScoreNote.sounding`)
 * but not modelled. Modelled, in every feature level or in the refinement's score only, they
 * moved validation, the two multi probes and the conditions probe by −0.35 … +0.08 points within
 * 100 ms: the marks are the editor's, and a performer pedals as they like.
 */
export const SCORE_OWN_PEDAL = false;

/**
 * How long each note is held in the score model: its written duration or, with `scorePedal` and
 * where the score's own pedal holds it longer, `ScoreNote.sounding`; lengthened to
 * `pedalSeconds` as if the sustain pedal were down, but never past the next onset of the same key
 * (the damper falls when a key is struck again). Few scores carry pedal marks (25 of ASAP's 200
 * score MIDIs), and a pedalled performance keeps notes sounding long after their written end.
 */
export function heldDurations(
  notes: readonly ScoreNote[],
  pedalSeconds: number,
  scorePedal = SCORE_OWN_PEDAL,
): Float64Array {
  const out = new Float64Array(notes.length);
  for (let i = 0; i < notes.length; i++)
    out[i] = Math.max(0, notes[i].duration, scorePedal ? (notes[i].sounding ?? 0) : 0);
  if (!(pedalSeconds > 0)) return out;
  const next = nextStrikesOfKey(notes);
  for (let i = 0; i < notes.length; i++) {
    const pedalled = Math.min(pedalSeconds, next[i] - notes[i].onset);
    if (pedalled > out[i]) out[i] = pedalled;
  }
  return out;
}

/**
 * Modelled pitch energy of score notes on the audio frame grid (hop in score seconds): each note
 * feeds its partials (`scorePartials`, `scorePartialWeights`) with power scoreGain·velocity²·weight,
 * an attack smoothed like the analysis window, exponential decay while held, fast release after.
 */
export function scorePitchEnergy(
  notes: readonly ScoreNote[],
  durationSeconds: number,
  model: ScoreModelOptions = {},
): PitchEnergy {
  if (!(durationSeconds >= 0) || !Number.isFinite(durationSeconds)) {
    throw new RangeError(
      `scorePitchEnergy: durationSeconds must be a finite number ≥ 0, got ${durationSeconds}`,
    );
  }
  const { scorePartials, scorePartialWeights, scoreGain, scoreDecaySeconds, scoreReleaseSeconds } =
    FEATURE_PARAMS;
  const frames = Math.floor(durationSeconds / HOP_SECONDS) + 1;
  const energy = new Float32Array(frames * NUM_PITCHES);
  const eff = effectivePitchIndex();
  const halfWindowFrames = frameLength / 2 / hopLength;
  const releaseFrames = Math.ceil((8 * scoreReleaseSeconds) / HOP_SECONDS);
  const gains = new Float64Array(scorePartials.length);
  const targets = new Int16Array(scorePartials.length);
  const held = heldDurations(notes, model.pedalSeconds ?? SCORE_PEDAL_SECONDS, model.scorePedal);
  for (let i = 0; i < notes.length; i++) {
    const note = notes[i];
    const onsetF = note.onset / HOP_SECONDS;
    const endF = (note.onset + held[i]) / HOP_SECONDS;
    const tau = (scoreDecaySeconds * 2 ** ((60 - note.pitch) / 24)) / HOP_SECONDS;
    const tauR = scoreReleaseSeconds / HOP_SECONDS;
    const v = note.velocity > 0 ? note.velocity : 0;
    let nPartials = 0;
    for (let j = 0; j < scorePartials.length; j++) {
      const p = Math.round(note.pitch) + scorePartials[j];
      if (p < minPitch || p > maxPitch) continue;
      targets[nPartials] = eff[p - minPitch];
      gains[nPartials] = scoreGain * v * v * scorePartialWeights[j];
      nPartials++;
    }
    if (nPartials === 0) continue;
    const f0 = Math.max(0, Math.ceil(onsetF - halfWindowFrames));
    const f1 = Math.min(frames - 1, Math.floor(endF + releaseFrames));
    const endLevel = Math.exp(-(endF - onsetF) / tau);
    for (let f = f0; f <= f1; f++) {
      const heldF = Math.min(Math.max(f - onsetF, 0), endF - onsetF);
      let env = f <= endF ? Math.exp(-heldF / tau) : endLevel * Math.exp(-(f - endF) / tauR);
      env *= attackFraction(f - onsetF);
      if (env <= 0) continue;
      const row = f * NUM_PITCHES;
      for (let j = 0; j < nPartials; j++) energy[row + targets[j]] += gains[j] * env;
    }
  }
  return { frames, energy };
}

/** Log-compressed pitch energy log(1 + η·E), [frames × NUM_PITCHES] (into `out` where given). */
export function compressPitchEnergy(
  pe: PitchEnergy,
  out: Float32Array = new Float32Array(pe.energy.length),
): Float32Array {
  const eta = FEATURE_PARAMS.compressionEta;
  const e = pe.energy;
  if (out.length !== e.length)
    throw new RangeError(`compressPitchEnergy: expected room for ${e.length} values, got ${out.length}`);
  // log1p(η·0) is that 0 itself: a score's silent keys and the noise floor's zeros skip the logarithm.
  for (let i = 0; i < out.length; i++) out[i] = e[i] === 0 ? e[i] : Math.log1p(eta * e[i]);
  return out;
}

/** Folds [frames × NUM_PITCHES] to [frames × 12] (pitch class (minPitch + i) mod 12). */
export function foldToChroma(perPitch: Float32Array, frames: number): Float32Array {
  const out = new Float32Array(frames * 12);
  for (let f = 0; f < frames; f++) {
    const row = f * NUM_PITCHES;
    for (let i = 0; i < NUM_PITCHES; i++) out[f * 12 + ((minPitch + i) % 12)] += perPitch[row + i];
  }
  return out;
}

/** Normalises each 12-vector of [frames × 12] to unit L2 norm in place; norms below `silenceNorm` become uniform 1/√12. */
export function normaliseChroma(
  chroma: Float32Array,
  frames: number,
  silenceNorm: number = FEATURE_PARAMS.silenceNorm,
): Float32Array {
  const uniform = 1 / Math.sqrt(12);
  for (let f = 0; f < frames; f++) {
    const o = f * 12;
    let s = 0;
    for (let c = 0; c < 12; c++) s += chroma[o + c] * chroma[o + c];
    const norm = Math.sqrt(s);
    if (norm < silenceNorm) {
      for (let c = 0; c < 12; c++) chroma[o + c] = uniform;
    } else {
      for (let c = 0; c < 12; c++) chroma[o + c] /= norm;
    }
  }
  return chroma;
}

/**
 * DLNCO chroma onsets from compressed pitch energy [frames × NUM_PITCHES]: per pitch, each run of
 * positive first differences becomes one impulse (the run's total rise) at its steepest frame;
 * folded to chroma (or, with `bins` 88, kept per pitch: [frames × 88]), divided by the running max
 * frame norm over onsetNormSeconds (floored at onsetNormFloor), convolved causally with the
 * sqrt-decay window of onsetDecayFrames.
 */
export function dlncoOnsets(compressed: Float32Array, frames: number, bins: 12 | 88 = 12): Float32Array {
  const { onsetNormSeconds, onsetNormFloor, onsetDecayFrames } = FEATURE_PARAMS;
  const B = bins;
  const raw = new Float32Array(frames * B);
  for (let i = 0; i < NUM_PITCHES; i++) {
    const pc = B === 12 ? (minPitch + i) % 12 : i;
    let prev = 0;
    let runSum = 0;
    let runPeak = 0;
    let runPeakFrame = -1;
    for (let f = 0; f <= frames; f++) {
      const cur = f < frames ? compressed[f * NUM_PITCHES + i] : 0;
      const d = cur - prev;
      prev = cur;
      if (d > 0 && f < frames) {
        runSum += d;
        if (d > runPeak) {
          runPeak = d;
          runPeakFrame = f;
        }
      } else if (runPeakFrame >= 0) {
        raw[runPeakFrame * B + pc] += runSum;
        runSum = 0;
        runPeak = 0;
        runPeakFrame = -1;
      }
    }
  }
  const norms = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < B; c++) s += raw[f * B + c] * raw[f * B + c];
    norms[f] = Math.sqrt(s);
  }
  const halfWin = Math.round(onsetNormSeconds / HOP_SECONDS / 2);
  const localMax = slidingMax(norms, halfWin);
  for (let f = 0; f < frames; f++) {
    const scale = 1 / Math.max(localMax[f], onsetNormFloor);
    for (let c = 0; c < B; c++) raw[f * B + c] *= scale;
  }
  const n = onsetDecayFrames;
  const kernel = new Float32Array(n);
  for (let k = 0; k < n; k++) kernel[k] = Math.sqrt((n - k) / n);
  // Each onset frame spreads its decaying tail forward; frames without one (most) add only zeros.
  const onsetAt = new Uint8Array(frames);
  for (let f = 0; f < frames; f++)
    for (let c = 0; c < B; c++)
      if (raw[f * B + c] !== 0) {
        onsetAt[f] = 1;
        break;
      }
  const out = new Float32Array(frames * B);
  for (let f = 0; f < frames; f++) {
    const kMax = Math.min(n - 1, f);
    for (let k = 0; k <= kMax; k++) {
      if (!onsetAt[f - k]) continue;
      const w = kernel[k];
      const src = (f - k) * B;
      for (let c = 0; c < B; c++) out[f * B + c] += w * raw[src + c];
    }
  }
  return out;
}

/** Centred sliding maximum over [f − halfWin, f + halfWin] (monotone deque, O(n)). */
export function slidingMax(x: Float32Array, halfWin: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  const dq = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let f = 0; f < n; f++) {
    const hi = Math.min(n - 1, f + halfWin);
    while (next <= hi) {
      while (tail > head && x[dq[tail - 1]] <= x[next]) tail--;
      dq[tail++] = next++;
    }
    while (dq[head] < f - halfWin) head++;
    out[f] = x[dq[head]];
  }
  return out;
}

/** Chroma, onsets and log energy from pitch energy (the stage shared by audio and score). */
export function featuresFromPitchEnergy(
  pe: PitchEnergy,
  compressed: Float32Array = compressPitchEnergy(pe),
): Features {
  const { frames } = pe;
  const chroma = normaliseChroma(foldToChroma(compressed, frames), frames);
  const onset = dlncoOnsets(compressed, frames);
  const energy = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    const row = f * NUM_PITCHES;
    for (let i = 0; i < NUM_PITCHES; i++) s += pe.energy[row + i];
    energy[f] = Math.log(FEATURE_PARAMS.energyFloor + s);
  }
  return { frames, hopSeconds: HOP_SECONDS, chroma, onset, energy };
}

/**
 * Reference level (dB, 10·log10 of a frame's total pitch energy; a full-scale sine ≈ 0 dB): every
 * recording is moved so that its loud frames (`LEVEL_QUANTILE` of the frames' total pitch energy)
 * lie here (`normaliseLevel`) before any feature is made. The features' compression, silence
 * threshold and onsets are absolute, so the same recording turned down aligned worse: the 84
 * validation recordings at −6 dB lost 0.4 points within 100 ms overall and 3.0 on the multi set,
 * at −12 dB 1.6 and 3.9 (a quiet recording looked more like silence with a little noise; 30 dB
 * down, 14–87 % of the beats stayed within 200 ms). −10 dB is the median of the validation and
 * probe recordings (−20.9 … −5.4 dB), so the level the engine was tuned at.
 */
export const LEVEL_REFERENCE_DB = -10;
/** The quantile of the frames' total pitch energy that `normaliseLevel` moves to the reference. */
export const LEVEL_QUANTILE = 0.99;
/** The most `normaliseLevel` raises a recording (dB): below that it is silence or noise. */
export const MAX_LEVEL_GAIN_DB = 40;

/**
 * Moves a recording's pitch energy in place so its loud frames lie at `LEVEL_REFERENCE_DB`, as
 * if it were turned up or down (raised by at most `MAX_LEVEL_GAIN_DB`): the features do not
 * depend on the recording's level. Returns the gain in dB (0 for silence).
 */
export function normaliseLevel(pe: PitchEnergy): number {
  const { frames, energy } = pe;
  if (frames === 0) return 0;
  const step = Math.max(1, Math.floor(frames / 4000));
  const totals: number[] = [];
  for (let f = 0; f < frames; f += step) {
    let s = 0;
    for (let i = 0; i < NUM_PITCHES; i++) s += energy[f * NUM_PITCHES + i];
    totals.push(s);
  }
  totals.sort((a, b) => a - b);
  const loud = totals[Math.floor(LEVEL_QUANTILE * (totals.length - 1))];
  if (!(loud > 0)) return 0;
  const gainDb = Math.min(MAX_LEVEL_GAIN_DB, LEVEL_REFERENCE_DB - 10 * Math.log10(loud));
  const g = 10 ** (gainDb / 10);
  for (let k = 0; k < energy.length; k++) energy[k] *= g;
  return gainDb;
}

/** Noise-floor removal: the floor of a pitch band is this quantile of its energy over the recording… */
export const NOISE_FLOOR_QUANTILE = 0.2;
/** … and this multiple of it is subtracted (noise energy fluctuates above its low quantile). */
export const NOISE_FLOOR_SCALE = 2;
/** Bands whose floor is below this (compressed units, η·floor) are left alone: clean recordings are unchanged. */
const NOISE_FLOOR_MIN = 0.005;
/** Recordings shorter than this (s) are left alone: a note may sound through most of a short clip. */
export const NOISE_FLOOR_MIN_SECONDS = 20;

/**
 * Removes stationary noise from pitch energy in place: for each band, `NOISE_FLOOR_SCALE` ×
 * its `NOISE_FLOOR_QUANTILE` quantile over time is subtracted (clamped at 0) where that floor
 * matters after compression. Mains hum, tape hiss and surface noise of old recordings otherwise
 * fill every chroma frame, most of all in quiet passages. Returns the bands it changed.
 */
export function removeNoiseFloor(pe: PitchEnergy): number {
  const { frames, energy } = pe;
  if (frames * HOP_SECONDS < NOISE_FLOOR_MIN_SECONDS) return 0;
  const step = Math.max(1, Math.floor(frames / 2000));
  const values: number[] = [];
  let changed = 0;
  for (let i = 0; i < NUM_PITCHES; i++) {
    values.length = 0;
    for (let f = 0; f < frames; f += step) values.push(energy[f * NUM_PITCHES + i]);
    values.sort((a, b) => a - b);
    const floor = values[Math.floor(NOISE_FLOOR_QUANTILE * (values.length - 1))] ?? 0;
    if (FEATURE_PARAMS.compressionEta * floor < NOISE_FLOOR_MIN) continue;
    changed++;
    const sub = NOISE_FLOOR_SCALE * floor;
    for (let f = 0; f < frames; f++) {
      const k = f * NUM_PITCHES + i;
      energy[k] = Math.max(0, energy[k] - sub);
    }
  }
  return changed;
}

/**
 * Features of mono audio at `FEATURE_PARAMS.sampleRate`; `onProgress` gets 0..1. The pitch bands
 * follow the recording's tuning (`estimateTuningCents`) when it is more than
 * `TUNING_DEADZONE_CENTS` off, unless `tuningCents` is given; stationary noise is removed
 * (`removeNoiseFloor`) unless `noiseFloor` is false.
 */
export function audioFeatures(
  mono: Float32Array,
  onProgress?: (fraction: number) => void,
  opts: AudioPitchEnergyOptions = {},
): Features {
  const { pe, tuningCents } = tunedPitchEnergy(mono, onProgress, opts);
  return { ...featuresFromPitchEnergy(pe), tuningCents };
}

/** Options of `tunedPitchEnergy` / `audioFeatures`. */
export interface AudioPitchEnergyOptions {
  /** Tuning (cents) the bands follow; estimated when absent. */
  tuningCents?: number;
  /** Whether stationary noise is removed (default true). */
  noiseFloor?: boolean;
  /** The FFT (default `jsFrameFft`). */
  fft?: FrameFft;
}

/**
 * The pitch energy every audio feature starts from (the chroma features and the note network's
 * input alike): bands following the recording's tuning (`estimateTuningCents`, ignored within
 * `TUNING_DEADZONE_CENTS`, unless `tuningCents` is given), moved to the reference level
 * (`normaliseLevel`), stationary noise removed unless `noiseFloor` is false.
 */
export function tunedPitchEnergy(
  mono: Float32Array,
  onProgress?: (fraction: number) => void,
  opts: AudioPitchEnergyOptions = {},
): { pe: PitchEnergy; tuningCents: number } {
  const cents = recordingTuningCents(mono, opts);
  const pe = audioPitchEnergy(mono, onProgress, cents, opts.fft);
  normaliseLevel(pe);
  if (opts.noiseFloor !== false) removeNoiseFloor(pe);
  return { pe, tuningCents: cents };
}

/** The tuning `tunedPitchEnergy` gives the bands: `opts.tuningCents`, or the estimate outside the dead zone. */
export function recordingTuningCents(mono: Float32Array, opts: AudioPitchEnergyOptions = {}): number {
  const cents = opts.tuningCents ?? estimateTuningCents(mono, undefined, opts.fft);
  return opts.tuningCents === undefined && Math.abs(cents) < TUNING_DEADZONE_CENTS ? 0 : cents;
}

/** Features of score notes (no synthesis: a piano-like note model) on the same grid, hop in score seconds. */
export function scoreFeatures(
  notes: readonly ScoreNote[],
  durationSeconds: number,
  model: ScoreModelOptions = {},
): Features {
  return featuresFromPitchEnergy(scorePitchEnergy(notes, durationSeconds, model));
}

/**
 * Pools `factor` frames into one (mean of chroma, onset and energy; chroma renormalised).
 * Pooled frame g covers frames g·factor − ⌊(factor−1)/2⌋ … (+factor−1), so it stays centred
 * at g·hopSeconds (exact for odd factors, half an original hop late for even ones).
 */
export function poolFeatures(f: Features, factor: number): Features {
  if (!Number.isInteger(factor) || factor < 1)
    throw new RangeError(`poolFeatures: factor must be an integer ≥ 1, got ${factor}`);
  if (factor === 1)
    return { ...f, chroma: f.chroma.slice(), onset: f.onset.slice(), energy: f.energy.slice() };
  const frames = f.frames === 0 ? 0 : Math.floor((f.frames - 1) / factor) + 1;
  const chroma = new Float32Array(frames * 12);
  const onset = new Float32Array(frames * 12);
  const energy = new Float32Array(frames);
  const back = Math.floor((factor - 1) / 2);
  for (let g = 0; g < frames; g++) {
    const a = Math.max(0, g * factor - back);
    const b = Math.min(f.frames, g * factor - back + factor);
    const inv = 1 / (b - a);
    for (let s = a; s < b; s++) {
      for (let c = 0; c < 12; c++) {
        chroma[g * 12 + c] += f.chroma[s * 12 + c];
        onset[g * 12 + c] += f.onset[s * 12 + c] * inv;
      }
      energy[g] += f.energy[s] * inv;
    }
  }
  normaliseChroma(chroma, frames, 1e-6);
  const pooled: Features = { frames, hopSeconds: f.hopSeconds * factor, chroma, onset, energy };
  if (f.notes && f.notes.length === f.frames * NUM_PITCHES)
    pooled.notes = poolNotes(f.notes, f.frames, factor);
  return pooled;
}

/** Mean of note features over the frames each pooled frame covers (the pooling of `poolFeatures`). */
function poolNotes(notes: Float32Array, frames: number, factor: number): Float32Array {
  const pooledFrames = frames === 0 ? 0 : Math.floor((frames - 1) / factor) + 1;
  const out = new Float32Array(pooledFrames * NUM_PITCHES);
  const back = Math.floor((factor - 1) / 2);
  for (let g = 0; g < pooledFrames; g++) {
    const a = Math.max(0, g * factor - back);
    const b = Math.min(frames, g * factor - back + factor);
    const inv = 1 / (b - a);
    const row = g * NUM_PITCHES;
    for (let s = a; s < b; s++) {
      const src = s * NUM_PITCHES;
      for (let p = 0; p < NUM_PITCHES; p++) {
        const v = notes[src + p];
        if (v !== 0) out[row + p] += v * inv;
      }
    }
  }
  return out;
}
