/**
 * Training data for the note network (`models/notes`): excerpts of a split's performances,
 * each rendered once with a drawn timbre and recording condition, stored as the network's input
 * (the compressed tuned pitch energy every audio feature starts from, `tunedPitchEnergy`) and
 * the exact notes that sounded (from the performance MIDI, the sustain pedal extending them).
 *
 *   node dist/node/electron/tools/training/dumpNotes.js [--out models/notes-data] [--split train]
 *        [--seconds 40] [--per 1] [--limit N] [--jobs 2] [--seed 1] [--timbres wide|structure]
 *
 * `--timbres structure` (the default, the shipped model's data) draws the timbre as the
 * structure dump does: the piano in 65 % of the excerpts, `OTHER_PROGRAMS` otherwise. `wide`
 * draws the piano in half of them and `WIDE_PROGRAMS` otherwise (tried 2026-12-07,
 * models/notes/README.md, "Wider timbres": not shipped).
 *
 * Per excerpt `<out>/<split>/<k>.u8` holds [frames × 88] uint8, round(log1p(η·E) × INPUT_QUANT),
 * and `<k>.json` its notes ([pitch, onset s, end s (pedal-extended), velocity 0..1]) and
 * augmentation. Resumable: an excerpt whose json exists is skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pkg from '@tonejs/midi';
import { compressPitchEnergy, tunedPitchEnergy } from '../../../shared/dsp/features.js';
import { FEATURE_PARAMS, HOP_SECONDS, NUM_PITCHES } from '../../../shared/dsp/params.js';
import { seededRandom as rng } from '../../../shared/random.js';
import { asapDir, repoRoot } from '../../engine/repoRoot.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import { OTHER_PROGRAMS, drawAugmentation, renderMidi, runPool, splitPerformances } from './dumpFeatures.js';

const { Midi } = pkg;

/** Compressed pitch energy log1p(η·E) (≤ log1p(η) ≈ 9.2 for a full-scale sine) is stored × this as uint8. */
export const INPUT_QUANT = 25;

/**
 * The General-MIDI programs of `--timbres wide` besides the piano: the structure dump's
 * (`OTHER_PROGRAMS`) and more whose notes swell, hold or buzz (organs, harmonica, bowed and synth
 * strings, voices, brass, reeds, pipes, leads, pads), bells and plucked ones. Two programs are
 * held out so that the timbre probes keep one unseen timbre each (docs/EVALUATION.md): 3, the
 * honky-tonk piano of the conditions probe, and 89, the warm pad of the sustained timbres.
 */
export const WIDE_PROGRAMS = [
  ...new Set([
    ...OTHER_PROGRAMS,
    ...[9, 10, 13, 14, 15, 17, 18, 20, 22, 23, 27, 44, 45, 50, 51, 53, 54, 57, 58, 60, 65, 66, 69, 70],
    ...[72, 74, 75, 79, 80, 81, 88, 90, 91, 92, 94, 95, 105, 108],
  ]),
].filter((p) => p !== 3 && p !== 89);

/** The piano's share of the excerpts with `--timbres wide` (with `structure`: 0.65). */
const WIDE_PIANO_SHARE = 0.5;

/** A program of `--timbres wide`: the piano (0) in `WIDE_PIANO_SHARE` of the draws, else one of `WIDE_PROGRAMS`. */
function drawWideProgram(rand: () => number): number {
  return rand() < WIDE_PIANO_SHARE ? 0 : WIDE_PROGRAMS[Math.floor(rand() * WIDE_PROGRAMS.length)];
}

/** A sounding note: MIDI pitch, onset and end (s, the pedal extending it), velocity 0..1. */
export type SoundingNote = [pitch: number, onset: number, end: number, velocity: number];

/** A note as @tonejs/midi gives it. */
interface MidiNote {
  midi: number;
  time: number;
  duration: number;
  velocity: number;
}

/**
 * The notes of one excerpt [start, start + seconds) of a performance, times relative to `start`:
 * notes that begin inside it, each sounding until its key is released or, with the sustain
 * pedal (CC64 ≥ 64) down at that moment, until the pedal is released, and never past the next
 * onset of the same pitch. `pedal` is the list of (time, down) changes in file order.
 */
