/**
 * Standard MIDI files (type 0 and 1) → `Score`. Notes come from every track except the drum
 * channel; `@tonejs/midi` applies the tempo map. The beat grid follows the time-signature map
 * the way ASAP's score annotations do: a one-bar meter that is shorter than its neighbours'
 * bar is an incomplete measure (a pickup, or the two halves of a bar split by a repeat), whose
 * beats keep the neighbouring meter's positions — counted from the bar's start when it ends a
 * section, from its end when it is a pickup (the first bar, or the bar after an incomplete one).
 */
import pkg from '@tonejs/midi';
import type { Score, ScoreNote } from '../score.js';
import { ScoreLoadError } from './errors.js';
import { pedalSpans, sustainByPedal } from './pedal.js';
import {
  buildGrid,
  jumpPointsOf,
  measureWholes,
  type GridMeasure,
  type MeasureAlign,
  type TimeSignature,
} from './grid.js';

const { Midi } = pkg;

/** Zero-based MIDI channel of General MIDI percussion (channel 10). */
const DRUM_CHANNEL = 9;

const MAJOR_SHARPS: Record<string, number> = {
  Cb: -7,
  Gb: -6,
  Db: -5,
  Ab: -4,
  Eb: -3,
  Bb: -2,
  F: -1,
  C: 0,
  G: 1,
  D: 2,
  A: 3,
  E: 4,
  B: 5,
  'F#': 6,
  'C#': 7,
};

/** Sharps (> 0) or flats (< 0) of a key name as @tonejs/midi writes it (`Eb` + `major`). */
export function keyToSharps(key: string, scale: string): number | undefined {
  const major = MAJOR_SHARPS[key];
  if (scale !== 'minor') return major;
  // A minor key has the signature of the major key a minor third above; lookup by sharps − 3.
  const minorTonicOffset: Record<string, number> = {
    Ab: -7,
    Eb: -6,
    Bb: -5,
    F: -4,
    C: -3,
    G: -2,
    D: -1,
    A: 0,
    E: 1,
    B: 2,
    'F#': 3,
    'C#': 4,
    'G#': 5,
    'D#': 6,
    'A#': 7,
  };
  return minorTonicOffset[key];
}

interface TsSegment {
  start: number;
  end: number;
  ts: TimeSignature;
  bars: number;
}

