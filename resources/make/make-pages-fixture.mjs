#!/usr/bin/env node
/**
 * Writes resources/fixtures/pages/score.musicxml: a 40-bar piano étude (our own, CC0) long
 * enough to fill three A4 pages, with a repeat of bars 1–14 (its backward repeat on another page
 * than its start) and first and second endings at bars 23/24 after a forward repeat at bar 17.
 * Played order: 1–14, 1–14, 15–23, 17–22, 24–40 (60 measures). Deterministic; run from the
 * repository root: `node resources/make/make-pages-fixture.mjs`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages', 'score.musicxml');

// One chord a bar (bass, then three upper notes), cycling through a progression in C major.
const CHORDS = [
  ['C3', 'E4', 'G4', 'C5'],
  ['A2', 'E4', 'A4', 'C5'],
  ['D3', 'F4', 'A4', 'D5'],
  ['G2', 'D4', 'G4', 'B4'],
  ['C3', 'G4', 'C5', 'E5'],
  ['F2', 'F4', 'A4', 'C5'],
  ['G2', 'F4', 'G4', 'B4'],
  ['C3', 'E4', 'G4', 'C5'],
];

function pitch(name) {
  const m = /^([A-G])(#|b)?(\d)$/.exec(name);
  const alter = m[2] === '#' ? '<alter>1</alter>' : m[2] === 'b' ? '<alter>-1</alter>' : '';
  return `<pitch><step>${m[1]}</step>${alter}<octave>${m[3]}</octave></pitch>`;
}

function note(id, name, duration, type, staff, voice) {
  return `      <note id="${id}">${pitch(name)}<duration>${duration}</duration><voice>${voice}</voice><type>${type}</type><staff>${staff}</staff></note>`;
}

function measure(bar) {
  const [bass, a, b, c] = CHORDS[(bar - 1) % CHORDS.length];
  const lines = [];
  const left = [];
  const right = [];
  if (bar === 1 || bar === 17) left.push('<repeat direction="forward"/>');
  if (bar === 23) left.push('<ending number="1" type="start"/>');
  if (bar === 24) left.push('<ending number="2" type="start"/>');
  if (bar === 14) right.push('<bar-style>light-heavy</bar-style><repeat direction="backward"/>');
  if (bar === 23)
    right.push(
      '<bar-style>light-heavy</bar-style><ending number="1" type="stop"/><repeat direction="backward"/>',
    );
  if (bar === 24) right.push('<ending number="2" type="discontinue"/>');
  if (bar === 40) right.push('<bar-style>light-heavy</bar-style>');
  lines.push(`    <measure number="${bar}" id="m${bar}">`);
  if (left.length) {
    const style = bar === 1 || bar === 17 ? '<bar-style>heavy-light</bar-style>' : '';
    lines.push(`      <barline location="left">${style}${left.join('')}</barline>`);
  }
  if (bar === 1) {
    lines.push(
      '      <attributes><divisions>4</divisions><key><fifths>0</fifths><mode>major</mode></key>' +
        '<time><beats>4</beats><beat-type>4</beat-type></time><staves>2</staves>' +
        '<clef number="1"><sign>G</sign><line>2</line></clef><clef number="2"><sign>F</sign><line>4</line></clef></attributes>',
      '      <direction placement="above"><direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>100</per-minute></metronome></direction-type><staff>1</staff><sound tempo="100"/></direction>',
    );
  }
  let k = 0;
  for (let i = 0; i < 16; i++) lines.push(note(`m${bar}n${++k}`, [a, b, c, b][i % 4], 1, '16th', 1, 1));
  lines.push('      <backup><duration>16</duration></backup>');
  lines.push(note(`m${bar}n${++k}`, bass, 8, 'half', 2, 5));
  lines.push(note(`m${bar}n${++k}`, bass, 8, 'half', 2, 5));
  if (right.length) lines.push(`      <barline location="right">${right.join('')}</barline>`);
  lines.push('    </measure>');
  return lines.join('\n');
}

const bars = Array.from({ length: 40 }, (_, i) => measure(i + 1)).join('\n');
const xml = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">
<score-partwise version="4.0">
  <work><work-title>Page-turn étude</work-title></work>
  <identification>
    <rights>CC0 1.0 (Accord project).</rights>
    <encoding><software>Accord resources/make/make-pages-fixture.mjs</software></encoding>
  </identification>
  <part-list>
    <score-part id="P1"><part-name>Piano</part-name></score-part>
  </part-list>
  <part id="P1">
${bars}
  </part>
</score-partwise>
`;
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, xml);
console.log(`wrote ${OUT} (${xml.length} bytes)`);
