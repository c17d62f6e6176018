#!/usr/bin/env node
/**
 * Regenerates resources/sample and resources/fixtures from the hand-written public-domain
 * pieces in ./pieces.mjs: MusicXML + score MIDI, an algorithmically humanised performance
 * MIDI (seeded), its audio (fluidsynth + sox) and the ground-truth beats (gt.csv) taken from
 * the same humanisation map. Run from the repository root:
 *
 *   node resources/make/make-resources.mjs            # everything
 *   node resources/make/make-resources.mjs --no-audio # scores, MIDI and gt.csv only
 *
 * Needs: `npm run build` (the seeded generator is shared/random.ts's), fluidsynth, sox (with
 * FLAC and Ogg Vorbis), the FluidR3_GM soundfont (Debian fluid-soundfont-gm) and the npm packages
 * @tonejs/midi and verovio.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '@tonejs/midi';
import createVerovioModule from 'verovio/wasm';
import { VerovioToolkit } from 'verovio/esm';
import { minuet, prelude } from './pieces.mjs';
// The repository's one seeded generator, as built by `npm run build`.
import { seededRandom as rng } from '../../dist/node/shared/random.js';

const { Midi } = pkg;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOUNDFONT = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
const AUDIO_RATE = 22050;
const PPQ = 480;
const withAudio = !process.argv.includes('--no-audio');

// ---------------------------------------------------------------- pitches, randomness

const STEP_PC = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** `F#4` → { step: 'F', alter: 1, octave: 4, midi: 66 }. */
function parsePitch(name) {
  const m = /^([A-G])(#|b)?(-?\d)$/.exec(name);
  if (!m) throw new Error(`expected a pitch like F#4, got ${name}`);
  const alter = m[2] === '#' ? 1 : m[2] === 'b' ? -1 : 0;
  const octave = Number(m[3]);
  return { step: m[1], alter, octave, midi: 12 * (octave + 1) + STEP_PC[m[1]] + alter };
}

function gauss(rand) {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const smoothstep = (x) => {
  const t = clamp(x, 0, 1);
  return t * t * (3 - 2 * t);
};

// ---------------------------------------------------------------- piece → notes

/** Quarters per measure. */
const measureQuarters = (piece) => (piece.beats * 4) / piece.beatType;

/** Notes of one written measure: { q (quarters from the bar line), dur (quarters), midi, staff, id }. */
function measureNotes(piece, mi) {
  const out = [];
  let n = 0;
  for (const v of piece.measures[mi].voices) {
    let pos = 0;
    for (const [p, six] of v.events) {
      if (p !== null) {
        for (const name of Array.isArray(p) ? p : [p]) {
          out.push({
            q: pos / 4,
            dur: six / 4,
            midi: parsePitch(name).midi,
            staff: v.staff,
            id: `m${mi + 1}n${++n}`,
          });
        }
      }
      pos += six;
    }
    if (pos !== measureQuarters(piece) * 4)
      throw new Error(`${piece.id} bar ${mi + 1} voice ${v.voice}: ${pos} sixteenths`);
  }
  return out.sort((a, b) => a.q - b.q || a.midi - b.midi);
}

// ---------------------------------------------------------------- MusicXML

const TYPES = {
  1: ['16th', 0],
  2: ['eighth', 0],
  3: ['eighth', 1],
  4: ['quarter', 0],
  6: ['quarter', 1],
  7: ['quarter', 2],
  8: ['half', 0],
  12: ['half', 1],
  16: ['whole', 0],
};
const SHARP_ORDER = ['F', 'C', 'G', 'D', 'A', 'E', 'B'];

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The piece as MusicXML 4.0 (partwise, one piano part on two staves). */
function toMusicXml(piece) {
  const mq = measureQuarters(piece);
  const keyAlter = (step) => {
    const i = SHARP_ORDER.indexOf(step);
    if (piece.fifths > 0) return i < piece.fifths ? 1 : 0;
    if (piece.fifths < 0) return 6 - i < -piece.fifths ? -1 : 0;
    return 0;
  };
  const L = [];
  L.push('<?xml version="1.0" encoding="UTF-8" standalone="no"?>');
  L.push(
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">',
  );
  L.push('<score-partwise version="4.0">');
  L.push(`  <work><work-title>${esc(piece.title)}</work-title></work>`);
  L.push('  <identification>');
  L.push(`    <creator type="composer">${esc(piece.composer)}</creator>`);
  L.push('    <rights>Composition in the public domain. This encoding: CC0 1.0 (Accord project).</rights>');
  L.push('    <encoding><software>Accord resources/make/make-resources.mjs</software></encoding>');
  L.push('  </identification>');
  L.push('  <part-list>');
  L.push('    <score-part id="P1"><part-name>Piano</part-name>');
  L.push('      <score-instrument id="P1-I1"><instrument-name>Piano</instrument-name></score-instrument>');
  L.push(
    '      <midi-instrument id="P1-I1"><midi-channel>1</midi-channel><midi-program>1</midi-program></midi-instrument>',
  );
  L.push('    </score-part>');
  L.push('  </part-list>');
  L.push('  <part id="P1">');
  piece.measures.forEach((measure, mi) => {
    L.push(`    <measure number="${mi + 1}" id="m${mi + 1}">`);
    if (piece.repeat && piece.repeat.from === mi) {
      L.push(
        '      <barline location="left"><bar-style>heavy-light</bar-style><repeat direction="forward"/></barline>',
      );
    }
    if (mi === 0) {
      L.push('      <attributes>');
      L.push('        <divisions>4</divisions>');
      L.push(`        <key><fifths>${piece.fifths}</fifths><mode>major</mode></key>`);
      L.push(`        <time><beats>${piece.beats}</beats><beat-type>${piece.beatType}</beat-type></time>`);
      L.push('        <staves>2</staves>');
      L.push('        <clef number="1"><sign>G</sign><line>2</line></clef>');
      L.push('        <clef number="2"><sign>F</sign><line>4</line></clef>');
      L.push('      </attributes>');
      L.push(
        '      <direction placement="above"><direction-type><metronome>' +
          `<beat-unit>quarter</beat-unit><per-minute>${piece.bpm}</per-minute></metronome></direction-type>` +
          `<staff>1</staff><sound tempo="${piece.bpm}"/></direction>`,
      );
    }
    const accidentals = new Map();
    let n = 0;
    measure.voices.forEach((v, vi) => {
      if (vi > 0) L.push(`      <backup><duration>${mq * 4}</duration></backup>`);
      for (const [p, six] of v.events) {
        const [type, dots] = TYPES[six] ?? [];
        if (!type) throw new Error(`${piece.id} bar ${mi + 1}: no note type for ${six} sixteenths`);
        const tail = `<duration>${six}</duration><voice>${v.voice}</voice><type>${type}</type>${'<dot/>'.repeat(dots)}`;
        if (p === null) {
          L.push(`      <note><rest/>${tail}<staff>${v.staff}</staff></note>`);
          continue;
        }
        (Array.isArray(p) ? p : [p]).forEach((name, ci) => {
          const { step, alter, octave } = parsePitch(name);
          const key = `${v.staff}${step}${octave}`;
          const expected = accidentals.get(key) ?? keyAlter(step);
          let acc = '';
          if (alter !== expected) {
            acc = `<accidental>${alter === 1 ? 'sharp' : alter === -1 ? 'flat' : 'natural'}</accidental>`;
            accidentals.set(key, alter);
          }
          const pitch = `<pitch><step>${step}</step>${alter ? `<alter>${alter}</alter>` : ''}<octave>${octave}</octave></pitch>`;
          L.push(
            `      <note id="m${mi + 1}n${++n}">${ci > 0 ? '<chord/>' : ''}${pitch}${tail}${acc}<staff>${v.staff}</staff></note>`,
          );
        });
      }
    });
    if (piece.repeat && piece.repeat.to === mi) {
      L.push(
        '      <barline location="right"><bar-style>light-heavy</bar-style><repeat direction="backward"/></barline>',
      );
    } else if (mi === piece.measures.length - 1) {
      L.push('      <barline location="right"><bar-style>light-heavy</bar-style></barline>');
    }
    L.push('    </measure>');
  });
  L.push('  </part>');
  L.push('</score-partwise>');
  return L.join('\n') + '\n';
}

// ---------------------------------------------------------------- score MIDI

/** Score MIDI at the notated tempo with the written measures in `order` (indices into piece.measures). */
function scoreMidi(piece, order) {
  const midi = new Midi();
  midi.name = piece.title;
  midi.header.setTempo(piece.bpm);
  midi.header.timeSignatures.push({ ticks: 0, timeSignature: [piece.beats, piece.beatType] });
  // A placeholder event: withKeySignature writes its bytes.
  midi.header.keySignatures.push({ ticks: 0, key: 'C', scale: 'major' });
  midi.header.update();
  const tracks = [1, 2].map((staff) => {
    const t = midi.addTrack();
    t.name = staff === 1 ? 'Piano right hand' : 'Piano left hand';
    t.instrument.number = 0;
    return t;
  });
  const mq = measureQuarters(piece);
  order.forEach((mi, k) => {
    for (const n of measureNotes(piece, mi)) {
      tracks[n.staff - 1].addNote({
        midi: n.midi,
        ticks: Math.round((k * mq + n.q) * PPQ),
        durationTicks: Math.round(n.dur * PPQ),
        velocity: 0.7,
      });
    }
  });
  return withKeySignature(midi.toArray(), piece.fifths);
}

/**
 * `bytes` with the key signature meta event (`FF 59 02 sf mi`) of the first track set to
 * `fifths` sharps (flats below 0), major. @tonejs/midi 2.0.28 writes sf as its key's index + 7
 * (C major as 14 sharps, G as 15; Tonejs/Midi#173), which strict readers such as mido refuse.
 */
function withKeySignature(bytes, fifths) {
  if (!Number.isInteger(fifths) || fifths < -7 || fifths > 7)
    throw new Error(`expected fifths in -7…7, got ${fifths}`);
  // The first track follows the 14-byte MThd chunk.
  if (String.fromCharCode(...bytes.subarray(14, 18)) !== 'MTrk') throw new Error('expected MTrk at byte 14');
  const end = 22 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(18);
  const at = [];
  for (let i = 22; i + 4 < end; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0x59 && bytes[i + 2] === 0x02) at.push(i);
  }
  if (at.length !== 1) throw new Error(`expected one key signature in the first track, found ${at.length}`);
  bytes[at[0] + 3] = fifths & 0xff;
  bytes[at[0] + 4] = 0;
  return bytes;
}

// ---------------------------------------------------------------- humanised performance

/**
 * Plays the written measures `played` (indices into piece.measures, in performance order)
 * with a seeded humanisation: smooth tempo drift, ritardando at phrase ends (every 4 bars),
 * before each jump and at the end; onset jitter (σ 6 ms, clipped to ±15 ms); chords spread
 * bottom to top by 2–5 ms a note; velocity shaped by phrase arch, downbeats and hands;
 * sustain pedal per bar (prelude) or on each first beat (minuet).
 * Returns the MIDI bytes and `beatTime(k, beat)`: the perf seconds of beat `beat` of
 * performed measure k, from the tempo map without jitter (the ground truth).
 */
function humanise(piece, played, seed, style) {
  const rand = rng(seed);
  const mq = measureQuarters(piece);
  const total = played.length * mq;
  const bpm0 = piece.bpm * 0.96;
  const phi1 = rand() * 2 * Math.PI;
  const phi2 = rand() * 2 * Math.PI;
  const jumpsAfter = played.map((m, k) => k + 1 < played.length && played[k + 1] !== m + 1);
  const factor = (P) => {
    const k = Math.min(played.length - 1, Math.floor(P / mq));
    const w = P - k * mq;
    let f =
      1 +
      0.04 * Math.sin((2 * Math.PI * P) / (8 * mq) + phi1) +
      0.015 * Math.sin((2 * Math.PI * P) / 5.3 + phi2);
    const phraseEnd = played[k] % 4 === 3 || jumpsAfter[k];
    if (k === played.length - 1) f *= 1 - 0.3 * smoothstep(w / mq);
    else if (phraseEnd) f *= 1 - 0.12 * smoothstep((w - (mq - 2)) / 2);
    return f;
  };
  const LEAD = 0.5;
  const STEP = 1 / 64;
  const steps = Math.round(total / STEP);
  const tOfStep = new Float64Array(steps + 1);
  tOfStep[0] = LEAD;
  for (let i = 0; i < steps; i++) tOfStep[i + 1] = tOfStep[i] + (60 / bpm0 / factor((i + 0.5) * STEP)) * STEP;
  const timeAt = (P) => {
    const x = clamp(P / STEP, 0, steps);
    const i = Math.min(steps - 1, Math.floor(x));
    return tOfStep[i] + (x - i) * (tOfStep[i + 1] - tOfStep[i]);
  };

  const midi = new Midi();
  midi.name = `${piece.title} (humanised rendering)`;
  midi.header.setTempo(120);
  midi.header.update();
  const track = midi.addTrack();
  track.name = 'Piano';
  track.instrument.number = 0;
  const end = timeAt(total);
  played.forEach((mi, k) => {
    const P0 = k * mq;
    const notes = measureNotes(piece, mi);
    const groups = new Map();
    for (const n of notes) groups.set(n.q, [...(groups.get(n.q) ?? []), n]);
    for (const [q, group] of groups) {
      const base = timeAt(P0 + q) + clamp(gauss(rand) * 0.006, -0.015, 0.015);
      group.sort((a, b) => a.midi - b.midi);
      let spread = 0;
      group.forEach((n, i) => {
        if (i > 0) spread += 0.002 + 0.003 * rand();
        const phrasePos = ((mi % 4) + q / mq) / 4;
        let vel = style === 'prelude' ? 0.5 : n.staff === 1 ? 0.62 : 0.45;
        vel += 0.1 * Math.sin(Math.PI * phrasePos) + (q === 0 ? 0.05 : 0) + (rand() - 0.5) * 0.06;
        const onset = base + spread;
        const last = k === played.length - 1;
        const offset = Math.max(onset + 0.04, timeAt(P0 + q + n.dur) - 0.015) + (last ? 0.8 : 0);
        track.addNote({
          midi: n.midi,
          time: onset,
          duration: offset - onset,
          velocity: clamp(vel, 0.2, 0.95),
        });
      });
    }
    const barStart = timeAt(P0);
    if (style === 'prelude') {
      track.addCC({ number: 64, value: 1, time: barStart + 0.05 });
      track.addCC({
        number: 64,
        value: 0,
        time: k === played.length - 1 ? end + 0.8 : timeAt(P0 + mq) - 0.03,
      });
    } else {
      track.addCC({ number: 64, value: 1, time: barStart + 0.04 });
      track.addCC({ number: 64, value: 0, time: timeAt(P0 + 1) - 0.02 });
    }
  });
  track.controlChanges[64]?.sort((a, b) => a.ticks - b.ticks);
  const beatTime = (k, beat) => timeAt(k * mq + (beat * 4) / piece.beatType);
  return { bytes: midi.toArray(), beatTime, duration: end + 0.8 };
}

/**
 * Ground-truth rows, one per performed beat: `slots[k]` is the position (in measures) of
 * performed measure k in the score MIDI the GT refers to; a new segment starts wherever
 * a slot does not follow the previous one.
 */
function groundTruth(piece, slots, beatTime) {
  // The MIDI tempo is whole microseconds per quarter: @tonejs/midi floors it, so do we.
  const secPerBeat = (Math.floor(60e6 / piece.bpm) / 1e6) * (4 / piece.beatType);
  const rows = ['perf_time,score_time,segment'];
  let segment = 0;
  slots.forEach((slot, k) => {
    if (k > 0 && slot !== slots[k - 1] + 1) segment++;
    for (let b = 0; b < piece.beats; b++) {
      const score = (slot * piece.beats + b) * secPerBeat;
      rows.push(`${beatTime(k, b).toFixed(4)},${score.toFixed(4)},${segment}`);
    }
  });
  return rows.join('\n') + '\n';
}

// ---------------------------------------------------------------- checks, audio

let verovio;
async function checkMusicXml(xml, expectedNotes, label) {
  if (!verovio) {
    const module = await createVerovioModule();
    verovio = new VerovioToolkit(module);
    verovio.setOptions({ footer: 'none', header: 'none' });
  }
  if (!verovio.loadData(xml))
    throw new Error(`${label}: verovio could not load the MusicXML: ${verovio.getLog()}`);
  const log = verovio.getLog();
  if (/error/i.test(log)) throw new Error(`${label}: verovio reported: ${log}`);
  const svg = verovio.renderToSVG(1);
  if (!svg.includes('<svg')) throw new Error(`${label}: verovio rendered no SVG`);
  const ids = new Set(verovio.renderToTimemap().flatMap((e) => e.on ?? []));
  if (ids.size !== expectedNotes)
    throw new Error(`${label}: verovio timemap has ${ids.size} notes, expected ${expectedNotes}`);
  return { pages: verovio.getPageCount(), notes: ids.size };
}

function render(perfMid, out, rate) {
  const tmp = mkdtempSync(join(tmpdir(), 'accord-res-'));
  try {
    const wav = join(tmp, 'x.wav');
    execFileSync('fluidsynth', ['-ni', '-g', '0.6', '-F', wav, '-r', '44100', SOUNDFONT, perfMid], {
      stdio: 'ignore',
    });
    const enc = out.endsWith('.ogg') ? ['-C', '3'] : ['-b', '16'];
    // -R: repeatable (seeded) dither, so reruns give the same bytes.
    execFileSync('sox', ['-R', wav, ...enc, out, 'remix', '-', 'rate', '-v', String(rate), 'norm', '-1']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the resources

const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

function write(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** One resource folder: scores, performance MIDI, audio and ground truth. */
async function make(dir, piece, { played, scores, seed, style, audio, rate = AUDIO_RATE }) {
  const out = join(ROOT, dir);
  mkdirSync(out, { recursive: true });
  const xml = toMusicXml(piece);
  // verovio's timemap plays the repeat: count the notes of the unfolded measures.
  const playedOrder = piece.repeat
    ? [...range(0, piece.repeat.to + 1), ...range(piece.repeat.from, piece.measures.length)]
    : range(0, piece.measures.length);
  const written = playedOrder.reduce((n, mi) => n + measureNotes(piece, mi).length, 0);
  const check = await checkMusicXml(xml, written, `${dir}/score.musicxml`);
  write(join(out, 'score.musicxml'), xml);
  const perf = humanise(piece, played, seed, style);
  write(join(out, 'performance.mid'), perf.bytes);
  for (const s of scores) {
    write(join(out, s.midi), scoreMidi(piece, s.order));
    // slots: position in s.order of each performed measure (passes matched in order).
    write(join(out, s.gt), groundTruth(piece, s.slots, perf.beatTime));
  }
  if (withAudio) render(join(out, 'performance.mid'), join(out, audio), rate);
  console.log(
    `${dir}: ${played.length} bars played, ${perf.duration.toFixed(1)} s, verovio ${check.notes} notes on ${check.pages} page(s)`,
  );
}

const P = prelude.measures.length;

const M = minuet.measures.length;
const unfolded = [...range(0, 8), ...range(0, 8), ...range(8, M)];

// FLAC of this dense, pedalled texture needs ~23 KB/s at 16 kHz: 7 bars keep it under 600 KB.
const prelude7 = {
  ...prelude,
  bpm: 84,
  title: 'Prelude in C major, BWV 846 (bars 1–7)',
  measures: prelude.measures.slice(0, 7),
};
await make('sample', prelude7, {
  played: range(0, 7),
  scores: [{ midi: 'score.mid', order: range(0, 7), slots: range(0, 7), gt: 'gt.csv' }],
  seed: 846,
  style: 'prelude',
  audio: 'performance.flac',
  rate: 16000,
});
const prelude8 = {
  ...prelude,
  title: 'Prelude in C major, BWV 846 (bars 1–8)',
  measures: prelude.measures.slice(0, 8),
};
await make('fixtures/prelude', prelude8, {
  played: range(0, 8),
  scores: [{ midi: 'score.mid', order: range(0, 8), slots: range(0, 8), gt: 'gt.csv' }],
  seed: 1,
  style: 'prelude',
  audio: 'performance.ogg',
});
await make('fixtures/minuet-repeat', minuet, {
  played: unfolded,
  scores: [
    { midi: 'score-norepeat.mid', order: range(0, M), slots: unfolded, gt: 'gt.csv' },
    { midi: 'score.mid', order: unfolded, slots: range(0, unfolded.length), gt: 'gt-unfolded.csv' },
  ],
  seed: 114,
  style: 'minuet',
  audio: 'performance.ogg',
});
const structure = [0, 1, 2, 3, 2, 3, 6, 7, 8, 9, 10];
await make('fixtures/structure', prelude, {
  played: structure,
  scores: [{ midi: 'score.mid', order: range(0, P), slots: structure, gt: 'gt.csv' }],
  seed: 7,
  style: 'prelude',
  audio: 'performance.ogg',
});

for (const d of ['sample', 'fixtures/prelude', 'fixtures/minuet-repeat', 'fixtures/structure']) {
  for (const f of ['performance.flac', 'performance.ogg']) {
    try {
      console.log(`  ${d}/${f}: ${(statSync(join(ROOT, d, f)).size / 1024).toFixed(0)} KiB`);
    } catch {
      // not every folder has both encodings
    }
  }
}
