import { describe, expect, it } from 'vitest';
import { cellCost, normalisedCost, rowCosts, DEFAULT_COST } from '../align/cost.js';
import type { ScoreNote } from '../score.js';
import { heldDurations, poolFeatures, scoreFeatures, type Features } from './features.js';
import { xorshift32 } from '../random.js';
import {
  addSounding,
  NOTE_ONSET_FLOOR,
  NOTE_SOUNDING_FLOOR,
  scoreSoundingRoll,
  NOTE_TAIL_FRAMES,
  noteOnsetFeature,
  scoreNoteFeatures,
  scoreOnsetStrength,
  sparseNotes,
} from './notes.js';
import { HOP_SECONDS, NUM_PITCHES } from './params.js';

const note = (pitch: number, onset: number, duration = 0.4): ScoreNote => ({
  pitch,
  onset,
  duration,
  velocity: 0.8,
  measure: 0,
});

describe('noteOnsetFeature', () => {
  it('rings each onset on for NOTE_TAIL_FRAMES frames with a square-root decay, on its own key only', () => {
    const frames = 30;
    const s = new Float32Array(frames * NUM_PITCHES);
    s[5 * NUM_PITCHES + 39] = 0.8;
    const out = noteOnsetFeature(s, frames);
    for (let k = 0; k < NOTE_TAIL_FRAMES; k++)
      expect(out[(5 + k) * NUM_PITCHES + 39]).toBeCloseTo(
        0.8 * Math.sqrt((NOTE_TAIL_FRAMES - k) / NOTE_TAIL_FRAMES),
        6,
      );
    expect(out[(5 + NOTE_TAIL_FRAMES) * NUM_PITCHES + 39]).toBe(0);
    expect(out[4 * NUM_PITCHES + 39]).toBe(0);
    let elsewhere = 0;
    for (let f = 0; f < frames; f++)
      for (let p = 0; p < NUM_PITCHES; p++) if (p !== 39) elsewhere += out[f * NUM_PITCHES + p];
    expect(elsewhere).toBe(0);
  });

  it('drops strengths under the floor and keeps the larger of overlapping tails', () => {
    const frames = 20;
    const s = new Float32Array(frames * NUM_PITCHES);
    s[2 * NUM_PITCHES + 10] = NOTE_ONSET_FLOOR / 2;
    s[3 * NUM_PITCHES + 20] = 1;
    s[5 * NUM_PITCHES + 20] = 0.3;
    const out = noteOnsetFeature(s, frames);
    expect(out[2 * NUM_PITCHES + 10]).toBe(0);
    // Frame 5: the first tail is at sqrt(8/10) ≈ 0.894 > 0.3.
    expect(out[5 * NUM_PITCHES + 20]).toBeCloseTo(Math.sqrt(0.8), 6);
  });

  it('refuses an input of the wrong size', () => {
    expect(() => noteOnsetFeature(new Float32Array(10), 2)).toThrow(/expected 2 × 88/);
  });
});

