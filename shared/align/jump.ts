import type { AlignmentPath } from '../path.js';
import type { Features } from '../dsp/features.js';
import { poolFeatures } from '../dsp/features.js';
import type { CostParams } from './cost.js';
import { DEFAULT_COST, cellCost, normalisedCost, rowCosts } from './cost.js';
import type { AlignOptions, DtwParams } from './dtw.js';
import { DEFAULT_DTW, soundingRange } from './dtw.js';
import { stepRows } from './stepKernel.js';
import { tempoRatio } from './tempo.js';
import type { Route } from './refine.js';
import { refineRoute, type RefineOptions } from './refine.js';
import { nearerCopies, preferStraight, shiftedCoarse, type SameMusic } from './sameMusic.js';
import { linearWarp, localStretch, localWarp, MAX_LOCAL_FACTOR, type ScoreWarp } from './scoreWarp.js';

/** Tuning of the structure-aware (JumpDTW-like) search. */
export interface JumpParams {
  /**
   * Coarse perf frame length (s) the jump search runs at, at least. 0.1 (was 0.2; 2026-12-05,
   * `tune.js --method jump --sets multi,overall,structure --grid
   * '{"jump":{"coarseSeconds":[0.1,0.2],"tempoPenalty":[0.1,0.2],"jumpPenalty":[12,20]}}'`):
   * multi-operation set within 100 ms / jump recall / precision, overall set:
   * 0.1 s, tempo 0.2, jump 20: **95.45 / 98.9 / 96.8, 93.61**; jump 12: 95.44 / 100 / 93.0, 93.22;
   * 0.1 s, tempo 0.1, jump 12 / 20: 95.51 / 100 / 93.9, 93.53 and 94.99 / 96.8 / 96.8, 93.65;
   * 0.2 s, tempo 0.2, jump 12 (the old default): 93.62 / 94.6 / 96.7, 93.69; tempo 0.1, jump
   * 12 / 20: 93.61, 93.72 and 92.38, 93.89. The finer grid places landings a beat apart (Bach's
   * mu06 lands on its first bar, not on the like second one) and cuts closer to the true beat.
   * The prices below are in coarse cells' cost: halving the cell halves what a jump price buys,
   * hence the search's own price 20 (was 12).
   */
  coarseSeconds: number;
  /** Cells (coarse perf × score frames) allowed before the coarse frames grow. */
  maxCells: number;
  /**
   * Cost of one jump, in normalised per-frame cost units (a random cell costs ≈ 2, a good match
   * ≈ 1). 20 since the coarse cell became 0.1 s (see `coarseSeconds`). Before: 12 (was 15), chosen with `offBarPenalty` 0 on validation (`tune.js --method jump --sets
   * multi,overall,structure --grid '{"jump":{"offBarPenalty":[0,3],"jumpPenalty":[12,15]}}'`,
   * 2026-12-05): multi-operation set 93.62 / 93.27 % within 100 ms at 12 / 15, jump recall /
   * precision 94.6 / 96.7 against 90.3 / 94.4; overall 93.69 / 93.73; structure 96.64 at both.
   */
  jumpPenalty: number;
  /** Extra cost of a perf frame on which the score does not advance; advancing by k ≥ 2 frames costs (k − 1)^`advancePower` times it. */
  tempoPenalty: number;
  /**
   * Growth of the price of advancing k ≥ 2 score frames in one perf frame: (k − 1)^this ×
   * `tempoPenalty`; 2 when absent. A linear price lets the search follow runs that the performer
   * plays several times as fast as the score MIDI writes them, but it also lets it crawl through
   * a repeat instead of jumping (2026-12-06, `tune.js --method jump --sets overall,multi,structure
   * --grid '{"jump":{"maxAdvance":[6],"advancePower":[1,1.5]}}'`, within 50 / 100 / 200 ms):
   * power 2 (maxAdvance 4, 6 or 8 alike) overall 95.47 / 96.83 / 97.76, multi 96.48 / 97.88 /
   * 98.63, jumps 98.9 / 98.9; power 1 95.44 / 96.92 / 97.84, 96.12 / 97.39 / 98.33, 96.8 / 100
   * (Ravel's *Une barque* ov26 +2.7 within 100 ms, Schumann's mu22 −18.5: its jump back crawled
   * through); 1.5: 95.53 / 96.81 / 97.76, 95.88 / 97.21 / 98.08. Also tried, not kept: the
   * quadratic price capped at 1.5 × (k − 1) × `tempoPenalty` up to k = 8: overall 95.65 / 96.94 /
   * 97.97, multi 96.04 / 97.30 / 98.18 (ov26 +4.5 within 100 ms; mu22 −18.5: the search starts in
   * an earlier copy of the same music and runs through the 3.5 s of score between the copies in
   * 2 s instead of jumping back), and that with a fast step priced at the mean cost of the cells
   * it passes (a skip in disguise passes cells that do not match): 95.52 / 96.86 / 97.77, 96.19 /
   * 97.47 / 98.29 (the pooled row of a genuine run matches each of its score frames only in part).
   */
  advancePower?: number;
  /** Most score frames the path may advance per coarse perf frame (local tempo up to this × the global ratio). */
  maxAdvance: number;
  cost: CostParams;
  /** Band radius (frames) of the full-resolution refinement around each pass. */
  bandFrames: number;
  /** How far (frames) the refinement may move a cut from where the coarse search put it. */
  boundaryFrames: number;
  /**
   * The pooling at which the refinement's per-pass guide (a multiscale DTW) stops; its band of
   * `bandFrames` is laid around that level's cells (`RefineOptions.guideFactor`). At 1 the
   * full-resolution search ran twice, once for the guide and once in the band around it. Chosen
   * with `node dist/node/electron/tools/eval/tune.js --method auto --sets overall,structure,multi
   * --grid '{"jump":{"refineGuideFactor":[1,2,4,8]}}'` (`.eval/tune-guidefactor*.log`), % of beats
   * within 50 / 100 / 200 ms, overall · structure within 100 ms · multi, and the run's time: 1:
   * 95.87 / 97.10 / 97.93 · 97.90 · 96.81 / 97.92 / 98.93, 121 s; 2: the same but multi 98.00
   * within 100 ms, 104 s; 4: 95.92 / 97.15 / 97.99 · 97.92 · 96.81 / 98.00 / 98.93, 95 s; 8: 95.90 /
   * 97.13 / 97.97 · 97.88 · 96.78 / 97.97 / 98.90, 89 s. On the probes (`--data .eval/probe-multi
   * --sets multi`, `.eval/probe`, `.eval/sustain`), 1 → 4: 92.93 / 94.98 / 96.10 → 92.88 / 94.93 /
   * 96.06 (60 → 35 s), 95.45 / 97.62 / 98.51 the same, 58.71 / 69.66 / 82.13 → 58.71 / 69.66 /
   * 82.15; jump figures unchanged everywhere.
   */
  refineGuideFactor: number;
  /**
   * Optional jump cost per performance frame (full resolution), replacing `jumpPenalty` where
   * given: a jump into coarse frame i costs the lowest value over the frames i covers. The
   * neural aligner uses it to make jumps cheap where the network sees one and dear elsewhere.
   */
  jumpPenaltyProfile?: Float32Array;
  /**
   * Further places (s) where a jump may leave or land besides the jump points, usually the
   * score's beats: performers and editors cut mid-bar too. Each end of a jump at such a point
   * costs `offBarPenalty` more than at a jump point.
   */
  beatPointsSeconds?: readonly number[];
  /**
   * Extra cost of each end of a jump at a beat point that is not a jump point (a bar line or a
   * repeat sign). 0: a cut at any beat is as likely as one at a bar line, which is how the
   * multi-operation sets are cut (at beats). Chosen on validation with every other default as
   * it is (`tune.js --method auto --sets multi,overall,structure --grid
   * '{"jump":{"offBarPenalty":[0,1,3],"landingRadiusSeconds":[0,2.5]}}'`, 2026-12-05): multi set
   * 94.62 / 94.41 / 93.81 % within 100 ms at 0 / 1 / 3 and jump recall / precision 91.4 / 93.4
   * against 87.1 / 88.0 at 3; structure 96.61 against 96.47; overall 93.70 against 93.76
   * (ov26 −1.1: a false jump moves). Earlier 6 → 3 gave 88.80 → 89.04 before the network's
   * targeted windows existed.
   */
  offBarPenalty: number;
  /**
   * Optional targeted jumps (full-resolution frames): a jump into perf frames
   * [perfStart, perfEnd) that lands in score frames [scoreLo, scoreHi] costs `penalty` instead of
   * the row's usual price, when that is lower. The neural aligner marks where its route jumps and
   * where it lands, so that exact jump is cheap while other jumps keep their price.
   */
  jumpTargets?: readonly JumpTarget[];
  /**
   * Starting the recording inside the score, or ending it before the score's end, costs this
   * fraction of a jump (1: a full jump; 0.5 and 0.25 measured worse on the multi-operation
   * validation set, 83.1 vs 83.6 % within 100 ms).
   */
  openEndScale: number;
  /**
   * Extra cost of a jump per second of score it crosses (normalised cost units). A tie-breaker
   * between copies of repeated material: a repeat or cut goes to the nearer copy far more often
   * than across the piece, and both copies cost the same to play through. 0.02 (chosen on
   * validation, `tune.js --method auto`, offBarPenalty 6): multi-operation set 88.80 % within
   * 100 ms against 87.59 without it (Haydn's mu16 54.0 → 97.8, landing on the right copy) and
   * 88.50 / 88.45 at 0.05 / 0.1; overall and structure sets unchanged. Targeted network windows
   * (`jumpTargets`) do not pay it.
   */
  jumpDistancePenalty: number;
  /**
   * Whether note density may cap the tempo the coarse grid assumes (`tempoRatio`): a recording
   * of an excerpt is not played 2–5 times faster than its score is long. False: the ratio of
   * sounding lengths alone.
   */
  tempoFromDensity: boolean;
  /**
   * Extra cost of a backward jump that lands more than a second before the score position the
   * recording starts at. Repeats and jump-backs go to music already played; a jump to material
   * never heard before the recording's start is, far more often, the other copy of repeated
   * material. Applied by a second search, only when the first one makes such a jump, which keeps
   * the first one's start. 8 (chosen on validation, `tune.js --method auto --grid
   * '{"jump":{"earlyLandingPenalty":[0,4,8,16]}}'`): multi-operation set 92.92 % within 100 ms
   * against 91.07 without it (mu38 9.4 → 86.9: a skip had landed on the copy before the start),
   * the same at 4 and 16; overall and structure sets unchanged (no case triggers it).
   */
  earlyLandingPenalty: number;
  /**
   * How far (score seconds) the full-resolution refinement may move a jump's landing from where
   * the coarse search put it, onto another bar line (no extra cost) or beat (`offBarPenalty`,
   * scaled to full-resolution frames). 0: the coarse landing stays. Measured on validation
   * (`tune.js --method auto --sets multi,structure --grid
   * '{"jump":{"landingRadiusSeconds":[0,1.5,2.5,4]}}'`): multi-operation set 93.53 % within
   * 100 ms at 0, 93.50 / 93.52 / 93.52 at 1.5 / 2.5 / 4 (Bach's mu06 93.3 → 98.1, others lose
   * as much), jump recall 81.7 → 79.6 at 2.5; so 0, the option kept for the ablation. With
   * `offBarPenalty` 0 (2026-12-05): 94.53 at 2.5 against 94.62 at 0, recall equal.
   */
  landingRadiusSeconds: number;
  /**
   * How far (score seconds) the full-resolution refinement may move where a pass is left before
   * a jump from where the coarse search put it, onto the frame before another bar line (no
   * extra cost) or beat (`offBarPenalty`, as landings). 0: the coarse exit stays. Measured
   * (`tune.js --method auto --sets multi,structure --grid '{"jump":{"exitRadiusSeconds":[0,1,2],
   * "landingRadiusSeconds":[0,1]}}'`, `.eval/tune-exit*.log`), multi within 50 / 100 / 200 ms:
   * 0 / 0 96.81 / 98.00 / 98.93; exits 1 s 96.74 / 98.00 / 99.00; 2 s 96.74 / 98.00 / 98.98;
   * landings 1 s 96.86 / 98.04 / 98.98; both 1 s 96.86 / 98.09 / 99.06; structure the same
   * throughout. On the multi cases in the probe's timbres (`--data .eval/probe-multi`) 92.88 /
   * 94.93 / 96.06 at 0 / 0, exits 1 s 92.85 / 94.91 / 96.08, landings 1 s 92.68 / 94.64 / 95.73
   * (one true jump fewer), both 92.70 / 94.69 / 95.79. So 0, the option kept for the ablation.
   */
  exitRadiusSeconds: number;
  /**
   * A first or last pass shorter than this (s) is no pass: it is merged into its neighbour, which
   * is extended at its own tempo to the recording's edge. What the coarse search "plays" in a
   * recording's last seconds (a final chord ringing out, reverb) or first seconds (silence, a
   * first note) can match some other place in the score better than the end the music reached,
   * and a jump there is spurious: on validation the edge passes of 20 true jump sets are ≥ 7.5 s
   * (first ≥ 13.4 s), and 8 false jumps made edge passes of 2.0–3.5 s. 0: off. An edge pass
   * sounding for less than this and for less than half its length is merged however long
   * (`mergeEdgePasses`' `sound`): a silent tail of 23–29 s was "played" at a rest inside the score
   * (docs/EVALUATION.md, "What the v20 run changed").
   */
  minEdgePassSeconds: number;
  /**
   * An inner pass playing less than this much score (seconds), after which the recording goes
   * on within `DETOUR_RETURN_SECONDS` of where the pass before it left, is a detour: the three
   * passes become one (`mergeDetours`). 0: off. A slow held chord or a repeated note can match
   * a few notes elsewhere in the score better than the written ones; a performer who jumps away
   * for so little music and comes back to where they were is far rarer. Chosen with `tune.js
   * --method auto --grid '{"jump":{"detourSeconds":[0,2,3]}}'` (2 and 3 alike): on the multi
   * cases in the probe's timbres (`--data .eval/probe-multi --sets multi`) jump precision 91.8 →
   * 93.7 %, beats unchanged (the detours' beats lie in held chords, off either way); on the
   * validation sets one beat of ov23 lost within 50 ms (overall 95.89 → 95.87), nothing else.
   */
  detourSeconds: number;
  /**
   * The refinement aligns against the score played at the recording's tempo to this power
   * (0: as written): with the route's passes playing r score seconds per performance second,
   * the score is rendered k = (1/r)^refineStretch times as long (`JumpOptions.stretchScore`), the
   * passes are aligned against it, and the path is mapped back. The DTW's steps favour the
   * diagonal, so a recording much faster or slower than its score pays for every frame of
   * tempo difference; the structure search has its own tempo model and is not affected. Chosen
   * on validation (`tune.js --method auto --sets overall,multi,structure --grid
   * '{"jump":{"refineStretch":[0.3,0.5,0.75,1]}}'`, engine 9553ee6 + this change; 0 is the engine
   * before it), % of beats within 50 / 100 / 200 ms, overall · multi · structure within 100 ms:
   * 0: 90.82 / 93.78 / 95.39 · 92.69 / 95.51 / 97.09 · 96.90; 0.3: 91.18 / 94.06 / 95.60 ·
   * 93.31 / 95.70 / 97.34 · 97.03; 0.5: 91.35 / 94.04 / 95.63 · 93.74 / 95.95 / 97.60 · 97.11;
   * 0.75: 91.22 / 94.06 / 95.54 · 93.87 / 96.07 / 97.69 · 97.08; 1: 90.91 / 93.94 / 95.52 ·
   * 93.65 / 96.19 / 97.89 · 97.06. Jumps unchanged. At 0.5 no recording loses more than 2.1
   * points within 100 ms (at 1: 2.8); Ravel's _Une barque_ gains 2.2 (ov26), Chopin's Scherzo 20
   * 2.1 (ov19), mu33 9.2, mu38 4.5. Since `refineTempoSeconds` (2026-12-06) the tempo is taken
   * passage by passage and the power is 1: the score is played at the coarse search's tempo.
   */
  refineStretch: number;
  /**
   * With `refineStretch`, the tempo the score is played at is the coarse search's own, taken over
   * ±this many seconds of score around each place (`localStretch`), instead of one factor for the
   * whole recording (0). A performer who plays one passage three times as fast as written and
   * another at half speed gets both: the refinement's diagonal then follows the coarse search's
   * tempo, which it had right (Ravel's _Une barque_, ov26, lagged up to 4.5 s of score behind a
   * coarse path on the music). Chosen on validation (`tune.js --method jump --sets
   * overall,multi,structure --grid '{"jump":{"refineTempoSeconds":[0,5,10,20],"refineStretch":[0.5,1]}}'`,
   * then `[3,7,15]` × `[1,1.25]` and `[1.5,2]` × `[1]`; `.eval/tune-ltempo*.log`), % within 50 /
   * 100 / 200 ms, overall · multi · structure within 100 ms: one factor, power 0.5 (before):
   * 94.33 / 95.88 / 96.90 · 97.64 · 97.88; one factor, power 1: 94.19 / 95.79 / 96.92 · 97.63 ·
   * 97.90; ±5 s, power 0.5: 94.63 / 96.24 / 97.13 · 97.65 · 97.84; power 1 with ±1.5 s: 95.26 /
   * 96.64 / 97.49 · 97.76 · 97.92; ±2 s: 95.14 / 96.49 / 97.42 · 97.88 · 97.88; ±3 s: 95.03 /
   * 96.48 / 97.34 · 97.87 · 97.90; ±5 s: 94.95 / 96.44 / 97.33 · 97.65 · 97.91; ±10 s: 95.01 /
   * 96.35 / 97.33 · 97.73 · 97.87; ±20 s: 94.99 / 96.35 / 97.25 · 97.74 · 97.89; power 1.25 lower
   * at every window. ±2 s lies between its neighbours on every set. Jumps unchanged throughout.
   */
  refineTempoSeconds: number;
  /**
   * In that local tempo, a run of the coarse path on one score column counts for at most this
   * many times the time a column takes at the route's own tempo (`localStretch`'s `holdLimit`);
   * 0: every row counts. A pause is no tempo: where the coarse path holds a place (a fermata, a
   * breath before the final chord, or the search itself waiting there), the passage around it
   * would otherwise be rendered that much slower and the refinement's diagonal would lag through
   * it. Chosen with `tune.js --method auto --grid '{"jump":{"refineHoldLimit":[0,3,4,5]}}'`
   * (docs/EVALUATION.md, "A pause is no tempo").
   */
  refineHoldLimit: number;
  /**
   * How far (s of score) from the coarse search's path each pass's refinement searches at its
   * coarsest level (`CoarseGuide`); 0: the pass's whole rectangle, as before. The coarse search
   * has already chosen among the places the music could be, over the whole matrix, so the
   * refinement's full search of the pass's rectangle (10.7 M cells for 5 minutes) found the same
   * path as one near it: 10 s gave byte-identical alignments on all 84 validation recordings. With
   * the guide stopped at pooling 4 (`refineGuideFactor`), 2.5 s gives the same means as 10 s on
   * validation and on the three probes (`tune.js --method auto --grid
   * '{"jump":{"refineGuideSeconds":[10,5,2.5]}}'`, `.eval/tune-guidesec*.log`: overall 95.92 /
   * 97.15 / 97.99, multi 96.81 / 98.00 / 98.93, the multi probe 92.88 / 94.93 / 96.06, the
   * sustained timbres 58.71 / 69.66 / 82.15) with a quarter of the guide's cells.
   */
  refineGuideSeconds: number;
  /**
   * Where a pass after a jump plays the very notes that going straight on would play (a repeat
   * written out, `JumpOptions.sameMusic`), the route goes straight on (`preferStraight`): a
   * detour through another copy of the same music disappears, and a skipped repeat is left at
   * the end of the copy played, where ASAP's annotations put it. Needs `JumpOptions.sameMusic`.
   * On validation (`run.js --methods jump,auto --sets overall,structure,multi`, `.eval/preds-v18`
   * against `-v16`) it changes one recording of the 84, the one that skips a written-out repeat:
   * ov23 (Liszt, Hungarian Rhapsody 6) 62.7 / 65.7 / 70.0 → 72.6 / 76.0 / 80.3 % within 50 / 100 /
   * 200 ms (the search left the score at the first copy's start); overall 91.93 / 94.17 / 95.59 →
   * 92.26 / 94.51 / 95.94; every other alignment byte-identical.
   */
  straightRepeats: boolean;
  /**
   * A pass after a jump whose notes are written again elsewhere moves to the copy whose jumps
   * in and out (the last pass: in) cross the least score (`nearerCopies`), where that saves 5 s
   * of score or more. Needs `JumpOptions.sameMusic`.
   */
  nearerCopies: boolean;
  /**
   * Catch-up skips: a performer may play a run several times as fast as the score MIDI writes it
   * (a cadenza's small notes, a flourish), faster than the search's steps follow at their
   * quadratic price, and the search then lags and skips ahead. Where the search skips forward,
   * a second search prices fast steps at most this × (k − 1) × `tempoPenalty`, up to
   * `catchUpMaxAdvance` frames a row (`advanceSlopeCap`); where that one plays through without
   * a jump, meets the first path again within `CATCH_UP_SECONDS` on either side and matches the
   * recording there at least as well (cell costs alone), its cells replace the skip
   * (`spliceCatchUps`). Everywhere else the first search's path stays: priced so
   * everywhere, a recording starting in the second of two copies of the same music started in
   * the first and ran through the music between them instead of jumping back (see
   * `advancePower`). 0: off. Validation (`run.js --methods jump,auto --sets
   * overall,structure,multi --out .eval/preds-v36` against `-v34`): Ravel's ov26 83.0 → 86.2 and
   * Chopin's mu14 87.7 → 89.0 within 100 ms, the other 82 alignments byte-identical; without the
   * cost test (`.eval/preds-v35`) it also turned a true 7.5-s skip (mu39) into a run. `tune.js
   * --method jump --sets overall,multi,structure --grid '{"jump":{"catchUpSlopeCap":[1.5,0.75],
   * "catchUpMaxAdvance":[8,12]}}'`: 1.5 and 8 or 12 alike, 0.75 and 8 +0.03 within 50 ms overall,
   * 0.75 and 12 loses a true jump.
   */
  catchUpSlopeCap: number;
  /** Most score frames a row the catch-up search advances (`catchUpSlopeCap`). */
  catchUpMaxAdvance: number;
  /**
   * Crawled skips, the catch-up's converse: a short skip (a segment of 8 beats left out) can cost
   * the search less played through at 3–4 times the tempo than jumped over, where the cells say
   * little (a phone's band, a dull timbre). Where the search crawls (`skipOutSeconds`), a second
   * search that advances at most this − 1 score frames a coarse row is made; where that one
   * skips forward, meets the first path again within `CATCH_UP_SECONDS` on either side, the first
   * path advances at least this many frames in some row in between, and the skip's cells cost
   * less in all than the first path's (`spliceSkips`), the skip replaces the crawl. 0: off.
   */
  skipOutAdvance: number;
  /**
   * The second search of `skipOutAdvance` is made only where, within `CRAWL_WINDOW_SECONDS` of
   * the recording, the first search advances at least this much score (s) beyond its mean tempo
   * (`crawlFrames`): a skip crawled through. On validation and the multi probe 23 of 126
   * recordings reach 3 s (19 reach 3.5 s); the crawled skips of mu39 and pm39 4.9 s. Measured
   * with the whole search made on every recording, the second one cost ~150 ms on the bench's
   * 5-minute recording, which has no crawl (docs/EVALUATION.md, "Crawled skips and the nearer
   * copy").
   */
  skipOutSeconds: number;
  /**
   * Where given, advancing k ≥ 2 frames costs at most this × (k − 1) × `tempoPenalty` (the
   * catch-up search's price, `catchUpSlopeCap`).
   */
  advanceSlopeCap?: number;
}

