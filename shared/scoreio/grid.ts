import type { ScoreBeat, ScoreMeasure } from '../score.js';

/** Time signature as [numerator, denominator]. */
export type TimeSignature = [number, number];

/** Where the notes of an incomplete measure sit inside the full bar of its nominal meter. */
export type MeasureAlign = 'full' | 'left' | 'right';

/** Beat length in whole notes: one denominator unit, or a dotted unit in compound meters (6/8, 9/8, 12/8, 6/4, 12/16 …). */
export function beatWholes(ts: TimeSignature): number {
  const [num, den] = ts;
  const compound = num > 3 && num % 3 === 0;
  return (compound ? 3 : 1) / den;
}

/** Length of a full bar of `ts` in whole notes. */
export function measureWholes(ts: TimeSignature): number {
  return ts[0] / ts[1];
}

/** `3/4` text of a time signature. */
export function formatTimeSignature(ts: TimeSignature): string {
  return `${ts[0]}/${ts[1]}`;
}

/** One measure of the grid, on a linear musical axis (any unit, e.g. ticks or quarter notes). */
export interface GridMeasure {
  /** Start on the musical axis. */
  start: number;
  /** End on the musical axis. */
  end: number;
  /** Printed number/label. */
  number: string;
  /** Time signature written for this measure (its actual length for MIDI). */
  timeSignature: TimeSignature;
  /** Meter the beats follow (differs from `timeSignature` for an incomplete measure). */
  nominal: TimeSignature;
  /** Incomplete measure: notes at the start (`left`) or the end (`right`, a pickup) of the nominal bar. */
  align: MeasureAlign;
  /** Key (sharps > 0, flats < 0) in force at the measure start, where known. */
  key?: number;
  /** Notated measure element id, where the source has one. */
  elementId?: string;
}

/**
 * Builds measures and beats (with `bar.beat` labels) from grid measures; `toSeconds` maps the
 * musical axis to score seconds, `wholeUnits` is the axis length of a whole note. Beats outside
 * `beatWindow` (seconds; ASAP annotates from the first to the last note onset) are left out.
 */
export function buildGrid(
  grid: GridMeasure[],
  wholeUnits: number,
  toSeconds: (position: number) => number,
  beatWindow: [number, number] = [-Infinity, Infinity],
): { measures: ScoreMeasure[]; beats: ScoreBeat[] } {
  const measures: ScoreMeasure[] = [];
  const beats: ScoreBeat[] = [];
  const eps = wholeUnits * 1e-6;
  let lastTs = '';
  let lastKey: number | undefined;
  grid.forEach((m, index) => {
    measures.push({
      index,
      number: m.number,
      start: toSeconds(m.start),
      end: toSeconds(m.end),
      timeSignature: m.timeSignature,
      ...(m.elementId !== undefined ? { elementId: m.elementId } : {}),
    });
    const beatLen = beatWholes(m.nominal) * wholeUnits;
    const barStart = m.align === 'right' ? m.end - measureWholes(m.nominal) * wholeUnits : m.start;
    const first = Math.max(0, Math.ceil((m.start - barStart - eps) / beatLen));
    // An over-full bar still gets only its meter's beats.
    const beatsPerBar = Math.round(measureWholes(m.nominal) / beatWholes(m.nominal));
    for (let k = first; barStart + k * beatLen < m.end - eps && k < beatsPerBar; k++) {
      const time = toSeconds(barStart + k * beatLen);
      if (time < beatWindow[0] - 1e-6 || time > beatWindow[1] + 1e-6) continue;
      const beat: ScoreBeat = {
        time,
        measure: index,
        beat: k + 1,
        downbeat: k === 0,
        label: `${m.number}.${k + 1}`,
      };
      if (k === 0) {
        const tsText = formatTimeSignature(m.nominal);
        if (tsText !== lastTs) beat.timeSignature = tsText;
        lastTs = tsText;
        if (m.key !== undefined && m.key !== lastKey) beat.key = m.key;
        lastKey = m.key ?? lastKey;
      }
      beats.push(beat);
    }
  });
  return { measures, beats };
}

/** Sorted unique jump points (seconds): measure starts, extra points, 0 and the end of the piece. */
export function jumpPointsOf(measures: ScoreMeasure[], duration: number, extra: number[] = []): number[] {
  const points = [0, duration, ...measures.map((m) => m.start), ...extra].filter(
    (t) => t >= 0 && t <= duration + 1e-9,
  );
  points.sort((a, b) => a - b);
  const out: number[] = [];
  for (const t of points) if (out.length === 0 || t - out[out.length - 1] > 1e-6) out.push(t);
  return out;
}
