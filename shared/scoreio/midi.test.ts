import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import pkg from '@tonejs/midi';
import { parseMidiScore } from './midi.js';
import { ScoreLoadError } from './errors.js';
import { asapCorpus } from '../../electron/engine/asap.testutil.js';

const { Midi } = pkg;
const { dir: ASAP, present: hasAsap } = asapCorpus('parseMidiScore on ASAP score MIDIs');

/**
 * A small MIDI file: 480 ppq, given tempo/meter events and notes as [tick, durationTicks, pitch,
 * channel], and sustain-pedal events (controller 64) as [tick, value 0..127, channel].
 */
function makeMidi(opts: {
  tempos?: [number, number][];
  meters?: [number, [number, number]][];
  notes: [number, number, number, number?][];
  pedal?: [number, number, number?][];
}): Uint8Array {
  const midi = new Midi();
  midi.header.tempos = [];
  for (const [ticks, bpm] of opts.tempos ?? [[0, 120]]) midi.header.tempos.push({ ticks, bpm });
  for (const [ticks, timeSignature] of opts.meters ?? [])
    midi.header.timeSignatures.push({ ticks, timeSignature });
  midi.header.update();
  const byChannel = new Map<number, [number, number, number][]>();
  for (const [t, d, p, c = 0] of opts.notes) byChannel.set(c, [...(byChannel.get(c) ?? []), [t, d, p]]);
  for (const [channel, notes] of byChannel) {
    const track = midi.addTrack();
    track.channel = channel;
    for (const [ticks, durationTicks, midiPitch] of notes)
      track.addNote({ midi: midiPitch, ticks, durationTicks, velocity: 0.5 });
  }
  for (const [ticks, value, channel = 0] of opts.pedal ?? []) {
    const track = midi.tracks.find((t) => t.channel === channel) ?? midi.addTrack();
    track.channel = channel;
    track.addCC({ number: 64, ticks, value: value / 127 });
  }
  return midi.toArray();
}

describe('parseMidiScore', () => {
  it('applies the tempo map to onsets, durations and beats', () => {
    // 4/4: bar 1 at 120 bpm (0.5 s a quarter), bar 2 at 60 bpm (1 s a quarter).
    const bytes = makeMidi({
      tempos: [
        [0, 120],
        [1920, 60],
      ],
      meters: [[0, [4, 4]]],
      notes: [
        [0, 480, 60],
        [1920, 960, 64],
        [3360, 480, 67],
      ],
    });
    const score = parseMidiScore(bytes, 'tempo.mid');
    expect(score.format).toBe('midi');
    expect(score.notes.map((n) => [n.pitch, n.onset, n.duration, n.measure])).toEqual([
      [60, 0, 0.5, 0],
      [64, 2, 2, 1],
      [67, 5, 1, 1],
    ]);
    expect(score.notes[0].velocity).toBeCloseTo(0.5, 2);
    expect(score.beats.map((b) => b.time)).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 5]);
    expect(score.beats.map((b) => b.label)).toEqual(['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3', '2.4']);
    expect(score.beats[0]).toMatchObject({ downbeat: true, timeSignature: '4/4' });
    expect(score.beats[4].timeSignature).toBeUndefined();
    expect(score.measures.map((m) => [m.number, m.start, m.end])).toEqual([
      ['1', 0, 2],
      ['2', 2, 6],
    ]);
    expect(score.jumpPoints).toEqual([0, 2, 6]);
    expect(score.duration).toBe(6);
  });

  it('skips the drum channel and sorts notes by onset then pitch', () => {
    const bytes = makeMidi({
      notes: [
        [0, 480, 72],
        [0, 480, 36, 9],
        [0, 480, 48, 1],
        [480, 480, 50],
      ],
    });
    const score = parseMidiScore(bytes, 'drums.mid');
    expect(score.notes.map((n) => n.pitch)).toEqual([48, 72, 50]);
  });

  it('beats a compound meter in dotted quarters and a pickup from the end of its bar', () => {
    // 1/8 pickup, then 6/8.
    const bytes = makeMidi({
      meters: [
        [0, [1, 8]],
        [240, [6, 8]],
      ],
      notes: [
        [0, 240, 67],
        [240, 720, 72],
        [960, 720, 71],
        [1680, 720, 72],
      ],
    });
    const score = parseMidiScore(bytes, 'pickup.mid');
    expect(score.measures.map((m) => m.number)).toEqual(['0', '1', '2']);
    // The pickup eighth holds no dotted-quarter beat; beats run from the first bar line to the last onset.
    expect(score.beats.map((b) => [b.time, b.label, b.downbeat])).toEqual([
      [0.25, '1.1', true],
      [1, '1.2', false],
      [1.75, '2.1', true],
    ]);
    expect(score.beats[0].timeSignature).toBe('6/8');
  });

  it('counts a bar split by a repeat as the end of one bar and the pickup of the next', () => {
    // 2/4; bar 2 is split into 1/4 (section end) + 1/4 (pickup of the repeat).
    const bytes = makeMidi({
      meters: [
        [0, [2, 4]],
        [960, [1, 4]],
        [1440, [1, 4]],
        [1920, [2, 4]],
      ],
      notes: [
        [0, 480, 60],
        [960, 480, 62],
        [1440, 480, 64],
        [1920, 480, 65],
        [2400, 960, 67],
      ],
    });
    const score = parseMidiScore(bytes, 'split.mid');
    expect(score.beats.map((b) => [b.time, b.label, b.downbeat])).toEqual([
      [0, '1.1', true],
      [0.5, '1.2', false],
      [1, '2.1', true],
      [1.5, '2.2', false],
      [2, '3.1', true],
      [2.5, '3.2', false],
    ]);
  });

  it("reads the score's sustain pedal (controller 64) into the sounding length of the notes it catches", () => {
    // 120 bpm: a quarter is 0.5 s. Pedal down at tick 240 (0.25 s), up at 1920 (2 s); the drum
    // channel's pedal is no piano's.
    const notes: [number, number, number, number?][] = [
      [0, 480, 60],
      [0, 960, 64],
      [1440, 240, 60],
      [2400, 480, 67],
      [0, 120, 36, 9],
    ];
    const score = parseMidiScore(
      makeMidi({
        notes,
        pedal: [
          [240, 127],
          [1920, 0],
          [0, 127, 9],
        ],
      }),
      'pedal.mid',
    );
    const byOnset = (pitch: number, onset: number) =>
      score.notes.find((n) => n.pitch === pitch && Math.abs(n.onset - onset) < 1e-9);
    expect(byOnset(60, 0)?.sounding).toBeCloseTo(1.5, 6); // C4 struck again at 1.5 s
    expect(byOnset(64, 0)?.sounding).toBeCloseTo(2, 6); // to the pedal's release
    expect(byOnset(60, 1.5)?.sounding).toBeCloseTo(0.5, 6);
    expect(byOnset(67, 5)?.sounding).toBeUndefined();
    expect(byOnset(64, 0)?.duration).toBeCloseTo(1, 6); // the written duration stays
    const dry = parseMidiScore(makeMidi({ notes }), 'dry.mid');
    expect(dry.notes.every((n) => n.sounding === undefined)).toBe(true);
  });

  it('rejects random bytes, a truncated file and a file without notes', () => {
    const random = Uint8Array.from({ length: 256 }, (_, i) => (i * 7919 + 13) % 251);
    expect(() => parseMidiScore(random, 'random.mid')).toThrow(ScoreLoadError);
    const good = makeMidi({
      notes: [
        [0, 480, 60],
        [480, 480, 62],
      ],
    });
    const truncated = good.slice(0, 30);
    const err = (() => {
      try {
        parseMidiScore(truncated, 'cut.mid');
      } catch (e) {
        return e as ScoreLoadError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('corrupt');
    expect(err?.message).toContain('cut.mid');
    const empty = makeMidi({ notes: [[0, 480, 36, 9]] });
    expect(() => parseMidiScore(empty, 'drums-only.mid')).toThrow(/drums-only\.mid: expected notes/);
  });
});

/** ASAP score-MIDI beats: [time, downbeat] per line of `midi_score_annotations.txt`. */
function asapBeats(dir: string): [number, boolean][] {
  return readFileSync(`${dir}/midi_score_annotations.txt`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [time, , label] = line.split('\t');
      return [Number(time), label.startsWith('db')];
    });
}

