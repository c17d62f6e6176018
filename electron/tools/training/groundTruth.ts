/**
 * Ground truth for the neural aligner's training data: ASAP beat annotations paired into
 * (performance time, score time) anchors, and a dense per-frame score position from them.
 */
import { UNPLAYED_GAP_SECONDS } from '../../../shared/formats/asap.js';

/** One annotated beat pair, seconds. */
export interface BeatPair {
  perf: number;
  score: number;
}

/** Pairs performance and score beats line by line; undefined when the counts differ. */
export function pairBeats(perf: number[], score: number[]): BeatPair[] | undefined {
  if (perf.length !== score.length || perf.length < 2) return undefined;
  return perf.map((p, i) => ({ perf: p, score: score[i] }));
}

/**
 * Score time at performance time `t`: linear between consecutive beat pairs; across an
 * interval shorter than `UNPLAYED_GAP_SECONDS` (an unplayed section) the score advances at
 * slope 1 from the earlier beat, so the jump lands at the later beat. Outside the annotated
 * range the score moves at slope 1 from the nearest beat, clamped to [0, scoreDuration].
 */
export function scoreTimeAt(beats: readonly BeatPair[], t: number, scoreDuration: number): number {
  const n = beats.length;
  let s: number;
  if (t <= beats[0].perf) s = beats[0].score - (beats[0].perf - t);
  else if (t >= beats[n - 1].perf) s = beats[n - 1].score + (t - beats[n - 1].perf);
  else {
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (beats[mid].perf <= t) lo = mid;
      else hi = mid;
    }
    const a = beats[lo];
    const b = beats[hi];
    const dp = b.perf - a.perf;
    s =
      dp < UNPLAYED_GAP_SECONDS
        ? a.score + (t - a.perf)
        : a.score + ((t - a.perf) / dp) * (b.score - a.score);
  }
  return Math.min(scoreDuration, Math.max(0, s));
}
