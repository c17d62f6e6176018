/** Messages between the job service and its worker threads. */
import type { AlignmentPath } from '../../../shared/path.js';
import type { IpcError, MatrixImage, RunMethod } from '../../../shared/ipc.js';
import type { Score, ScoreNote } from '../../../shared/score.js';
import type { Corrections, EditSpan } from '../../../shared/edit/index.js';
import type { FeatureRow } from '../projects/featureRow.js';
import type { ScanDetection } from '../../../shared/pages/scan/model.js';

/** Chroma features of a recording, as cached. */
export interface ChromaFeatures {
  /** Hex sha256 of the recording the features came from. */
  sha256: string;
  /** Feature version (`FEATURE_PARAMS.version`). */
  featureVersion: number;
  frames: number;
  hopSeconds: number;
  /** [frames × 12] frame-major. */
  chroma: Float32Array;
  /** [frames × 12] frame-major chroma onsets (absent in caches written before migration 4). */
  onset?: Float32Array;
  /** [frames] log pitch energy (absent in caches written before migration 4). */
  energy?: Float32Array;
  /** [frames × 88] note-onset features (absent without the note model, and in caches written before migration 6). */
  notes?: Float32Array;
  /** How slowly the recording's notes swell in (`Features.attackRiseFrames`; absent in caches written before migration 10). */
  attackRiseFrames?: number;
}

/** What a worker is asked to do (sent as `workerData`). */
export type WorkerRequest =
  | { task: 'analyze'; audioPath: string; pointsPerSecond: number }
  | { task: 'peaks'; audioPath: string; pointsPerSecond: number }
  | { task: 'features'; audioPath: string }
  | { task: 'score'; scoreBytes: Uint8Array; scoreName: string }
  | {
      task: 'align';
      audioPath: string;
      scoreBytes: Uint8Array;
      scoreName: string;
      method: RunMethod;
      modelDir?: string;
    }
  | { task: 'scan'; files: { path: string; name: string }[]; maxPages: number }
  | {
      task: 'matrix';
      features: ChromaFeatures;
      scoreBytes: Uint8Array;
      scoreName: string;
      width: number;
      height: number;
    };

/** `analyze`: what the project stores about a new recording. */
export interface AnalyzeResult {
  sha256: string;
  durationSeconds: number;
  sampleRate: number;
  channels: number;
  pointsPerSecond: number;
  /** Peaks at `pointsPerSecond`. */
  peaks: Float32Array;
}

/** `peaks`: peaks at a requested rate. */
export interface PeaksResult {
  sha256: string;
  durationSeconds: number;
  peaks: Float32Array;
}

/** `align`: what the engine's `align` returns that main keeps: the path plus the features worth caching. */
export interface AlignTaskResult {
  path: AlignmentPath;
  /** Milliseconds per stage. */
  timings: Record<string, number>;
  /** Non-fatal problems (e.g. the model is missing and `auto` fell back); empty when none. */
  warnings: string[];
  features: ChromaFeatures;
}

/** `score`: a parsed score (notated formats are parsed here, off the main thread). */
export interface ScoreResult {
  score: Score;
  musicxml?: string;
}

/** One page of `scan`: its image as grayscale PNG and what the detector found on it. */
export interface ScanTaskPage {
  /** File name it came from. */
  sourceName: string;
  /** 1-based page within that file. */
  sourcePage: number;
  width: number;
  height: number;
  png: Uint8Array;
  detection: ScanDetection;
}

/** Result type per task. */
export interface TaskResults {
  analyze: AnalyzeResult;
  peaks: PeaksResult;
  features: ChromaFeatures;
  score: ScoreResult;
  align: AlignTaskResult;
  matrix: MatrixImage;
  scan: ScanTaskPage[];
}

/** Worker → job service. */
export type WorkerMessage =
  | { type: 'progress'; stage: string; fraction: number }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: IpcError };

/** Job service → worker. */
export type ControlMessage = { type: 'cancel' };

/** What a project's re-alignments start from; the edit worker keeps it between edits. */
export interface EditInputs {
  /** Recording sha256 | score sha256 | feature version (`ProjectService.editInputsKey`). */
  key: string;
  /** The recording's stored features row, decoded in the worker. */
  perf: FeatureRow;
  /** The score's notes and length (its features are made in the worker). */
  scoreNotes: ScoreNote[];
  scoreDuration: number;
  /** The score's beat times (s, ascending): unstruck beats take their time from the struck ones. */
  scoreBeats: number[];
  /** Score times (s) where jumps may start or land. */
  jumpPointsSeconds: number[];
}

/**
 * Main → edit worker: re-align `path` under `corrections` around each of `spans` in turn
 * (`realignLocal`), or the whole recording when one is null (`realignAll`). `inputs` comes when
 * main does not know the worker to hold those of `key`.
 */
export type EditRequest = {
  type: 'realign';
  /** Request id, echoed in the replies. */
  id: number;
  key: string;
  inputs?: EditInputs;
  /** The current path, on the grid of the recording's features once the worker resampled it. */
  path: AlignmentPath;
  corrections: Corrections;
  spans: (EditSpan | null)[];
};

/** Main → edit worker: stop request `id` (it answers with a `cancelled` error, or its result if it was past its last span). */
export type EditCancel = { type: 'cancel'; id: number };

/** Edit worker → main, for request `id`; `need-inputs`: the worker no longer holds the inputs of its key (send them). */
export type EditReply =
  | { type: 'progress'; id: number; stage: string; fraction: number }
  | {
      type: 'done';
      id: number;
      result: AlignmentPath;
      /** Milliseconds the worker spent on it (inputs decoded included). */ ms: number;
    }
  | { type: 'error'; id: number; error: IpcError }
  | { type: 'need-inputs'; id: number };
