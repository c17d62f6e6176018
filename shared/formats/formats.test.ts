import pkg from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import type { AlignmentPath } from '../path.js';
import type { Score, ScoreBeat, ScoreMeasure, ScoreNote } from '../score.js';
import type { ExportMeta } from './index.js';
import { readAsapTimes } from './asap.js';
import { perfTimesOfScoreTime, scoreTimeAt, segments } from '../path.js';
import {
  EXPORT_FORMATS,
  FormatError,
  exportAlignment,
  formatFromFileName,
  importAlignment,
} from './index.js';

const { Midi } = pkg;
const HOP = 512 / 22050;
const META: ExportMeta = {
  audio: { name: 'perf.flac', sha256: 'ab'.repeat(32) },
  score: { name: 'score.mid', sha256: 'cd'.repeat(32) },
};
/** A score of `measures` bars of `beatsPerBar`/4 at `beatSeconds` a beat, one note per beat. */
function gridScore(measures: number, beatsPerBar: number, beatSeconds: number): Score {
  const ms: ScoreMeasure[] = [];
  const beats: ScoreBeat[] = [];
  const notes: ScoreNote[] = [];
  for (let m = 0; m < measures; m++) {
    const start = m * beatsPerBar * beatSeconds;
    ms.push({
      index: m,
      number: String(m + 1),
      start,
      end: start + beatsPerBar * beatSeconds,
      timeSignature: [beatsPerBar, 4],
    });
    for (let b = 0; b < beatsPerBar; b++) {
      const time = start + b * beatSeconds;
      const beat: ScoreBeat = {
        time,
        measure: m,
        beat: b + 1,
        downbeat: b === 0,
        label: `${m + 1}.${b + 1}`,
      };
      if (m === 0 && b === 0) {
        beat.timeSignature = `${beatsPerBar}/4`;
        beat.key = 0;
      }
      beats.push(beat);
      notes.push({
        pitch: 60 + ((m * beatsPerBar + b) % 12),
        onset: time,
        duration: beatSeconds,
        velocity: 0.8,
        measure: m,
        track: 0,
      });
    }
  }
  const duration = measures * beatsPerBar * beatSeconds;
  return {
    format: 'midi',
    duration,
    notes,
    beats,
    measures: ms,
    jumpPoints: ms.map((m) => m.start).concat(duration),
  };
}

/** One pass of a path: `frames` frames from score time `from` at `rate` score seconds per perf second. */
interface Pass {
  from: number;
  rate: number;
  frames: number;
}

/** A path made of linear passes joined by jumps. */
function passesPath(passes: Pass[], hopSeconds: number): AlignmentPath {
  const total = passes.reduce((n, p) => n + p.frames, 0);
  const scoreTime = new Float64Array(total);
  const confidence = new Float32Array(total);
  const jumpFrames: number[] = [];
  let f = 0;
  for (const p of passes) {
    if (f > 0) jumpFrames.push(f);
    for (let i = 0; i < p.frames; i++, f++) {
      scoreTime[f] = p.from + i * hopSeconds * p.rate;
      confidence[f] = 0.5 + 0.5 * Math.cos(f);
    }
  }
  return { hopSeconds, scoreTime, confidence, jumpFrames, method: 'jump' };
}
/** The monotone pass with a 2.5 s race through the score between two frames (a rest cut short): no jump. */
function racingPath(): AlignmentPath {
  const scoreTime = Float64Array.from(monotonePath.scoreTime);
  const at = Math.floor(scoreTime.length / 2);
  for (let f = at; f < scoreTime.length; f++) scoreTime[f] += 2.5;
  return { ...monotonePath, scoreTime, confidence: Float32Array.from(monotonePath.confidence) };
}

function text(x: string | Uint8Array): string {
  if (typeof x !== 'string') throw new Error('expected text output');
  return x;
}

function expectSamePath(
  got: AlignmentPath,
  want: AlignmentPath,
  tol: number,
  frames = want.scoreTime.length,
): void {
  expect(got.hopSeconds).toBe(want.hopSeconds);
  expect(got.scoreTime.length).toBeGreaterThanOrEqual(frames);
  let worst = 0;
  for (let f = 0; f < frames; f++) worst = Math.max(worst, Math.abs(got.scoreTime[f] - want.scoreTime[f]));
  expect(worst).toBeLessThanOrEqual(tol);
  expect(got.jumpFrames).toEqual(want.jumpFrames);
}

