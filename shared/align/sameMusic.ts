import type { CoarseJumpPath } from './jump.js';
import type { Route } from './refine.js';
import { lowerBound } from '../sorted.js';

/**
 * Literal repeats of the score. A score with its repeats written out (or a recapitulation
 * copied note for note) has stretches whose notes are the same as those of another stretch a
 * fixed time Δ away; the audio cannot tell which copy is being played. The jump search picks
 * one of them by a hair of cost, and where a performer skipped a repeat it may leave the score
 * at the start of the first copy for the second (ASAP annotates the other way round: the first
 * copy played, then the skip), or take a detour through the other copy and come back. Where a
 * pass after a jump plays the very notes that going straight on would play, the route goes
 * straight on instead (`preferStraight`): no jump where none is heard, and a skip made where
 * the copies part.
 */
export interface SameMusic {
  /** Note onsets (score seconds), ascending. */
  onsets: Float64Array;
  /** MIDI pitch of each note, in the same order. */
  pitches: Int16Array;
}

/** Onsets this close (s) are the same onset when two stretches of the score are compared. */
export const SAME_ONSET_SECONDS = 0.03;

/** The score's notes indexed for `sameSeconds` (sorted by onset, then pitch). */
export function sameMusicIndex(notes: readonly { onset: number; pitch: number }[]): SameMusic {
  const order = notes
    .map((n, i) => i)
    .sort((a, b) => notes[a].onset - notes[b].onset || notes[a].pitch - notes[b].pitch);
  return {
    onsets: Float64Array.from(order, (i) => notes[i].onset),
    pitches: Int16Array.from(order, (i) => notes[i].pitch),
  };
}

/** Whether a note of `pitch` starts within `tolerance` (s) of `t`. */
function hasNote(m: SameMusic, pitch: number, t: number, tolerance = SAME_ONSET_SECONDS): boolean {
  for (let i = lowerBound(m.onsets, t - tolerance); i < m.onsets.length; i++) {
    if (m.onsets[i] > t + tolerance) return false;
    if (m.pitches[i] === pitch) return true;
  }
  return false;
}

/**
 * How many score seconds from `from` on (at most `maxSeconds`) are note for note the music from
 * `from + delta` on: every note of either stretch has a note of the same pitch at the same place
 * in the other (onsets within `SAME_ONSET_SECONDS`). The run ends at the first note without one;
 * `notes` counts the notes of the first stretch within the run.
 */
export function sameSeconds(
  m: SameMusic,
  from: number,
  delta: number,
  maxSeconds: number,
): { seconds: number; notes: number } {
  let end = from + maxSeconds;
  let notes = 0;
  for (let i = lowerBound(m.onsets, from); i < m.onsets.length && m.onsets[i] < end; i++) {
    if (!hasNote(m, m.pitches[i], m.onsets[i] + delta)) end = m.onsets[i];
    else notes++;
  }
  for (let i = lowerBound(m.onsets, from + delta); i < m.onsets.length && m.onsets[i] - delta < end; i++) {
    if (!hasNote(m, m.pitches[i], m.onsets[i] - delta)) end = m.onsets[i] - delta;
  }
  if (end < from + maxSeconds) {
    notes = 0;
    for (let i = lowerBound(m.onsets, from); i < m.onsets.length && m.onsets[i] < end; i++) notes++;
  }
  return { seconds: Math.max(0, end - from), notes };
}

/** Parameters of `preferStraight`. */
export interface StraightParams {
  /** Jumps shorter than this (score seconds) are left alone. */
  minJumpSeconds: number;
  /** How far (score seconds) the other copy of a landing may lie from where the previous pass ended. */
  joinSeconds: number;
  /**
   * A join closer than this (score seconds) is exact: the move changes no note the path plays,
   * so any identical music (two notes or more) moves.
   */
  exactJoinSeconds: number;
  /**
   * Least identical music (score seconds, and notes) that moves part of a pass when the join is
   * not exact: the moved pass then also plays the score between where the pass before ended and
   * the other copy's start, and only a long stretch of the same music vouches for that.
   */
  minSameSeconds: number;
  minSameNotes: number;
}

