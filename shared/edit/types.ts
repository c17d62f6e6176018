/**
 * Hand corrections of an alignment. Every correction is a hard constraint for re-alignment
 * (`realign.ts`); times are seconds (performance time, or score time in the score's own seconds).
 */

/** A pin: at `perfTime` the performance plays `scoreTime`. */
export interface Anchor {
  id: string;
  perfTime: number;
  scoreTime: number;
  /** How it was made: dragged in the editor, tapped, set with the note keys, or imported. */
  source: 'drag' | 'tap' | 'note-key' | 'import';
}

/** A discontinuity: from `perfTime` on, the performance continues at `toScoreTime`. */
export interface ManualJump {
  id: string;
  perfTime: number;
  toScoreTime: number;
}

/** Kinds of performance-time regions a user can mark. */
export type RegionKind = 'repeat-taken' | 'repeat-skipped' | 'not-in-score' | 'checked';

/** A marked performance-time range [perfStart, perfEnd]. */
export interface RegionMark {
  id: string;
  perfStart: number;
  perfEnd: number;
  kind: RegionKind;
}

/** All hand corrections of one project. */
export interface Corrections {
  anchors: Anchor[];
  jumps: ManualJump[];
  regions: RegionMark[];
}

/** Corrections with nothing in them. */
export function emptyCorrections(): Corrections {
  return { anchors: [], jumps: [], regions: [] };
}
