import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import { repoRoot } from './repoRoot.js';

/** The model's `config.json` (written by models/export.py). */
export interface NeuralModelConfig {
  name: string;
  version: string;
  /** Rows = columns of the input matrix and length of the output. */
  L: number;
  inputChannels: number;
  /** Input values are multiples of 1/inputLevels in [0, 1]. */
  inputLevels: number;
  inputName: string;
  outputName: string;
  /** A copy of `FEATURE_PARAMS` at training time; must equal the engine's. */
  featureParams: Record<string, unknown>;
  trainingManifestSha256: string;
  metrics: Record<string, unknown>;
  createdAt: string;
}

/** A loaded model: one ONNX Runtime session, created once. */
export interface NeuralModel {
  config: NeuralModelConfig;
  /** `[inputChannels × L × L]` input → `[L]` normalised score positions. */
  run(input: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Why a model could not be loaded or run. */
export type NeuralModelErrorCode =
  'missing' | 'bad-config' | 'checksum' | 'feature-mismatch' | 'corrupt' | 'bad-input' | 'bad-output';

/** A model loading/running failure; the message says what was expected and what was found. */
export class NeuralModelError extends Error {
  /** Machine-readable reason. */
  readonly code: NeuralModelErrorCode;
  constructor(code: NeuralModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NeuralModelError';
    this.code = code;
  }
}

/** Folder of a shipped model (default the structure model, `models/accord-ca`) of the repository holding this module (source or dist/node build). */
export function defaultModelDir(name = 'accord-ca'): string {
  return join(repoRoot(), 'models', name);
}

/** Keys whose values differ between two feature-parameter objects (compared as JSON). */
export function featureParamDifferences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

function checkConfig(raw: unknown, path: string): NeuralModelConfig {
  const c = raw as Partial<NeuralModelConfig> | null;
  const problems: string[] = [];
  if (!c || typeof c !== 'object')
    throw new NeuralModelError(
      'bad-config',
      `${path}: expected a JSON object, found ${JSON.stringify(raw)?.slice(0, 40)}`,
    );
  if (!Number.isInteger(c.L) || (c.L ?? 0) < 2) problems.push(`L = ${c.L} (expected an integer ≥ 2)`);
  if (!Number.isInteger(c.inputChannels) || (c.inputChannels ?? 0) < 1)
    problems.push(`inputChannels = ${c.inputChannels}`);
  if (!(typeof c.inputLevels === 'number' && c.inputLevels > 0))
    problems.push(`inputLevels = ${c.inputLevels}`);
  for (const k of ['name', 'version', 'inputName', 'outputName'] as const)
    if (typeof c[k] !== 'string' || c[k] === '') problems.push(`${k} = ${JSON.stringify(c[k])}`);
  if (!c.featureParams || typeof c.featureParams !== 'object') problems.push('featureParams missing');
  if (problems.length)
    throw new NeuralModelError('bad-config', `${path}: invalid model config: ${problems.join('; ')}`);
  return c as NeuralModelConfig;
}

let runtime: Promise<typeof Ort> | undefined;

/** onnxruntime-node, imported on first use: its native binding costs start-up time a run without models never needs. */
export function onnxRuntime(): Promise<typeof Ort> {
  runtime ??= import('onnxruntime-node');
  return runtime;
}

/** The parts of a model config every ONNX model of Accord has. */
export interface OnnxModelConfigBase {
  inputName: string;
  outputName: string;
  featureParams: Record<string, unknown>;
}

/**
 * Opens the ONNX model in `dir` (config.json, model.onnx, model.onnx.sha256): checks the config
 * (`check`), the checksum, that the model was trained on the engine's `FEATURE_PARAMS`, and its
 * input/output names. Every failure is a `NeuralModelError` saying what was expected and found.
 */
export async function openOnnxModel<C extends OnnxModelConfigBase>(
  dir: string,
  check: (raw: unknown, path: string) => C,
  opts: {
    threads?: number;
    /** onnxruntime's graph optimizations (default 'all'). */
    optimization?: 'all' | 'disabled';
  } = {},
): Promise<{ config: C; session: Ort.InferenceSession; modelPath: string; Tensor: typeof Ort.Tensor }> {
  const configPath = join(dir, 'config.json');
  const modelPath = join(dir, 'model.onnx');
  const read = async (path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new NeuralModelError(
        'missing',
        `expected the model file ${path}, found ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        { cause: err },
      );
    }
  };
  let parsed: unknown;
  const configText = (await read(configPath)).toString('utf8');
  try {
    parsed = JSON.parse(configText);
  } catch (err) {
    throw new NeuralModelError(
      'bad-config',
      `${configPath}: expected JSON, found unparsable text (${(err as Error).message})`,
      { cause: err },
    );
  }
  const config = check(parsed, configPath);
  const diff = featureParamDifferences(config.featureParams, FEATURE_PARAMS);
  if (diff.length) {
    throw new NeuralModelError(
      'feature-mismatch',
      `${configPath}: the model was trained on different feature parameters than the engine's FEATURE_PARAMS (${diff.join(', ')}); retrain or re-export it`,
    );
  }
  const bytes = await read(modelPath);
  const expected = (await read(`${modelPath}.sha256`)).toString('utf8').trim().split(/\s+/)[0];
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (expected !== actual)
    throw new NeuralModelError(
      'checksum',
      `${modelPath}: expected sha256 ${expected} (model.onnx.sha256), found ${actual}: the file is damaged or was replaced`,
    );
  const { InferenceSession, Tensor } = await onnxRuntime();
  let session: Ort.InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      intraOpNumThreads: Math.max(1, opts.threads ?? 1),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: opts.optimization ?? 'all',
      // The memory pattern is planned over two runs per input shape, and the note model's last
      // chunk has a shape of its own: without it a session's second run is already warm
      // (structure model 134 → 24 ms; the 5-minute note features 0.1 s faster).
      enableMemPattern: false,
    });
  } catch (err) {
    throw new NeuralModelError(
      'corrupt',
      `${modelPath}: expected an ONNX model onnxruntime can load, found: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (!session.inputNames.includes(config.inputName) || !session.outputNames.includes(config.outputName)) {
    await session.release();
    throw new NeuralModelError(
      'bad-config',
      `${modelPath}: expected input '${config.inputName}' and output '${config.outputName}' (config.json), found inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}]`,
    );
  }
  return { config, session, modelPath, Tensor };
}

/**
 * Loads the structure model in `dir` (`openOnnxModel` with the structure model's config check).
 */
export async function loadNeuralModel(
  dir: string = defaultModelDir(),
  opts: { threads?: number } = {},
): Promise<NeuralModel> {
  // Unoptimized: the session is made in 68–81 ms instead of 150–218 (on this thread, while the
  // helpers compute the pitch energy), its one run takes as long, and its output is the same bit
  // for bit (measured on this machine, three sessions each).
  const { config, session, modelPath, Tensor } = await openOnnxModel(dir, checkConfig, {
    ...opts,
    optimization: 'disabled',
  });
  const { L, inputChannels: C } = config;
  let released = false;
  return {
    config,
    async run(input: Float32Array): Promise<Float32Array> {
      if (released) throw new NeuralModelError('bad-input', `${modelPath}: the model was released`);
      if (input.length !== C * L * L)
        throw new NeuralModelError(
          'bad-input',
          `expected an input of ${C} × ${L} × ${L} = ${C * L * L} values, got ${input.length}`,
        );
      const result = await session.run({ [config.inputName]: new Tensor('float32', input, [1, C, L, L]) });
      const out = result[config.outputName];
      const dims = out?.dims ?? [];
      if (!out || out.type !== 'float32' || dims.length !== 2 || dims[0] !== 1 || dims[1] !== L) {
        throw new NeuralModelError(
          'bad-output',
          `${modelPath}: expected output '${config.outputName}' float32 [1, ${L}], got ${out ? `${out.type} [${dims.join(', ')}]` : 'none'}`,
        );
      }
      return Float32Array.from(out.data as Float32Array);
    },
    async release(): Promise<void> {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
