/**
 * Assembles a `Score` for a notated source from what verovio computes: the timemap (played order
 * with repeats expanded, note and measure ids, quarter positions, tempo) and its MEI (printed
 * numbers, barlines, meters, keys, ties, pitch). Verovio's MIDI rendering serves only as a check
 * of those pitches (`writtenPitchMismatch`): its timeline drifts where grace notes take time, so
 * its notes cannot be matched to the timemap by position.
 */
import type { TimemapEntry } from 'verovio/esm';
import type { Score, ScoreFormat, ScoreNote } from '../score.js';
import { buildGrid, jumpPointsOf, measureWholes, type GridMeasure, type MeasureAlign } from './grid.js';
import type { MeiSummary } from './mei.js';
import { ScoreLoadError } from './errors.js';

/** The id verovio gives the n-th pass of a repeated element is the notated id + `-rend<n>`. */
export function notatedId(expandedId: string): string {
  return expandedId.replace(/-rend\d+$/, '');
}

/** Quarter-note position → seconds, from the timemap's tempo entries (120 quarter-bpm until the first). */
export function quarterClock(timemap: TimemapEntry[]): (q: number) => number {
  const qs: number[] = [0];
  const secs: number[] = [0];
  const bpms: number[] = [120];
  for (const e of timemap) {
    if (e.tempo === undefined || e.tempo <= 0) continue;
    const last = qs.length - 1;
    if (e.qstamp <= qs[last]) {
      bpms[last] = e.tempo;
      continue;
    }
    secs.push(secs[last] + ((e.qstamp - qs[last]) * 60) / bpms[last]);
    qs.push(e.qstamp);
    bpms.push(e.tempo);
  }
  return (q: number): number => {
    let lo = 0;
    let hi = qs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (qs[mid] <= q) lo = mid;
      else hi = mid - 1;
    }
    return secs[lo] + ((q - qs[lo]) * 60) / bpms[lo];
  };
}

/** Inputs of `assembleNotatedScore`. */
export interface NotatedParts {
  format: ScoreFormat;
  /** `renderToTimemap({ includeMeasures: true, includeRests: true })`. */
  timemap: TimemapEntry[];
  /** Pitches of the notes of `renderToMIDI()` (a multiset). */
  midiPitches: number[];
  /** `scanMei(getMEI())`. */
  mei: MeiSummary;
  /** Sounding pitch of a note id whose MEI gives no pitch (verovio's `getMIDIValuesForElement`). */
  pitchOf: (expandedId: string) => number | undefined;
}

/** How the pitches were settled, for diagnostics. */
export interface NotatedStats {
  /** Share of notes whose written pitch has no counterpart in the MIDI (histogram distance / notes). */
  writtenPitchMismatch: number;
  /** Pitches asked of `pitchOf` (notes without a pitch in the MEI). */
  pitchLookups: number;
  /** Timemap note-ons merged into a preceding note by a tie. */
  tiesMerged: number;
}

interface RawNote {
  id: string;
  onQ: number;
  offQ: number;
  pitch: number;
}

const Q_EPS = 1e-4;

/**
 * The timemap sorted by quarter position (stable). Verovio lists some scores' events out of order
 * (7 of ASAP's 198 MusicXML scores, e.g. Ravel's _Une barque_: measures 133–139 listed after
 * measure 36, though their quarter positions are right); everything below reads the timemap as
 * a timeline.
 */
export function inQuarterOrder(timemap: TimemapEntry[]): TimemapEntry[] {
  for (let i = 1; i < timemap.length; i++) {
    if (timemap[i].qstamp < timemap[i - 1].qstamp)
      return timemap
        .map((e, k) => ({ e, k }))
        .sort((a, b) => a.e.qstamp - b.e.qstamp || a.k - b.k)
        .map(({ e }) => e);
  }
  return timemap;
}

/**
 * Throws `ScoreLoadError` 'corrupt' when verovio's timeline of the score cannot be read: events
 * before the start (negative quarter positions, as verovio gives some MusicXML, e.g. ASAP's Chopin
 * Sonata 3, 3rd movement). Aligning against such a timeline would put notes and bars anywhere.
 */
export function checkTimeline(timemap: readonly TimemapEntry[], name: string): void {
  let low = 0;
  let count = 0;
  for (const e of timemap) {
    if (e.qstamp < -Q_EPS) {
      count++;
      low = Math.min(low, e.qstamp);
    }
  }
  if (count > 0)
    throw new ScoreLoadError(
      'corrupt',
      `${name}: expected a timeline from the score's start, verovio placed ${count} event(s) before it (down to ${low.toFixed(1)} quarter notes); its timing cannot be read — load the score as MIDI`,
    );
}

