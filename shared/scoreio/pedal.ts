/**
 * The score's own sustain pedal (MIDI controller 64): when it is down, and how long it holds the
 * notes it catches. A piano's dampers stay off the strings while the pedal is down, so a note
 * whose key is released then rings on to the pedal's release, unless its key is struck again.
 */
import { nextStrikesOfKey, type ScoreNote } from '../score.js';
import { lowerBound } from '../sorted.js';

/** A span (score seconds, end exclusive) during which the sustain pedal is down. */
export interface PedalSpan {
  start: number;
  end: number;
}

/** Controller 64 at or above this (0..1, as @tonejs/midi scales it; 64 of 127) is pedal down. */
export const PEDAL_DOWN = 64 / 127 - 1e-9;

/**
 * Spans of pedal down from controller-64 events `{ time, value }` (seconds, value 0..1), one list
 * per track: the union over the tracks (one piano has one pedal, whichever staff it is written on).
 * A pedal still down at the end is released at `endSeconds`.
 */
export function pedalSpans(
  tracks: readonly (readonly { time: number; value: number }[])[],
  endSeconds: number,
): PedalSpan[] {
  const spans: PedalSpan[] = [];
  for (const events of tracks) {
    let downAt: number | undefined;
    for (const e of [...events].sort((a, b) => a.time - b.time)) {
      const down = e.value >= PEDAL_DOWN;
      if (down && downAt === undefined) downAt = e.time;
      else if (!down && downAt !== undefined) {
        if (e.time > downAt) spans.push({ start: downAt, end: e.time });
        downAt = undefined;
      }
    }
    if (downAt !== undefined && endSeconds > downAt) spans.push({ start: downAt, end: endSeconds });
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: PedalSpan[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    // Spans that only touch stay apart: a pedal changed at an instant damps what was released before it.
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/**
 * Sets `sounding` on each note whose written end falls while the pedal is down (`spans`, sorted,
 * disjoint; the pedal must go down before the note ends): it sounds to the pedal's release, or to
 * the next onset of its key if that comes first. Notes ending with the pedal up are left as they are.
 */
export function sustainByPedal(notes: ScoreNote[], spans: readonly PedalSpan[]): void {
  if (spans.length === 0) return;
  const next = nextStrikesOfKey(notes);
  const starts = spans.map((s) => s.start);
  notes.forEach((n, i) => {
    // The span holding the note's end (start < end < span end): released at the very instant the
    // pedal goes down (a pedal change on the next chord), a note is damped, the pedal comes after it.
    const end = n.onset + n.duration;
    const span = spans[lowerBound(starts, end) - 1];
    if (!span || !(end < span.end)) return;
    const sounding = Math.min(span.end, next[i]) - n.onset;
    if (sounding > n.duration) n.sounding = sounding;
  });
}
