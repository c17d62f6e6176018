/**
 * Re-alignment under hand corrections, every correction a hard constraint. The rules are in
 * `realign/rules.ts`; `realign/plan.ts` turns corrections into stretches, `realign/solve.ts`
 * solves them and `realign/kernel.ts` runs the DPs (on `shared/align/dp.ts`); `realign/cache.ts`
 * keeps what the edits of one project can reuse (cost levels, cut searches).
 */
import type { AlignmentPath } from '../path.js';
import type { Features } from '../dsp/features.js';
import type { Corrections } from './types.js';
import type { RealignCache } from './realign/cache.js';
import type { Levels } from './realign/kernel.js';
import { costLevels, cutFinder } from './realign/kernel.js';
import type { CutFinder } from './realign/plan.js';
import { buildPlan } from './realign/plan.js';
import { EDIT_DROP_FRAMES } from './realign/rules.js';
import { solvePlan, type StretchSnap } from './realign/solve.js';

export {
  ANCHOR_CHECK_SECONDS,
  ANCHOR_CONTRADICTION_SECONDS,
  IMPLIED_JUMP_OFF_SECONDS,
  OLD_JUMP_OVERRIDE_SECONDS,
} from './realign/rules.js';
export { RealignCache } from './realign/cache.js';
export type { StretchSnap } from './realign/solve.js';

/** What `realignLocal` re-aligns around: a point (an anchor or jump added, moved or deleted) or a range. */
export type EditSpan = { perfTime: number } | { perfStart: number; perfEnd: number };

/** Options of the re-aligners. */
export interface RealignOptions {
  /** Score times (s) where jumps may start or land (`Score.jumpPoints`): free ends of passes snap to them. */
  jumpPointsSeconds?: readonly number[];
  /** What earlier re-alignments of the same `perf` and `score` computed, reused (the results are the same). */
  cache?: RealignCache;
  /**
   * Snap each re-solved stretch's chords onto the recording's onsets between its ends, as the
   * aligner snaps its path (`snapToOnsets`; needs the recording's note features). Absent: the
   * stretches keep the DP's frames.
   */
  snap?: StretchSnap;
  /**
   * Corrections stay local (`keepOldPath` in `realign/solve.ts`): a re-aligned stretch keeps the
   * input path where that passes its pins or nearly (`KEEP_PATH_SECONDS`, `LOCAL_FIX_SECONDS`),
   * moved onto a pin it nearly passes near the pin only, re-aligned only over a short window
   * next to a pin it misses. Absent or false: every stretch takes the DP's path.
   */
  keepPath?: boolean;
}

/** Re-aligns only the stretch between the constraints neighbouring the edit, with ALL corrections as hard constraints; frames outside it are unchanged. */
export function realignLocal(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  corrections: Corrections,
  edit: EditSpan,
  options: RealignOptions = {},
): AlignmentPath {
  checkInputs(perf, score, path, options.cache);
  const frameCount = perf.frames;
  const frameBefore = (t: number): number =>
    Math.min(frameCount - 1, Math.max(0, Math.floor(t / path.hopSeconds)));
  const frameAfter = (t: number): number =>
    Math.min(frameCount - 1, Math.max(0, Math.ceil(t / path.hopSeconds)));
  // The edit's frames, and where the input path's jumps are dropped (at the edit itself).
  let editFirst: number;
  let editLast: number;
  let drop: [number, number][];
  const near = (f: number): [number, number] => [f - EDIT_DROP_FRAMES, f + EDIT_DROP_FRAMES];
  if ('perfTime' in edit) {
    editFirst = frameBefore(edit.perfTime);
    editLast = frameAfter(edit.perfTime);
    drop = [[editFirst - EDIT_DROP_FRAMES, editLast + EDIT_DROP_FRAMES]];
  } else {
    editFirst = frameBefore(Math.min(edit.perfStart, edit.perfEnd));
    editLast = frameAfter(Math.max(edit.perfStart, edit.perfEnd));
    drop = [near(editFirst), near(editLast)];
  }
  const { levels, cuts } = levelsAndCuts(perf, score, path, options.cache);
  const plan = buildPlan(path, corrections, drop, cuts);
  // A jump an anchor at the edit implies moves the passes on both sides of it.
  for (const [from, to] of plan.implied) {
    if (to >= editFirst - 1 && from <= editLast + 1) {
      editFirst = Math.min(editFirst, from);
      editLast = Math.max(editLast, to);
    }
  }
  return solvePlan(
    perf,
    score,
    path,
    plan,
    (item) => item.last >= editFirst - 1 && item.first <= editLast + 1,
    options.jumpPointsSeconds ?? [],
    levels,
    options.snap,
    options.keepPath ? path.scoreTime : undefined,
  );
}

/**
 * Full re-alignment with all constraints (after loading a project or many edits); free pass ends
 * snap to `jumpPointsSeconds`; `options` as `realignLocal`'s (its `jumpPointsSeconds` is this one).
 */
export function realignAll(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  corrections: Corrections,
  jumpPointsSeconds: readonly number[],
  options: Omit<RealignOptions, 'jumpPointsSeconds'> = {},
): AlignmentPath {
  const { cache, snap, keepPath } = options;
  checkInputs(perf, score, path, cache);
  const { levels, cuts } = levelsAndCuts(perf, score, path, cache);
  const plan = buildPlan(path, corrections, [], cuts);
  return solvePlan(
    perf,
    score,
    path,
    plan,
    () => true,
    jumpPointsSeconds,
    levels,
    snap,
    keepPath ? path.scoreTime : undefined,
  );
}

/** The cost levels along `path` and the cut finder under them, from `cache` where given. */
function levelsAndCuts(
  perf: Features,
  score: Features,
  path: AlignmentPath,
  cache: RealignCache | undefined,
): { levels: Levels; cuts: CutFinder } {
  if (cache) {
    const levels = cache.levels(path);
    return { levels, cuts: cache.cutFinder(levels) };
  }
  const levels = costLevels(perf, score, path);
  return { levels, cuts: cutFinder(perf, score, levels) };
}

function checkInputs(perf: Features, score: Features, path: AlignmentPath, cache?: RealignCache): void {
  if (cache && (cache.perf !== perf || cache.score !== score))
    throw new RangeError(
      'realign: the cache was made for other features, expected the perf and score it holds',
    );
  if (path.scoreTime.length !== perf.frames) {
    throw new RangeError(
      `realign: the path has ${path.scoreTime.length} frames, expected the performance's ${perf.frames}`,
    );
  }
  if (perf.frames < 1 || score.frames < 1)
    throw new RangeError(
      `realign: need ≥ 1 frame each, got ${perf.frames} perf and ${score.frames} score frames`,
    );
  if (Math.abs(perf.hopSeconds - path.hopSeconds) > 1e-9) {
    throw new RangeError(
      `realign: path hop ${path.hopSeconds} s differs from the features' ${perf.hopSeconds} s`,
    );
  }
}