/**
 * Jump search defaults (tuned on synthetic and cut-and-rejoined validation audio). The jump
 * penalty 15 was chosen on the ASAP validation eval set (`.eval/data`, 30 overall + 12
 * structure cases) from {8, 15, 25, 50}: % within 100 ms overall / structure 92.2/95.0,
 * 92.8/95.6, 92.7/94.5, 92.7/93.7; 50 also missed the short repeats of the fixtures.
 */
export const DEFAULT_JUMP: JumpParams = {
  coarseSeconds: 0.1,
  maxCells: 30_000_000,
  jumpPenalty: 20,
  tempoPenalty: 0.2,
  maxAdvance: 4,
  cost: DEFAULT_COST,
  bandFrames: DEFAULT_DTW.fineRadius,
  boundaryFrames: 64,
  refineGuideFactor: 4,
  offBarPenalty: 0,
  openEndScale: 1,
  jumpDistancePenalty: 0.02,
  tempoFromDensity: true,
  earlyLandingPenalty: 8,
  landingRadiusSeconds: 0,
  exitRadiusSeconds: 0,
  minEdgePassSeconds: 4,
  detourSeconds: 2,
  refineStretch: 1,
  refineTempoSeconds: 2,
  refineHoldLimit: 4,
  refineGuideSeconds: 2.5,
  straightRepeats: true,
  nearerCopies: true,
  catchUpSlopeCap: 1.5,
  catchUpMaxAdvance: 8,
  skipOutAdvance: 3,
  skipOutSeconds: 3,
};