describe('score note features', () => {
  it('puts a 1 at the frame nearest each onset of a piano key and drops pitches outside the piano', () => {
    const frames = 100;
    const s = scoreOnsetStrength([note(60, 0.5), note(10, 0.5), note(109, 0.5), note(21, 1.0)], frames);
    expect(s[Math.round(0.5 / HOP_SECONDS) * NUM_PITCHES + 39]).toBe(1);
    expect(s[Math.round(1.0 / HOP_SECONDS) * NUM_PITCHES + 0]).toBe(1);
    expect(s.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('sparse rows give the dense dot products and norms', () => {
    const frames = 80;
    const f = scoreNoteFeatures([note(60, 0.2), note(64, 0.2), note(67, 0.5), note(48, 1.1)], frames);
    const sp = sparseNotes(f, frames);
    for (let i = 0; i < frames; i++) {
      let dense = 0;
      for (let p = 0; p < NUM_PITCHES; p++) dense += f[i * NUM_PITCHES + p] ** 2;
      let sparse = 0;
      for (let k = sp.start[i]; k < sp.start[i + 1]; k++) sparse += sp.value[k] ** 2;
      expect(sp.norm2[i]).toBeCloseTo(dense, 5);
      expect(sparse).toBeCloseTo(dense, 5);
    }
  });
});

describe('note term of the cost', () => {
  // Score: C4 at 0.5 s, C5 at 1.5 s (same pitch class: chroma and chroma onsets cannot tell them apart).
  const notes = [note(60, 0.5, 0.5), note(72, 1.5, 0.5)];
  const duration = 2.5;
  const plain = scoreFeatures(notes, duration);
  const withNotes = { ...plain, notes: scoreNoteFeatures(notes, plain.frames) };
  // The "performance" plays only the C4: its features are the score's first half shifted nowhere.
  const perfNotes = [note(60, 0.5, 0.5)];
  const perfPlain = scoreFeatures(perfNotes, duration);
  const perf = { ...perfPlain, notes: scoreNoteFeatures(perfNotes, perfPlain.frames) };
  const i = Math.round(0.5 / HOP_SECONDS);
  const jSame = i;
  const jOctave = Math.round(1.5 / HOP_SECONDS);

  it('tells an onset of the same key from one an octave away, where chroma cannot', () => {
    const p = { onsetWeight: 1, noteWeight: 1 };
    const chromaOnly = { onsetWeight: 1, noteWeight: 0 };
    expect(
      Math.abs(
        cellCost(perf, withNotes, i, jSame, chromaOnly) - cellCost(perf, withNotes, i, jOctave, chromaOnly),
      ),
    ).toBeLessThan(0.05);
    expect(cellCost(perf, withNotes, i, jOctave, p) - cellCost(perf, withNotes, i, jSame, p)).toBeGreaterThan(
      0.9,
    );
  });

  it('is absent unless both sides carry note features', () => {
    const p = { onsetWeight: 1, noteWeight: 3 };
    expect(cellCost(perfPlain, withNotes, i, jOctave, p)).toBeCloseTo(
      cellCost(perfPlain, withNotes, i, jOctave, { onsetWeight: 1 }),
      9,
    );
    expect(cellCost(perf, plain, i, jOctave, p)).toBeCloseTo(
      cellCost(perf, plain, i, jOctave, { onsetWeight: 1 }),
      9,
    );
  });

  it('rowCosts agrees with cellCost cell by cell, normalised weights included', () => {
    const p = normalisedCost(perf, withNotes, DEFAULT_COST);
    expect(p.noteScale).toBeGreaterThan(0);
    const out = new Float64Array(withNotes.frames);
    for (const row of [0, i, i + 3, perf.frames - 1]) {
      rowCosts(perf, withNotes, row, 0, withNotes.frames - 1, out, p);
      for (let j = 0; j < withNotes.frames; j += 7)
        expect(out[j]).toBeCloseTo(cellCost(perf, withNotes, row, j, p), 9);
    }
  });

  it('rowCosts gives exactly cellCost on every cell of dense, pooled rows and of narrow bands', () => {
    // Many notes on both sides, pooled (fractional note values), so most cells have a note term.
    const rnd = xorshift32(7);
    const many = (count: number): ScoreNote[] =>
      Array.from({ length: count }, () => note(40 + Math.floor(rnd() * 40), rnd() * 9, 0.3));
    const side = (ns: ScoreNote[]): Features => {
      const f = scoreFeatures(ns, 10);
      return poolFeatures({ ...f, notes: scoreNoteFeatures(ns, f.frames) }, 3);
    };
    const a = side(many(120));
    const b = side(many(150));
    const p = normalisedCost(a, b, DEFAULT_COST);
    const out = new Float64Array(b.frames);
    let withNoteTerm = 0;
    for (let row = 0; row < a.frames; row++) {
      const lo = row % 5 === 0 ? 0 : Math.max(0, row - 9);
      const hi = row % 5 === 0 ? b.frames - 1 : Math.min(b.frames - 1, row + 9);
      rowCosts(a, b, row, lo, hi, out, p);
      for (let j = lo; j <= hi; j++) {
        expect(out[j - lo]).toBe(cellCost(a, b, row, j, p));
        if (out[j - lo] !== cellCost(a, b, row, j, { ...p, noteWeight: 0 })) withNoteTerm++;
      }
    }
    expect(withNoteTerm).toBeGreaterThan(1000);
  });
});

describe('sustain-pedal model and sounding evidence (ablations, off by default)', () => {
  it('heldDurations lengthens notes to the pedal time, never past the next strike of the key, never shortens', () => {
    const notes = [note(60, 0, 0.2), note(60, 0.5, 0.2), note(64, 0, 2), note(67, 1, 0.1)];
    expect(Array.from(heldDurations(notes, 0))).toEqual([0.2, 0.2, 2, 0.1]);
    const held = Array.from(heldDurations(notes, 1));
    expect(held[0]).toBeCloseTo(0.5, 9); // C4 struck again at 0.5 s
    expect(held[1]).toBeCloseTo(1, 9);
    expect(held[2]).toBe(2); // already longer than the pedal
    expect(held[3]).toBeCloseTo(1, 9);
  });

  it("heldDurations takes the score's own pedal (`sounding`) only when asked", () => {
    const notes = [{ ...note(60, 0, 0.2), sounding: 1.2 }, note(64, 0, 0.5)];
    expect(Array.from(heldDurations(notes, 0))).toEqual([0.2, 0.5]);
    expect(Array.from(heldDurations(notes, 0, true))).toEqual([1.2, 0.5]);
    const frame = Math.round(0.9 / HOP_SECONDS);
    const written = scoreFeatures(notes, 2).energy[frame];
    const pedalled = scoreFeatures(notes, 2, { scorePedal: true }).energy[frame];
    expect(pedalled).toBeGreaterThan(written + 1);
  });

  it('the score model holds a pedalled note: energy after its written end', () => {
    const notes = [note(69, 0.5, 0.2)];
    const frame = Math.round(1.2 / HOP_SECONDS);
    const dry = scoreFeatures(notes, 3).energy[frame];
    const wet = scoreFeatures(notes, 3, { pedalSeconds: 1.5 }).energy[frame];
    expect(wet).toBeGreaterThan(dry + 1);
  });

  it('addSounding takes the larger of onset and weighted sounding evidence, dropping weak sounding', () => {
    const onsets = Float32Array.from([0.9, 0, 0, 0.2]);
    const sounding = Float32Array.from([1, 0.6, NOTE_SOUNDING_FLOOR / 2, 1]);
    expect(Array.from(addSounding(onsets.slice(), sounding, 0.5))).toEqual(
      Array.from(Float32Array.from([0.9, 0.3, 0, 0.5])),
    );
    expect(Array.from(addSounding(onsets.slice(), sounding, 0))).toEqual(Array.from(onsets));
    expect(() => addSounding(onsets, new Float32Array(3), 0.5)).toThrow(/expected 4 values, got 3/);
  });

  it('scoreSoundingRoll marks each key from its onset frame to the end of its held duration', () => {
    const frames = 100;
    const notes = [note(60, 0.1, 0.2), note(200, 0.1, 1)];
    const roll = scoreSoundingRoll(notes, [0.5], frames);
    const key = 60 - 21;
    const on = (f: number): number => roll[f * NUM_PITCHES + key];
    expect(on(Math.round(0.1 / HOP_SECONDS) - 1)).toBe(0);
    expect(on(Math.round(0.1 / HOP_SECONDS))).toBe(1);
    expect(on(Math.round(0.6 / HOP_SECONDS))).toBe(1);
    expect(on(Math.round(0.6 / HOP_SECONDS) + 1)).toBe(0);
    expect(roll.reduce((a, x) => a + x, 0)).toBe(
      Math.round(0.6 / HOP_SECONDS) - Math.round(0.1 / HOP_SECONDS) + 1,
    );
  });
});
