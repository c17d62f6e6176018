/**
 * Every MIDI file shipped under resources/ must open in strict readers (Python's mido refuses a
 * key signature outside −7…7): a small byte-level reader of the chunks and the meta events.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../resources/', import.meta.url));

/** Every `.mid` file under `dir`, sorted. */
function midiFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.mid'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Data bytes of each channel message status nibble (0x8–0xE). */
const DATA_BYTES: Record<number, number> = { 8: 2, 9: 2, 10: 2, 11: 2, 12: 1, 13: 1, 14: 2 };
/** Required lengths of the meta events that have one. */
const META_LENGTH: Record<number, number> = {
  0x00: 2,
  0x20: 1,
  0x21: 1,
  0x2f: 0,
  0x51: 3,
  0x54: 5,
  0x58: 4,
  0x59: 2,
};

/** What a strict reader would refuse in a Standard MIDI File; empty when it is sound. */
function strictMidiProblems(b: Uint8Array): string[] {
  const problems: string[] = [];
  const ascii = (at: number): string => String.fromCharCode(...b.subarray(at, at + 4));
  const u32 = (at: number): number =>
    ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  if (b.length < 14 || ascii(0) !== 'MThd' || u32(4) !== 6) return ['expected an MThd chunk of length 6'];
  const format = (b[8] << 8) | b[9];
  const tracks = (b[10] << 8) | b[11];
  if (format > 2) problems.push(`header: expected format 0, 1 or 2, got ${format}`);
  if (format === 0 && tracks !== 1) problems.push(`header: format 0 with ${tracks} tracks`);
  let pos = 14;
  let seen = 0;
  while (pos < b.length) {
    if (pos + 8 > b.length) {
      problems.push(`${b.length - pos} bytes after the last chunk`);
      break;
    }
    const id = ascii(pos);
    const len = u32(pos + 4);
    const start = pos + 8;
    const end = start + len;
    if (end > b.length) {
      problems.push(`chunk ${id} at byte ${pos}: length ${len} runs past the end of the file`);
      break;
    }
    if (id === 'MTrk') problems.push(...trackProblems(b, start, end, seen++));
    pos = end;
  }
  if (seen !== tracks) problems.push(`header says ${tracks} tracks, found ${seen} MTrk chunks`);
  return problems;
}

function trackProblems(b: Uint8Array, start: number, end: number, track: number): string[] {
  const problems: string[] = [];
  const at = (p: number): string => `track ${track}, byte ${p}`;
  const vlq = (p: number): [number, number] => {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      if (p + i >= end) return [NaN, p + i];
      v = (v << 7) | (b[p + i] & 0x7f);
      if (b[p + i] < 0x80) return [v, p + i + 1];
    }
    return [NaN, p + 4];
  };
  let p = start;
  let running = 0;
  let ended = false;
  while (p < end) {
    if (ended) return [...problems, `${at(p)}: events after End of Track`];
    const [, q] = vlq(p);
    if (q >= end) return [...problems, `${at(p)}: delta time runs past the chunk`];
    p = q;
    const status = b[p];
    if (status === 0xff) {
      const type = b[p + 1];
      const [len, d] = vlq(p + 2);
      if (!Number.isFinite(len) || d + len > end)
        return [...problems, `${at(p)}: meta event runs past the chunk`];
      const want = META_LENGTH[type];
      if (want !== undefined && len !== want)
        problems.push(`${at(p)}: meta 0x${type.toString(16)} has length ${len}, expected ${want}`);
      if (type === 0x59 && len === 2) {
        const sf = (b[d] << 24) >> 24;
        const mi = b[d + 1];
        if (sf < -7 || sf > 7 || mi > 1)
          problems.push(`${at(p)}: key signature sf=${sf} mi=${mi}, expected sf in −7…7 and mi 0 or 1`);
      }
      if (type === 0x2f) ended = true;
      p = d + len;
    } else if (status === 0xf0 || status === 0xf7) {
      const [len, d] = vlq(p + 1);
      if (!Number.isFinite(len) || d + len > end) return [...problems, `${at(p)}: sysex runs past the chunk`];
      p = d + len;
    } else {
      const s = status >= 0x80 ? status : running;
      const n = DATA_BYTES[s >> 4];
      if (n === undefined)
        return [...problems, `${at(p)}: expected a status byte, got 0x${status.toString(16)}`];
      if (status >= 0x80) p++;
      running = s;
      for (let i = 0; i < n; i++, p++)
        if (p >= end || b[p] >= 0x80)
          return [...problems, `${at(p)}: bad data byte of status 0x${s.toString(16)}`];
    }
  }
  if (!ended) problems.push(`track ${track}: no End of Track event`);
  return problems;
}

describe('the strict MIDI reader', () => {
  // Format 0, one track: key signature (sf, mi), End of Track.
  const smf = (sf: number, mi: number, trackLength = 10): Uint8Array =>
    Uint8Array.from([
      ...[0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0],
      ...[0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, trackLength],
      ...[0, 0xff, 0x59, 2, sf & 0xff, mi, 0, 0xff, 0x2f, 0],
    ]);
  it('accepts sound key signatures and refuses 14 sharps, a bad mode and a wrong chunk length', () => {
    expect(strictMidiProblems(smf(-7, 1))).toEqual([]);
    expect(strictMidiProblems(smf(14, 0))).toEqual([
      'track 0, byte 23: key signature sf=14 mi=0, expected sf in −7…7 and mi 0 or 1',
    ]);
    expect(strictMidiProblems(smf(0, 2))).toHaveLength(1);
    expect(strictMidiProblems(smf(0, 0, 11)).join()).toMatch(/runs past the end/);
  });
});

describe.each(midiFiles(root).map((f) => [relative(root, f), f]))('resources/%s', (_name, file) => {
  it('opens in a strict reader: sound chunk lengths and meta events', () => {
    expect(strictMidiProblems(readFileSync(file))).toEqual([]);
  });
});