export function soundingNotes(
  notes: readonly MidiNote[],
  pedal: readonly { time: number; down: boolean }[],
  start: number,
  seconds: number,
): SoundingNote[] {
  const pedalUpAfter = (t: number): number => {
    let k = 0;
    while (k < pedal.length && pedal[k].time <= t) k++;
    if (k === 0 || !pedal[k - 1].down) return t;
    while (k < pedal.length && pedal[k].down) k++;
    return k < pedal.length ? pedal[k].time : Infinity;
  };
  const sorted = [...notes].sort((a, b) => a.time - b.time || a.midi - b.midi);
  const nextSame = new Map<number, number>();
  const ends = new Array<number>(sorted.length);
  for (let k = sorted.length - 1; k >= 0; k--) {
    const n = sorted[k];
    const off = n.time + n.duration;
    const held = Math.max(off, pedalUpAfter(off));
    ends[k] = Math.min(held, nextSame.get(n.midi) ?? Infinity);
    nextSame.set(n.midi, n.time);
  }
  const out: SoundingNote[] = [];
  for (const [k, n] of sorted.entries()) {
    if (n.time < start || n.time >= start + seconds) continue;
    if (n.midi < FEATURE_PARAMS.minPitch || n.midi > FEATURE_PARAMS.maxPitch) continue;
    const end = Math.min(ends[k], start + seconds + 5);
    out.push([n.midi, +(n.time - start).toFixed(4), +(end - start).toFixed(4), +n.velocity.toFixed(3)]);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(repoRoot(), 'models/notes-data') },
      split: { type: 'string', default: 'train' },
      seconds: { type: 'string', default: '40' },
      per: { type: 'string', default: '1' },
      limit: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      timbres: { type: 'string', default: 'structure' },
    },
  });
  if (values.timbres !== 'wide' && values.timbres !== 'structure')
    throw new Error(`--timbres: expected "wide" or "structure", got "${values.timbres}"`);
  const wide = values.timbres === 'wide';
  const asap = asapDir();
  const out = resolve(values.out);
  const split = values.split;
  const seconds = Number(values.seconds);
  const per = Number(values.per);
  const perfs = await splitPerformances(asap, split);
  const jobs: { id: string; perf: string; rep: number }[] = [];
  for (let rep = 0; rep < per; rep++)
    for (const [k, perf] of perfs.entries())
      jobs.push({ id: `${String(k).padStart(4, '0')}-${rep}`, perf, rep });
  const todo = jobs.slice(0, values.limit ? Number(values.limit) : jobs.length);
  await mkdir(join(out, split), { recursive: true });
  const seed = Number(values.seed);
  const started = Date.now();
  let done = 0;

  const one = async ({ id, perf, rep }: (typeof jobs)[number]): Promise<void> => {
    if (existsSync(join(out, split, `${id}.json`))) return;
    const s = createHash('sha256').update(`notes:${seed}:${rep}:${perf}`).digest().readUInt32LE(0);
    const rand = rng(s);
    const drawn = drawAugmentation(rand);
    const aug = {
      ...drawn,
      program: wide ? drawWideProgram(rand) : drawn.program,
      // Tone shelves on every rendering: microphones and rooms colour the timbre.
      bassDb: -8 + 14 * rand(),
      trebleDb: -10 + 14 * rand(),
    };
    const src = new Midi(await readFile(join(asap, perf)));
    for (const t of src.header.tempos) t.bpm /= aug.tempoFactor;
    src.header.update();
    const notes: MidiNote[] = [];
    const pedal: { time: number; down: boolean }[] = [];
    for (const track of src.tracks) {
      for (const n of track.notes) notes.push(n);
      for (const c of track.controlChanges[64] ?? []) pedal.push({ time: c.time, down: c.value >= 0.5 });
    }
    pedal.sort((a, b) => a.time - b.time);
    const duration = Math.max(0, ...notes.map((n) => n.time + n.duration));
    const start = rand() * Math.max(0, duration - seconds);
    const sounding = soundingNotes(notes, pedal, start, seconds);
    // The excerpt as its own file: its notes, and the pedal state from its start.
    const ex = new Midi();
    const track = ex.addTrack();
    let downAtStart = false;
    for (const p of pedal) if (p.time <= start) downAtStart = p.down;
    track.addCC({ number: 64, value: downAtStart ? 1 : 0, time: 0 });
    for (const p of pedal)
      if (p.time > start && p.time < start + seconds + 5)
        track.addCC({ number: 64, value: p.down ? 1 : 0, time: p.time - start });
    for (const n of notes) {
      if (n.time < start || n.time >= start + seconds) continue;
      track.addNote({ midi: n.midi, time: n.time - start, duration: n.duration, velocity: n.velocity });
    }
    const work = join(tmpdir(), `accord-notes-${process.pid}-${id}`);
    await mkdir(work, { recursive: true });
    let audio: Float32Array;
    try {
      audio = await renderMidi(ex, aug, work, rand);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const frames = Math.min(
      Math.ceil(seconds / HOP_SECONDS) + 1,
      Math.floor(audio.length / FEATURE_PARAMS.hopLength) + 1,
    );
    const { pe, tuningCents } = tunedPitchEnergy(
      audio.subarray(0, (frames - 1) * FEATURE_PARAMS.hopLength + 1),
    );
    const x = compressPitchEnergy(pe);
    const u8 = new Uint8Array(pe.frames * NUM_PITCHES);
    for (let i = 0; i < u8.length; i++) u8[i] = Math.min(255, Math.round(x[i] * INPUT_QUANT));
    writeFileAtomicSync(join(out, split, `${id}.u8`), u8);
    writeFileAtomicSync(
      join(out, split, `${id}.json`),
      JSON.stringify({
        performance: perf,
        start: +start.toFixed(3),
        frames: pe.frames,
        tuningCents,
        augmentation: aug,
        notes: sounding,
      }),
    );
    done++;
    if (done % 20 === 0)
      console.log(
        `${split}: ${done} of ${todo.length} excerpts in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
  };

  await runPool(todo.length, Number(values.jobs), (k) => one(todo[k]));
  writeFileAtomicSync(
    join(out, 'info.json'),
    JSON.stringify(
      {
        inputQuant: INPUT_QUANT,
        hopSeconds: HOP_SECONDS,
        featureParams: FEATURE_PARAMS,
        seconds,
        seed,
        timbres: values.timbres,
      },
      null,
      1,
    ),
  );
  console.log(`${split}: ${done} excerpts in ${((Date.now() - started) / 1000).toFixed(0)} s → ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