/** A targeted jump window (see `JumpParams.jumpTargets`). */
export interface JumpTarget {
  perfStart: number;
  perfEnd: number;
  scoreLo: number;
  scoreHi: number;
  penalty: number;
}

/** A coarse structure-aware path: one score frame per coarse perf frame, and where it jumps. */
export interface CoarseJumpPath {
  /** Pooling factor of the coarse perf frames. */
  perfFactor: number;
  /** Pooling factor of the coarse score frames (≈ perfFactor × score/perf tempo ratio). */
  scoreFactor: number;
  /** Coarse perf frame of each path cell (0, 1, 2, …). */
  perfFrames: Int32Array;
  /** Coarse score frame of each path cell. */
  scoreFrames: Int32Array;
  /** Path indices k where cell k is reached by a jump from cell k − 1. */
  jumps: number[];
  /** Back-pointer cells allocated. */
  cells: number;
}

/**
 * Coarse cell costs kept from one coarse search for the next over the same perf and score
 * (`CoarseSearchOptions.costs`): the search alone and the steered search of the default aligner
 * pool the same features with the same cost, so the second reads the first's costs. Kept only
 * up to `COARSE_COST_CACHE_CELLS` cells.
 */
export interface CoarseCostCache {
  perf?: Features;
  score?: Features;
  key?: string;
  costs?: Float64Array;
  /**
   * The searches already run on these features, by everything they read (see
   * `searchFingerprint`): a search asked again with the same inputs, as the steered search is
   * when the network saw no jump and the search alone made none, returns the earlier path.
   */
  searches?: Map<string, CoarseJumpPath>;
  /** The last grid pooled for a search with this cache (`cachedGrid`): the searches share it. */
  grid?: { perf: Features; score: Features; params: string; grid: CoarseGrid };
  /** The last cost normalised for a search with this cache (`jumpSearchParams`), from `raw` (JSON). */
  normalised?: { perf: Features; score: Features; raw: string; cost: CostParams };
}

/** Most coarse cells whose costs a `CoarseCostCache` keeps (8 bytes each: 128 MB). */
export const COARSE_COST_CACHE_CELLS = 16_000_000;

/** Options of `coarseJumpPath`: progress, cancellation and a cost cache shared with other searches. */
export type CoarseSearchOptions = AlignOptions & {
  costs?: CoarseCostCache;
  /** Only a search made earlier (in `costs`) is answered; any other throws `NotSearchedYet`. */
  earlierOnly?: boolean;
};

/** A search that was asked for only if made earlier (`CoarseSearchOptions.earlierOnly`) and was not. */
export class NotSearchedYet extends Error {
  override readonly name = 'NotSearchedYet';
}

// Back-pointer codes: 0..250 = score advance, then:
const STALL = 0;
const DIAG = 1;
/** A jump from the row's best source regardless of distance (a targeted network window). */
const JUMP_NEAREST_FREE = 253;
const JUMP = 254;
const START = 255;

/**
 * Coarse JumpDTW. Perf and score are pooled so that a coarse frame of each covers about the same
 * stretch of music (the score/perf ratio of their sounding lengths), and every coarse perf frame
 * takes one step: the score advances by 1, or by 0 at `tempoPenalty`, or by k = 2 … maxAdvance at
 * (k − 1)² × `tempoPenalty`, or jumps from the last
 * frame before any jump point (or the score's end) to the first frame of any jump point (or the
 * start) at `jumpPenalty`. Every complete path sums exactly one cell cost per perf frame, so
 * skipping or repeating score material gains nothing unless it matches better. The path may also
 * start at a jump point or end before one, at `jumpPenalty` each. O(N·(M + J)) time with the
 * per-row best jump source, one byte per cell.
 */
export function coarseJumpPath(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  params: JumpParams = DEFAULT_JUMP,
  opts: CoarseSearchOptions = {},
): CoarseJumpPath {
  const first = searchCoarse(perf, score, jumpPointsSeconds, params, opts);
  if (!(params.earlyLandingPenalty > 0)) return first;
  // A second search only when the first jumps back to before where the recording starts: it
  // keeps that start and prices such landings.
  const slack = Math.max(1, Math.round(1 / (score.hopSeconds * first.scoreFactor)));
  const start = first.scoreFrames[0];
  const floorCol = start - slack;
  const early = first.jumps.some(
    (k) => first.scoreFrames[k] < first.scoreFrames[k - 1] && first.scoreFrames[k] < floorCol,
  );
  if (!early) return first;
  return searchCoarse(perf, score, jumpPointsSeconds, params, opts, {
    floorCol,
    penalty: params.earlyLandingPenalty,
    startLo: start - slack,
    startHi: start + slack,
  });
}

/**
 * A second search's constraint (see `JumpParams.earlyLandingPenalty`): the path starts in score
 * columns [startLo, startHi], and a backward jump landing below `floorCol` costs `penalty` more.
 */
interface LandingFloor {
  floorCol: number;
  penalty: number;
  startLo: number;
  startHi: number;
}

/**
 * The grid a coarse search runs on: perf and score pooled so that a coarse frame of each covers
 * about the same stretch of music (the score/perf ratio of their sounding lengths), at least
 * `coarseSeconds` per perf frame and at most `maxCells` cells; and the key its cell costs are
 * cached under (`CoarseCostCache`).
 */
