import { describe, expect, it } from 'vitest';
import {
  barBeatLabel,
  formatTime,
  isJumpFrame,
  measureAt,
  nearest,
  perfTimesOf,
  scoreTimeAt,
} from './timeline';
import type { PathLike } from './timeline';

/** A path at 0.1 s hop: plays score 0..4 s, jumps back to 0 (a repeat), plays 0..4 s again. */
function repeatPath(): PathLike {
  const hop = 0.1;
  const scoreTime: number[] = [];
  for (let f = 0; f < 40; f++) scoreTime.push(f * hop);
  for (let f = 0; f < 40; f++) scoreTime.push(f * hop);
  return { hopSeconds: hop, scoreTime, confidence: scoreTime.map(() => 1), jumpFrames: [40] };
}

describe('timeline', () => {
  it('interpolates score time inside a segment and not across a jump', () => {
    const p = repeatPath();
    expect(scoreTimeAt(p, 1.05)).toBeCloseTo(1.05, 6);
    // frame 39 (score 3.9) → frame 40 (score 0) is a jump: no value in between
    expect(scoreTimeAt(p, 3.95)).toBeCloseTo(3.9, 6);
    expect(scoreTimeAt(p, -3)).toBe(0);
    expect(scoreTimeAt(p, 1e9)).toBeCloseTo(3.9, 6);
  });

  it('finds one performance time per pass of a repeated passage', () => {
    const p = repeatPath();
    const times = perfTimesOf(p, 2.05);
    expect(times).toHaveLength(2);
    expect(times[0]).toBeCloseTo(2.05, 6);
    expect(times[1]).toBeCloseTo(6.05, 6);
    // the landing point of the jump counts as a pass of score time 0
    expect(perfTimesOf(p, 0)).toEqual([0, 4]);
    expect(nearest(times, 5)).toBeCloseTo(6.05, 6);
    expect(nearest(times, 0)).toBeCloseTo(2.05, 6);
    expect(nearest([], 1)).toBeUndefined();
  });

  it('merges crossings of a wobbling path into one pass', () => {
    const p: PathLike = {
      hopSeconds: 0.1,
      scoreTime: [0, 1, 0.9, 1.1, 2],
      confidence: [1, 1, 1, 1, 1],
      jumpFrames: [],
    };
    expect(perfTimesOf(p, 1.0)).toHaveLength(1);
    expect(isJumpFrame(p, 2)).toBe(false);
  });

  it('labels bar.beat and the measure at a score time', () => {
    const score = {
      beats: [
        { time: 0, measure: 0, beat: 1, downbeat: true, label: '1.1' },
        { time: 0.5, measure: 0, beat: 2, downbeat: false, label: '1.2' },
        { time: 1, measure: 1, beat: 1, downbeat: true, label: '2.1' },
      ],
      measures: [
        { index: 0, number: '1', start: 0, end: 1, timeSignature: [2, 4] as [number, number] },
        { index: 1, number: '2', start: 1, end: 2, timeSignature: [2, 4] as [number, number] },
      ],
    };
    expect(barBeatLabel(score, 0.7)).toBe('1.2');
    expect(barBeatLabel(score, 1.2)).toBe('2.1');
    expect(measureAt(score, 1.5)?.number).toBe('2');
    expect(barBeatLabel({ beats: [] }, 3)).toBe('–');
  });

  it('formats times', () => {
    expect(formatTime(65.25)).toBe('1:05.3');
    expect(formatTime(3725)).toBe('1:02:05');
    expect(formatTime(Number.NaN)).toBe('0:00.0');
  });
});
