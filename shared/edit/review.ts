/** Review helpers: where a path is doubtful, and how much of a recording has been checked by hand. */
import type { AlignmentPath } from '../path.js';
import type { RegionMark } from './types.js';

/** A stretch of performance time to review. */
export interface ReviewRegion {
  /** Seconds. */
  perfStart: number;
  /** Seconds (end of the last frame's hop). */
  perfEnd: number;
  /** Mean confidence of its frames. */
  meanConfidence: number;
  /** Least confidence of its frames. */
  minConfidence: number;
}

/** Options of `lowConfidenceRegions`. */
export interface ReviewOptions {
  /** Frames below this confidence are doubtful (default 0.5). */
  threshold?: number;
  /** Shortest region kept, seconds (default 1). */
  minSeconds?: number;
  /** Doubtful runs closer than this (seconds) merge into one region (default 0.5). */
  mergeGapSeconds?: number;
  /**
   * Leave out the waits at the ends: frames before the path first moves on from its first score
   * position (silence before the music) and after it reaches its last one (silence after), whose
   * confidence is low because nothing sounds, not because the alignment is in doubt (default true).
   */
  skipEdgeHolds?: boolean;
}

/** Frames [first, last] of `path` between its leading and trailing holds (a hold: the score position unchanged). */
export function musicFrames(path: Pick<AlignmentPath, 'scoreTime'>): { first: number; last: number } {
  const q = path.scoreTime;
  const eps = 1e-6;
  let first = 0;
  while (first < q.length - 1 && Math.abs(q[first + 1] - q[0]) <= eps) first++;
  let last = q.length - 1;
  while (last > first && Math.abs(q[last - 1] - q[q.length - 1]) <= eps) last--;
  return { first, last };
}

/** Regions of `path` whose confidence is below the threshold: runs merged across short gaps, then short ones dropped. */
export function lowConfidenceRegions(path: AlignmentPath, opts: ReviewOptions = {}): ReviewRegion[] {
  const threshold = opts.threshold ?? 0.5;
  const hop = path.hopSeconds;
  const minFrames = Math.max(1, Math.round((opts.minSeconds ?? 1) / hop));
  const gapFrames = Math.max(0, Math.round((opts.mergeGapSeconds ?? 0.5) / hop));
  const c = path.confidence;
  const { first, last } = opts.skipEdgeHolds === false ? { first: 0, last: c.length - 1 } : musicFrames(path);
  const runs: [number, number][] = [];
  for (let f = first; f <= last; f++) {
    if (!(c[f] < threshold)) continue;
    const last = runs[runs.length - 1];
    if (last && f - last[1] - 1 <= gapFrames) last[1] = f;
    else runs.push([f, f]);
  }
  const out: ReviewRegion[] = [];
  for (const [a, b] of runs) {
    if (b - a + 1 < minFrames) continue;
    let sum = 0;
    let min = Infinity;
    for (let f = a; f <= b; f++) {
      sum += c[f];
      if (c[f] < min) min = c[f];
    }
    out.push({
      perfStart: a * hop,
      perfEnd: (b + 1) * hop,
      meanConfidence: sum / (b - a + 1),
      minConfidence: min,
    });
  }
  return out;
}

/** Fraction 0..1 of the performance's [0, durationSeconds] covered by `checked` regions (overlaps counted once). */
export function checkedFraction(regions: readonly RegionMark[], durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  const spans = regions
    .filter((r) => r.kind === 'checked')
    .map(
      (r) =>
        [
          Math.max(0, Math.min(r.perfStart, r.perfEnd)),
          Math.min(durationSeconds, Math.max(r.perfStart, r.perfEnd)),
        ] as [number, number],
    )
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return covered / durationSeconds;
}

/** Low-confidence regions not yet fully covered by `checked` marks (the editor's "to review" list). */
export function regionsToReview(
  path: AlignmentPath,
  marks: readonly RegionMark[],
  opts: ReviewOptions = {},
): ReviewRegion[] {
  const checked = marks.filter((r) => r.kind === 'checked');
  return lowConfidenceRegions(path, opts).filter((r) => {
    const len = r.perfEnd - r.perfStart;
    const inside = checkedFraction(
      checked.map((m) => ({ ...m, perfStart: m.perfStart - r.perfStart, perfEnd: m.perfEnd - r.perfStart })),
      len,
    );
    return inside < 1 - 1e-9;
  });
}