// 3 bars of 3/4 at 0.5 s a beat: 9 beats, score 0..4.5 s.
const score = gridScore(3, 3, 0.5);
const framesFor = (scoreSeconds: number, rate = 1): number => Math.round(scoreSeconds / (HOP * rate));
// The first bar twice (repeat), then to the end at a slower tempo.
const repeatPath = passesPath(
  [
    { from: 0, rate: 1, frames: framesFor(1.5) },
    { from: 0, rate: 0.8, frames: framesFor(4.5, 0.8) + 1 },
  ],
  HOP,
);
// Bar 1, then bar 3 (bar 2 skipped).
const skipPath = passesPath(
  [
    { from: 0, rate: 1, frames: framesFor(1.5) },
    { from: 3, rate: 1.25, frames: framesFor(1.5, 1.25) + 1 },
  ],
  HOP,
);
const monotonePath = passesPath([{ from: 0, rate: 0.9, frames: framesFor(4.5, 0.9) + 1 }], HOP);

describe('path queries', () => {
  it('finds one performance time per pass for a repeated beat and none for a skipped one', () => {
    expect(segments(repeatPath)).toHaveLength(2);
    const j = repeatPath.jumpFrames[0];
    const t = perfTimesOfScoreTime(repeatPath, 0.5);
    expect(t).toHaveLength(2);
    expect(t[0]).toBeCloseTo(0.5, 9);
    expect(t[1]).toBeCloseTo(j * HOP + 0.5 / 0.8, 9);
    expect(perfTimesOfScoreTime(skipPath, 2.0)).toEqual([]);
    expect(scoreTimeAt(repeatPath, t[1])).toBeCloseTo(0.5, 9);
  });
});