export interface CoarseGrid {
  perfFactor: number;
  scoreFactor: number;
  /** The pooled performance (N coarse frames). */
  perf: Features;
  /** The pooled score (M coarse frames). */
  score: Features;
  key: string;
}

/** The coarse grid of a search with `params` (`params.cost` as the search uses it, normalised). */
export function coarseGrid(perf: Features, score: Features, params: JumpParams): CoarseGrid {
  const hop = perf.hopSeconds;
  // Score frames per perf frame at the performance's global tempo (`tempoRatio`).
  const ratio = (tempoRatio(perf, score, { density: params.tempoFromDensity }) * hop) / score.hopSeconds;
  let perfFactor = Math.max(1, Math.round(params.coarseSeconds / hop));
  let scoreFactor = Math.max(1, Math.round(perfFactor * ratio));
  while (Math.ceil(perf.frames / perfFactor) * Math.ceil(score.frames / scoreFactor) > params.maxCells) {
    perfFactor++;
    scoreFactor = Math.max(1, Math.round(perfFactor * ratio));
  }
  const p = poolFeatures(perf, perfFactor);
  const s = poolFeatures(score, scoreFactor);
  const key = `${perfFactor}×${scoreFactor} ${p.frames}×${s.frames} ${JSON.stringify(params.cost)}`;
  return { perfFactor, scoreFactor, perf: p, score: s, key };
}

/** What a coarse grid depends on besides the features (`cachedGrid`'s key). */
function gridParams(params: JumpParams): string {
  return JSON.stringify([params.coarseSeconds, params.maxCells, params.tempoFromDensity, params.cost]);
}

/**
 * `coarseGrid(perf, score, params)`, pooled once per `cache` for the same features and the
 * parameters the grid depends on (the searches of one alignment share it).
 */
export function cachedGrid(
  perf: Features,
  score: Features,
  params: JumpParams,
  cache?: CoarseCostCache,
): CoarseGrid {
  if (!cache) return coarseGrid(perf, score, params);
  const key = gridParams(params);
  const g = cache.grid;
  if (g && g.perf === perf && g.score === score && g.params === key) return g.grid;
  const grid = coarseGrid(perf, score, params);
  cache.grid = { perf, score, params: key, grid };
  return grid;
}

/**
 * Cell costs of coarse rows [from, to) of a grid into `out` (row-major, one row of M = score
 * frames per perf frame, row i at i·M): the values the search computes itself, bit for bit.
 */
export function coarseRowCosts(
  perf: Features,
  score: Features,
  cost: CostParams,
  from: number,
  to: number,
  out: Float64Array,
): void {
  const M = score.frames;
  for (let i = from; i < to; i++) rowCosts(perf, score, i, 0, M - 1, out.subarray(i * M, (i + 1) * M), cost);
}

/**
 * Computes all of a grid's cell costs (row-major, N × M) ahead of the searches that read them,
 * e.g. on several threads (the engine's `parallelCoarseCosts`); resolves when every cell is set.
 */
export type CoarseCostFill = (
  grid: CoarseGrid,
  cost: CostParams,
  signal?: AbortSignal,
) => Promise<Float64Array>;

/**
 * Fills `cache` with the coarse cell costs of a search over (perf, score) with `params` (their
 * cost normalised, as the search uses it) by `fill`, when the grid fits the cache; the searches
 * given `cache` then read them instead of computing them.
 */
export async function prefillCoarseCosts(
  perf: Features,
  score: Features,
  params: JumpParams,
  fill: CoarseCostFill,
  cache: CoarseCostCache,
  signal?: AbortSignal,
): Promise<void> {
  const grid = cachedGrid(perf, score, params, cache);
  if (grid.perf.frames * grid.score.frames > COARSE_COST_CACHE_CELLS) return;
  const costs = await fill(grid, params.cost, signal);
  Object.assign(cache, { perf, score, key: grid.key, costs, searches: undefined });
}

/**
 * The full parameters of a jump search from partial ones, with the cost normalised for (perf,
 * score) as the search uses it; with a `cache`, normalised once for the searches that share it.
 */
export function jumpSearchParams(
  perf: Features,
  score: Features,
  partial: Partial<JumpParams> = {},
  cache?: CoarseCostCache,
): JumpParams {
  const params = { ...DEFAULT_JUMP, ...partial };
  if (!cache) {
    params.cost = normalisedCost(perf, score, params.cost);
    return params;
  }
  const raw = JSON.stringify(params.cost);
  const memo = cache.normalised;
  if (memo && memo.perf === perf && memo.score === score && memo.raw === raw) params.cost = memo.cost;
  else {
    params.cost = normalisedCost(perf, score, params.cost);
    cache.normalised = { perf, score, raw, cost: params.cost };
  }
  return params;
}

/**
 * The cheapest arrival at each target column from any source by an L1 distance price: `lambda`
 * per column crossed, plus `backExtra` at the landing for a source after it (a backward jump);
 * `seed` holds each source column's value (Infinity elsewhere). Two running sweeps over the
 * columns, each value kept at the targets only: `out[k]` for the column `targets[k]` (the same
 * sums in the same order as sweeps that keep every column, bit for bit).
 */
function distanceSweeps(
  seed: Float64Array,
  lambda: number,
  backExtra: Float64Array,
  targets: Int32Array,
  out: Float64Array,
): void {
  const M = seed.length;
  const T = targets.length;
  let run = seed[0];
  let j = 0;
  for (let k = 0; k < T; k++) {
    const t = targets[k];
    for (; j < t;) {
      j++;
      run = Math.min(seed[j], run + lambda);
    }
    out[k] = run;
  }
  run = seed[M - 1];
  j = M - 1;
  for (let k = T - 1; k >= 0; k--) {
    const t = targets[k];
    for (; j > t;) {
      j--;
      run = Math.min(seed[j], run + lambda);
    }
    out[k] = Math.min(out[k], run + backExtra[t]);
  }
}

