/**
 * The score as the engine sees it: sounding notes in played order (repeats, voltas,
 * D.C./D.S. and ties already resolved), with the musical grid (measures, beats) and the
 * places where a performer may plausibly jump. Times are score seconds: for MIDI the
 * file's tempo map applied; for notated scores the notated tempo (120 quarter-bpm if none).
 */

/** Formats a score can come from. */
export type ScoreFormat = 'midi' | 'musicxml' | 'mei' | 'kern' | 'abc';

/** One sounding note, in played order. */
export interface ScoreNote {
  /** MIDI pitch 0..127. */
  pitch: number;
  /** Onset in score seconds. */
  onset: number;
  /** Duration in score seconds (ties merged). */
  duration: number;
  /**
   * How long it sounds (s from its onset) where the score's own sustain pedal (MIDI CC64) holds it
   * past `duration`: to the pedal's release, or sooner where its key is struck again. Absent
   * where the score marks no pedal or the note ends before the pedal goes down.
   */
  sounding?: number;
  /** Velocity 0..1 (0.8 where the score gives none). */
  velocity: number;
  /** Index into `Score.measures` (played order). */
  measure: number;
  /** Id of the notated element it came from (MusicXML/MEI via verovio), absent for MIDI. */
  elementId?: string;
  /** MIDI track / staff it came from. */
  track?: number;
}

/** One beat of the musical grid, in played order. */
export interface ScoreBeat {
  /** Score seconds. */
  time: number;
  /** Index into `Score.measures`. */
  measure: number;
  /** 1-based beat number inside the measure. */
  beat: number;
  /** First beat of its measure. */
  downbeat: boolean;
  /** `bar.beat` label with the printed bar number, e.g. `12.3`. */
  label: string;
  /** Time signature (`3/4`) on a downbeat where it starts or changes. */
  timeSignature?: string;
  /** Key (sharps > 0, flats < 0) on a downbeat where it starts or changes. */
  key?: number;
}

/** One measure, in played order (a repeated measure appears once per pass). */
export interface ScoreMeasure {
  /** Position in played order. */
  index: number;
  /** Printed measure number/label. */
  number: string;
  /** Start in score seconds. */
  start: number;
  /** End in score seconds. */
  end: number;
  /** Time signature as [numerator, denominator]. */
  timeSignature: [number, number];
  /** Id of the notated measure element, where the score has ids. */
  elementId?: string;
}

/** A parsed score. */
export interface Score {
  format: ScoreFormat;
  /** Total duration in score seconds (end of the last note or measure). */
  duration: number;
  /** Notes sorted by onset, then pitch. */
  notes: ScoreNote[];
  /** Beats sorted by time. */
  beats: ScoreBeat[];
  /** Measures in played order. */
  measures: ScoreMeasure[];
  /**
   * Score times (seconds, sorted, unique) where a jump may start or land: measure starts,
   * repeat signs, section ends, the start and the end of the piece.
   */
  jumpPoints: number[];
  /** Title, where the file gives one. */
  title?: string;
}

/**
 * For each note, the onset of the next note of the same key after it (Infinity where none): where
 * a held or pedalled note stops sounding, the damper falling when its key is struck again.
 */
export function nextStrikesOfKey(notes: readonly ScoreNote[]): Float64Array {
  const out = new Float64Array(notes.length).fill(Infinity);
  const order = Array.from(notes.keys()).sort(
    (a, b) => notes[a].pitch - notes[b].pitch || notes[a].onset - notes[b].onset,
  );
  for (let k = 0; k < order.length; k++) {
    const n = notes[order[k]];
    for (let m = k + 1; m < order.length && notes[order[m]].pitch === n.pitch; m++) {
      if (notes[order[m]].onset > n.onset) {
        out[order[k]] = notes[order[m]].onset;
        break;
      }
    }
  }
  return out;
}
