import { compressPitchEnergy, type PitchEnergy } from '../../shared/dsp/features.js';
import { NUM_PITCHES } from '../../shared/dsp/params.js';
import { sharedHelpers, type HelperPool } from './helpers.js';
import { NeuralModelError, defaultModelDir, openOnnxModel } from './neural.js';
import { HELPER_KEEPS_MAX_BYTES } from './pitchEnergy.js';
import { claimBlocksAsync, runSharedBlocks, sharedBlocks, type SharedBlocks } from './sharedBlocks.js';

/** The note model's `config.json` (written by models/notes/train_notes.py export). */
export interface NoteModelConfig {
  name: string;
  version: string;
  inputName: string;
  outputName: string;
  /** Keys per frame of input and of each output half (88). */
  pitches: number;
  /** Frames of context the output of one frame depends on, either side. */
  receptiveFieldFrames: number;
  featureParams: Record<string, unknown>;
}

/** Per-frame probabilities of the 88 keys. */
export interface NoteActivations {
  frames: number;
  /** [frames × 88] onset probabilities. */
  onset: Float32Array;
  /** [frames × 88] sounding probabilities (the sustain pedal included). */
  sounding: Float32Array;
}

/** A loaded note model: one ONNX Runtime session. */
export interface NoteModel {
  config: NoteModelConfig;
  /** Onset and sounding probabilities of tuned pitch energy (`tunedPitchEnergy`). */
  run(pe: PitchEnergy): Promise<NoteActivations>;
  /** The same from compressed pitch energy log1p(η·E) [frames × 88] (`compressPitchEnergy`). */
  runCompressed(x: Float32Array, frames: number): Promise<NoteActivations>;
  /**
   * Frames a … b−1 of `runCompressed(x, frames)` into `out` (its `onset` and `sounding`, frames
   * × 88 each), the same values bit for bit: the run reads the receptive field either side.
   */
  runFrames(
    x: Float32Array,
    frames: number,
    a: number,
    b: number,
    out: Pick<NoteActivations, 'onset' | 'sounding'>,
  ): Promise<void>;
  release(): Promise<void>;
}

/**
 * Frames per inference call (activations ≈ 16 × 88 × 4 B per frame and tensor). Small chunks keep
 * ONNX Runtime's memory arena small: the first run of a process pays a page fault for every page
 * the arena touches, and with 4,096 frames that first run took 2–4 times as long as the next
 * (docs/EVALUATION.md, speed section, "The note network on both cores"). The outputs are the same bit for bit
 * at any chunk size, the chunks overlapping by the receptive field.
 */
export const NOTE_CHUNK_FRAMES = 512;

function checkNoteConfig(raw: unknown, path: string): NoteModelConfig {
  const c = raw as Partial<NoteModelConfig> | null;
  if (!c || typeof c !== 'object')
    throw new NeuralModelError(
      'bad-config',
      `${path}: expected a JSON object, found ${JSON.stringify(raw)?.slice(0, 40)}`,
    );
  const problems: string[] = [];
  if (c.pitches !== NUM_PITCHES) problems.push(`pitches = ${c.pitches} (expected ${NUM_PITCHES})`);
  if (!Number.isInteger(c.receptiveFieldFrames) || (c.receptiveFieldFrames ?? -1) < 0)
    problems.push(`receptiveFieldFrames = ${c.receptiveFieldFrames}`);
  for (const k of ['name', 'version', 'inputName', 'outputName'] as const)
    if (typeof c[k] !== 'string' || c[k] === '') problems.push(`${k} = ${JSON.stringify(c[k])}`);
  if (!c.featureParams || typeof c.featureParams !== 'object') problems.push('featureParams missing');
  if (problems.length)
    throw new NeuralModelError('bad-config', `${path}: invalid note model config: ${problems.join('; ')}`);
  return c as NoteModelConfig;
}

