import { describe, expect, it } from 'vitest';
import { syntheticScore, warpFeatures, smoothWarp } from './synthetic.js';
import { pathFit, selectBestPath, JUMP_PENALTY_COST } from './select.js';
import type { AlignmentPath } from '../path.js';

function pathOf(scoreFrames: ArrayLike<number>, hop: number, jumpFrames: number[] = []): AlignmentPath {
  const scoreTime = new Float64Array(scoreFrames.length);
  for (let f = 0; f < scoreTime.length; f++) scoreTime[f] = scoreFrames[f] * hop;
  return { hopSeconds: hop, scoreTime, confidence: new Float32Array(scoreTime.length).fill(1), jumpFrames, method: 'dtw' };
}

describe('path selection', () => {
  const score = syntheticScore(600, 11);
  const warp = smoothWarp(700, 600, 5, 0.3);
  const perf = warpFeatures(score, warp, 0.1, 9);

  it('the true warp explains the recording better than a shifted one', () => {
    const truth = pathOf(warp, score.hopSeconds);
    const shifted = pathOf(Array.from(warp, (w) => Math.min(599, w + 40)), score.hopSeconds);
    const a = pathFit(perf, score, truth);
    const b = pathFit(perf, score, shifted);
    expect(a.meanCost).toBeLessThan(b.meanCost);
    const sel = selectBestPath(perf, score, [shifted, truth]);
    expect(sel.index).toBe(1);
    expect(sel.fits).toHaveLength(2);
  });

  it('penalises jumps: the same cells with a spurious jump rank lower', () => {
    const truth = pathOf(warp, score.hopSeconds);
    const withJump = { ...truth, jumpFrames: [350] };
    const a = pathFit(perf, score, truth);
    const b = pathFit(perf, score, withJump);
    expect(b.meanCost).toBeCloseTo(a.meanCost, 12);
    expect(b.total - a.total).toBeCloseTo(JUMP_PENALTY_COST / 700, 9);
    expect(selectBestPath(perf, score, [withJump, truth]).index).toBe(1);
  });

  it('refuses an empty candidate list', () => {
    expect(() => selectBestPath(perf, score, [])).toThrow(/at least one candidate/);
  });
});
