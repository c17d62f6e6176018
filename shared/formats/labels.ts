/**
 * Beat label tracks for annotation tools: an Audacity label track (`start<TAB>end<TAB>label`,
 * point labels) and a Sonic Visualiser time-instant CSV (`time,label`). One line per
 * performed beat in performance order, labelled `bar.beat` (a repeated beat once per pass).
 *
 * Sonic Visualiser: File → Import Annotation Layer reads a CSV whose first column is a time in
 * seconds and whose second is a label as a Time Instants layer ("Each row specifies a point in
 * time", timing in seconds); there is no header row, so the dialog's guess needs no change.
 */
import type { AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import { fixed, performedBeats } from './common.js';

/** Writes an Audacity label track of the performed beats. */
export function writeAudacity(path: AlignmentPath, score: Score): string {
  const lines = performedBeats(path, score).map((p) => {
    const t = fixed(p.perfTime, 6);
    return `${t}\t${t}\t${score.beats[p.beat].label}`;
  });
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** Writes a Sonic Visualiser time-instants CSV of the performed beats. */
export function writeSvl(path: AlignmentPath, score: Score): string {
  const lines = performedBeats(path, score).map(
    (p) => `${fixed(p.perfTime, 6)},${score.beats[p.beat].label}`,
  );
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
