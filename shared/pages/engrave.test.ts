import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScoreBytes, readScoreSource } from '../scoreio/load.js';
import { verovioToolkit } from '../scoreio/verovio.js';
import { engraveScore } from './engrave.js';
import { PagesError, linkEngraving, measureAt, playedMeasureAt, type Box, type Engraving } from './model.js';
import { cleanPageSvg, readPageGeometry } from './svg.js';

const resource = (p: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../resources/${p}`, import.meta.url)));
const text = (p: string): string => new TextDecoder().decode(resource(p));

/** Every measure has a non-empty box inside its page, within its system's box, on the system's page. */
function expectBoxesInsidePages(e: Engraving): void {
  const inside = (b: Box, w: number, h: number): boolean =>
    b[2] > 0 && b[3] > 0 && b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= w && b[1] + b[3] <= h;
  for (const m of e.measures) {
    const page = e.pages[m.page - 1];
    expect(page.index).toBe(m.page);
    expect(inside(m.box, page.width, page.height), `measure ${m.number} ${JSON.stringify(m.box)}`).toBe(true);
    const s = e.systems[m.system];
    expect(s.page).toBe(m.page);
    expect(m.box[0]).toBeGreaterThanOrEqual(s.box[0]);
    expect(m.box[1]).toBeGreaterThanOrEqual(s.box[1]);
    expect(m.box[0] + m.box[2]).toBeLessThanOrEqual(s.box[0] + s.box[2] + 1e-6);
  }
  for (const n of e.notes) {
    const page = e.pages[n.page - 1];
    expect(inside(n.box, page.width, page.height), `note ${n.id}`).toBe(true);
  }
}

describe('engraved pages', () => {
  it('lays the sample out on one A4 page with a box for each of its 7 measures, linked to the score', async () => {
    const { score } = await parseScoreBytes(resource('sample/score.musicxml'), 'score.musicxml');
    const e = linkEngraving(
      await engraveScore(text('sample/score.musicxml'), 'musicxml', 'score.musicxml'),
      score,
      'score.musicxml',
    );
    expect(e.pages.map((p) => [p.index, p.width, p.height])).toEqual([[1, 2100, 2970]]);
    expect(e.measures.map((m) => m.number)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(e.measures.map((m) => m.passes)).toEqual([[0], [1], [2], [3], [4], [5], [6]]);
    expect(e.measures.map((m) => m.id)).toEqual(score.measures.map((m) => m.elementId));
    expectBoxesInsidePages(e);
    // Three systems (2, 3 and 2 bars), top to bottom, bars left to right within each; the measures
    // of a system share its top and height (staff lines, not the notes above them).
    expect(e.measures.map((m) => m.system)).toEqual([0, 0, 1, 1, 1, 2, 2]);
    for (const m of e.measures)
      expect([m.box[1], m.box[3]]).toEqual([e.systems[m.system].box[1], e.systems[m.system].box[3]]);
    for (let i = 1; i < e.systems.length; i++)
      expect(e.systems[i].box[1]).toBeGreaterThan(e.systems[i - 1].box[1] + e.systems[i - 1].box[3]);
    expect(e.measures[1].box[0]).toBeGreaterThan(e.measures[0].box[0] + e.measures[0].box[2] / 2);
    // Both staves: a grand staff is taller than four staff spaces of one staff (180 verovio units = 18 px).
    expect(e.measures[0].box[3]).toBeGreaterThan(2 * 4 * 18);
    // Every sounding note of the score has a head on the page, inside its measure.
    const heads = new Map(e.notes.map((n) => [n.id, n]));
    for (const note of score.notes) {
      const head = heads.get(note.elementId!);
      expect(head, note.elementId).toBeDefined();
      const m = e.measures.find((mm) => mm.id === head!.measure)!;
      expect(m.passes).toContain(note.measure);
      expect(head!.box[0]).toBeGreaterThanOrEqual(m.box[0]);
      expect(head!.box[0]).toBeLessThanOrEqual(m.box[0] + m.box[2]);
    }
    // A click in a measure's box finds it; in the margin, nothing.
    const m3 = e.measures[2];
    expect(measureAt(e, 1, m3.box[0] + m3.box[2] / 2, m3.box[1] + m3.box[3] / 2)?.number).toBe('3');
    expect(measureAt(e, 1, 5, 5)).toBeUndefined();
    expect(playedMeasureAt(score, score.measures[4].start + 0.01)).toBe(4);
    expect(playedMeasureAt(score, -1)).toBe(-1);
  });

  it('keeps the page SVG free of script, bounding-box helpers and titles, scalable by its viewBox', async () => {
    const e = await engraveScore(text('sample/score.musicxml'), 'musicxml', 'score.musicxml');
    const svg = e.pages[0].svg;
    expect(svg).not.toMatch(/<script|bounding-box|<title|\son\w+=/i);
    expect(svg).toMatch(/^<svg viewBox="0 0 2100 2970" width="2100px" height="2970px"/);
    // Stripping the helpers leaves what verovio draws without them.
    const tk = await verovioToolkit();
    tk.resetOptions();
    tk.setOptions({
      inputFrom: 'musicxml',
      xmlIdChecksum: true,
      breaks: 'auto',
      svgAdditionalAttribute: ['measure@n'],
    });
    tk.loadData(text('sample/score.musicxml'));
    const plain = cleanPageSvg(tk.renderToSVG(1));
    expect(svg).toBe(plain);
    // Measure boxes come from the staff lines, which the saved SVG keeps; note boxes need the helpers.
    const again = readPageGeometry(svg);
    expect(again.measures.map((m) => m.box)).toEqual(e.measures.map((m) => m.box));
    expect(again.notes).toEqual([]);
  });

  it('gives every measure of a repeat both passes, and voltas one each', async () => {
    const minuet = await engraveScore(text('fixtures/minuet-repeat/score.musicxml'), 'musicxml', 'minuet');
    expect(minuet.measures.length).toBe(16);
    expect(minuet.measures.slice(0, 8).map((m) => m.passes)).toEqual(
      Array.from({ length: 8 }, (_, i) => [i, i + 8]),
    );
    expect(minuet.measures[8].passes).toEqual([16]);
    expectBoxesInsidePages(minuet);
  });

  it('lays a 40-bar étude out on several pages, every measure boxed on its page, repeats across a page turn', async () => {
    const source = readScoreSource(resource('fixtures/pages/score.musicxml'), 'score.musicxml');
    if (source.format === 'midi') throw new Error('expected MusicXML');
    const { score } = await parseScoreBytes(resource('fixtures/pages/score.musicxml'), 'score.musicxml');
    const e = linkEngraving(await engraveScore(source.text, source.format, 'pages'), score, 'pages');
    expect(e.pages.length).toBeGreaterThanOrEqual(3);
    expect(e.measures.map((m) => m.number)).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    expectBoxesInsidePages(e);
    // Pages in order, each measure's page no earlier than the one before.
    for (let i = 1; i < e.measures.length; i++)
      expect(e.measures[i].page).toBeGreaterThanOrEqual(e.measures[i - 1].page);
    expect(new Set(e.measures.map((m) => m.page)).size).toBe(e.pages.length);
    // The repeat's end (bar 14) is on a later page than its start: the second pass turns back.
    expect(e.measures[13].page).toBeGreaterThan(e.measures[0].page);
    const passes = Object.fromEntries(e.measures.map((m) => [m.number, m.passes.length]));
    expect([
      passes['1'],
      passes['14'],
      passes['15'],
      passes['17'],
      passes['22'],
      passes['23'],
      passes['24'],
    ]).toEqual([2, 2, 1, 2, 2, 1, 1]);
    expect(e.playedOrder.length).toBe(60);
    expect(score.measures.length).toBe(60);
  });

  it('scales: larger engraving means more pages, page pixels follow the layout', async () => {
    const t = text('sample/score.musicxml');
    const big = await engraveScore(t, 'musicxml', 'sample', {
      pageWidth: 1500,
      pageHeight: 1000,
      scale: 200,
    });
    expect(big.pages.length).toBeGreaterThan(1);
    expect([big.pages[0].width, big.pages[0].height]).toEqual([3000, 2000]);
    expectBoxesInsidePages(big);
    await expect(
      engraveScore(t, 'musicxml', 'sample', { pageWidth: 10, pageHeight: 1000, scale: 100 }),
    ).rejects.toThrow(/expected pageWidth in \[300, 10000\], got 10/);
  });

  it('reads MEI, Humdrum and ABC as well', async () => {
    const tk = await verovioToolkit();
    tk.resetOptions();
    tk.setOptions({ inputFrom: 'musicxml', xmlIdChecksum: true });
    tk.loadData(text('sample/score.musicxml'));
    const mei = tk.getMEI({});
    const fromMei = await engraveScore(mei, 'mei', 'sample.mei');
    expect(fromMei.measures.map((m) => m.number)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expectBoxesInsidePages(fromMei);
    const kern = '**kern\n*M3/4\n=1\n4c\n4d\n4e\n=2\n2.f\n==\n*-\n';
    const fromKern = await engraveScore(kern, 'kern', 'tiny.krn');
    expect(fromKern.measures.length).toBe(2);
    expectBoxesInsidePages(fromKern);
    const abc = 'X:1\nT:Tiny\nM:3/4\nL:1/4\nK:C\n|: CDE | F3 :|\n';
    const fromAbc = await engraveScore(abc, 'abc', 'tiny.abc');
    expect(fromAbc.measures.map((m) => m.passes.length)).toEqual([2, 2]);
  });

  it('says what went wrong with a score it cannot lay out, or one that is not the same piece', async () => {
    await expect(engraveScore('<score-partwise><part', 'musicxml', 'broken.musicxml')).rejects.toThrow(
      PagesError,
    );
    const e = await engraveScore(text('sample/score.musicxml'), 'musicxml', 'sample');
    const { score } = await parseScoreBytes(
      resource('fixtures/minuet-repeat/score.musicxml'),
      'minuet.musicxml',
    );
    expect(() => linkEngraving(e, score, 'sample')).toThrow(
      /expected the engraving to play 24 measures as the score does, it plays 7/,
    );
  });
});