/** Defaults of `preferStraight`. */
export const DEFAULT_STRAIGHT: StraightParams = {
  minJumpSeconds: 2,
  joinSeconds: 2,
  exactJoinSeconds: 0.25,
  minSameSeconds: 4,
  minSameNotes: 16,
};

type Segment = Route['segments'][number];

/**
 * The copy of pass `b`'s opening nearest the straight continuation of pass `a`: the offset Δ
 * (s) such that the score from `b`'s landing − Δ on, starting within `joinSeconds` of where `a`
 * ended, is the music `b` plays, with how long that lasts within `b`.
 */
function straightCopy(
  m: SameMusic,
  a: Segment,
  b: Segment,
  hop: number,
  params: StraightParams,
): { delta: number; seconds: number } | undefined {
  const aEnd = a.scoreEnd * hop;
  const bStart = b.scoreStart * hop;
  const gap = bStart - aEnd;
  if (Math.abs(gap) < params.minJumpSeconds) return undefined;
  const span = (b.scoreEnd - b.scoreStart) * hop;
  // Offsets that put one of the landing's first notes on a note of the same pitch near `a`'s end.
  const candidates = new Set<number>();
  const first = lowerBound(m.onsets, bStart);
  for (let i = first; i < m.onsets.length && i < first + 8 && m.onsets[i] < bStart + span; i++) {
    const lo = m.onsets[i] - gap - params.joinSeconds;
    const hi = m.onsets[i] - gap + params.joinSeconds;
    for (let j = lowerBound(m.onsets, lo); j < m.onsets.length && m.onsets[j] <= hi; j++) {
      if (m.pitches[j] === m.pitches[i] && j !== i)
        candidates.add(Math.round((m.onsets[i] - m.onsets[j]) * 1000));
    }
  }
  let best: { delta: number; seconds: number } | undefined;
  let bestJoin = Infinity;
  for (const ms of candidates) {
    const delta = ms / 1000;
    const join = Math.abs(bStart - delta - aEnd);
    if (join > params.joinSeconds || Math.abs(delta) < params.minJumpSeconds) continue;
    const same = sameSeconds(m, bStart - delta, delta, span);
    const exact = join <= params.exactJoinSeconds;
    if (same.notes < (exact ? 2 : params.minSameNotes)) continue;
    if (!exact && same.seconds < Math.min(span - hop, params.minSameSeconds)) continue;
    if (
      !best ||
      same.seconds > best.seconds + 1e-9 ||
      (same.seconds > best.seconds - 1e-9 && join < bestJoin)
    ) {
      best = { delta, seconds: same.seconds };
      bestJoin = join;
    }
  }
  return best;
}

/**
 * Least share of a detour's notes that its straight copy must play in the same order
 * (`detourCopy`): ov18's two detours (Chopin's Polonaise 53, a theme written again under another
 * tempo) share 88 % and 100 % of their notes with the straight copy (trills and grace notes
 * written out differently).
 */
export const DETOUR_SAME_SHARE = 0.8;

/** Passes with more notes than this are no detour (and would cost a long comparison). */
const MAX_DETOUR_NOTES = 600;

/**
 * Pairs (i, j) of a longest common subsequence of the pitch sequences `p` and `q` (ascending in
 * both).
 */
function commonNotes(p: ArrayLike<number>, q: ArrayLike<number>): [number, number][] {
  const n = p.length;
  const w = q.length + 1;
  const len = new Int32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = q.length - 1; j >= 0; j--)
      len[i * w + j] =
        p[i] === q[j] ? len[(i + 1) * w + j + 1] + 1 : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
  const out: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < q.length;) {
    if (p[i] === q[j]) out.push([i++, j++]);
    else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) i++;
    else j++;
  }
  return out;
}