/** Measures (in ticks) of a time-signature map, with pickups and split bars detected. */
export function midiGridMeasures(
  timeSignatures: { ticks: number; timeSignature: number[] }[],
  endTicks: number,
  ppq: number,
): GridMeasure[] {
  const wholeTicks = 4 * ppq;
  const events = new Map<number, TimeSignature>();
  for (const e of [...timeSignatures].sort((a, b) => a.ticks - b.ticks)) {
    const [num, den] = e.timeSignature;
    if (num > 0 && den > 0) events.set(e.ticks, [num, den]);
  }
  if (!events.has(0)) events.set(0, [4, 4]);
  const starts = [...events.keys()].sort((a, b) => a - b);
  const segments: TsSegment[] = [];
  starts.forEach((start, i) => {
    const ts = events.get(start)!;
    const barTicks = measureWholes(ts) * wholeTicks;
    const next = starts[i + 1];
    // The last meter runs to the end of the music, at least one bar.
    const end =
      next ?? Math.max(start + barTicks, start + Math.ceil((endTicks - start) / barTicks - 1e-6) * barTicks);
    if (end <= start) return;
    segments.push({ start, end, ts, bars: Math.ceil((end - start) / barTicks - 1e-6) });
  });

  // Regular: a run of at least two whole bars of one meter, not squeezed inside one bar of a neighbour.
  // Everything else encodes an odd bar length (pickup, split bar, cadenza) within the notated meter.
  const lengthOf = (seg: TsSegment): number => seg.end - seg.start;
  const barOf = (seg: TsSegment): number => measureWholes(seg.ts) * wholeTicks;
  const regular = segments.map((seg, i) => {
    const exact = Math.abs(lengthOf(seg) - seg.bars * barOf(seg)) < 1e-6 || i === segments.length - 1;
    const squeezed = [segments[i - 1], segments[i + 1]].some(
      (n) => n !== undefined && barOf(seg) < barOf(n) - 1e-6 && lengthOf(seg) <= barOf(n) + 1e-6,
    );
    return seg.bars >= 2 && exact && !squeezed;
  });
  const regularNear = (i: number, step: -1 | 1): TimeSignature | undefined => {
    for (let j = i + step; j >= 0 && j < segments.length; j += step) if (regular[j]) return segments[j].ts;
    return undefined;
  };

  const grid: GridMeasure[] = [];
  let number = 0;
  let previousAlign: MeasureAlign = 'full';
  const push = (
    start: number,
    end: number,
    ts: TimeSignature,
    nominal: TimeSignature,
    align: MeasureAlign,
  ): void => {
    // A pickup opening the piece is bar 0; the second half of a split bar keeps its number.
    if (!(align === 'right' && previousAlign === 'left')) number += 1;
    if (grid.length === 0 && align === 'right') number = 0;
    grid.push({ start, end, number: String(number), timeSignature: ts, nominal, align });
    previousAlign = align;
  };
  segments.forEach((seg, i) => {
    const barTicks = barOf(seg);
    if (regular[i]) {
      for (let b = 0; b < seg.bars; b++)
        push(
          seg.start + b * barTicks,
          Math.min(seg.end, seg.start + (b + 1) * barTicks),
          seg.ts,
          seg.ts,
          'full',
        );
      return;
    }
    const before = regularNear(i, -1);
    const after = regularNear(i, 1);
    const length = lengthOf(seg);
    // Whole bars of the notated meter written as odd meters (4 × 1/4 in 2/2, 6/4 amid 3/4, 3/8 + 3/8 in 6/8).
    for (const ref of [before, after]) {
      if (!ref) continue;
      const bar = measureWholes(ref) * wholeTicks;
      const ratio = length / bar;
      if (ratio >= 1 - 1e-6 && Math.abs(ratio - Math.round(ratio)) < 1e-6) {
        for (let b = 0; b < Math.round(ratio); b++)
          push(seg.start + b * bar, seg.start + (b + 1) * bar, ref, ref, 'full');
        return;
      }
    }
    for (let b = 0; b < seg.bars; b++) {
      const start = seg.start + b * barTicks;
      const end = Math.min(seg.end, start + barTicks);
      // An under-full bar is a pickup (right-aligned) at the start or after a left part, else a section end
      // (left-aligned); an over-full bar (a cadenza written as 65/4) gets the notated meter's beats from its start.
      const notated = before ?? after;
      const underFull = notated !== undefined && end - start < measureWholes(notated) * wholeTicks - 1e-6;
      const pickup = underFull && (grid.length === 0 || previousAlign === 'left');
      const nominal = pickup ? (after ?? before) : notated;
      if (nominal) push(start, end, seg.ts, nominal, pickup ? 'right' : 'left');
      else push(start, end, seg.ts, seg.ts, 'full');
    }
  });
  return grid;
}

/** Checks the chunk layout (MThd header, then chunks that fit in the file); returns what is wrong, or undefined. */
export function midiLayoutProblem(bytes: Uint8Array): string | undefined {
  const text = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  const u32 = (at: number): number =>
    ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  if (bytes.length < 14 || text(0) !== 'MThd')
    return `found ${bytes.length < 4 ? `${bytes.length} bytes` : `'${text(0).replace(/[^ -~]/g, '?')}'`} where the 'MThd' header should be`;
  const tracksDeclared = (bytes[10] << 8) | bytes[11];
  let at = 8 + u32(4);
  let tracks = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) return `truncated: ${bytes.length - at} stray bytes at offset ${at}`;
    const length = u32(at + 4);
    if (at + 8 + length > bytes.length)
      return `truncated: chunk '${text(at).replace(/[^ -~]/g, '?')}' at offset ${at} declares ${length} bytes, only ${bytes.length - at - 8} remain`;
    if (text(at) === 'MTrk') tracks += 1;
    at += 8 + length;
  }
  if (tracks < tracksDeclared) return `the header declares ${tracksDeclared} tracks, found ${tracks}`;
  return undefined;
}

