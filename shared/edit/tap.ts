/**
 * Tap-to-sync: the user taps along while the recording plays (on every beat or every downbeat);
 * the taps become anchors.
 */
import type { AlignmentPath } from '../path.js';
import { scoreTimeAt } from '../path.js';
import type { ScoreBeat } from '../score.js';
import type { Anchor } from './types.js';

/** Options of `tapsToAnchors`. */
export interface TapOptions {
  /** What each tap marks. */
  mode: 'beat' | 'downbeat';
  /** Id of the anchor made from tap `index` (default `tap-<perf ms>`). */
  makeId?: (index: number, perfTime: number) => string;
  /** Largest tempo change (ratio) between a tap and the taps before it; larger ones are rejected (default 2). */
  maxTempoRatio?: number;
  /** Most grid beats one tap interval may span (missed taps), default 3. */
  maxBeatsPerTap?: number;
}

/** Result of `tapsToAnchors`: the anchors and the taps left out as outliers. */
export interface TapResult {
  anchors: Anchor[];
  /** Perf times (s) of the rejected taps. */
  rejected: number[];
}

/**
 * Matches taps (perf seconds) to the score's beats or downbeats in order: the first tap (and the
 * first after each jump of `path`) goes to the grid beat nearest the score position `path` gives
 * at that tap; each later tap to the next grid beat, or to the one after a missed tap or two
 * when the interval says so. A tap whose tempo (perf seconds per score second) differs from the
 * recent taps' median (or, at the start, from the path's local tempo) by more than
 * `maxTempoRatio` is rejected.
 */
export function tapsToAnchors(
  taps: readonly number[],
  beats: readonly ScoreBeat[],
  path: AlignmentPath,
  opts: TapOptions,
): TapResult {
  const grid = beats.filter((b) => opts.mode === 'beat' || b.downbeat).map((b) => b.time);
  const maxRatio = opts.maxTempoRatio ?? 2;
  const maxSpan = opts.maxBeatsPerTap ?? 3;
  const makeId = opts.makeId ?? ((_: number, t: number) => `tap-${Math.round(t * 1000)}`);
  const sorted = [...taps].filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
  const anchors: Anchor[] = [];
  const rejected: number[] = [];
  if (grid.length === 0 || sorted.length === 0 || path.scoreTime.length === 0)
    return { anchors, rejected: sorted };
  let k = -1;
  let lastTap = NaN;
  let tempos: number[] = [];
  const seed = (t: number): void => {
    k = nearestIndex(grid, scoreTimeAt(path, t));
    lastTap = t;
    tempos = [];
    const slope = pathTempo(path, t);
    if (slope !== undefined) tempos.push(slope);
  };
  sorted.forEach((t, i) => {
    if (k < 0 || jumpBetween(path, lastTap, t)) {
      seed(t);
      anchors.push({ id: makeId(i, t), perfTime: t, scoreTime: grid[k], source: 'tap' });
      return;
    }
    const dt = t - lastTap;
    const ref = tempos.length ? median(tempos.slice(-4)) : undefined;
    let best = -1;
    let bestErr = Infinity;
    let bestTempo = NaN;
    for (let n = 1; n <= maxSpan && k + n < grid.length; n++) {
      const ds = grid[k + n] - grid[k];
      if (!(ds > 0)) continue;
      const tempo = dt / ds;
      // Without a reference the first interval is taken as one beat.
      const err = ref === undefined ? (n === 1 ? 0 : Infinity) : Math.abs(Math.log(tempo / ref));
      if (err < bestErr) {
        bestErr = err;
        best = n;
        bestTempo = tempo;
      }
    }
    if (best < 0 || bestErr > Math.log(maxRatio) || !(dt > 0)) {
      rejected.push(t);
      return;
    }
    k += best;
    lastTap = t;
    tempos.push(bestTempo);
    anchors.push({ id: makeId(i, t), perfTime: t, scoreTime: grid[k], source: 'tap' });
  });
  return { anchors, rejected };
}

function nearestIndex(sorted: readonly number[], x: number): number {
  let best = 0;
  for (let i = 1; i < sorted.length; i++) if (Math.abs(sorted[i] - x) < Math.abs(sorted[best] - x)) best = i;
  return best;
}

/** Perf seconds per score second of `path` over ±2 s around `t`, where the path moves there. */
function pathTempo(path: AlignmentPath, t: number): number | undefined {
  const a = scoreTimeAt(path, t - 2);
  const b = scoreTimeAt(path, t + 2);
  if (jumpBetween(path, t - 2, t + 2) || !(b - a > 0.1)) return undefined;
  return 4 / (b - a);
}

function jumpBetween(path: AlignmentPath, t0: number, t1: number): boolean {
  const f0 = t0 / path.hopSeconds;
  const f1 = t1 / path.hopSeconds;
  return path.jumpFrames.some((J) => J > f0 && J <= f1);
}

function median(x: readonly number[]): number {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