/**
 * Pass `b` after pass `a` as a detour: `b` plays, note for note in the same order
 * (`DETOUR_SAME_SHARE` of its notes and of the straight copy's; ornaments and chords may be
 * spread differently), the music that starts within `joinSeconds` of `a`'s end, written
 * elsewhere at another tempo (a theme that comes back under another tempo marking of the score
 * MIDI). Returns the map from `b`'s score frames to the straight copy's (piecewise linear between
 * the notes in common), or undefined.
 */
function detourCopy(
  m: SameMusic,
  a: Segment,
  b: Segment,
  hop: number,
  params: StraightParams,
): ((scoreFrame: number) => number) | undefined {
  const aEnd = a.scoreEnd * hop;
  const bStart = b.scoreStart * hop;
  const bEnd = b.scoreEnd * hop;
  if (Math.abs(bStart - aEnd) < params.minJumpSeconds) return undefined;
  const p0 = lowerBound(m.onsets, bStart - SAME_ONSET_SECONDS);
  const p1 = lowerBound(m.onsets, bEnd);
  const n = p1 - p0;
  if (n < params.minSameNotes || n > MAX_DETOUR_NOTES) return undefined;
  const played = m.pitches.subarray(p0, p1);
  let best: [number, number][] | undefined;
  let bestStart = 0;
  let bestShare = 0;
  const lo = lowerBound(m.onsets, aEnd - params.joinSeconds);
  for (let s = lo; s < m.onsets.length && m.onsets[s] <= aEnd + params.joinSeconds; s++) {
    if (s > lo && m.onsets[s] - m.onsets[s - 1] <= SAME_ONSET_SECONDS) continue;
    const pairs = commonNotes(
      played,
      m.pitches.subarray(s, Math.min(m.onsets.length, s + Math.ceil(n / DETOUR_SAME_SHARE) + 8)),
    );
    if (!pairs.length) continue;
    // The straight copy starts at the join and is other music than the detour itself.
    const first = s + pairs[0][1];
    const last = s + pairs[pairs.length - 1][1];
    if (m.onsets[first] > aEnd + params.joinSeconds || (m.onsets[last] >= bStart && m.onsets[first] < bEnd))
      continue;
    // Both copies in common for the share: the detour's notes, and the straight copy's between
    // the first and the last note in common (other music in between is no copy).
    const share = pairs.length / Math.max(n, last - first + 1);
    if (share >= DETOUR_SAME_SHARE && share > bestShare) {
      best = pairs;
      bestStart = s;
      bestShare = share;
    }
  }
  if (!best) return undefined;
  // Written seconds of the detour → of the straight copy: through the notes in common (one per
  // onset of the detour), at the whole copy's pace beyond them.
  const from: number[] = [];
  const to: number[] = [];
  for (const [i, j] of best) {
    const x = m.onsets[p0 + i];
    const y = m.onsets[bestStart + j];
    if (from.length && (x <= from[from.length - 1] || y <= to[to.length - 1])) continue;
    from.push(x);
    to.push(y);
  }
  const k = from.length;
  if (k < 2) return undefined;
  const pace = (to[k - 1] - to[0]) / (from[k - 1] - from[0]);
  const toStraight = (t: number): number => {
    if (t <= from[0]) return to[0] + (t - from[0]) * pace;
    if (t >= from[k - 1]) return to[k - 1] + (t - from[k - 1]) * pace;
    const q = lowerBound(from, t) - 1;
    return to[q] + ((t - from[q]) / (from[q + 1] - from[q])) * (to[q + 1] - to[q]);
  };
  return (scoreFrame) => toStraight(scoreFrame * hop) / hop;
}

/**
 * Where a pass after a jump plays, for a while, the very notes that going straight on would
 * play (`SameMusic`), goes straight on: the pass's opening moves onto the earlier (or later)
 * copy and joins the pass before, and the jump, if one is still needed, is made where the two
 * copies part. A detour through another copy of the same music disappears; a skip of a repeat
 * is made at the end of the copy played. A whole pass that plays the straight continuation
 * written elsewhere at another tempo (`detourCopy`) joins the pass before as well. `perfFrameAt(seg,
 * scoreFrame)` gives the perf frame where pass `seg` reaches a score frame (the coarse path's).
 * Returns the new route and the perf ranges whose score frames moved, by how many frames or
 * through which map (for the coarse guide), or undefined when nothing changed.
 */
