/**
 * Training data for the neural aligner (see models/README.md).
 *
 *   node dist/node/electron/tools/training/makeDataset.js [--out models/data] [--seed 1]
 *        [--train-perfs 300] [--train-samples 8] [--val-perfs 40] [--val-samples 3] [--L 256]
 *        [--jobs 2] [--resume]
 *
 * `--resume` continues a run that was stopped: the samples already in `out` are kept (the data
 * files are cut back to the manifest's count), performances already processed or skipped are
 * not redone. Every performance has its own seed, so a resumed set holds the same samples as
 * an uninterrupted one (only their order may differ).
 *
 * For each chosen ASAP performance: scale its MIDI's tempo, synthesise it with fluidsynth
 * (one of three soundfonts), augment with sox (detune, reverb, band limit, gain) and Node
 * (noise), compute features, then cut several samples from it: the whole piece, excerpts of
 * 30 s and up, and structure samples (the excerpt's audio split at beats and rejoined with
 * repeats, skips and jumps back). Each sample is the `buildNeuralInput` matrix (uint8) and
 * the `neuralTarget` vector (float32). Only the train and validation splits are read.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, truncateSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pkg from '@tonejs/midi';
import { audioFeatures, scoreFeatures } from '../../../shared/dsp/features.js';
import type { Features } from '../../../shared/dsp/features.js';
import { FEATURE_PARAMS, HOP_SECONDS } from '../../../shared/dsp/params.js';
import { parseMidiScore } from '../../../shared/scoreio/midi.js';
import {
  INPUT_LEVELS,
  NEURAL_INPUT_CHANNELS,
  buildNeuralInput,
  neuralTarget,
} from '../../../shared/neural/input.js';
import { asapDir, repoRoot } from '../../engine/repoRoot.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import { readAsapTimes } from '../../../shared/formats/asap.js';
import { pairBeats, scoreTimeAt } from './groundTruth.js';
import type { BeatPair } from './groundTruth.js';
import { seededRandom as rng } from '../../../shared/random.js';

const { Midi } = pkg;
const run = promisify(execFile);

const REPO = repoRoot();
const ASAP = asapDir();
const SOUNDFONTS = [
  '/usr/share/sounds/sf2/FluidR3_GM.sf2',
  '/usr/share/sounds/sf2/TimGM6mb.sf2',
  '/usr/share/sounds/sf3/MuseScore_General.sf3',
];
const MIN_EXCERPT_SECONDS = 30;
const MAX_SAMPLE_SECONDS = 15 * 60;

interface Args {
  out: string;
  seed: number;
  L: number;
  trainPerfs: number;
  trainSamples: number;
  valPerfs: number;
  valSamples: number;
  jobs: number;
  /** Continue an earlier, cut-short run in `out`: keep its samples, skip its performances. */
  resume: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    out: resolve(REPO, 'models/data'),
    seed: 1,
    L: 256,
    trainPerfs: 300,
    trainSamples: 8,
    valPerfs: 40,
    valSamples: 3,
    jobs: 2,
    resume: false,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    if (key === '--resume') {
      a.resume = true;
      i -= 1;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`makeDataset: expected a value after ${key}`);
    if (key === '--out') a.out = resolve(value);
    else if (key === '--seed') a.seed = Number(value);
    else if (key === '--L') a.L = Number(value);
    else if (key === '--train-perfs') a.trainPerfs = Number(value);
    else if (key === '--train-samples') a.trainSamples = Number(value);
    else if (key === '--val-perfs') a.valPerfs = Number(value);
    else if (key === '--val-samples') a.valSamples = Number(value);
    else if (key === '--jobs') a.jobs = Math.max(1, Math.min(2, Number(value)));
    else throw new Error(`makeDataset: unknown option ${key}`);
  }
  return a;
}

function seedOf(text: string, seed: number): number {
  return createHash('sha256').update(`${seed}:${text}`).digest().readUInt32LE(0);
}

interface SplitPiece {
  composer: string;
  title: string;
  folders: string[];
  performances: string[];
}

