/**
 * Compact training data for the structure network: every performance of a split rendered once
 * (random soundfont, General-MIDI timbre, tempo, recording condition), its features pooled into
 * blocks of `BLOCK_FRAMES` frames, and the score features of its piece pooled the same way.
 * Samples (excerpts, multi-operation structure edits, score ranges) are cut from these blocks at
 * training time (`models/structure/blocks.py`), so a few tens of MB hold the whole train split
 * and travel to a GPU machine.
 *
 *   node dist/node/electron/tools/training/dumpFeatures.js [--out models/blocks] [--split train]
 *        [--limit N] [--jobs 2] [--seed 1]
 *
 * Resumable: a performance whose files exist is skipped. Per performance `<out>/<split>/<k>.u8`
 * holds [blocks × 24] uint8 (12 chroma sums, 12 onset sums, each × QUANT) and `<k>.json` its
 * beats and augmentation; per piece folder `<out>/scores/<folder>.u8|.json` likewise.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import pkg from '@tonejs/midi';
import { audioFeatures, scoreFeatures, type Features } from '../../../shared/dsp/features.js';
import { FEATURE_PARAMS, HOP_SECONDS } from '../../../shared/dsp/params.js';
import { parseMidiScore } from '../../../shared/scoreio/midi.js';
import { asapDir, repoRoot } from '../../engine/repoRoot.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import { addDetuneBends, degrade, drawOldRecording, type OldRecording } from '../eval/multi.js';
import { readAsapTimes } from '../../../shared/formats/asap.js';
import { pairBeats } from './groundTruth.js';
import { seededRandom as rng } from '../../../shared/random.js';

const { Midi } = pkg;
const run = promisify(execFile);

/** Feature frames summed into one block (8 × 23.2 ms ≈ 186 ms). */
export const BLOCK_FRAMES = 8;
/** Block sums (each of 8 frames ≤ 1 per bin) are stored as round(sum × QUANT), clipped to 255. */
export const QUANT = 255 / BLOCK_FRAMES;

export const SOUNDFONTS = [
  '/usr/share/sounds/sf2/FluidR3_GM.sf2',
  '/usr/share/sounds/sf2/TimGM6mb.sf2',
  '/usr/share/sounds/sf3/MuseScore_General.sf3',
];
/**
 * General-MIDI programs drawn for 35 % of the renderings, so the network sees timbres beyond
 * the piano: pianos, chromatic percussion, organs, guitars, strings, ensembles, brass, reeds, pipes.
 */
export const OTHER_PROGRAMS = [
  1, 2, 4, 5, 6, 7, 8, 11, 12, 16, 19, 21, 24, 25, 26, 40, 41, 42, 46, 48, 49, 52, 56, 61, 64, 68, 71, 73,
];

export interface Augmentation {
  soundfont: string;
  program: number;
  tempoFactor: number;
  condition: 'dry' | 'room' | 'old';
  reverb?: number;
  old?: OldRecording;
  gainDb: number;
}

export function drawAugmentation(rand: () => number): Augmentation {
  const r = rand();
  const condition = r < 0.3 ? 'dry' : r < 0.65 ? 'room' : 'old';
  return {
    soundfont: SOUNDFONTS[Math.floor(rand() * SOUNDFONTS.length)],
    program: rand() < 0.35 ? OTHER_PROGRAMS[Math.floor(rand() * OTHER_PROGRAMS.length)] : 0,
    tempoFactor: 0.85 + 0.3 * rand(),
    condition,
    ...(condition === 'room' ? { reverb: Math.round(20 + 60 * rand()) } : {}),
    ...(condition === 'old' ? { old: drawOldRecording(rand) } : {}),
    gainDb: -1 - 8 * rand(),
  };
}