export function preferStraight(
  route: Route,
  m: SameMusic,
  scoreHopSeconds: number,
  perfFrameAt: (seg: Segment, scoreFrame: number) => number,
  params: StraightParams = DEFAULT_STRAIGHT,
): { route: Route; moved: Moved[] } | undefined {
  const segs = route.segments.map((s) => ({ ...s }));
  const moved: Moved[] = [];
  for (let k = 0; k + 1 < segs.length;) {
    const a = segs[k];
    const b = segs[k + 1];
    const copy = straightCopy(m, a, b, scoreHopSeconds, params);
    // A pass written elsewhere at another tempo, note for note the straight continuation.
    const detour = copy ? undefined : detourCopy(m, a, b, scoreHopSeconds, params);
    if (!copy && !detour) {
      k++;
      continue;
    }
    const shift = copy ? Math.round(copy.delta / scoreHopSeconds) : 0;
    const sameEnd = copy ? b.scoreStart + Math.floor(copy.seconds / scoreHopSeconds) : b.scoreEnd;
    if (sameEnd >= b.scoreEnd - 1) {
      // The whole pass is the straight continuation: it joins the pass before.
      moved.push({ perfStart: b.perfStart, perfEnd: b.perfEnd, scoreFrames: copy ? -shift : 0, map: detour });
      a.scoreEnd = Math.max(a.scoreStart + 1, detour ? Math.round(detour(b.scoreEnd)) : b.scoreEnd - shift);
      a.perfEnd = b.perfEnd;
      segs.splice(k + 1, 1);
      // The pass after a detour comes back to where going straight on has now arrived.
      while (
        k + 1 < segs.length &&
        Math.abs(segs[k + 1].scoreStart - a.scoreEnd) * scoreHopSeconds <= params.joinSeconds
      ) {
        a.scoreEnd = Math.max(a.scoreEnd, segs[k + 1].scoreEnd);
        a.perfEnd = segs[k + 1].perfEnd;
        segs.splice(k + 1, 1);
      }
      continue;
    }
    // The pass's opening joins the pass before; the jump is made where the copies part.
    const cut = Math.min(b.perfEnd - 1, Math.max(b.perfStart + 1, perfFrameAt(b, sameEnd)));
    moved.push({ perfStart: b.perfStart, perfEnd: cut, scoreFrames: -shift });
    a.scoreEnd = Math.max(a.scoreStart + 1, sameEnd - shift);
    a.perfEnd = cut;
    b.perfStart = cut;
    b.scoreStart = sameEnd;
    k++;
  }
  return moved.length ? { route: { segments: segs }, moved } : undefined;
}

/** Parameters of `nearerCopies`. */
export interface NearerParams {
  /** Least score (seconds) a pass plays to move: a short pass's notes vouch for little. */
  minPassSeconds: number;
  /** How much of the pass (seconds) may lie outside the notes the copies share (its edges). */
  edgeSeconds: number;
  /** Least score (seconds) the pass's jumps in and out must cross less in all, for it to move. */
  minGainSeconds: number;
}

/** Defaults of `nearerCopies`. */
export const DEFAULT_NEARER: NearerParams = {
  minPassSeconds: 4,
  edgeSeconds: 1,
  minGainSeconds: 5,
};

/** How many of a pass's first notes propose where its copies start. */
const COPY_PROBE_NOTES = 3;

/** The pass's note, this far (s) after its first, that proposes the copy's tempo. */
const COPY_RATIO_SECONDS = 2;

/** Copies written at up to this ratio of tempi (either way) are found (`copiesOf`). */
const MAX_COPY_RATIO = 1.5;

/** A copy of a stretch of the score: score time t of the stretch is `start + ratio × (t − from)` in it. */
interface Copy {
  from: number;
  start: number;
  ratio: number;
}

const copyAt = (c: Copy, t: number): number => c.start + c.ratio * (t - c.from);

