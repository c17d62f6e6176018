/**
 * Scanned-page evaluation (issue 11, route 2): every ASAP validation score is engraved (route 1,
 * true boxes known), rasterized at a scan's resolution, degraded like a scan (`scanDegrade.ts`,
 * seeded per page) and given to the detector and the linker, with no user action.
 *
 *   node dist/node/electron/tools/eval/scans.js [--asap ../shared/corpora/asap] [--out .eval/scans]
 *       [--seed 11] [--scale 0.7] [--limit N] [--clean] [--save] [--cache DIR]
 *
 * `--cache DIR` keeps each piece's detections in DIR and reuses them when there (to re-measure
 * the linker alone; delete DIR after changing the detector).
 *
 * Reported:
 * - systems and measures: a detected box matches a true box when their IoU is ≥ 0.5, one to one
 *   (greedy by IoU); recall = matched / true, precision = matched / detected.
 * - skew: |estimated − true rotation| per page.
 * - timing, per played measure (each pass of each notated measure): its true start in the
 *   performance is its start in score seconds (`Score.measures[p].start`) mapped to performance
 *   seconds by linear interpolation between paired beats — this score's beats with the ASAP
 *   score annotation's beats one to one where they are as many, else its measures with the
 *   downbeats, else the annotation's score seconds taken as this score's — and the performance
 *   annotation's beats (the first of the piece's validation performances annotated beat for beat
 *   like its score; unplayed passages cut as in the main evaluation, their measures not timed).
 *   The time the system shows for it is the start so mapped of the played measure that the
 *   detected box matching the measure's true box was linked to (same pass). No matching box, an
 *   unlinked box or a missing pass is an error of ∞. The share of played measures within 0.5 /
 *   1 / 2 s is reported. This isolates the scan route (detection + linking); the audio alignment's
 *   own error is the main
 *   evaluation's (docs/EVALUATION.md).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadScore } from '../../engine/score.js';
import { engraveLoadedScore } from '../../engine/pages.js';
import { asapDir } from '../../engine/repoRoot.js';
import { detectScanPage } from '../../../shared/pages/scan/detect.js';
import { linkScanMeasures } from '../../../shared/pages/scan/link.js';
import type { ScanDetection } from '../../../shared/pages/scan/model.js';
import { matchBoxes } from './scanMatch.js';
import { pairBeats } from './gt.js';
import { seededRandom } from '../../../shared/random.js';
import { CLEAN, degradationFor, degradePage, rasterizeSvg, scaleBox, toJpeg } from './scanDegrade.js';

/** Beat and downbeat times (seconds) of an ASAP annotation file (`time\ttime\tb|db,…` rows). */
function beatTimes(file: string): { all: number[]; down: number[] } {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 3 && /^d?b/.test(c[2]));
  return {
    all: rows.map((c) => Number(c[0])),
    down: rows.filter((c) => c[2].startsWith('db')).map((c) => Number(c[0])),
  };
}

/**
 * Score seconds → performance seconds by linear interpolation between the paired beats (the
 * nearest pair's slope past either end). A time inside a jump (between the last pair of one
 * segment and the first of the next: an unplayed passage) has none unless `nearest`, which takes
 * the nearer side's time.
 */
function scoreToPerf(rows: { scoreTime: number; perfTime: number; segment: number }[]) {
  return (t: number, nearest = false): number | undefined => {
    if (rows.length === 0) return undefined;
    if (rows.length === 1) return rows[0].perfTime + t - rows[0].scoreTime;
    let k = 0;
    while (k + 2 < rows.length && rows[k + 1].scoreTime <= t) k++;
    const a = rows[k];
    const b = rows[k + 1];
    if (b.segment !== a.segment && t > a.scoreTime + 1e-6 && t < b.scoreTime - 1e-6) {
      if (!nearest) return undefined;
      return t - a.scoreTime < b.scoreTime - t ? a.perfTime : b.perfTime;
    }
    const span = b.scoreTime - a.scoreTime;
    return span > 0 ? a.perfTime + ((t - a.scoreTime) * (b.perfTime - a.perfTime)) / span : a.perfTime;
  };
}

interface PieceResult {
  folder: string;
  pages: number;
  systems: { truth: number; found: number; matched: number };
  measures: { truth: number; found: number; matched: number };
  skewErrors: number[];
  warnings: string[];
  /** Per played measure, |shown − true| start (Infinity: none shown); absent where the annotations do not fit. */
  timingErrors?: number[];
  timingNote?: string;
  detectMs: number[];
}