/** Performances chosen round-robin over pieces (every piece before a second performance of any). */
function choosePerformances(pieces: SplitPiece[], count: number, rand: () => number): string[] {
  const queues = pieces.map((p) => [...p.performances].sort(() => rand() - 0.5));
  const out: string[] = [];
  for (let round = 0; out.length < count; round++) {
    let added = false;
    for (const q of queues) {
      if (round < q.length && out.length < count) {
        out.push(q[round]);
        added = true;
      }
    }
    if (!added) break;
  }
  return out;
}

interface Augmentation {
  soundfont: string;
  tempoFactor: number;
  detuneCents: number;
  reverb: number | null;
  band: [number, number] | null;
  gainDb: number;
  noiseSnrDb: number | null;
}

function drawAugmentation(rand: () => number): Augmentation {
  return {
    soundfont: SOUNDFONTS[Math.floor(rand() * SOUNDFONTS.length)],
    tempoFactor: 0.85 + 0.3 * rand(),
    detuneCents: Math.round(-20 + 40 * rand()),
    reverb: rand() < 0.5 ? Math.round(10 + 60 * rand()) : null,
    band: rand() < 0.5 ? [Math.round(40 + 160 * rand()), Math.round(3500 + 6000 * rand())] : null,
    gainDb: -1 - 8 * rand(),
    noiseSnrDb: rand() < 0.5 ? 20 + 25 * rand() : null,
  };
}

/** Renders the performance MIDI with its tempo scaled by `tempoFactor` (durations × factor), detuned by resampling → mono samples. */
async function render(
  perfMid: string,
  aug: Augmentation,
  work: string,
  rand: () => number,
): Promise<Float32Array> {
  const midi = new Midi(await readFile(perfMid));
  for (const t of midi.header.tempos) t.bpm /= aug.tempoFactor;
  midi.header.update();
  const mid = join(work, 'perf.mid');
  const raw = join(work, 'raw.wav');
  const out = join(work, 'aug.f32');
  await writeFile(mid, midi.toArray());
  await run(
    'fluidsynth',
    ['-ni', '-g', '0.7', '-F', raw, '-r', String(FEATURE_PARAMS.sampleRate), aug.soundfont, mid],
    { maxBuffer: 1 << 26 },
  );
  // `speed` detunes by resampling (cheap); it also shortens durations by 2^(−cents/1200), see `timeScale`.
  const effects = ['speed', `${aug.detuneCents}c`];
  if (aug.reverb !== null) effects.push('reverb', String(aug.reverb));
  if (aug.band !== null) effects.push('sinc', `${aug.band[0]}-${aug.band[1]}`);
  effects.push('gain', '-n', aug.gainDb.toFixed(1));
  await run('sox', [raw, '-c', '1', '-r', String(FEATURE_PARAMS.sampleRate), '-t', 'f32', out, ...effects], {
    maxBuffer: 1 << 26,
  });
  const bytes = await readFile(out);
  const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2).slice();
  if (aug.noiseSnrDb !== null) {
    let power = 0;
    for (let i = 0; i < samples.length; i++) power += samples[i] * samples[i];
    const sigma = Math.sqrt(power / Math.max(1, samples.length) / 10 ** (aug.noiseSnrDb / 10));
    for (let i = 0; i < samples.length; i += 2) {
      const u = Math.max(1e-12, rand());
      const v = rand();
      const r = sigma * Math.sqrt(-2 * Math.log(u));
      samples[i] += r * Math.cos(2 * Math.PI * v);
      if (i + 1 < samples.length) samples[i + 1] += r * Math.sin(2 * Math.PI * v);
    }
  }
  return samples;
}

/** Frames [a, b) of features. */
function sliceFeatures(f: Features, a: number, b: number): Features {
  return {
    frames: b - a,
    hopSeconds: f.hopSeconds,
    chroma: f.chroma.slice(a * 12, b * 12),
    onset: f.onset.slice(a * 12, b * 12),
    energy: f.energy.slice(a, b),
  };
}