/** Loads the note model in `dir` (default the shipped `models/accord-notes`). */
export async function loadNoteModel(
  dir: string = defaultModelDir('accord-notes'),
  opts: { threads?: number } = {},
): Promise<NoteModel> {
  const { config, session, modelPath, Tensor } = await openOnnxModel(dir, checkNoteConfig, opts);
  const ctx = config.receptiveFieldFrames;
  let released = false;
  const checkInput = (x: Float32Array, T: number): void => {
    if (released) throw new NeuralModelError('bad-input', `${modelPath}: the model was released`);
    if (x.length !== T * NUM_PITCHES)
      throw new NeuralModelError(
        'bad-input',
        `expected pitch energy of ${T} × ${NUM_PITCHES} values, got ${x.length}`,
      );
  };
  const runFrames = async (
    x: Float32Array,
    T: number,
    a: number,
    b: number,
    out: Pick<NoteActivations, 'onset' | 'sounding'>,
  ): Promise<void> => {
    checkInput(x, T);
    // The chunk and its receptive field either side, so every kept frame saw its whole context.
    const lo = Math.max(0, a - ctx);
    const hi = Math.min(T, b + ctx);
    const n = hi - lo;
    // ONNX Runtime takes no view of shared memory (a helper's input): a copy of the chunk then.
    const input =
      x.buffer instanceof SharedArrayBuffer
        ? x.slice(lo * NUM_PITCHES, hi * NUM_PITCHES)
        : x.subarray(lo * NUM_PITCHES, hi * NUM_PITCHES);
    const result = await session.run({
      [config.inputName]: new Tensor('float32', input, [1, n, NUM_PITCHES]),
    });
    const o = result[config.outputName];
    const dims = o?.dims ?? [];
    if (!o || o.type !== 'float32' || dims.length !== 3 || dims[1] !== n || dims[2] !== 2 * NUM_PITCHES)
      throw new NeuralModelError(
        'bad-output',
        `${modelPath}: expected output '${config.outputName}' float32 [1, ${n}, ${2 * NUM_PITCHES}], got ${o ? `${o.type} [${dims.join(', ')}]` : 'none'}`,
      );
    const data = o.data as Float32Array;
    for (let f = a; f < b; f++) {
      const row = (f - lo) * 2 * NUM_PITCHES;
      out.onset.set(data.subarray(row, row + NUM_PITCHES), f * NUM_PITCHES);
      out.sounding.set(data.subarray(row + NUM_PITCHES, row + 2 * NUM_PITCHES), f * NUM_PITCHES);
    }
  };
  const runCompressed = async (x: Float32Array, T: number): Promise<NoteActivations> => {
    checkInput(x, T);
    const act = {
      frames: T,
      onset: new Float32Array(T * NUM_PITCHES),
      sounding: new Float32Array(T * NUM_PITCHES),
    };
    for (let a = 0; a < T; a += NOTE_CHUNK_FRAMES)
      await runFrames(x, T, a, Math.min(T, a + NOTE_CHUNK_FRAMES), act);
    return act;
  };
  return {
    config,
    run: (pe: PitchEnergy) => runCompressed(compressPitchEnergy(pe), pe.frames),
    runCompressed,
    runFrames,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

const shared = new Map<string, Promise<NoteModel>>();

/** One note model per folder and process (loading costs ≈ 0.1 s); a failed load is retried next time. */
export function sharedNoteModel(
  dir: string = defaultModelDir('accord-notes'),
  threads?: number,
): Promise<NoteModel> {
  const key = `${dir}\0${threads ?? 1}`;
  let p = shared.get(key);
  if (!p) {
    p = loadNoteModel(dir, { threads });
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return p;
}

/**
 * Recordings shorter than this (frames, ≈ 95 s) run the note network on this thread alone: a
 * helper would spend most of their run loading its own copy of the model.
 */
export const MIN_PARALLEL_NOTE_FRAMES = 4096;

/** What the threads share for the note network: its input, its outputs and the chunks' claims. */
export interface NotesJob extends SharedBlocks {
  /** Compressed pitch energy (`compressPitchEnergy`), frames × 88 float32. */
  input: SharedArrayBuffer;
  frames: number;
  /** frames × 88 float32 each. */
  onset: SharedArrayBuffer;
  sounding: SharedArrayBuffer;
  /** The model's folder (undefined: the shipped one). */
  dir?: string;
}

/** Runs chunk `c` of `job` (`NOTE_CHUNK_FRAMES` frames) with `model` into the shared outputs. */
function runChunk(
  model: NoteModel,
  job: NotesJob,
  x: Float32Array,
  out: NoteActivations,
  c: number,
): Promise<void> {
  const a = c * NOTE_CHUNK_FRAMES;
  return model.runFrames(x, job.frames, a, Math.min(job.frames, a + NOTE_CHUNK_FRAMES), out);
}

function sharedActivations(job: NotesJob): NoteActivations {
  return { frames: job.frames, onset: new Float32Array(job.onset), sounding: new Float32Array(job.sounding) };
}

/** A helper's part: loads its own copy of the model (one thread), then claims chunks as `thread` until none is left. */
export async function workOnNotes(job: NotesJob, thread: number): Promise<void> {
  const model = await sharedNoteModel(job.dir, 1);
  const x = new Float32Array(job.input);
  const out = sharedActivations(job);
  await claimBlocksAsync(job, thread, (c) => runChunk(model, job, x, out, c));
}

/**
 * Has `workers` helper threads load their copies of the note model now, for a recording of
 * `frames` frames that `parallelNoteActivations` will share with them: each is then ready for its
 * first chunk when the job comes (their jobs run in turn). Never rejects.
 */
export function warmNoteHelpers(
  workers: number,
  frames: number,
  dir?: string,
  helpers: HelperPool = sharedHelpers(),
  minParallelFrames = MIN_PARALLEL_NOTE_FRAMES,
): void {
  if (frames < minParallelFrames) return;
  for (let k = 1; k <= workers; k++) void helpers.run(k, 'noteModel', { dir });
}

/**
 * Memory for the input of a `parallelNoteActivations` call with `workers` helpers on a recording
 * of `frames` frames, where it will share the input with them (made there, it is not copied: a
 * 60-minute recording's is 55 MB); undefined where this thread runs the network alone.
 */
export function sharedNoteInput(
  frames: number,
  workers: number,
  minParallelFrames = MIN_PARALLEL_NOTE_FRAMES,
): Float32Array | undefined {
  return workers > 0 && frames >= minParallelFrames
    ? new Float32Array(new SharedArrayBuffer(4 * frames * NUM_PITCHES))
    : undefined;
}

/**
 * `(await model).runCompressed(x, frames)` with `workers` helper threads besides this one, each
 * running its own one-thread copy of the model from `dir` on the chunks it claims: the same values
 * bit for bit (none below `MIN_PARALLEL_NOTE_FRAMES`). The helpers' parts are sent before this
 * returns its promise, so they load their models while this thread goes on with other work.
 * `onBlocks` hears how many chunks each thread ran (this one first).
 */
export function parallelNoteActivations(
  x: Float32Array,
  frames: number,
  model: Promise<NoteModel>,
  opts: {
    workers: number;
    dir?: string;
    helpers?: HelperPool;
    signal?: AbortSignal;
    onBlocks?: (perThread: number[]) => void;
    /** Overrides `MIN_PARALLEL_NOTE_FRAMES` (tests). */
    minParallelFrames?: number;
    /** False: this thread runs no chunk and only waits for the helpers (tests; default true). */
    thisThread?: boolean;
    /** Overrides `HELPER_KEEPS_MAX_BYTES` (tests). */
    helperKeepsMaxBytes?: number;
  },
): Promise<NoteActivations> {
  const threads =
    frames >= (opts.minParallelFrames ?? MIN_PARALLEL_NOTE_FRAMES) ? Math.max(0, opts.workers) : 0;
  if (threads === 0 || x.length !== frames * NUM_PITCHES)
    return model.then(async (m) => {
      const act = await m.runCompressed(x, frames);
      opts.onBlocks?.([Math.ceil(frames / NOTE_CHUNK_FRAMES)]);
      return act;
    });
  // Input in shared memory already (`sharedNoteInput`) is not copied.
  let input: SharedArrayBuffer;
  if (x.buffer instanceof SharedArrayBuffer && x.byteOffset === 0 && x.byteLength === x.buffer.byteLength)
    input = x.buffer;
  else {
    input = new SharedArrayBuffer(x.byteLength);
    new Float32Array(input).set(x);
  }
  const job: NotesJob = {
    ...sharedBlocks(Math.ceil(frames / NOTE_CHUNK_FRAMES)),
    input,
    frames,
    onset: new SharedArrayBuffer(x.byteLength),
    sounding: new SharedArrayBuffer(x.byteLength),
    dir: opts.dir,
  };
  const out = sharedActivations(job);
  const pool = opts.helpers ?? sharedHelpers();
  // Sent now (`runSharedBlocks` posts the parts before its first await).
  const blocks = runSharedBlocks(job, {
    helpers: threads,
    part: (thread) => pool.run(thread, 'notes', { job, thread }),
    run: async (c) => runChunk(await model, job, x, out, c),
    signal: opts.signal,
    thisThread: opts.thisThread,
  });
  return blocks.then((perThread) => {
    // A helper keeps what it was sent (the input and both outputs) until its next garbage
    // collection: not a long recording's.
    if (3 * x.byteLength >= (opts.helperKeepsMaxBytes ?? HELPER_KEEPS_MAX_BYTES))
      for (let k = 1; k <= threads; k++) void pool.end(k);
    opts.onBlocks?.(perThread);
    return out;
  });
}