/** Sums `BLOCK_FRAMES` frames of chroma and onsets into uint8 blocks [blocks × 24]. */
export function blocksOf(f: Features): Uint8Array {
  const nb = Math.ceil(f.frames / BLOCK_FRAMES);
  const out = new Uint8Array(nb * 24);
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < 12; c++) {
      let sc = 0;
      let so = 0;
      for (let k = b * BLOCK_FRAMES; k < Math.min(f.frames, (b + 1) * BLOCK_FRAMES); k++) {
        sc += f.chroma[k * 12 + c];
        so += f.onset[k * 12 + c];
      }
      out[b * 24 + c] = Math.min(255, Math.round(sc * QUANT));
      out[b * 24 + 12 + c] = Math.min(255, Math.round(so * QUANT));
    }
  }
  return out;
}

async function render(
  perfMid: string,
  aug: Augmentation,
  work: string,
  rand: () => number,
): Promise<Float32Array> {
  const midi = new Midi(await readFile(perfMid));
  for (const t of midi.header.tempos) t.bpm /= aug.tempoFactor;
  midi.header.update();
  return renderMidi(midi, aug, work, rand);
}

/**
 * Renders a MIDI file (tempo already applied) as one augmented mono recording at the feature
 * rate: the drawn program on every track, detuning bends, fluidsynth with the drawn soundfont,
 * then sox (room reverb, band limits, optional tone shelves, level) and the old-recording noise.
 */
export async function renderMidi(
  midi: InstanceType<typeof Midi>,
  aug: Augmentation & { bassDb?: number; trebleDb?: number },
  work: string,
  rand: () => number,
): Promise<Float32Array> {
  for (const track of midi.tracks) track.instrument.number = aug.program;
  if (aug.old) addDetuneBends(midi, aug.old);
  const mid = join(work, 'perf.mid');
  const raw = join(work, 'raw.wav');
  const out = join(work, 'aug.f32');
  await writeFile(mid, midi.toArray());
  await run(
    'fluidsynth',
    ['-ni', '-g', '0.6', '-F', raw, '-r', String(FEATURE_PARAMS.sampleRate), aug.soundfont, mid],
    {
      maxBuffer: 1 << 26,
    },
  );
  const effects: string[] = [];
  if (aug.reverb !== undefined) effects.push('reverb', String(aug.reverb));
  if (aug.old) effects.push('highpass', String(aug.old.highpassHz), 'lowpass', String(aug.old.lowpassHz));
  if (aug.bassDb !== undefined) effects.push('bass', aug.bassDb.toFixed(1));
  if (aug.trebleDb !== undefined) effects.push('treble', aug.trebleDb.toFixed(1));
  effects.push('gain', '-n', aug.gainDb.toFixed(1));
  await run('sox', [raw, '-c', '1', '-r', String(FEATURE_PARAMS.sampleRate), '-t', 'f32', out, ...effects], {
    maxBuffer: 1 << 26,
  });
  const bytes = await readFile(out);
  const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2).slice();
  if (aug.old) degrade([samples], FEATURE_PARAMS.sampleRate, aug.old, rand);
  return samples;
}

interface SplitPiece {
  performances: string[];
}

/**
 * The performance MIDI files (paths relative to the ASAP folder) of a split of `splits.json`,
 * round-robin over its pieces, so a run cut short (`--limit`) still covers every piece.
 */
export async function splitPerformances(asap: string, split: string): Promise<string[]> {
  const splits = JSON.parse(await readFile(join(asap, 'splits.json'), 'utf8')) as Record<string, unknown>;
  const pieces = splits[split];
  if (!Array.isArray(pieces)) throw new Error(`splits.json: expected a "${split}" list`);
  const queues = (pieces as SplitPiece[]).map((p) => [...p.performances].sort());
  const perfs: string[] = [];
  for (let r = 0; queues.some((q) => r < q.length); r++)
    for (const q of queues) if (r < q.length) perfs.push(q[r]);
  return perfs;
}