function searchCoarse(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  params: JumpParams,
  opts: CoarseSearchOptions,
  landing?: LandingFloor,
): CoarseJumpPath {
  const { perfFactor, scoreFactor, perf: p, score: s, key } = cachedGrid(perf, score, params, opts.costs);
  const N = p.frames;
  const M = s.frames;
  const coarseHop = score.hopSeconds * scoreFactor;
  // Jump targets (first frame of a section) and sources (last frame before one), each with the
  // extra cost of a jump end there: 0 at jump points, offBarPenalty at other beats.
  const targetExtra = new Float64Array(M).fill(Infinity);
  const sourceExtra = new Float64Array(M).fill(Infinity);
  targetExtra[0] = 0;
  sourceExtra[M - 1] = 0;
  const mark = (times: readonly number[], extra: number): void => {
    for (const t of times) {
      const c = Math.round(t / coarseHop);
      if (c >= 0 && c < M) targetExtra[c] = Math.min(targetExtra[c], extra);
      if (c - 1 >= 0 && c - 1 < M) sourceExtra[c - 1] = Math.min(sourceExtra[c - 1], extra);
    }
  };
  mark(jumpPointsSeconds, 0);
  if (params.beatPointsSeconds) mark(params.beatPointsSeconds, params.offBarPenalty);
  // A backward jump landing below the floor costs more (see `LandingFloor`).
  const backExtra = new Float64Array(M);
  if (landing) backExtra.fill(landing.penalty, 0, Math.max(0, Math.min(M, landing.floorCol)));
  const startAllowed = (j: number): boolean => !landing || (j >= landing.startLo && j <= landing.startHi);
  const isTarget = new Uint8Array(M);
  for (let j = 0; j < M; j++) isTarget[j] = Number.isFinite(targetExtra[j]) ? 1 : 0;
  const targetList: number[] = [];
  for (let j = 0; j < M; j++) if (isTarget[j]) targetList.push(j);
  const targets = Int32Array.from(targetList);
  const sourceList: number[] = [];
  for (let j = 0; j < M; j++) if (Number.isFinite(sourceExtra[j])) sourceList.push(j);
  const sources = Int32Array.from(sourceList);
  const P = params.jumpPenalty;
  const rowPenalty = coarsePenalties(params.jumpPenaltyProfile, perf.frames, perfFactor, N, P);
  // Targeted windows per coarse row: [colLo, colHi, penalty] triples.
  const backP = Math.floor((perfFactor - 1) / 2);
  const backS = Math.floor((scoreFactor - 1) / 2);
  const rowTargets: number[][] = Array.from({ length: N }, () => []);
  for (const t of params.jumpTargets ?? []) {
    const r0 = Math.max(0, Math.floor((t.perfStart + backP) / perfFactor));
    const r1 = Math.min(N - 1, Math.floor((t.perfEnd - 1 + backP) / perfFactor));
    const c0 = Math.max(0, Math.floor((t.scoreLo + backS) / scoreFactor));
    const c1 = Math.min(M - 1, Math.floor((t.scoreHi + backS) / scoreFactor));
    for (let r = r0; r <= r1; r++) rowTargets[r].push(c0, c1, t.penalty);
  }
  const cache = opts.costs;
  const sameFeatures = cache?.perf === perf && cache.score === score && cache.key === key;
  // Only a grid the cache can hold is remembered (see `store` below).
  const fingerprint =
    cache && N * M <= COARSE_COST_CACHE_CELLS
      ? searchFingerprint(jumpPointsSeconds, params, rowPenalty, rowTargets, landing)
      : undefined;
  const earlier = sameFeatures && fingerprint ? cache?.searches?.get(fingerprint) : undefined;
  if (earlier) {
    opts.onProgress?.(1);
    return copyCoarsePath(earlier);
  }
  if (opts.earlierOnly) throw new NotSearchedYet('coarseJumpPath: this search was not made earlier');
  const tp = params.tempoPenalty;
  const maxAdvance = Math.max(1, Math.min(250, Math.floor(params.maxAdvance)));
  // Price of advancing k ≥ 2 score frames in one step.
  const advance = new Float64Array(maxAdvance + 1);
  const power = params.advancePower ?? 2;
  const cap = params.advanceSlopeCap ?? Infinity;
  for (let k = 2; k <= maxAdvance; k++) advance[k] = tp * Math.min(Math.pow(k - 1, power), cap * (k - 1));
  const unrolled = maxAdvance === 4;
  const [a2, a3, a4] = unrolled ? [advance[2], advance[3], advance[4]] : [0, 0, 0];
  const ptr = new Uint8Array(N * M);
  const bestSrc = new Int32Array(N);
  // The usual maxAdvance of 4 steps in the WebAssembly kernel where it runs (`stepKernel.ts`).
  const kernel = unrolled ? stepRows(M) : undefined;
  let prev = kernel?.prev ?? new Float64Array(M);
  let cur = kernel?.cur ?? new Float64Array(M);
  // This search's costs: those a previous search left in the cache, or computed row by row
  // (into the cache, when one is given and the grid fits).
  const cached = sameFeatures ? cache?.costs : undefined;
  let store: Float64Array | undefined;
  if (!cached && cache && N * M <= COARSE_COST_CACHE_CELLS) {
    store = new Float64Array(N * M);
    Object.assign(cache, { perf, score, key, costs: undefined, searches: undefined });
  }
  const row: Float64Array = new Float64Array(M);
  // Distance-priced jumps: per row, the cheapest arrival at each column from any source plus
  // `lambda` per column crossed (an L1 distance transform, two sweeps), and each row's source
  // values kept for the backtrack.
  const lambda = Math.max(0, params.jumpDistancePenalty) * coarseHop;
  // Forward arrivals (from sources at or before the column) and backward ones kept apart, so
  // that a backward landing below the floor can be priced.
  const sweep = lambda > 0 || landing !== undefined;
  // Each target's cheapest arrival by distance (in `targets` order).
  const viaDist = sweep ? new Float64Array(targets.length) : undefined;
  // Each column's jump-source value in the previous row (Infinity where no source).
  const seed = sweep ? new Float64Array(M).fill(Infinity) : undefined;
  const srcVals = sweep ? new Float32Array(N * sources.length) : undefined;
  // The cheapest step into each column of the row, before its cell cost: the targets' jumps are
  // compared with it after the row's steps (the same comparisons in the same order as one pass).
  const stepBest = kernel?.stepBest ?? new Float64Array(M);
  for (let i = 0; i < N; i++) {
    if (i % 1024 === 0) {
      opts.signal?.throwIfAborted();
      opts.onProgress?.(i / N);
    }
    const base = i * M;
    let c: Float64Array = row;
    if (cached) c = cached.subarray(base, base + M);
    else {
      if (store) c = store.subarray(base, base + M);
      rowCosts(p, s, i, 0, M - 1, c, params.cost);
    }
    if (i === 0) {
      for (let j = 0; j < M; j++) {
        cur[j] = !startAllowed(j)
          ? Infinity
          : j === 0
            ? c[j]
            : isTarget[j]
              ? params.openEndScale * rowPenalty[0] + targetExtra[j] + c[j]
              : Infinity;
        ptr[base + j] = START;
      }
    } else {
      // Best jump source in the previous row.
      let jumpFrom = Infinity;
      let bs = -1;
      const off = (i - 1) * sources.length;
      for (let q = 0; q < sources.length; q++) {
        const v = prev[sources[q]] + sourceExtra[sources[q]];
        if (v < jumpFrom) {
          jumpFrom = v;
          bs = sources[q];
        }
        if (seed && srcVals) {
          srcVals[off + q] = v;
          seed[sources[q]] = v;
        }
      }
      bestSrc[i - 1] = bs;
      const jumpBase = jumpFrom;
      jumpFrom += rowPenalty[i];
      if (viaDist && seed) distanceSweeps(seed, lambda, backExtra, targets, viaDist);
      if (kernel) {
        kernel.cost.set(c);
        kernel.step(ptr, base, tp, a2, a3, a4);
      } else {
        // The previous row's last four values ride in registers (Infinity left of column 0), and
        // the usual maxAdvance of 4 is unrolled: the same comparisons in the same order.
        let p1 = Infinity;
        let p2 = Infinity;
        let p3 = Infinity;
        let p4 = Infinity;
        for (let j = 0; j < M; j++) {
          const p0 = prev[j];
          let best = p0 + tp;
          let code = STALL;
          if (p1 < best) {
            best = p1;
            code = DIAG;
          }
          if (unrolled) {
            let v = p2 + a2;
            if (v < best) {
              best = v;
              code = 2;
            }
            v = p3 + a3;
            if (v < best) {
              best = v;
              code = 3;
            }
            v = p4 + a4;
            if (v < best) {
              best = v;
              code = 4;
            }
          } else {
            const kMax = j < maxAdvance ? j : maxAdvance;
            for (let k = 2; k <= kMax; k++) {
              const v = prev[j - k] + advance[k];
              if (v < best) {
                best = v;
                code = k;
              }
            }
          }
          p4 = p3;
          p3 = p2;
          p2 = p1;
          p1 = p0;
          stepBest[j] = best;
          cur[j] = best + c[j];
          ptr[base + j] = code;
        }
      }
      // Jumps land on targets only: each target's step is compared with its jumps.
      const rowP = rowPenalty[i];
      const tw = rowTargets[i];
      for (let k = 0; k < targets.length; k++) {
        const j = targets[k];
        let best = stepBest[j];
        let code = -1;
        const jf = (viaDist ? viaDist[k] + rowP : jumpFrom) + targetExtra[j];
        if (jf < best) {
          best = jf;
          code = JUMP;
        }
        for (let q = 0; q < tw.length; q += 3) {
          // Inside a targeted window a beat is as good a landing as a bar line.
          const v = jumpBase + tw[q + 2] + (bs > j ? backExtra[j] : 0);
          if (j >= tw[q] && j <= tw[q + 1] && v < best) {
            best = v;
            code = JUMP_NEAREST_FREE;
          }
        }
        if (code >= 0) {
          cur[j] = best + c[j];
          ptr[base + j] = code;
        }
      }
    }
    if (kernel) {
      kernel.swap();
      prev = kernel.prev;
      cur = kernel.cur;
    } else {
      const t = prev;
      prev = cur;
      cur = t;
    }
  }
  if (cache && store) cache.costs = store;
  // End at the score's end, or (with a penalty) before any jump point.
  let endCol = M - 1;
  let endVal = prev[M - 1];
  for (let q = 0; q < sources.length; q++) {
    const v = prev[sources[q]] + sourceExtra[sources[q]] + params.openEndScale * rowPenalty[N - 1];
    if (v < endVal) {
      endVal = v;
      endCol = sources[q];
    }
  }
  const perfFrames = new Int32Array(N);
  const scoreFrames = new Int32Array(N);
  const jumps: number[] = [];
  let j = endCol;
  for (let i = N - 1; i >= 0; i--) {
    perfFrames[i] = i;
    scoreFrames[i] = j;
    const code = ptr[i * M + j];
    if (i === 0) break;
    if (code === JUMP_NEAREST_FREE || (code === JUMP && !srcVals)) {
      jumps.push(i);
      j = bestSrc[i - 1];
    } else if (code === JUMP && srcVals) {
      // The source the distance transform chose: the cheapest stored source value plus distance.
      jumps.push(i);
      const off = (i - 1) * sources.length;
      let bv = Infinity;
      let bsrc = bestSrc[i - 1];
      for (let q = 0; q < sources.length; q++) {
        const v = srcVals[off + q] + lambda * Math.abs(sources[q] - j) + (sources[q] > j ? backExtra[j] : 0);
        if (v < bv) {
          bv = v;
          bsrc = sources[q];
        }
      }
      j = bsrc;
    } else if (code <= 250) j -= code;
    else throw new Error(`coarseJumpPath: broken back-pointer at (${i}, ${j})`);
  }
  opts.onProgress?.(1);
  const result = {
    perfFactor,
    scoreFactor,
    perfFrames,
    scoreFrames,
    jumps: jumps.reverse(),
    cells: ptr.length,
  };
  if (cache && fingerprint && cache.perf === perf && cache.score === score && cache.key === key) {
    cache.searches ??= new Map();
    cache.searches.set(fingerprint, copyCoarsePath(result));
  }
  return result;
}

/**
 * Everything a coarse search reads besides the features and their cell costs: the jump points,
 * every parameter (the jump price profile and targets as the per-row prices and windows they
 * become) and the landing floor. Two searches with the same fingerprint find the same path.
 */
function searchFingerprint(
  jumpPointsSeconds: readonly number[],
  params: JumpParams,
  rowPenalty: Float64Array,
  rowTargets: readonly (readonly number[])[],
  landing: LandingFloor | undefined,
): string {
  const { jumpPenaltyProfile: _profile, jumpTargets: _targets, ...rest } = params;
  return JSON.stringify([jumpPointsSeconds, rest, Array.from(rowPenalty), rowTargets, landing ?? null]);
}

function copyCoarsePath(c: CoarseJumpPath): CoarseJumpPath {
  return { ...c, perfFrames: c.perfFrames.slice(), scoreFrames: c.scoreFrames.slice(), jumps: [...c.jumps] };
}

/**
 * Jump cost of each coarse perf frame: `fallback` everywhere, or, with a per-frame profile,
 * the lowest value over the frames the coarse frame covers (same pooling as `poolFeatures`).
 */
export function coarsePenalties(
  profile: Float32Array | undefined,
  perfFrames: number,
  factor: number,
  coarseFrames: number,
  fallback: number,
): Float64Array {
  const out = new Float64Array(coarseFrames).fill(fallback);
  if (!profile) return out;
  if (profile.length !== perfFrames)
    throw new RangeError(
      `coarseJumpPath: jumpPenaltyProfile has ${profile.length} values, expected one per performance frame (${perfFrames})`,
    );
  const back = Math.floor((factor - 1) / 2);
  for (let g = 0; g < coarseFrames; g++) {
    const a = Math.max(0, g * factor - back);
    const b = Math.min(perfFrames, g * factor - back + factor);
    let m = Infinity;
    for (let f = a; f < b; f++) m = Math.min(m, profile[f]);
    if (Number.isFinite(m)) out[g] = m;
  }
  return out;
}

