/**
 * The coarse search's cell costs on several threads (`parallelCoarseCosts`): a real worker
 * thread, the values of the search's own computation bit for bit, and the same search result.
 */
import { describe, expect, it } from 'vitest';
import {
  coarseGrid,
  coarseJumpPath,
  coarseRowCosts,
  jumpSearchParams,
  prefillCoarseCosts,
  searchShape,
  searchesOver,
  type CoarseCostCache,
} from '../../shared/align/jump.js';
import { playParts, smoothWarp, syntheticScore, warpFeatures } from '../../shared/align/synthetic.js';
import { BLOCK_ROWS, MIN_PARALLEL_CELLS, helperCoarseSearch, parallelCoarseCosts } from './coarseCosts.js';

const score = syntheticScore(6800, 5);
const perf = warpFeatures(score, smoothWarp(6400, 6800, 3), 0.2, 2);
const params = jumpSearchParams(perf, score);
const grid = coarseGrid(perf, score, params);
const N = grid.perf.frames;
const M = grid.score.frames;

/** Cells where a and b differ (exact comparison). */
function differing(a: Float64Array, b: Float64Array): number {
  let n = a.length === b.length ? 0 : Math.max(a.length, b.length);
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (!Object.is(a[k], b[k])) n++;
  return n;
}

describe('parallelCoarseCosts', () => {
  const serial = new Float64Array(N * M);
  coarseRowCosts(grid.perf, grid.score, params.cost, 0, N, serial);

  it('a worker thread computes every cell as the search does, bit for bit', async () => {
    expect(N * M).toBeGreaterThanOrEqual(MIN_PARALLEL_CELLS);
    let perThread: number[] = [];
    const costs = await parallelCoarseCosts(1, { thisThread: false, onBlocks: (p) => (perThread = p) })(
      grid,
      params.cost,
    );
    expect(perThread).toEqual([0, Math.ceil(N / BLOCK_ROWS)]);
    expect(differing(costs, serial)).toBe(0);
  });

  it('this thread and a worker share the blocks and give the same values', async () => {
    let perThread: number[] = [];
    const costs = await parallelCoarseCosts(1, { onBlocks: (p) => (perThread = p) })(grid, params.cost);
    expect(perThread).toHaveLength(2);
    expect(perThread[0] + perThread[1]).toBe(Math.ceil(N / BLOCK_ROWS));
    expect(perThread[0]).toBeGreaterThan(0);
    expect(differing(costs, serial)).toBe(0);
  });

  it('a prefilled cache gives the search its own path, and a cache of other costs is not read', async () => {
    const cache: CoarseCostCache = {};
    await prefillCoarseCosts(perf, score, params, parallelCoarseCosts(1), cache);
    expect(cache.costs).toHaveLength(N * M);
    const filled = cache.costs!;
    const own = coarseJumpPath(perf, score, [], params);
    const read = coarseJumpPath(perf, score, [], params, { costs: cache });
    expect(read.scoreFrames).toEqual(own.scoreFrames);
    expect(cache.costs).toBe(filled);
    // Another cost weight is another key: the search computes (and caches) its own.
    const other = { ...params, cost: { ...params.cost, onsetWeight: 0.5 } };
    coarseJumpPath(perf, score, [], other, { costs: cache });
    expect(cache.costs).not.toBe(filled);
  });

  it('stops on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(parallelCoarseCosts(1)(grid, params.cost, ac.signal)).rejects.toThrow('stop');
  });
});

describe('helperCoarseSearch', () => {
  // A jump back: the score to frame 4500, then again from 1980 (its "section" at 1980).
  const repeated = warpFeatures(
    score,
    playParts(
      [
        [0, 4500],
        [1980, 6800],
      ],
      0.9,
      3,
    ),
    0.3,
    7,
  );
  const jumpPoints = [0, 1980, 4500].map((f) => f * score.hopSeconds);
  const partial = { jumpPenalty: 4 };

  it('makes on a helper the searches alignJump reads, the same paths as here', async () => {
    const cache: CoarseCostCache = {};
    const full = jumpSearchParams(repeated, score, partial, cache);
    await prefillCoarseCosts(repeated, score, full, parallelCoarseCosts(1), cache);
    await helperCoarseSearch()(repeated, score, jumpPoints, partial, cache);
    expect(cache.searches?.size).toBeGreaterThan(0);
    const made = new Map(cache.searches);
    // Read from what the helper made: nothing is added.
    const read = coarseJumpPath(repeated, score, jumpPoints, full, { costs: cache });
    expect(cache.searches?.size).toBe(made.size);
    const own = coarseJumpPath(repeated, score, jumpPoints, jumpSearchParams(repeated, score, partial));
    expect(own.jumps.length).toBeGreaterThan(0);
    expect(Array.from(read.scoreFrames)).toEqual(Array.from(own.scoreFrames));
    expect(read.jumps).toEqual(own.jumps);
  });

  it('hands the helper the shapes of the features only, which give the searches the features give', () => {
    const full = jumpSearchParams(repeated, score, partial);
    const g = coarseGrid(repeated, score, full);
    const costs = new Float64Array(g.perf.frames * g.score.frames);
    coarseRowCosts(g.perf, g.score, full.cost, 0, g.perf.frames, costs);
    const given = { ...partial, cost: full.cost };
    const whole = searchesOver(repeated, score, jumpPoints, given, costs, g);
    const shape = searchShape(repeated);
    expect(shape.chroma).toHaveLength(0);
    expect(shape.frames).toBe(repeated.frames);
    const shapes = searchesOver(shape, searchShape(score), jumpPoints, given, costs, {
      ...g,
      perf: searchShape(g.perf),
      score: searchShape(g.score),
    });
    expect(whole.searches.length).toBeGreaterThan(0);
    expect(whole.searches.some(([, path]) => path.jumps.length > 0)).toBe(true);
    expect(shapes).toEqual(whole);
  });

  it('adds nothing a search with other inputs would read, and nothing without shared costs', async () => {
    const cache: CoarseCostCache = {};
    const full = jumpSearchParams(repeated, score, partial, cache);
    await prefillCoarseCosts(repeated, score, full, parallelCoarseCosts(1), cache);
    await helperCoarseSearch()(repeated, score, jumpPoints, partial, cache);
    const size = cache.searches?.size ?? 0;
    // Another jump price: searched here, and remembered beside the helper's.
    coarseJumpPath(
      repeated,
      score,
      jumpPoints,
      jumpSearchParams(repeated, score, { jumpPenalty: 40 }, cache),
      {
        costs: cache,
      },
    );
    expect(cache.searches?.size).toBeGreaterThan(size);
    // Costs this thread computed itself (not in shared memory): the helper is not asked.
    const own: CoarseCostCache = {};
    coarseJumpPath(repeated, score, jumpPoints, jumpSearchParams(repeated, score, partial, own), {
      costs: own,
    });
    const before = new Map(own.searches);
    await helperCoarseSearch()(repeated, score, jumpPoints, { jumpPenalty: 40 }, own);
    expect(new Map(own.searches)).toEqual(before);
  });
});
