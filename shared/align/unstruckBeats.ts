import type { AlignmentPath } from '../path.js';
import { lowerBound } from '../sorted.js';
import { warpPass } from './warp.js';

/**
 * Beats no key is struck on (a rest, a held chord, a tie) take their time from the tempo.
 *
 * On such a beat the recording says nothing: the path crosses it wherever the decay of the last
 * chord happened to match the score best, often a second or more from where the music's pulse puts
 * it. A musician counts through it instead: the beat falls where the struck beats around it, at
 * their pace, put it. So does every beat annotation of the field (ASAP's among them: its beats
 * without a note are interpolated between the struck beats on either side, evenly in beat count).
 * Each unstruck beat inside a pass is moved to that place, kept strictly between the onsets of the
 * chords around it, which stay where they are; the path between is stretched evenly. At a cut (a
 * pass that ends or starts at a jump) the struck beat on the far side lies in the music cut away,
 * so a beat beyond the pass's last struck beat, or before its first, keeps the pace of the two
 * struck beats nearest it; the recording's own first and last beats (a final ritardando, a
 * fermata) keep no pace and stay. (Pacing those too, as after a cut, was tried on validation on
 * 2026-12-06: overall within 50 ms 95.89 → 95.88, everything else the same.)
 */
export interface UnstruckParams {
  /** A beat is struck when a note starts within this many score seconds of it. */
  toleranceSeconds: number;
  /** Least distance (frames) kept from the crossings of the chords before and after the beat. */
  marginFrames: number;
}

/** The defaults: ASAP's beats with a note lie within a few milliseconds of it. */
export const DEFAULT_UNSTRUCK: UnstruckParams = { toleranceSeconds: 0.03, marginFrames: 0.5 };

const onsetCache = new WeakMap<readonly unknown[], Float64Array>();

/** The notes' distinct onsets, ascending (cached per notes array). */
function onsetsOf(notes: readonly { onset: number }[]): Float64Array {
  let onsets = onsetCache.get(notes);
  if (!onsets) {
    onsets = Float64Array.from(new Set(notes.map((n) => n.onset))).sort();
    onsetCache.set(notes, onsets);
  }
  return onsets;
}

/**
 * The fractional index at which the non-decreasing `old` reaches score time t (linear between
 * frames); undefined outside (old[0], old[last]].
 */
function crossing(old: Float64Array, t: number): number | undefined {
  const i = lowerBound(old, t);
  if (i === 0 || i >= old.length) return undefined;
  const d = old[i] - old[i - 1];
  return d > 0 ? i - 1 + (t - old[i - 1]) / d : i;
}

/**
 * Moves the path's unstruck beats to the time the struck beats around them give (see
 * `UnstruckParams`), in place, pass by pass (jumps and each pass's ends stay); returns the path.
 * `beats` are the score's beat times (s, ascending), `notes` its notes. With `range` ([from, to)
 * frames) only those frames move, `from` and `to − 1` staying as they are (the editor's re-solved
 * stretches between pinned ends).
 */
export function timeUnstruckBeats(
  path: AlignmentPath,
  beats: readonly number[],
  notes: readonly { onset: number }[],
  params: UnstruckParams = DEFAULT_UNSTRUCK,
  range?: readonly [number, number],
): AlignmentPath {
  const S = path.scoreTime;
  const n = S.length;
  if (n < 3 || beats.length < 3) return path;
  const lo = Math.max(0, Math.min(n, range?.[0] ?? 0));
  const hi = Math.max(lo, Math.min(n, range?.[1] ?? n));
  const onsets = onsetsOf(notes);
  const tol = params.toleranceSeconds;
  const struck = (t: number): boolean => {
    const i = lowerBound(onsets, t - tol);
    return i < onsets.length && onsets[i] <= t + tol;
  };
  const starts = [lo, ...path.jumpFrames.filter((f) => f > lo && f < hi), hi];
  for (let s = 0; s + 1 < starts.length; s++) {
    const [a, b] = [starts[s], starts[s + 1]];
    if (b - a < 3) continue;
    const old = S.slice(a, b);
    // Frame (absolute, fractional) at which the pass reaches score time t.
    const at = (t: number): number | undefined => {
      const x = crossing(old, t);
      return x === undefined ? undefined : a + x;
    };
    const k0 = lowerBound(beats, old[0] + 1e-9);
    const k1 = lowerBound(beats, old[old.length - 1]);
    const struckBeats: number[] = [];
    for (let k = k0; k < k1; k++) if (struck(beats[k])) struckBeats.push(k);
    const anchors: [number, number][] = [];
    // Where the pass ends or starts at a jump (a cut: every inner start is one), the beats beyond
    // its last or before its first struck beat keep the pace of the two struck beats nearest them.
    const cutAfter = b < hi;
    const cutBefore = a > lo;
    let j = 0; // struckBeats[j] is the first struck beat after k
    for (let k = k0; k < k1; k++) {
      while (j < struckBeats.length && struckBeats[j] <= k) j++;
      if (struckBeats[j - 1] === k) continue;
      let [p, q] = [struckBeats[j - 1] ?? -1, struckBeats[j] ?? -1];
      if (p < 0 && q >= 0 && cutBefore) [p, q] = [q, struckBeats[j + 1] ?? -1];
      else if (q < 0 && p >= 0 && cutAfter) [p, q] = [struckBeats[j - 2] ?? -1, p];
      if (p < 0 || q < 0) continue;
      const [tp, tq, tk] = [at(beats[p]), at(beats[q]), at(beats[k])];
      if (tp === undefined || tq === undefined || tk === undefined || !(tq > tp)) continue;
      // The chords on either side of the beat stay; the beat moves between them.
      const c0 = lowerBound(onsets, beats[k]) - 1;
      const c1 = lowerBound(onsets, beats[k] + 1e-9);
      const lower = (c0 >= 0 ? at(onsets[c0]) : undefined) ?? a;
      const upper = (c1 < onsets.length ? at(onsets[c1]) : undefined) ?? b - 1;
      const least = lower + params.marginFrames;
      const most = upper - params.marginFrames;
      if (!(most > least)) continue;
      const target = Math.min(most, Math.max(least, tp + ((tq - tp) * (k - p)) / (q - p)));
      anchors.push([lower, lower], [tk, target], [upper, upper]);
    }
    if (anchors.length === 0) continue;
    anchors.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const from = [a];
    const to = [a];
    for (const [f, t] of anchors) {
      if (f > from[from.length - 1] && t > to[to.length - 1] && f < b - 1 && t < b - 1) {
        from.push(f);
        to.push(t);
      }
    }
    from.push(b - 1);
    to.push(b - 1);
    if (from.length > 2) warpPass(S, old, a, a, b, from, to);
  }
  return path;
}