/** A stretch [start, end) of the rendered performance (seconds) played in the sample. */
interface Segment {
  start: number;
  end: number;
}

/** Split-join plan: 1–3 cuts at beats inside [t0, t1], each followed by a jump back, a skip, or a jump elsewhere. */
function structurePlan(beatTimes: number[], t0: number, t1: number, rand: () => number): Segment[] {
  const inside = beatTimes.filter((b) => b > t0 + 2 && b < t1 - 2);
  if (inside.length < 4) return [{ start: t0, end: t1 }];
  const cuts = 1 + Math.floor(rand() * 3);
  const total = t1 - t0;
  const segments: Segment[] = [];
  let at = t0;
  for (let c = 0; c < cuts; c++) {
    const len = total * (0.15 + 0.35 * rand());
    const end = inside.reduce(
      (best, b) => (Math.abs(b - (at + len)) < Math.abs(best - (at + len)) ? b : best),
      inside[0],
    );
    if (end <= at + 2) break;
    segments.push({ start: at, end });
    const candidates = inside.filter((b) => Math.abs(b - end) > 3);
    if (candidates.length === 0) break;
    const kind = rand();
    const back = candidates.filter((b) => b < end);
    const fwd = candidates.filter((b) => b > end);
    const pool = kind < 0.5 && back.length > 0 ? back : fwd.length > 0 ? fwd : back;
    at = pool[Math.floor(rand() * pool.length)];
  }
  const restLen = Math.max(5, total - segments.reduce((s, g) => s + g.end - g.start, 0));
  segments.push({ start: at, end: Math.min(t1, at + restLen) });
  return segments.filter((g) => g.end - g.start > 1);
}

/** Joins segments of `samples` with 10 ms linear cross-fades. */
function joinAudio(samples: Float32Array, segments: Segment[]): Float32Array {
  const sr = FEATURE_PARAMS.sampleRate;
  const fade = Math.round(0.01 * sr);
  const parts = segments.map((g) =>
    samples.subarray(Math.max(0, Math.round(g.start * sr)), Math.min(samples.length, Math.round(g.end * sr))),
  );
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  parts.forEach((p, k) => {
    out.set(p, at);
    if (k > 0) for (let i = 0; i < Math.min(fade, p.length); i++) out[at + i] *= i / fade;
    if (k < parts.length - 1)
      for (let i = 0; i < Math.min(fade, p.length); i++) out[at + p.length - 1 - i] *= i / fade;
    at += p.length;
  });
  return out;
}

interface SampleRecord {
  index: number;
  performance: string;
  scoreMidi: string;
  kind: 'whole' | 'excerpt' | 'structure';
  /** Played stretches of the rendered (tempo-scaled) performance, seconds. */
  segments: Segment[];
  /** Score range [start, end) seconds the score features cover. */
  scoreRange: [number, number];
  perfFrames: number;
  scoreFrames: number;
  /** Jumps in the target (row index of the first row after each). */
  targetJumpRows: number[];
}

interface PerfRecord {
  performance: string;
  seed: number;
  augmentation: Augmentation;
  durationSeconds: number;
  samples: number[];
}

interface SplitWriter {
  name: string;
  x: number;
  y: number;
  count: number;
  samples: SampleRecord[];
  performances: PerfRecord[];
  skipped: { performance: string; reason: string }[];
}

const scoreCache = new Map<string, Promise<{ features: Features; duration: number; beats: number[] }>>();

function scoreOf(folder: string): Promise<{ features: Features; duration: number; beats: number[] }> {
  let hit = scoreCache.get(folder);
  if (!hit) {
    hit = (async () => {
      const path = join(ASAP, folder, 'midi_score.mid');
      const score = parseMidiScore(new Uint8Array(await readFile(path)), path);
      const beats = readAsapTimes(
        await readFile(join(ASAP, folder, 'midi_score_annotations.txt'), 'utf8'),
        folder,
      );
      const duration = Math.max(score.duration, beats[beats.length - 1] + 1);
      return { features: scoreFeatures(score.notes, duration), duration, beats };
    })();
    scoreCache.set(folder, hit);
  }
  return hit;
}

