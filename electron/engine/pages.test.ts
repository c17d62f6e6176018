/**
 * The pages export end to end on real files: real alignment of the committed recordings against
 * their MusicXML, real verovio engraving, real resvg rasterization, files written to a temporary
 * folder. Where the ASAP corpus is beside the repository, every validation score's MusicXML too.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { align } from './pipeline.js';
import { loadScore, type LoadedScore } from './score.js';
import {
  assertEngravable,
  engraveLoadedScore,
  pageImageName,
  writePagesExport,
  PagesError,
} from './pages.js';
import { toAlignmentJson } from '../../shared/formats/json.js';
import type { PagesJson } from '../../shared/formats/pages.js';
import type { AlignmentPath } from '../../shared/path.js';
import type { Engraving } from '../../shared/pages/model.js';
import { asapCorpus } from './asap.testutil.js';
import { repoRoot } from './repoRoot.js';

const root = repoRoot();
const fx = (p: string): string => path.join(root, 'resources', p);
const meta = { audio: { name: 'a.flac', sha256: 'a' }, score: { name: 's.musicxml', sha256: 's' } };
const { dir: ASAP, present: hasAsap } = asapCorpus('pages export over the ASAP validation scores');

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'accord-pages-'));
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

/** A path that plays the score straight through at its notated tempo (perf = score time). */
function nominalPath(duration: number): AlignmentPath {
  const hop = 512 / 22050;
  const n = Math.ceil(duration / hop) + 1;
  const scoreTime = Float64Array.from({ length: n }, (_, f) => Math.min(duration, f * hop));
  return {
    hopSeconds: hop,
    scoreTime,
    confidence: new Float32Array(n).fill(1),
    jumpFrames: [],
    method: 'import',
  };
}

/**
 * The invariants of a pages export: every notated measure has one box inside its page, every
 * played measure of the score is a pass of exactly one of them, and each measure's times are the
 * JSON export's times of its passes.
 */
function expectPagesInvariants(
  doc: PagesJson,
  engraving: Engraving,
  score: LoadedScore['score'],
  p: AlignmentPath,
): void {
  const json = toAlignmentJson(p, score, meta);
  const pages = new Map(doc.pages.map((pg) => [pg.index, pg]));
  const covered = new Array<number>(score.measures.length).fill(0);
  expect(doc.measures.length).toBe(engraving.measures.length);
  doc.measures.forEach((m, i) => {
    const page = pages.get(m.page)!;
    expect(page, `measure ${m.number}`).toBeDefined();
    const [x, y, w, h] = m.box;
    expect(
      w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= page.width && y + h <= page.height,
      `measure ${m.number} ${JSON.stringify(m.box)}`,
    ).toBe(true);
    const passes = engraving.measures[i].passes;
    for (const k of passes) covered[k] += 1;
    expect(m.scoreTimes).toEqual(passes.map((k) => json.measures[k].scoreTime));
    expect(m.perfTimes).toEqual(passes.flatMap((k) => json.measures[k].perfTimes).sort((a, b) => a - b));
    // Printed numbers agree with the score's for every pass.
    for (const k of passes) expect(score.measures[k].number).toBe(m.number);
  });
  expect(covered.every((c) => c === 1)).toBe(true);
}

