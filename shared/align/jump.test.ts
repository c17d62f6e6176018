import { describe, expect, it } from 'vitest';
import { segments, type AlignmentPath } from '../path.js';
import { alignDtw, alignSounding, musicRange, musicStart } from './dtw.js';
import { applyJumpCertainty } from './confidence.js';
import { DEFAULT_COST } from './cost.js';
import type { Features } from '../dsp/features.js';
import { NUM_PITCHES } from '../dsp/params.js';
import {
  alignJump,
  cachedGrid,
  coarseGrid,
  coarseGuideFrames,
  coarseJumpPath,
  coarsePenalties,
  coarseRowCosts,
  prefillCoarseCosts,
  prestretchScore,
  type CoarseCostFill,
  DEFAULT_JUMP,
  mergeDetours,
  mergeEdgePasses,
  spliceCatchUps,
  spliceSkips,
  fastRows,
  crawlFrames,
  stretchFactor,
  type CoarseCostCache,
  type CoarseJumpPath,
  type JumpParams,
} from './jump.js';
import { refineRoute } from './refine.js';
import { playParts, smoothWarp, syntheticScore, warpFeatures } from './synthetic.js';
import { sameMusicIndex } from './sameMusic.js';
import { linearWarp } from './scoreWarp.js';
import { xorshift32 } from '../random.js';

function meanError(scoreTime: Float64Array, hop: number, warp: Float64Array): number {
  let s = 0;
  for (let i = 0; i < warp.length; i++) s += Math.abs(scoreTime[i] / hop - warp[i]);
  return s / warp.length;
}

function trueJumps(warp: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 1; i < warp.length; i++) if (Math.abs(warp[i] - warp[i - 1]) > 5) out.push(i);
  return out;
}

const score = syntheticScore(6000, 5);
const hop = score.hopSeconds;
/** Jump points every 90 frames (≈ 2 s "measures"): sections start at 1980 and 3960. */
const jumpPoints: number[] = [];
for (let f = 0; f <= 6000; f += 90) jumpPoints.push(f * hop);
const maxJumpError = 0.2 / hop;