describe('writers: exact text', () => {
  // 2 bars of 2/4 at 0.5 s a beat; hop 0.25 s; bar 1 twice, then bar 2.
  const small = gridScore(2, 2, 0.5);
  const back = passesPath(
    [
      { from: 0, rate: 1, frames: 4 },
      { from: 0, rate: 1, frames: 9 },
    ],
    0.25,
  );
  // 3 bars of 2/4; bar 2 skipped.
  const small3 = gridScore(3, 2, 0.5);
  const skip = passesPath(
    [
      { from: 0, rate: 1, frames: 4 },
      { from: 2, rate: 1, frames: 5 },
    ],
    0.25,
  );
  const tiny: AlignmentPath = {
    hopSeconds: 0.5,
    scoreTime: Float64Array.from([0, 0.5, 1]),
    confidence: Float32Array.from([1, 0.5, 0.25]),
    jumpFrames: [],
    method: 'dtw',
  };

  it('csv', () => {
    expect(exportAlignment('csv', tiny, small, META)).toBe(
      'perf_time,score_time,confidence\n0.0000,0.0000,1.000\n0.5000,0.5000,0.500\n1.0000,1.0000,0.250\n',
    );
  });
  it('audacity and svl: one bar.beat per performed beat, a repeated beat once per pass', () => {
    expect(exportAlignment('audacity', back, small, META)).toBe(
      [
        '0.000000\t0.000000\t1.1',
        '0.500000\t0.500000\t1.2',
        '1.000000\t1.000000\t1.1',
        '1.500000\t1.500000\t1.2',
        '2.000000\t2.000000\t2.1',
        '2.500000\t2.500000\t2.2',
        '',
      ].join('\n'),
    );
    expect(exportAlignment('svl', back, small, META)).toBe(
      '0.000000,1.1\n0.500000,1.2\n1.000000,1.1\n1.500000,1.2\n2.000000,2.1\n2.500000,2.2\n',
    );
  });
  it('asap: skipped beats as a run of lines 1 ms apart, time signature and key on the first downbeat', () => {
    expect(exportAlignment('asap', skip, small3, META)).toBe(
      [
        '0.000000\t0.000000\tdb,2/4,0',
        '0.500000\t0.500000\tb',
        '0.998000\t0.998000\tdb',
        '0.999000\t0.999000\tb',
        '1.000000\t1.000000\tdb',
        '1.500000\t1.500000\tb',
        '',
      ].join('\n'),
    );
  });
  it('asap: a path that goes back gets bar.beat positions in a 4th column', () => {
    expect(exportAlignment('asap', back, small, META)).toBe(
      [
        '0.000000\t0.000000\tdb,2/4,0\t1.1',
        '0.500000\t0.500000\tb\t1.2',
        '1.000000\t1.000000\tdb\t1.1',
        '1.500000\t1.500000\tb\t1.2',
        '2.000000\t2.000000\tdb\t2.1',
        '2.500000\t2.500000\tb\t2.2',
        '',
      ].join('\n'),
    );
  });
  it('json', () => {
    const one = gridScore(1, 2, 0.5);
    const got = text(exportAlignment('json', tiny, one, META));
    expect(got).toBe(
      [
        '{',
        '  "format": "accord-alignment",',
        '  "version": 1,',
        '  "method": "dtw",',
        '  "hopSeconds": 0.5,',
        '  "inputs": {',
        '    "audio": {',
        '      "name": "perf.flac",',
        `      "sha256": "${'ab'.repeat(32)}"`,
        '    },',
        '    "score": {',
        '      "name": "score.mid",',
        `      "sha256": "${'cd'.repeat(32)}"`,
        '    }',
        '  },',
        '  "jumps": [],',
        '  "beats": [',
        '    {',
        '      "label": "1.1",',
        '      "scoreTime": 0,',
        '      "perfTimes": [',
        '        0',
        '      ]',
        '    },',
        '    {',
        '      "label": "1.2",',
        '      "scoreTime": 0.5,',
        '      "perfTimes": [',
        '        0.5',
        '      ]',
        '    }',
        '  ],',
        '  "measures": [',
        '    {',
        '      "number": "1",',
        '      "scoreTime": 0,',
        '      "perfTimes": [',
        '        0',
        '      ]',
        '    }',
        '  ],',
        '  "path": [',
        '    [0,0,1],',
        '    [0.5,0.5,0.5],',
        '    [1,1,0.25]',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });
  it('json lists every pass of a repeated beat and the jump', () => {
    const doc = JSON.parse(text(exportAlignment('json', back, small, META))) as {
      beats: { label: string; perfTimes: number[] }[];
      jumps: { perfTime: number; fromScore: number; toScore: number }[];
    };
    expect(doc.beats.map((b) => [b.label, b.perfTimes])).toEqual([
      ['1.1', [0, 1]],
      ['1.2', [0.5, 1.5]],
      ['2.1', [2]],
      ['2.2', [2.5]],
    ]);
    expect(doc.jumps).toEqual([{ perfTime: 1, fromScore: 0.75, toScore: 0 }]);
  });
  it('midi: notes re-timed, once per pass, 120 bpm, re-importable', () => {
    const bytes = exportAlignment('midi', repeatPath, score, META);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const midi = new Midi(bytes as Uint8Array);
    expect(midi.header.tempos[0].bpm).toBeCloseTo(120, 6);
    const notes = midi.tracks.flatMap((t) => t.notes).sort((a, b) => a.time - b.time);
    expect(notes).toHaveLength(3 + 9);
    const j = repeatPath.jumpFrames[0] * HOP;
    const want = [0, 0.5, 1, ...score.notes.map((n) => j + n.onset / 0.8)];
    notes.forEach((n, i) => expect(Math.abs(n.time - want[i])).toBeLessThan(2e-3));
    expect(notes.map((n) => n.midi)).toEqual([60, 61, 62, ...score.notes.map((n) => n.pitch)]);
    const last = notes[notes.length - 1];
    expect(Math.abs(last.duration - 0.5 / 0.8)).toBeLessThan(HOP);
  });
});

describe('holds: a beat is where the pass moves on past it, not where it arrives', () => {
  // 2 bars of 2/4 at 0.5 s a beat; hop 0.25 s.
  const small = gridScore(2, 2, 0.5);
  const q = (xs: number[], jumpFrames: number[] = []): AlignmentPath => ({
    hopSeconds: 0.25,
    scoreTime: Float64Array.from(xs),
    confidence: new Float32Array(xs.length).fill(1),
    jumpFrames,
    method: 'jump',
  });
  const ramp = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i * 0.25);
  // 0.5 s of leading silence held at the first score frame, then the piece at tempo.
  const silence = q([0, 0, ...ramp(0, 9)]);
  const labels = (x: string | Uint8Array): string[] =>
    text(x)
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 3).join(' '));

  it('leading silence: bar 1.1 where the music starts in every beat export and the MIDI', () => {
    expect(labels(exportAlignment('audacity', silence, small, META))).toEqual([
      '0.500000 0.500000 1.1',
      '1.000000 1.000000 1.2',
      '1.500000 1.500000 2.1',
      '2.000000 2.000000 2.2',
    ]);
    expect(text(exportAlignment('svl', silence, small, META))).toBe(
      '0.500000,1.1\n1.000000,1.2\n1.500000,2.1\n2.000000,2.2\n',
    );
    expect(labels(exportAlignment('asap', silence, small, META))[0]).toBe('0.500000 0.500000 db,2/4,0');
    const doc = JSON.parse(text(exportAlignment('json', silence, small, META))) as {
      beats: { perfTimes: number[] }[];
      measures: { perfTimes: number[] }[];
    };
    expect(doc.beats.map((b) => b.perfTimes)).toEqual([[0.5], [1], [1.5], [2]]);
    expect(doc.measures.map((m) => m.perfTimes)).toEqual([[0.5], [1.5]]);
    const midi = new Midi(exportAlignment('midi', silence, small, META) as Uint8Array);
    const onsets = midi.tracks.flatMap((t) => t.notes.map((n) => n.time)).sort((a, b) => a - b);
    expect(onsets.map((t) => Math.round(t * 1000) / 1000)).toEqual([0.5, 1, 1.5, 2]);
  });

  it('a pass that opens with a hold (a breath before the repeat) starts where the hold ends', () => {
    // Bar 1, a jump back held 0.5 s at the landing (just after 1.1, between frames), then to the end.
    const breath = q([...ramp(0, 4), 0.01, 0.01, 0.01, ...ramp(0.25, 8)], [4]);
    expect(labels(exportAlignment('audacity', breath, small, META))).toEqual([
      '0.000000 0.000000 1.1',
      '0.500000 0.500000 1.2',
      '1.500000 1.500000 1.1',
      '2.000000 2.000000 1.2',
      '2.500000 2.500000 2.1',
      '3.000000 3.000000 2.2',
    ]);
  });

  it('a pass that stops on a beat and holds (ringing) plays it on arrival', () => {
    expect(labels(exportAlignment('audacity', q([...ramp(0, 7), 1.5, 1.5, 1.5]), small, META))).toEqual([
      '0.000000 0.000000 1.1',
      '0.500000 0.500000 1.2',
      '1.000000 1.000000 2.1',
      '1.500000 1.500000 2.2',
    ]);
    // The path ends just short of the last beat (within a hop) and holds there.
    const short = q([...ramp(0, 6), 1.4, 1.4, 1.4, 1.4]);
    expect(labels(exportAlignment('audacity', short, small, META))[3]).toBe('1.500000 1.500000 2.2');
  });

  it('asap: beats that start after silence read back and write out unchanged', () => {
    const asap =
      '0.500000\t0.500000\tdb,2/4,0\n1.000000\t1.000000\tb\n1.500000\t1.500000\tdb\n2.000000\t2.000000\tb\n';
    const path = importAlignment('asap', asap, small, HOP);
    expect(exportAlignment('asap', path, small, META)).toBe(asap);
  });
});