async function evalPiece(
  asap: string,
  folder: string,
  performanceFiles: string[],
  opts: { seed: number; scale: number; clean: boolean; save?: string; cache?: string },
): Promise<PieceResult> {
  const file = path.join(asap, folder, 'xml_score.mxl');
  const loaded = await loadScore(file);
  const engraving = await engraveLoadedScore(loaded, file);
  const detections: ScanDetection[] = [];
  const res: PieceResult = {
    folder,
    pages: engraving.pages.length,
    systems: { truth: 0, found: 0, matched: 0 },
    measures: { truth: 0, found: 0, matched: 0 },
    skewErrors: [],
    warnings: [],
    detectMs: [],
  };
  /** Per true notated measure (engraving order): index into the flattened detected boxes, or -1. */
  const matchOf: number[] = [];
  let offset = 0;
  const cacheFile = opts.cache
    ? path.join(
        opts.cache,
        `${folder.replaceAll('/', '_')}-${opts.seed}-${opts.scale}${opts.clean ? '-clean' : ''}.json`,
      )
    : undefined;
  const cached =
    cacheFile && existsSync(cacheFile)
      ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as { det: ScanDetection; f: number; rotate: number }[])
      : undefined;
  const fresh: { det: ScanDetection; f: number; rotate: number }[] = [];
  for (const page of engraving.pages) {
    let det: ScanDetection;
    let f: number;
    let rotate: number;
    const hit = cached?.[page.index - 1];
    if (hit) {
      ({ det, f, rotate } = hit);
    } else {
      const clean = rasterizeSvg(page.svg, Math.round(page.width * opts.scale));
      f = clean.width / page.width;
      const rand = seededRandom(opts.seed * 100003 + page.index * 7919 + hash(folder));
      const d = opts.clean ? CLEAN : degradationFor(rand);
      rotate = d.rotateDegrees;
      const image = opts.clean ? clean : await degradePage(clean, d, rand);
      if (opts.save) {
        const dir = path.join(opts.save, folder.replaceAll('/', '_'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `page-${page.index}.jpg`), toJpeg(image, 90));
      }
      const t0 = performance.now();
      det = detectScanPage(image, page.index);
      res.detectMs.push(performance.now() - t0);
    }
    fresh.push({ det, f, rotate });
    detections.push(det);
    res.skewErrors.push(Math.abs(det.skewDegrees - rotate));
    const trueSystems = engraving.systems.filter((s) => s.page === page.index).map((s) => scaleBox(s.box, f));
    const sm = matchBoxes(
      trueSystems,
      det.systems.map((s) => s.box),
    );
    res.systems.truth += trueSystems.length;
    res.systems.found += det.systems.length;
    res.systems.matched += sm.filter((m) => m >= 0).length;
    const trueMeasures = engraving.measures
      .filter((m) => m.page === page.index)
      .map((m) => scaleBox(m.box, f));
    const mm = matchBoxes(
      trueMeasures,
      det.measures.map((m) => m.box),
    );
    res.measures.truth += trueMeasures.length;
    res.measures.found += det.measures.length;
    res.measures.matched += mm.filter((m) => m >= 0).length;
    for (const m of mm) matchOf.push(m >= 0 ? offset + m : -1);
    offset += det.measures.length;
  }
  if (cacheFile && !cached) {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(fresh));
  }
  const linked = linkScanMeasures(detections, loaded.score);
  res.warnings = linked.warnings;
  const scoreAnn = beatTimes(path.join(asap, folder, 'midi_score_annotations.txt'));
  // The first of the piece's validation performances whose beat annotations pair with the score's.
  const performanceFile = performanceFiles.find(
    (f) =>
      beatTimes(path.join(asap, f.replace(/\.mid$/, '_annotations.txt'))).all.length === scoreAnn.all.length,
  );
  if (!performanceFile) {
    res.timingNote = `no performance whose beats pair with the score's ${scoreAnn.all.length}`;
    return res;
  }
  const perfAnn = beatTimes(path.join(asap, performanceFile.replace(/\.mid$/, '_annotations.txt')));
  const score = loaded.score;
  // Score seconds of this score (the MusicXML's) paired with performance seconds, beat by beat.
  let anchors: number[];
  let perf: number[];
  if (score.beats.length === scoreAnn.all.length) {
    [anchors, perf, res.timingNote] = [score.beats.map((b) => b.time), perfAnn.all, 'beats'];
  } else if (score.measures.length === scoreAnn.down.length) {
    [anchors, perf, res.timingNote] = [score.measures.map((m) => m.start), perfAnn.down, 'downbeats'];
  } else {
    [anchors, perf, res.timingNote] = [scoreAnn.all, perfAnn.all, 'score seconds'];
  }
  const perfOf = scoreToPerf(pairBeats(perf, anchors).rows);
  const errors: number[] = [];
  engraving.measures.forEach((m, t) => {
    const box = matchOf[t] >= 0 ? linked.measures[matchOf[t]] : undefined;
    m.passes.forEach((p, j) => {
      const truth = perfOf(score.measures[p].start);
      if (truth === undefined) return;
      const q = box && j < box.passes.length ? box.passes[j] : undefined;
      const shown = q === undefined ? undefined : perfOf(score.measures[q].start, true);
      errors.push(shown === undefined ? Infinity : Math.abs(shown - truth));
    });
  });
  res.timingErrors = errors;
  return res;
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h;
}