describe('pages export', () => {
  it('writes the sample: one PNG page, seven boxed measures, times as the JSON export has them', async () => {
    const result = await align(fx('sample/performance.flac'), fx('sample/score.musicxml'));
    const engraving = await engraveLoadedScore(result.score, fx('sample/score.musicxml'));
    const out = path.join(tmp, 'sample.json');
    const { doc, files } = await writePagesExport(
      out,
      'png',
      engraving,
      { path: result.path, score: result.score.score },
      meta,
    );
    expect(files.map((f) => path.basename(f))).toEqual(['sample.page-1.png', 'sample.json']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(doc);
    expect(doc.pages).toEqual([{ index: 1, image: 'sample.page-1.png', width: 2100, height: 2970 }]);
    expect(pngSize(readFileSync(path.join(tmp, 'sample.page-1.png')))).toEqual([2100, 2970]);
    expect(doc.measures.map((m) => m.number)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expectPagesInvariants(doc, engraving, result.score.score, result.path);
    // A straight performance: one time per measure, in order, each bar a few seconds (♩ = 84, 4/4).
    const starts = doc.measures.map((m) => m.perfTimes[0]);
    expect(doc.measures.every((m) => m.perfTimes.length === 1)).toBe(true);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThan(2);
    // No temporary files left behind.
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('gives each measure of the minuet’s repeat two times, the second pass after the first ends', async () => {
    const result = await align(
      fx('fixtures/minuet-repeat/performance.ogg'),
      fx('fixtures/minuet-repeat/score.musicxml'),
    );
    const engraving = await engraveLoadedScore(result.score, fx('fixtures/minuet-repeat/score.musicxml'));
    const { doc } = await writePagesExport(
      path.join(tmp, 'minuet.json'),
      'svg',
      engraving,
      { path: result.path, score: result.score.score },
      meta,
    );
    expectPagesInvariants(doc, engraving, result.score.score, result.path);
    const bars = doc.measures;
    expect(bars.slice(0, 8).every((m) => m.perfTimes.length === 2)).toBe(true);
    expect(bars.slice(8).every((m) => m.perfTimes.length === 1)).toBe(true);
    expect(bars[0].perfTimes[1]).toBeGreaterThan(bars[7].perfTimes[0]);
    expect(bars[8].perfTimes[0]).toBeGreaterThan(bars[7].perfTimes[1]);
    // The SVG page file is the engraving's page, script-free.
    const svg = readFileSync(path.join(tmp, 'minuet.page-1.svg'), 'utf8');
    expect(svg).toBe(engraving.pages[0].svg);
    expect(svg).not.toMatch(/<script/i);
  }, 120_000);

  it('writes a multi-page score: every measure boxed on its page, a file per page, repeats across the page turn', async () => {
    const score = await loadScore(fx('fixtures/pages/score.musicxml'));
    const engraving = await engraveLoadedScore(score, fx('fixtures/pages/score.musicxml'));
    const p = nominalPath(score.score.duration);
    const out = path.join(tmp, 'etude.pages.json');
    const { doc } = await writePagesExport(out, 'png', engraving, { path: p, score: score.score }, meta);
    expect(doc.pages.length).toBeGreaterThanOrEqual(3);
    expect(doc.pages.map((pg) => pg.image)).toEqual(
      doc.pages.map((pg) => pageImageName(out, pg.index, 'png')),
    );
    for (const pg of doc.pages)
      expect(pngSize(readFileSync(path.join(tmp, pg.image)))).toEqual([pg.width, pg.height]);
    expectPagesInvariants(doc, engraving, score.score, p);
    // Played straight at the notated tempo, each pass is heard at its score time.
    for (const m of doc.measures) {
      expect(m.perfTimes.length).toBe(m.scoreTimes.length);
      m.perfTimes.forEach((t, i) => expect(Math.abs(t - m.scoreTimes[i])).toBeLessThan(p.hopSeconds));
    }
    const bar14 = doc.measures[13];
    expect(bar14.perfTimes.length).toBe(2);
    expect(bar14.page).toBeGreaterThan(doc.measures[0].page);
  }, 120_000);

  it('says clearly that a MIDI score has no pages, and names the notated score beside it', async () => {
    expect(() => assertEngravable(fx('sample/score.mid'))).toThrow(
      /score\.mid: pages need an engraved score \(MusicXML, MEI, Humdrum \*\*kern or ABC\).*score\.musicxml is beside it/,
    );
    const midi = await loadScore(fx('sample/score.mid'));
    const err = await engraveLoadedScore(midi, fx('sample/score.mid')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PagesError);
    expect((err as PagesError).code).toBe('not-engraved');
    expect(() => assertEngravable(fx('sample/score.musicxml'))).not.toThrow();
  });

  it('refuses an engraving of another score than the one aligned', async () => {
    const sample = await loadScore(fx('sample/score.musicxml'));
    const minuet = await loadScore(fx('fixtures/minuet-repeat/score.musicxml'));
    await expect(
      engraveLoadedScore({ score: minuet.score, bytes: sample.bytes }, 'score.musicxml'),
    ).rejects.toThrow(/expected the engraving to play 24 measures as the score does, it plays 7/);
  });

  it('fails with the folder named when the output folder is missing, writing nothing', async () => {
    const score = await loadScore(fx('sample/score.musicxml'));
    const engraving = await engraveLoadedScore(score, fx('sample/score.musicxml'));
    const out = path.join(tmp, 'missing', 'x.json');
    await expect(
      writePagesExport(
        out,
        'svg',
        engraving,
        { path: nominalPath(score.score.duration), score: score.score },
        meta,
      ),
    ).rejects.toThrow(/the output folder .*missing does not exist/);
    expect(existsSync(path.join(tmp, 'missing'))).toBe(false);
  });
});

/** The folders of the ASAP validation pieces that have a MusicXML score. */
function validationScores(): string[] {
  const splits = JSON.parse(readFileSync(path.join(ASAP, 'splits.json'), 'utf8')) as {
    validation: { folders: string[] }[];
  };
  return splits.validation
    .flatMap((p) => p.folders)
    .filter((f) => existsSync(path.join(ASAP, f, 'xml_score.mxl')));
}

describe.skipIf(!hasAsap)('pages export over the ASAP validation scores', () => {
  it('boxes every measure of every validation score inside its page, times as the JSON export has them', async () => {
    const folders = validationScores();
    expect(folders.length).toBeGreaterThan(10);
    const report: string[] = [];
    for (const folder of folders) {
      const file = path.join(ASAP, folder, 'xml_score.mxl');
      const t0 = performance.now();
      const score = await loadScore(file);
      const engraving = await engraveLoadedScore(score, file);
      const p = nominalPath(score.score.duration);
      const { toPagesJson } = await import('../../shared/formats/pages.js');
      const doc = toPagesJson(
        engraving,
        p,
        score.score,
        meta,
        engraving.pages.map((pg) => `p${pg.index}.png`),
      );
      expectPagesInvariants(doc, engraving, score.score, p);
      report.push(
        `${folder}: ${doc.pages.length} pages, ${doc.measures.length} measures (${score.score.measures.length} played), ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
    console.log(`pages over ASAP validation:\n${report.join('\n')}`);
  }, 600_000);
});
