/**
 * The alignment pipeline: recording + score file → AlignmentPath. One function that the CLI,
 * the batch workers, the evaluation harness and the editor's worker all call.
 * Stages: decode → score → features → align (route + refinement).
 */
import { decodeAudioFile, type DecodedAudio } from './audio.js';
import { loadScore, type LoadedScore } from './score.js';
import { loadNeuralModel, NeuralModelError, type NeuralModel } from './neural.js';
import { audioFeatures, scoreFeatures, type Features } from '../../shared/dsp/features.js';
import { alignDtw } from '../../shared/align/dtw.js';
import { alignJump, type JumpParams } from '../../shared/align/jump.js';
import { alignNeural, alignNeuralJump, type NeuralJumpParams } from '../../shared/neural/route.js';
import type { AlignmentPath } from '../../shared/path.js';

/** Methods the engine runs; `auto` is the default and the best available. */
export const ENGINE_METHODS = ['auto', 'dtw', 'jump', 'neural', 'neural-jump', 'neural-raw'] as const;
/** One of `ENGINE_METHODS`. */
export type EngineMethod = (typeof ENGINE_METHODS)[number];
/** Pipeline stages reported through `onProgress`. */
export type Stage = 'decode' | 'score' | 'features' | 'align';

/** Options of `alignFiles`. */
export interface AlignOptions {
  /** Alignment method (default `auto`). */
  method?: EngineMethod | string;
  /** Cancels the run; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Progress per stage, fraction 0..1 of that stage. */
  onProgress?: (stage: Stage, fraction: number) => void;
  /** Non-fatal problems (e.g. the model is missing and `auto` fell back). */
  onWarning?: (message: string) => void;
  /** Model folder (default: the shipped model). */
  modelDir?: string;
  /** Threads for neural inference (default 1). */
  threads?: number;
}

/** What `alignFiles` returns. */
export interface AlignResult {
  path: AlignmentPath;
  score: LoadedScore;
  audio: Omit<DecodedAudio, 'samples'>;
  /** Milliseconds per stage. */
  timings: Record<Stage, number>;
  warnings: string[];
}

/** Error for inputs that decode but cannot be aligned (silence, absurd length ratio). */
export class AlignInputError extends Error {
  override readonly name = 'AlignInputError';
  constructor(
    readonly code: 'silent' | 'length-mismatch' | 'bad-method',
    message: string,
  ) {
    super(message);
  }
}

/** A recording more than this many times longer than its score is refused (repeats rarely double a piece twice). */
export const MAX_LENGTH_RATIO = 4;
/** A recording shorter than this fraction of its score is refused: an excerpt is fine, a stray clip is not. */
export const MIN_LENGTH_RATIO = 1 / 12;

/** Natural-log frame energy (full-scale sine ≈ 0) below which a frame counts as silent (−70 dB). */
export const SILENT_LOG_ENERGY = Math.log(1e-7);

const models = new Map<string, Promise<NeuralModel>>();

/** The neural model for `dir`, loaded once per process and reused. */
export function sharedNeuralModel(dir?: string, threads = 1): Promise<NeuralModel> {
  const key = `${dir ?? ''}|${threads}`;
  const cached = models.get(key);
  if (cached) return cached;
  const m = loadNeuralModel(dir, { threads });
  models.set(key, m);
  m.catch(() => models.delete(key));
  return m;
}

/** Releases every model loaded by `sharedNeuralModel` (call on exit). */
export async function releaseModels(): Promise<void> {
  const all = [...models.values()];
  models.clear();
  await Promise.all(all.map((p) => p.then((m) => m.release()).catch(() => undefined)));
}

export function isMethod(m: string): m is EngineMethod {
  return (ENGINE_METHODS as readonly string[]).includes(m);
}

/**
 * Refuses inputs that decode but cannot be aligned: a silent recording, or a recording and a
 * score whose durations differ by more than `MAX_LENGTH_RATIO` (probably the wrong pair).
 */
export function checkAlignable(
  perf: Features,
  audio: { name: string; durationSeconds: number },
  score: { name: string; durationSeconds: number },
): void {
  let voiced = 0;
  for (let i = 0; i < perf.frames; i++) if (perf.energy[i] > SILENT_LOG_ENERGY) voiced++;
  if (voiced < Math.max(8, perf.frames * 0.02)) {
    throw new AlignInputError(
      'silent',
      `${audio.name}: the recording is silent (expected music, found ${voiced} non-silent frames of ${perf.frames})`,
    );
  }
  const ratio = audio.durationSeconds / Math.max(score.durationSeconds, 1e-6);
  if (ratio > MAX_LENGTH_RATIO || ratio < MIN_LENGTH_RATIO) {
    throw new AlignInputError(
      'length-mismatch',
      `${audio.name} (${audio.durationSeconds.toFixed(1)} s) and ${score.name} (${score.durationSeconds.toFixed(1)} s) differ in length by a factor of ${ratio.toFixed(2)}: expected the recording to be between 1/${Math.round(1 / MIN_LENGTH_RATIO)} (an excerpt) and ${MAX_LENGTH_RATIO} times the score's length; is this the right pair?`,
    );
  }
}

