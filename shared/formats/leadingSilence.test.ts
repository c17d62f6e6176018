/**
 * Issue 10: a recording that starts with silence. The engine's path holds the first score frame
 * through the silence; every beat export must put bar 1.1 where the music starts, not at 0 s.
 * The bundled sample's first note sounds at 0.5 s (resources/README.md); padded with 0.5 s more
 * silence, every exported beat must move by 0.5 s.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../electron/tools/eval/wav.js';
import { decodeAudioFile } from '../../electron/engine/audio.js';
import { alignFiles, releaseModels, type AlignResult } from '../../electron/engine/pipeline.js';
import { FEATURE_PARAMS } from '../dsp/params.js';
import type { ExportFormat, ExportMeta } from './index.js';
import { exportAlignment } from './index.js';

const dir = fileURLToPath(new URL('../../resources/sample/', import.meta.url));
const PAD_S = 0.5;
/** Allowed distance of an exported beat from where it should be, seconds. */
const TOL_S = 0.05;
const META: ExportMeta = {
  audio: { name: 'performance.wav', sha256: '00'.repeat(32) },
  score: { name: 'score.mid', sha256: '11'.repeat(32) },
};

/** True beat times of the sample (gt.csv `perf_time`), in order. */
const gtBeats = readFileSync(join(dir, 'gt.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => Number(line.split(',')[0]));

/** Performed beat times of an export, in performance order. */
function beatTimes(format: ExportFormat, r: AlignResult): number[] {
  const out = exportAlignment(format, r.path, r.score.score, META);
  if (typeof out !== 'string') throw new Error(`expected text from ${format}`);
  if (format === 'json') {
    const doc = JSON.parse(out) as { beats: { perfTimes: number[] }[] };
    return doc.beats.flatMap((b) => b.perfTimes).sort((a, b) => a - b);
  }
  const sep = format === 'svl' ? ',' : '\t';
  return out
    .trim()
    .split('\n')
    .map((line) => Number(line.split(sep)[0]));
}

const tmp = mkdtempSync(join(tmpdir(), 'accord-silence-'));
let plain: AlignResult;
let padded: AlignResult;

beforeAll(async () => {
  const audio = await decodeAudioFile(join(dir, 'performance.flac'));
  const pad = Math.round(PAD_S * FEATURE_PARAMS.sampleRate);
  const samples = new Float32Array(pad + audio.samples.length);
  samples.set(audio.samples, pad);
  const wav = join(tmp, 'performance.wav');
  writeFileSync(wav, encodeWav16({ sampleRate: FEATURE_PARAMS.sampleRate, channels: [samples] }));
  plain = await alignFiles(join(dir, 'performance.flac'), join(dir, 'score.mid'));
  padded = await alignFiles(wav, join(dir, 'score.mid'));
});

afterAll(async () => {
  await releaseModels();
  rmSync(tmp, { recursive: true, force: true });
});

describe.each<ExportFormat>(['asap', 'audacity', 'svl', 'json'])(
  '%s beats of a recording that starts with silence',
  (format) => {
    it('puts bar 1.1 where the music starts', () => {
      const got = beatTimes(format, padded);
      expect(got).toHaveLength(gtBeats.length);
      expect(Math.abs(got[0] - (PAD_S + gtBeats[0]))).toBeLessThanOrEqual(TOL_S);
      expect(Math.abs(beatTimes(format, plain)[0] - gtBeats[0])).toBeLessThanOrEqual(TOL_S);
    });

    it('moves every beat by the added silence', () => {
      const before = beatTimes(format, plain);
      const after = beatTimes(format, padded);
      expect(after).toHaveLength(before.length);
      const shift = after.map((t, i) => t - before[i]);
      for (const d of shift) expect(Math.abs(d - PAD_S)).toBeLessThanOrEqual(TOL_S);
      const off = after.map((t, i) => Math.abs(t - (PAD_S + gtBeats[i])));
      expect(Math.max(...off)).toBeLessThanOrEqual(TOL_S);
    });
  },
);