/**
 * Share of either copy's notes that may lack a counterpart in the other (`isCopy`): an added
 * note, a changed voicing.
 */
export const COPY_MISS_SHARE = 0.05;

/**
 * Whether the notes of the score in [`c.from`, `to`) have notes of the same pitch at their places
 * in copy `c`, and the notes of the copy's stretch at theirs in [`c.from`, `to`) (onsets within
 * `SAME_ONSET_SECONDS`, scaled by the ratio where that is above 1), but for `COPY_MISS_SHARE` of
 * either.
 */
function isCopy(m: SameMusic, c: Copy, to: number): boolean {
  const side = (lo: number, hi: number, place: (t: number) => number, tol: number): boolean => {
    const i0 = lowerBound(m.onsets, lo);
    const i1 = lowerBound(m.onsets, hi);
    let misses = Math.floor(COPY_MISS_SHARE * (i1 - i0));
    for (let i = i0; i < i1; i++)
      if (!hasNote(m, m.pitches[i], place(m.onsets[i]), tol) && --misses < 0) return false;
    return true;
  };
  return (
    side(c.from, to, (t) => copyAt(c, t), SAME_ONSET_SECONDS * Math.max(1, c.ratio)) &&
    side(
      c.start,
      copyAt(c, to),
      (t) => c.from + (t - c.start) / c.ratio,
      SAME_ONSET_SECONDS * Math.max(1, 1 / c.ratio),
    )
  );
}

/**
 * The other copies of the music of `from` … `to` (but for `edgeSeconds` at its ends): stretches
 * elsewhere with the same notes in the same rhythm (`isCopy`), written at the same tempo or at
 * up to `MAX_COPY_RATIO` times or a fraction of it (a reprise under another tempo marking of the
 * score MIDI). Each starts on a note of the pass's first few; its tempo ratio is the one that puts
 * the pass's note `COPY_RATIO_SECONDS` later on a note of the same pitch.
 */
