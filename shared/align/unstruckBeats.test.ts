import { describe, expect, it } from 'vitest';
import type { AlignmentPath } from '../path.js';
import { DEFAULT_UNSTRUCK, timeUnstruckBeats } from './unstruckBeats.js';

const h = 0.02;
const N = 400;

/** A path over N frames of h seconds whose score time at perf time t is `scoreAt(t)`. */
function pathOf(scoreAt: (t: number) => number, jumpFrames: number[] = []): AlignmentPath {
  return {
    hopSeconds: h,
    scoreTime: Float64Array.from({ length: N }, (_, f) => scoreAt(f * h)),
    confidence: new Float32Array(N).fill(1),
    jumpFrames,
    method: 'jump',
  };
}

/** The perf time (s, linear between frames) at which the path first reaches score time t. */
function timeAt(p: AlignmentPath, t: number, from = 0): number {
  const S = p.scoreTime;
  for (let f = Math.max(1, from); f < S.length; f++) {
    if (S[f] >= t) return (f - 1 + (t - S[f - 1]) / (S[f] - S[f - 1])) * h;
  }
  return NaN;
}

/** Piecewise-linear through the points [t, s] (t ascending), held beyond them. */
function through(points: [number, number][]): (t: number) => number {
  return (t) => {
    if (t <= points[0][0]) return points[0][1];
    for (let i = 1; i < points.length; i++) {
      const [[t0, s0], [t1, s1]] = [points[i - 1], points[i]];
      if (t <= t1) return s0 + ((t - t0) / (t1 - t0)) * (s1 - s0);
    }
    return points[points.length - 1][1];
  };
}

const beats = [0, 1, 2, 3, 4, 5, 6, 7];
const notesAt = (...onsets: number[]): { onset: number }[] => onsets.map((onset) => ({ onset }));

