import { describe, expect, it } from 'vitest';
import { playParts, syntheticScore, warpFeatures } from '../align/synthetic.js';
import { segments } from '../path.js';
import { neuralTarget } from './input.js';
import type { NeuralRunner } from './route.js';
import {
  DEFAULT_NEURAL_JUMP,
  agreement,
  alignNeural,
  arbiterPrice,
  alignNeuralJump,
  findPasses,
  jumpPenaltyProfile,
  networkJumpTargets,
  medianFilter,
  meanPathCost,
  routeFromRows,
} from './route.js';
import type { AlignmentPath } from '../path.js';

/**
 * Stand-in for the network that knows the true warp: it returns what a perfect model would
 * (`neuralTarget` of the truth, plus a little noise), so these tests exercise the route logic alone.
 */
function oracle(warp: Float64Array, scoreFrames: number, L: number, noise = 0): NeuralRunner {
  return {
    config: { L, version: 'oracle' },
    run: () => {
      const y = neuralTarget(warp, scoreFrames, L);
      for (let i = 0; i < L; i++) y[i] += noise * Math.sin(i * 12.9898) * (1 / L);
      return Promise.resolve(y);
    },
  };
}

describe('findPasses', () => {
  it('splits a curve at a step back and at a big step forward, not at jitter', () => {
    const L = 64;
    const row = new Float64Array(L);
    for (let i = 0; i < L; i++) row[i] = i < 20 ? i * 10 : i < 40 ? (i - 15) * 10 : (i + 10) * 10;
    row[30] += 6; // jitter below a cell
    const passes = findPasses(row, 6400, 640, 0.0232);
    expect(passes.map((p) => p.first)).toEqual([0, 20, 40]);
  });

  it('median filter removes a one-row spike and keeps a step', () => {
    const x = Float64Array.from([0, 1, 2, 50, 4, 5, 6, 7, 100, 101, 102, 103]);
    const m = medianFilter(x, 2);
    expect(m[3]).toBeLessThan(10);
    expect(m[10]).toBeGreaterThan(90);
  });
});

describe('routeFromRows', () => {
  it('gives contiguous passes over all perf frames, snapped to jump points', () => {
    const L = 32;
    const row = Float64Array.from({ length: L }, (_, i) => (i < 16 ? i * 20 + 10 : (i - 10) * 20 + 10));
    const passes = findPasses(row, 3200, 640, 0.0232);
    const route = routeFromRows(row, passes, 3200, 640, [0, 120, 330, 640]);
    expect(route.segments.length).toBe(2);
    expect(route.segments[0].perfStart).toBe(0);
    expect(route.segments[1].perfStart).toBe(route.segments[0].perfEnd);
    expect(route.segments[1].perfEnd).toBe(3200);
    expect(route.segments[1].scoreStart).toBe(120);
  });
});