describe('alignJump', () => {
  const cases: Record<string, [number, number][]> = {
    'a repeat (A B A B C)': [
      [0, 1980],
      [0, 3960],
      [3960, 6000],
    ],
    'a skip (A C)': [
      [0, 1980],
      [3960, 6000],
    ],
    'a jump back': [
      [0, 4500],
      [1980, 6000],
    ],
  };
  for (const [label, parts] of Object.entries(cases)) {
    it(`follows ${label} and finds the jump within 200 ms`, () => {
      const warp = playParts(parts, 0.9, 3);
      const perf = warpFeatures(score, warp, 0.3, 7);
      const path = alignJump(perf, score, jumpPoints);
      const truth = trueJumps(warp);
      expect(path.jumpFrames).toHaveLength(truth.length);
      path.jumpFrames.forEach((f, k) => expect(Math.abs(f - truth[k])).toBeLessThanOrEqual(maxJumpError));
      expect(segments(path)).toHaveLength(truth.length + 1);
      expect(meanError(path.scoreTime, hop, warp)).toBeLessThan(1);
      // Classic DTW cannot follow it.
      expect(meanError(alignDtw(perf, score).scoreTime, hop, warp)).toBeGreaterThan(10);
    });
  }

  it('takes no spurious jump on a monotone performance and matches DTW', () => {
    const warp = smoothWarp(7000, 6000, 8, 0.4);
    const perf = warpFeatures(score, warp, 0.4, 9);
    const path = alignJump(perf, score, jumpPoints);
    expect(path.jumpFrames).toEqual([]);
    const dtw = alignDtw(perf, score);
    expect(meanError(path.scoreTime, hop, warp)).toBeLessThan(meanError(dtw.scoreTime, hop, warp) + 0.05);
  });

  it('pays the penalty: with an enormous penalty it stays monotone', () => {
    const warp = playParts(
      [
        [0, 1980],
        [0, 6000],
      ],
      1,
      4,
    );
    const perf = warpFeatures(score, warp, 0.3, 2);
    const coarse = coarseJumpPath(perf, score, jumpPoints, { ...DEFAULT_JUMP, jumpPenalty: 1e9 });
    expect(coarse.jumps).toEqual([]);
    expect(coarseJumpPath(perf, score, jumpPoints).jumps).toHaveLength(1);
  });

  it('shares coarse costs through a cache: the same path, and only for the same features and cost', () => {
    const warp = playParts(
      [
        [0, 1980],
        [0, 6000],
      ],
      1,
      4,
    );
    const perf = warpFeatures(score, warp, 0.3, 2);
    const plain = coarseJumpPath(perf, score, jumpPoints);
    const costs: CoarseCostCache = {};
    const first = coarseJumpPath(perf, score, jumpPoints, DEFAULT_JUMP, { costs });
    expect(costs.costs).toHaveLength(first.cells);
    const second = coarseJumpPath(perf, score, jumpPoints, DEFAULT_JUMP, { costs });
    for (const c of [first, second]) {
      expect(c.scoreFrames).toEqual(plain.scoreFrames);
      expect(c.jumps).toEqual(plain.jumps);
    }
    // The second search reads the cache: zero costs everywhere but the diagonal make it monotone.
    const kept = costs.costs!;
    const M = kept.length / first.perfFrames.length;
    kept.fill(1);
    for (let i = 0; i < first.perfFrames.length; i++) kept[i * M + Math.min(M - 1, i)] = 0;
    costs.searches?.clear(); // else the same search returns its earlier path (next test)
    expect(coarseJumpPath(perf, score, jumpPoints, DEFAULT_JUMP, { costs }).jumps).toEqual([]);
    // Another cost, or other features, computes its own.
    const other = { ...DEFAULT_JUMP, cost: { ...DEFAULT_JUMP.cost, onsetWeight: 0.9 } };
    expect(coarseJumpPath(perf, score, jumpPoints, other, { costs }).jumps).toHaveLength(1);
    expect(costs.costs).not.toBe(kept);
    const perf2 = { ...perf };
    const again: CoarseCostCache = { ...costs, costs: kept };
    expect(coarseJumpPath(perf2, score, jumpPoints, other, { costs: again }).jumps).toHaveLength(1);
  });

  it('pools the grid once per cache, for the same features and the parameters the grid depends on', () => {
    const perf = warpFeatures(score, smoothWarp(5000, 6000, 8, 0.4), 0.3, 5);
    const costs: CoarseCostCache = {};
    const grid = cachedGrid(perf, score, DEFAULT_JUMP, costs);
    expect(grid).toEqual(coarseGrid(perf, score, DEFAULT_JUMP));
    // Parameters the grid does not read leave it as it is; a search pools no other.
    expect(cachedGrid(perf, score, { ...DEFAULT_JUMP, jumpPenalty: 3, maxAdvance: 8 }, costs)).toBe(grid);
    const path = coarseJumpPath(perf, score, jumpPoints, DEFAULT_JUMP, { costs });
    expect(costs.grid?.grid).toBe(grid);
    expect(path.scoreFrames).toEqual(coarseJumpPath(perf, score, jumpPoints).scoreFrames);
    // Another cost, a coarser grid or other features pool again; without a cache, every call does.
    const cost = { ...DEFAULT_JUMP, cost: { ...DEFAULT_JUMP.cost, onsetWeight: 0.5 } };
    expect(cachedGrid(perf, score, cost, costs)).not.toBe(grid);
    const coarser = cachedGrid(perf, score, { ...DEFAULT_JUMP, coarseSeconds: 0.4 }, costs);
    expect(coarser.perfFactor).toBeGreaterThan(grid.perfFactor);
    expect(cachedGrid({ ...perf }, score, DEFAULT_JUMP, costs)).not.toBe(grid);
    expect(cachedGrid(perf, score, DEFAULT_JUMP)).not.toBe(cachedGrid(perf, score, DEFAULT_JUMP));
  });

  it('returns an earlier search’s path for the same inputs, and searches again when any differs', async () => {
    const warp = playParts(
      [
        [0, 1980],
        [0, 6000],
      ],
      1,
      4,
    );
    const perf = warpFeatures(score, warp, 0.3, 2);
    const costs: CoarseCostCache = {};
    const searched = (params: JumpParams): { path: ReturnType<typeof coarseJumpPath>; fresh: boolean } => {
      // A search reports progress from 0; a path returned from the cache reports only its end.
      const reports: number[] = [];
      const path = coarseJumpPath(perf, score, jumpPoints, params, {
        costs,
        onProgress: (x) => reports.push(x),
      });
      return { path, fresh: reports[0] === 0 };
    };
    const first = searched(DEFAULT_JUMP);
    expect(first.fresh).toBe(true);
    expect(first.path.jumps).toHaveLength(1);
    first.path.jumps.length = 0; // what a caller does to its path stays its own
    first.path.scoreFrames.fill(0);
    // The same inputs, the jump price given as a flat profile that prices every row alike.
    const flat = new Float32Array(perf.frames).fill(DEFAULT_JUMP.jumpPenalty);
    const again = searched({ ...DEFAULT_JUMP, jumpPenaltyProfile: flat });
    expect(again.fresh).toBe(false);
    expect(again.path.jumps).toHaveLength(1);
    expect(again.path.scoreFrames).toEqual(coarseJumpPath(perf, score, jumpPoints).scoreFrames);
    // A dear jump anywhere, or another tempo price, is a search of its own.
    const dear = flat.slice().fill(1e6, 0, perf.frames);
    const noJump = searched({ ...DEFAULT_JUMP, jumpPenaltyProfile: dear });
    expect(noJump.fresh).toBe(true);
    expect(noJump.path.jumps).toEqual([]);
    expect(searched({ ...DEFAULT_JUMP, tempoPenalty: 0.3 }).fresh).toBe(true);
    expect(searched({ ...DEFAULT_JUMP, tempoPenalty: 0.3 }).fresh).toBe(false);
    // Costs filled for other features forget the searches made on these.
    const other = warpFeatures(score, warp, 0.3, 9);
    const fill: CoarseCostFill = (grid, cost) => {
      const out = new Float64Array(grid.perf.frames * grid.score.frames);
      coarseRowCosts(grid.perf, grid.score, cost, 0, grid.perf.frames, out);
      return Promise.resolve(out);
    };
    await prefillCoarseCosts(other, score, DEFAULT_JUMP, fill, costs);
    expect(costs.searches).toBeUndefined();
  });

  it('takes a targeted jump only where it lands in its window', () => {
    const warp = playParts(
      [
        [0, 1980],
        [0, 6000],
      ],
      1,
      4,
    );
    const perf = warpFeatures(score, warp, 0.3, 2);
    const cut = trueJumps(warp)[0];
    const dear = { ...DEFAULT_JUMP, jumpPenalty: 1e6 };
    expect(coarseJumpPath(perf, score, jumpPoints, dear).jumps).toEqual([]);
    const window = { perfStart: cut - 40, perfEnd: cut + 40, penalty: 5 };
    const right = coarseJumpPath(perf, score, jumpPoints, {
      ...dear,
      jumpTargets: [{ ...window, scoreLo: 0, scoreHi: 60 }],
    });
    expect(right.jumps).toHaveLength(1);
    expect(right.scoreFrames[right.jumps[0]] * right.scoreFactor).toBeLessThan(60);
    // The same window landing far from the true target buys nothing.
    const wrong = coarseJumpPath(perf, score, jumpPoints, {
      ...dear,
      jumpTargets: [{ ...window, scoreLo: 3000, scoreHi: 3100 }],
    });
    expect(wrong.jumps).toEqual([]);
  });

  it('lands a cut between bar lines on its beat when beats are jump places too', () => {
    // A repeat from frame 2025 back to 1035: both half-way between the 90-frame "bar lines".
    const warp = playParts(
      [
        [0, 2025],
        [1035, 6000],
      ],
      1,
      5,
    );
    const perf = warpFeatures(score, warp, 0.3, 6);
    const beats: number[] = [];
    for (let f = 0; f <= 6000; f += 45) beats.push(f * hop);
    const cut = trueJumps(warp)[0];
    const onBars = alignJump(perf, score, jumpPoints);
    // At a modest off-bar price (the default is dearer, tuned on real recordings).
    const onBeats = alignJump(perf, score, jumpPoints, {
      params: { beatPointsSeconds: beats, offBarPenalty: 2 },
    });
    expect(onBeats.jumpFrames).toHaveLength(1);
    expect(Math.abs(onBeats.jumpFrames[0] - cut)).toBeLessThanOrEqual(maxJumpError);
    expect(onBeats.scoreTime[onBeats.jumpFrames[0]] / hop).toBeCloseTo(1035, -1);
    expect(meanError(onBeats.scoreTime, hop, warp)).toBeLessThan(meanError(onBars.scoreTime, hop, warp));
  });

  it('rates a real jump certain and a jump that changes nothing uncertain', () => {
    const warp = playParts(
      [
        [0, 1980],
        [0, 6000],
      ],
      1,
      4,
    );
    const perf = warpFeatures(score, warp, 0.3, 2);
    const path = alignJump(perf, score, jumpPoints);
    expect(path.jumpFrames).toHaveLength(1);
    const J = path.jumpFrames[0];
    expect(path.confidence[J + 20]).toBeGreaterThan(0.5);
    // The same path with a made-up jump where it runs straight on.
    const fake = {
      ...path,
      confidence: new Float32Array(path.confidence.length).fill(1),
      jumpFrames: [J + 1000],
    };
    expect(applyJumpCertainty(perf, score, fake)[0]).toBeLessThan(0.2);
    expect(fake.confidence[J + 1000]).toBeLessThan(0.2);
    expect(
      applyJumpCertainty(perf, score, {
        ...path,
        confidence: new Float32Array(path.confidence.length).fill(1),
      })[0],
    ).toBeGreaterThan(0.7);
  });

  it('stops when aborted', () => {
    const perf = warpFeatures(score, smoothWarp(3000, 6000, 1, 0.2), 0.1, 1);
    const ctl = new AbortController();
    ctl.abort();
    expect(() => alignJump(perf, score, jumpPoints, { signal: ctl.signal })).toThrow();
  });
});

