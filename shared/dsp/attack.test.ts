import { describe, expect, it } from 'vitest';
import type { Features, PitchEnergy } from './features.js';
import { NUM_PITCHES } from './params.js';
import {
  atAttackOnsets,
  attackLagSeconds,
  LAG_SECONDS_PER_RISE_FRAME,
  MAX_ATTACK_LAG_SECONDS,
  meanRiseFrames,
  STRUCK_RISE_FRAMES,
} from './attack.js';

/** Pitch energy of notes on a few bands, each rising to full power over `rise` frames (linear amplitude), then held 30 frames and off. */
function notes(rise: number): PitchEnergy {
  const frames = 400;
  const energy = new Float32Array(frames * NUM_PITCHES);
  for (let k = 0; k < 8; k++) {
    const band = 20 + 5 * k;
    const start = 10 + 45 * k;
    for (let f = start; f < start + rise + 30 && f < frames; f++) {
      const amp = rise > 0 ? Math.min(1, (f - start + 1) / rise) : 1;
      energy[f * NUM_PITCHES + band] = amp * amp;
    }
  }
  return { frames, energy };
}

describe('meanRiseFrames', () => {
  it('grows with the attack: a struck note rises in a frame, a swelling one over many', () => {
    const struck = meanRiseFrames(notes(1));
    const slow = meanRiseFrames(notes(8));
    const slower = meanRiseFrames(notes(16));
    expect(struck).toBeLessThan(STRUCK_RISE_FRAMES);
    expect(slow).toBeGreaterThan(STRUCK_RISE_FRAMES);
    expect(slower).toBeGreaterThan(slow + 2);
  });

  it('is 0 for silence and ignores rises too small to be notes', () => {
    expect(meanRiseFrames({ frames: 50, energy: new Float32Array(50 * NUM_PITCHES) })).toBe(0);
    const faint = notes(8);
    // Only a 3 dB swell on top of a steady tone: no rise counts.
    for (let i = 0; i < faint.energy.length; i++) faint.energy[i] = 1 + faint.energy[i];
    expect(meanRiseFrames(faint)).toBe(0);
  });
});

describe('attackLagSeconds', () => {
  it('is 0 up to a struck rise, then grows by its slope up to its cap', () => {
    expect(attackLagSeconds(undefined)).toBe(0);
    expect(attackLagSeconds(NaN)).toBe(0);
    expect(attackLagSeconds(STRUCK_RISE_FRAMES)).toBe(0);
    expect(attackLagSeconds(STRUCK_RISE_FRAMES + 1)).toBeCloseTo(LAG_SECONDS_PER_RISE_FRAME, 12);
    expect(attackLagSeconds(STRUCK_RISE_FRAMES + 100)).toBe(MAX_ATTACK_LAG_SECONDS);
    expect(attackLagSeconds(3, { struckRiseFrames: 2, secondsPerFrame: 0.01 })).toBeCloseTo(0.01, 12);
  });
});

describe('atAttackOnsets', () => {
  /** Features whose frame f holds the value f in every slot, with a measured rise. */
  function ramp(riseFrames: number): Features {
    const frames = 50;
    const fill = (w: number): Float32Array =>
      Float32Array.from({ length: frames * w }, (_, k) => Math.floor(k / w));
    return {
      frames,
      hopSeconds: 0.02,
      chroma: fill(12),
      onset: fill(12),
      energy: fill(1),
      notes: fill(NUM_PITCHES),
      attackRiseFrames: riseFrames,
    };
  }

  it('reads a swelling recording earlier, every feature by the same whole frames, at most its cap', () => {
    const perf = ramp(STRUCK_RISE_FRAMES + 10);
    const moved = atAttackOnsets(perf);
    const d = Math.round(MAX_ATTACK_LAG_SECONDS / 0.02);
    expect(moved.lagFrames).toBe(d);
    expect(moved.perf.chroma[3 * 12]).toBe(3 + d);
    expect(moved.perf.onset[3 * 12 + 5]).toBe(3 + d);
    expect(moved.perf.energy[3]).toBe(3 + d);
    expect(moved.perf.notes?.[3 * NUM_PITCHES + 40]).toBe(3 + d);
    // The last frames repeat the last one.
    expect(moved.perf.chroma[(perf.frames - 1) * 12]).toBe(perf.frames - 1);
    expect(atAttackOnsets(perf, false).perf).toBe(perf);
  });

  it('leaves a struck recording where it is', () => {
    const perf = ramp(STRUCK_RISE_FRAMES - 0.5);
    const out = atAttackOnsets(perf);
    expect(out.lagFrames).toBe(0);
    expect(out.perf).toBe(perf);
  });
});
