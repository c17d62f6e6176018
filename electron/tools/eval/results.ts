/** Scoring files against the evaluation manifest, set summaries and tables (shared by run and scoreDir). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sharedSibling } from '../../engine/repoRoot.js';
import {
  parseGtCsv,
  parsePredCsv,
  scoreCase,
  type CaseScore,
  type GtRow,
} from '../../../shared/eval/metric.js';
import {
  jumpFigures,
  matchJumps,
  predictedJumps,
  scoreBeatTimes,
  type Jump,
  type JumpCounts,
} from '../../../shared/eval/jumps.js';
import type { Manifest, ManifestCase } from './dataset.js';

/** The official scorer, `../shared/eval/score.py` from the repository root. */
export const SCORE_PY = sharedSibling('eval', 'score.py');

/** Score of one case, with where it came from and why it failed (status `ok` otherwise). */
export interface CaseResult extends CaseScore {
  id: string;
  set: ManifestCase['set'];
  status: string;
  piece?: string;
  performer?: string;
  durationSeconds?: number;
  /** Wall-clock seconds the method took on this case (runner only). */
  computeSeconds?: number;
  /** Milliseconds per pipeline stage (runner only). */
  timings?: Record<string, number>;
  warnings?: string[];
  /** True, predicted and matched jumps (`shared/eval/jumps.ts`). */
  jumps?: JumpCounts;
}

/** Per-set means (unweighted over cases, as score.py), failures and compute speed. */
export interface SetSummary {
  nCases: number;
  nFailed: number;
  acc50: number;
  acc100: number;
  acc200: number;
  audioMinutes: number;
  /** Audio minutes and compute seconds of the cases that did not fail (for the speed figure). */
  okAudioMinutes: number;
  computeSeconds: number;
  /** Jump recall and precision (percent) over the set's summed counts. */
  jumpRecall: number;
  jumpPrecision: number;
  jumpCounts: JumpCounts;
}

/** Reads and checks a manifest; case paths are resolved against its folder. */
export function loadManifest(path: string): { manifest: Manifest; root: string } {
  if (!existsSync(path))
    throw new Error(
      `manifest ${path} not found: build the data set first (node dist/node/electron/tools/eval/dataset.js)`,
    );
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (!Array.isArray(manifest.cases))
    throw new Error(`${path}: expected {"cases": [...]}, got no cases list`);
  return { manifest, root: dirname(resolve(path)) };
}

/** The manifest fields every case result repeats. */
export function caseFields(
  c: ManifestCase,
): Pick<CaseResult, 'id' | 'set' | 'piece' | 'performer' | 'durationSeconds'> {
  return { id: c.id, set: c.set, piece: c.piece, performer: c.performer, durationSeconds: c.durationSeconds };
}

/** A path as the prediction CSV the scorers read: dense rows `perf_time,score_time`. */
export function predictionCsv(rows: readonly { perfTime: number; scoreTime: number }[]): string {
  const out = ['perf_time,score_time'];
  for (const r of rows) out.push(`${r.perfTime.toFixed(6)},${r.scoreTime.toFixed(6)}`);
  return out.join('\n') + '\n';
}

/** Scores a prediction file against a GT file with score.py's failure rules (missing/empty/no rows → 0). */
export function scoreFiles(gtPath: string, predPath: string): CaseScore & { status: string } {
  const zero = { acc50: 0, acc100: 0, acc200: 0, nBeats: 0, medianErrMs: NaN };
  let gt;
  try {
    gt = parseGtCsv(readFileSync(gtPath, 'utf8'));
  } catch (e) {
    return { ...zero, status: `bad gt: ${(e as Error).message}` };
  }
  const withBeats = { ...zero, nBeats: gt.length };
  if (!existsSync(predPath)) return { ...withBeats, status: 'missing' };
  const text = readFileSync(predPath, 'utf8');
  if (!text.trim()) return { ...withBeats, status: 'empty' };
  const pred = parsePredCsv(text);
  if (!pred.length) return { ...withBeats, status: 'no valid rows' };
  return { ...scoreCase(gt, pred), status: 'ok' };
}

/**
 * The true jumps of a case: the manifest's own list (multi set), else one at every change of
 * GT segment (structure edits, unplayed sections), midway between the two beats.
 */
