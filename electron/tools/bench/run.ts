/**
 * `npm run bench`: end-to-end engine timing per stage and peak memory for a 5-minute and a
 * 60-minute recording, synthesized (fluidsynth) from the bundled public-domain sample played
 * over and over with a drifting tempo; the command line as a user runs it (`node bin/accord.js
 * align`, default method, process start included, with and without the huge-page relaunch); then the editor's re-alignment latency and
 * export times (`edit.js`), the re-alignment after a local edit through the app's job system on
 * the longest recording (`editJobs.js`) and the editor's first paint and pan/zoom frame rate in
 * Chromium (`e2e/bench.ts`).
 * Prints each and writes `.cache/bench/results.json`.
 *   node dist/node/electron/tools/bench/run.js [--sizes 5,60] [--methods auto,dtw,jump] [--audio wav,flac] [--skip-editor]
 * `--audio flac` aligns a FLAC of the same performance (sox), the compressed path's memory.
 * Recordings up to 10 minutes also get the align stage alone, 5 times per coarse resolution of
 * the jump search (`alignStage.js`, median and least wall and CPU time).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pkg from '@tonejs/midi';
import { repoRoot } from '../../engine/repoRoot.js';

const { Midi } = pkg;
const root = repoRoot();
const cacheDir = path.join(root, '.cache/bench');
const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';

/** Writes score and performance MIDI of `minutes` length by looping the sample score. */
function makeLongPiece(minutes: number): { score: string; perf: string } {
  const score = path.join(cacheDir, `score-${minutes}min.mid`);
  const perf = path.join(cacheDir, `perf-${minutes}min.mid`);
  if (existsSync(score) && existsSync(perf)) return { score, perf };
  const src = new Midi(readFileSync(path.join(root, 'resources/sample/score.mid')));
  const notes = src.tracks.flatMap((t) =>
    t.notes.map((n) => ({ midi: n.midi, time: n.time, duration: n.duration, velocity: n.velocity })),
  );
  const pieceLen = Math.max(...notes.map((n) => n.time + n.duration)) + 0.5;
  const loops = Math.ceil((minutes * 60) / pieceLen);
  const out = new Midi();
  const perfOut = new Midi();
  const st = out.addTrack();
  const pt = perfOut.addTrack();
  // Performance time: a slow tempo drift (±12 %) integrated over score time.
  const warp = (s: number): number =>
    s + 0.12 * ((minutes * 60) / (2 * Math.PI * 7)) * Math.sin((2 * Math.PI * 7 * s) / (minutes * 60));
  for (let k = 0; k < loops; k++) {
    for (const n of notes) {
      const s = k * pieceLen + n.time;
      if (s > minutes * 60) continue;
      st.addNote({ midi: n.midi, time: s, duration: n.duration, velocity: n.velocity });
      const p0 = warp(s);
      pt.addNote({
        midi: n.midi,
        time: p0,
        duration: Math.max(0.05, warp(s + n.duration) - p0),
        velocity: n.velocity,
      });
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(score, out.toArray());
  writeFileSync(perf, perfOut.toArray());
  return { score, perf };
}

function synth(perfMidi: string, minutes: number): string {
  const wav = path.join(cacheDir, `perf-${minutes}min.wav`);
  if (!existsSync(wav))
    execFileSync('fluidsynth', ['-ni', '-g', '0.7', '-F', wav, '-r', '44100', SOUNDFONT, perfMidi], {
      stdio: 'ignore',
    });
  return wav;
}

/** The performance as FLAC (sox), beside the WAV. */
function toFlac(wav: string): string {
  const flac = wav.replace(/\.wav$/, '.flac');
  if (!existsSync(flac)) execFileSync('sox', [wav, flac], { stdio: 'ignore' });
  return flac;
}

interface EngineRun {
  method: string;
  audioSeconds: number;
  totalMs: number;
  timings: Record<string, number>;
  peakRssMB: number;
}

/** The last JSON object printed by a benchmark (whole output, or its last line). */
function lastJson(out: string): unknown {
  const t = out.trim();
  try {
    return JSON.parse(t);
  } catch {
    const start = t.lastIndexOf('\n{');
    return JSON.parse(start >= 0 ? t.slice(start + 1) : t);
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      methods: { type: 'string' },
      audio: { type: 'string' },
      'skip-editor': { type: 'boolean' },
    },
  });
  const formats = (values.audio ?? 'wav').split(',');
  for (const f of formats)
    if (f !== 'wav' && f !== 'flac') throw new Error(`--audio: expected wav or flac, found '${f}'`);
  const sizes = (values.sizes ?? '5,60').split(',').map(Number);
  const methods = (values.methods ?? 'auto,dtw,jump').split(',');
  const runs: (EngineRun & { minutes: number; audio: string })[] = [];
  const cli: { minutes: number; audio: string; hugePages: boolean; wallMs: number; loadAverage1m: number }[] =
    [];
  const alignStage: unknown[] = [];
  for (const minutes of sizes) {
    const { score, perf } = makeLongPiece(minutes);
    const wav = synth(perf, minutes);
    for (const [format, method] of formats.flatMap((f) => methods.map((m) => [f, m] as const))) {
      const audio = format === 'flac' ? toFlac(wav) : wav;
      const out = execFileSync(
        process.execPath,
        [path.join(root, 'dist/node/electron/tools/bench/engine.js'), audio, score, method],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      const run = JSON.parse(out.trim().split('\n').pop()!) as EngineRun;
      runs.push({ minutes, audio: format, ...run });
      const t = run.timings;
      process.stdout.write(
        `${String(minutes).padStart(3)} min  ${format.padEnd(4)} ${method.padEnd(6)} total ${(run.totalMs / 1000).toFixed(2).padStart(7)} s  ` +
          `decode ${(t.decode / 1000).toFixed(2)}  score ${(t.score / 1000).toFixed(2)}  features ${(t.features / 1000).toFixed(2)}  ` +
          `align ${(t.align / 1000).toFixed(2)}  peak ${run.peakRssMB.toFixed(0)} MB\n`,
      );
    }
    if (minutes <= 10) {
      const stage = lastJson(
        execFileSync(
          process.execPath,
          [path.join(root, 'dist/node/electron/tools/bench/alignStage.js'), wav, score, '--trials', '5'],
          { encoding: 'utf8', maxBuffer: 1 << 24 },
        ),
      );
      alignStage.push({ minutes, ...(stage as object) });
      process.stdout.write(
        `${String(minutes).padStart(3)} min  align stage alone (auto, per coarse resolution): ${JSON.stringify(stage)}\n`,
      );
    }
    for (const format of formats) {
      const audio = format === 'flac' ? toFlac(wav) : wav;
      const out = path.join(cacheDir, 'cli-out.csv');
      // As a user runs it (on Linux relaunched with huge-page allocations), and without them.
      for (const hugePages of [true, false]) {
        const loadAverage1m = loadavg()[0];
        const t0 = performance.now();
        execFileSync(process.execPath, [path.join(root, 'bin/accord.js'), 'align', audio, score, '-o', out], {
          stdio: 'ignore',
          env: hugePages ? process.env : { ...process.env, ACCORD_HUGE_PAGES: '0' },
        });
        const wallMs = performance.now() - t0;
        cli.push({ minutes, audio: format, hugePages, wallMs, loadAverage1m });
        process.stdout.write(
          `${String(minutes).padStart(3)} min  ${format.padEnd(4)} cli    total ${(wallMs / 1000).toFixed(2).padStart(7)} s  ` +
            `(node bin/accord.js align, auto, process start included${hugePages ? '' : ', ACCORD_HUGE_PAGES=0'}; load average ${loadAverage1m.toFixed(1)})\n`,
        );
      }
    }
  }
  let edit: unknown = null;
  let editJobs: unknown = null;
  let editor: unknown = null;
  if (!values['skip-editor']) {
    edit = lastJson(
      execFileSync(process.execPath, [path.join(root, 'dist/node/electron/tools/bench/edit.js')], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      }),
    );
    process.stdout.write(`editor re-alignment and exports: ${JSON.stringify(edit)}\n`);
    editJobs = lastJson(
      execFileSync(
        process.execPath,
        [
          path.join(root, 'dist/node/electron/tools/bench/editJobs.js'),
          '--minutes',
          String(Math.max(...sizes)),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      ),
    );
    process.stdout.write(`re-alignment after a local edit (job, edit worker): ${JSON.stringify(editJobs)}\n`);
    editor = lastJson(
      execFileSync(
        path.join(root, 'node_modules/.bin/jiti'),
        [path.join(root, 'e2e/bench.ts'), '--minutes', '60'],
        {
          cwd: root,
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      ),
    );
    process.stdout.write(`editor in Chromium: ${JSON.stringify(editor)}\n`);
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(
    path.join(cacheDir, 'results.json'),
    JSON.stringify(
      { date: new Date().toISOString(), runs, alignStage, cli, edit, editJobs, editor },
      null,
      1,
    ),
  );
}

main();
