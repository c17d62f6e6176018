import type { Features } from '../dsp/features.js';
import { FEATURE_PARAMS, HOP_SECONDS, NUM_PITCHES } from '../dsp/params.js';
import type { AlignmentPath } from '../path.js';
import { warpPass } from './warp.js';

/**
 * Onset snapping: the refined path places each score chord within a frame or two of where it is
 * played, and the note network's pitch-wise onsets (`Features.notes` of the recording) say where,
 * to the frame, the chord's keys are struck. Each chord the path crosses is moved to the frame of
 * the strongest onset of its keys within `windowFrames` of the path's place, when that onset is
 * clear (`threshold`), and the path between two moved chords is stretched evenly between them.
 * Jumps, and each pass's first and last frames, stay where they are.
 */
export interface SnapParams {
  /** How far (frames, ±) from the path's place a chord's onset is looked for. */
  windowFrames: number;
  /** Least mean onset strength (0..1 over the chord's keys) that moves a chord. */
  threshold: number;
  /**
   * Added to the onset frame's time (s): where the strike lies against the frame the onset peaks
   * in. The note network was trained with onset targets on the frame nearest the strike and the
   * next (`models/notes/train_notes.py`: a centred window's rise spans both), so its peak may lie
   * on either, up to half a frame after the strike on average. How far is measured, not derived:
   * the validation sets put it at 11.6–15 ms (`DEFAULT_SNAP`); the bundled sample's played notes
   * (16-kHz FLAC, fluidsynth's chorus on) at about 7 ms.
   */
  offsetSeconds: number;
  /** Score steps longer than this (s) between two frames are not crossed by chords (a cut). */
  maxStepSeconds: number;
}

/**
 * Chosen on validation (`tune.js --method auto --sets overall,multi,structure --grid
 * '{"snap":{…}}'`, figures in docs/EVALUATION.md, "What the v13 run changed"). The offset was
 * −5 ms until 2026-12-06; since every unstruck beat is timed from the struck ones (v23) the
 * strike's place in the frame sets every beat, and `tune.js --method jump --sets
 * overall,multi,structure --grid '{"snap":{"offsetSeconds":[…]}}'` (`.eval/tune-snapoff*.log`;
 * overall · multi · structure within 50 ms) gave −5 ms 95.47 · 96.48 · 97.28, −7.5 ms 95.54 ·
 * 96.66 · 97.32, −hop / 2 (−11.6 ms) 95.64 · 96.76 · 97.38, −12.5 ms 95.66 · 96.73 · 97.43,
 * −15 ms 95.69 · 96.63 · 97.48, −17.5 ms 95.62 · 96.45 · 97.41, −20 ms 95.42 · 96.37 · 97.31:
 * level from −11.6 to −15 ms; −hop / 2 is the nearest to the targets' spread (`offsetSeconds`). Tried
 * and not kept: the onset at the centroid of the chord's strength over the found frame and its
 * neighbours (`.eval/tune-centroid.log`): at −11.6 ms 95.57 · 96.83 · 97.41, at −17.5 ms
 * 95.77 · 96.50 · 97.48 (the features' decaying tail leans it late).
 */
export const DEFAULT_SNAP: SnapParams = {
  windowFrames: 2,
  threshold: 0.3,
  offsetSeconds: -HOP_SECONDS / 2,
  maxStepSeconds: 0.5,
};

/** A score chord: its onset (s) and the pitch rows (MIDI − minPitch) of its keys. */
interface Chord {
  time: number;
  rows: number[];
}

const chordCache = new WeakMap<readonly unknown[], Chord[]>();

/** The score's chords (notes starting within the same millisecond), in time order (cached per notes array). */
function chordsOf(notes: readonly { onset: number; pitch: number }[]): Chord[] {
  const cached = chordCache.get(notes);
  if (cached) return cached;
  const chords = groupChords(notes);
  chordCache.set(notes, chords);
  return chords;
}

