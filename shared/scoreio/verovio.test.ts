import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import pkg from '@tonejs/midi';
import { parseScoreBytes, unzipMxl } from './load.js';
import { parseNotatedScore } from './verovio.js';
import { ScoreLoadError } from './errors.js';
import { asapCorpus } from '../../electron/engine/asap.testutil.js';

const { Midi } = pkg;
const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const { dir: ASAP, present: hasAsap } = asapCorpus('notated scores on ASAP');

async function errorOf(p: Promise<unknown>): Promise<ScoreLoadError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScoreLoadError) return err;
    throw err;
  }
  throw new Error('expected a ScoreLoadError, the load succeeded');
}

describe('notated scores through verovio', () => {
  it('plays repeats with first and second endings in order, merges ties, defaults to 120 bpm', async () => {
    const { score, musicxml } = await parseScoreBytes(fixture('volta.musicxml'), 'volta.musicxml');
    expect(score.format).toBe('musicxml');
    expect(score.title).toBe('Volta test');
    expect(musicxml).toContain('<score-partwise');
    // Played order: 1, 2 (first ending), 1, 3 (second ending), 4.
    expect(score.measures.map((m) => m.number)).toEqual(['1', '2', '1', '3', '4']);
    expect(score.measures.map((m) => m.start)).toEqual([0, 1, 2, 3, 4]);
    expect(score.notes.map((n) => n.elementId)).toEqual([
      'm1a',
      'm1b',
      'm2b',
      'm1a',
      'm1b',
      'm3a',
      'm4a',
      'm4b',
      'm4c',
    ]);
    expect(score.notes.map((n) => n.pitch)).toEqual([62, 66, 69, 62, 66, 64, 74, 73, 74]);
    // The tie F#4 → F#4 is one note of two quarters on the first pass; the second pass goes to the second ending.
    expect(score.notes[1]).toMatchObject({ onset: 0.5, duration: 1, measure: 0 });
    expect(score.notes[4]).toMatchObject({ onset: 2.5, duration: 0.5, measure: 2 });
    expect(score.beats.map((b) => b.label)).toEqual([
      '1.1',
      '1.2',
      '2.1',
      '2.2',
      '1.1',
      '1.2',
      '3.1',
      '3.2',
      '4.1',
      '4.2',
    ]);
    expect(score.beats[0]).toMatchObject({ timeSignature: '2/4', key: 2, downbeat: true });
    expect(score.jumpPoints).toEqual([0, 1, 2, 3, 4, 5]);
    expect(score.duration).toBe(5);
  });

  it('follows D.C. al Fine at the notated tempo', async () => {
    const { score } = await parseScoreBytes(fixture('dacapo.musicxml'), 'dacapo.musicxml');
    expect(score.measures.map((m) => m.number)).toEqual(['1', '2', '3', '1', '2']);
    // ♩ = 60: a dotted half lasts 3 s.
    expect(score.notes.map((n) => [n.elementId, n.onset, n.duration])).toEqual([
      ['a1', 0, 3],
      ['a2', 3, 3],
      ['a3', 6, 3],
      ['a1', 9, 3],
      ['a2', 12, 3],
    ]);
    expect(score.beats.length).toBe(13);
  });

  it('reads a compressed .mxl and returns the MusicXML inside', async () => {
    const xml = readFileSync(new URL('./fixtures/volta.musicxml', import.meta.url), 'utf8');
    const mxl = zipSync({
      mimetype: strToU8('application/vnd.recordare.musicxml'),
      'META-INF/container.xml': strToU8(
        '<container><rootfiles><rootfile full-path="score/volta.xml"/></rootfiles></container>',
      ),
      'score/volta.xml': strToU8(xml),
    });
    expect(unzipMxl(mxl, 'v.mxl')).toBe(xml);
    const { score, musicxml } = await parseScoreBytes(mxl, 'v.mxl');
    expect(musicxml).toBe(xml);
    expect(score.notes.length).toBe(9);
  });

  it('reads ABC, Humdrum and MEI', async () => {
    const abc = await parseScoreBytes(
      strToU8('X:1\nT:Scale\nM:4/4\nL:1/4\nK:G\nG A B c|d4|]\n'),
      'scale.abc',
    );
    expect(abc.score.format).toBe('abc');
    expect(abc.score.notes.map((n) => n.pitch)).toEqual([67, 69, 71, 72, 74]);
    expect(abc.musicxml).toBeUndefined();
    const kern = await parseScoreBytes(
      strToU8('**kern\n*M3/4\n=1\n4c\n4e\n4g\n=2\n2.cc\n==\n*-\n'),
      'arp.krn',
    );
    expect(kern.score.notes.map((n) => [n.pitch, n.onset])).toEqual([
      [60, 0],
      [64, 0.5],
      [67, 1],
      [72, 1.5],
    ]);
    expect(kern.score.beats.map((b) => b.label)).toEqual(['1.1', '1.2', '1.3', '2.1']);
    const meiText = `<?xml version="1.0" encoding="UTF-8"?>
<mei xmlns="http://www.music-encoding.org/ns/mei" meiversion="5.0"><music><body><mdiv><score>
<scoreDef><staffGrp><staffDef n="1" lines="5" clef.shape="G" clef.line="2" meter.count="2" meter.unit="4" key.sig="1f"/></staffGrp></scoreDef>
<section><measure n="1" xml:id="mA"><staff n="1"><layer n="1"><note xml:id="x1" pname="b" oct="4" dur="4" accid.ges="f"/><note xml:id="x2" pname="a" oct="4" dur="4"/></layer></staff></measure>
<measure n="2" right="end" xml:id="mB"><staff n="1"><layer n="1"><note xml:id="x3" pname="f" oct="4" dur="2"/></layer></staff></measure></section>
</score></mdiv></body></music></mei>`;
    const mei = await parseScoreBytes(strToU8(meiText), 'tiny.mei');
    expect(mei.score.notes.map((n) => [n.elementId, n.pitch])).toEqual([
      ['x1', 70],
      ['x2', 69],
      ['x3', 65],
    ]);
    expect(mei.score.measures.map((m) => m.elementId)).toEqual(['mA', 'mB']);
    expect(mei.score.beats[0]).toMatchObject({ timeSignature: '2/4', key: -1 });
    const meiAsXml = await parseScoreBytes(strToU8(meiText), 'tiny.xml');
    expect(meiAsXml.score.format).toBe('mei');
  });

  it('gives sounding pitches under an octave-shift line and on a transposing staff', async () => {
    const xml = new TextDecoder().decode(fixture('volta.musicxml'));
    const shifted = xml
      .replace(
        '<note id="m4a">',
        '<direction><direction-type><octave-shift type="down" size="8"/></direction-type></direction><note id="m4a">',
      )
      .replace(
        '<note id="m4c">',
        '<direction><direction-type><octave-shift type="stop" size="8"/></direction-type></direction><note id="m4c">',
      );
    const a = await parseNotatedScore(shifted, 'musicxml', 'shift.musicxml');
    expect(a.score.notes.slice(-3).map((n) => n.pitch)).toEqual([74, 73, 74]);
    expect(a.stats.writtenPitchMismatch).toBe(0);
    // A B-flat instrument: written D sounds C.
    const bflat = xml.replace(
      '<clef>',
      '<transpose><diatonic>-1</diatonic><chromatic>-2</chromatic></transpose><clef>',
    );
    const b = await parseNotatedScore(bflat, 'musicxml', 'clarinet.musicxml');
    expect(b.score.notes.map((n) => n.pitch)).toEqual([60, 64, 67, 60, 64, 62, 72, 71, 72]);
    expect(b.stats.writtenPitchMismatch).toBe(0);
  });

  it('rejects invalid MusicXML, non-MusicXML XML, a broken .mxl and a score without notes', async () => {
    const broken = await errorOf(
      parseScoreBytes(
        strToU8('<?xml version="1.0"?><score-partwise><part id="P1"><measure'),
        'broken.musicxml',
      ),
    );
    expect(broken.code).toBe('corrupt');
    expect(broken.message).toContain('broken.musicxml');
    const html = await errorOf(parseScoreBytes(strToU8('<html><body>hi</body></html>'), 'page.xml'));
    expect(html.code).toBe('corrupt');
    expect(html.message).toMatch(/page\.xml: expected MusicXML .* found <html>/);
    const zip = await errorOf(parseScoreBytes(strToU8('PK not really a zip'), 'bad.mxl'));
    expect(zip.code).toBe('corrupt');
    const rests = new TextDecoder()
      .decode(fixture('dacapo.musicxml'))
      .replace(/<pitch>.*?<\/pitch>/g, '<rest/>');
    const empty = await errorOf(parseScoreBytes(strToU8(rests), 'rests.musicxml'));
    expect(empty.code).toBe('empty');
    expect(empty.message).toContain('rests.musicxml');
  });
});

describe.skipIf(!hasAsap)('notated scores on ASAP', () => {
  it('Haydn 48-2 (repeats): played-order beats match the unfolded score MIDI annotations', async () => {
    const dir = `${ASAP}/Haydn/Keyboard_Sonatas/48-2`;
    const { score } = await parseScoreBytes(
      new Uint8Array(readFileSync(`${dir}/xml_score.mxl`)),
      'xml_score.mxl',
    );
    const annotated = readFileSync(`${dir}/midi_score_annotations.txt`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Number(l.split('\t')[0]));
    expect(score.beats.length).toBe(annotated.length);
    expect(Math.max(...score.beats.map((b, i) => Math.abs(b.time - annotated[i])))).toBeLessThan(1e-3);
    expect(score.notes.every((n) => n.elementId !== undefined)).toBe(true);
    // The score MIDI has the repeats unfolded too: the played-order note counts agree within 1 %.
    const midiNotes = new Midi(readFileSync(`${dir}/midi_score.mid`)).tracks.reduce(
      (sum, t) => sum + t.notes.length,
      0,
    );
    expect(Math.abs(score.notes.length - midiNotes) / midiNotes).toBeLessThan(0.01);
  });
});