async function processPerformance(
  perf: string,
  split: SplitWriter,
  nSamples: number,
  args: Args,
): Promise<void> {
  const folder = dirname(perf);
  const name = basename(perf, '.mid');
  const perfBeats = readAsapTimes(
    await readFile(join(ASAP, folder, `${name}_annotations.txt`), 'utf8'),
    perf,
  );
  const score = await scoreOf(folder);
  const paired = pairBeats(perfBeats, score.beats);
  if (!paired) {
    split.skipped.push({
      performance: perf,
      reason: `beat counts differ: performance ${perfBeats.length}, score ${score.beats.length}`,
    });
    return;
  }
  const seed = seedOf(perf, args.seed);
  const rand = rng(seed);
  const aug = drawAugmentation(rand);
  const timeScale = aug.tempoFactor * 2 ** (-aug.detuneCents / 1200);
  const beats: BeatPair[] = paired.map((b) => ({ perf: b.perf * timeScale, score: b.score }));
  const work = join(tmpdir(), `accord-ds-${process.pid}-${seed}`);
  await mkdir(work, { recursive: true });
  let audio: Float32Array;
  try {
    audio = await render(join(ASAP, perf), aug, work, rand);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const duration = audio.length / FEATURE_PARAMS.sampleRate;
  const whole = audioFeatures(audio);
  const record: PerfRecord = {
    performance: perf,
    seed,
    augmentation: aug,
    durationSeconds: duration,
    samples: [],
  };
  const first = Math.max(0, beats[0].perf - 1);
  const last = Math.min(duration, beats[beats.length - 1].perf + 1);
  const beatTimes = beats.map((b) => b.perf);

  for (let k = 0; k < nSamples; k++) {
    const kind: SampleRecord['kind'] = k === 0 ? 'whole' : k % 2 === 0 ? 'structure' : 'excerpt';
    let t0 = 0;
    let t1 = duration;
    if (kind !== 'whole' || duration > MAX_SAMPLE_SECONDS) {
      const span = last - first;
      const maxLen = Math.min(span, MAX_SAMPLE_SECONDS);
      const minLen = Math.min(MIN_EXCERPT_SECONDS, maxLen);
      const len = kind === 'whole' ? maxLen : minLen * (maxLen / minLen) ** rand();
      t0 = first + (span - len) * rand();
      t1 = t0 + len;
    }
    const segments = kind === 'structure' ? structurePlan(beatTimes, t0, t1, rand) : [{ start: t0, end: t1 }];
    let perfFeatures: Features;
    if (segments.length > 1) {
      perfFeatures = audioFeatures(joinAudio(audio, segments));
    } else {
      const a = Math.round(t0 / HOP_SECONDS);
      const b = Math.min(whole.frames, Math.round(t1 / HOP_SECONDS));
      perfFeatures = sliceFeatures(whole, a, b);
    }
    const perfFrames = perfFeatures.frames;
    // True score time of each frame of the (possibly joined) performance.
    const gtScore = new Float64Array(perfFrames);
    const segStartFrame: number[] = [];
    let offset = 0;
    for (const g of segments) {
      segStartFrame.push(offset / HOP_SECONDS);
      offset += g.end - g.start;
    }
    for (let f = 0; f < perfFrames; f++) {
      const t = f * HOP_SECONDS;
      let s = segments.length - 1;
      while (s > 0 && segStartFrame[s] * HOP_SECONDS > t) s--;
      const local = segments[s].start + (t - segStartFrame[s] * HOP_SECONDS);
      gtScore[f] = scoreTimeAt(beats, local, score.duration);
    }
    let smin = Infinity;
    let smax = -Infinity;
    for (const s of gtScore) {
      smin = Math.min(smin, s);
      smax = Math.max(smax, s);
    }
    let lo = 0;
    let hi = score.duration;
    if (kind !== 'whole') {
      // A margin of 0–8 score beats on each side, so the network must locate the excerpt.
      const before = score.beats.filter((b) => b < smin);
      const after = score.beats.filter((b) => b > smax);
      lo = before.length > 0 ? before[Math.max(0, before.length - 1 - Math.floor(rand() * 9))] : 0;
      hi = after.length > 0 ? after[Math.min(after.length - 1, Math.floor(rand() * 9))] : score.duration;
      lo = Math.max(0, Math.min(lo, smin - 0.5));
      hi = Math.min(score.duration, Math.max(hi, smax + 0.5));
    }
    const sa = Math.max(0, Math.floor(lo / HOP_SECONDS));
    const sb = Math.min(score.features.frames, Math.max(sa + 2, Math.ceil(hi / HOP_SECONDS)));
    const scoreFrames = sb - sa;
    const gtFrames = gtScore.map((s) => Math.min(scoreFrames - 1, Math.max(0, s / HOP_SECONDS - sa)));
    const x = buildNeuralInput(perfFeatures, sliceFeatures(score.features, sa, sb), args.L);
    const y = neuralTarget(gtFrames, scoreFrames, args.L);
    const xb = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) xb[i] = Math.round(x[i] * INPUT_LEVELS);
    // Synchronous writes: two performances are in flight, x and y rows must stay in step.
    writeSync(split.x, xb);
    writeSync(split.y, new Uint8Array(y.buffer));
    const targetJumpRows: number[] = [];
    for (let i = 1; i < y.length; i++) {
      const d = (y[i] - y[i - 1]) * scoreFrames * HOP_SECONDS;
      if (d < -0.25 || d > 1 + (4 * perfFrames * HOP_SECONDS) / args.L) targetJumpRows.push(i);
    }
    const index = split.count++;
    split.samples.push({
      index,
      performance: perf,
      scoreMidi: `${folder}/midi_score.mid`,
      kind,
      segments: segments.map((g) => ({ start: +g.start.toFixed(3), end: +g.end.toFixed(3) })),
      scoreRange: [+(sa * HOP_SECONDS).toFixed(3), +(sb * HOP_SECONDS).toFixed(3)],
      perfFrames,
      scoreFrames,
      targetJumpRows,
    });
    record.samples.push(index);
  }
  split.performances.push(record);
}

