/**
 * Scanned-page evaluation (issue 11, route 2): every ASAP validation score is engraved (route 1,
 * true boxes known), rasterized at a scan's resolution, degraded like a scan (`scanDegrade.ts`,
 * seeded per page) and given to the detector and the linker, with no user action.
 *
 *   node dist/node/electron/tools/eval/scans.js [--asap ../shared/corpora/asap] [--out .eval/scans]
 *       [--seed 11] [--scale 0.7] [--limit N] [--clean] [--save]
 *
 * Reported:
 * - systems and measures: a detected box matches a true box when their IoU is ≥ 0.5, one to one
 *   (greedy by IoU); recall = matched / true, precision = matched / detected.
 * - skew: |estimated − true rotation| per page.
 * - timing, per played measure (each pass of each notated measure): its true start in the
 *   performance is the ASAP performance annotation of its downbeat (the piece's first validation
 *   performance; played measure k ↔ the k-th downbeat, used only where the score's played
 *   measures and the annotation's downbeats are as many). The time the system shows for it is
 *   the annotated start of the played measure that the detected box matching the measure's true
 *   box was linked to (same pass). No matching box, an unlinked box or a missing pass is an
 *   error of ∞. The share of played measures within 0.5 / 1 / 2 s is reported. This isolates
 *   the scan route (detection + linking); the audio alignment's own error is the main
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
import { seededRandom } from '../../../shared/random.js';
import { CLEAN, degradationFor, degradePage, rasterizeSvg, scaleBox, toJpeg } from './scanDegrade.js';

/** Downbeat times (seconds) of an ASAP annotation file (`time\ttime\tdb,…` rows). */
function downbeats(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => c.length >= 3 && c[2].startsWith('db'))
    .map((c) => Number(c[0]));
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
  performanceFile: string | undefined,
  opts: { seed: number; scale: number; clean: boolean; save?: string },
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
  for (const page of engraving.pages) {
    const clean = rasterizeSvg(page.svg, Math.round(page.width * opts.scale));
    const f = clean.width / page.width;
    const rand = seededRandom(opts.seed * 100003 + page.index * 7919 + hash(folder));
    const d = opts.clean ? CLEAN : degradationFor(rand);
    const image = opts.clean ? clean : await degradePage(clean, d, rand);
    if (opts.save) {
      const dir = path.join(opts.save, folder.replaceAll('/', '_'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `page-${page.index}.jpg`), toJpeg(image, 90));
    }
    const t0 = performance.now();
    const det = detectScanPage(image, page.index);
    res.detectMs.push(performance.now() - t0);
    detections.push(det);
    res.skewErrors.push(Math.abs(det.skewDegrees - d.rotateDegrees));
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
  const linked = linkScanMeasures(detections, loaded.score);
  res.warnings = linked.warnings;
  if (!performanceFile) {
    res.timingNote = 'no performance';
    return res;
  }
  const scoreDb = downbeats(path.join(asap, folder, 'midi_score_annotations.txt'));
  const perfDb = downbeats(path.join(asap, performanceFile.replace(/\.mid$/, '_annotations.txt')));
  const played = loaded.score.measures.length;
  if (perfDb.length !== played || scoreDb.length !== played) {
    res.timingNote = `${played} played measures, ${scoreDb.length} score / ${perfDb.length} performance downbeats`;
    return res;
  }
  const errors: number[] = [];
  engraving.measures.forEach((m, t) => {
    const box = matchOf[t] >= 0 ? linked.measures[matchOf[t]] : undefined;
    m.passes.forEach((p, j) => {
      const shown = box && j < box.passes.length ? perfDb[box.passes[j]] : undefined;
      errors.push(shown === undefined ? Infinity : Math.abs(shown - perfDb[p]));
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
    },
  });
  const asap = path.resolve(values.asap);
  const splits = JSON.parse(readFileSync(path.join(asap, 'splits.json'), 'utf8')) as {
    validation: { folders: string[]; performances: string[] }[];
  };
  const pieces = splits.validation
    .map((p) => ({ folder: p.folders[0], performance: p.performances[0] }))
    .filter((p) => existsSync(path.join(asap, p.folder, 'xml_score.mxl')))
    .slice(0, values.limit ? Number(values.limit) : undefined);
  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  const opts = {
    seed: Number(values.seed),
    scale: Number(values.scale),
    clean: values.clean,
    ...(values.save ? { save: path.join(out, 'pages') } : {}),
  };
  const results: PieceResult[] = [];
  for (const p of pieces) {
    try {
      const r = await evalPiece(asap, p.folder, p.performance, opts);
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
    detectMsMedian: ms[ms.length >> 1],
    detectMsMax: ms[ms.length - 1],
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