describe('refineRoute', () => {
  it('starts the first pass with the first onset, not with the noise before it, when it starts the score', () => {
    // 80 frames of hiss (sounding chroma, no key struck), then the score played from its start;
    // the note features hear the first chord at frame 80.
    const music = warpFeatures(score, smoothWarp(3000, 3000, 9, 0.2), 0.2, 4);
    const lead = 80;
    const hiss = xorshift32(12);
    const frames = lead + music.frames;
    const join = (a: Float32Array, width: number, fill: () => number): Float32Array => {
      const out = new Float32Array(frames * width);
      for (let i = 0; i < lead * width; i++) out[i] = fill();
      out.set(a, lead * width);
      return out;
    };
    const notes = new Float32Array(frames * NUM_PITCHES);
    notes[lead * NUM_PITCHES + 39] = 0.9;
    const perf: Features = {
      frames,
      hopSeconds: hop,
      chroma: join(music.chroma, 12, () => 0.2 + 0.2 * hiss()),
      onset: join(music.onset, 12, () => 0.05 * hiss()),
      energy: join(music.energy, 1, () => -11),
      notes,
    };
    const route = { segments: [{ perfStart: 0, perfEnd: frames, scoreStart: 0, scoreEnd: 3000 }] };
    const path = refineRoute(perf, score, route);
    for (let f = 0; f < lead - 1; f++) expect(path.scoreTime[f]).toBe(path.scoreTime[0]);
    expect(path.scoreTime[0]).toBe(0);
    expect(path.scoreTime[lead + 200]).toBeGreaterThan(100 * hop);
    // The music starts a frame before the onset; without note features the hiss counts as sound.
    expect(musicStart(perf)).toBe(lead - 1);
    expect(musicStart({ ...perf, notes: undefined })).toBe(0);
  });

  // Plays 0 … 1980, then jumps back to 990 and plays to the end.
  const warp = playParts(
    [
      [0, 1980],
      [990, 6000],
    ],
    1,
    6,
  );
  const perf = warpFeatures(score, warp, 0.3, 3);
  const cut = trueJumps(warp)[0];
  // The route's cut 30 frames after the true one.
  const route = {
    segments: [
      { perfStart: 0, perfEnd: cut + 30, scoreStart: 0, scoreEnd: 1980 },
      { perfStart: cut + 30, perfEnd: perf.frames, scoreStart: 990, scoreEnd: 6000 },
    ],
  };
  it('moves an inexact cut to the true one and keeps the given score frames of the cut', () => {
    const path = refineRoute(perf, score, route);
    expect(path.jumpFrames).toHaveLength(1);
    expect(Math.abs(path.jumpFrames[0] - cut)).toBeLessThanOrEqual(2);
    expect(path.scoreTime[path.jumpFrames[0] - 1] / hop).toBeCloseTo(1979, 0);
    expect(path.scoreTime[path.jumpFrames[0]] / hop).toBeCloseTo(990, 0);
    expect(meanError(path.scoreTime, hop, warp)).toBeLessThan(1);
  });

  it('finds the same cut and path with its guide stopped at a pooled level', () => {
    const full = refineRoute(perf, score, route);
    const pooled = refineRoute(perf, score, route, { guideFactor: 4 });
    expect(pooled.jumpFrames).toEqual(full.jumpFrames);
    let differ = 0;
    for (let f = 0; f < perf.frames; f++)
      if (Math.abs(pooled.scoreTime[f] - full.scoreTime[f]) > hop / 2) differ++;
    expect(differ).toBeLessThan(perf.frames / 100);
    expect(meanError(pooled.scoreTime, hop, warp)).toBeLessThan(1);
    expect(() => refineRoute(perf, score, route, { guideFactor: 0 })).toThrow(
      /finestFactor must be an integer ≥ 1, got 0/,
    );
  });

  it('moves a landing a bar off onto the true bar line when landings are offered', () => {
    // The route lands a bar (90 frames) late.
    const late = { segments: [route.segments[0], { ...route.segments[1], scoreStart: 1080 }] };
    const bars = Array.from({ length: 67 }, (_, k) => 90 * k);
    const landed = (radiusFrames: number): number => {
      const path = refineRoute(perf, score, late, {
        landings: { frames: bars, extras: bars.map(() => 0), radiusFrames },
      });
      expect(path.jumpFrames).toHaveLength(1);
      return path.scoreTime[path.jumpFrames[0]] / hop;
    };
    expect(landed(0)).toBeCloseTo(1080, 0);
    expect(landed(100)).toBeCloseTo(990, 0);
    // Too far away to be offered: the route's landing stays.
    expect(landed(60)).toBeCloseTo(1080, 0);
  });

  it('moves an exit a bar off onto the frame before the true bar line when exits are offered', () => {
    const bars = Array.from({ length: 67 }, (_, k) => 90 * k);
    const left = (scoreEnd: number, radiusFrames: number): number => {
      const off = { segments: [{ ...route.segments[0], scoreEnd }, route.segments[1]] };
      const path = refineRoute(perf, score, off, {
        exits: { frames: bars.map((b) => b - 1), extras: bars.map(() => 0), radiusFrames },
      });
      expect(path.jumpFrames).toHaveLength(1);
      expect(path.scoreTime[path.jumpFrames[0]] / hop).toBeCloseTo(990, 0);
      expect(Math.abs(path.jumpFrames[0] - cut)).toBeLessThanOrEqual(3);
      return path.scoreTime[path.jumpFrames[0] - 1] / hop;
    };
    // The route leaves a bar late, or a bar early.
    expect(left(2070, 0)).toBeCloseTo(2069, 0);
    expect(left(2070, 100)).toBeCloseTo(1979, 0);
    expect(left(1890, 100)).toBeCloseTo(1979, 0);
    // Too far away to be offered: the route's exit stays.
    expect(left(2070, 60)).toBeCloseTo(2069, 0);
  });

  it('follows a per-frame guide', () => {
    const warp = smoothWarp(4000, 6000, 2, 0.3);
    const perf = warpFeatures(score, warp, 0.3, 4);
    const guide = Float64Array.from(warp, (w) => w + 15);
    const path = refineRoute(
      perf,
      score,
      { segments: [{ perfStart: 0, perfEnd: 4000, scoreStart: 0, scoreEnd: 6000 }] },
      { guide, bandFrames: 30 },
    );
    expect(meanError(path.scoreTime, hop, warp)).toBeLessThan(1);
  });

  it('rejects a route that does not cover the performance', () => {
    const perf = warpFeatures(score, smoothWarp(1000, 6000, 1, 0.2), 0.1, 1);
    expect(() =>
      refineRoute(perf, score, { segments: [{ perfStart: 0, perfEnd: 900, scoreStart: 0, scoreEnd: 6000 }] }),
    ).toThrow(/ends at perf frame 900, expected 1000/);
  });
});

describe('coarsePenalties', () => {
  it('is the fallback without a profile and the lowest value per coarse frame with one', () => {
    expect(Array.from(coarsePenalties(undefined, 10, 3, 4, 15))).toEqual([15, 15, 15, 15]);
    const profile = Float32Array.from([9, 9, 9, 9, 2, 9, 9, 9, 9, 9]);
    // Factor 3 pools frames [0,2), [2,5), [5,8), [8,10) (centred like poolFeatures).
    expect(Array.from(coarsePenalties(profile, 10, 3, 4, 15))).toEqual([9, 2, 9, 9]);
    expect(() => coarsePenalties(profile, 11, 3, 4, 15)).toThrow(/one per performance frame \(11\)/);
  });
});

/** A synthetic score of `frames` frames whose frames [to, to + len) repeat [from, from + len) exactly. */
function scoreWithCopy(frames: number, seed: number, from: number, to: number, len: number): Features {
  const s = syntheticScore(frames, seed);
  for (const key of ['chroma', 'onset'] as const) s[key].copyWithin(to * 12, from * 12, (from + len) * 12);
  s.energy.copyWithin(to, from, from + len);
  return s;
}

