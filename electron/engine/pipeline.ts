/**
 * The alignment pipeline: recording + score → AlignmentPath. One function, `align`, that the CLI,
 * the batch workers, the evaluation tools and the editor's worker all call.
 * Stages: decode → score → features → align (route + refinement).
 */
import { decodeAudioFile, type DecodedAudio } from './audio.js';
import { loadScore, loadScoreBytes, type LoadedScore } from './score.js';
import { loadNeuralModel, NeuralModelError, type NeuralModel } from './neural.js';
import type { Features } from '../../shared/dsp/features.js';
import { recordingFeatures, scoreFeaturesAside, scoreNoteAwareFeatures } from './features.js';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import { atScorePitch } from '../../shared/dsp/transpose.js';
import { atAttackOnsets, type AttackLagParams } from '../../shared/dsp/attack.js';
import { alignDtw, alignSounding } from '../../shared/align/dtw.js';
import {
  alignJump,
  jumpSearchParams,
  prefillCoarseCosts,
  type CoarseCostCache,
  type JumpParams,
} from '../../shared/align/jump.js';
import { availableParallelism } from 'node:os';
import { helperCoarseSearch, parallelCoarseCosts } from './coarseCosts.js';
import { sharedHelpers } from './helpers.js';
import { helpersKeepAudio } from './pitchEnergy.js';
import { DEFAULT_SNAP, snapToOnsets, type SnapParams } from '../../shared/align/snap.js';
import { sameMusicIndex } from '../../shared/align/sameMusic.js';
import {
  DEFAULT_UNSTRUCK,
  timeUnstruckBeats,
  type UnstruckParams,
} from '../../shared/align/unstruckBeats.js';
import { alignNeural, alignNeuralJump, type NeuralJumpParams } from '../../shared/neural/route.js';
import {
  JUMP_LEAD_SECONDS,
  PATH_DELAY_SECONDS,
  delayPath,
  leadJumps,
  type AlignmentPath,
} from '../../shared/path.js';

/** Methods the engine runs; `auto` is the default and the best available. */
export const ENGINE_METHODS = ['auto', 'dtw', 'jump', 'neural', 'neural-jump', 'neural-raw'] as const;
/** One of `ENGINE_METHODS`. */
export type EngineMethod = (typeof ENGINE_METHODS)[number];
/** The methods that run the structure network (`auto` falls back to the jump search without it). */
const STRUCTURE_NETWORK_METHODS: ReadonlySet<string> = new Set([
  'auto',
  'neural',
  'neural-jump',
  'neural-raw',
]);
/** Pipeline stages reported through `onProgress`. */
export type Stage = 'decode' | 'score' | 'features' | 'align';

/** Options of `align`. */
export interface AlignOptions {
  /** Alignment method (default `auto`); other strings are refused at run time (`string & {}` keeps the names as hints). */
  method?: EngineMethod | (string & {});
  /** Cancels the run; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Progress per stage, fraction 0..1 of that stage; stages come in order, one at a time. */
  onProgress?: (stage: Stage, fraction: number) => void;
  /** Non-fatal problems (e.g. the model is missing and `auto` fell back). */
  onWarning?: (message: string) => void;
  /** Model folder (default: the shipped model). */
  modelDir?: string;
  /** Threads for the note network and the recording's pitch energy (default 1; the structure network runs on one). */
  threads?: number;
  /**
   * Threads of the coarse structure search (`jump`, `neural-jump`, `auto`): its cell costs, and
   * the steered search beside the search alone; default one per core; 1 for this thread alone
   * (batch runs, which align several at once).
   */
  searchThreads?: number;
  /** Note model folder (default the shipped `models/accord-notes`); `false` aligns without note features. */
  noteModelDir?: string | false;
}

/** A score as a file path, or as its bytes with the file name that picks the format. */
export type ScoreInput = string | { bytes: Uint8Array; name: string };

