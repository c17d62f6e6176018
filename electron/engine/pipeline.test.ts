import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultModelDir } from './neural.js';
import { createHash } from 'node:crypto';
import pkg from '@tonejs/midi';
import { FEATURE_PARAMS, frameCount } from '../../shared/dsp/params.js';
import {
  align,
  alignFeatures,
  alignFiles,
  AlignInputError,
  prepareAlignment,
  releaseModels,
  type Stage,
} from './pipeline.js';
import { pathToRows, type AlignmentPath } from '../../shared/path.js';
import type { Features } from '../../shared/dsp/features.js';
import { decodeAudioFile } from './audio.js';
import { recordingFeatures, scoreFeaturesAside, scoreNoteAwareFeatures } from './features.js';
import { HelperPool } from './helpers.js';
import { MIN_PARALLEL_NOTE_FRAMES } from './notes.js';
import { STRUCK_RISE_FRAMES } from '../../shared/dsp/attack.js';
import { writeWav16 } from '../tools/eval/wav.js';

const { Midi } = pkg;
const fixture = fileURLToPath(new URL('../../resources/fixtures/structure/', import.meta.url));
const audio = join(fixture, 'performance.ogg');
const score = join(fixture, 'score.mid');
const shipped = JSON.parse(readFileSync(join(defaultModelDir(), 'config.json'), 'utf8')) as {
  version: string;
};
const tmp = mkdtempSync(join(tmpdir(), 'accord-pipeline-'));

const sample = fileURLToPath(new URL('../../resources/sample/', import.meta.url));

/**
 * The sample's chords (score ms → the onsets of their keys as played). The truth is the
 * performance MIDI the recording was rendered from: the k-th note of a pitch in the score is the
 * k-th of that pitch played; a chord is played at its keys' mean onset.
 */
function sampleChords(): Map<number, number[]> {
  const notes = (file: string): { time: number; midi: number }[] =>
    new Midi(readFileSync(join(sample, file))).tracks
      .flatMap((t) => t.notes)
      .sort((x, y) => x.time - y.time || x.midi - y.midi);
  const played = new Map<number, number[]>();
  for (const n of notes('performance.mid')) played.set(n.midi, [...(played.get(n.midi) ?? []), n.time]);
  const seen = new Map<number, number>();
  const chords = new Map<number, number[]>();
  for (const n of notes('score.mid')) {
    const k = seen.get(n.midi) ?? 0;
    seen.set(n.midi, k + 1);
    const at = Math.round(n.time * 1000);
    chords.set(at, [...(chords.get(at) ?? []), played.get(n.midi)![k]]);
  }
  return chords;
}

/** Mean over the sample's chords but the first of (the path's time at the chord − its keys' mean onset), each through `f`. */
function chordOffsets(path: AlignmentPath, f: (late: number) => number): number {
  const rows = pathToRows(path);
  // The path's time at a score time (the sample has no jump: score time rises with time).
  const timeAt = (s: number): number => {
    const i = rows.findIndex((r) => r.scoreTime >= s);
    const [a, b] = [rows[i - 1], rows[i]];
    return a.perfTime + ((s - a.scoreTime) / (b.scoreTime - a.scoreTime || 1)) * (b.perfTime - a.perfTime);
  };
  let sum = 0;
  let n = 0;
  for (const [ms, times] of sampleChords()) {
    if (ms === 0) continue; // the pass's first frame stays where the music starts
    sum += f(timeAt(ms / 1000) - times.reduce((x, y) => x + y, 0) / times.length);
    n++;
  }
  return sum / n;
}

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

