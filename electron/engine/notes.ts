import { compressPitchEnergy, type PitchEnergy } from '../../shared/dsp/features.js';
import { NUM_PITCHES } from '../../shared/dsp/params.js';
import { NeuralModelError, defaultModelDir, openOnnxModel } from './neural.js';

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
  release(): Promise<void>;
}

/** Frames per inference call: bounds the memory of long recordings (activations ≈ 16 × 88 × 4 B per frame). */
export const NOTE_CHUNK_FRAMES = 4096;

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
  const runCompressed = async (x: Float32Array, T: number): Promise<NoteActivations> => {
    if (released) throw new NeuralModelError('bad-input', `${modelPath}: the model was released`);
    if (x.length !== T * NUM_PITCHES)
      throw new NeuralModelError(
        'bad-input',
        `expected pitch energy of ${T} × ${NUM_PITCHES} values, got ${x.length}`,
      );
    const onset = new Float32Array(T * NUM_PITCHES);
    const sounding = new Float32Array(T * NUM_PITCHES);
    // Chunks overlap by the receptive field, so every kept frame saw its whole context.
    for (let a = 0; a < T; a += NOTE_CHUNK_FRAMES) {
      const b = Math.min(T, a + NOTE_CHUNK_FRAMES);
      const lo = Math.max(0, a - ctx);
      const hi = Math.min(T, b + ctx);
      const n = hi - lo;
      const input = x.subarray(lo * NUM_PITCHES, hi * NUM_PITCHES);
      const result = await session.run({
        [config.inputName]: new Tensor('float32', input, [1, n, NUM_PITCHES]),
      });
      const out = result[config.outputName];
      const dims = out?.dims ?? [];
      if (!out || out.type !== 'float32' || dims.length !== 3 || dims[1] !== n || dims[2] !== 2 * NUM_PITCHES)
        throw new NeuralModelError(
          'bad-output',
          `${modelPath}: expected output '${config.outputName}' float32 [1, ${n}, ${2 * NUM_PITCHES}], got ${out ? `${out.type} [${dims.join(', ')}]` : 'none'}`,
        );
      const data = out.data as Float32Array;
      for (let f = a; f < b; f++) {
        const row = (f - lo) * 2 * NUM_PITCHES;
        onset.set(data.subarray(row, row + NUM_PITCHES), f * NUM_PITCHES);
        sounding.set(data.subarray(row + NUM_PITCHES, row + 2 * NUM_PITCHES), f * NUM_PITCHES);
      }
    }
    return { frames: T, onset, sounding };
  };
  return {
    config,
    run: (pe: PitchEnergy) => runCompressed(compressPitchEnergy(pe), pe.frames),
    runCompressed,
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