function groupChords(notes: readonly { onset: number; pitch: number }[]): Chord[] {
  const byMs = new Map<number, Chord>();
  for (const n of notes) {
    const row = n.pitch - FEATURE_PARAMS.minPitch;
    if (row < 0 || row >= NUM_PITCHES) continue;
    const k = Math.round(n.onset * 1000);
    const c = byMs.get(k);
    if (!c) byMs.set(k, { time: n.onset, rows: [row] });
    else {
      c.rows.push(row);
      c.time = Math.min(c.time, n.onset);
    }
  }
  return [...byMs.values()].sort((a, b) => a.time - b.time);
}

/** First index of `chords` with time > t. */
function firstAfter(chords: readonly Chord[], t: number): number {
  let lo = 0;
  let hi = chords.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (chords[m].time <= t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Mean onset strength (0..1) of a chord's keys (pitch rows) at perf frame `g`. */
function chordStrength(notes: ArrayLike<number>, rows: readonly number[], g: number): number {
  let v = 0;
  for (const r of rows) v += notes[g * NUM_PITCHES + r];
  return v / rows.length;
}

/**
 * Moves the path's chords onto the recording's onsets (see `SnapParams`), in place; returns the
 * path, unchanged where the recording has no note features. With `range` ([from, to) frames)
 * only those frames move, `from` and `to − 1` staying as they are (the editor's re-solved
 * stretches between pinned ends).
 */
export function snapToOnsets(
  path: AlignmentPath,
  perf: Features,
  scoreNotes: readonly { onset: number; pitch: number }[],
  params: SnapParams = DEFAULT_SNAP,
  range?: readonly [number, number],
): AlignmentPath {
  const S = path.scoreTime;
  const n = S.length;
  const notes = perf.notes;
  if (!notes || notes.length !== perf.frames * NUM_PITCHES || n < 3) return path;
  const frames = Math.min(n, perf.frames);
  const chords = chordsOf(scoreNotes);
  const offset = params.offsetSeconds / path.hopSeconds;
  const lo = Math.max(0, Math.min(n, range?.[0] ?? 0));
  const hi = Math.max(lo, Math.min(n, range?.[1] ?? n));
  const starts = [lo, ...path.jumpFrames.filter((f) => f > lo && f < hi), hi];
  // The frames before the snapping, from `lo` (old[f − lo] is frame f's).
  const old = S.slice(lo, hi);
  for (let s = 0; s + 1 < starts.length; s++) {
    const [a, b] = [starts[s], starts[s + 1]];
    if (b - a < 3) continue;
    // Anchors (in frames): where the path crosses a chord → where its onset is; the pass's ends stay.
    const from: number[] = [a];
    const to: number[] = [a];
    for (let f = a + 1; f < b; f++) {
      const s0 = old[f - 1 - lo];
      const s1 = old[f - lo];
      if (!(s1 > s0) || s1 - s0 > params.maxStepSeconds) continue;
      for (let q = firstAfter(chords, s0); q < chords.length && chords[q].time <= s1; q++) {
        const at = f - 1 + (chords[q].time - s0) / (s1 - s0);
        const f0 = Math.round(at);
        let best = -1;
        let bestValue = params.threshold;
        for (
          let g = Math.max(a + 1, f0 - params.windowFrames);
          g <= Math.min(b - 2, frames - 1, f0 + params.windowFrames);
          g++
        ) {
          const v = chordStrength(notes, chords[q].rows, g);
          if (v >= bestValue && (best < 0 || v > bestValue)) {
            bestValue = v;
            best = g;
          }
        }
        if (best < 0) continue;
        const target = best + offset;
        // Both sequences strictly increasing: a chord that would cross an earlier one stays.
        if (at > from[from.length - 1] && target > to[to.length - 1] && target < b - 1 && at < b - 1) {
          from.push(at);
          to.push(target);
        }
      }
    }
    from.push(b - 1);
    to.push(b - 1);
    if (from.length === 2) continue;
    warpPass(S, old, lo, a, b, from, to);
  }
  return path;
}