describe('round trips', () => {
  const cases: [string, AlignmentPath][] = [
    ['monotone', monotonePath],
    ['repeat', repeatPath],
    ['skip', skipPath],
  ];
  for (const [name, path] of cases) {
    it(`csv: ${name}`, () => {
      const back = importAlignment('csv', text(exportAlignment('csv', path, score, META)), score, HOP);
      // 4 decimals: ≤ 0.05 ms on score time, plus ≤ 0.05 ms on perf time times the rate.
      expectSamePath(back, path, 5e-5 * 2.3);
      expect(back.scoreTime.length).toBe(path.scoreTime.length);
      for (let f = 0; f < path.confidence.length; f++)
        expect(Math.abs(back.confidence[f] - path.confidence[f])).toBeLessThanOrEqual(5e-4 + 1e-6);
    });
    it(`json: ${name}`, () => {
      const back = importAlignment('json', text(exportAlignment('json', path, score, META)), score, HOP);
      expectSamePath(back, path, 1e-6);
      expect(back.method).toBe('jump');
    });
    it(`asap: ${name}`, () => {
      const back = importAlignment('asap', text(exportAlignment('asap', path, score, META)), score, HOP);
      expectSamePath(back, path, 1e-5, path.scoreTime.length - 1);
    });
  }
  it('csv and json: a pass racing through a rest reads back as one pass, value for value', () => {
    const path = racingPath();
    // The race is 2.5 s in one frame: a perf-time rounding of r moves the score by r × 2.5 / HOP.
    const slope = 2.5 / HOP;
    const csv = text(exportAlignment('csv', path, score, META));
    const back = importAlignment('csv', csv, score, HOP);
    expectSamePath(back, path, 5e-5 * slope);
    expect(back.jumpFrames).toEqual([]);
    expect(csv.split('\n').length).toBeGreaterThan(path.scoreTime.length + 2);
    expectSamePath(
      importAlignment('json', text(exportAlignment('json', path, score, META)), score, HOP),
      path,
      5e-7 * slope,
    );
  });
  it('asap: Audacity bar.beat labels read back through the same reader', () => {
    const back = importAlignment(
      'asap',
      text(exportAlignment('audacity', repeatPath, score, META)),
      score,
      HOP,
    );
    expectSamePath(back, repeatPath, 1e-5, repeatPath.scoreTime.length - 1);
  });
});

