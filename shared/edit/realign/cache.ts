/** What re-alignments of one recording and score reuse from edit to edit: cost levels and cut searches. */
import type { AlignmentPath } from '../../path.js';
import type { Features } from '../../dsp/features.js';
import type { CostParams } from '../../align/cost.js';
import { DEFAULT_COST, cellCost, normalisedCost } from '../../align/cost.js';
import type { CutSearch, Levels } from './kernel.js';
import { GOOD_SAMPLE_FRAMES, cutGain, cutSearch, goodLevel, pathColumn, randomLevel } from './kernel.js';
import type { CutFinder } from './plan.js';

/** Cut searches kept (the oldest is dropped first). */
const KEPT_CUT_SEARCHES = 256;

/**
 * Kept by a long-lived caller (the edit worker keeps one per project) and passed to `realignLocal`
 * and `realignAll` with the `perf` and `score` it was made for. The normalised cost and the random
 * level are computed once; the good level's samples of the path's cost are computed again only
 * where the path's score frame changed since the last call, and a cut search only for pins not
 * searched before, so an edit costs in proportion to what it changes. The results are the same
 * as without a cache.
 */
export class RealignCache {
  /** The performance features this cache belongs to. */
  readonly perf: Features;
  /** The score features this cache belongs to. */
  readonly score: Features;
  #piece?: { cost: CostParams; random: number };
  /** Score frame each good-level sample was taken at (−1: not yet). */
  readonly #columns: Int32Array;
  /** Cost at each sample. */
  readonly #samples: Float64Array;
  readonly #cuts = new Map<string, CutSearch>();
  #cells = 0;
  #searches = 0;

  constructor(perf: Features, score: Features) {
    this.perf = perf;
    this.score = score;
    this.#columns = new Int32Array(Math.ceil(perf.frames / GOOD_SAMPLE_FRAMES)).fill(-1);
    this.#samples = new Float64Array(this.#columns.length);
  }

  /** Path cells the good level has evaluated so far (one per sample whose score frame changed). */
  get pathCellsEvaluated(): number {
    return this.#cells;
  }

  /** Cut searches run so far. */
  get cutSearches(): number {
    return this.#searches;
  }

  /** The cost levels along `path`, as `costLevels` computes them. */
  levels(path: AlignmentPath): Levels {
    const { perf, score } = this;
    if (!this.#piece) {
      const cost = normalisedCost(perf, score, DEFAULT_COST);
      this.#piece = { cost, random: randomLevel(perf, score, cost) };
    }
    const { cost, random } = this.#piece;
    const columns = this.#columns;
    for (let k = 0; k < columns.length; k++) {
      const i = k * GOOD_SAMPLE_FRAMES;
      const col = pathColumn(score, path, i);
      if (col === columns[k]) continue;
      this.#samples[k] = cellCost(perf, score, i, col, cost);
      columns[k] = col;
      this.#cells++;
    }
    return { cost, good: goodLevel(this.#samples), random };
  }

  /** The cut finder under `levels` (from `levels`), with the searches kept by their pins. */
  cutFinder(levels: Levels): CutFinder {
    return (fromFrame, fromScore, toFrame, toScore) => {
      const key = `${fromFrame} ${fromScore} ${toFrame} ${toScore}`;
      let found = this.#cuts.get(key);
      if (found) this.#cuts.delete(key);
      else {
        found = cutSearch(this.perf, this.score, levels.cost, fromFrame, fromScore, toFrame, toScore);
        this.#searches++;
      }
      this.#cuts.set(key, found);
      if (this.#cuts.size > KEPT_CUT_SEARCHES) this.#cuts.delete(this.#cuts.keys().next().value!);
      return cutGain(found, levels);
    };
  }
}