/** Parses a standard MIDI file into a `Score` (throws `ScoreLoadError` 'corrupt' or 'empty'); `name` is used in messages. */
export function parseMidiScore(bytes: Uint8Array, name: string): Score {
  const problem = midiLayoutProblem(bytes);
  if (problem) throw new ScoreLoadError('corrupt', `${name}: expected a standard MIDI file, ${problem}`);
  let midi: InstanceType<typeof Midi>;
  try {
    midi = new Midi(bytes);
  } catch (err) {
    throw new ScoreLoadError(
      'corrupt',
      `${name}: expected a standard MIDI file (MThd header, MTrk chunks), but it could not be parsed: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const header = midi.header;
  const raw: { ticks: number; durationTicks: number; pitch: number; velocity: number; track: number }[] = [];
  midi.tracks.forEach((track, t) => {
    if (track.channel === DRUM_CHANNEL) return;
    for (const n of track.notes) {
      raw.push({
        ticks: n.ticks,
        durationTicks: n.durationTicks,
        pitch: n.midi,
        velocity: n.velocity,
        track: t,
      });
    }
  });
  if (raw.length === 0) {
    throw new ScoreLoadError(
      'empty',
      `${name}: expected notes on a non-drum channel, found none (${midi.tracks.length} tracks)`,
    );
  }
  const endTicks = Math.max(...raw.map((n) => n.ticks + n.durationTicks));
  const grid = midiGridMeasures(header.timeSignatures, endTicks, header.ppq);

  const keys = [...header.keySignatures].sort((a, b) => a.ticks - b.ticks);
  for (const m of grid) {
    let key: number | undefined;
    for (const k of keys) if (k.ticks <= m.start) key = keyToSharps(k.key, k.scale) ?? key;
    if (key !== undefined) m.key = key;
  }

  const toSeconds = (ticks: number): number => header.ticksToSeconds(ticks);
  const onsets = raw.map((n) => n.ticks);
  const beatWindow: [number, number] = [toSeconds(Math.min(...onsets)), toSeconds(Math.max(...onsets))];
  const { measures, beats } = buildGrid(grid, 4 * header.ppq, toSeconds, beatWindow);

  const measureOf = (ticks: number): number => {
    let lo = 0;
    let hi = grid.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (grid[mid].start <= ticks) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const notes: ScoreNote[] = raw.map((n) => {
    const onset = toSeconds(n.ticks);
    return {
      pitch: n.pitch,
      onset,
      duration: toSeconds(n.ticks + n.durationTicks) - onset,
      velocity: n.velocity,
      measure: measureOf(n.ticks),
      track: n.track,
    };
  });
  notes.sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
  // The score's own sustain pedal, where it marks one (controller 64), holds the notes it catches.
  const pedal = midi.tracks
    .filter((track) => track.channel !== DRUM_CHANNEL)
    .map((track) => (track.controlChanges[64] ?? []).map((c) => ({ time: c.time, value: c.value })));
  sustainByPedal(notes, pedalSpans(pedal, toSeconds(endTicks)));

  const duration = Math.max(toSeconds(endTicks), measures[measures.length - 1].end);
  const title = midi.name.trim();
  return {
    format: 'midi',
    duration,
    notes,
    beats,
    measures,
    jumpPoints: jumpPointsOf(measures, duration),
    ...(title ? { title } : {}),
  };
}
