// Corpus-wide checks against ASAP (../shared/corpora/asap beside the repository); skipped, saying so, where it is absent.
// The MusicXML comparison is slow (a few seconds a piece): it runs only with ACCORD_ASAP_XML=1.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScore } from './score.js';
import { asapCorpus } from './asap.testutil.js';

const { dir: ASAP, present: hasAsap } = asapCorpus('ASAP corpus');

function pieceDirs(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (!statSync(path).isDirectory()) continue;
    if (existsSync(join(path, 'midi_score.mid')) && existsSync(join(path, 'midi_score_annotations.txt')))
      out.push(path);
    out.push(...pieceDirs(path));
  }
  return out.sort();
}

function annotatedBeats(dir: string): { time: number; downbeat: boolean }[] {
  return readFileSync(join(dir, 'midi_score_annotations.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [time, , label] = line.split('\t');
      return { time: Number(time), downbeat: label.startsWith('db') };
    });
}

describe.skipIf(!hasAsap)('ASAP corpus', () => {
  it('score-MIDI beats match midi_score_annotations.txt for most pieces', async () => {
    const dirs = pieceDirs(ASAP);
    let exact = 0;
    let sameCount = 0;
    let near = 0;
    for (const dir of dirs) {
      const expected = annotatedBeats(dir);
      const { score } = await loadScore(join(dir, 'midi_score.mid'));
      if (score.beats.length !== expected.length) continue;
      sameCount += 1;
      const good = expected.filter(
        (e, i) => Math.abs(e.time - score.beats[i].time) <= 1e-3 && e.downbeat === score.beats[i].downbeat,
      ).length;
      if (good === expected.length) exact += 1;
      if (good >= 0.99 * expected.length) near += 1;
    }
    console.log(
      `ASAP score MIDI beats: ${exact}/${dirs.length} pieces exact (1 ms, downbeats), ${near} with ≥ 99 % of beats exact, ${sameCount} with the same beat count`,
    );
    expect(exact / dirs.length).toBeGreaterThan(0.65);
  });

  it('loads MusicXML whose timemap verovio lists out of order with its measures in printed order', async () => {
    // Ravel's Une barque: verovio lists measures 133–139 after measure 36 (quarter positions right).
    const dir = join(ASAP, 'Ravel/Miroirs/3_Une_Barque');
    const { score } = await loadScore(join(dir, 'xml_score.mxl'));
    expect(score.measures.map((m) => m.number)).toEqual(Array.from({ length: 139 }, (_, i) => String(i + 1)));
    score.measures.forEach((m, i) => {
      expect(m.end).toBeGreaterThan(m.start);
      if (i > 0) expect(m.start).toBeCloseTo(score.measures[i - 1].end, 6);
    });
    // One measure per annotated downbeat of the score MIDI (no repeats in this piece).
    expect(score.measures.length).toBe(annotatedBeats(dir).filter((b) => b.downbeat).length);
  }, 60_000);

  it.skipIf(!process.env.ACCORD_ASAP_XML)(
    'MusicXML played order agrees with the unfolded score MIDI',
    async () => {
      const pieces = (
        process.env.ACCORD_ASAP_PIECES ??
        'Haydn/Keyboard_Sonatas/48-2,Haydn/Keyboard_Sonatas/39-1,Haydn/Keyboard_Sonatas/39-2,Beethoven/Piano_Sonatas/7-3,Beethoven/Piano_Sonatas/11-3,Beethoven/Piano_Sonatas/28-2,Beethoven/Piano_Sonatas/18-3,Mozart/Piano_Sonatas/11-3,Schumann/Kreisleriana/5,Schubert/Impromptu_op142/3,Chopin/Sonata_2/3rd,Brahms/Six_Pieces_op_118/2'
      ).split(',');
      let sameBeats = 0;
      for (const piece of pieces) {
        const dir = join(ASAP, piece);
        const started = performance.now();
        const notated = await loadScore(join(dir, 'xml_score.mxl'));
        const ms = performance.now() - started;
        const midi = await loadScore(join(dir, 'midi_score.mid'));
        const expected = annotatedBeats(dir);
        const beats = notated.score.beats;
        const timed =
          beats.length === expected.length
            ? expected.filter((e, i) => Math.abs(e.time - beats[i].time) <= 1e-3).length / expected.length
            : Number.NaN;
        if (beats.length === expected.length) sameBeats += 1;
        console.log(
          `${piece}: notes ${notated.score.notes.length} vs ${midi.score.notes.length} (MIDI), beats ${beats.length} vs ${expected.length} (annotated), ` +
            `beats within 1 ms ${(100 * timed).toFixed(1)} %, duration ${notated.score.duration.toFixed(1)} vs ${midi.score.duration.toFixed(1)} s, load ${ms.toFixed(0)} ms`,
        );
      }
      expect(sameBeats / pieces.length).toBeGreaterThan(0.8);
    },
  );
});
