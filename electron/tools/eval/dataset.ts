/**
 * Builds the evaluation data set from the ASAP validation split: synthesized performances with
 * beat GT (overall set) and split-join edits of some of them (structure set), plus a manifest in
 * the format `../shared/eval/score.py --manifest` reads.
 *
 *   node dist/node/electron/tools/eval/dataset.js [--out .eval/data] [--limit N] [--corpus DIR]
 *     [--overall N] [--structure N] [--multi N] [--seed N]
 *
 * Idempotent: cases whose files exist are not rebuilt.
 */
import { execFileSync } from 'node:child_process';
import midiPkg from '@tonejs/midi';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { GtRow } from '../../../shared/eval/metric.js';
import { readAsapTimes } from '../../../shared/formats/asap.js';
import {
  EDIT_BEATS,
  applyEditToGt,
  pairBeats,
  planEdit,
  spliceSeconds,
  type Edit,
  type EditKind,
} from './gt.js';
import { readWav, wavDurationSeconds, writeWav16 } from './wav.js';
import {
  CONDITIONS,
  MULTI,
  degrade,
  addDetuneBends,
  BEND_RANGE_CENTS,
  drawOldRecording,
  planMulti,
  type Condition,
  type MultiPlan,
  type OldRecording,
  type TrueJump,
} from './multi.js';
import { asapDir } from '../../engine/repoRoot.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import { seededRandom } from '../../../shared/random.js';

const { Midi } = midiPkg;

/** Seed of every random choice of the data set. */
export const DATASET_SEED = 20261125;
/** Soundfonts cycled through the overall cases. */
export const SOUNDFONTS = [
  '/usr/share/sounds/sf2/FluidR3_GM.sf2',
  '/usr/share/sounds/sf2/TimGM6mb.sf2',
  '/usr/share/sounds/sf3/MuseScore_General_Lite.sf3',
];
/** sox reverb parameters (reverberance %, HF damping %, room scale %); dry and wet mixed at 0 dB. */
export const REVERB_ARGS = ['reverb', '40', '50', '70'];
/** fluidsynth master gain (the output is float and normalised to −1 dBFS afterwards). */
export const SYNTH_GAIN = 0.5;
/** Output sample rate (Hz). */
export const SAMPLE_RATE = 44100;
/** Crossfade at structure-set cuts (s). */
export const CROSSFADE_SECONDS = 0.01;
/** Default number of overall cases (one per validation piece, then a second for some). */
export const OVERALL_CASES = 30;
/** Default number of structure cases. */
export const STRUCTURE_CASES = 12;
/** Default number of multi-operation structure cases (the held-out structure set's image). */
export const MULTI_CASES = 42;
/** Performances longer than this (s) get no second case and feed no structure case. */
const SHORT_PERFORMANCE_SECONDS = 360;

/** One case of the manifest (paths relative to the manifest's folder). */
export interface ManifestCase {
  id: string;
  set: 'overall' | 'structure' | 'multi';
  gt: string;
  audio: string;
  score: string;
  piece: string;
  performer: string;
  soundfont: string;
  reverb: boolean;
  durationSeconds: number;
  nBeats: number;
  /** Files in the corpus (relative to it) the case was made from. */
  source: {
    performanceMidi: string;
    performanceAnnotations: string;
    scoreMidi: string;
    scoreAnnotations: string;
  };
  /** Structure cases: the overall case the audio comes from and the edit. */
  sourceCase?: string;
  edit?: Edit;
  /** Multi cases: recording condition, the operations, the played segments and the true jumps. */
  condition?: Condition;
  old?: OldRecording;
  multi?: Omit<MultiPlan, 'jumps'>;
  jumps?: TrueJump[];
}

/** The manifest written beside the cases. */
export interface Manifest {
  cases: ManifestCase[];
  seed: number;
  corpus: string;
  split: 'validation';
  synthesis: {
    command: string;
    soundfonts: string[];
    gain: number;
    sampleRate: number;
    reverb: string;
    normalise: string;
  };
  structure: { crossfadeSeconds: number; editBeats: Record<EditKind, [number, number]> };
  multi?: typeof MULTI & { conditions: readonly Condition[]; detune: string; oldEffects: string };
  skippedMisaligned: string[];
  droppedUnplayedBeats: number;
}