/** A recording's features as the engine computed them, tagged for caching. */
export interface PerformanceFeatures extends Features {
  /** Hex sha256 of the recording's bytes. */
  sha256: string;
  /** `FEATURE_PARAMS.version` the features were computed with. */
  featureVersion: number;
}

/** Inputs decoded and turned into features, checked alignable: what `alignFeatures` needs. */
export interface PreparedAlignment {
  /** The recording's features. */
  perf: PerformanceFeatures;
  /** The score's features. */
  scoreFeat: Features;
  score: LoadedScore;
  audio: Omit<DecodedAudio, 'samples'>;
  /** Milliseconds per stage so far (`align` is 0). */
  timings: Record<Stage, number>;
  /** Non-fatal problems so far (e.g. the note model is missing), also sent to `onWarning`. */
  warnings: string[];
}

/** What `align` returns. */
export interface AlignResult {
  path: AlignmentPath;
  /** The recording's features (the editor caches them). */
  features: PerformanceFeatures;
  score: LoadedScore;
  audio: Omit<DecodedAudio, 'samples'>;
  /** Milliseconds per stage. */
  timings: Record<Stage, number>;
  /** Non-fatal problems, also sent to `onWarning` as they happen. */
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

/**
 * The neural model for `dir`, loaded once per process and reused. The pipeline runs the structure
 * network on one thread (the default): it runs while the helpers fill the coarse search's cell
 * costs on every other core, and a second ONNX thread only fought them (the 5-minute bench, 3 runs
 * each, from the network's start to the search's: 464–526 ms with two threads, 293–443 with one).
 */
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

/** True when `m` names one of `ENGINE_METHODS`. */
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

/** What the user is told when the recording was moved `semitones` up (negative: down) to the score's pitch. */
export function transpositionWarning(semitones: number): string {
  const n = Math.abs(semitones);
  const st = `${n} semitone${n === 1 ? '' : 's'}`;
  const hint = semitones === 1 ? ' (Baroque pitch, A = 415 Hz?)' : '';
  return `the recording sounds ${st} ${semitones > 0 ? 'below' : 'above'} the score${hint}: aligned as if played at the score's pitch`;
}

/** Aligns already-computed features with `method` (the part of the pipeline after decoding). */
export async function alignFeatures(
  recording: Features,
  scoreFeat: Features,
  score: LoadedScore,
  opts: MethodOptions,
): Promise<{ path: AlignmentPath; warnings: string[] }> {
  // A recording a semitone or two off the score's pitch is aligned as if moved to it (`atScorePitch`).
  const pitched = atScorePitch(recording, scoreFeat);
  // A recording whose notes swell in shows their harmony late: its features are read earlier.
  const perf = atAttackOnsets(pitched.perf, opts.attackLag).perf;
  const moved = pitched.semitones !== 0 ? transpositionWarning(pitched.semitones) : undefined;
  if (moved) opts.onWarning?.(moved);
  // The silence or noise before and after the music is no part of the score: the methods but
  // `dtw` (which cuts silence itself) align the music alone (`alignSounding`, `musicRange`) and
  // hold the path's ends through the rest.
  const out =
    opts.method === 'dtw'
      ? await alignByMethod(perf, scoreFeat, score, opts)
      : await alignSounding(perf, (sounding) => alignByMethod(sounding, scoreFeat, score, opts));
  if (moved) out.warnings.unshift(moved);
  // Cuts land on the onset of the first beat after them (`JUMP_LEAD_SECONDS`), and every pass is
  // read `PATH_DELAY_SECONDS` later; the raw network route is an ablation and stays as it is.
  if (opts.method !== 'neural-raw') {
    leadJumps(out.path, Math.round(JUMP_LEAD_SECONDS / out.path.hopSeconds));
    delayPath(out.path, opts.pathDelaySeconds ?? PATH_DELAY_SECONDS);
  }
  // The structure-aware methods put each chord on its keys' onsets (`snapToOnsets`); `dtw` stays
  // the classical baseline.
  if (opts.method !== 'neural-raw' && opts.method !== 'dtw') {
    if (opts.snap !== false)
      snapToOnsets(out.path, perf, score.score.notes, { ...DEFAULT_SNAP, ...opts.snap });
    // A beat no key is struck on falls where the struck beats around it put it (`timeUnstruckBeats`).
    if (opts.unstruck !== false)
      timeUnstruckBeats(
        out.path,
        score.score.beats.map((b) => b.time),
        score.score.notes,
        { ...DEFAULT_UNSTRUCK, ...opts.unstruck },
      );
  }
  return out;
}

type MethodOptions = AlignOptions & {
  method: EngineMethod;
  /** Overrides `PATH_DELAY_SECONDS` (evaluation sweeps). */
  pathDelaySeconds?: number;
  /** Overrides `attackLagSeconds`' constants (evaluation sweeps); false: the features are not read earlier for a slow attack. */
  attackLag?: AttackLagParams | false;
  /** Overrides `DEFAULT_SNAP` (evaluation sweeps); false: no onset snapping. */
  snap?: Partial<SnapParams> | false;
  /** Overrides `DEFAULT_UNSTRUCK` (evaluation sweeps); false: unstruck beats stay where the path has them. */
  unstruck?: Partial<UnstruckParams> | false;
  jumpParams?: Partial<JumpParams>;
  neuralParams?: Partial<NeuralJumpParams>;
};

async function alignByMethod(
  perf: Features,
  scoreFeat: Features,
  score: LoadedScore,
  opts: MethodOptions,
): Promise<{ path: AlignmentPath; warnings: string[] }> {
  const warnings: string[] = [];
  const progress = (f: number): void => opts.onProgress?.('align', f);
  const common = { signal: opts.signal, onProgress: progress };
  const jumpPoints = score.score.jumpPoints;
  // Jumps may also leave or land on any beat (a little dearer than at a bar line).
  const jumpParams = { beatPointsSeconds: score.score.beats.map((b) => b.time), ...opts.jumpParams };
  // The refinement may align against the score played at the recording's tempo, passage by passage
  // (`refineStretch`, `refineTempoSeconds`): every note time moved by the map it is given. The last
  // one made is kept until it is asked for again: a score stretched ahead (`prestretchScore`) is
  // then not made again, and no longer kept (60 minutes of score features: 70 MB).
  let lastStretch: { times: Float64Array; features: Features } | undefined;
  const stretchScore = (time: (t: number) => number): Features => {
    const notes = score.score.notes.map((n) => {
      const onset = time(n.onset);
      const moved = { ...n, onset, duration: time(n.onset + n.duration) - onset };
      if (n.sounding !== undefined) moved.sounding = time(n.onset + n.sounding) - onset;
      return moved;
    });
    const times = new Float64Array(3 * notes.length + 1);
    notes.forEach((n, i) => {
      times[3 * i] = n.onset;
      times[3 * i + 1] = n.duration;
      times[3 * i + 2] = n.sounding ?? -1;
    });
    times[3 * notes.length] = time(score.score.duration);
    const kept = lastStretch;
    lastStretch = undefined;
    if (kept && sameValues(kept.times, times)) return kept.features;
    const features = scoreNoteAwareFeatures(notes, times[3 * notes.length]);
    lastStretch = { times, features };
    return features;
  };
  // The coarse search's cell costs on every core; the network runs meanwhile (`neural-jump`).
  const helpers = Math.max(0, (opts.searchThreads ?? availableParallelism()) - 1);
  const fillCoarseCosts = parallelCoarseCosts(helpers);
  // The steered search on a helper while this thread makes the search alone (`neural-jump`).
  const searchAside = helpers > 0 ? helperCoarseSearch() : undefined;
  // Repeats written out note for note: the route goes straight on through them (`straightRepeats`);
  // only the methods that run the jump search read it.
  const searches = opts.method === 'jump' || opts.method === 'neural-jump' || opts.method === 'auto';
  const sameMusic = searches ? sameMusicIndex(score.score.notes) : undefined;
  const jumpCommon = { ...common, params: jumpParams, stretchScore, sameMusic };
  const alignJumpFilled = async (): Promise<AlignmentPath> => {
    const coarseCosts: CoarseCostCache = {};
    const params = jumpSearchParams(perf, scoreFeat, jumpParams, coarseCosts);
    await prefillCoarseCosts(perf, scoreFeat, params, fillCoarseCosts, coarseCosts, opts.signal);
    return alignJump(perf, scoreFeat, jumpPoints, { ...jumpCommon, coarseCosts });
  };
  switch (opts.method) {
    case 'dtw':
      return { path: alignDtw(perf, scoreFeat, common), warnings };
    case 'jump':
      return { path: await alignJumpFilled(), warnings };
    case 'neural':
    case 'neural-raw': {
      const model = await sharedNeuralModel(opts.modelDir);
      const path = await alignNeural(perf, scoreFeat, model, {
        jumpPointsSeconds: jumpPoints,
        raw: opts.method === 'neural-raw',
        ...common,
      });
      return { path, warnings };
    }
    case 'neural-jump': {
      const model = await sharedNeuralModel(opts.modelDir);
      return {
        path: await alignNeuralJump(perf, scoreFeat, model, {
          jumpPointsSeconds: jumpPoints,
          jumpParams,
          sameMusic,
          fillCoarseCosts,
          searchAside,
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
        model = await sharedNeuralModel(opts.modelDir);
      } catch (err) {
        if (!(err instanceof NeuralModelError)) throw err;
        const warning = `${err.message}; aligned with the classical jump search instead of the neural aligner`;
        warnings.push(warning);
        opts.onWarning?.(warning);
        return { path: { ...(await alignJumpFilled()), method: 'auto' }, warnings };
      }
      const path = await alignNeuralJump(perf, scoreFeat, model, {
        jumpPointsSeconds: jumpPoints,
        jumpParams,
        stretchScore,
        sameMusic,
        fillCoarseCosts,
        searchAside,
        params: opts.neuralParams,
        ...common,
      });
      return { path: { ...path, method: 'auto' }, warnings };
    }
  }
}

/** True when `a` and `b` hold the same values (`Object.is`), element by element. */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function checkedMethod(method: string): EngineMethod {
  if (!isMethod(method)) {
    throw new AlignInputError(
      'bad-method',
      `unknown method '${method}': expected one of ${ENGINE_METHODS.join(', ')}`,
    );
  }
  return method;
}

/** Runs `fn` as `stage`: checks the signal, reports progress 0 and 1, records its milliseconds. */
function stageRunner(
  opts: Pick<AlignOptions, 'signal' | 'onProgress'>,
  timings: Record<Stage, number>,
): <T>(stage: Stage, fn: () => Promise<T> | T) => Promise<T> {
  return async (stage, fn) => {
    opts.signal?.throwIfAborted();
    const t0 = performance.now();
    opts.onProgress?.(stage, 0);
    const value = await fn();
    timings[stage] = performance.now() - t0;
    opts.onProgress?.(stage, 1);
    return value;
  };
}

/**
 * The stages before alignment: decodes the recording, loads the score, computes both features and
 * refuses inputs that cannot be aligned (`checkAlignable`). `align` is this plus `alignFeatures`;
 * tools that align one recording several ways call the two halves themselves.
 */
export async function prepareAlignment(
  audioPath: string,
  scoreInput: ScoreInput,
  opts: Pick<
    AlignOptions,
    | 'signal'
    | 'onProgress'
    | 'onWarning'
    | 'noteModelDir'
    | 'threads'
    | 'searchThreads'
    | 'method'
    | 'modelDir'
  > = {},
): Promise<PreparedAlignment> {
  // The helper threads the features and the search will use start now and load their code while
  // this thread decodes.
  const helpers = Math.max(opts.threads ?? 1, opts.searchThreads ?? availableParallelism()) - 1;
  sharedHelpers().warm(helpers);
  const prepWarnings: string[] = [];
  const timings: Record<Stage, number> = { decode: 0, score: 0, features: 0, align: 0 };
  const timed = stageRunner(opts, timings);
  const signal = opts.signal;
  // One stage after the other, so progress only moves forward (the editor's bar follows it).
  const audio = await timed('decode', () => decodeAudioFile(audioPath, { signal }));
  const scoreName = typeof scoreInput === 'string' ? scoreInput : scoreInput.name;
  const score = await timed('score', () =>
    typeof scoreInput === 'string'
      ? loadScore(scoreInput)
      : loadScoreBytes(scoreInput.bytes, scoreInput.name),
  );
  // The score's features on a helper while this thread estimates the recording's tuning; not for
  // a recording so long that the helper is ended after its pitch energy (`HELPER_KEEPS_MAX_BYTES`):
  // until then it would keep that work's garbage (60 minutes: 0.2 GB more at the peak).
  const scoreSide =
    helpers > 0 && helpersKeepAudio(audio.samples.length)
      ? scoreFeaturesAside(score.score.notes, score.score.duration)
      : undefined;
  const { perf, scoreFeat } = await timed('features', async () => {
    const { features: perf, warnings } = await recordingFeatures(audio.samples, {
      onProgress: (f) => opts.onProgress?.('features', 0.9 * f),
      noteModelDir: opts.noteModelDir,
      threads: opts.threads,
      // The structure network `method` will run loads while the helpers start on the pitch
      // energy (a failure is answered where the method awaits the model).
      meanwhile:
        opts.method && STRUCTURE_NETWORK_METHODS.has(opts.method)
          ? sharedNeuralModel(opts.modelDir)
          : undefined,
    });
    for (const w of warnings) {
      prepWarnings.push(w);
      opts.onWarning?.(w);
    }
    const scoreFeat = (await scoreSide) ?? scoreNoteAwareFeatures(score.score.notes, score.score.duration);
    return { perf, scoreFeat };
  });
  checkAlignable(
    perf,
    { name: audioPath, durationSeconds: audio.durationSeconds },
    { name: scoreName, durationSeconds: score.score.duration },
  );
  const { samples: _samples, ...audioInfo } = audio;
  return {
    perf: { ...perf, sha256: audio.sha256, featureVersion: FEATURE_PARAMS.version },
    scoreFeat,
    score,
    audio: audioInfo,
    timings,
    warnings: prepWarnings,
  };
}

/**
 * Aligns a recording with a score (a file path, or bytes + name): decode → score → features →
 * align. Returns the path with the features, the loaded score, the audio's facts, the
 * milliseconds per stage and the warnings.
 */
export async function align(
  audioPath: string,
  score: ScoreInput,
  opts: AlignOptions = {},
): Promise<AlignResult> {
  const method = checkedMethod(opts.method ?? 'auto');
  const prepared = await prepareAlignment(audioPath, score, { ...opts, method });
  const timings = prepared.timings;
  const { path, warnings } = await stageRunner(opts, timings)('align', () =>
    alignFeatures(prepared.perf, prepared.scoreFeat, prepared.score, { ...opts, method }),
  );
  return {
    path,
    features: prepared.perf,
    score: prepared.score,
    audio: prepared.audio,
    timings,
    warnings: [...prepared.warnings, ...warnings],
  };
}

/** Aligns a recording with a score file (`align` with a path). */
export function alignFiles(
  audioPath: string,
  scorePath: string,
  opts: AlignOptions = {},
): Promise<AlignResult> {
  return align(audioPath, scorePath, opts);
}