/** Builds the score; notes carry the notated element id of the timemap note they sound. */
export function assembleNotatedScore(parts: NotatedParts): { score: Score; stats: NotatedStats } {
  const { mei } = parts;
  const timemap = inQuarterOrder(parts.timemap);
  const toSeconds = quarterClock(timemap);

  // Pitches: the MEI's, compared (as a histogram over sounding note-ons) with verovio's MIDI.
  const onIds = [...new Set(timemap.flatMap((e) => e.on ?? []).map(notatedId))];
  const written = (id: string): number | undefined => mei.notePitch.get(id);
  const histogram = new Map<number, number>();
  for (const p of parts.midiPitches) histogram.set(p, (histogram.get(p) ?? 0) + 1);
  const writtenCounts = new Map<number, number>();
  let soundingCount = 0;
  for (const e of timemap) {
    for (const id of e.on ?? []) {
      const nid = notatedId(id);
      const p = written(nid);
      if (mei.tieContinuations.has(nid) || p === undefined) continue;
      writtenCounts.set(p, (writtenCounts.get(p) ?? 0) + 1);
      soundingCount += 1;
    }
  }
  let distance = 0;
  for (const p of new Set([...histogram.keys(), ...writtenCounts.keys()]))
    distance += Math.abs((histogram.get(p) ?? 0) - (writtenCounts.get(p) ?? 0));
  const writtenPitchMismatch = distance / Math.max(1, soundingCount, parts.midiPitches.length);
  let pitchLookups = 0;
  const sounding = new Map<string, number | undefined>();
  for (const id of onIds) {
    if (written(id) !== undefined) continue;
    pitchLookups += 1;
    sounding.set(id, parts.pitchOf(id));
  }
  const pitchOf = (nid: string): number | undefined => (sounding.has(nid) ? sounding.get(nid) : written(nid));

  // Notes in played order: each timemap note-on starts a note, unless it continues a tie from a
  // note of the same pitch that ends exactly there (a tie into a volta not taken is not followed).

  const raw: RawNote[] = [];
  const open = new Map<string, RawNote>();
  const endedAt = new Map<number, RawNote>();
  let endedQ = Number.NaN;
  let tiesMerged = 0;
  const lastQ = timemap.length ? timemap[timemap.length - 1].qstamp : 0;
  for (const e of timemap) {
    if (Math.abs(e.qstamp - endedQ) > Q_EPS) endedAt.clear();
    endedQ = e.qstamp;
    for (const id of e.off ?? []) {
      const n = open.get(id);
      if (!n) continue;
      n.offQ = e.qstamp;
      open.delete(id);
      endedAt.set(n.pitch, n);
    }
    for (const id of e.on ?? []) {
      const nid = notatedId(id);
      const pitch = pitchOf(nid);
      if (pitch === undefined) continue;
      const tiedFrom = mei.tieContinuations.has(nid) ? endedAt.get(pitch) : undefined;
      if (tiedFrom) {
        endedAt.delete(pitch);
        open.set(id, tiedFrom);
        tiesMerged += 1;
        continue;
      }
      const n: RawNote = { id: nid, onQ: e.qstamp, offQ: lastQ, pitch };
      raw.push(n);
      open.set(id, n);
    }
  }

  // Measures in played order.
  const starts = timemap.filter((e) => e.measureOn !== undefined);
  const endQ = lastQ;
  const grid: GridMeasure[] = [];
  let previousAlign: MeasureAlign = 'full';
  starts.forEach((e, i) => {
    const id = notatedId(e.measureOn!);
    const info = mei.measures.get(id);
    const meter = info?.meter ?? [4, 4];
    const start = e.qstamp;
    const end = i + 1 < starts.length ? starts[i + 1].qstamp : Math.max(endQ, start);
    const barQ = measureWholes(meter) * 4;
    let align: MeasureAlign = 'full';
    if (end - start < barQ - Q_EPS) align = grid.length === 0 || previousAlign === 'left' ? 'right' : 'left';
    else if (end - start > barQ + Q_EPS) align = 'left';
    grid.push({
      start,
      end,
      number: info?.number ?? String(i + 1),
      timeSignature: meter,
      nominal: meter,
      align,
      ...(info?.key !== undefined ? { key: info.key } : {}),
      elementId: id,
    });
    previousAlign = align;
  });

  const measureStarts = grid.map((m) => m.start);
  const measureOf = (q: number): number => {
    let lo = 0;
    let hi = measureStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (measureStarts[mid] <= q + Q_EPS) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, lo);
  };
  const notes: ScoreNote[] = raw.map((n) => {
    const onset = toSeconds(n.onQ);
    const staff = mei.noteStaff.get(n.id);
    return {
      pitch: n.pitch,
      onset,
      duration: toSeconds(n.offQ) - onset,
      velocity: 0.8,
      measure: measureOf(n.onQ),
      elementId: n.id,
      ...(staff !== undefined ? { track: staff - 1 } : {}),
    };
  });
  notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);

  const onsetsQ = raw.map((n) => n.onQ);
  const beatWindow: [number, number] = onsetsQ.length
    ? [toSeconds(Math.min(...onsetsQ)), toSeconds(Math.max(...onsetsQ))]
    : [0, 0];
  const { measures, beats } = buildGrid(grid, 4, toSeconds, beatWindow);
  const duration = Math.max(toSeconds(endQ), measures.length ? measures[measures.length - 1].end : 0);

  // Repeat signs and section ends, besides the measure starts.
  const extra: number[] = [];
  grid.forEach((g, i) => {
    const info = mei.measures.get(g.elementId!);
    if (info?.left && /rpt/.test(info.left)) extra.push(measures[i].start);
    if (info?.right && /rpt|end|dbl/.test(info.right)) extra.push(measures[i].end);
  });

  return {
    score: {
      format: parts.format,
      duration,
      notes,
      beats,
      measures,
      jumpPoints: jumpPointsOf(measures, duration, extra),
      ...(mei.title ? { title: mei.title } : {}),
    },
    stats: { writtenPitchMismatch, pitchLookups, tiesMerged },
  };
}