interface SplitPiece {
  composer: string;
  title: string;
  folders: string[];
  performances: string[];
}

/** Fisher–Yates shuffle of a copy. */
function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

interface Candidate {
  piece: string;
  pieceIndex: number;
  performer: string;
  perfMidi: string;
  perfAnn: string;
  folder: string;
  rows: Required<GtRow>[];
  dropped: number;
  lastBeatSeconds: number;
}

/** The corpus files (relative to it) a case is made from. */
function sourceFiles(c: Candidate): ManifestCase['source'] {
  return {
    performanceMidi: c.perfMidi,
    performanceAnnotations: c.perfAnn,
    scoreMidi: join(c.folder, 'midi_score.mid'),
    scoreAnnotations: join(c.folder, 'midi_score_annotations.txt'),
  };
}

function gtCsv(rows: readonly Required<GtRow>[]): string {
  return (
    ['perf_time,score_time,segment', ...rows.map((r) => `${r.perfTime},${r.scoreTime},${r.segment}`)].join(
      '\n',
    ) + '\n'
  );
}

function headerDuration(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return wavDurationSeconds(buf.subarray(0, n), path);
  } finally {
    closeSync(fd);
  }
}

/** Copies a file and makes the copy writable (corpus files are read-only). */
function copyReadable(from: string, to: string): void {
  copyFileSync(from, to);
  chmodSync(to, 0o644);
}

/** Candidate performances of the validation split, with misaligned ones listed apart. */
function loadCandidates(corpus: string): { byPiece: Candidate[][]; skipped: string[] } {
  const splits = JSON.parse(readFileSync(join(corpus, 'splits.json'), 'utf8')) as {
    validation?: SplitPiece[];
  };
  if (!Array.isArray(splits.validation))
    throw new Error(`${join(corpus, 'splits.json')}: expected a "validation" list`);
  const skipped: string[] = [];
  const byPiece = splits.validation.map((p, pieceIndex) =>
    p.performances.flatMap((perfMidi): Candidate[] => {
      const folder = dirname(perfMidi);
      const perfAnn = perfMidi.replace(/\.mid$/, '_annotations.txt');
      const perfTimes = readAsapTimes(readFileSync(join(corpus, perfAnn), 'utf8'), perfAnn);
      const scoreAnn = join(folder, 'midi_score_annotations.txt');
      const scoreTimes = readAsapTimes(readFileSync(join(corpus, scoreAnn), 'utf8'), scoreAnn);
      if (perfTimes.length !== scoreTimes.length) {
        skipped.push(perfMidi);
        return [];
      }
      const paired = pairBeats(perfTimes, scoreTimes);
      const performer = perfMidi.slice(folder.length + 1).replace(/\.mid$/, '');
      return [
        {
          piece: `${p.composer}/${p.title}`,
          pieceIndex,
          performer,
          perfMidi,
          perfAnn,
          folder,
          rows: paired.rows,
          dropped: paired.droppedBeats,
          lastBeatSeconds: perfTimes[perfTimes.length - 1],
        },
      ];
    }),
  );
  return { byPiece, skipped };
}

/** Seeded choice: one performance per piece, then a second one for short pieces up to `count`. */
function chooseOverall(byPiece: Candidate[][], count: number, rand: () => number): Candidate[] {
  const firsts: Candidate[] = [];
  const seconds: Candidate[] = [];
  byPiece.forEach((cands) => {
    const order = shuffled(cands, rand);
    if (order[0]) firsts.push(order[0]);
    if (
      order[1] &&
      order[0].lastBeatSeconds < SHORT_PERFORMANCE_SECONDS &&
      order[1].lastBeatSeconds < SHORT_PERFORMANCE_SECONDS
    )
      seconds.push(order[1]);
  });
  const extra = shuffled(seconds, rand).slice(0, Math.max(0, count - firsts.length));
  return [...firsts, ...extra]
    .sort((a, b) => a.pieceIndex - b.pieceIndex || a.performer.localeCompare(b.performer))
    .slice(0, count);
}

