/**
 * Feature parameters: the single source of truth for audio and score features.
 * The model config copies this object; a test compares the two.
 */
export const FEATURE_PARAMS = {
  /**
   * Bump when any value below or the feature computation changes. 3: quiet recordings raised
   * to a level floor; recordings at or above it, every one the shipped models were trained and
   * validated on, have the features of version 2. 4: every recording moved to one reference level
   * (`normaliseLevel`); the shipped models, trained on version 2, read it unretrained.
   */
  version: 4,
  /** Sample rate (Hz) features are computed at. */
  sampleRate: 22050,
  /** STFT frame length (samples), Hann window. */
  frameLength: 2048,
  /** STFT hop (samples); frame f is centred at f·hop/sampleRate seconds. */
  hopLength: 512,
  /** Reference tuning (Hz) of MIDI pitch 69. */
  tuningHz: 440,
  /** Lowest MIDI pitch of the pitch filterbank. */
  minPitch: 21,
  /** Highest MIDI pitch of the pitch filterbank. */
  maxPitch: 108,
  /**
   * Log compression log(1 + η·E) of pitch energy E (a full-scale sine has E ≈ 1). η and the score
   * model below were tuned so score chroma matches fluidsynth renders of ASAP performances.
   */
  compressionEta: 10000,
  /** Frames whose compressed chroma L2 norm is below this are silence (uniform chroma). */
  silenceNorm: 0.05,
  /** Floor added to total pitch energy before the log of `Features.energy`. */
  energyFloor: 1e-10,
  /** DLNCO local normalisation: onset frames are divided by the running max norm over this window (s, centred). */
  onsetNormSeconds: 1.5,
  /** DLNCO: the local normaliser never goes below this (compressed units), so noise in quiet passages stays small. */
  onsetNormFloor: 0.5,
  /** DLNCO decay window length (frames): weights sqrt((n − k)/n), k = 0..n−1. */
  onsetDecayFrames: 10,
  /** Score model: partials as semitone offsets above the fundamental. */
  scorePartials: [0, 12, 19, 24, 28],
  /** Score model: power weight of each partial. */
  scorePartialWeights: [1, 0.5, 0.3, 0.2, 0.12],
  /** Score model: power of a velocity-1 note's fundamental, on the audio pitch-energy scale. */
  scoreGain: 0.0003,
  /** Score model: power decay time constant (s) while a note sounds (at MIDI 60; scaled by 2^((60 − p)/24)). */
  scoreDecaySeconds: 0.4,
  /** Score model: power decay time constant (s) after the note ends (release). */
  scoreReleaseSeconds: 0.15,
} as const;

/** Seconds per feature frame (hopLength / sampleRate). */
export const HOP_SECONDS: number = FEATURE_PARAMS.hopLength / FEATURE_PARAMS.sampleRate;

/** Number of pitches in the filterbank (maxPitch − minPitch + 1). */
export const NUM_PITCHES: number = FEATURE_PARAMS.maxPitch - FEATURE_PARAMS.minPitch + 1;

/** Frame count for a signal of `samples` samples: floor(samples / hop) + 1. */
export function frameCount(samples: number): number {
  return Math.floor(samples / FEATURE_PARAMS.hopLength) + 1;
}
