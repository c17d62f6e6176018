import { describe, expect, it } from 'vitest';
import type { AlignmentPath } from '../../../shared/path';
import type { ScoreMeasure } from '../../../shared/score';
import { parseBarRange, perfRangesOf, splitBars } from './barRange';

/** Bars 1..n of 2 s each, bars 1–2 repeated (played order 1 2 1 2 3 4). */
const measures: ScoreMeasure[] = ['1', '2', '1', '2', '3', '4'].map((number, index) => ({
  index,
  number,
  start: index * 2,
  end: index * 2 + 2,
  timeSignature: [4, 4],
}));
const score = { measures };

describe('parseBarRange', () => {
  it('reads hyphen, en dash, em dash, "to" and a single bar', () => {
    for (const t of ['3-4', '3–4', ' 3 — 4 ', '3 to 4', '3..4'])
      expect(parseBarRange(score, t)).toEqual({
        ok: true,
        range: { first: '3', last: '4', startScore: 8, endScore: 12 },
      });
    expect(parseBarRange(score, '2')).toEqual({
      ok: true,
      range: { first: '2', last: '2', startScore: 2, endScore: 4 },
    });
  });

  it('takes the first played pass of a repeated bar and the end at or after it', () => {
    expect(parseBarRange(score, '2-1')).toMatchObject({ ok: true, range: { startScore: 2, endScore: 6 } });
    expect(parseBarRange(score, '1-3')).toMatchObject({ ok: true, range: { startScore: 0, endScore: 10 } });
  });

  it('explains bad input', () => {
    expect(parseBarRange(score, '')).toEqual({
      ok: false,
      error: 'Expected bars as first–last (e.g. 2-4) or one bar (e.g. 3), got nothing.',
    });
    expect(parseBarRange(score, '3-x')).toEqual({
      ok: false,
      error: 'Expected bars as first–last (e.g. 2-4) or one bar (e.g. 3), got “3-x”.',
    });
    expect(parseBarRange(score, '9')).toEqual({ ok: false, error: 'This score has no bar 9 (bars 1–4).' });
    expect(parseBarRange(score, '3-12')).toEqual({
      ok: false,
      error: 'This score has no bar 12 (bars 1–4).',
    });
    expect(parseBarRange(score, '4-3')).toEqual({
      ok: false,
      error: 'Bar 3 comes before bar 4: type the first bar first.',
    });
    expect(parseBarRange({ measures: [] }, '1')).toEqual({ ok: false, error: 'This score has no bars.' });
  });
});

function path(scoreTime: number[], jumpFrames: number[] = []): AlignmentPath {
  return {
    hopSeconds: 0.5,
    scoreTime: Float64Array.from(scoreTime),
    confidence: new Float32Array(scoreTime.length).fill(1),
    jumpFrames,
    method: 'dtw',
  };
}

describe('perfRangesOf', () => {
  it('maps a score range through a steady path at half speed', () => {
    // score advances 0.25 s per 0.5 s frame: score s is played at perf 2 s
    const p = path(Array.from({ length: 80 }, (_, f) => f * 0.25));
    const [r] = perfRangesOf(p, 2, 4);
    expect(r.startSeconds).toBeCloseTo(4, 6);
    expect(r.endSeconds).toBeCloseTo(8, 6);
  });

  it('gives one range per pass, the pass nearest the playhead first', () => {
    // plays score 0..5, jumps back to 0 at frame 10, plays 0..5 again
    const pass = Array.from({ length: 10 }, (_, f) => f * 0.5);
    const p = path([...pass, ...pass], [10]);
    const ranges = perfRangesOf(p, 1, 3, 7);
    expect(ranges).toHaveLength(2);
    expect(ranges[0].startSeconds).toBeCloseTo(6, 6);
    expect(ranges[0].endSeconds).toBeCloseTo(8, 6);
    expect(ranges[1].startSeconds).toBeCloseTo(1, 6);
  });

  it('ends a pass that stops inside the range at the end of the pass', () => {
    const p = path(Array.from({ length: 10 }, (_, f) => f * 0.5));
    const [r] = perfRangesOf(p, 2, 10);
    expect(r.startSeconds).toBeCloseTo(2, 6);
    expect(r.endSeconds).toBeCloseTo(5, 6);
  });
});

describe('splitBars', () => {
  it('splits a loop’s bars as the loop stores them', () => {
    expect(splitBars('12-16')).toEqual(['12', '16']);
    expect(splitBars('3')).toEqual(['3', '3']);
    expect(splitBars('2a-4')).toEqual(['2a', '4']);
    expect(splitBars(undefined)).toBeNull();
    expect(splitBars('')).toBeNull();
  });
});
