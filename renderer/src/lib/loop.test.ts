import { describe, expect, it } from 'vitest';
import { passStart, rampedPercent, type LoopSpec } from './loop';

const spec: LoopSpec = { start: 10, end: 14, preRoll: 1, count: null };

describe('loop arithmetic', () => {
  it('starts each pass at A less the pre-roll, never before 0', () => {
    expect(passStart(spec)).toBe(9);
    expect(passStart({ ...spec, start: 0.5 })).toBe(0);
    expect(passStart({ ...spec, preRoll: -3 })).toBe(10);
  });

  it('ramps the speed by the step each pass up (or down) to the target', () => {
    const ramp = { stepPercent: 5, targetPercent: 100 };
    expect([0, 1, 2, 5, 6, 9].map((p) => rampedPercent(75, ramp, p))).toEqual([75, 80, 85, 100, 100, 100]);
    expect(rampedPercent(120, ramp, 3)).toBe(105);
    expect(rampedPercent(120, ramp, 10)).toBe(100);
    expect(rampedPercent(75, null, 4)).toBe(75);
  });
});