describe('align: one way through the engine', () => {
  it('takes the score as bytes + name as the editor does, and returns the features to cache', async () => {
    const progress: [Stage, number][] = [];
    const fromBytes = await align(
      audio,
      { bytes: new Uint8Array(readFileSync(score)), name: 'score.mid' },
      { method: 'jump', onProgress: (st, f) => progress.push([st, f]) },
    );
    const fromPath = await alignFiles(audio, score, { method: 'jump' });
    expect(Array.from(fromBytes.path.scoreTime)).toEqual(Array.from(fromPath.path.scoreTime));
    expect(fromBytes.score.sha256).toBe(fromPath.score.sha256);
    const f = fromBytes.features;
    expect(f.sha256).toBe(createHash('sha256').update(readFileSync(audio)).digest('hex'));
    expect(f.featureVersion).toBe(FEATURE_PARAMS.version);
    expect(f.frames).toBe(fromBytes.path.scoreTime.length);
    expect(f.hopSeconds).toBe(fromBytes.path.hopSeconds);
    expect(f.chroma.length).toBe(12 * f.frames);
    expect(f.onset.length).toBe(12 * f.frames);
    expect(f.energy.length).toBe(f.frames);
    expect(fromBytes.audio.sha256).toBe(f.sha256);
    expect(fromBytes.warnings).toEqual([]);
    for (const st of ['decode', 'score', 'features', 'align'] as const)
      expect(fromBytes.timings[st]).toBeGreaterThan(0);
    // stages in order, one at a time, each from 0 to 1 (the editor's progress bar relies on it)
    const order = ['decode', 'score', 'features', 'align'];
    for (let i = 1; i < progress.length; i++) {
      const [a, fa] = progress[i - 1];
      const [b, fb] = progress[i];
      if (a === b) expect(fb).toBeGreaterThanOrEqual(fa);
      else expect(order.indexOf(b)).toBe(order.indexOf(a) + 1);
    }
    expect(progress[0]).toEqual(['decode', 0]);
    expect(progress.at(-1)).toEqual(['align', 1]);
  });

  it('gives the path of one thread with helper threads (the pitch energy, the note network, the costs and the steered search on them)', async () => {
    // The fixture played three times (128 s): long enough for the pitch energy and the note
    // network to be shared.
    const decoded = await decodeAudioFile(audio);
    const n = decoded.samples.length;
    const thrice = new Float32Array(3 * n);
    for (let k = 0; k < 3; k++) thrice.set(decoded.samples, k * n);
    expect(frameCount(thrice.length)).toBeGreaterThanOrEqual(MIN_PARALLEL_NOTE_FRAMES);
    const wav = join(tmp, 'thrice.wav');
    writeWav16(wav, { sampleRate: FEATURE_PARAMS.sampleRate, channels: [thrice] });
    const one = await align(wav, score, { method: 'auto', threads: 1, searchThreads: 1 });
    const helped = await align(wav, score, { method: 'auto', threads: 2, searchThreads: 2 });
    for (const k of ['chroma', 'onset', 'notes'] as const)
      expect(Buffer.from(helped.features[k]!.buffer).equals(Buffer.from(one.features[k]!.buffer))).toBe(true);
    expect(helped.path.jumpFrames).toEqual(one.path.jumpFrames);
    expect(one.path.jumpFrames.length).toBeGreaterThan(0);
    expect(Array.from(helped.path.scoreTime)).toEqual(Array.from(one.path.scoreTime));
  });

  it("makes the score's features on a helper as on this thread, and none when the helper fails", async () => {
    const written = (await prepareAlignment(audio, score, { method: 'dtw' })).score.score;
    const here = scoreNoteAwareFeatures(written.notes, written.duration);
    const helped = await scoreFeaturesAside(written.notes, written.duration);
    const broken = new HelperPool(() => ({
      url: new URL('./no-such-helper.mjs', import.meta.url),
      workerData: {},
    }));
    expect(await scoreFeaturesAside(written.notes, written.duration, broken)).toBeUndefined();
    expect(helped?.frames).toBe(here.frames);
    for (const k of ['chroma', 'onset', 'energy', 'notes'] as const)
      expect(Buffer.from(helped![k]!.buffer).equals(Buffer.from(here[k]!.buffer))).toBe(true);
  });

  it('names the score by the given name in its errors, and refuses an unknown method before decoding', async () => {
    await expect(
      align(audio, { bytes: new Uint8Array([1, 2, 3]), name: 'broken.mid' }, { method: 'dtw' }),
    ).rejects.toThrow(/broken\.mid/);
    const err = await align(join(tmp, 'absent.wav'), score, { method: 'fast' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlignInputError);
    expect((err as AlignInputError).code).toBe('bad-method');
  });
});

describe('onset snapping', () => {
  it('moves the sample’s chords onto its keys’ onsets: each lands closer to where its keys are played', async () => {
    const prepared = await prepareAlignment(join(sample, 'performance.flac'), join(sample, 'score.mid'));
    expect(sampleChords().size).toBeGreaterThan(100);
    const meanError = async (snap: false | undefined): Promise<number> => {
      const { path } = await alignFeatures(prepared.perf, prepared.scoreFeat, prepared.score, {
        method: 'auto',
        snap,
      });
      return chordOffsets(path, Math.abs);
    };
    const off = await meanError(false);
    const on = await meanError(undefined);
    // Measured: 10.6 ms without, 7.4 ms with (111 chords).
    expect(on).toBeLessThan(off - 0.002);
  });
});

describe('recordings off the usual level or pitch', () => {
  /** Largest distance (s of score) between two paths' score times, frame by frame. */
  const farthest = (a: AlignmentPath, b: AlignmentPath): number =>
    Math.max(...Array.from(a.scoreTime, (t, f) => Math.abs(t - b.scoreTime[f])));

  it('aligns a recording made 40 dB quieter as it aligns the usual one', async () => {
    const usual = await alignFiles(audio, score);
    const decoded = await decodeAudioFile(audio);
    const quiet = join(tmp, 'quiet.wav');
    writeWav16(quiet, {
      sampleRate: FEATURE_PARAMS.sampleRate,
      channels: [decoded.samples.map((x) => x / 100)],
    });
    const r = await alignFiles(quiet, score);
    expect(r.warnings).toEqual([]);
    expect(r.path.jumpFrames.length).toBe(2);
    expect(farthest(r.path, usual.path)).toBeLessThan(0.1);
  });

  it('gives a recording turned down or up the same features and the same path', async () => {
    // The features' compression and silence threshold are absolute: before `normaliseLevel` the
    // validation set turned down 6 dB lost 3 points within 100 ms on its multi-operation cases.
    const { samples } = await decodeAudioFile(audio);
    const at = async (gain: number) =>
      (
        await recordingFeatures(
          samples.map((x) => x * gain),
          {},
        )
      ).features;
    const usual = await at(1);
    const scoreSide = await prepareAlignment(audio, score);
    const pathOf = async (f: Features) =>
      (await alignFeatures(f, scoreSide.scoreFeat, scoreSide.score, { method: 'auto' })).path;
    const usualPath = await pathOf(usual);
    for (const gain of [0.5, 2]) {
      const f = await at(gain);
      let worst = 0;
      for (const k of ['chroma', 'onset', 'energy', 'notes'] as const) {
        const a = usual[k]!;
        const b = f[k]!;
        expect(b.length).toBe(a.length);
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      }
      expect(worst).toBeLessThan(1e-3);
      expect(farthest(await pathOf(f), usualPath)).toBeLessThan(0.01);
    }
  });

  it('aligns a recording a semitone below its score (Baroque pitch) and says so', async () => {
    const usual = await alignFiles(audio, score);
    // The score written a semitone higher than the recording plays it.
    const midi = new Midi(readFileSync(score));
    for (const t of midi.tracks) for (const n of t.notes) n.midi += 1;
    const higher = join(tmp, 'higher.mid');
    writeFileSync(higher, midi.toArray());
    const seen: string[] = [];
    const r = await alignFiles(audio, higher, { onWarning: (w) => seen.push(w) });
    expect(seen).toEqual(r.warnings);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/1 semitone below the score/);
    expect(r.path.jumpFrames.length).toBe(2);
    expect(farthest(r.path, usual.path)).toBeLessThan(0.1);
  });
});

