/**
 * The recording's pitch energy (`audioPitchEnergy`, the STFT every audio feature starts from) on
 * this thread and helper threads (`helpers.ts`): blocks of frames are claimed from a shared
 * counter (`sharedBlocks.ts`) and written into one shared buffer, bit-identical to one thread's
 * result.
 */
import { audioPitchEnergy, pitchEnergyFrames, type PitchEnergy } from '../../shared/dsp/features.js';
import { NUM_PITCHES, frameCount } from '../../shared/dsp/params.js';
import { frameFft, loadWasmFft, wasmFftLoaded } from './fft.js';
import { sharedHelpers, type HelperPool } from './helpers.js';
import { claimBlocks, runSharedBlocks, sharedBlocks, type SharedBlocks } from './sharedBlocks.js';

/** Frames per claimed block (≈ 10 ms of work). */
export const BLOCK_FRAMES = 512;

/**
 * Recordings shorter than this (frames, ≈ 47 s) are done on this thread alone: their few blocks
 * would be done before a helper started with the alignment has loaded its code. (A worker
 * started for the job itself came too late below 6 minutes; the helpers start while the audio
 * decodes.)
 */
export const MIN_PARALLEL_FRAMES = 2048;

/**
 * Shared audio from this size on (bytes, ≈ 12 minutes) is not left with the helpers after the
 * job: they are ended (`HelperPool.end`), since an idle helper keeps what it was sent until its
 * next garbage collection (60 minutes: 318 MB through the alignment stage, which no longer needs
 * the audio).
 */
export const HELPER_KEEPS_MAX_BYTES = 64 * 2 ** 20;

/**
 * Whether the helpers are kept after the pitch energy of `samples` mono samples (float32) at the
 * feature rate: false from `HELPER_KEEPS_MAX_BYTES` on, where `parallelPitchEnergy` ends them.
 */
export function helpersKeepAudio(samples: number, maxBytes = HELPER_KEEPS_MAX_BYTES): boolean {
  return 4 * samples < maxBytes;
}

/** What the threads share: the audio, the tuning, the output and the block claims. */
export interface PitchEnergyJob extends SharedBlocks {
  /** Mono audio at the feature rate (float32). */
  mono: SharedArrayBuffer;
  tuningCents: number;
  /** frames × NUM_PITCHES float32. */
  energy: SharedArrayBuffer;
  frames: number;
  /** Whether every thread uses the WebAssembly FFT (`fft.ts`), so the blocks agree bit for bit. */
  wasmFft: boolean;
}

function runBlock(job: PitchEnergyJob, mono: Float32Array, energy: Float32Array, b: number): void {
  const from = b * BLOCK_FRAMES;
  const to = Math.min(job.frames, from + BLOCK_FRAMES);
  pitchEnergyFrames(mono, from, to, energy, job.tuningCents, undefined, frameFft(job.wasmFft));
}

/**
 * A helper's part: claims and computes blocks as `thread` until none is left. A helper without
 * the job's FFT claims none (this thread computes them).
 */
export function workOnPitchEnergy(job: PitchEnergyJob, thread: number): void {
  if (job.wasmFft && !wasmFftLoaded())
    throw new Error('the WebAssembly FFT did not load on this helper: its blocks are left to the job');
  const mono = new Float32Array(job.mono);
  const energy = new Float32Array(job.energy);
  claimBlocks(job, thread, (b) => runBlock(job, mono, energy, b));
}

/**
 * `audioPitchEnergy(mono, onProgress, tuningCents)` with `workers` helper threads besides this
 * one (none below `MIN_PARALLEL_FRAMES`; the process's `sharedHelpers` unless `helpers` is
 * given); `onBlocks` hears how many blocks each thread computed (this one first).
 */
export async function parallelPitchEnergy(
  mono: Float32Array,
  tuningCents: number,
  workers: number,
  opts: {
    onProgress?: (fraction: number) => void;
    signal?: AbortSignal;
    onBlocks?: (perThread: number[]) => void;
    /** Overrides `MIN_PARALLEL_FRAMES` (tests). */
    minParallelFrames?: number;
    /** False: this thread claims no block and only waits for the helpers (tests; default true). */
    thisThread?: boolean;
    /** The helper threads (default `sharedHelpers()`). */
    helpers?: HelperPool;
    /** Work this thread awaits while the helpers start on the blocks (`runSharedBlocks`). */
    meanwhile?: Promise<unknown>;
    /** Overrides `HELPER_KEEPS_MAX_BYTES` (tests). */
    helperKeepsMaxBytes?: number;
  } = {},
): Promise<PitchEnergy> {
  const wasmFft = await loadWasmFft();
  const frames = frameCount(mono.length);
  const blocks = Math.ceil(frames / BLOCK_FRAMES);
  const threads = frames >= (opts.minParallelFrames ?? MIN_PARALLEL_FRAMES) ? Math.max(0, workers) : 0;
  if (threads === 0 && opts.thisThread !== false) {
    // This thread alone: no copy into shared memory.
    opts.signal?.throwIfAborted();
    const pe = audioPitchEnergy(mono, opts.onProgress, tuningCents, frameFft(wasmFft));
    opts.onBlocks?.([blocks]);
    return pe;
  }
  const sharedMono = new Float32Array(new SharedArrayBuffer(4 * mono.length));
  sharedMono.set(mono);
  const job: PitchEnergyJob = {
    ...sharedBlocks(blocks),
    mono: sharedMono.buffer,
    tuningCents,
    energy: new SharedArrayBuffer(4 * frames * NUM_PITCHES),
    frames,
    wasmFft,
  };
  const energy = new Float32Array(job.energy);
  const claimed = new Int32Array(job.state);
  const pool = opts.helpers ?? sharedHelpers();
  const perThread = await runSharedBlocks(job, {
    helpers: threads,
    part: (thread) => pool.run(thread, 'pitchEnergy', { job, thread }),
    run: (b) => {
      runBlock(job, sharedMono, energy, b);
      opts.onProgress?.(Math.min(1, Atomics.load(claimed, 0) / job.blocks));
    },
    signal: opts.signal,
    thisThread: opts.thisThread,
    yieldEvery: 0,
    meanwhile: opts.meanwhile,
  });
  if (!helpersKeepAudio(mono.length, opts.helperKeepsMaxBytes))
    for (let k = 1; k <= threads; k++) void pool.end(k);
  opts.onBlocks?.(perThread);
  opts.onProgress?.(1);
  return { frames, energy };
}
