import { describe, expect, it } from 'vitest';
import type { AlignmentPath } from './path.js';
import {
  BRIDGE_MAX_SECONDS,
  delayPath,
  isScorerJump,
  leadJumps,
  pathFromFramePairs,
  pathToRows,
  perfTimesOfScoreTime,
  scoreTimeAt,
  segments,
  withSilentEdges,
} from './path.js';

const hop = 0.5;

/** Path A(0..4 s) then back to 1 s: frames 0..4 score 0,0.5,…,2; frames 5..8 score 1,1.5,2,2.5. */
function repeatPath(): AlignmentPath {
  const scoreTime = Float64Array.from([0, 0.5, 1, 1.5, 2, 1, 1.5, 2, 2.5]);
  return {
    hopSeconds: hop,
    scoreTime,
    confidence: new Float32Array(9).fill(1),
    jumpFrames: [5],
    method: 'dtw',
  };
}

describe('isScorerJump', () => {
  it('treats going back by more than 0.25 s as a jump, not by exactly 0.25 s', () => {
    expect(isScorerJump(0, 1, 0.02, 0.75)).toBe(false);
    expect(isScorerJump(0, 1, 0.02, 0.7499)).toBe(true);
  });
  it('allows forward moves up to 1 s + 4 × Δperf', () => {
    expect(isScorerJump(0, 0, 0.5, 3)).toBe(false);
    expect(isScorerJump(0, 0, 0.5, 3.0001)).toBe(true);
    expect(isScorerJump(10, 5, 10, 6)).toBe(false);
    expect(isScorerJump(10, 5, 10, 6.01)).toBe(true);
  });
});

describe('segments and rows', () => {
  it('splits at jump frames, end exclusive', () => {
    expect(segments(repeatPath())).toEqual([
      { startFrame: 0, endFrame: 5 },
      { startFrame: 5, endFrame: 9 },
    ]);
  });
  it('gives one row per frame, the jump as two consecutive rows', () => {
    const rows = pathToRows(repeatPath());
    expect(rows).toHaveLength(9);
    expect(rows[4]).toEqual({ perfTime: 2, scoreTime: 2, frame: 4 });
    expect(rows[5]).toEqual({ perfTime: 2.5, scoreTime: 1, frame: 5 });
    expect(isScorerJump(rows[4].perfTime, rows[4].scoreTime, rows[5].perfTime, rows[5].scoreTime)).toBe(true);
  });
});

