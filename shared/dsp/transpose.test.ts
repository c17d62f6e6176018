import { describe, expect, it } from 'vitest';
import type { ScoreNote } from '../score.js';
import { scoreFeatures } from './features.js';
import { scoreNoteFeatures } from './notes.js';
import { NUM_PITCHES } from './params.js';
import { atScorePitch, estimateTransposition, MAX_TRANSPOSITION, transposeFeatures } from './transpose.js';

/** A tonal progression (I–IV–V–I–vi–ii–V–I in C, four times), chords of 0.5 s with a bass note. */
function progression(shift = 0): ScoreNote[] {
  const chords = [
    [48, 60, 64, 67],
    [41, 60, 65, 69],
    [43, 59, 62, 67],
    [48, 60, 64, 67],
    [45, 57, 60, 64],
    [50, 57, 62, 65],
    [43, 59, 62, 65],
    [48, 55, 60, 64],
  ];
  const notes: ScoreNote[] = [];
  for (let r = 0; r < 4; r++)
    chords.forEach((c, k) => {
      for (const p of c)
        notes.push({
          pitch: p + shift,
          onset: (r * 8 + k) * 0.5,
          duration: 0.45,
          velocity: 0.8,
          measure: r * 2,
        });
    });
  return notes;
}

function withNotes(notes: ScoreNote[]): ReturnType<typeof scoreFeatures> {
  const f = scoreFeatures(notes, 17);
  return { ...f, notes: scoreNoteFeatures(notes, f.frames) };
}

/** Mean over frames of the chroma cosine similarity of `a` and `b` (frame by frame). */
function meanCosine(a: ReturnType<typeof scoreFeatures>, b: ReturnType<typeof scoreFeatures>): number {
  let s = 0;
  for (let i = 0; i < a.frames; i++)
    for (let c = 0; c < 12; c++) s += a.chroma[i * 12 + c] * b.chroma[i * 12 + c];
  return s / a.frames;
}

describe('transposeFeatures', () => {
  it('rotates chroma and onsets and moves the note features up k keys, dropping what leaves the keyboard', () => {
    const f = withNotes(progression());
    const up = transposeFeatures(f, 1);
    for (let i = 0; i < f.frames; i += 7)
      for (let c = 0; c < 12; c++) {
        expect(up.chroma[i * 12 + ((c + 1) % 12)]).toBe(f.chroma[i * 12 + c]);
        expect(up.onset[i * 12 + ((c + 1) % 12)]).toBe(f.onset[i * 12 + c]);
      }
    // The same features as the progression written a semitone higher, key by key.
    const written = withNotes(progression(1));
    expect(Array.from(up.notes ?? [])).toEqual(Array.from(written.notes ?? []));
    // Down two from the lowest key: nothing is left of it.
    const low = { ...f, notes: new Float32Array(f.frames * NUM_PITCHES) };
    low.notes[5 * NUM_PITCHES] = 1;
    low.notes[5 * NUM_PITCHES + 2] = 0.5;
    const down = transposeFeatures(low, -2);
    expect(down.notes?.[5 * NUM_PITCHES]).toBe(0.5);
    expect(down.notes?.reduce((a, b) => a + b, 0)).toBe(0.5);
    expect(transposeFeatures(f, 0)).toBe(f);
  });
});

describe('estimateTransposition', () => {
  const score = withNotes(progression());
  it('finds how far a recording is off the score, up or down, and moves it back', () => {
    for (let k = -MAX_TRANSPOSITION; k <= MAX_TRANSPOSITION; k++) {
      // The recording played k semitones above the score must be moved down k.
      const recording = withNotes(progression(k));
      const back = k === 0 ? 0 : -k;
      const est = estimateTransposition(recording, score);
      expect(est.semitones).toBe(back);
      const { perf, semitones } = atScorePitch(recording, score);
      expect(semitones).toBe(back);
      // Moved back, its chroma is the score's (up to the score model’s pitch-dependent decay: 0.95 and more).
      expect(meanCosine(perf, score)).toBeGreaterThan(0.9);
      if (k !== 0) expect(meanCosine(recording, score)).toBeLessThan(0.75);
    }
  });

  it('finds the same moves from chroma alone when a side has no note features', () => {
    for (const k of [-2, -1, 1, 2]) {
      const { notes: _notes, ...recording } = withNotes(progression(k));
      const est = estimateTransposition(recording, score);
      expect(est.semitones).toBe(-k);
      // The move also holds in the harmonies' order (the second check), by far.
      expect(est.ordered?.[1]).toBeLessThan(0.2 * (est.ordered?.[0] ?? 0));
    }
  });

  it('believes the notes over chroma whose partials look moved (a drawbar organ’s)', () => {
    // Chroma that looks like the score a whole tone lower, notes at the score's pitch.
    const recording = { ...withNotes(progression()), chroma: withNotes(progression(-2)).chroma };
    expect(estimateTransposition(recording, score).semitones).toBe(0);
    expect(atScorePitch(recording, score).perf).toBe(recording);
    // Chroma alone would have moved it up.
    const { notes: _notes, ...chromaOnly } = recording;
    expect(estimateTransposition(chromaOnly, score).semitones).toBe(2);
  });

  it('leaves a recording at the score’s pitch alone, even with other harmonies in it', () => {
    // The recording plays the progression and then a passage the score does not have.
    const extra = progression().map((n) => ({
      ...n,
      onset: n.onset + 16,
      pitch: n.pitch + (n.pitch % 2 ? 0 : 3),
    }));
    const recording = scoreFeatures([...progression(), ...extra.slice(0, 40)], 22);
    const { perf, semitones } = atScorePitch(recording, score);
    expect(semitones).toBe(0);
    expect(perf).toBe(recording);
  });

  it('is 0 for silence on either side', () => {
    const silent = scoreFeatures([], 5);
    expect(estimateTransposition(silent, score).semitones).toBe(0);
    expect(estimateTransposition(score, silent).semitones).toBe(0);
  });
});
