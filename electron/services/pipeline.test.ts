import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultModelDir } from './neural.js';
import { alignFiles, releaseModels } from './pipeline.js';

const fixture = fileURLToPath(new URL('../../resources/fixtures/structure/', import.meta.url));
const audio = join(fixture, 'performance.ogg');
const score = join(fixture, 'score.mid');
const shipped = JSON.parse(readFileSync(join(defaultModelDir(), 'config.json'), 'utf8')) as {
  version: string;
};
const tmp = mkdtempSync(join(tmpdir(), 'accord-pipeline-'));

afterAll(async () => {
  await releaseModels();
  rmSync(tmp, { recursive: true, force: true });
});

describe('auto: the shipped network steering the jump search', () => {
  it('runs the shipped model and reports its version, with no warning', async () => {
    const r = await alignFiles(audio, score);
    expect(r.path.method).toBe('auto');
    expect(r.path.modelVersion).toBe(shipped.version);
    expect(r.warnings).toEqual([]);
    expect(r.path.jumpFrames.length).toBe(2);
  });

  it('falls back to the jump search with a warning when the model is missing', async () => {
    const seen: string[] = [];
    const r = await alignFiles(audio, score, {
      modelDir: join(tmp, 'no-model'),
      onWarning: (w) => seen.push(w),
    });
    expect(r.path.method).toBe('auto');
    expect(r.path.modelVersion).toBeUndefined();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/no-model/);
    expect(r.warnings[0]).toMatch(/classical jump search/);
    expect(seen).toEqual(r.warnings);
    // The fallback is the real structure-aware method: it still follows the repeat and the skip.
    expect(r.path.jumpFrames.length).toBe(2);
  });

  it('falls back when the model file is damaged (checksum mismatch)', async () => {
    const damaged = join(tmp, 'damaged');
    mkdirSync(damaged);
    for (const f of ['config.json', 'model.onnx.sha256', 'golden.json'])
      copyFileSync(join(defaultModelDir(), f), join(damaged, f));
    const bytes = readFileSync(join(defaultModelDir(), 'model.onnx'));
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(join(damaged, 'model.onnx'), bytes);
    const r = await alignFiles(audio, score, { modelDir: damaged });
    expect(r.path.modelVersion).toBeUndefined();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/checksum|sha256/i);
  });

  it('an explicit neural method does not fall back: the error reaches the caller', async () => {
    await expect(
      alignFiles(audio, score, { method: 'neural-jump', modelDir: join(tmp, 'no-model') }),
    ).rejects.toThrow(/no-model/);
  });
});