/** The score frame a one-jump alignment lands on (5 frames after its jump). */
function landingOf(perf: Features, score: Features, params: Partial<JumpParams>): number {
  const path = alignJump(perf, score, jumpPoints, { params });
  expect(path.jumpFrames).toHaveLength(1);
  return path.scoreTime[path.jumpFrames[0] + 5] / score.hopSeconds;
}

describe('jump distance', () => {
  // Plays 0 … 2220, jumps back to the theme's return at 1620 and stops at 2160: the landing could
  // be either copy of the theme (1620 or 360) at the same price, unless distance breaks the tie.
  const warp = playParts(
    [
      [0, 2220],
      [1620, 2160],
    ],
    0.9,
    5,
  );
  // Frames [1620, 2220) repeat [360, 960) (a returning theme).
  const copy = scoreWithCopy(2400, 11, 360, 1620, 600);
  const perf = warpFeatures(copy, warp, 0.3, 13);
  const landing = (jumpDistancePenalty: number): number => landingOf(perf, copy, { jumpDistancePenalty });
  it('lands on the nearer copy of repeated material, at any positive price', () => {
    expect(DEFAULT_JUMP.jumpDistancePenalty).toBeGreaterThan(0);
    for (const lambda of [DEFAULT_JUMP.jumpDistancePenalty, 0.1, 1])
      expect(Math.abs(landing(lambda) - 1625)).toBeLessThan(20);
  });
  it('is what decides: without a price the tie goes to the far copy here (on the 0.2-s grid)', () => {
    // Without a price the two copies tie and the grid's rounding picks one: on the 0.2-s coarse
    // grid the far one, on the default 0.1-s grid the near one; with the price, the near one on both.
    expect(
      Math.abs(landingOf(perf, copy, { jumpDistancePenalty: 0, coarseSeconds: 0.2 }) - 365),
    ).toBeLessThan(20);
    expect(
      Math.abs(
        landingOf(perf, copy, { jumpDistancePenalty: DEFAULT_JUMP.jumpDistancePenalty, coarseSeconds: 0.2 }) -
          1625,
      ),
    ).toBeLessThan(20);
  });
});

describe('early landing', () => {
  // Plays B (360 … 720), skips C and plays A′ (3600 … 3960). Jumping back to A instead, a place
  // the recording never reached, sounds the same and crosses less of the score.
  const warp = playParts(
    [
      [360, 720],
      [3600, 3960],
    ],
    0.9,
    9,
  );
  // A score A B C A′ D whose frames [3600, 3960) repeat A = [0, 360).
  const score = scoreWithCopy(4300, 17, 0, 3600, 360);
  const perf = warpFeatures(score, warp, 0.3, 21);
  const landing = (earlyLandingPenalty: number): number => landingOf(perf, score, { earlyLandingPenalty });
  it('without a price lands before where the recording starts (the nearer copy)', () => {
    expect(Math.abs(landing(0) - 5)).toBeLessThan(20);
  });
  it('with the default price lands on the copy after it, and keeps the start', () => {
    expect(DEFAULT_JUMP.earlyLandingPenalty).toBeGreaterThan(0);
    expect(Math.abs(landing(DEFAULT_JUMP.earlyLandingPenalty) - 3605)).toBeLessThan(20);
    const path = alignJump(perf, score, jumpPoints);
    expect(Math.abs(path.scoreTime[5] / score.hopSeconds - 365)).toBeLessThan(20);
  });
});

describe('edge passes', () => {
  const route = {
    segments: [
      { perfStart: 0, perfEnd: 80, scoreStart: 0, scoreEnd: 100 },
      { perfStart: 80, perfEnd: 1000, scoreStart: 0, scoreEnd: 920 },
      { perfStart: 1000, perfEnd: 1500, scoreStart: 400, scoreEnd: 900 },
      { perfStart: 1500, perfEnd: 1600, scoreStart: 2000, scoreEnd: 2100 },
    ],
  };
  it('merges a first and a last pass shorter than the minimum into their neighbours, at their tempo', () => {
    const merged = mergeEdgePasses(route, 172, 3000);
    expect(merged.segments).toEqual([
      { perfStart: 0, perfEnd: 1000, scoreStart: 0, scoreEnd: 920 },
      { perfStart: 1000, perfEnd: 1600, scoreStart: 400, scoreEnd: 1000 },
    ]);
  });
  it('keeps every pass at least as long as the minimum, and clips an extension at the score end', () => {
    expect(mergeEdgePasses(route, 80, 3000).segments).toEqual(route.segments);
    expect(mergeEdgePasses(route, 172, 950).segments[1].scoreEnd).toBe(950);
    expect(mergeEdgePasses({ segments: [route.segments[3]] }, 172, 3000).segments).toEqual([
      route.segments[3],
    ]);
  });
  it('merges an edge pass of almost only silence however long, extending its neighbour by what sounds', () => {
    const tail = {
      segments: [
        { perfStart: 0, perfEnd: 1000, scoreStart: 0, scoreEnd: 1000 },
        { perfStart: 1000, perfEnd: 2000, scoreStart: 300, scoreEnd: 400 },
      ],
    };
    // Sound ends 30 frames into the 1000-frame last pass.
    expect(mergeEdgePasses(tail, 172, 3000, [0, 1029]).segments).toEqual([
      { perfStart: 0, perfEnd: 2000, scoreStart: 0, scoreEnd: 1030 },
    ]);
    // A pass sounding for the minimum, or for half its length, is a pass.
    expect(mergeEdgePasses(tail, 172, 3000, [0, 1171]).segments).toEqual(tail.segments);
    const shorter = { segments: [tail.segments[0], { ...tail.segments[1], perfEnd: 1200 }] };
    expect(mergeEdgePasses(shorter, 172, 3000, [0, 1099]).segments).toEqual(shorter.segments);
    expect(mergeEdgePasses(shorter, 172, 3000, [0, 1098]).segments).toHaveLength(1);
    expect(mergeEdgePasses(tail, 172, 3000).segments).toEqual(tail.segments);
  });
});