describe('silence before and after the music', () => {
  it('holds the path through the silence and aligns the music as without it', async () => {
    const usual = await alignFiles(audio, score);
    const decoded = await decodeAudioFile(audio);
    const rate = FEATURE_PARAMS.sampleRate;
    const padded = new Float32Array(decoded.samples.length + 12 * rate);
    padded.set(decoded.samples, 6 * rate);
    const wav = join(tmp, 'padded.wav');
    writeWav16(wav, { sampleRate: rate, channels: [padded] });
    for (const method of ['auto', 'jump'] as const) {
      const r = await alignFiles(wav, score, { method });
      const { path } = r;
      const lead = Math.round((6 * rate) / FEATURE_PARAMS.hopLength);
      // Each frame of the music where it is without the silence, the jumps included.
      const off = usual.path.scoreTime.map((t, f) => Math.abs(path.scoreTime[f + lead] - t));
      const within = off.filter((d) => d <= 0.1).length / off.length;
      expect(within, method).toBeGreaterThan(0.97);
      expect(path.jumpFrames.length, method).toBe(usual.path.jumpFrames.length);
      // The silence before holds the score's opening, the silence after its last note.
      expect(path.scoreTime[0], method).toBeLessThan(0.5);
      expect(path.scoreTime[path.scoreTime.length - 1], method).toBeCloseTo(
        usual.path.scoreTime[usual.path.scoreTime.length - 1],
        1,
      );
    }
  });
});

