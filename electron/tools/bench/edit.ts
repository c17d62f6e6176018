/**
 * Editor latency benchmark: `realignLocal` for anchor edits and jump inserts, `realignAll`, and
 * every export format, on a 5-minute recording (the lead's `.cache/bench/perf-5min.wav` +
 * `score-5min.mid` when `bench/run.ts` made them, else the sample performance MIDI looped and
 * synthesized with fluidsynth). Prints one JSON object: median / p95 wall and CPU milliseconds.
 *   node dist/node/electron/tools/bench/edit.js [--trials 25] [--seed 1]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pkg from '@tonejs/midi';
import { repoRoot } from '../../engine/repoRoot.js';
import { decodeAudioFile } from '../../engine/audio.js';
import { loadScore } from '../../engine/score.js';
import { alignDtw } from '../../../shared/align/dtw.js';
import { xorshift32 } from '../../../shared/random.js';
import { audioFeatures, scoreFeatures } from '../../../shared/dsp/features.js';
import { exportAlignment, EXPORT_FORMATS } from '../../../shared/formats/index.js';
import type { ExportFormat } from '../../../shared/formats/index.js';
import { scoreTimeAt } from '../../../shared/path.js';
import type { AlignmentPath } from '../../../shared/path.js';
import { realignAll, realignLocal } from '../../../shared/edit/realign.js';
import type { Corrections, EditSpan } from '../../../shared/edit/index.js';

const { Midi } = pkg;
const root = repoRoot();
const cacheDir = path.join(root, '.cache/bench');
const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const MINUTES = 5;

/** The 5-minute recording and score: the lead's bench files, or the sample performance and score MIDI looped side by side. */
function inputs(): { wav: string; score: string } {
  const leadWav = path.join(cacheDir, `perf-${MINUTES}min.wav`);
  const leadScore = path.join(cacheDir, `score-${MINUTES}min.mid`);
  if (existsSync(leadWav) && existsSync(leadScore)) return { wav: leadWav, score: leadScore };
  const wav = path.join(cacheDir, `edit-perf-${MINUTES}min.wav`);
  const score = path.join(cacheDir, `edit-score-${MINUTES}min.mid`);
  if (existsSync(wav) && existsSync(score)) return { wav, score };
  mkdirSync(cacheDir, { recursive: true });
  const notesOf = (file: string): { midi: number; time: number; duration: number; velocity: number }[] =>
    new Midi(readFileSync(path.join(root, file))).tracks.flatMap((t) =>
      t.notes.map((n) => ({ midi: n.midi, time: n.time, duration: n.duration, velocity: n.velocity })),
    );
  const perfNotes = notesOf('resources/sample/performance.mid');
  const scoreNotes = notesOf('resources/sample/score.mid');
  const len = (ns: typeof perfNotes): number => Math.max(...ns.map((n) => n.time + n.duration)) + 0.5;
  const perfLen = len(perfNotes);
  const scoreLen = len(scoreNotes);
  const loops = Math.ceil((MINUTES * 60) / perfLen);
  const perfMidi = new Midi();
  const scoreMidi = new Midi();
  const pt = perfMidi.addTrack();
  const st = scoreMidi.addTrack();
  for (let k = 0; k < loops; k++) {
    for (const n of perfNotes)
      if (k * perfLen + n.time < MINUTES * 60) pt.addNote({ ...n, time: k * perfLen + n.time });
    for (const n of scoreNotes) st.addNote({ ...n, time: k * scoreLen + n.time });
  }
  const perfMid = path.join(cacheDir, `edit-perf-${MINUTES}min.mid`);
  writeFileSync(perfMid, perfMidi.toArray());
  writeFileSync(score, scoreMidi.toArray());
  execFileSync('fluidsynth', ['-ni', '-g', '0.7', '-F', wav, '-r', '44100', SOUNDFONT, perfMid], {
    stdio: 'ignore',
  });
  return { wav, score };
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timed<T>(fn: () => T): { value: T } & Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

function summary(ts: Timing[]): {
  n: number;
  wallMedianMs: number;
  wallP95Ms: number;
  cpuMedianMs: number;
  cpuP95Ms: number;
} {
  const q = (xs: number[], p: number): number => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
  };
  const w = ts.map((t) => t.wallMs);
  const c = ts.map((t) => t.cpuMs);
  return {
    n: ts.length,
    wallMedianMs: q(w, 0.5),
    wallP95Ms: q(w, 0.95),
    cpuMedianMs: q(c, 0.5),
    cpuP95Ms: q(c, 0.95),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { trials: { type: 'string' }, seed: { type: 'string' } } });
  const trials = Number(values.trials ?? 25);
  const rnd = xorshift32(Number(values.seed ?? 1));
  const files = inputs();
  const audio = await decodeAudioFile(files.wav);
  const loaded = await loadScore(files.score);
  const perf = audioFeatures(audio.samples);
  const score = scoreFeatures(loaded.score.notes, loaded.score.duration);
  const base = timed(() => alignDtw(perf, score));
  const path0: AlignmentPath = base.value;
  const duration = perf.frames * perf.hopSeconds;

  // Anchors every 20–60 s, each off the automatic path by up to ±0.3 s (so every stretch changes).
  const corrections: Corrections = { anchors: [], jumps: [], regions: [] };
  for (let t = 10 + rnd() * 20; t < duration - 10; t += 20 + rnd() * 40) {
    corrections.anchors.push({
      id: `a${corrections.anchors.length}`,
      perfTime: t,
      scoreTime: scoreTimeAt(path0, t) + (rnd() - 0.5) * 0.6,
      source: 'drag',
    });
  }
  const withAnchors = timed(() => realignAll(perf, score, path0, corrections, loaded.score.jumpPoints));
  const path1 = withAnchors.value;

  const anchorEdits: Timing[] = [];
  // Anchors 20 s behind the path: each implies a jump, placed by the cut search.
  const jumpAnchors: Timing[] = [];
  const jumpInserts: Timing[] = [];
  const stretchSeconds: number[] = [];
  for (let k = 0; k < trials; k++) {
    const i = Math.floor(rnd() * (corrections.anchors.length - 1));
    const lo = corrections.anchors[i].perfTime;
    const hi = corrections.anchors[i + 1].perfTime;
    const t = lo + (0.2 + 0.6 * rnd()) * (hi - lo);
    stretchSeconds.push(hi - lo);
    const edit: EditSpan = { perfTime: t };
    const withAnchor: Corrections = {
      ...corrections,
      anchors: [
        ...corrections.anchors,
        { id: `n${k}`, perfTime: t, scoreTime: scoreTimeAt(path1, t) + 0.25, source: 'drag' },
      ],
    };
    anchorEdits.push(timed(() => realignLocal(perf, score, path1, withAnchor, edit)));
    const behind: Corrections = {
      ...corrections,
      anchors: [
        ...corrections.anchors,
        { id: `b${k}`, perfTime: t, scoreTime: Math.max(0, scoreTimeAt(path1, t) - 20), source: 'drag' },
      ],
    };
    jumpAnchors.push(timed(() => realignLocal(perf, score, path1, behind, edit)));
    const withJump: Corrections = {
      ...corrections,
      jumps: [{ id: `j${k}`, perfTime: t, toScoreTime: scoreTimeAt(path1, t) + 0.5 }],
    };
    jumpInserts.push(
      timed(() =>
        realignLocal(perf, score, path1, withJump, edit, { jumpPointsSeconds: loaded.score.jumpPoints }),
      ),
    );
  }
  // The first anchor of a project: no neighbours, so both sides up to the recording's ends are re-aligned.
  const firstAnchor: Timing[] = [];
  for (let k = 0; k < 5; k++) {
    const t = duration * (0.2 + 0.6 * rnd());
    const only: Corrections = {
      anchors: [{ id: 'f', perfTime: t, scoreTime: scoreTimeAt(path0, t) + 0.25, source: 'drag' }],
      jumps: [],
      regions: [],
    };
    firstAnchor.push(timed(() => realignLocal(perf, score, path0, only, { perfTime: t })));
  }
  const all: Timing[] = [];
  for (let k = 0; k < 3; k++)
    all.push(timed(() => realignAll(perf, score, path1, corrections, loaded.score.jumpPoints)));

  const meta = {
    audio: { name: path.basename(files.wav), sha256: audio.sha256 },
    score: { name: path.basename(files.score), sha256: '0'.repeat(64) },
  };
  const exports: Record<string, ReturnType<typeof summary> & { bytes: number }> = {};
  for (const format of Object.keys(EXPORT_FORMATS) as ExportFormat[]) {
    const ts: Timing[] = [];
    let bytes = 0;
    for (let k = 0; k < 5; k++) {
      const r = timed(() => exportAlignment(format, path1, loaded.score, meta));
      bytes = typeof r.value === 'string' ? r.value.length : r.value.byteLength;
      ts.push(r);
    }
    exports[format] = { ...summary(ts), bytes };
  }
  const sorted = [...stretchSeconds].sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify(
      {
        input: {
          wav: path.relative(root, files.wav),
          score: path.relative(root, files.score),
          seconds: Math.round(duration * 10) / 10,
          perfFrames: perf.frames,
          scoreFrames: score.frames,
        },
        anchors: corrections.anchors.length,
        editedStretchSeconds: {
          median: Math.round(sorted[sorted.length >> 1]),
          max: Math.round(sorted[sorted.length - 1]),
        },
        alignDtwMs: Math.round(base.wallMs),
        anchorEdit: summary(anchorEdits),
        jumpInsert: summary(jumpInserts),
        jumpImplyingAnchor: summary(jumpAnchors),
        firstAnchor: summary(firstAnchor),
        realignAll: summary(all),
        exports,
        loadAverage1m: (await import('node:os')).loadavg()[0],
      },
      null,
      1,
    )}\n`,
  );
}

await main();
