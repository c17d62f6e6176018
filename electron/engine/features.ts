/**
 * The features the engine aligns: chroma, onsets and energy from the tuned pitch energy, and,
 * when the note model loads, pitch-wise note-onset features from the note network for the
 * recording and from the notes for the score (`shared/dsp/notes.ts`).
 */
import { meanRiseFrames } from '../../shared/dsp/attack.js';
import {
  compressPitchEnergy,
  dlncoOnsets,
  featuresFromPitchEnergy,
  heldDurations,
  SCORE_PEDAL_SECONDS,
  scorePitchEnergy,
  scoreFeatures,
  recordingTuningCents,
  normaliseLevel,
  removeNoiseFloor,
  type AudioPitchEnergyOptions,
  type Features,
  type ScoreModelOptions,
} from '../../shared/dsp/features.js';
import {
  addSounding,
  noteOnsetFeature,
  roundNotes,
  scoreNoteFeatures,
  scoreSoundingRoll,
} from '../../shared/dsp/notes.js';
import type { ScoreNote } from '../../shared/score.js';
import { frameFft, loadWasmFft } from './fft.js';
import { sharedHelpers, type HelperPool } from './helpers.js';
import { NeuralModelError } from './neural.js';
import { parallelNoteActivations, sharedNoteInput, sharedNoteModel, warmNoteHelpers } from './notes.js';
import { helpersKeepAudio, parallelPitchEnergy } from './pitchEnergy.js';

/** Options of `recordingFeatures`. */
export interface RecordingFeatureOptions extends Omit<AudioPitchEnergyOptions, 'fft'> {
  /** Progress of the feature stage, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Note model folder (default the shipped `models/accord-notes`); `false` leaves the note features out. */
  noteModelDir?: string | false;
  /** Threads for the pitch energy and the note network: this one and helper threads, each running a one-thread copy of the note model (default 1). */
  threads?: number;
  /**
   * Where the note features come from: the note network (default), or `flux`, pitch-wise DLNCO
   * onsets of the pitch energy itself (no learning; an ablation, with `scoreNoteAwareFeatures(…, 'flux')`).
   */
  noteSource?: NoteSource;
  /** Weight of the note network's sounding probabilities in the note features (0: onsets only). */
  soundingWeight?: number;
  /**
   * Other work (e.g. the structure model loading) this thread awaits while helper threads start
   * on the pitch energy, as the note model's loading is.
   */
  meanwhile?: Promise<unknown>;
}

/** Source of note features: the note network, or pitch-wise DLNCO onsets (no learning). */
export type NoteSource = 'network' | 'flux';

/**
 * Features of mono audio at the feature rate. The note network runs on the same pitch energy as
 * the chroma; if its model is missing or broken the features come without notes and the
 * returned warning says why (the alignment then uses chroma and onsets alone).
 */
export async function recordingFeatures(
  mono: Float32Array,
  opts: RecordingFeatureOptions = {},
): Promise<{ features: Features; warnings: string[] }> {
  const progress = opts.onProgress;
  await loadWasmFft();
  const tuningCents = recordingTuningCents(mono, { ...opts, fft: frameFft() });
  // The note model (and `meanwhile`) load here while the helpers start on the pitch energy (a
  // failure is answered below, where the model is awaited).
  const noteModel =
    opts.noteModelDir === false || opts.noteSource === 'flux'
      ? undefined
      : sharedNoteModel(opts.noteModelDir, 1);
  const pe = await parallelPitchEnergy(mono, tuningCents, (opts.threads ?? 1) - 1, {
    onProgress: progress && ((f) => progress(0.8 * f)),
    meanwhile: Promise.allSettled([noteModel, opts.meanwhile]),
  });
  // The helpers load their copies of the note model while this thread prepares its input. Not
  // where the pitch energy's helpers were ended so as not to keep a long recording's audio
  // (`HELPER_KEEPS_MAX_BYTES`): new ones started now would load while that audio is still in
  // memory (60 minutes: a peak 60–100 MB higher).
  const workers = helpersKeepAudio(mono.length) ? (opts.threads ?? 1) - 1 : 0;
  if (noteModel) warmNoteHelpers(workers, pe.frames, opts.noteModelDir || undefined);
  normaliseLevel(pe);
  const attackRiseFrames = meanRiseFrames(pe);
  if (opts.noiseFloor !== false) removeNoiseFloor(pe);
  // The note network reads the compressed energy the chroma and onsets are made of. Its helpers'
  // parts are sent first: they load their copies of the model while this thread makes the chroma.
  const compressed = compressPitchEnergy(pe, noteModel ? sharedNoteInput(pe.frames, workers) : undefined);
  const activations =
    noteModel &&
    parallelNoteActivations(compressed, pe.frames, noteModel, {
      workers,
      dir: opts.noteModelDir || undefined,
    });
  // Answered below, where it is awaited.
  activations?.catch(() => undefined);
  const features: Features = { ...featuresFromPitchEnergy(pe, compressed), tuningCents, attackRiseFrames };
  const warnings: string[] = [];
  if (opts.noteModelDir === false) return { features, warnings };
  if (opts.noteSource === 'flux') {
    features.notes = dlncoOnsets(compressed, pe.frames, 88);
    return { features, warnings };
  }
  try {
    const act = await (activations ??
      sharedNoteModel(opts.noteModelDir, 1).then((m) => m.runCompressed(compressed, pe.frames)));
    // On the cache's grid, so a re-alignment from the project cache sees the very same values.
    features.notes = roundNotes(
      addSounding(noteOnsetFeature(act.onset, act.frames), act.sounding, opts.soundingWeight ?? 0),
    );
  } catch (err) {
    if (!(err instanceof NeuralModelError)) throw err;
    warnings.push(`${err.message}; aligned without the note network's features (chroma and onsets only)`);
  }
  progress?.(1);
  return { features, warnings };
}

/**
 * `scoreNoteAwareFeatures(notes, durationSeconds)` made on helper `thread` of `helpers` (default
 * the process's) while this thread does something else; undefined where the helper fails (the
 * caller makes them itself, and meets any error there). Never rejects.
 */
export async function scoreFeaturesAside(
  notes: readonly ScoreNote[],
  durationSeconds: number,
  helpers: HelperPool = sharedHelpers(),
  thread = 1,
): Promise<Features | undefined> {
  const out = await helpers.run(thread, 'scoreFeatures', { notes, durationSeconds });
  return out.ok ? (out.result as Features) : undefined;
}

/** Features of score notes, with note-onset features like those of the recording (`source`). */
export function scoreNoteAwareFeatures(
  notes: readonly ScoreNote[],
  durationSeconds: number,
  source: NoteSource = 'network',
  model: ScoreModelOptions = {},
): Features {
  if (source === 'flux') {
    const pe = scorePitchEnergy(notes, durationSeconds, model);
    return {
      ...featuresFromPitchEnergy(pe),
      notes: dlncoOnsets(compressPitchEnergy(pe), pe.frames, 88),
    };
  }
  const f = scoreFeatures(notes, durationSeconds, model);
  const noteFeat = scoreNoteFeatures(notes, f.frames);
  const w = model.soundingWeight ?? 0;
  if (w > 0) {
    const held = heldDurations(notes, model.pedalSeconds ?? SCORE_PEDAL_SECONDS, model.scorePedal);
    addSounding(noteFeat, scoreSoundingRoll(notes, held, f.frames), w);
  }
  return { ...f, notes: noteFeat };
}