function copiesOf(m: SameMusic, from: number, to: number, edgeSeconds: number): Copy[] {
  const first = lowerBound(m.onsets, from);
  const out: Copy[] = [];
  const seen = new Set<string>();
  const end = to - edgeSeconds;
  for (let i = first; i < m.onsets.length && i < first + COPY_PROBE_NOTES && m.onsets[i] < to; i++) {
    const t0 = m.onsets[i];
    if (t0 - from > edgeSeconds) break;
    const k = lowerBound(m.onsets, Math.min(t0 + COPY_RATIO_SECONDS, end - SAME_ONSET_SECONDS));
    if (k >= m.onsets.length || m.onsets[k] >= end || m.onsets[k] <= t0) continue;
    const span = m.onsets[k] - t0;
    for (let j = 0; j < m.onsets.length; j++) {
      if (m.pitches[j] !== m.pitches[i] || j === i) continue;
      const s0 = m.onsets[j];
      // Copies overlapping the pass are the music's own pattern, not another copy.
      if (Math.abs(s0 - t0) < to - from) continue;
      for (
        let q = lowerBound(m.onsets, s0 + span / MAX_COPY_RATIO - SAME_ONSET_SECONDS);
        q < m.onsets.length && m.onsets[q] <= s0 + span * MAX_COPY_RATIO + SAME_ONSET_SECONDS;
        q++
      ) {
        if (m.pitches[q] !== m.pitches[k]) continue;
        const measured = (m.onsets[q] - s0) / span;
        // A ratio within 1 % is the same tempo (rounding of the score MIDI's times).
        const ratio = Math.abs(measured - 1) < 0.01 ? 1 : measured;
        const key = `${Math.round(s0 * 1000)}:${Math.round(ratio * 1000)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const c = { from: t0, start: s0, ratio };
        if (isCopy(m, c, end)) out.push(c);
      }
    }
  }
  return out;
}

/**
 * A pass after a jump whose notes are written again elsewhere (`copiesOf`: a repeat written out,
 * a recapitulation, at the same tempo or another) moves to the copy whose jumps in and out (the
 * last pass: in) cross the least score, when that saves at least `minGainSeconds`: the audio
 * cannot tell the copies apart, and the search's choice between them turned on a hair of cost
 * at the pass's edges (the sound of the music before the jump ringing into it), more than on its
 * small price per second of jump (`JumpParams.jumpDistancePenalty`). Performers repeat and cut
 * to the nearer copy far more often than across the piece. Returns the new route and the moved
 * perf ranges (`Moved`), or undefined when nothing moved.
 */
export function nearerCopies(
  route: Route,
  m: SameMusic,
  scoreHopSeconds: number,
  params: NearerParams = DEFAULT_NEARER,
): { route: Route; moved: Moved[] } | undefined {
  const hop = scoreHopSeconds;
  const segs = route.segments.map((s) => ({ ...s }));
  const moved: Moved[] = [];
  const last = m.onsets.length ? m.onsets[m.onsets.length - 1] : 0;
  for (let k = 1; k < segs.length; k++) {
    const p = segs[k - 1];
    const b = segs[k];
    const n = segs[k + 1] as Route['segments'][number] | undefined;
    const from = b.scoreStart * hop;
    const to = b.scoreEnd * hop;
    if (to - from < params.minPassSeconds) continue;
    // The last pass has its jump in alone to judge by.
    const crossed = (start: number, end: number): number =>
      Math.abs(start - p.scoreEnd * hop) + (n ? Math.abs(n.scoreStart * hop - end) : 0);
    let best: Copy | undefined;
    let bestCrossed = crossed(from, to) - params.minGainSeconds;
    for (const c of copiesOf(m, from, to, params.edgeSeconds)) {
      const start = copyAt(c, from);
      const end = copyAt(c, to);
      if (start < 0 || end > last + params.edgeSeconds) continue;
      const x = crossed(start, end);
      if (x < bestCrossed) {
        best = c;
        bestCrossed = x;
      }
    }
    if (!best) continue;
    const copy = best;
    if (copy.ratio === 1) {
      const shift = Math.round((copy.start - copy.from) / hop);
      b.scoreStart += shift;
      b.scoreEnd += shift;
      moved.push({ perfStart: b.perfStart, perfEnd: b.perfEnd, scoreFrames: shift });
    } else {
      const map = (frame: number): number => copyAt(copy, frame * hop) / hop;
      b.scoreStart = Math.round(map(b.scoreStart));
      b.scoreEnd = Math.max(b.scoreStart + 1, Math.round(map(b.scoreEnd)));
      moved.push({ perfStart: b.perfStart, perfEnd: b.perfEnd, scoreFrames: 0, map });
    }
  }
  return moved.length ? { route: { segments: segs }, moved } : undefined;
}

/**
 * A perf range whose score frames `preferStraight` moved onto the straight copy: by a number of
 * frames, or (a copy written at another tempo) through `map`, written frame to written frame.
 */
export interface Moved {
  perfStart: number;
  perfEnd: number;
  scoreFrames: number;
  map?: (scoreFrame: number) => number;
}

/** The coarse path with the score frames of the perf ranges `preferStraight` moved shifted the same way. */
export function shiftedCoarse(coarse: CoarseJumpPath, moved: readonly Moved[]): CoarseJumpPath {
  const scoreFrames = coarse.scoreFrames.slice();
  const back = Math.floor((coarse.perfFactor - 1) / 2);
  const rows = scoreFrames.length;
  for (const mv of moved) {
    const by = Math.round(mv.scoreFrames / coarse.scoreFactor);
    const r0 = Math.max(0, Math.floor((mv.perfStart + back) / coarse.perfFactor));
    const r1 = Math.min(rows - 1, Math.floor((mv.perfEnd - 1 + back) / coarse.perfFactor));
    const map = mv.map;
    for (let r = r0; r <= r1; r++)
      scoreFrames[r] = map
        ? Math.max(0, Math.round(map(scoreFrames[r] * coarse.scoreFactor) / coarse.scoreFactor))
        : Math.max(0, scoreFrames[r] + by);
  }
  return { ...coarse, scoreFrames };
}
