import { describe, expect, it } from 'vitest';
import type { PitchEnergy } from './features.js';
import { NUM_PITCHES } from './params.js';
import {
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
