/**
 * The rules of re-alignment under hand corrections. Every correction is a hard constraint:
 * - an anchor pins its perf frame (`round(perfTime / hopSeconds)`) to exactly its score time (confidence 1);
 * - a manual jump cuts the path before its perf frame and pins that frame to `toScoreTime`; the
 *   frame before the cut is free (the DP picks where the previous pass ends);
 * - a `not-in-score` region holds the score position of the frame before it (the frame after it
 *   when it opens the recording), confidence 0, and is left out of the DP; the pass before it
 *   ends where the DP finds the music stopped, the pass after it resumes from the held position;
 * - a `repeat-taken` region [perfStart, perfEnd] is a pass that replays score material: the path
 *   jumps back at perfStart (target chosen by the DP, at or before the position just before the
 *   region) and is back at the position it had just before perfStart at perfEnd;
 * - a `repeat-skipped` region: the path jumps forward at perfStart (by at least 1 s of score,
 *   target chosen by the DP); perfEnd is not used;
 * - `checked` regions do not constrain anything.
 * Between consecutive constraints the path is a monotone DTW on the features of that stretch
 * (coarse-to-fine: `multiscaleDtw` between two pinned points, an open-ended banded DP where an
 * end is free), or the input path moved onto the ends where it passes them within
 * `KEEP_PATH_SECONDS` and fits the features as well within `KEEP_COST_MARGIN`. The input path's own jumps are kept as constraints (both frames either side
 * pinned to their old values) unless inside a `not-in-score` region, within
 * `OLD_JUMP_OVERRIDE_SECONDS` of a manual jump or a repeat/not-in-score boundary, or contradicted
 * by an anchor within `ANCHOR_CHECK_SECONDS` (off the old path by more than
 * `ANCHOR_CONTRADICTION_SECONDS`); `realignLocal` also drops the old jump at the edit itself (so
 * deleting a manual jump removes it). An anchor behind the previous pinned point of its pass
 * (by more than the scorer's 0.25 s) implies a jump between the two, and so does an anchor more
 * than `IMPLIED_JUMP_OFF_SECONDS` off the input path when a jump fits the features better than one
 * pass by more than a penalty; the jump goes where a pass from the earlier point plus a pass into
 * the anchor fit best (the cut finder), and `realignLocal` re-aligns both passes. Free pass ends
 * snap to `jumpPointsSeconds` within 1 s when given. The recording's first and
 * last frames keep their old score positions unless a constraint says otherwise.
 *
 * This module holds the rules' thresholds; `plan.ts` turns corrections into a plan of stretches,
 * `solve.ts` solves a plan, `kernel.ts` runs the DPs (on `shared/align/dp.ts`), `cache.ts` keeps
 * what later edits of the same recording and score reuse.
 */

/** An old jump this close (s) to a manual jump or a region boundary is replaced by it. */
export const OLD_JUMP_OVERRIDE_SECONDS = 3;
/** Anchors this close (s) to an old jump are checked against it. */
export const ANCHOR_CHECK_SECONDS = 5;
/** An anchor this far (score s) off the old path contradicts a nearby old jump. */
export const ANCHOR_CONTRADICTION_SECONDS = 1;
/** An anchor this far (score s) off the input path is checked for an implied jump before it. */
export const IMPLIED_JUMP_OFF_SECONDS = 2;
/** Cost of an implied jump, in cells' worth of (random − good) cost. */
export const IMPLIED_JUMP_PENALTY = 10;
/**
 * An input path this close (score s) to a stretch's pinned end passes it: the path is kept and
 * moved onto the pin, the offset fading out over `KEEP_FADE_SECONDS`. Chosen with the same
 * simulated correction session as `LOCAL_WINDOW_SECONDS` (docs/EVALUATION.md, "The editor's
 * re-alignment between corrections").
 */
export const KEEP_PATH_SECONDS = 0.1;
/** How far (perf s) from a pin the offset by which a kept path is moved onto it fades out (1.5; 0.5 measured the same). */
export const KEEP_FADE_SECONDS = 1.5;
/** An input path off a stretch's pinned end by more than this (score s) is re-aligned over the whole stretch. */
export const LOCAL_FIX_SECONDS = 1;
/** How far (perf s) before a pin the input path misses (by up to `LOCAL_FIX_SECONDS`) it is re-aligned. */
export const LOCAL_WINDOW_SECONDS = 3;
/** The input path is kept only where the stretch's new DTW path lies this close (score s) to it. */
export const KEEP_AGREE_SECONDS = 0.3;
/** Fastest tempo ratio (score s per perf s) an open end may imply. */
export const MAX_TEMPO_RATIO = 3;
/** A free end may be later than the cheapest by this many cells' worth of (random − good) cost. */
export const OPEN_END_SLACK = 2;
/** A free end moves to a score jump point this close (s). */
export const SNAP_SECONDS = 1;
/** Frames either side of a point edit (or of each end of a range edit) where `realignLocal` drops the input path's jumps. */
export const EDIT_DROP_FRAMES = 2;