/** Full-resolution route from a coarse jump path: passes split at its jumps, cut score frames snapped to the jump points. */
export function routeFromCoarse(
  coarse: CoarseJumpPath,
  perfFrames: number,
  scoreFrames: number,
  jumpPointsSeconds: readonly number[],
  scoreHopSeconds: number,
): Route {
  const Fp = coarse.perfFactor;
  const Fs = coarse.scoreFactor;
  const backP = Math.floor((Fp - 1) / 2);
  const backS = Math.floor((Fs - 1) / 2);
  const coarseHop = scoreHopSeconds * Fs;
  const lastCol = Math.ceil(scoreFrames / Fs) - 1;
  const fineScore = (cCol: number): number => Math.min(scoreFrames, Math.max(0, cCol * Fs - backS));
  const finePerf = (row: number): number => Math.min(perfFrames, Math.max(0, row * Fp - backP));
  // Exact frame of the jump point nearest a coarse column boundary (between columns c−1 and c).
  const snap = (cCol: number): number => {
    let best = fineScore(cCol);
    let bestD = Infinity;
    for (const t of jumpPointsSeconds) {
      const d = Math.abs(t / coarseHop - cCol);
      if (d < bestD && d <= 0.5) {
        bestD = d;
        best = Math.round(t / scoreHopSeconds);
      }
    }
    return Math.min(scoreFrames, Math.max(0, best));
  };
  const segs: Route['segments'] = [];
  const starts = [0, ...coarse.jumps];
  for (let q = 0; q < starts.length; q++) {
    const a = starts[q];
    const b = q + 1 < starts.length ? starts[q + 1] : coarse.perfFrames.length;
    const perfStart = q === 0 ? 0 : finePerf(coarse.perfFrames[a]);
    const perfEnd = q + 1 < starts.length ? finePerf(coarse.perfFrames[b]) : perfFrames;
    const startCol = coarse.scoreFrames[a];
    const endCol = coarse.scoreFrames[b - 1];
    const scoreStart = q === 0 && startCol === 0 ? 0 : snap(startCol);
    const scoreEnd = q + 1 === starts.length && endCol === lastCol ? scoreFrames : snap(endCol + 1);
    if (perfEnd <= perfStart) continue;
    segs.push({
      perfStart,
      perfEnd,
      scoreStart: Math.min(scoreStart, scoreFrames - 1),
      scoreEnd: Math.max(scoreEnd, Math.min(scoreStart, scoreFrames - 1) + 1),
    });
  }
  // Re-knit perf ranges after dropping empty passes.
  for (let k = 0; k < segs.length; k++) {
    segs[k].perfStart = k === 0 ? 0 : segs[k - 1].perfEnd;
  }
  segs[segs.length - 1].perfEnd = perfFrames;
  return { segments: segs };
}

/** An edge pass sounding for less than `minFrames` and for less than this fraction of its length is silence (`mergeEdgePasses`). */
const SILENT_EDGE_FRACTION = 0.5;

/**
 * Merges a first or last pass shorter than `minFrames` perf frames into its neighbour (see
 * `JumpParams.minEdgePassSeconds`), repeatedly; the neighbour is extended over the merged perf
 * frames at its own score-per-perf rate (clipped to the score). Other passes are kept as they are.
 * With `sound` (the recording's first and last sounding frames, `soundingRange`), an edge pass
 * sounding for less than `minFrames` and for less than half its length is merged too, however
 * long: a recording's silent tail is no pass (the search would "play" it at some rest inside the
 * score rather than hold the end), and the neighbour is extended by the sounding frames only.
 */
export function mergeEdgePasses(
  route: Route,
  minFrames: number,
  scoreFrames: number,
  sound?: readonly [number, number],
): Route {
  const segs = route.segments.map((s) => ({ ...s }));
  const sounding = (s: Route['segments'][number]): number =>
    sound
      ? Math.max(0, Math.min(s.perfEnd, sound[1] + 1) - Math.max(s.perfStart, sound[0]))
      : s.perfEnd - s.perfStart;
  const short = (s: Route['segments'][number]): boolean =>
    s.perfEnd - s.perfStart < minFrames ||
    (sounding(s) < minFrames && sounding(s) < SILENT_EDGE_FRACTION * (s.perfEnd - s.perfStart));
  const rate = (s: Route['segments'][number]): number =>
    (s.scoreEnd - s.scoreStart) / Math.max(1, s.perfEnd - s.perfStart);
  while (segs.length > 1 && short(segs[segs.length - 1])) {
    const last = segs.pop()!;
    const prev = segs[segs.length - 1];
    prev.scoreEnd = Math.min(scoreFrames, prev.scoreEnd + Math.round(sounding(last) * rate(prev)));
    prev.perfEnd = last.perfEnd;
  }
  while (segs.length > 1 && short(segs[0])) {
    const first = segs.shift()!;
    const next = segs[0];
    next.scoreStart = Math.max(0, next.scoreStart - Math.round(sounding(first) * rate(next)));
    next.perfStart = first.perfStart;
  }
  return { segments: segs };
}

/** How near (score seconds) to where the pass before a detour left the recording must go on after it. */
export const DETOUR_RETURN_SECONDS = 4;

/**
 * Removes detours (`JumpParams.detourSeconds`): an inner pass playing fewer than `maxScoreFrames`
 * score frames, where the next pass starts at most `returnFrames` after the previous pass ends
 * (and not before it), is merged with both into one pass from the previous pass's start to the
 * next one's end.
 */
export function mergeDetours(route: Route, maxScoreFrames: number, returnFrames: number): Route {
  if (!(maxScoreFrames > 0)) return route;
  const segs = route.segments.map((s) => ({ ...s }));
  for (let i = 1; i + 1 < segs.length;) {
    const [prev, inner, next] = [segs[i - 1], segs[i], segs[i + 1]];
    const gap = next.scoreStart - prev.scoreEnd;
    if (inner.scoreEnd - inner.scoreStart < maxScoreFrames && gap >= 0 && gap <= returnFrames) {
      segs.splice(i - 1, 3, { ...prev, perfEnd: next.perfEnd, scoreEnd: next.scoreEnd });
      i = Math.max(1, i - 1);
    } else i++;
  }
  return { segments: segs };
}

/**
 * Places where the refinement may land or leave a pass (`RefineOptions.landings`, `exits`), each
 * moved by `shift` frames: jump points (bar lines) at no extra cost, other beats at `beatExtra`.
 */
function cutPoints(
  jumpPointsSeconds: readonly number[],
  beatPointsSeconds: readonly number[],
  beatExtra: number,
  scoreHop: number,
  radiusSeconds: number,
  shift: number,
): NonNullable<RefineOptions['landings']> {
  const frames: number[] = [];
  const extras: number[] = [];
  for (const t of jumpPointsSeconds) {
    frames.push(Math.round(t / scoreHop) + shift);
    extras.push(0);
  }
  for (const t of beatPointsSeconds) {
    frames.push(Math.round(t / scoreHop) + shift);
    extras.push(beatExtra);
  }
  return { frames, extras, radiusFrames: Math.round(radiusSeconds / scoreHop) };
}

/** Options of `alignJump`. */
export type JumpOptions = AlignOptions & {
  params?: Partial<JumpParams>;
  dtwParams?: Partial<DtwParams>;
  coarseCosts?: CoarseCostCache;
  /**
   * The score's features with every time t (s) moved to `time(t)` (its notes played at another
   * tempo: `time` is increasing), for `JumpParams.refineStretch`; without it the refinement uses
   * `score` as it is.
   */
  stretchScore?: (time: (t: number) => number) => Features;
  /** The score's notes, for `JumpParams.straightRepeats` (`sameMusicIndex`). */
  sameMusic?: SameMusic;
};

/** How far (s of performance) on either side of a skip the catch-up search must meet the first path again. */
export const CATCH_UP_SECONDS = 10;

/** Path indices k of a coarse path's jumps that go forward by more than `maxAdvance` score frames. */
export function forwardJumps(c: CoarseJumpPath, maxAdvance: number): number[] {
  return c.jumps.filter((k) => c.scoreFrames[k] - c.scoreFrames[k - 1] > maxAdvance);
}

/**
 * The last row r0 < k and the first row r1 ≥ k, each within `maxRows` of k, where paths `a` and
 * `b` are on the same cell (±1 score frame): the window in which one path's rows may take the
 * other's place. Undefined where they do not meet so near.
 */
function meetingWindow(
  a: CoarseJumpPath,
  b: CoarseJumpPath,
  k: number,
  maxRows: number,
): [number, number] | undefined {
  const n = a.scoreFrames.length;
  const meets = (r: number): boolean => Math.abs(a.scoreFrames[r] - b.scoreFrames[r]) <= 1;
  let r0 = k - 1;
  while (r0 >= Math.max(0, k - maxRows) && !meets(r0)) r0--;
  let r1 = k;
  while (r1 < Math.min(n, k + maxRows) && !meets(r1)) r1++;
  if (r0 < Math.max(0, k - maxRows) || r1 >= Math.min(n, k + maxRows)) return undefined;
  return [r0, r1];
}

/** The cell costs of `a`'s and of `b`'s rows r0 + 1 … r1 − 1, each summed. */
function windowCosts(
  a: CoarseJumpPath,
  b: CoarseJumpPath,
  r0: number,
  r1: number,
  cell: (row: number, col: number) => number,
): [number, number] {
  let costA = 0;
  let costB = 0;
  for (let r = r0 + 1; r < r1; r++) {
    costA += cell(r, a.scoreFrames[r]);
    costB += cell(r, b.scoreFrames[r]);
  }
  return [costA, costB];
}

/**
 * `a` with each forward skip (`forwardJumps`) that `b` plays through replaced by `b`'s cells:
 * for a skip at k, the last row r0 < k and the first row r1 ≥ k within `maxRows` of it where
 * `b` is on `a`'s cell (±1 score frame), if `b` makes no jump in r0 + 1 … r1 and its cells there
 * cost no more in all than `a`'s (`cell(row, column)`, the search's cell cost, without the
 * prices of steps and jumps): a run played fast matches where `a` lagged, while through a true
 * skip `b` leaves the music played early and crosses music not played. `a`'s other rows and
 * jumps stay. Both paths must have the same grid (rows and pooling).
 */