describe('instruments whose notes swell in', () => {
  const played = new Midi(readFileSync(join(sample, 'performance.mid'))).tracks.flatMap((t) => t.notes);

  /** The sample's performance played by four harmonics whose amplitude rises linearly over `attack` s, then holds (`decay` 0) or decays. */
  function render(attack: number, decay: number, release = 0.03): Float32Array {
    const sr = FEATURE_PARAMS.sampleRate;
    const out = new Float32Array(Math.ceil((Math.max(...played.map((n) => n.time + n.duration)) + 1) * sr));
    for (const n of played) {
      const f0 = 440 * 2 ** ((n.midi - 69) / 12);
      const start = Math.round(n.time * sr);
      const held = n.duration * sr;
      const end = Math.min(out.length, Math.round(start + held + 5 * release * sr));
      for (let i = start; i < end; i++) {
        const t = (i - start) / sr;
        let env = attack > 0 ? Math.min(1, t / attack) : 1;
        if (decay > 0) env *= Math.exp(-t / decay);
        if (i - start > held) env *= Math.exp(-(i - start - held) / (release * sr));
        let s = 0;
        for (let h = 1; h <= 4; h++) s += Math.sin(2 * Math.PI * h * f0 * t) / h;
        out[i] += 0.08 * n.velocity * env * s;
      }
    }
    return out;
  }

  /** Mean lateness (s) of the aligned path at the score's chords against the mean onset of their keys. */
  async function meanLateness(
    mono: Float32Array,
    attackLag?: false,
  ): Promise<{ late: number; rise: number }> {
    const prepared = await prepareAlignment(join(sample, 'performance.flac'), join(sample, 'score.mid'));
    const { features } = await recordingFeatures(mono, {});
    const { path } = await alignFeatures(features, prepared.scoreFeat, prepared.score, {
      method: 'auto',
      attackLag,
    });
    return { late: chordOffsets(path, (x) => x), rise: features.attackRiseFrames ?? NaN };
  }

  it('reads the features earlier for a recording whose notes swell in, and leaves a struck one alone', async () => {
    // Struck (5 ms attack, decaying): the rise is a piano's, the features are not moved.
    const struck = render(0.005, 1.2);
    const s = await meanLateness(struck);
    expect(s.rise).toBeLessThan(STRUCK_RISE_FRAMES);
    expect(s.late).toBe((await meanLateness(struck, false)).late);
    expect(Math.abs(s.late)).toBeLessThan(0.03);
    // Swelling in over 0.3 s and held, released at once or over 0.5 s: the features are read 4
    // frames (93 ms) earlier, and the path moves from 56 to −37 ms and from 162 to 75 ms late
    // (measured at the reference level, `normaliseLevel`; 65 → −28 and 173 → 76 ms before it).
    for (const [release, gain] of [
      [0.03, 0.015],
      [0.5, 0.06],
    ]) {
      const swelled = render(0.3, 0, release);
      const w = await meanLateness(swelled);
      const w0 = await meanLateness(swelled, false);
      expect(w.rise).toBeGreaterThan(STRUCK_RISE_FRAMES + 2);
      expect(w0.late).toBeGreaterThan(0.05);
      expect(w.late).toBeLessThan(w0.late - 0.08);
      expect(Math.abs(w.late)).toBeLessThan(w0.late - gain);
    }
  });
});
