import type { Score, ScoreBeat, ScoreMeasure } from '../../../shared/score';

/** The parts of an alignment path the renderer reads (typed arrays or plain arrays after JSON). */
export interface PathLike {
  /** Performance frame spacing, seconds. */
  hopSeconds: number;
  /** Score time (seconds) of each performance frame. */
  scoreTime: ArrayLike<number>;
  /** Confidence 0..1 of each frame. */
  confidence: ArrayLike<number>;
  /** Frames f where f-1 → f is a jump, ascending. */
  jumpFrames: readonly number[];
}

/** Score seconds being played at performance time `perfSeconds` (clamped to the path). */
export function scoreTimeAt(path: PathLike, perfSeconds: number): number {
  const n = path.scoreTime.length;
  if (n === 0) return 0;
  const x = perfSeconds / path.hopSeconds;
  const f = Math.min(n - 1, Math.max(0, Math.floor(x)));
  const g = Math.min(n - 1, f + 1);
  const frac = Math.min(1, Math.max(0, x - f));
  // no interpolation across a jump: the path is discontinuous there
  if (g === f || isJumpFrame(path, g)) return path.scoreTime[f];
  return path.scoreTime[f] + (path.scoreTime[g] - path.scoreTime[f]) * frac;
}

/** True when frame `f` starts a new continuous segment (a jump lands on it). */
export function isJumpFrame(path: PathLike, f: number): boolean {
  const j = path.jumpFrames;
  let lo = 0;
  let hi = j.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (j[mid] === f) return true;
    if (j[mid] < f) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Every performance time (seconds, ascending) at which the path reaches score time
 * `scoreSeconds`: one per pass (a repeated passage is played more than once).
 * Crossings closer than `mergeSeconds` in performance time count as one pass.
 */
export function perfTimesOf(path: PathLike, scoreSeconds: number, mergeSeconds = 1): number[] {
  const st = path.scoreTime;
  const n = st.length;
  const out: number[] = [];
  const push = (perf: number) => {
    if (out.length > 0 && perf - out[out.length - 1] < mergeSeconds) return;
    out.push(perf);
  };
  const landTolerance = Math.max(0.05, path.hopSeconds * 2);
  for (let f = 0; f < n; f++) {
    const segmentStart = f === 0 || isJumpFrame(path, f);
    if (segmentStart) {
      if (st[f] >= scoreSeconds && st[f] - scoreSeconds <= landTolerance) push(f * path.hopSeconds);
      continue;
    }
    const a = st[f - 1];
    const b = st[f];
    if (a < scoreSeconds && scoreSeconds <= b) {
      const frac = b === a ? 0 : (scoreSeconds - a) / (b - a);
      push((f - 1 + frac) * path.hopSeconds);
    }
  }
  return out;
}

/** The value in `times` closest to `target`, or undefined when `times` is empty. */
export function nearest(times: readonly number[], target: number): number | undefined {
  let best: number | undefined;
  for (const t of times) if (best === undefined || Math.abs(t - target) < Math.abs(best - target)) best = t;
  return best;
}

/** Index of the last element of ascending `xs` (by `key`) that is ≤ `x`; -1 when none. */
export function lastAtOrBefore<T>(xs: readonly T[], x: number, key: (v: T) => number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) <= x) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** The beat sounding at score time `scoreSeconds` (the last beat at or before it). */
export function beatAt(score: Pick<Score, 'beats'>, scoreSeconds: number): ScoreBeat | undefined {
  const i = lastAtOrBefore(score.beats, scoreSeconds, (b) => b.time);
  return i >= 0 ? score.beats[i] : score.beats[0];
}

/** `bar.beat` label at score time `scoreSeconds` (e.g. `12.3`), or `–` without a grid. */
export function barBeatLabel(score: Pick<Score, 'beats'>, scoreSeconds: number): string {
  return beatAt(score, scoreSeconds)?.label ?? '–';
}

/** The measure (played order) containing score time `scoreSeconds`. */
export function measureAt(score: Pick<Score, 'measures'>, scoreSeconds: number): ScoreMeasure | undefined {
  const i = lastAtOrBefore(score.measures, scoreSeconds, (m) => m.start);
  return i >= 0 ? score.measures[i] : score.measures[0];
}

/** Formats seconds as `m:ss.t` (or `h:mm:ss` past an hour). */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${String(Math.floor(s)).padStart(2, '0')}`;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}