describe('pathToRows inside a pass', () => {
  /** A pass racing 3.4 s through the score between frames 2 and 3 (a rest cut short), then a real jump back at frame 5. */
  function racingPath(): AlignmentPath {
    const h = 0.02;
    return {
      hopSeconds: h,
      scoreTime: Float64Array.from([0, 0.02, 0.04, 3.44, 3.46, 0.5, 0.52]),
      confidence: new Float32Array(7).fill(1),
      jumpFrames: [5],
      method: 'dtw',
    };
  }
  it('bridges a step the scorer would read as a jump, on the straight line between the frames', () => {
    const rows = pathToRows(racingPath());
    const jumps = rows.flatMap((r, k) =>
      k > 0 && isScorerJump(rows[k - 1].perfTime, rows[k - 1].scoreTime, r.perfTime, r.scoreTime) ? [k] : [],
    );
    // Only the real jump (frame 4 → 5) is a jump by the scorer's rule.
    expect(jumps).toHaveLength(1);
    expect(rows[jumps[0] - 1]).toMatchObject({ perfTime: 0.08, scoreTime: 3.46, frame: 4 });
    const bridge = rows.filter((r) => r.perfTime > 0.04 + 1e-9 && r.perfTime < 0.06 - 1e-9);
    expect(bridge.length).toBeGreaterThanOrEqual(3);
    for (const r of bridge) {
      expect(r.frame).toBe(2);
      expect(r.scoreTime).toBeCloseTo(0.04 + ((r.perfTime - 0.04) / 0.02) * 3.4, 9);
    }
    // Every frame keeps its own row and value.
    expect(rows.filter((r) => r.frame === 3 && r.perfTime === 0.06)).toEqual([
      { perfTime: 0.06, scoreTime: 3.44, frame: 3 },
    ]);
  });
  it('leaves a race of more than BRIDGE_MAX_SECONDS to read as the skip it is', () => {
    const p = racingPath();
    const scoreTime = Float64Array.from(p.scoreTime, (q, f) =>
      f >= 3 && f < 5 ? q + BRIDGE_MAX_SECONDS : q,
    );
    const rows = pathToRows({ ...p, scoreTime });
    expect(rows.map((r) => r.frame)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
  it('leaves a plain pass one row per frame', () => {
    const p = repeatPath();
    const rows = pathToRows({ ...p, scoreTime: p.scoreTime.subarray(0, 5), jumpFrames: [] });
    expect(rows.map((r) => r.frame)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('scoreTimeAt', () => {
  it('interpolates within a pass, holds across a jump and clamps at the ends', () => {
    const p = repeatPath();
    expect(scoreTimeAt(p, 0.25)).toBeCloseTo(0.25);
    expect(scoreTimeAt(p, 2.25)).toBeCloseTo(2);
    expect(scoreTimeAt(p, 2.75)).toBeCloseTo(1.25);
    expect(scoreTimeAt(p, -1)).toBe(0);
    expect(scoreTimeAt(p, 100)).toBe(2.5);
  });
});

describe('perfTimesOfScoreTime', () => {
  it('finds one perf time per pass that covers the score time', () => {
    const p = repeatPath();
    const t = perfTimesOfScoreTime(p, 1.25);
    expect(t).toHaveLength(2);
    expect(t[0]).toBeCloseTo(1.25);
    expect(t[1]).toBeCloseTo(2.75);
    expect(perfTimesOfScoreTime(p, 0.25)).toHaveLength(1);
    expect(perfTimesOfScoreTime(p, 2.5)).toEqual([4]);
    expect(perfTimesOfScoreTime(p, 3)).toEqual([]);
  });
});

describe('pathFromFramePairs', () => {
  it('averages score frames of one perf frame and interpolates runs of perf frames', () => {
    // Perf twice as slow for frames 0..5, then a horizontal run at perf frame 6.
    const perf = [0, 1, 2, 3, 4, 5, 6, 6, 6, 7];
    const score = [0, 0, 1, 1, 2, 2, 3, 4, 5, 6];
    const p = pathFromFramePairs(perf, score, { perfFrames: 8, hopSeconds: 1, method: 'dtw' });
    // The opening run (frames 0, 1 on score 0) anchors at its end.
    const expected = [0, 0, 2 / 3, 1.25, 1.75, 2 + 2 / 3, 4, 6];
    expected.forEach((v, f) => expect(p.scoreTime[f]).toBeCloseTo(v, 9));
    expect(p.jumpFrames).toEqual([]);
  });
  it('detects a jump back by the scorer rule and keeps both sides', () => {
    const perf = [0, 1, 2, 3, 4, 5, 6];
    const score = [0, 1, 2, 3, 0, 1, 2];
    const p = pathFromFramePairs(perf, score, {
      perfFrames: 7,
      hopSeconds: 0.1,
      scoreHopSeconds: 0.5,
      method: 'jump',
    });
    expect(p.jumpFrames).toEqual([4]);
    expect(p.scoreTime[3]).toBeCloseTo(1.5);
    expect(p.scoreTime[4]).toBeCloseTo(0);
    expect(segments(p)).toEqual([
      { startFrame: 0, endFrame: 4 },
      { startFrame: 4, endFrame: 7 },
    ]);
  });
  it('uses explicit jump pairs and holds frames no pair covers', () => {
    const p = pathFromFramePairs([2, 3, 4, 5], [10, 11, 5, 6], {
      perfFrames: 8,
      hopSeconds: 1,
      method: 'jump',
      jumpPairs: [2],
    });
    expect(p.jumpFrames).toEqual([4]);
    expect(Array.from(p.scoreTime)).toEqual([10, 10, 10, 11, 5, 6, 6, 6]);
  });
  it('rejects decreasing perf frames', () => {
    expect(() =>
      pathFromFramePairs([0, 2, 1], [0, 1, 2], { perfFrames: 3, hopSeconds: 1, method: 'dtw' }),
    ).toThrow(/must not decrease/);
  });
});

describe('leadJumps', () => {
  const hop = 0.02;
  /** 0 … 99 play score 0.02·f; frames 100 … 199 play score 50 + 0.01·(f − 100). */
  function twoPasses(): AlignmentPath {
    const scoreTime = new Float64Array(200);
    for (let f = 0; f < 200; f++) scoreTime[f] = f < 100 ? f * hop : 50 + 0.01 * (f - 100);
    const confidence = new Float32Array(200).fill(0.9);
    confidence.fill(0.4, 100);
    return { hopSeconds: hop, scoreTime, confidence, jumpFrames: [100], method: 'jump' };
  }
  it('moves the cut earlier and continues the new pass backwards at its tempo', () => {
    const path = leadJumps(twoPasses(), 3);
    expect(path.jumpFrames).toEqual([97]);
    expect(path.scoreTime[96]).toBeCloseTo(96 * hop, 9);
    for (const f of [97, 98, 99]) {
      expect(path.scoreTime[f]).toBeCloseTo(50 - 0.01 * (100 - f), 9);
      expect(path.confidence[f]).toBeCloseTo(0.4, 6);
    }
    // The first beat of the new pass, a frame before the old cut, now reads the new pass.
    expect(scoreTimeAt(path, 99.5 * hop)).toBeCloseTo(49.995, 6);
  });
  it('takes at most half of a short pass before it, and leaves a path without jumps alone', () => {
    const short = twoPasses();
    short.jumpFrames = [4, 100];
    expect(leadJumps(short, 10).jumpFrames).toEqual([2, 90]);
    const plain = twoPasses();
    plain.jumpFrames = [];
    const before = Float64Array.from(plain.scoreTime);
    expect(leadJumps(plain, 3).scoreTime).toEqual(before);
  });
});

describe('delayPath', () => {
  it('reads each pass later by interpolating inside it, and keeps the jump where it is', () => {
    // repeatPath: 1 s of score per second in both passes, hop 0.5 s; delay by 0.1 s.
    const path = delayPath(repeatPath(), 0.1);
    expect(path.jumpFrames).toEqual([5]);
    const expected = [0, 0.4, 0.9, 1.4, 1.9, 0.9, 1.4, 1.9, 2.4];
    expected.forEach((x, f) => expect(path.scoreTime[f]).toBeCloseTo(x, 9));
    // The prediction at a time inside a pass moves 0.1 s of score back; across the cut it stays a jump.
    expect(scoreTimeAt(path, 1.25)).toBeCloseTo(1.15, 9);
    expect(path.scoreTime[5] - path.scoreTime[4]).toBeLessThan(-0.5);
  });
  it('changes nothing with no delay, and keeps every pass non-decreasing', () => {
    const before = repeatPath();
    expect(Array.from(delayPath(repeatPath(), 0).scoreTime)).toEqual(Array.from(before.scoreTime));
    const held = repeatPath();
    held.scoreTime.set([1, 1, 1], 1);
    const out = delayPath(held, 0.3).scoreTime;
    for (let f = 1; f < 5; f++) expect(out[f]).toBeGreaterThanOrEqual(out[f - 1]);
  });
});

describe('withSilentEdges', () => {
  it('widens a path of the music to the whole recording, holding its ends through the silence', () => {
    const wide = withSilentEdges(repeatPath(), 3, 14);
    expect(Array.from(wide.scoreTime)).toEqual([0, 0, 0, 0, 0.5, 1, 1.5, 2, 1, 1.5, 2, 2.5, 2.5, 2.5]);
    expect(wide.jumpFrames).toEqual([8]);
    expect(wide.confidence).toHaveLength(14);
    expect(wide.hopSeconds).toBe(hop);
    expect(wide.method).toBe('dtw');
  });
  it('returns a path that already covers the recording as it is', () => {
    const path = repeatPath();
    expect(withSilentEdges(path, 0, 9)).toBe(path);
  });
});