export function spliceCatchUps(
  a: CoarseJumpPath,
  b: CoarseJumpPath,
  maxAdvance: number,
  maxRows: number,
  cell: (row: number, col: number) => number,
): CoarseJumpPath {
  if (a.perfFactor !== b.perfFactor || a.scoreFactor !== b.scoreFactor) return a;
  if (a.scoreFrames.length !== b.scoreFrames.length) return a;
  const bJumps = new Set(b.jumps);
  const scoreFrames = a.scoreFrames.slice();
  const dropped = new Set<number>();
  for (const k of forwardJumps(a, maxAdvance)) {
    const window = meetingWindow(a, b, k, maxRows);
    if (!window) continue;
    const [r0, r1] = window;
    let through = true;
    for (let r = r0 + 1; r <= r1 && through; r++) if (bJumps.has(r)) through = false;
    // `a`'s own other jumps inside the window would be lost with it.
    for (const j of a.jumps) if (j !== k && j > r0 && j <= r1) through = false;
    if (!through) continue;
    const [costA, costB] = windowCosts(a, b, r0, r1, cell);
    if (costB > costA) continue;
    for (let r = r0 + 1; r < r1; r++) scoreFrames[r] = b.scoreFrames[r];
    dropped.add(k);
  }
  if (dropped.size === 0) return a;
  return { ...a, scoreFrames, jumps: a.jumps.filter((k) => !dropped.has(k)) };
}

/** The window (s of performance) over which `crawlFrames` is measured for `JumpParams.skipOutSeconds`. */
export const CRAWL_WINDOW_SECONDS = 6;

/**
 * The most score frames a coarse path advances beyond one a row (its mean tempo) within any
 * `windowRows` rows without a jump: how much score it crawled through fast.
 */
export function crawlFrames(c: CoarseJumpPath, windowRows: number): number {
  let best = 0;
  let next = 0;
  const jumps = c.jumps;
  for (let r = 0; r + windowRows < c.scoreFrames.length; r++) {
    while (next < jumps.length && jumps[next] <= r) next++;
    if (next < jumps.length && jumps[next] <= r + windowRows) continue;
    best = Math.max(best, c.scoreFrames[r + windowRows] - c.scoreFrames[r] - windowRows);
  }
  return best;
}

/** Path indices k (not jumps) where a coarse path advances at least `minAdvance` score frames. */
export function fastRows(c: CoarseJumpPath, minAdvance: number): number[] {
  const jumps = new Set(c.jumps);
  const rows: number[] = [];
  for (let k = 1; k < c.scoreFrames.length; k++)
    if (!jumps.has(k) && c.scoreFrames[k] - c.scoreFrames[k - 1] >= minAdvance) rows.push(k);
  return rows;
}

/**
 * `a` with each stretch it crawls through (`fastRows` at `minAdvance`) replaced by a forward
 * skip of `b` where that matches the recording better: for a forward jump of `b` at k, the last
 * row r0 < k and the first row r1 ≥ k within `maxRows` of it where `b` is on `a`'s cell (±1
 * score frame), if `a` crawls and makes no jump in r0 + 1 … r1, `b` makes no other jump there,
 * and `b`'s cells there cost less in all than `a`'s (`cell(row, column)`, without the prices of
 * steps and jumps). `spliceCatchUps`' converse: through a true skip the crawl passes music not
 * played, while a run played fast is matched by the crawl and missed by the skip.
 */
export function spliceSkips(
  a: CoarseJumpPath,
  b: CoarseJumpPath,
  minAdvance: number,
  maxRows: number,
  cell: (row: number, col: number) => number,
): CoarseJumpPath {
  if (a.perfFactor !== b.perfFactor || a.scoreFactor !== b.scoreFactor) return a;
  if (a.scoreFrames.length !== b.scoreFrames.length) return a;
  const fast = fastRows(a, minAdvance);
  if (fast.length === 0) return a;
  const n = a.scoreFrames.length;
  const scoreFrames = a.scoreFrames.slice();
  const added: number[] = [];
  for (const k of b.jumps) {
    if (b.scoreFrames[k] <= b.scoreFrames[k - 1]) continue;
    const window = meetingWindow(a, b, k, maxRows);
    if (!window) continue;
    const [r0, r1] = window;
    // Inside the recording: both paths end (or start) where the score does, met or not.
    if (r0 === 0 || r1 === n - 1) continue;
    if (a.jumps.some((j) => j > r0 && j <= r1)) continue;
    if (b.jumps.some((j) => j !== k && j > r0 && j <= r1)) continue;
    if (!fast.some((r) => r > r0 && r <= r1)) continue;
    const [costA, costB] = windowCosts(a, b, r0, r1, cell);
    if (!(costB < costA)) continue;
    for (let r = r0 + 1; r < r1; r++) scoreFrames[r] = b.scoreFrames[r];
    added.push(k);
  }
  if (added.length === 0) return a;
  return { ...a, scoreFrames, jumps: [...a.jumps, ...added].sort((x, y) => x - y) };
}

/** Score stretches closer to 1 than this (|ln k|) are not worth a second rendering of the score. */
const MIN_STRETCH_LOG = 0.05;

/**
 * The coarse searches of `alignJump` with full `params`: the path, and where it moves forward
 * faster than `maxAdvance` allows, the catch-up search's path (`spliceCatchUps` joins them).
 */
function coarseSearches(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  params: JumpParams,
  opts: CoarseSearchOptions,
): { coarse: CoarseJumpPath; fast?: CoarseJumpPath; slow?: CoarseJumpPath } {
  const coarse = coarseJumpPath(perf, score, jumpPointsSeconds, params, opts);
  const quiet = { ...opts, onProgress: undefined };
  const crawled = (): number =>
    crawlFrames(coarse, Math.round(CRAWL_WINDOW_SECONDS / (perf.hopSeconds * coarse.perfFactor))) *
    coarse.scoreFactor *
    score.hopSeconds;
  const slow =
    params.skipOutAdvance >= 2 && crawled() >= params.skipOutSeconds
      ? coarseJumpPath(
          perf,
          score,
          jumpPointsSeconds,
          { ...params, maxAdvance: params.skipOutAdvance - 1 },
          quiet,
        )
      : undefined;
  if (!(params.catchUpSlopeCap > 0) || forwardJumps(coarse, params.maxAdvance).length === 0)
    return { coarse, slow };
  const fast = coarseJumpPath(
    perf,
    score,
    jumpPointsSeconds,
    { ...params, maxAdvance: params.catchUpMaxAdvance, advanceSlopeCap: params.catchUpSlopeCap },
    quiet,
  );
  return { coarse, fast, slow };
}

/**
 * Makes, on another thread, the coarse searches `alignJump` would make with `params` over the
 * cell costs in `cache`, and adds them to `cache.searches`, so that `alignJump` with that cache
 * reads them instead of searching; resolves having added nothing where it cannot (the costs are
 * not shared, the thread failed). The engine's `helperCoarseSearch` is one.
 */
export type CoarseSearchAside = (
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  params: Partial<JumpParams>,
  cache: CoarseCostCache,
) => Promise<void>;

/** The searches one thread made for another (`searchesOver`), for `adoptSearches`. */
export interface SearchesMade {
  /** The cost key of the grid they searched (`CoarseCostCache.key`). */
  key: string;
  searches: [string, CoarseJumpPath][];
}

/**
 * The coarse searches `alignJump(perf, score, jumpPointsSeconds, { params })` makes, over cell
 * costs computed elsewhere (`costs`, row-major, as `prefillCoarseCosts` leaves them, on the grid
 * `pooled` when it is given), by their fingerprints (what a `CoarseSearchAside` runs on its
 * thread). A `partial.cost` already normalised (`jumpSearchParams`) is used as it is; with it and
 * `pooled`, only the frame counts and hops of the features are read (`searchShape`).
 */
export function searchesOver(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  partial: Partial<JumpParams>,
  costs: Float64Array,
  pooled?: CoarseGrid,
): SearchesMade {
  const params = jumpSearchParams(perf, score, partial);
  const cache: CoarseCostCache = {};
  // The grid the costs were computed on, when it comes with them (else pooled again here).
  if (pooled) cache.grid = { perf, score, params: gridParams(params), grid: pooled };
  const grid = cachedGrid(perf, score, params, cache);
  const cells = grid.perf.frames * grid.score.frames;
  if (costs.length !== cells)
    throw new Error(`searchesOver: expected ${cells} cell costs for the grid, got ${costs.length}`);
  Object.assign(cache, { perf, score, key: grid.key, costs });
  coarseSearches(perf, score, jumpPointsSeconds, params, { costs: cache });
  return { key: grid.key, searches: [...(cache.searches ?? [])] };
}

/**
 * Features as a search over given cell costs reads them (`searchesOver` with its `pooled` grid):
 * the frame count and the hop, without the arrays. For handing a search to another thread: a
 * 5-minute recording's and its score's features with their notes are ~12 MB to copy, the pooled
 * grid's ~2 MB more, and the copy held the handing thread up ~70 ms.
 */
export function searchShape(f: Features): Features {
  const none = new Float32Array(0);
  return { frames: f.frames, hopSeconds: f.hopSeconds, chroma: none, onset: none, energy: none };
}

/** Adds searches made elsewhere to `cache` when they were made over its features and costs (the same key). */
export function adoptSearches(
  cache: CoarseCostCache,
  perf: Features,
  score: Features,
  made: SearchesMade,
): void {
  if (cache.perf !== perf || cache.score !== score || cache.key !== made.key || !cache.costs) return;
  cache.searches ??= new Map();
  for (const [fingerprint, path] of made.searches)
    if (!cache.searches.has(fingerprint)) cache.searches.set(fingerprint, path);
}

/** What `alignJump` settles before its refinement: the searched route and how the score is moved. */
interface JumpPlan {
  params: JumpParams;
  rawCost: CostParams;
  coarse: CoarseJumpPath;
  route: Route;
  /** The coarse path the refinement's guide is read from. */
  guideCoarse: CoarseJumpPath;
  /** The score's time warp for the refinement (`JumpParams.refineStretch`); undefined: the score as written. */
  warp?: ScoreWarp;
}