/** Aligns already-computed features with `method` (the part of the pipeline after decoding). */
export async function alignFeatures(
  perf: Features,
  scoreFeat: Features,
  score: LoadedScore,
  opts: AlignOptions & {
    method: EngineMethod;
    jumpParams?: Partial<JumpParams>;
    neuralParams?: Partial<NeuralJumpParams>;
  },
): Promise<{ path: AlignmentPath; warnings: string[] }> {
  const warnings: string[] = [];
  const progress = (f: number): void => opts.onProgress?.('align', f);
  const common = { signal: opts.signal, onProgress: progress };
  const jumpPoints = score.score.jumpPoints;
  // Jumps may also leave or land on any beat (a little dearer than at a bar line).
  const jumpParams = { beatPointsSeconds: score.score.beats.map((b) => b.time), ...opts.jumpParams };
  const jumpCommon = { ...common, params: jumpParams };
  switch (opts.method) {
    case 'dtw':
      return { path: alignDtw(perf, scoreFeat, common), warnings };
    case 'jump':
      return { path: alignJump(perf, scoreFeat, jumpPoints, jumpCommon), warnings };
    case 'neural':
    case 'neural-raw': {
      const model = await sharedNeuralModel(opts.modelDir, opts.threads);
      const path = await alignNeural(perf, scoreFeat, model, {
        jumpPointsSeconds: jumpPoints,
        raw: opts.method === 'neural-raw',
        ...common,
      });
      return { path, warnings };
    }
    case 'neural-jump': {
      const model = await sharedNeuralModel(opts.modelDir, opts.threads);
      return {
        path: await alignNeuralJump(perf, scoreFeat, model, {
          jumpPointsSeconds: jumpPoints,
          jumpParams,
          params: opts.neuralParams,
          ...common,
        }),
        warnings,
      };
    }
    case 'auto': {
      // The network steers the structure-aware jump search (models/README.md, "Is it the
      // default?"); without a usable model the jump search runs alone, with a warning.
      let model: NeuralModel;
      try {
        model = await sharedNeuralModel(opts.modelDir, opts.threads);
      } catch (err) {
        if (!(err instanceof NeuralModelError)) throw err;
        const warning = `${err.message}; aligned with the classical jump search instead of the neural aligner`;
        warnings.push(warning);
        opts.onWarning?.(warning);
        return { path: { ...alignJump(perf, scoreFeat, jumpPoints, jumpCommon), method: 'auto' }, warnings };
      }
      const path = await alignNeuralJump(perf, scoreFeat, model, {
        jumpPointsSeconds: jumpPoints,
        jumpParams,
        params: opts.neuralParams,
        ...common,
      });
      return { path: { ...path, method: 'auto' }, warnings };
    }
  }
}

/** Aligns a recording with a score file. */
export async function alignFiles(
  audioPath: string,
  scorePath: string,
  opts: AlignOptions = {},
): Promise<AlignResult> {
  const method = opts.method ?? 'auto';
  if (!isMethod(method)) {
    throw new AlignInputError(
      'bad-method',
      `unknown method '${method}': expected one of ${ENGINE_METHODS.join(', ')}`,
    );
  }
  const timings: Record<Stage, number> = { decode: 0, score: 0, features: 0, align: 0 };
  const signal = opts.signal;
  const timed = async <T>(stage: Stage, fn: () => Promise<T> | T): Promise<T> => {
    signal?.throwIfAborted();
    const t0 = performance.now();
    opts.onProgress?.(stage, 0);
    const value = await fn();
    timings[stage] = performance.now() - t0;
    opts.onProgress?.(stage, 1);
    return value;
  };
  const [audio, score] = await Promise.all([
    timed('decode', () => decodeAudioFile(audioPath, { signal })),
    timed('score', () => loadScore(scorePath)),
  ]);
  const { perf, scoreFeat } = await timed('features', () => {
    const perf = audioFeatures(audio.samples, (f) => opts.onProgress?.('features', 0.9 * f));
    const scoreFeat = scoreFeatures(score.score.notes, score.score.duration);
    return { perf, scoreFeat };
  });
  checkAlignable(
    perf,
    { name: audioPath, durationSeconds: audio.durationSeconds },
    { name: scorePath, durationSeconds: score.score.duration },
  );
  const { path, warnings } = await timed('align', () =>
    alignFeatures(perf, scoreFeat, score, { ...opts, method }),
  );
  const { samples: _samples, ...audioInfo } = audio;
  return { path, score, audio: audioInfo, timings, warnings };
}
