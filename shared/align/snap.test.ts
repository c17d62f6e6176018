import { describe, expect, it } from 'vitest';
import type { Features } from '../dsp/features.js';
import { FEATURE_PARAMS, HOP_SECONDS, NUM_PITCHES } from '../dsp/params.js';
import type { AlignmentPath } from '../path.js';
import { DEFAULT_SNAP, snapToOnsets } from './snap.js';

const h = HOP_SECONDS;
const N = 120;

/** A path playing the score at its own tempo (score frame = perf frame), with optional jumps. */
function diagonal(jumpFrames: number[] = [], scoreOf = (f: number): number => f): AlignmentPath {
  return {
    hopSeconds: h,
    scoreTime: Float64Array.from({ length: N }, (_, f) => scoreOf(f) * h),
    confidence: new Float32Array(N).fill(1),
    jumpFrames,
    method: 'jump',
  };
}

/** A recording's features whose only note onsets are `strikes`: [frame, MIDI pitch, strength]. */
function struck(strikes: [number, number, number][]): Features {
  const notes = new Float32Array(N * NUM_PITCHES);
  for (const [f, pitch, v] of strikes) notes[f * NUM_PITCHES + pitch - FEATURE_PARAMS.minPitch] = v;
  return {
    frames: N,
    hopSeconds: h,
    chroma: new Float32Array(N * 12),
    onset: new Float32Array(N * 12),
    energy: new Float32Array(N),
    notes,
  };
}

const params = { ...DEFAULT_SNAP, offsetSeconds: 0 };
/** The perf frame at which the path reaches score time t (first frame at or past it). */
const frameAt = (p: AlignmentPath, t: number): number => p.scoreTime.findIndex((s) => s >= t - 1e-9);

describe('snapToOnsets', () => {
  it('moves a chord the path places two frames early onto its keys’ onset, and stretches the path between', () => {
    // A C-major chord at score frame 40 is struck at perf frame 42; another at 80 where the path has it.
    const notes = [60, 64, 67].map((pitch) => ({ onset: 40 * h, pitch }));
    notes.push({ onset: 80 * h, pitch: 72 });
    const perf = struck([
      [42, 60, 0.9],
      [42, 64, 0.8],
      [42, 67, 0.7],
      [80, 72, 0.9],
    ]);
    const p = snapToOnsets(diagonal(), perf, notes, params);
    expect(frameAt(p, 40 * h)).toBe(42);
    expect(p.scoreTime[42]).toBeCloseTo(40 * h, 9);
    expect(p.scoreTime[80]).toBeCloseTo(80 * h, 9);
    // The ends stay, and the path still never goes back.
    expect(p.scoreTime[0]).toBe(0);
    expect(p.scoreTime[N - 1]).toBeCloseTo((N - 1) * h, 9);
    for (let f = 1; f < N; f++) expect(p.scoreTime[f]).toBeGreaterThanOrEqual(p.scoreTime[f - 1]);
    // Between frame 0 (fixed) and 42, the score's first 40 frames are spread evenly.
    expect(p.scoreTime[21]).toBeCloseTo(20 * h, 9);
  });

  it('leaves a chord whose onset is weak, too far away or on other keys', () => {
    const notes = [{ onset: 40 * h, pitch: 60 }];
    for (const strikes of [[[42, 60, 0.2]], [[44, 60, 0.9]], [[42, 61, 0.9]]] as [
      number,
      number,
      number,
    ][][]) {
      const p = snapToOnsets(diagonal(), struck(strikes), notes, params);
      expect(Array.from(p.scoreTime)).toEqual(Array.from(diagonal().scoreTime));
    }
    // Without note features (no note model) nothing moves.
    const bare = { ...struck([[42, 60, 0.9]]), notes: undefined };
    expect(Array.from(snapToOnsets(diagonal(), bare, notes, params).scoreTime)).toEqual(
      Array.from(diagonal().scoreTime),
    );
  });

  it('keeps every jump where it is: each pass is snapped on its own', () => {
    // Perf frames 0–59 play score 0–59, then the path jumps back: frames 60–119 play 0–59 again.
    const path = diagonal([60], (f) => f % 60);
    const notes = [{ onset: 30 * h, pitch: 60 }];
    const p = snapToOnsets(
      path,
      struck([
        [31, 60, 0.9],
        [92, 60, 0.9],
      ]),
      notes,
      params,
    );
    expect(p.scoreTime[59]).toBeCloseTo(59 * h, 9);
    expect(p.scoreTime[60]).toBe(0);
    expect(p.scoreTime[31]).toBeCloseTo(30 * h, 9);
    expect(p.scoreTime[92]).toBeCloseTo(30 * h, 9);
  });

  it('puts the chord where in the frame the offset says', () => {
    const notes = [{ onset: 40 * h, pitch: 60 }];
    const p = snapToOnsets(diagonal(), struck([[41, 60, 0.9]]), notes, { ...params, offsetSeconds: -h / 2 });
    // The chord now sits half a frame before frame 41.
    expect(p.scoreTime[41]).toBeGreaterThan(40 * h);
    expect(p.scoreTime[40]).toBeLessThan(40 * h);
  });
});