function planJump(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  opts: JumpOptions,
  earlierOnly = false,
): JumpPlan {
  const rawCost = { ...DEFAULT_JUMP, ...opts.params }.cost;
  const params = jumpSearchParams(perf, score, opts.params, opts.coarseCosts);
  const progress = opts.onProgress;
  const searchOpts = {
    costs: opts.coarseCosts,
    signal: opts.signal,
    onProgress: progress ? (x: number) => progress(0.4 * x) : undefined,
    earlierOnly,
  };
  const first = coarseSearches(perf, score, jumpPointsSeconds, params, searchOpts);
  let coarse = first.coarse;
  const rows = Math.round(CATCH_UP_SECONDS / (perf.hopSeconds * coarse.perfFactor));
  if (first.fast || first.slow) {
    const grid = cachedGrid(perf, score, params, opts.coarseCosts);
    const cell = (r: number, c: number): number => cellCost(grid.perf, grid.score, r, c, params.cost);
    if (first.fast) coarse = spliceCatchUps(coarse, first.fast, params.maxAdvance, rows, cell);
    if (first.slow) coarse = spliceSkips(coarse, first.slow, params.skipOutAdvance, rows, cell);
  }
  const snapPoints = params.beatPointsSeconds
    ? [...jumpPointsSeconds, ...params.beatPointsSeconds]
    : jumpPointsSeconds;
  const sound = soundingRange(perf);
  const searched = mergeDetours(
    mergeEdgePasses(
      routeFromCoarse(coarse, perf.frames, score.frames, snapPoints, score.hopSeconds),
      Math.round(params.minEdgePassSeconds / perf.hopSeconds),
      score.frames,
      sound,
    ),
    params.detourSeconds / score.hopSeconds,
    DETOUR_RETURN_SECONDS / score.hopSeconds,
  );
  const straight =
    params.straightRepeats && opts.sameMusic
      ? preferStraight(searched, opts.sameMusic, score.hopSeconds, (seg, frame) =>
          coarsePerfFrameAt(coarse, seg, frame),
        )
      : undefined;
  let route = straight?.route ?? searched;
  let guideCoarse = straight ? shiftedCoarse(coarse, straight.moved) : coarse;
  const nearer =
    params.nearerCopies && opts.sameMusic ? nearerCopies(route, opts.sameMusic, score.hopSeconds) : undefined;
  if (nearer && nearer.route.segments.every((g) => g.scoreStart >= 0 && g.scoreEnd <= score.frames)) {
    route = nearer.route;
    guideCoarse = shiftedCoarse(guideCoarse, nearer.moved);
  }
  const k = stretchFactor(route, params.refineStretch, sound);
  const local = opts.stretchScore && params.refineStretch > 0 && params.refineTempoSeconds > 0;
  if (!opts.stretchScore || (!local && Math.abs(Math.log(k)) < MIN_STRETCH_LOG))
    return { params, rawCost, coarse, route, guideCoarse };
  const warp = local
    ? localWarp(
        localStretch(
          guideCoarse,
          route,
          score.frames,
          { perf: perf.hopSeconds, score: score.hopSeconds },
          params.refineStretch,
          params.refineTempoSeconds,
          k,
          sound,
          params.refineHoldLimit,
        ),
      )
    : linearWarp(k);
  return { params, rawCost, coarse, route, guideCoarse, warp };
}

/**
 * Structure-aware alignment (in the spirit of JumpDTW, Fremerey et al. 2010): a coarse search
 * that may leave the score at a jump point and continue at another (repeat taken, skip, jump
 * back), then a full-resolution banded refinement of each pass (`refineRoute`).
 */
export function alignJump(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  opts: JumpOptions = {},
): AlignmentPath {
  const { params, rawCost, coarse, route, guideCoarse, warp } = planJump(
    perf,
    score,
    jumpPointsSeconds,
    opts,
  );
  const progress = opts.onProgress;
  const guided = params.refineGuideSeconds > 0;
  // Landings (shift 0) or exits (−1: a pass leaving at a bar line or beat plays up to the frame
  // before it) within `radiusSeconds`, in the frames of a score moved by `warp`; none at 0.
  const cutsAt = (warp: ScoreWarp, radiusSeconds: number, shift: number): RefineOptions['landings'] =>
    radiusSeconds > 0
      ? cutPoints(
          jumpPointsSeconds.map((t) => warp.toSeconds(t, score.hopSeconds)),
          (params.beatPointsSeconds ?? []).map((t) => warp.toSeconds(t, score.hopSeconds)),
          params.offBarPenalty * coarse.perfFactor,
          score.hopSeconds,
          radiusSeconds,
          shift,
        )
      : undefined;
  // `r`: the route in the frames of `target`; the coarse guide is read from the written route and
  // mapped through `warp`.
  const refine = (target: Features, r: Route, warp: ScoreWarp, cost: CostParams): AlignmentPath =>
    refineRoute(perf, target, r, {
      coarseGuide: guided
        ? {
            scoreFrames: coarseGuideFrames(guideCoarse, route, warp),
            radiusFrames: Math.ceil((params.refineGuideSeconds * warp.mean) / score.hopSeconds),
          }
        : undefined,
      landings: cutsAt(warp, params.landingRadiusSeconds, 0),
      exits: cutsAt(warp, params.exitRadiusSeconds, -1),
      bandFrames: params.bandFrames,
      boundaryFrames: params.boundaryFrames,
      guideFactor: params.refineGuideFactor,
      params: { ...opts.dtwParams, cost },
      signal: opts.signal,
      onProgress: progress ? (x) => progress(0.4 + 0.6 * x) : undefined,
      method: 'jump',
    });
  if (!warp || !opts.stretchScore) return refine(score, route, linearWarp(1), params.cost);
  const stretched = opts.stretchScore((t) => warp.toSeconds(t, score.hopSeconds));
  const last = stretched.frames;
  const scaled: Route = {
    segments: route.segments.map((g) => {
      const scoreStart = Math.min(last - 1, Math.round(warp.toFrame(g.scoreStart)));
      return {
        ...g,
        scoreStart,
        scoreEnd: Math.min(last, Math.max(scoreStart + 1, Math.round(warp.toFrame(g.scoreEnd)))),
      };
    }),
  };
  const path = refine(stretched, scaled, warp, normalisedCost(perf, stretched, rawCost));
  for (let f = 0; f < path.scoreTime.length; f++)
    path.scoreTime[f] = warp.fromSeconds(path.scoreTime[f], score.hopSeconds);
  return path;
}

/**
 * Makes, through `opts.stretchScore`, the score `alignJump(perf, score, jumpPointsSeconds, opts)`
 * would refine against, where every coarse search it reads was made earlier (in
 * `opts.coarseCosts`; otherwise nothing is made: a search is far dearer than the stretch saves):
 * a `stretchScore` that keeps its last result then has it ready. For a thread that would
 * otherwise wait (`alignNeuralJump`, while a helper finishes the steered search). Returns
 * whether it stretched the score.
 */
export function prestretchScore(
  perf: Features,
  score: Features,
  jumpPointsSeconds: readonly number[],
  opts: JumpOptions,
): boolean {
  let plan: JumpPlan;
  try {
    plan = planJump(perf, score, jumpPointsSeconds, { ...opts, onProgress: undefined }, true);
  } catch (err) {
    if (err instanceof NotSearchedYet) return false;
    throw err;
  }
  const warp = plan.warp;
  if (!warp || !opts.stretchScore) return false;
  opts.stretchScore((t) => warp.toSeconds(t, score.hopSeconds));
  return true;
}

/** The first perf frame of pass `seg` where the coarse path reaches score frame `scoreFrame` (the pass's end if it never does). */
export function coarsePerfFrameAt(
  coarse: CoarseJumpPath,
  seg: Route['segments'][number],
  scoreFrame: number,
): number {
  const back = Math.floor((coarse.perfFactor - 1) / 2);
  const rows = coarse.scoreFrames.length;
  const r0 = Math.max(0, Math.floor((seg.perfStart + back) / coarse.perfFactor));
  const r1 = Math.min(rows - 1, Math.floor((seg.perfEnd - 1 + back) / coarse.perfFactor));
  for (let r = r0; r <= r1; r++) {
    if (coarse.scoreFrames[r] * coarse.scoreFactor >= scoreFrame)
      return Math.max(seg.perfStart, r * coarse.perfFactor - back);
  }
  return seg.perfEnd;
}

/**
 * The coarse path at full resolution for the refinement (`JumpParams.refineGuideSeconds`): per
 * perf frame, the score frame of the coarse cell it lies in, through `warp` (the score the
 * refinement aligns against; default as written); where that cell is outside its pass's score
 * range (the route's edge passes were merged, a landing snapped), the pass's straight line instead.
 */
export function coarseGuideFrames(
  coarse: CoarseJumpPath,
  route: Route,
  warp: ScoreWarp = linearWarp(1),
): Float64Array {
  const last = route.segments[route.segments.length - 1];
  const out = new Float64Array(last.perfEnd);
  const back = Math.floor((coarse.perfFactor - 1) / 2);
  const rows = coarse.scoreFrames.length;
  const slack = coarse.scoreFactor;
  for (const g of route.segments) {
    const slope = (g.scoreEnd - 1 - g.scoreStart) / Math.max(1, g.perfEnd - 1 - g.perfStart);
    for (let f = g.perfStart; f < g.perfEnd; f++) {
      const r = Math.min(rows - 1, Math.floor((f + back) / coarse.perfFactor));
      const c = coarse.scoreFrames[r] * coarse.scoreFactor;
      out[f] = warp.toFrame(
        c >= g.scoreStart - slack && c <= g.scoreEnd - 1 + slack
          ? c
          : g.scoreStart + slope * (f - g.perfStart),
      );
    }
  }
  return out;
}

/**
 * How many times as long the refinement's score is rendered (`JumpParams.refineStretch`): the
 * route's passes play r score frames per performance frame in all; k = (1/r)^power. With `sound`
 * (the recording's first and last sounding frames) only sounding perf frames count: a silent
 * tail is not slower playing. At most `MAX_LOCAL_FACTOR` either way: a route gone astray that
 * holds one score frame through a whole recording would otherwise have the score rendered
 * thousands of times as long (5,076 times, 9.8 G values, in a trial search that made stalls cheap).
 */
export function stretchFactor(route: Route, power: number, sound?: readonly [number, number]): number {
  if (!(power > 0)) return 1;
  let played = 0;
  let frames = 0;
  for (const g of route.segments) {
    played += g.scoreEnd - g.scoreStart;
    frames += sound
      ? Math.max(0, Math.min(g.perfEnd, sound[1] + 1) - Math.max(g.perfStart, sound[0]))
      : g.perfEnd - g.perfStart;
  }
  if (!(played > 0 && frames > 0)) return 1;
  return Math.min(MAX_LOCAL_FACTOR, Math.max(1 / MAX_LOCAL_FACTOR, Math.pow(frames / played, power)));
}
