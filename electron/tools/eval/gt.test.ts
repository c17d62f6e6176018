import { describe, expect, it } from 'vitest';
import {
  applyEditToGt,
  pairBeats,
  planEdit,
  spliceChannels,
  spliceSeconds,
  EDIT_BEATS,
  type EditKind,
} from './gt.js';
import { seededRandom } from '../../../shared/random.js';
import { encodeWav16, parseWav } from './wav.js';

describe('pairBeats', () => {
  it('keeps ordinary beats (a single short interval is fast playing, not a skip)', () => {
    const perf = [0, 0.5, 1.0, 1.04, 1.5];
    const res = pairBeats(perf, [0, 1, 2, 3, 4]);
    expect(res.rows.map((r) => r.segment)).toEqual([0, 0, 0, 0, 0]);
    expect(res.droppedBeats).toBe(0);
  });

  it('drops the inside of an unplayed run and starts a new segment at its last beat', () => {
    const perf = [0, 0.5, 1.0, 1.007, 1.014, 1.021, 1.8, 2.3];
    const score = [0, 0.5, 1.0, 1.5, 2.0, 9.0, 9.5, 10];
    const res = pairBeats(perf, score);
    expect(res.rows.map((r) => [r.perfTime, r.scoreTime, r.segment])).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0],
      [1.0, 1.0, 0],
      [1.021, 9.0, 1],
      [1.8, 9.5, 1],
      [2.3, 10, 1],
    ]);
    expect(res.droppedBeats).toBe(2);
    expect(res.unplayedRuns).toBe(1);
  });

  it('refuses different beat counts', () => {
    expect(() => pairBeats([0, 1], [0])).toThrow(/equal beat counts/);
  });
});

describe('structure edits', () => {
  const sr = 1000;
  const beats = Array.from({ length: 120 }, (_, i) => ({
    perfTime: 0.3 + i * 0.5 + 0.1 * Math.sin(i),
    scoreTime: i * 0.6,
    segment: 0,
  }));
  const duration = 61;
  // Each source sample holds its own time, so the output tells where it came from.
  const ramp = Float32Array.from({ length: duration * sr }, (_, i) => i / sr / 100);

  for (const kind of ['repeat', 'skip', 'jumpback'] as EditKind[]) {
    it(`${kind}: the spliced audio at each GT beat is the source audio of that beat`, () => {
      const edit = planEdit(kind, beats, duration, seededRandom(7));
      const len = Math.abs(edit.cutBeat - edit.resumeBeat);
      expect(len).toBeGreaterThanOrEqual(EDIT_BEATS[kind][0]);
      expect(len).toBeLessThanOrEqual(EDIT_BEATS[kind][1]);
      expect(kind === 'skip' ? edit.resumeBeat > edit.cutBeat : edit.resumeBeat < edit.cutBeat).toBe(true);
      const gt = applyEditToGt(beats, edit.pieces);
      const pieces = edit.pieces.map((p) => ({
        start: Math.round(p.startSeconds * sr),
        end: Math.round(p.endSeconds * sr),
      }));
      const [out] = spliceChannels([ramp], pieces, 10);
      expect(out.length).toBe(pieces.reduce((a, p) => a + p.end - p.start, 0));
      expect(new Set(gt.map((r) => r.segment))).toEqual(new Set([0, 1]));
      expect(gt.length).toBe(kind === 'skip' ? beats.length - len : beats.length + len);
      for (const r of gt) {
        const src = beats.find((b) => b.scoreTime === r.scoreTime);
        if (!src) throw new Error(`no source beat at score ${r.scoreTime}`);
        // 10 ms after the beat, away from the crossfade, the output holds the source's time.
        const v = out[Math.round((r.perfTime + 0.01) * sr)] * 100;
        expect(Math.abs(v - (src.perfTime + 0.01))).toBeLessThan(1.5 / sr);
      }
    });
  }

  it('the crossfade weights of the two sides sum to one', () => {
    const ones = new Float32Array(1000).fill(1);
    const [out] = spliceChannels(
      [ones],
      [
        { start: 0, end: 400 },
        { start: 600, end: 1000 },
      ],
      10,
    );
    for (const v of out) expect(v).toBeCloseTo(1, 6);
  });

  it('cuts pieces given in seconds at the nearest samples, every channel alike', () => {
    const sr = 1000;
    const left = Float32Array.from({ length: 3000 }, (_, i) => i / sr);
    const right = Float32Array.from(left, (v) => -v);
    const out = spliceSeconds(
      { sampleRate: sr, channels: [left, right] },
      [
        { startSeconds: 0, endSeconds: 1.0004 },
        { startSeconds: 2.0006, endSeconds: 2.5 },
      ],
      0.01,
    );
    // 1000 + 499 samples: 1.0004 s rounds to sample 1000, 2.0006 s to 2001.
    expect(out.map((c) => c.length)).toEqual([1499, 1499]);
    expect(out[0][500]).toBeCloseTo(0.5, 6);
    expect(out[0][1100]).toBeCloseTo(2.101, 6);
    expect(out[1][1100]).toBeCloseTo(-2.101, 6);
  });
});

describe('wav', () => {
  it('round-trips 16-bit stereo', () => {
    const a = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i / 7) * 0.9);
    const b = Float32Array.from({ length: 300 }, (_, i) => Math.cos(i / 5) * -0.5);
    const back = parseWav(encodeWav16({ sampleRate: 44100, channels: [a, b] }));
    expect(back.sampleRate).toBe(44100);
    expect(back.channels.length).toBe(2);
    back.channels[0].forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(1 / 32768 + 1e-7));
    back.channels[1].forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1 / 32768 + 1e-7));
  });
});