describe('import errors', () => {
  it('csv: names the line and what was expected', () => {
    expect(() => importAlignment('csv', 'perf_time,score_time\n0,0\n0.1,abc\n', score, HOP)).toThrow(
      /line 3: expected numbers in perf_time and score_time, got "0.1,abc"/,
    );
    expect(() => importAlignment('csv', 'time,position\n0,0\n', score, HOP)).toThrow(
      /line 1: expected a header with columns perf_time and score_time/,
    );
    expect(() => importAlignment('csv', 'perf_time,score_time\n1,0\n0.5,0\n', score, HOP)).toThrow(
      /line 3: expected rows sorted by perf_time/,
    );
    expect(() => importAlignment('csv', 'perf_time,score_time,confidence\n0,0,2\n', score, HOP)).toThrow(
      /line 2: expected a confidence between 0 and 1/,
    );
  });
  it('asap: names the line and what was expected', () => {
    expect(() => importAlignment('asap', '0.5\t0.5\tdb\n1.0\t1.0\n', score, HOP)).toThrow(FormatError);
    expect(() => importAlignment('asap', '0.5\t0.5\tdb\n1.0\t1.0\n', score, HOP)).toThrow(
      /line 2: expected "time<TAB>time<TAB>label"/,
    );
    expect(() => importAlignment('asap', '0.5\t0.5\tdb\n1.0\t1.0\tx\n', score, HOP)).toThrow(
      /line 2: expected a label starting with db, b or bR/,
    );
    expect(() => importAlignment('asap', '0.5\t0.5\t1.1\n1.0\t1.0\t9.9\n', score, HOP)).toThrow(
      /line 2: expected a beat label of the score, got "9.9"/,
    );
    const tooMany = Array.from({ length: 10 }, (_, i) => `${i}\t${i}\tb`).join('\n');
    expect(() => importAlignment('asap', tooMany, score, HOP)).toThrow(/line 10: expected at most 9 lines/);
  });
  it('json: says what was expected', () => {
    expect(() => importAlignment('json', '{"format":"other"}', score, HOP)).toThrow(
      /expected an object with format "accord-alignment"/,
    );
    expect(() => importAlignment('json', '{', score, HOP)).toThrow(/expected JSON text/);
    expect(() =>
      importAlignment('json', '{"format":"accord-alignment","version":1,"path":[[0,"a",1]]}', score, HOP),
    ).toThrow(/path\[0\]/);
  });
  it('asap: an ASAP-style run of beats < 50 ms apart reads as a skip', () => {
    const lines = score.beats.map(
      (b, i) =>
        `${i < 3 ? b.time : i < 6 ? 1.5 + (i - 6) * 0.002 : b.time - 1.5}\t0\t${b.downbeat ? 'db' : 'b'}`,
    );
    const path = importAlignment('asap', lines.join('\n'), score, HOP);
    expect(path.jumpFrames).toHaveLength(1);
    const j = path.jumpFrames[0];
    expect(j).toBe(Math.ceil(1.5 / HOP));
    expect(path.scoreTime[j] - 3).toBeGreaterThanOrEqual(0);
    expect(path.scoreTime[j] - 3).toBeLessThan(HOP);
    expect(path.scoreTime[j - 1]).toBeLessThanOrEqual(1.5);
  });
});

