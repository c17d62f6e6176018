/**
 * The score's notes re-timed to the performance as a Standard MIDI File (120 bpm, 480 ppq):
 * each note's onset and offset mapped through the path, once per pass that plays it.
 */
import pkg from '@tonejs/midi';
import type { AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import { segments } from '../path.js';
import { perfTimeInSegment } from './common.js';

const { Midi } = pkg;

/** Shortest note written, seconds (a note squeezed by a jump still sounds). */
const MIN_NOTE_S = 0.02;

/** Writes the re-timed score as MIDI bytes. */
export function writeMidi(path: AlignmentPath, score: Score): Uint8Array {
  const midi = new Midi();
  midi.header.setTempo(120);
  if (score.title) midi.name = score.title;
  const trackIds = [...new Set(score.notes.map((n) => n.track ?? 0))].sort((a, b) => a - b);
  const tracks = new Map(trackIds.map((id) => [id, midi.addTrack()] as const));
  const segs = segments(path);
  segs.forEach((seg, si) => {
    const last = si === segs.length - 1;
    const segEnd = (seg.endFrame - 1) * path.hopSeconds;
    for (const note of score.notes) {
      const on = perfTimeInSegment(path, seg, note.onset, last);
      if (on === undefined) continue;
      const off = perfTimeInSegment(path, seg, note.onset + note.duration, last) ?? Math.max(segEnd, on);
      tracks.get(note.track ?? 0)?.addNote({
        midi: note.pitch,
        time: on,
        duration: Math.max(MIN_NOTE_S, off - on),
        velocity: Math.min(1, Math.max(0, note.velocity)),
      });
    }
  });
  return midi.toArray();
}
