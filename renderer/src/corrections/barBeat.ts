/** Typed score positions: `bar.beat` text ↔ score seconds. */
import type { Score } from '../../../shared/score';

/**
 * Score seconds of `text`: `bar.beat` (`9.1`, `12.3`) or a bare bar (`9` = its first beat), by the
 * printed numbers, first occurrence in played order; `null` when the score has no such beat.
 */
export function parseBarBeat(score: Pick<Score, 'beats' | 'measures'>, text: string): number | null {
  const m = /^\s*(\d+[a-z]?)(?:\.(\d+))?\s*$/i.exec(text);
  if (!m) return null;
  const bar = m[1];
  const beat = m[2] === undefined ? 1 : Number(m[2]);
  const found = score.beats.find((b) => score.measures[b.measure]?.number === bar && b.beat === beat);
  if (found) return found.time;
  if (beat === 1) {
    const measure = score.measures.find((x) => x.number === bar);
    if (measure) return measure.start;
  }
  return null;
}