describe.skipIf(!hasAsap)('parseMidiScore on ASAP score MIDIs', () => {
  it.each([
    'Bach/Fugue/bwv_846', // 4/4
    'Bach/Fugue/bwv_873', // 12/16
    'Chopin/Scherzos/31', // 3/4, a 6/4 bar counted as two 3/4 bars
    'Chopin/Sonata_3/4th', // 6/8 with a bar split into 3/8 + 3/8
    'Haydn/Keyboard_Sonatas/48-2', // 2/4, pickup and split bars
    'Beethoven/Piano_Sonatas/18-4', // 6/8 with pickup
    'Schubert/Piano_Sonatas/894-2', // 3/8 with a 3/16 pickup
    'Schubert/Impromptu_op142/1', // padded first bar before the pickup
  ])('%s: beats match midi_score_annotations.txt', (piece) => {
    const dir = `${ASAP}/${piece}`;
    const expected = asapBeats(dir);
    const score = parseMidiScore(readFileSync(`${dir}/midi_score.mid`), piece);
    expect(score.beats.length).toBe(expected.length);
    const worst = Math.max(...score.beats.map((b, i) => Math.abs(b.time - expected[i][0])));
    expect(worst).toBeLessThan(1e-3);
    expect(score.beats.map((b) => b.downbeat)).toEqual(expected.map((e) => e[1]));
  });

  it("reads the pedal marks of a score that has them (Ravel's Une barque) and none where there are none", () => {
    const barque = parseMidiScore(
      readFileSync(`${ASAP}/Ravel/Miroirs/3_Une_Barque/midi_score.mid`),
      'barque',
    );
    const held = barque.notes.filter((n) => n.sounding !== undefined);
    expect(held.length).toBeGreaterThan(barque.notes.length / 2);
    expect(held.every((n) => (n.sounding ?? 0) > n.duration)).toBe(true);
    const fugue = parseMidiScore(readFileSync(`${ASAP}/Bach/Fugue/bwv_846/midi_score.mid`), 'fugue');
    expect(fugue.notes.some((n) => n.sounding !== undefined)).toBe(false);
  });
});
