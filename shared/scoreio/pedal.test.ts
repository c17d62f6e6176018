import { describe, expect, it } from 'vitest';
import type { ScoreNote } from '../score.js';
import { pedalSpans, sustainByPedal } from './pedal.js';

const note = (pitch: number, onset: number, duration: number): ScoreNote => ({
  pitch,
  onset,
  duration,
  velocity: 0.8,
  measure: 0,
});
const down = (time: number) => ({ time, value: 1 });
const up = (time: number) => ({ time, value: 0 });

describe('pedalSpans', () => {
  it('pairs presses with releases, holds a pedal left down to the end, and joins overlapping tracks', () => {
    expect(pedalSpans([[down(1), up(2), down(3)]], 5)).toEqual([
      { start: 1, end: 2 },
      { start: 3, end: 5 },
    ]);
    // One piano, one pedal: spans on two staves' tracks that overlap are one span.
    expect(
      pedalSpans(
        [
          [down(1), up(2)],
          [down(1.5), up(2.5)],
        ],
        9,
      ),
    ).toEqual([{ start: 1, end: 2.5 }]);
  });

  it('reads the half-way value 64/127 as down, repeats of a state as nothing, and orders events', () => {
    expect(
      pedalSpans([[{ time: 1, value: 64 / 127 }, { time: 1.5, value: 0.8 }, up(2), up(2.5)]], 9),
    ).toEqual([{ start: 1, end: 2 }]);
    expect(pedalSpans([[{ time: 1, value: 63 / 127 }]], 9)).toEqual([]);
    expect(pedalSpans([[up(2), down(1)]], 9)).toEqual([{ start: 1, end: 2 }]);
  });

  it('keeps a pedal change (up and down at one instant) as two spans', () => {
    expect(pedalSpans([[down(0), up(2), down(2), up(4)]], 9)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
    ]);
  });
});

describe('sustainByPedal', () => {
  it('holds a note released while the pedal is down to the release, or to its key struck again', () => {
    const notes = [note(60, 0, 0.5), note(64, 0, 0.5), note(60, 1.5, 0.2), note(67, 3, 0.2)];
    sustainByPedal(notes, [{ start: 0.25, end: 2 }]);
    expect(notes[0].sounding).toBeCloseTo(1.5, 9); // C4 struck again at 1.5 s
    expect(notes[1].sounding).toBeCloseTo(2, 9); // to the pedal's release
    expect(notes[2].sounding).toBeCloseTo(0.5, 9); // 1.5 … 2
    expect(notes[3].sounding).toBeUndefined(); // after the pedal
  });

  it('leaves a note released before the pedal goes down, or at that very instant, as written', () => {
    const notes = [note(60, 0, 0.5), note(62, 0, 1)];
    sustainByPedal(notes, [{ start: 1, end: 3 }]);
    expect(notes[0].sounding).toBeUndefined();
    expect(notes[1].sounding).toBeUndefined(); // a pedal change on the next chord damps it
  });

  it('never shortens a note held past the pedal', () => {
    const notes = [note(60, 0, 4)];
    sustainByPedal(notes, [{ start: 0.5, end: 2 }]);
    expect(notes[0].sounding).toBeUndefined();
  });
});