describe('refinement against the score at the recording’s tempo', () => {
  it('takes the route’s score per performance frame, to the given power', () => {
    const route = {
      segments: [
        { perfStart: 0, perfEnd: 100, scoreStart: 0, scoreEnd: 300 },
        { perfStart: 100, perfEnd: 200, scoreStart: 100, scoreEnd: 200 },
      ],
    };
    // 400 score frames in 200 perf frames: the score is played twice as fast as written.
    expect(stretchFactor(route, 1)).toBeCloseTo(0.5, 12);
    expect(stretchFactor(route, 0.5)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(stretchFactor(route, 0)).toBe(1);
    // Sound only in perf frames 20 … 179: 400 score frames in 160 sounding frames.
    expect(stretchFactor(route, 1, [20, 179])).toBeCloseTo(0.4, 12);
    // A route that holds one score frame through 5,000 perf frames (a search gone astray) or
    // crosses the whole score in one: at most 8 times either way, not 5,000.
    const held = { segments: [{ perfStart: 0, perfEnd: 5000, scoreStart: 700, scoreEnd: 701 }] };
    expect(stretchFactor(held, 1)).toBe(8);
    const rushed = { segments: [{ perfStart: 0, perfEnd: 1, scoreStart: 0, scoreEnd: 5000 }] };
    expect(stretchFactor(rushed, 1)).toBe(1 / 8);
  });

  it('aligns a recording twice as fast as its score against the score played that fast, in score seconds', () => {
    const warp = playParts([[0, 6000]], 2, 13);
    const perf = warpFeatures(score, warp, 0.3, 14);
    const factors: number[] = [];
    const stretchScore = (time: (t: number) => number): Features => {
      const k = time(1);
      expect(time(3)).toBeCloseTo(3 * k, 12);
      factors.push(k);
      return warpedScore(score, time);
    };
    const path = alignJump(perf, score, jumpPoints, {
      params: { refineStretch: 1, refineTempoSeconds: 0 },
      stretchScore,
    });
    expect(factors).toHaveLength(1);
    expect(factors[0]).toBeGreaterThan(0.45);
    expect(factors[0]).toBeLessThan(0.55);
    expect(path.jumpFrames).toEqual([]);
    expect(meanError(path.scoreTime, hop, warp)).toBeLessThan(3);
    // Off, the score is not rendered again.
    alignJump(perf, score, jumpPoints, { params: { refineStretch: 0 }, stretchScore });
    expect(factors).toHaveLength(1);
    // With the tempo taken passage by passage the score is rendered at the coarse search's tempo.
    const local = alignJump(perf, score, jumpPoints, { stretchScore: (time) => warpedScore(score, time) });
    expect(local.jumpFrames).toEqual([]);
    expect(meanError(local.scoreTime, hop, warp)).toBeLessThan(3);
    expect(DEFAULT_JUMP.refineStretch).toBeGreaterThan(0);
  });

  it('stretches ahead the very score the alignment then refines against (prestretchScore)', () => {
    const warp = playParts([[0, 6000]], 2, 13);
    const perf = warpFeatures(score, warp, 0.3, 14);
    const maps: ((t: number) => number)[] = [];
    const stretchScore = (time: (t: number) => number): Features => {
      maps.push(time);
      return warpedScore(score, time);
    };
    const opts = { stretchScore, coarseCosts: {} as CoarseCostCache };
    // Before any search: nothing is made ahead (a search costs far more than the stretch saves).
    expect(prestretchScore(perf, score, jumpPoints, opts)).toBe(false);
    expect(maps).toHaveLength(0);
    // Once the search is in the cache (as the search alone is when the steered search comes).
    const first = alignJump(perf, score, jumpPoints, opts);
    expect(maps).toHaveLength(1);
    expect(prestretchScore(perf, score, jumpPoints, opts)).toBe(true);
    expect(maps).toHaveLength(2);
    const path = alignJump(perf, score, jumpPoints, opts);
    expect(maps).toHaveLength(3);
    for (let t = 0; t < score.frames * hop; t += 1.7) {
      expect(maps[1](t)).toBe(maps[0](t));
      expect(maps[2](t)).toBe(maps[1](t));
    }
    expect(Array.from(path.scoreTime)).toEqual(Array.from(first.scoreTime));
  });
});

/** The score's features with written frame j moved to `time(j · hop) / hop` (nearest written frame per new frame). */
function warpedScore(f: Features, time: (t: number) => number): Features {
  const h = f.hopSeconds;
  const frames = Math.max(1, Math.round(time(f.frames * h) / h));
  const chroma = new Float32Array(frames * 12);
  const onset = new Float32Array(frames * 12);
  const energy = new Float32Array(frames);
  let i = 0;
  for (let y = 0; y < frames; y++) {
    while (i < f.frames - 1 && time((i + 1) * h) / h <= y) i++;
    chroma.set(f.chroma.subarray(i * 12, i * 12 + 12), y * 12);
    onset.set(f.onset.subarray(i * 12, i * 12 + 12), y * 12);
    energy[y] = f.energy[i];
  }
  return { frames, hopSeconds: h, chroma, onset, energy };
}

describe('the refinement at the coarse search’s own tempo (refineTempoSeconds)', () => {
  it('renders each passage of the score at the tempo it is played at, and maps the path back to written seconds', () => {
    const s = syntheticScore(5000, 21);
    // Written tempo, then 2,400 frames three times as fast, then written tempo again.
    const warp = Float64Array.from([
      ...Array.from({ length: 2000 }, (_, i) => i),
      ...Array.from({ length: 800 }, (_, i) => 2000 + 3 * i),
      ...Array.from({ length: 600 }, (_, i) => 4400 + i),
    ]);
    const perf = warpFeatures(s, warp, 0.3, 8);
    const times: ((t: number) => number)[] = [];
    const stretchScore = (time: (t: number) => number): Features => {
      times.push(time);
      return warpedScore(s, time);
    };
    const run = (refineTempoSeconds: number) =>
      alignJump(perf, s, [], { params: { refineStretch: 1, refineTempoSeconds }, stretchScore });
    const error = (p: AlignmentPath, from: number, to: number): number => {
      let e = 0;
      for (let i = from; i < to; i++) e += Math.abs(p.scoreTime[i] / hop - warp[i]);
      return e / (to - from);
    };
    const slope = (time: (t: number) => number, a: number, b: number): number =>
      (time(b * hop) - time(a * hop)) / ((b - a) * hop);
    const local = run(5);
    const one = run(0);
    expect(times).toHaveLength(2);
    // Locally: the slow passages at their written length, the fast one a third as long.
    expect(slope(times[0], 500, 1500)).toBeCloseTo(1, 1);
    expect(slope(times[0], 2400, 4000)).toBeGreaterThan(0.3);
    expect(slope(times[0], 2400, 4000)).toBeLessThan(0.37);
    expect(slope(times[0], 4600, 4900)).toBeCloseTo(1, 1);
    // One factor: 3,400 perf frames for 5,000 score frames everywhere.
    expect(slope(times[1], 500, 1500)).toBeCloseTo(3400 / 5000, 1);
    expect(slope(times[1], 2400, 4000)).toBeCloseTo(3400 / 5000, 1);
    // Either way the path is in written score time, on the music.
    expect(local.jumpFrames).toEqual([]);
    for (const [a, b] of [
      [0, 2000],
      [2000, 2800],
      [2800, 3400],
    ])
      expect(error(local, a, b)).toBeLessThan(3);
    expect(error(one, 2000, 2800)).toBeLessThan(3);
    expect(DEFAULT_JUMP.refineTempoSeconds).toBeGreaterThan(0);
  });
});

describe('coarseGuideFrames', () => {
  it('gives each perf frame its coarse cell’s score frame, and the pass’s line where the cell lies outside the pass', () => {
    // Coarse rows of 4 perf frames and 2 score frames; the last two rows are a spurious landing
    // that the route merged into the pass before it.
    const coarse = {
      perfFactor: 4,
      scoreFactor: 2,
      perfFrames: Int32Array.from([0, 1, 2, 3, 4, 5]),
      scoreFrames: Int32Array.from([0, 2, 4, 6, 40, 41]),
      jumps: [4],
      cells: 0,
    };
    const route = { segments: [{ perfStart: 0, perfEnd: 24, scoreStart: 0, scoreEnd: 24 }] };
    const g = coarseGuideFrames(coarse, route);
    expect(g).toHaveLength(24);
    // Frame f lies in coarse row floor((f + 1) / 4) (pooling centres its cells).
    expect(Array.from(g.subarray(0, 15))).toEqual([0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12]);
    // Rows 4 and 5 land at score 80–82, outside the pass: the pass's straight line instead.
    expect(g[20]).toBeCloseTo(20, 9);
    expect(g[23]).toBeCloseTo(23, 9);
    // A score rendered twice as long doubles the guide.
    expect(coarseGuideFrames(coarse, route, linearWarp(2))[8]).toBe(16);
    expect(coarseGuideFrames(coarse, route, linearWarp(2))[20]).toBeCloseTo(40, 9);
  });
});

describe('the coarse search’s score steps', () => {
  it('follows a recording played 1.8 times faster than the score (2.4 coarse score frames a row) with steps of 2 and 3, unrolled (maxAdvance 4) or not (3)', () => {
    const warp = playParts([[0, 6000]], 1.8, 11);
    const perf = warpFeatures(score, warp, 0.3, 5);
    const run = (maxAdvance: number) =>
      coarseJumpPath(perf, score, jumpPoints, { ...DEFAULT_JUMP, maxAdvance });
    const four = run(4);
    const three = run(3);
    const steps = new Set<number>();
    for (let i = 1; i < four.scoreFrames.length; i++)
      steps.add(four.scoreFrames[i] - four.scoreFrames[i - 1]);
    expect([...steps].sort()).toEqual(expect.arrayContaining([2, 3]));
    expect(four.jumps).toEqual([]);
    // The same path either way: the unrolled step compares what the general loop compares.
    expect(Array.from(four.scoreFrames)).toEqual(Array.from(three.scoreFrames));
    // And it follows the warp: coarse row i covers perf frames around i × perfFactor.
    let err = 0;
    for (let i = 0; i < four.scoreFrames.length; i++) {
      const f = Math.min(warp.length - 1, i * four.perfFactor);
      err += Math.abs(four.scoreFrames[i] * four.scoreFactor - warp[f]);
    }
    expect(err / four.scoreFrames.length).toBeLessThan(2 * four.scoreFactor);
  });
});

describe('a run played three times as fast as written (`advancePower`)', () => {
  // Score frames [2500, 3400) played at three times the tempo of the rest, as performers play a
  // run that the score MIDI writes at the piece's tempo.
  const parts: [number, number, number][] = [
    [0, 2500, 1],
    [2500, 3400, 3],
    [3400, 6000, 1],
  ];
  const warp = Float64Array.from(
    parts.flatMap(([a, b, rate], k) => {
      const w = smoothWarp(Math.round((b - a) / rate), b - a, 3 + k, 0.1);
      return Array.from(w, (x) => a + x);
    }),
  );
  const perf = warpFeatures(score, warp, 0.3, 7);

  it('is skipped at the quadratic price of fast steps, and followed at a linear one', () => {
    const quadratic = coarseJumpPath(perf, score, jumpPoints);
    expect(quadratic.jumps).toHaveLength(1);
    const k = quadratic.jumps[0];
    // A catch-up: it leaves near the run's start and lands in it, forward.
    expect(quadratic.scoreFrames[k - 1] * quadratic.scoreFactor).toBeLessThan(2700);
    expect(quadratic.scoreFrames[k] * quadratic.scoreFactor).toBeGreaterThan(3000);

    const linear = coarseJumpPath(perf, score, jumpPoints, {
      ...DEFAULT_JUMP,
      maxAdvance: 6,
      advancePower: 1,
    });
    expect(linear.jumps).toEqual([]);
    let worst = 0;
    for (let i = 0; i < linear.scoreFrames.length; i++) {
      const f = Math.min(warp.length - 1, i * linear.perfFactor);
      worst = Math.max(worst, Math.abs(linear.scoreFrames[i] * linear.scoreFactor - warp[f]));
    }
    expect(worst).toBeLessThan(20);
  });
  it('is followed by the aligner without a jump (the catch-up search); with that off, skipped', () => {
    const on = alignJump(perf, score, jumpPoints);
    expect(on.jumpFrames).toEqual([]);
    expect(meanError(on.scoreTime, hop, warp)).toBeLessThan(3);
    const off = alignJump(perf, score, jumpPoints, { params: { catchUpSlopeCap: 0 } });
    expect(off.jumpFrames).toHaveLength(1);
    expect(meanError(off.scoreTime, hop, warp)).toBeGreaterThan(5);
  });
});

/** A coarse path on a grid pooled 4 × 3, one score frame a row. */
const coarsePath = (frames: number[], jumps: number[]): CoarseJumpPath => ({
  perfFactor: 4,
  scoreFactor: 3,
  perfFrames: Int32Array.from(frames, (_, i) => i),
  scoreFrames: Int32Array.from(frames),
  jumps,
  cells: 0,
});

/** A cell's cost: how far its column lies from what row r of `truth` really plays. */
const playing =
  (truth: CoarseJumpPath) =>
  (r: number, c: number): number =>
    Math.abs(c - truth.scoreFrames[r]);

describe('catch-up skips (`spliceCatchUps`)', () => {
  const path = coarsePath;
  // `a` lags at 5 and skips to 20; `b` runs there (3–4 frames a row) and meets `a` at 21.
  const a = path([0, 1, 2, 3, 4, 5, 20, 21, 22, 23], [6]);
  const b = path([0, 1, 2, 5, 9, 13, 17, 21, 22, 23], []);

  it('puts the run in place of the skip between the rows where both paths meet, where the run is played', () => {
    const c = spliceCatchUps(a, b, 4, 10, playing(b));
    expect(Array.from(c.scoreFrames)).toEqual([0, 1, 2, 5, 9, 13, 17, 21, 22, 23]);
    expect(c.jumps).toEqual([]);
    // The inputs are not touched.
    expect(a.jumps).toEqual([6]);
    expect(a.scoreFrames[3]).toBe(3);
  });

  it('keeps a true skip: the run leaves the music played and crosses music not played', () => {
    expect(spliceCatchUps(a, b, 4, 10, playing(a))).toBe(a);
  });

  it('keeps the skip where the other path jumps too, does not meet it near, or where it goes back', () => {
    const cost = playing(b);
    expect(spliceCatchUps(a, { ...b, jumps: [5] }, 4, 10, cost)).toBe(a);
    // Meeting again only 4 rows after the skip, with 3 allowed.
    expect(spliceCatchUps(a, b, 4, 3, cost)).toBe(a);
    const back = path([0, 1, 2, 3, 4, 5, 1, 2, 3, 4], [6]);
    const straight = path([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], []);
    expect(spliceCatchUps(back, straight, 4, 10, playing(straight))).toBe(back);
    // A skip of no more than maxAdvance frames is a step, not a skip.
    expect(spliceCatchUps(a, b, 15, 10, cost)).toBe(a);
  });

  it('keeps the skip where the first path jumps again inside the window', () => {
    // A skip to 20, then straight back to 8: `b`, which never leaves, meets `a` only after both.
    const two = path([0, 1, 2, 3, 4, 5, 20, 8, 9, 10], [6, 7]);
    const straight = path([0, 1, 2, 4, 5, 6, 7, 8, 9, 10], []);
    expect(spliceCatchUps(two, straight, 4, 10, playing(straight))).toBe(two);
  });
});

describe('crawled skips (`spliceSkips`)', () => {
  const path = coarsePath;
  it('is jumped by the aligner where the search crawled through it; with that off, crawled', () => {
    // 270 frames (≈ 6 s) skipped; a jump priced far above a crawl through them at 3–4 times the
    // tempo (as where the cells say little: a phone's band, a dull timbre).
    const warp = playParts(
      [
        [0, 2970],
        [3240, 6000],
      ],
      1,
      7,
    );
    const perf = warpFeatures(score, warp, 0.3, 5);
    const params = { tempoPenalty: 0.05, jumpPenalty: 80 };
    const crawled = coarseJumpPath(perf, score, jumpPoints, { ...DEFAULT_JUMP, ...params });
    expect(crawled.jumps).toEqual([]);
    expect(fastRows(crawled, 3).length).toBeGreaterThan(10);
    const on = alignJump(perf, score, jumpPoints, { params });
    expect(on.jumpFrames).toHaveLength(1);
    expect(Math.abs(on.jumpFrames[0] - trueJumps(warp)[0])).toBeLessThan(maxJumpError);
    const off = alignJump(perf, score, jumpPoints, { params: { ...params, skipOutAdvance: 0 } });
    expect(off.jumpFrames).toEqual([]);
    expect(meanError(off.scoreTime, hop, warp)).toBeGreaterThan(meanError(on.scoreTime, hop, warp));
  });

  // `crawl` runs 3–4 frames a row from 3 to 20; `skip` goes on at 4–6 and jumps to 16.
  const crawl = path([0, 1, 2, 3, 6, 10, 13, 16, 20, 21, 22], []);
  const skip = path([0, 1, 2, 3, 4, 5, 6, 16, 20, 21, 22], [7]);

  it('measures the score crawled through beyond the mean tempo, in windows without a jump (`crawlFrames`)', () => {
    // Rows 3–7 advance 3–4 frames: 20 − 3 = 17 frames in 5 rows, 12 beyond one a row.
    expect(crawlFrames(crawl, 5)).toBe(12);
    expect(crawlFrames(crawl, 2)).toBe(5);
    expect(crawlFrames(path([0, 1, 2, 3, 4, 5], []), 3)).toBe(0);
    // A jump inside the window is no crawl: only windows before or after it count.
    expect(crawlFrames(skip, 5)).toBe(0);
  });

  it('puts the skip in place of the crawl where the skip is what was played', () => {
    const c = spliceSkips(crawl, skip, 3, 10, playing(skip));
    expect(Array.from(c.scoreFrames)).toEqual([0, 1, 2, 3, 4, 5, 6, 16, 20, 21, 22]);
    expect(c.jumps).toEqual([7]);
    // The inputs are not touched.
    expect(crawl.jumps).toEqual([]);
    expect(crawl.scoreFrames[4]).toBe(6);
  });

  it('keeps a run played fast: the skip leaves out music that was played', () => {
    expect(spliceSkips(crawl, skip, 3, 10, playing(crawl))).toBe(crawl);
  });

  it('keeps the crawl where it is no crawl, where the paths do not meet near, or where either jumps again', () => {
    const cost = playing(skip);
    // Advancing 4 a row at most is not a crawl at minAdvance 5.
    expect(spliceSkips(crawl, skip, 5, 10, cost)).toBe(crawl);
    // Meeting again 2 rows after the skip, with 1 allowed.
    expect(spliceSkips(crawl, skip, 3, 1, cost)).toBe(crawl);
    const twice = path([0, 1, 2, 3, 4, 5, 9, 16, 20, 21, 22], [6, 7]);
    expect(spliceSkips(crawl, twice, 3, 10, playing(twice))).toBe(crawl);
    const jumping = { ...crawl, jumps: [5] };
    expect(spliceSkips(jumping, skip, 3, 10, cost)).toBe(jumping);
    // A backward jump of the other path is no skip.
    const back = path([0, 1, 2, 3, 4, 5, 6, 2, 20, 21, 22], [7]);
    expect(spliceSkips(crawl, back, 3, 10, playing(back))).toBe(crawl);
  });
});

describe('repeats written out (`straightRepeats`)', () => {
  // A score X A B A′ C whose A′ = [2700, 3600) repeats A = [900, 1800) note for note, and the
  // recording plays X A′ C, skipping A and B. It sounds like X A C, the way a skipped repeat is
  // annotated (the first copy played, then the skip); its A′ is a shade nearer the recording than
  // A (as a performance's dynamics may be), so the search alone takes the early jump.
  const score = scoreWithCopy(4500, 23, 900, 2700, 900);
  const shade = xorshift32(41);
  for (let i = 2700 * 12; i < 3600 * 12; i++)
    score.chroma[i] = Math.max(0, score.chroma[i] + 0.2 * (shade() - 0.5));
  const rnd = xorshift32(29);
  const pitches = Array.from({ length: 225 }, () => 40 + Math.floor(rnd() * 40));
  for (let b = 135; b < 180; b++) pitches[b] = pitches[b - 90];
  const notes = pitches.map((pitch, b) => ({ onset: b * 20 * score.hopSeconds, pitch }));
  const played = playParts(
    [
      [0, 900],
      [2700, 4500],
    ],
    0.9,
    31,
  );
  const perf = warpFeatures(score, played, 0.3, 37);
  // As annotated: X A, then C.
  const warp = played.map((w) => (w >= 2700 && w < 3600 ? w - 1800 : w));
  const inA = warp.findIndex((w) => w >= 1350);

  it('plays the first copy and skips at its end', () => {
    const path = alignJump(perf, score, jumpPoints, { sameMusic: sameMusicIndex(notes) });
    expect(path.jumpFrames).toHaveLength(1);
    expect(Math.abs(path.jumpFrames[0] - trueJumps(warp)[0])).toBeLessThanOrEqual(maxJumpError);
    expect(Math.abs(path.scoreTime[inA] / score.hopSeconds - 1350)).toBeLessThan(20);
    expect(meanError(path.scoreTime, score.hopSeconds, warp)).toBeLessThan(1);
  });

  it('leaves the search’s path (here through the second copy) when the notes do not repeat, or when off', () => {
    const plain = alignJump(perf, score, jumpPoints);
    expect(Math.abs(plain.scoreTime[inA] / score.hopSeconds - 3150)).toBeLessThan(20);
    const other = notes.map((n, b) => ({ ...n, pitch: b >= 135 && b < 180 ? n.pitch + 1 : n.pitch }));
    const path = alignJump(perf, score, jumpPoints, { sameMusic: sameMusicIndex(other) });
    expect(Array.from(path.scoreTime)).toEqual(Array.from(plain.scoreTime));
    const off = alignJump(perf, score, jumpPoints, {
      sameMusic: sameMusicIndex(notes),
      params: { straightRepeats: false },
    });
    expect(Array.from(off.scoreTime)).toEqual(Array.from(plain.scoreTime));
  });
});

describe('mergeDetours', () => {
  const seg = (perfStart: number, perfEnd: number, scoreStart: number, scoreEnd: number) => ({
    perfStart,
    perfEnd,
    scoreStart,
    scoreEnd,
  });

  it('makes one pass of a short excursion and the passes around it when the recording comes back', () => {
    // 0–1000 plays 0–900, 1000–1400 plays 80 frames far back, 1400–2000 goes on 30 frames later.
    const route = {
      segments: [seg(0, 1000, 0, 900), seg(1000, 1400, 5000, 5080), seg(1400, 2000, 930, 1500)],
    };
    expect(mergeDetours(route, 100, 170).segments).toEqual([seg(0, 2000, 0, 1500)]);
    // Off, or the excursion plays too much score, or the recording goes on elsewhere: unchanged.
    expect(mergeDetours(route, 0, 170).segments).toEqual(route.segments);
    expect(mergeDetours(route, 80, 170).segments).toEqual(route.segments);
    expect(mergeDetours(route, 100, 20).segments).toEqual(route.segments);
    const back = { segments: [route.segments[0], route.segments[1], seg(1400, 2000, 600, 1200)] };
    expect(mergeDetours(back, 100, 170).segments).toEqual(back.segments);
  });

  it('keeps true jumps around a detour and merges detours one after another', () => {
    const route = {
      segments: [
        seg(0, 500, 2000, 2500), // a true jump follows
        seg(500, 1000, 0, 500),
        seg(1000, 1100, 4000, 4050), // detour
        seg(1100, 1500, 520, 900),
        seg(1500, 1600, 3000, 3040), // detour
        seg(1600, 2000, 950, 1300),
      ],
    };
    expect(mergeDetours(route, 100, 170).segments).toEqual([
      seg(0, 500, 2000, 2500),
      seg(500, 2000, 0, 1300),
    ]);
  });
});

describe('alignSounding: the silence before and after the music', () => {
  // A score whose frames 340 … 599 repeat 40 … 299 after a rest (300 … 339), and a recording that
  // plays it through between 200 frames of silence at each end.
  const score = syntheticScore(600, 5);
  const uniform = 1 / Math.sqrt(12);
  for (let f = 300; f < 600; f++) {
    for (let c = 0; c < 12; c++) {
      score.chroma[f * 12 + c] = f < 340 ? uniform : score.chroma[(f - 300) * 12 + c];
      score.onset[f * 12 + c] = f < 340 ? 0 : score.onset[(f - 300) * 12 + c];
    }
    score.energy[f] = f < 340 ? -23 : score.energy[f - 300];
  }
  const hop = score.hopSeconds;
  const jumpPoints = [0, 40 * hop, 300 * hop, 340 * hop, 600 * hop];
  const n = 1000;
  const perf = warpFeatures(
    score,
    Float64Array.from({ length: n }, (_, i) => Math.min(599, Math.max(0, i - 200))),
    0.1,
  );
  /** Makes frames from … to − 1 of `f` silent (the features' uniform chroma, no onsets). */
  const silence = (f: Features, from: number, to: number): void => {
    f.chroma.fill(uniform, from * 12, to * 12);
    f.onset.fill(0, from * 12, to * 12);
  };
  silence(perf, 0, 200);
  silence(perf, 800, n);
  const error = (scoreTime: Float64Array): number => {
    let s = 0;
    for (let i = 200; i < 800; i++) s += Math.abs(scoreTime[i] / hop - (i - 200));
    return s / 600;
  };

  it('aligns the music alone and holds the ends through the silence', async () => {
    // Priced frame by frame against the score's notes, the silence is cheaper on the rest: the
    // search alone plays the repeat as a jump back and ends there. Priced alike against every
    // score frame on the coarse grid (`coarsePauseCost`, the default), it says nothing of where
    // the music is, and the search plays on to the end.
    const priced = alignJump(perf, score, jumpPoints, {
      params: { cost: { ...DEFAULT_COST, coarsePauseCost: undefined } },
    });
    expect(priced.scoreTime[n - 1] / hop).toBeLessThan(340);
    const whole = alignJump(perf, score, jumpPoints);
    expect(whole.jumpFrames).toEqual([]);
    expect(whole.scoreTime[799] / hop).toBeGreaterThan(595);
    const { path } = await alignSounding(perf, (sounding) => {
      expect(sounding.frames).toBe(600);
      return Promise.resolve({ path: alignJump(sounding, score, jumpPoints) });
    });
    expect(path.scoreTime).toHaveLength(n);
    expect(path.jumpFrames).toEqual([]);
    expect(error(path.scoreTime)).toBeLessThan(1);
    expect(path.scoreTime[0]).toBe(path.scoreTime[200]);
    expect(path.scoreTime[n - 1]).toBe(path.scoreTime[799]);
    expect(path.scoreTime[n - 1] / hop).toBeGreaterThan(595);
  });

  it('holds its place through a pause inside the music instead of waiting on a rest elsewhere', () => {
    // The recording plays 0 … 179, pauses for 300 silent frames (7 s) and plays on from 180,
    // through the rest, to the end.
    const m = 300;
    const warp = Float64Array.from({ length: 600 + m }, (_, i) => (i < 180 ? i : i < 180 + m ? 179 : i - m));
    const paused = warpFeatures(score, warp, 0.1);
    silence(paused, 180, 180 + m);
    const bars = Array.from({ length: 21 }, (_, k) => 30 * k * hop);
    // Mean error (frames) over the music, the pause left out.
    const pauseError = (path: AlignmentPath): number => {
      let e = 0;
      for (let i = 0; i < warp.length; i++)
        if (i < 180 || i >= 180 + m) e += Math.abs(path.scoreTime[i] / hop - warp[i]);
      return e / 600;
    };
    const priced = alignJump(paused, score, bars, {
      params: { cost: { ...DEFAULT_COST, coarsePauseCost: undefined } },
    });
    const held = alignJump(paused, score, bars);
    // Priced against the score's notes, the pause is cheaper on the rest 120 frames on: the
    // search crawls there through the silence and plays the music after it from there.
    expect(pauseError(priced)).toBeGreaterThan(8);
    expect(held.jumpFrames).toEqual([]);
    expect(pauseError(held)).toBeLessThan(1);
  });

  it('cuts noise before and after the music as it cuts silence', async () => {
    // The same recording with hiss for its silence: chroma and onsets at random, 9 dB below the
    // music; the note features strike a key where the music starts.
    const rnd = xorshift32(9);
    const noisy = {
      ...perf,
      chroma: perf.chroma.slice(),
      onset: perf.onset.slice(),
      energy: perf.energy.slice(),
    };
    const notes = new Float32Array(n * NUM_PITCHES);
    for (let i = 0; i < n; i++) {
      if (i >= 200 && i < 800) {
        if (perf.onset.subarray(i * 12, i * 12 + 12).some((v) => v > 0.5)) notes[i * NUM_PITCHES + 40] = 0.8;
        continue;
      }
      let norm = 0;
      for (let c = 0; c < 12; c++) {
        const v = 0.5 + rnd();
        noisy.chroma[i * 12 + c] = v;
        norm += v * v;
        noisy.onset[i * 12 + c] = 0.05 * rnd();
      }
      for (let c = 0; c < 12; c++) noisy.chroma[i * 12 + c] /= Math.sqrt(norm);
      noisy.energy[i] = -5 - 0.2 * rnd();
    }
    const withNotes = { ...noisy, notes };
    const [first, last] = musicRange(withNotes);
    expect(first).toBeGreaterThanOrEqual(198);
    expect(first).toBeLessThanOrEqual(200);
    expect(last).toBe(799);
    const { path } = await alignSounding(withNotes, (sounding) =>
      Promise.resolve({ path: alignJump(sounding, score, jumpPoints) }),
    );
    expect(path.jumpFrames).toEqual([]);
    expect(error(path.scoreTime)).toBeLessThan(1);
    expect(path.scoreTime[n - 1]).toBe(path.scoreTime[799]);
    // Without the note features the music's start is not heard: the noise stays in.
    expect(musicRange(noisy)).toEqual([0, n - 1]);
  });

  it('runs a recording without silence at its ends as it is', async () => {
    const music = {
      ...perf,
      frames: 600,
      chroma: perf.chroma.subarray(200 * 12, 800 * 12),
      onset: perf.onset.subarray(200 * 12, 800 * 12),
      energy: perf.energy.subarray(200, 800),
    };
    let seen: unknown;
    const { path } = await alignSounding(music, (sounding) => {
      seen = sounding;
      return Promise.resolve({ path: alignDtw(sounding, score) });
    });
    expect(seen).toBe(music);
    expect(path.scoreTime).toHaveLength(600);
  });
});