export function trueJumps(c: Pick<ManifestCase, 'jumps'>, gt: readonly GtRow[]): Jump[] {
  if (c.jumps) return c.jumps.map((j) => ({ perfTime: j.perfTime, toScoreTime: j.toScoreTime }));
  const out: Jump[] = [];
  for (let k = 1; k < gt.length; k++) {
    if (gt[k].segment !== gt[k - 1].segment)
      out.push({ perfTime: (gt[k].perfTime + gt[k - 1].perfTime) / 2, toScoreTime: gt[k].scoreTime });
  }
  return out;
}

/** Jump counts of a prediction file against a case (an unreadable prediction finds none). */
export function jumpCountsOf(c: Pick<ManifestCase, 'jumps'>, gtPath: string, predPath: string): JumpCounts {
  const gt = parseGtCsv(readFileSync(gtPath, 'utf8'));
  const text = existsSync(predPath) ? readFileSync(predPath, 'utf8') : '';
  const pred = text.trim() ? parsePredCsv(text) : [];
  return matchJumps(trueJumps(c, gt), predictedJumps(pred), scoreBeatTimes(gt));
}

/** Summaries per set over `results` (manifest cases give audio durations). */
export function summarize(results: readonly CaseResult[]): Record<string, SetSummary> {
  const out: Record<string, SetSummary> = {};
  for (const set of [...new Set(results.map((r) => r.set))].sort()) {
    const rs = results.filter((r) => r.set === set);
    const mean = (f: (r: CaseResult) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    out[set] = {
      nCases: rs.length,
      nFailed: rs.filter((r) => r.status !== 'ok').length,
      acc50: mean((r) => r.acc50),
      acc100: mean((r) => r.acc100),
      acc200: mean((r) => r.acc200),
      audioMinutes: rs.reduce((a, r) => a + (r.durationSeconds ?? 0), 0) / 60,
      okAudioMinutes:
        rs.filter((r) => r.status === 'ok').reduce((a, r) => a + (r.durationSeconds ?? 0), 0) / 60,
      computeSeconds: rs.filter((r) => r.status === 'ok').reduce((a, r) => a + (r.computeSeconds ?? 0), 0),
      ...((): Pick<SetSummary, 'jumpRecall' | 'jumpPrecision' | 'jumpCounts'> => {
        const f = jumpFigures(rs.map((r) => r.jumps ?? { nTrue: 0, nPred: 0, nMatched: 0 }));
        return {
          jumpRecall: f.recall,
          jumpPrecision: f.precision,
          jumpCounts: { nTrue: f.nTrue, nPred: f.nPred, nMatched: f.nMatched },
        };
      })(),
    };
  }
  return out;
}

/** Per-case text table like score.py's, with set means at the end. */
export function textTable(results: readonly CaseResult[]): string {
  const lines = [
    `${'case'.padEnd(8)} ${'set'.padEnd(9)} ${'beats'.padStart(6)} ${'50ms'.padStart(7)} ${'100ms'.padStart(7)} ${'200ms'.padStart(7)} ${'med ms'.padStart(8)} ${'s'.padStart(6)} ${'jumps m/t/p'.padStart(11)}  status`,
  ];
  for (const r of [...results].sort((a, b) => a.id.localeCompare(b.id))) {
    lines.push(
      `${r.id.padEnd(8)} ${r.set.padEnd(9)} ${String(r.nBeats).padStart(6)} ${r.acc50.toFixed(1).padStart(7)} ${r.acc100.toFixed(1).padStart(7)} ${r.acc200.toFixed(1).padStart(7)} ${(Number.isFinite(r.medianErrMs) ? r.medianErrMs.toFixed(0) : '-').padStart(8)} ${(r.computeSeconds === undefined ? '-' : r.computeSeconds.toFixed(1)).padStart(6)} ${(r.jumps ? `${r.jumps.nMatched}/${r.jumps.nTrue}/${r.jumps.nPred}` : '-').padStart(11)}  ${r.status}`,
    );
  }
  for (const [set, s] of Object.entries(summarize(results))) {
    lines.push(
      `MEAN ${set.padEnd(13)} ${''.padStart(6)} ${s.acc50.toFixed(2).padStart(7)} ${s.acc100.toFixed(2).padStart(7)} ${s.acc200.toFixed(2).padStart(7)}  (${s.nCases} cases, ${s.nFailed} failed; jumps recall ${s.jumpRecall.toFixed(1)} %, precision ${s.jumpPrecision.toFixed(1)} %)`,
    );
  }
  return lines.join('\n');
}

/** Markdown summary: one row per method (overall 50/100/200 ms, structure 100 ms, speed, failures). */
export function markdownSummary(byMethod: Record<string, readonly CaseResult[]>): string {
  const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
  const lines = [
    '| method | overall <50 ms | <100 ms | <200 ms | structure <100 ms | multi <50 / <100 / <200 ms | multi jump recall / precision | s compute / min audio | failures |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [method, results] of Object.entries(byMethod)) {
    const s = summarize(results);
    const all = Object.values(s);
    const minutes = all.reduce((a, x) => a + x.okAudioMinutes, 0);
    const seconds = all.reduce((a, x) => a + x.computeSeconds, 0);
    const failed = all.reduce((a, x) => a + x.nFailed, 0);
    const cases = all.reduce((a, x) => a + x.nCases, 0);
    lines.push(
      `| ${method} | ${f(s.overall?.acc50)} | ${f(s.overall?.acc100)} | ${f(s.overall?.acc200)} | ${f(s.structure?.acc100)} | ${s.multi ? `${f(s.multi.acc50)} / ${f(s.multi.acc100)} / ${f(s.multi.acc200)}` : '–'} | ${s.multi ? `${f(s.multi.jumpRecall)} / ${f(s.multi.jumpPrecision)}` : '–'} | ${minutes > 0 ? (seconds / minutes).toFixed(2) : '–'} | ${failed} / ${cases} |`,
    );
  }
  return lines.join('\n');
}

/** Markdown per-set detail: every margin for every set and method. */
export function markdownDetail(byMethod: Record<string, readonly CaseResult[]>): string {
  const lines = [
    '| method | set | cases | audio min | <50 ms | <100 ms | <200 ms | median of case medians (ms) | jumps recall / precision | failed |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [method, results] of Object.entries(byMethod)) {
    for (const [set, s] of Object.entries(summarize(results))) {
      const med = results
        .filter((r) => r.set === set && Number.isFinite(r.medianErrMs))
        .map((r) => r.medianErrMs)
        .sort((a, b) => a - b);
      const m = med.length
        ? med.length % 2
          ? med[med.length >> 1]
          : (med[med.length / 2 - 1] + med[med.length / 2]) / 2
        : NaN;
      lines.push(
        `| ${method} | ${set} | ${s.nCases} | ${s.audioMinutes.toFixed(1)} | ${s.acc50.toFixed(1)} | ${s.acc100.toFixed(1)} | ${s.acc200.toFixed(1)} | ${Number.isFinite(m) ? m.toFixed(0) : '–'} | ${s.jumpCounts.nTrue || s.jumpCounts.nPred ? `${s.jumpRecall.toFixed(1)} / ${s.jumpPrecision.toFixed(1)} (${s.jumpCounts.nMatched} of ${s.jumpCounts.nTrue}, ${s.jumpCounts.nPred} found)` : '–'} | ${s.nFailed} |`,
      );
    }
  }
  return lines.join('\n');
}

interface PyManifestResult {
  cases: Record<string, { acc50: number; acc100: number; acc200: number; n_beats: number; status: string }>;
}

/**
 * Scores `predDir` with the official score.py and compares it with `results` case by case.
 * Returns the cases that disagree by more than `tol` (percentage points).
 */
export function crossCheck(
  manifestPath: string,
  predDir: string,
  results: readonly CaseResult[],
  tol = 1e-6,
): string[] {
  const out = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import json,sys\nsys.path.insert(0, sys.argv[1])\nimport score\nprint(json.dumps(score.score_manifest(sys.argv[2], sys.argv[3])))',
      dirname(SCORE_PY),
      manifestPath,
      predDir,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const py = JSON.parse(out) as PyManifestResult;
  const bad: string[] = [];
  for (const r of results) {
    const p = py.cases[r.id];
    if (!p) {
      bad.push(`${r.id}: not scored by score.py`);
      continue;
    }
    const d = Math.max(
      Math.abs(p.acc50 - r.acc50),
      Math.abs(p.acc100 - r.acc100),
      Math.abs(p.acc200 - r.acc200),
    );
    if (!(d <= tol))
      bad.push(
        `${r.id}: score.py ${p.acc50.toFixed(3)}/${p.acc100.toFixed(3)}/${p.acc200.toFixed(3)} vs ours ${r.acc50.toFixed(3)}/${r.acc100.toFixed(3)}/${r.acc200.toFixed(3)}`,
      );
  }
  return bad;
}

/** Path of a case's prediction CSV in a prediction folder (`<dir>/<id>.csv`, as score.py expects). */
export function predPath(predDir: string, id: string): string {
  return join(predDir, `${id}.csv`);
}