describe('timeUnstruckBeats', () => {
  it('puts a beat inside a held note where the struck beats around it put it', () => {
    // Notes on every beat but 2; a note at 1.5 is held over beat 2. The path plays score time
    // at perf time, except that it lingers on the held note and reaches beat 2 at 2.6 s.
    const notes = notesAt(0, 1, 1.5, 3, 4, 5, 6, 7);
    const p = pathOf(
      through([
        [0, 0],
        [1.5, 1.5],
        [2.6, 2],
        [3, 3],
        [8, 8],
      ]),
    );
    expect(timeAt(p, 2)).toBeCloseTo(2.6, 6);
    timeUnstruckBeats(p, beats, notes);
    // Beats 1 and 3 are struck at 1 s and 3 s: beat 2 falls at 2 s.
    expect(timeAt(p, 2)).toBeCloseTo(2, 6);
    // The chords stay where they are played, and the path still never goes back.
    for (const t of [1, 1.5, 3, 4]) expect(timeAt(p, t)).toBeCloseTo(t, 6);
    for (let f = 1; f < N; f++) expect(p.scoreTime[f]).toBeGreaterThanOrEqual(p.scoreTime[f - 1]);
  });

  it('spreads several unstruck beats evenly in beat count, whatever the tempo in between', () => {
    // Beats 2, 3 and 4 under one long chord struck at 1.5; beats 1 and 5 struck at 1 s and 7 s.
    const notes = notesAt(0, 1, 1.5, 5, 6, 7);
    const p = pathOf(
      through([
        [0, 0],
        [1, 1],
        [1.5, 1.5],
        [6.5, 4.9],
        [7, 5],
        [8, 6],
      ]),
    );
    timeUnstruckBeats(p, beats, notes);
    expect(timeAt(p, 2)).toBeCloseTo(2.5, 6);
    expect(timeAt(p, 3)).toBeCloseTo(4, 6);
    expect(timeAt(p, 4)).toBeCloseTo(5.5, 6);
    expect(timeAt(p, 5)).toBeCloseTo(7, 6);
  });

  it('keeps the beat after the chord before it, when the pulse would put it earlier', () => {
    // The held note starts at 1.9 (played at 2.4 s: a hesitation); beat 2 cannot come before it.
    const notes = notesAt(0, 1, 1.9, 3, 4, 5, 6, 7);
    const p = pathOf(
      through([
        [0, 0],
        [1, 1],
        [2.4, 1.9],
        [2.8, 2],
        [3, 3],
        [8, 8],
      ]),
    );
    timeUnstruckBeats(p, beats, notes);
    expect(timeAt(p, 1.9)).toBeCloseTo(2.4, 6);
    // Half a frame after it (read between frames, within a frame of that).
    expect(timeAt(p, 2)).toBeGreaterThan(2.4);
    expect(Math.abs(timeAt(p, 2) - (2.4 + DEFAULT_UNSTRUCK.marginFrames * h))).toBeLessThan(h);
  });

  it('keeps the pace of the struck beats before a cut, and leaves the recording’s last beats', () => {
    // Pass 1 plays score 0..3.5 over 0..3.5 s and is cut (a jump back to 0) on beat 3, unstruck
    // under the note of 2.5, which the path reaches at 3.3 s; pass 2 then plays 0..4.5 in time.
    const notes = notesAt(0, 1, 2, 2.5, 4, 5, 6, 7);
    const jump = 175; // frame 175 = 3.5 s
    const lingering = through([
      [0, 0],
      [2.5, 2.5],
      [3.3, 3],
      [3.5, 3.5],
    ]);
    const p = pathOf((t) => (t < jump * h ? lingering(t) : t - 3.5), [jump]);
    const before = Float64Array.from(p.scoreTime);
    timeUnstruckBeats(p, beats, notes);
    // Struck beats 1 and 2 at 1 s and 2 s: beat 3 at 3 s; the chord of 2.5 stays.
    expect(timeAt(p, 3)).toBeCloseTo(3, 6);
    expect(timeAt(p, 2.5)).toBeCloseTo(2.5, 6);
    expect(p.jumpFrames).toEqual([jump]);
    expect(p.scoreTime[jump - 1]).toBe(before[jump - 1]);
    expect(p.scoreTime[jump]).toBe(before[jump]);
    // Pass 2 plays in time, beat 3 unstruck between struck 2 and 4: it is where it was.
    for (let f = jump; f < N; f++) expect(p.scoreTime[f]).toBeCloseTo(before[f], 9);

    // The same first pass as the whole recording: its last beat has no pace to keep (a final
    // ritardando, a fermata), and stays.
    const whole = pathOf(lingering);
    const kept = Float64Array.from(whole.scoreTime);
    timeUnstruckBeats(whole, beats, notes);
    expect(Array.from(whole.scoreTime)).toEqual(Array.from(kept));
  });

  it('keeps the pace of the struck beats after a landing before an unstruck beat', () => {
    // A jump at 2 s lands on score 2.6, inside the note of 2.5 held over beat 3, which the path
    // reaches at 2.8 s; struck beats 4 and 5 follow at 3 s and 4 s, so beat 3 falls at 2 s: at
    // the landing (kept half a frame after it).
    const notes = notesAt(0, 1, 2, 2.5, 4, 5, 6, 7);
    const jump = 100; // frame 100 = 2 s
    const landing = through([
      [2, 2.6],
      [2.8, 3],
      [3, 4],
      [8, 9],
    ]);
    const p = pathOf((t) => (t < jump * h ? t : landing(t)), [jump]);
    const before = Float64Array.from(p.scoreTime);
    timeUnstruckBeats(p, beats, notes);
    expect(p.scoreTime[jump]).toBe(before[jump]);
    expect(timeAt(p, 3, jump)).toBeLessThan(2 + h);
    expect(timeAt(p, 4, jump)).toBeCloseTo(3, 6);
    expect(Array.from(p.scoreTime.subarray(0, jump))).toEqual(Array.from(before.subarray(0, jump)));
  });

  it('moves nothing when every beat is struck', () => {
    const p = pathOf(
      through([
        [0, 0],
        [2, 1],
        [8, 7],
      ]),
    );
    const before = Float64Array.from(p.scoreTime);
    timeUnstruckBeats(p, beats, notesAt(...beats));
    expect(Array.from(p.scoreTime)).toEqual(Array.from(before));
  });
});