function run(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** Synthesizes `perfMidi` to `audioPath` (16-bit stereo WAV, normalised, optional reverb and extra sox effects). */
export function synthesize(
  perfMidi: string,
  soundfont: string,
  reverb: boolean,
  audioPath: string,
  effects: string[] = [],
): void {
  const raw = `${audioPath}.synth.wav`;
  const tmp = `${audioPath}.tmp.wav`;
  run('fluidsynth', [
    '-ni',
    '-g',
    String(SYNTH_GAIN),
    '-R',
    '0',
    '-C',
    '0',
    '-O',
    'float',
    '-T',
    'wav',
    '-F',
    raw,
    '-r',
    String(SAMPLE_RATE),
    soundfont,
    perfMidi,
  ]);
  run('sox', ['-V1', raw, '-b', '16', tmp, ...(reverb ? REVERB_ARGS : []), ...effects, 'gain', '-n', '-1']);
  rmSync(raw);
  renameSync(tmp, audioPath);
}

/**
 * The performance MIDI with pitch bend on every channel that plays notes: the detuning of an old
 * recording (`detuneAt`), one bend every 0.25 s over the piece (fluidsynth's default ±2 semitones).
 */
export function detunedMidi(bytes: Uint8Array, old: OldRecording): Uint8Array {
  const midi = new Midi(bytes);
  addDetuneBends(midi, old);
  return midi.toArray();
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '.eval/data' },
      limit: { type: 'string' },
      corpus: { type: 'string' },
      overall: { type: 'string', default: String(OVERALL_CASES) },
      structure: { type: 'string', default: String(STRUCTURE_CASES) },
      multi: { type: 'string', default: String(MULTI_CASES) },
      seed: { type: 'string', default: String(DATASET_SEED) },
    },
  });
  // Another seed draws other performances, cuts and conditions: a second set built the same way,
  // to check that a change tuned on the first holds on data it was not tuned on.
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got "${values.seed}"`);
  const started = Date.now();
  const corpus = resolve(values.corpus ?? asapDir());
  const outDir = resolve(values.out);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit >= 0)) throw new Error(`--limit: expected a number ≥ 0, got "${values.limit}"`);
  mkdirSync(join(outDir, 'cases'), { recursive: true });

  const { byPiece, skipped } = loadCandidates(corpus);
  const rand = seededRandom(seed);
  const overall = chooseOverall(byPiece, Number(values.overall), rand);
  const cases: ManifestCase[] = [];
  const built = new Map<string, ManifestCase>();

  const buildOverall = (c: Candidate, i: number): ManifestCase => {
    const id = `ov${String(i + 1).padStart(2, '0')}`;
    const done = built.get(id);
    if (done) return done;
    const dir = join(outDir, 'cases', id);
    mkdirSync(dir, { recursive: true });
    const soundfont = SOUNDFONTS[i % SOUNDFONTS.length];
    const reverb = i % 2 === 1;
    const audio = join(dir, 'audio.wav');
    if (!existsSync(audio)) {
      const t0 = Date.now();
      synthesize(join(corpus, c.perfMidi), soundfont, reverb, audio);
      console.log(
        `${id} ${c.piece} ${c.performer}: synthesized in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    const score = join(dir, 'score.mid');
    if (!existsSync(score)) copyReadable(join(corpus, c.folder, 'midi_score.mid'), score);
    const gt = join(dir, 'gt.csv');
    if (!existsSync(gt)) writeFileAtomicSync(gt, gtCsv(c.rows));
    const mc: ManifestCase = {
      id,
      set: 'overall',
      gt: relative(outDir, gt),
      audio: relative(outDir, audio),
      score: relative(outDir, score),
      piece: c.piece,
      performer: c.performer,
      soundfont: soundfont.split('/').pop() as string,
      reverb,
      durationSeconds: headerDuration(audio),
      nBeats: c.rows.length,
      source: sourceFiles(c),
    };
    built.set(id, mc);
    return mc;
  };

  const buildMulti = (c: Candidate, k: number, id: string): ManifestCase => {
    const dir = join(outDir, 'cases', id);
    mkdirSync(dir, { recursive: true });
    const rand = seededRandom(seed + 1000 + k);
    const soundfont = SOUNDFONTS[k % SOUNDFONTS.length];
    const condition = CONDITIONS[Math.floor(k / SOUNDFONTS.length) % CONDITIONS.length];
    const old = condition === 'old' ? drawOldRecording(rand) : undefined;
    const source = join(dir, 'source.wav');
    if (!existsSync(join(dir, 'audio.wav')) && !existsSync(source)) {
      let midiPath = join(corpus, c.perfMidi);
      if (old) {
        midiPath = join(dir, 'detuned.mid');
        writeFileAtomicSync(midiPath, detunedMidi(readFileSync(join(corpus, c.perfMidi)), old));
      }
      const effects = old ? ['highpass', String(old.highpassHz), 'lowpass', String(old.lowpassHz)] : [];
      synthesize(midiPath, soundfont, condition === 'room', source, effects);
    }
    const durationSeconds = existsSync(source) ? headerDuration(source) : c.lastBeatSeconds + 2;
    const plan = planMulti(c.rows, durationSeconds, rand);
    const audio = join(dir, 'audio.wav');
    if (!existsSync(audio)) {
      const pcm = readWav(source);
      const channels = spliceSeconds(pcm, plan.pieces, MULTI.crossfadeSeconds);
      if (old) degrade(channels, pcm.sampleRate, old, rand);
      const tmp = `${audio}.tmp.wav`;
      writeWav16(tmp, { sampleRate: pcm.sampleRate, channels });
      renameSync(tmp, audio);
      rmSync(source);
      rmSync(join(dir, 'detuned.mid'), { force: true });
      console.log(
        `${id} ${condition} ${soundfont.split('/').pop()} ${plan.ops.join('+')} (${plan.jumps.length} jumps, ${plan.outputSeconds.toFixed(0)} s) from ${c.piece} ${c.performer}`,
      );
    }
    const rows = applyEditToGt(c.rows, plan.pieces);
    const score = join(dir, 'score.mid');
    if (!existsSync(score)) copyReadable(join(corpus, c.folder, 'midi_score.mid'), score);
    const gt = join(dir, 'gt.csv');
    if (!existsSync(gt)) writeFileAtomicSync(gt, gtCsv(rows));
    const { jumps, ...rest } = plan;
    return {
      id,
      set: 'multi',
      gt: relative(outDir, gt),
      audio: relative(outDir, audio),
      score: relative(outDir, score),
      piece: c.piece,
      performer: c.performer,
      soundfont: soundfont.split('/').pop() as string,
      reverb: condition === 'room',
      durationSeconds: headerDuration(audio),
      nBeats: rows.length,
      source: sourceFiles(c),
      condition,
      ...(old ? { old } : {}),
      multi: rest,
      jumps,
    };
  };

  overall.slice(0, limit).forEach((c, i) => cases.push(buildOverall(c, i)));

  const kinds: EditKind[] = ['repeat', 'skip', 'jumpback'];
  const structRand = seededRandom(seed + 1);
  const shortOnes = shuffled(
    overall.map((c, i) => ({ c, i })).filter(({ c }) => c.lastBeatSeconds < SHORT_PERFORMANCE_SECONDS),
    structRand,
  );
  // Distinct pieces first, in the shuffled order; repeats of a piece only if more are asked for.
  const firstOfPiece = shortOnes.filter(
    ({ c }, k) => shortOnes.findIndex((o) => o.c.piece === c.piece) === k,
  );
  const sources = [...firstOfPiece, ...shortOnes.filter((o) => !firstOfPiece.includes(o))];
  const nStructure = Math.min(Number(values.structure), limit, sources.length);
  for (let k = 0; k < nStructure; k++) {
    const { c, i } = sources[k];
    const src = buildOverall(c, i);
    const kind = kinds[k % kinds.length];
    const id = `st${String(k + 1).padStart(2, '0')}`;
    const dir = join(outDir, 'cases', id);
    mkdirSync(dir, { recursive: true });
    const edit = planEdit(kind, c.rows, src.durationSeconds, seededRandom(seed + 100 + k));
    const rows = applyEditToGt(c.rows, edit.pieces);
    const audio = join(dir, 'audio.wav');
    if (!existsSync(audio)) {
      const pcm = readWav(join(outDir, src.audio));
      const tmp = `${audio}.tmp.wav`;
      writeWav16(tmp, {
        sampleRate: pcm.sampleRate,
        channels: spliceSeconds(pcm, edit.pieces, CROSSFADE_SECONDS),
      });
      renameSync(tmp, audio);
      console.log(`${id} ${kind} from ${src.id} (${c.piece} ${c.performer})`);
    }
    const score = join(dir, 'score.mid');
    if (!existsSync(score)) copyReadable(join(corpus, c.folder, 'midi_score.mid'), score);
    const gt = join(dir, 'gt.csv');
    if (!existsSync(gt)) writeFileAtomicSync(gt, gtCsv(rows));
    cases.push({
      ...src,
      id,
      set: 'structure',
      gt: relative(outDir, gt),
      audio: relative(outDir, audio),
      score: relative(outDir, score),
      durationSeconds: headerDuration(audio),
      nBeats: rows.length,
      sourceCase: src.id,
      edit,
    });
  }

  // Multi-operation structure set: two performances of every validation piece in turn.
  const multiRand = seededRandom(seed + 2);
  const usable = byPiece.map((cands) =>
    shuffled(
      cands.filter((c) => c.rows.length >= MULTI.minSegments * MULTI.minSegmentBeats * 2),
      multiRand,
    ),
  );
  const nMulti = Math.min(Number(values.multi), limit);
  let taken = 0;
  for (let round = 0; taken < nMulti && round < 8; round++) {
    for (let pi = 0; pi < usable.length && taken < nMulti; pi++) {
      const c = usable[pi][round % Math.max(1, usable[pi].length)];
      if (!c) continue;
      const k = taken++;
      const id = `mu${String(k + 1).padStart(2, '0')}`;
      cases.push(buildMulti(c, k, id));
    }
  }

  const manifest: Manifest = {
    cases,
    seed,
    corpus: relative(outDir, corpus),
    split: 'validation',
    synthesis: {
      command: `fluidsynth -ni -g ${SYNTH_GAIN} -R 0 -C 0 -O float -T wav -F raw.wav -r ${SAMPLE_RATE} <soundfont> <performance.mid>`,
      soundfonts: SOUNDFONTS,
      gain: SYNTH_GAIN,
      sampleRate: SAMPLE_RATE,
      reverb: `sox raw.wav -b 16 audio.wav ${REVERB_ARGS.join(' ')} gain -n -1 (odd-numbered cases; dry and wet mixed, wet gain 0 dB)`,
      normalise: 'sox gain -n -1 (peak −1 dBFS), 16-bit',
    },
    structure: { crossfadeSeconds: CROSSFADE_SECONDS, editBeats: EDIT_BEATS },
    multi: {
      ...MULTI,
      conditions: CONDITIONS,
      detune: `old recordings: MIDI pitch bend every 0.25 s (range ±${BEND_RANGE_CENTS} cents), base ±15–40 cents with a slow ±5–15 cent drift, within ±40`,
      oldEffects:
        'old recordings: sox highpass 80–250 Hz + lowpass 2.8–6 kHz, then pinkish noise at 18–28 dB SNR, 50/60 Hz hum with 2 harmonics 20–32 dB below, 0.5–3.5 clicks/s, −1 dBFS',
    },
    skippedMisaligned: skipped,
    droppedUnplayedBeats: overall.reduce((a, c) => a + c.dropped, 0),
  };
  writeFileAtomicSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  const minutes = (set: string): number =>
    cases.filter((c) => c.set === set).reduce((a, c) => a + c.durationSeconds, 0) / 60;
  console.log(
    `manifest: ${cases.filter((c) => c.set === 'overall').length} overall (${minutes('overall').toFixed(1)} min), ` +
      `${cases.filter((c) => c.set === 'structure').length} structure (${minutes('structure').toFixed(1)} min), ` +
      `${cases.filter((c) => c.set === 'multi').length} multi (${minutes('multi').toFixed(1)} min); ` +
      `${skipped.length} validation performances skipped (beat counts differ from the score); ` +
      `built in ${((Date.now() - started) / 1000).toFixed(0)} s → ${join(outDir, 'manifest.json')}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