describe('alignNeural', () => {
  const score = syntheticScore(6000, 5);
  const hop = score.hopSeconds;
  const jumpPoints: number[] = [];
  for (let f = 0; f <= 6000; f += 90) jumpPoints.push(f * hop);
  const warp = playParts(
    [
      [0, 3960],
      [1980, 6000],
    ],
    1.1,
    11,
  ); // A B (repeat B) C
  const perf = warpFeatures(score, warp, 0.1, 4);
  const trueJump = warp.findIndex((v, i) => i > 0 && v < warp[i - 1] - 5);

  it('follows a repeat from a (noisy) route and refines it to frame accuracy', async () => {
    const path = await alignNeural(perf, score, oracle(warp, 6000, 256, 1), {
      jumpPointsSeconds: jumpPoints,
    });
    expect(path.method).toBe('neural');
    expect(path.modelVersion).toBe('oracle');
    expect(path.scoreTime.length).toBe(perf.frames);
    expect(segments(path).length).toBe(2);
    expect(Math.abs(path.jumpFrames[0] - trueJump)).toBeLessThan(0.2 / hop);
    let err = 0;
    for (let i = 0; i < warp.length; i++) err += Math.abs(path.scoreTime[i] / hop - warp[i]);
    expect(err / warp.length).toBeLessThan(3);
    expect(path.confidence.length).toBe(perf.frames);
  });

  it('raw mode interpolates the network rows without refinement', async () => {
    const path = await alignNeural(perf, score, oracle(warp, 6000, 256), { raw: true });
    expect(path.scoreTime.length).toBe(perf.frames);
    expect(path.jumpFrames.length).toBe(1);
    expect(Math.abs(path.jumpFrames[0] - trueJump)).toBeLessThan(perf.frames / 256 + 1);
    let err = 0;
    for (let i = 0; i < warp.length; i++) err += Math.abs(path.scoreTime[i] / hop - warp[i]);
    expect(err / warp.length).toBeLessThan(6000 / 256);
  });

  it.each([
    ['the refined route', alignNeural],
    ['the network-steered jump search', alignNeuralJump],
  ] as const)(
    '%s drops a jump the features do not support (a network seeing a repeat that is not there)',
    async (_, align) => {
      const straight = playParts([[0, 6000]], 1.1, 21);
      const perf2 = warpFeatures(score, straight, 0.1, 6);
      const wrong = Float64Array.from(straight, (v, i) => (i < straight.length / 2 ? v : v - 1500));
      const path = await align(perf2, score, oracle(wrong, 6000, 256), { jumpPointsSeconds: jumpPoints });
      expect(path.jumpFrames).toEqual([]);
      let err = 0;
      for (let i = 0; i < straight.length; i++) err += Math.abs(path.scoreTime[i] / hop - straight[i]);
      expect(err / straight.length).toBeLessThan(3);
    },
  );

  it('neural-guided jump search follows the repeat the network sees, to frame accuracy', async () => {
    const path = await alignNeuralJump(perf, score, oracle(warp, 6000, 256, 1), {
      jumpPointsSeconds: jumpPoints,
    });
    expect(path.method).toBe('neural');
    expect(path.modelVersion).toBe('oracle');
    expect(path.jumpFrames.length).toBe(1);
    expect(Math.abs(path.jumpFrames[0] - trueJump)).toBeLessThan(0.2 / hop);
    let err = 0;
    for (let i = 0; i < warp.length; i++) err += Math.abs(path.scoreTime[i] / hop - warp[i]);
    expect(err / warp.length).toBeLessThan(3);
    expect(path.confidence.length).toBe(perf.frames);
  });

  it('the network decides where a jump may be: with jumps dear elsewhere, only its window allows one', async () => {
    const params = { nearPenalty: 8, farPenalty: 1e4, windowRows: 4 };
    const seen = await alignNeuralJump(perf, score, oracle(warp, 6000, 256, 1), {
      jumpPointsSeconds: jumpPoints,
      params,
    });
    expect(seen.jumpFrames.length).toBe(1);
    expect(Math.abs(seen.jumpFrames[0] - trueJump)).toBeLessThan(0.2 / hop);
    // A network that sees no repeat (a straight curve) leaves every jump at the far price.
    const blind = playParts([[0, 6000]], 6000 / warp.length, 5);
    const missed = await alignNeuralJump(perf, score, oracle(blind, 6000, 256), {
      jumpPointsSeconds: jumpPoints,
      params,
    });
    expect(missed.jumpFrames).toEqual([]);
  });

  it('where the search alone makes the jump the network sees, the features choose its landing', async () => {
    // The network sees the repeat but lands 180 frames (4 s) early; the search alone lands right.
    const early = Float64Array.from(warp, (v, i) => (i >= trueJump ? v - 180 : v));
    const land = async (targetConfirmed: 'network' | 'union'): Promise<number> => {
      const path = await alignNeuralJump(perf, score, oracle(early, 6000, 256, 1), {
        jumpPointsSeconds: jumpPoints,
        // A free landing in the network's window and dear jumps elsewhere make the pull plain; no
        // arbiter, so that the steered path is the one returned.
        params: { farPenalty: 40, nearPenalty: 40, targetPenalty: 0, targetConfirmed, arbiterJumpCost: -1 },
      });
      expect(path.jumpFrames.length).toBe(1);
      return path.scoreTime[path.jumpFrames[0]] / hop;
    };
    // Kept as the network placed it, the free window pulls the landing off by at least two bars.
    expect(1980 - (await land('network'))).toBeGreaterThanOrEqual(85);
    expect(Math.abs((await land('union')) - 1980)).toBeLessThan(10);
  });

  it("the frames' cost at full resolution arbitrates between the steered path and the search alone's", async () => {
    // The network lands 180 frames (4 s) early and its landing is free: the steered path follows it.
    const early = Float64Array.from(warp, (v, i) => (i >= trueJump ? v - 180 : v));
    const pulled = { farPenalty: 40, nearPenalty: 40, targetPenalty: 0, targetConfirmed: 'network' as const };
    const landing = async (arbiterJumpCost: number): Promise<number> => {
      const path = await alignNeuralJump(perf, score, oracle(early, 6000, 256, 1), {
        jumpPointsSeconds: jumpPoints,
        params: { ...pulled, arbiterJumpCost },
      });
      expect(path.jumpFrames.length).toBe(1);
      return path.scoreTime[path.jumpFrames[0]] / hop;
    };
    expect(1980 - (await landing(-1))).toBeGreaterThanOrEqual(85);
    // Arbitrated, the search alone's landing costs less frame by frame and is kept.
    expect(Math.abs((await landing(30)) - 1980)).toBeLessThan(10);
    // The other way round: a repeat the search alone leaves out (jumps dear but in the network's
    // window) costs less with the jump, so the network's jump stays.
    const kept = await alignNeuralJump(perf, score, oracle(warp, 6000, 256, 1), {
      jumpPointsSeconds: jumpPoints,
      params: { nearPenalty: 8, farPenalty: 1e4, windowRows: 4, arbiterJumpCost: 30 },
    });
    expect(kept.jumpFrames.length).toBe(1);
    expect(Math.abs(kept.jumpFrames[0] - trueJump)).toBeLessThan(0.2 / hop);
  });

  it("pairs the network jumps with the search's own ones by perf window and landing", () => {
    const targets = [
      { perfStart: 100, perfEnd: 200, scoreLo: 500, scoreHi: 600, penalty: 8 },
      { perfStart: 900, perfEnd: 1000, scoreLo: 50, scoreHi: 150, penalty: 8 },
    ];
    const own = [
      { perfFrame: 150, scoreFrame: 640 }, // in the first window, landing 40 past it
      { perfFrame: 950, scoreFrame: 400 }, // in the second window, landing far off
      { perfFrame: 2000, scoreFrame: 10 }, // in no window
    ];
    expect(agreement(targets, own, 50)).toEqual({ confirmed: [0, -1], seen: [true, true, false] });
    expect(agreement(targets, own, 30).confirmed).toEqual([-1, -1]);
  });

  it('makes jumps cheap only around the jumps of the network curve', () => {
    const L = 64;
    const perfFrames = 6400;
    const row = new Float64Array(L);
    for (let i = 0; i < L; i++) row[i] = i < 20 ? i * 10 : (i - 15) * 10; // one step back between rows 19 and 20
    const params = {
      ...DEFAULT_NEURAL_JUMP,
      nearPenalty: 3,
      farPenalty: 30,
      windowRows: 2,
      targetPenalty: 1,
      targetSeconds: 0.5,
    };
    const { profile, jumpRows } = jumpPenaltyProfile(row, perfFrames, 640, 0.0232, params);
    // The targeted window: the same rows, landing around the curve's row-20 position (50 score frames).
    const [target] = networkJumpTargets(row, perfFrames, 640, 0.0232, params);
    expect(target).toMatchObject({ perfStart: 1800, perfEnd: 2200, penalty: 1 });
    expect(target.scoreLo).toBeLessThanOrEqual(50 - 10);
    expect(target.scoreHi).toBeGreaterThanOrEqual(50 + 10);
    expect(target.scoreHi - target.scoreLo).toBeLessThanOrEqual(2 * (0.5 / 0.0232) + 2);
    expect(jumpRows).toEqual([20]);
    expect(profile.length).toBe(perfFrames);
    // Rows 18 … 21 (frames 1800 … 2199) are the window; the rest costs the far penalty.
    expect(profile[1799]).toBe(30);
    expect(profile[1800]).toBe(3);
    expect(profile[2000]).toBe(3);
    expect(profile[2199]).toBe(3);
    expect(profile[2200]).toBe(30);
    const flat = jumpPenaltyProfile(
      Float64Array.from(row.keys(), (i) => i * 10),
      perfFrames,
      640,
      0.0232,
      DEFAULT_NEURAL_JUMP,
    );
    expect(flat.jumpRows).toEqual([]);
    expect(flat.profile.every((v) => v === DEFAULT_NEURAL_JUMP.farPenalty)).toBe(true);
  });

  it('rejects a model output of the wrong length', async () => {
    const bad: NeuralRunner = {
      config: { L: 64, version: 'x' },
      run: () => Promise.resolve(new Float32Array(10)),
    };
    await expect(alignNeural(perf, score, bad)).rejects.toThrow(/expected L = 64/);
  });
});

