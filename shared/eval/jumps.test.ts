import { describe, expect, it } from 'vitest';
import { beatIndexOf, jumpFigures, matchJumps, predictedJumps, scoreBeatTimes } from './jumps.js';

describe('jump figures', () => {
  const beats = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

  it('finds the jumps of a path by the scorer rule', () => {
    const rows = [
      { perfTime: 0, scoreTime: 0 },
      { perfTime: 1, scoreTime: 1 },
      { perfTime: 1.02, scoreTime: 0.2 }, // back 0.8 s: a jump
      { perfTime: 2, scoreTime: 1.2 }, // forward 1 s in 0.98 s: continuous
      { perfTime: 2.02, scoreTime: 4 }, // forward 2.8 s in 0.02 s: a jump
    ];
    expect(predictedJumps(rows)).toEqual([
      { perfTime: 1.01, toScoreTime: 0.2 },
      { perfTime: 2.01, toScoreTime: 4 },
    ]);
  });

  it('reads beat indices on the grid and beyond its ends', () => {
    expect(beatIndexOf(beats, 1.25)).toBeCloseTo(2.5);
    expect(beatIndexOf(beats, -0.5)).toBeCloseTo(-1);
    expect(beatIndexOf(beats, 6)).toBeCloseTo(12);
    expect(
      scoreBeatTimes([
        { perfTime: 0, scoreTime: 1 },
        { perfTime: 1, scoreTime: 0 },
        { perfTime: 2, scoreTime: 1 },
      ]),
    ).toEqual([0, 1]);
  });

  it('matches within 1 s and 2 beats, one to one', () => {
    const truth = [
      { perfTime: 10, toScoreTime: 1 },
      { perfTime: 20, toScoreTime: 4 },
    ];
    // Within tolerance; a second claim on the same true jump; too late; lands 3 beats off.
    expect(matchJumps(truth, [{ perfTime: 10.9, toScoreTime: 1.9 }], beats)).toEqual({
      nTrue: 2,
      nPred: 1,
      nMatched: 1,
    });
    expect(
      matchJumps(
        truth,
        [
          { perfTime: 10.2, toScoreTime: 1 },
          { perfTime: 10.4, toScoreTime: 1 },
        ],
        beats,
      ).nMatched,
    ).toBe(1);
    expect(matchJumps(truth, [{ perfTime: 21.2, toScoreTime: 4 }], beats).nMatched).toBe(0);
    expect(matchJumps(truth, [{ perfTime: 20, toScoreTime: 2.5 }], beats).nMatched).toBe(0);
    expect(
      jumpFigures([
        { nTrue: 2, nPred: 4, nMatched: 1 },
        { nTrue: 2, nPred: 0, nMatched: 0 },
      ]),
    ).toMatchObject({ recall: 25, precision: 25 });
    expect(jumpFigures([{ nTrue: 0, nPred: 0, nMatched: 0 }])).toMatchObject({ recall: 100, precision: 100 });
  });
});