const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)} %`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      asap: { type: 'string', default: asapDir() },
      out: { type: 'string', default: '.eval/scans' },
      seed: { type: 'string', default: '11' },
      scale: { type: 'string', default: '0.7' },
      limit: { type: 'string' },
      clean: { type: 'boolean', default: false },
      save: { type: 'boolean', default: false },
      cache: { type: 'string' },
    },
  });
  const asap = path.resolve(values.asap);
  const splits = JSON.parse(readFileSync(path.join(asap, 'splits.json'), 'utf8')) as {
    validation: { folders: string[]; performances: string[] }[];
  };
  const pieces = splits.validation
    .map((p) => ({ folder: p.folders[0], performances: p.performances }))
    .filter((p) => existsSync(path.join(asap, p.folder, 'xml_score.mxl')))
    .slice(0, values.limit ? Number(values.limit) : undefined);
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const opts = {
    seed: Number(values.seed),
    scale: Number(values.scale),
    clean: values.clean,
    ...(values.save ? { save: path.join(out, 'pages') } : {}),
    ...(values.cache ? { cache: path.resolve(values.cache) } : {}),
  };
  const results: PieceResult[] = [];
  for (const p of pieces) {
    try {
      const r = await evalPiece(asap, p.folder, p.performances, opts);
      results.push(r);
      const t = r.timingErrors;
      console.log(
        `${p.folder}: ${r.pages} pages, systems ${r.systems.matched}/${r.systems.truth} (found ${r.systems.found}), ` +
          `measures ${r.measures.matched}/${r.measures.truth} (found ${r.measures.found}), ` +
          `max skew error ${Math.max(...r.skewErrors).toFixed(2)}°, ` +
          (t
            ? `timing ≤1 s ${pct(t.filter((e) => e <= 1).length, t.length)}`
            : `timing n/a (${r.timingNote})`) +
          (r.warnings.length ? ` — ${r.warnings.join('; ')}` : ''),
      );
    } catch (err) {
      console.log(`${p.folder}: failed: ${(err as Error).message}`);
    }
  }
  const sum = (f: (r: PieceResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const timing = results.flatMap((r) => r.timingErrors ?? []);
  const skews = results.flatMap((r) => r.skewErrors);
  const ms = results.flatMap((r) => r.detectMs).sort((a, b) => a - b);
  const summary = {
    pieces: results.length,
    pages: sum((r) => r.pages),
    systemRecall: sum((r) => r.systems.matched) / sum((r) => r.systems.truth),
    systemPrecision: sum((r) => r.systems.matched) / sum((r) => r.systems.found),
    measureRecall: sum((r) => r.measures.matched) / sum((r) => r.measures.truth),
    measurePrecision: sum((r) => r.measures.matched) / sum((r) => r.measures.found),
    countsAgree: results.filter((r) => r.warnings.length === 0).length,
    skewMaxError: Math.max(...skews),
    skewWithin03: skews.filter((e) => e <= 0.3).length / skews.length,
    timingPieces: results.filter((r) => r.timingErrors).length,
    timingMeasures: timing.length,
    timing05: timing.filter((e) => e <= 0.5).length / timing.length,
    timing1: timing.filter((e) => e <= 1).length / timing.length,
    timing2: timing.filter((e) => e <= 2).length / timing.length,
    detectMsMedian: ms.length ? ms[ms.length >> 1] : NaN,
    detectMsMax: ms.length ? ms[ms.length - 1] : NaN,
  };
  console.log(
    `\n${summary.pieces} pieces, ${summary.pages} pages (${opts.clean ? 'clean' : 'degraded'}, scale ${opts.scale}, seed ${opts.seed})\n` +
      `systems:  recall ${pct(summary.systemRecall, 1)}, precision ${pct(summary.systemPrecision, 1)}\n` +
      `measures: recall ${pct(summary.measureRecall, 1)}, precision ${pct(summary.measurePrecision, 1)}; ` +
      `box count = score's notated count in ${summary.countsAgree}/${summary.pieces} pieces\n` +
      `skew: max error ${summary.skewMaxError.toFixed(2)}°, ${pct(summary.skewWithin03, 1)} of pages within 0.3°\n` +
      `timing (${summary.timingMeasures} played measures of ${summary.timingPieces} pieces): ` +
      `≤0.5 s ${pct(summary.timing05, 1)}, ≤1 s ${pct(summary.timing1, 1)}, ≤2 s ${pct(summary.timing2, 1)}\n` +
      `detection time per page: median ${summary.detectMsMedian.toFixed(0)} ms, max ${summary.detectMsMax.toFixed(0)} ms`,
  );
  const name = opts.clean ? 'results-clean.json' : 'results.json';
  writeFileSync(
    path.join(out, name),
    JSON.stringify(
      { options: opts, summary, pieces: results },
      (_k, v: unknown) => (v === Infinity ? null : v),
      1,
    ),
  );
}

await main();