describe('asap with the score annotations (ASAP pairing)', () => {
  // An irregular score-beat grid (not the Score's); the performance leaves out the 3rd and 4th beats.
  const ref = [0, 0.4, 1.0, 1.5, 2.5];
  const refText = ref.map((t) => `${t}\t${t}\tb`).join('\n');
  it('pairs line i with score annotation i and reads a < 50 ms run as a skip', () => {
    const perf = [1, 1.5, 2.99, 2.995, 3];
    const data = perf.map((t) => `${t}\t${t}\tb`).join('\n');
    const path = importAlignment('asap', data, score, HOP, { scoreAnnotations: refText });
    expect(Math.abs(scoreTimeAt(path, 1))).toBeLessThan(HOP); // before the first beat the path holds
    expect(scoreTimeAt(path, 1.25)).toBeCloseTo(0.2, 9);
    expect(scoreTimeAt(path, 1.5)).toBeCloseTo(0.4, 9);
    expect(path.jumpFrames).toEqual([Math.ceil(3 / HOP - 1e-9)]);
    expect(scoreTimeAt(path, path.jumpFrames[0] * HOP)).toBeGreaterThanOrEqual(2.5);
  });
  it('says when the line counts differ', () => {
    expect(() =>
      importAlignment('asap', '1\t1\tdb\n2\t2\tb\n', score, HOP, { scoreAnnotations: refText }),
    ).toThrow(/expected as many lines as the score annotations \(5\), got 2/);
  });
});

describe('readAsapTimes: the beat times of an ASAP annotation file', () => {
  it('reads the first column in file order (BOM, CRLF, blank lines and key/metre labels as ASAP writes them)', () => {
    const text = '\uFEFF0.5\t0.5\tdb,3/4,-1\r\n0.9\t0.9\tb\r\n\r\n1.25\t1.25\tbR\r\n';
    expect(readAsapTimes(text, 'perf_annotations.txt')).toEqual([0.5, 0.9, 1.25]);
  });
  it('names the file and line of a line that is not an annotation, and times out of order', () => {
    expect(() => readAsapTimes('0.5\t0.5\tdb\nabc\t1\tb\n', 'x_annotations.txt')).toThrow(
      /x_annotations\.txt, line 2: expected "time<TAB>time<TAB>label", got "abc\t1\tb"/,
    );
    expect(() => readAsapTimes('1\t1\tdb\n0.5\t0.5\tb\n', 'y.txt')).toThrow(
      /y\.txt, line 2: expected times in performance order, got 0\.5 after 1/,
    );
    expect(() => readAsapTimes('\n\n', 'z.txt')).toThrow(/z\.txt: expected at least one beat line, got none/);
  });
});

describe('file names', () => {
  it('maps each extension back to its format and reads .txt as ASAP', () => {
    for (const [format, d] of Object.entries(EXPORT_FORMATS))
      expect(formatFromFileName(`take1${d.extension}`)).toBe(format);
    expect(formatFromFileName('Pollini_annotations.txt')).toBe('asap');
    expect(formatFromFileName('labels.TXT')).toBe('asap');
    expect(formatFromFileName('x.wav')).toBeUndefined();
  });
});