/** Runs `task(0 … count − 1)` with at most `jobs` (≥ 1) at a time. */
export async function runPool(
  count: number,
  jobs: number,
  task: (k: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(repoRoot(), 'models/blocks') },
      split: { type: 'string', default: 'train' },
      limit: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
    },
  });
  const asap = asapDir();
  const out = resolve(values.out);
  const split = values.split;
  const perfs = await splitPerformances(asap, split);
  const todo = perfs.slice(0, values.limit ? Number(values.limit) : perfs.length);
  await mkdir(join(out, split), { recursive: true });
  await mkdir(join(out, 'scores'), { recursive: true });
  const seed = Number(values.seed);
  const started = Date.now();
  let done = 0;
  let skipped = 0;

  const scoreBlocks = async (folder: string): Promise<{ beats: number[] }> => {
    const key = folder.replace(/\//g, '__');
    const jsonPath = join(out, 'scores', `${key}.json`);
    if (existsSync(jsonPath)) return JSON.parse(await readFile(jsonPath, 'utf8')) as { beats: number[] };
    const path = join(asap, folder, 'midi_score.mid');
    const score = parseMidiScore(new Uint8Array(await readFile(path)), path);
    const beats = readAsapTimes(
      await readFile(join(asap, folder, 'midi_score_annotations.txt'), 'utf8'),
      folder,
    );
    const duration = Math.max(score.duration, beats[beats.length - 1] + 1);
    const f = scoreFeatures(score.notes, duration);
    writeFileAtomicSync(join(out, 'scores', `${key}.u8`), blocksOf(f));
    const info = { folder, beats, duration, frames: f.frames };
    writeFileAtomicSync(jsonPath, JSON.stringify(info));
    return info;
  };

  const one = async (k: number, perf: string): Promise<void> => {
    const id = String(k).padStart(4, '0');
    if (existsSync(join(out, split, `${id}.json`))) return;
    const folder = dirname(perf);
    const name = basename(perf, '.mid');
    const perfBeats = readAsapTimes(
      await readFile(join(asap, folder, `${name}_annotations.txt`), 'utf8'),
      perf,
    );
    const score = await scoreBlocks(folder);
    if (!pairBeats(perfBeats, score.beats)) {
      skipped++;
      writeFileAtomicSync(
        join(out, split, `${id}.json`),
        JSON.stringify({ performance: perf, skipped: 'beat counts differ' }),
      );
      return;
    }
    const s = createHash('sha256').update(`${seed}:${perf}`).digest().readUInt32LE(0);
    const rand = rng(s);
    const aug = drawAugmentation(rand);
    const work = join(tmpdir(), `accord-blocks-${process.pid}-${k}`);
    await mkdir(work, { recursive: true });
    let audio: Float32Array;
    try {
      audio = await render(join(asap, perf), aug, work, rand);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const f = audioFeatures(audio);
    writeFileAtomicSync(join(out, split, `${id}.u8`), blocksOf(f));
    writeFileAtomicSync(
      join(out, split, `${id}.json`),
      JSON.stringify({
        performance: perf,
        scoreKey: folder.replace(/\//g, '__'),
        beats: perfBeats.map((t) => t * aug.tempoFactor),
        frames: f.frames,
        tuningCents: f.tuningCents,
        augmentation: aug,
      }),
    );
    done++;
    if (done % 10 === 0)
      console.log(
        `${split}: ${done} rendered, ${skipped} skipped of ${todo.length} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
  };

  await runPool(todo.length, Number(values.jobs), (k) => one(k, todo[k]));
  writeFileAtomicSync(
    join(out, 'info.json'),
    JSON.stringify(
      {
        blockFrames: BLOCK_FRAMES,
        quant: QUANT,
        hopSeconds: HOP_SECONDS,
        featureParams: FEATURE_PARAMS,
        seed,
      },
      null,
      1,
    ),
  );
  console.log(
    `${split}: ${done} rendered, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(0)} s → ${out}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
