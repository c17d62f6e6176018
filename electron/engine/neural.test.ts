import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import type { NeuralModel } from './neural.js';
import { NeuralModelError, defaultModelDir, loadNeuralModel, openOnnxModel } from './neural.js';

const dir = defaultModelDir();
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Golden {
  inputLevels: number;
  inputShape: number[];
  inputUint8Base64: string;
  output: number[];
  atol: number;
  rtol: number;
}

describe('shipped model files', () => {
  it('model.onnx matches model.onnx.sha256', () => {
    const expected = readFileSync(join(dir, 'model.onnx.sha256'), 'utf8').trim().split(/\s+/)[0];
    expect(sha(readFileSync(join(dir, 'model.onnx')))).toBe(expected);
  });

  it('was trained on the engine feature parameters', () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { featureParams: unknown };
    expect(config.featureParams).toEqual(JSON.parse(JSON.stringify(FEATURE_PARAMS)));
  });

  it('is under 20 MB', () => {
    expect(readFileSync(join(dir, 'model.onnx')).length).toBeLessThan(20e6);
  });
});

describe('loadNeuralModel', () => {
  let model: NeuralModel | undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'accord-neural-'));
  afterAll(async () => {
    await model?.release();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('reproduces the torch output of the golden input (allclose)', async () => {
    model = await loadNeuralModel();
    const g = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden;
    const bytes = Buffer.from(g.inputUint8Base64, 'base64');
    const input = Float32Array.from(bytes, (v) => v / g.inputLevels);
    expect(input.length).toBe(model.config.inputChannels * model.config.L * model.config.L);
    const out = await model.run(input);
    expect(out.length).toBe(g.output.length);
    let worst = 0;
    for (let i = 0; i < out.length; i++)
      worst = Math.max(worst, Math.abs(out[i] - g.output[i]) - g.rtol * Math.abs(g.output[i]));
    expect(worst).toBeLessThanOrEqual(g.atol);
  });

  it('gives, unoptimized (as it loads), the optimized session’s output bit for bit', async () => {
    model ??= await loadNeuralModel();
    const g = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden;
    const input = Float32Array.from(Buffer.from(g.inputUint8Base64, 'base64'), (v) => v / g.inputLevels);
    const { session, Tensor, config } = await openOnnxModel(dir, (raw) => raw as NeuralModel['config'], {
      optimization: 'all',
    });
    try {
      const shape = [1, config.inputChannels, config.L, config.L];
      const optimized = (await session.run({ [config.inputName]: new Tensor('float32', input, shape) }))[
        config.outputName
      ].data as Float32Array;
      expect(Array.from(await model.run(input))).toEqual(Array.from(optimized));
    } finally {
      await session.release();
    }
  });

  it('rejects an input of the wrong size, saying what it expected', async () => {
    model ??= await loadNeuralModel();
    await expect(model.run(new Float32Array(10))).rejects.toThrow(/expected an input of 2 × \d+ × \d+/);
  });

  it('a missing model gives a NeuralModelError naming the file', async () => {
    const err = await loadNeuralModel(join(tmp, 'nowhere')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeuralModelError);
    expect((err as NeuralModelError).code).toBe('missing');
    expect((err as Error).message).toMatch(/nowhere.*config\.json/);
  });

  it('a damaged model file fails the checksum; a garbage model with a matching checksum fails to load', async () => {
    const d1 = join(tmp, 'damaged');
    const d2 = join(tmp, 'garbage');
    mkdirSync(d1);
    mkdirSync(d2);
    const config = readFileSync(join(dir, 'config.json'));
    const onnx = readFileSync(join(dir, 'model.onnx'));
    const damaged = Buffer.from(onnx);
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(join(d1, 'config.json'), config);
    writeFileSync(join(d1, 'model.onnx'), damaged);
    writeFileSync(join(d1, 'model.onnx.sha256'), readFileSync(join(dir, 'model.onnx.sha256')));
    const e1 = await loadNeuralModel(d1).catch((e: unknown) => e);
    expect((e1 as NeuralModelError).code).toBe('checksum');
    expect((e1 as Error).message).toMatch(/expected sha256 [0-9a-f]{64}.*found [0-9a-f]{64}/);

    const garbage = Buffer.from('this is not an onnx model');
    writeFileSync(join(d2, 'config.json'), config);
    writeFileSync(join(d2, 'model.onnx'), garbage);
    writeFileSync(join(d2, 'model.onnx.sha256'), `${sha(garbage)}  model.onnx\n`);
    const e2 = await loadNeuralModel(d2).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(NeuralModelError);
    expect((e2 as NeuralModelError).code).toBe('corrupt');
    expect((e2 as Error).message).toMatch(/expected an ONNX model/);
  });

  it('refuses a model trained on other feature parameters', async () => {
    const d = join(tmp, 'features');
    mkdirSync(d, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      featureParams: Record<string, unknown>;
    };
    config.featureParams.hopLength = 256;
    writeFileSync(join(d, 'config.json'), JSON.stringify(config));
    const e = await loadNeuralModel(d).catch((err: unknown) => err);
    expect((e as NeuralModelError).code).toBe('feature-mismatch');
    expect((e as Error).message).toMatch(/hopLength/);
  });
});
