/** Test inputs for the app's services: a short melody as a MIDI file and as a synthesized WAV. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import midiPkg from '@tonejs/midi';

const { Midi } = midiPkg;

/** The melody: [MIDI pitch, onset s, duration s] (a C-major phrase with a chord at the end). */
export const MELODY: [number, number, number][] = [
  [60, 0, 0.45],
  [62, 0.5, 0.45],
  [64, 1, 0.45],
  [65, 1.5, 0.45],
  [67, 2, 0.45],
  [69, 2.5, 0.45],
  [71, 3, 0.45],
  [72, 3.5, 0.9],
  [67, 4.5, 0.45],
  [64, 5, 0.45],
  [60, 5.5, 0.9],
  [64, 5.5, 0.9],
  [67, 5.5, 0.9],
];

/** Standard MIDI file bytes of `MELODY` at 120 bpm. */
export function melodyMidi(): Uint8Array {
  const midi = new Midi();
  midi.header.setTempo(120);
  const track = midi.addTrack();
  for (const [midiPitch, time, duration] of MELODY)
    track.addNote({ midi: midiPitch, time, duration, velocity: 0.8 });
  return midi.toArray();
}

/** 16-bit PCM WAV bytes of `MELODY` played `tempo` times as fast, decaying harmonic tones, `channels` copies. */
export function melodyWav(
  opts: { sampleRate?: number; tempo?: number; channels?: number; leadSeconds?: number } = {},
): Uint8Array {
  const sr = opts.sampleRate ?? 22050;
  const tempo = opts.tempo ?? 1;
  const ch = opts.channels ?? 1;
  const lead = opts.leadSeconds ?? 0.25;
  const end = Math.max(...MELODY.map(([, t, d]) => t + d)) / tempo + lead + 0.3;
  const n = Math.round(end * sr);
  const mono = new Float32Array(n);
  for (const [p, t, d] of MELODY) {
    const f0 = 440 * 2 ** ((p - 69) / 12);
    const start = Math.round((t / tempo + lead) * sr);
    const len = Math.round((d / tempo) * sr);
    for (let i = 0; i < len && start + i < n; i++) {
      const tt = i / sr;
      const env = Math.exp(-3 * tt) * Math.min(1, i / 200) * Math.min(1, (len - i) / 200);
      let s = 0;
      for (let h = 1; h <= 4; h++) s += Math.sin(2 * Math.PI * f0 * h * tt) / h;
      mono[start + i] += 0.15 * env * s;
    }
  }
  const bytes = new Uint8Array(44 + n * 2 * ch);
  const v = new DataView(bytes.buffer);
  const w = (o: number, s: string): void => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  w(0, 'RIFF');
  v.setUint32(4, 36 + n * 2 * ch, true);
  w(8, 'WAVE');
  w(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, ch, true);
  v.setUint32(24, sr, true);
  v.setUint32(28, sr * 2 * ch, true);
  v.setUint16(32, 2 * ch, true);
  v.setUint16(34, 16, true);
  w(36, 'data');
  v.setUint32(40, n * 2 * ch, true);
  for (let i = 0; i < n; i++) {
    const s = Math.max(-32768, Math.min(32767, Math.round(mono[i] * 32767)));
    for (let c = 0; c < ch; c++) v.setInt16(44 + (i * ch + c) * 2, s, true);
  }
  return bytes;
}

/** A fresh temp folder with `performance.wav`, `score.mid` and a path for the database. */
export function makeFixtureDir(): { dir: string; wav: string; mid: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'accord-test-'));
  const wav = join(dir, 'performance.wav');
  const mid = join(dir, 'score.mid');
  writeFileSync(wav, melodyWav({ tempo: 0.9 }));
  writeFileSync(mid, melodyMidi());
  return { dir, wav, mid, dbPath: join(dir, 'accord.db') };
}