describe('arbiterPrice', () => {
  // A score with a rest at frames 300 … 339, and a recording that opens with 40 frames of silence
  // and then plays the score from its start to its end.
  const score = syntheticScore(600, 11);
  const uniform = 1 / Math.sqrt(12);
  for (let f = 300; f < 340; f++)
    for (let c = 0; c < 12; c++) {
      score.chroma[f * 12 + c] = uniform;
      score.onset[f * 12 + c] = 0;
    }
  const warp = Float64Array.from({ length: 640 }, (_, i) => (i < 40 ? 300 + i : i - 40));
  const perf = warpFeatures(score, warp, 0);
  const path = (scoreFrames: (i: number) => number, jumpFrames: number[]): AlignmentPath => ({
    hopSeconds: perf.hopSeconds,
    scoreTime: Float64Array.from({ length: perf.frames }, (_, i) => scoreFrames(i) * score.hopSeconds),
    confidence: new Float32Array(perf.frames),
    jumpFrames,
    method: 'auto',
  });
  // The true path holds the score's start through the silence; the other lays the silence on the
  // rest, then jumps to the start.
  const held = path((i) => Math.max(0, i - 40), []);
  const onRest = path((i) => (i < 40 ? 300 + i : i - 40), [40]);

  it('leaves the silence before the music out, and charges an entry into the score as a jump', () => {
    // Over every frame the path on the rest costs less: what the arbiter must not reward.
    expect(meanPathCost(perf, score, onRest)).toBeLessThan(meanPathCost(perf, score, held));
    // Over the sounding frames both cost the same; the other pays its jump and its late entry.
    expect(arbiterPrice(perf, score, onRest, 30) - arbiterPrice(perf, score, held, 30)).toBeCloseTo(60, 6);
    expect(arbiterPrice(perf, score, onRest, 0)).toBeCloseTo(arbiterPrice(perf, score, held, 0), 6);
  });

  it('charges a path that stops before the score ends as a jump', () => {
    const short = path((i) => Math.min(500, Math.max(0, i - 40)), []);
    const sounding = arbiterPrice(perf, score, short, 0);
    expect(arbiterPrice(perf, score, short, 30)).toBeCloseTo(sounding + 30, 6);
    expect(arbiterPrice(perf, score, held, 30)).toBeCloseTo(arbiterPrice(perf, score, held, 0), 6);
  });
});