interface PreviousManifest {
  createdAt?: string;
  L: number;
  args: Partial<Args>;
  featureParams: unknown;
  splits?: Record<
    string,
    {
      count: number;
      samples: SampleRecord[];
      performances: PerfRecord[];
      skipped: { performance: string; reason: string }[];
    }
  >;
}

/** The manifest of the run being resumed; refuses one made with other settings. */
async function readPreviousManifest(args: Args): Promise<PreviousManifest | null> {
  const path = join(args.out, 'manifest.json');
  if (!existsSync(path)) return null;
  const m = JSON.parse(await readFile(path, 'utf8')) as PreviousManifest;
  const same =
    m.L === args.L &&
    m.args?.seed === args.seed &&
    m.args?.trainSamples === args.trainSamples &&
    m.args?.valSamples === args.valSamples &&
    JSON.stringify(m.featureParams) === JSON.stringify(FEATURE_PARAMS);
  if (!same) {
    throw new Error(
      `makeDataset --resume: ${path} was made with other settings (L ${m.L}, seed ${m.args?.seed}, ` +
        `samples ${m.args?.trainSamples}/${m.args?.valSamples}, or other feature parameters); ` +
        `expected L ${args.L}, seed ${args.seed}, samples ${args.trainSamples}/${args.valSamples}`,
    );
  }
  return m;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const splits = JSON.parse(await readFile(join(ASAP, 'splits.json'), 'utf8')) as {
    train: SplitPiece[];
    validation: SplitPiece[];
  };
  await mkdir(args.out, { recursive: true });
  const started = Date.now();
  const previous = args.resume ? await readPreviousManifest(args) : null;
  const manifest: Record<string, unknown> = {
    version: 1,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    ...(previous ? { resumedAt: new Date().toISOString() } : {}),
    generator: 'electron/tools/training/makeDataset.ts',
    source:
      'ASAP (../shared/corpora/asap, CC BY-NC-SA 4.0): train split for training, validation split for model selection',
    args: { ...args, out: undefined },
    L: args.L,
    channels: NEURAL_INPUT_CHANNELS,
    inputLevels: INPUT_LEVELS,
    featureParams: FEATURE_PARAMS,
    soundfonts: SOUNDFONTS,
    layout:
      'x.u8: [n × channels × L × L] uint8 (value/inputLevels = distance in [0,1], row = performance cell, column = score cell); y.f32: [n × L] float32 little-endian (normalised score position per row)',
    splits: {},
  };
  const plan: [keyof typeof splits, number, number][] = [
    ['validation', args.valPerfs, args.valSamples],
    ['train', args.trainPerfs, args.trainSamples],
  ];
  for (const [name, perfCount, nSamples] of plan) {
    const dir = join(args.out, name);
    await mkdir(dir, { recursive: true });
    const before = previous?.splits?.[name];
    const xBytes = NEURAL_INPUT_CHANNELS * args.L * args.L;
    const yBytes = args.L * 4;
    if (before) {
      // Drop any sample written after the last manifest update (a run killed mid-performance).
      truncateSync(join(dir, 'x.u8'), before.count * xBytes);
      truncateSync(join(dir, 'y.f32'), before.count * yBytes);
    }
    const split: SplitWriter = {
      name,
      x: openSync(join(dir, 'x.u8'), before ? 'a' : 'w'),
      y: openSync(join(dir, 'y.f32'), before ? 'a' : 'w'),
      count: before?.count ?? 0,
      samples: before?.samples ?? [],
      performances: before?.performances ?? [],
      skipped: before?.skipped ?? [],
    };
    const done = new Set([
      ...split.performances.map((p) => p.performance),
      ...split.skipped.map((p) => p.performance),
    ]);
    const chosen = choosePerformances(splits[name], perfCount, rng(seedOf(name, args.seed)));
    const perfs = chosen.filter((p) => !done.has(p));
    let finished = chosen.length - perfs.length;
    if (done.size > 0)
      console.log(`${name}: resuming after ${done.size} performances (${split.count} samples)`);
    const record = (): void => {
      (manifest.splits as Record<string, unknown>)[name] = {
        count: split.count,
        files: { x: `${name}/x.u8`, y: `${name}/y.f32` },
        performances: split.performances,
        skipped: split.skipped,
        samples: split.samples,
      };
      manifest.elapsedSeconds = Math.round((Date.now() - started) / 1000);
      // Written after every performance (atomically), so a cut-short run leaves a consistent manifest.
      writeFileAtomicSync(join(args.out, 'manifest.json'), JSON.stringify(manifest, null, 1));
    };
    // Two workers at most (fluidsynth/sox are external processes; the machine is shared).
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < perfs.length) {
        const perf = perfs[next++];
        try {
          const t = Date.now();
          await processPerformance(perf, split, nSamples, args);
          record();
          finished++;
          console.log(
            `${name} ${finished}/${chosen.length} ${perf} ${((Date.now() - t) / 1000).toFixed(1)} s (total ${((Date.now() - started) / 60000).toFixed(1)} min)`,
          );
        } catch (err) {
          finished++;
          split.skipped.push({ performance: perf, reason: String((err as Error).message ?? err) });
          console.log(`${name} skip ${perf}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: args.jobs }, worker));
    closeSync(split.x);
    closeSync(split.y);
    record();
  }
  manifest.complete = true;
  writeFileAtomicSync(join(args.out, 'manifest.json'), JSON.stringify(manifest, null, 1));
  console.log(`wrote ${join(args.out, 'manifest.json')}`);
}

if (
  process.argv[1] &&
  existsSync(process.argv[1]) &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
