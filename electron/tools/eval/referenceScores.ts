/**
 * Writes the reference fixture of `shared/eval/metric.test.ts`: synthetic ground-truth and
 * prediction CSVs (`shared/eval/fixtures/reference/<case>.{gt,pred}.csv`) and what the official
 * scorer says about them (`shared/eval/fixtures/reference-scores.json`: score.py's `score_case`
 * output, its per-beat errors, and Python's `float()` on the number spellings the parser must
 * agree on). The test compares the TypeScript metric with these figures, so it needs neither the
 * scorer nor Python. Rerun this after changing the cases or when the scorer changes:
 *
 *   npm run build && node dist/node/electron/tools/eval/referenceScores.js [--scorer ../shared/eval/score.py]
 *       [--python /usr/bin/python3]
 *
 * The cases are deterministic (seeded), so a rerun with the same scorer rewrites the same files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GtRow, PredRow } from '../../../shared/eval/metric.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import { repoRoot, sharedSibling } from '../../engine/repoRoot.js';
import { seededRandom as rng } from '../../../shared/random.js';

/** One case of the fixture: a GT and a prediction, as CSV text. */
interface ReferenceCase {
  name: string;
  title: string;
  gt: string;
  pred: string;
}

/** score.py's `score_case` output for one case (accuracies in percent). */
export interface PyScore {
  acc50: number;
  acc100: number;
  acc200: number;
  n_beats: number;
  median_err_ms?: number;
  status: string;
}

/** The fixture file, `shared/eval/fixtures/reference-scores.json`. */
export interface ReferenceFixture {
  about: string;
  scorerSha256: string;
  /** Python's `repr(float(text))`, or null where `float()` raises ValueError. */
  pyFloat: { text: string; repr: string | null }[];
  cases: {
    name: string;
    title: string;
    /** Paths relative to the fixture file. */
    gt: string;
    pred: string;
    gtSha256: string;
    predSha256: string;
    score: PyScore;
    /** score.py's `beat_errors` (seconds, GT order), null where the prediction has no usable rows. */
    errors: number[] | null;
  }[];
}

/** Number spellings that Python's float() accepts or rejects: the prediction parser must agree. */
const PY_FLOAT_SAMPLES = [
  '1',
  '-2.5',
  '.5',
  '5.',
  '1e3',
  '1.5E-2',
  '+3',
  '1_000.5',
  'inf',
  '-Infinity',
  'nan',
  '',
  'abc',
  '0x10',
  '1e',
  '.',
  '1__0',
  '_1',
];

function gtCsv(rows: GtRow[], withSegment: boolean): string {
  const head = withSegment ? 'perf_time,score_time,segment' : 'perf_time,score_time';
  return (
    [head, ...rows.map((r) => [r.perfTime, r.scoreTime, ...(withSegment ? [r.segment] : [])].join(','))].join(
      '\n',
    ) + '\n'
  );
}

function predCsv(rows: PredRow[]): string {
  return ['perf_time,score_time', ...rows.map((r) => `${r.perfTime},${r.scoreTime}`)].join('\n') + '\n';
}

/** Beats of a performance with rubato: `passes` are [scoreStart, beats] ranges played in order. */
function makeGt(r: () => number, passes: [number, number][], beatScore = 0.5): GtRow[] {
  const rows: GtRow[] = [];
  let t = 0.3 + r();
  passes.forEach(([s0, beats], g) => {
    for (let b = 0; b < beats; b++) {
      rows.push({ perfTime: t, scoreTime: s0 + b * beatScore, segment: g });
      t += beatScore * (0.7 + 0.6 * r());
    }
  });
  return rows;
}

/** A dense prediction following the GT passes with noise, hop 23.2 ms; jumps where the GT jumps. */
function densePred(r: () => number, gt: GtRow[], noiseS: number, t0: number, t1: number): PredRow[] {
  const hop = 512 / 22050;
  const out: PredRow[] = [];
  let k = 0;
  for (let t = t0; t < t1; t += hop) {
    while (k < gt.length - 2 && gt[k + 1].perfTime <= t) k++;
    const a = gt[k];
    const b = gt[k + 1];
    const same = a.segment === b.segment;
    const s =
      same || t < b.perfTime
        ? a.scoreTime + ((b.scoreTime - a.scoreTime) * (t - a.perfTime)) / (b.perfTime - a.perfTime)
        : b.scoreTime;
    out.push({
      perfTime: t,
      scoreTime: (same ? s : a.scoreTime + (t - a.perfTime)) + noiseS * (r() - 0.5) * 2,
    });
  }
  return out;
}

/** The cases, each from its own seed (the ones `metric.test.ts` used to generate and score live). */
function referenceCases(): ReferenceCase[] {
  const cases: ReferenceCase[] = [];
  const add = (name: string, title: string, gt: string, pred: string): void => {
    cases.push({ name, title, gt, pred });
  };
  {
    const r = rng(1);
    const gt = makeGt(r, [[0, 120]]);
    const pred = densePred(r, gt, 0.15, 0, gt[gt.length - 1].perfTime + 1);
    add(
      'continuous',
      'a continuous performance with a noisy dense prediction',
      gtCsv(gt, true),
      predCsv(pred),
    );
  }
  {
    const r = rng(2);
    const gt = makeGt(r, [
      [0, 40],
      [10, 30],
      [40, 25],
    ]);
    const pred = densePred(r, gt, 0.08, 0, gt[gt.length - 1].perfTime + 0.5);
    add(
      'repeat-skip',
      'a repeat and a skip in the GT, a prediction with the same jumps',
      gtCsv(gt, true),
      predCsv(pred),
    );
  }
  {
    const r = rng(3);
    const gt = makeGt(r, [
      [0, 30],
      [5, 30],
    ]);
    const t1 = gt[gt.length - 1].perfTime;
    const pred: PredRow[] = [];
    for (let t = 0; t < t1; t += 0.05) pred.push({ perfTime: t, scoreTime: (t / t1) * 17 });
    add('monotone', 'a prediction that misses the jumps (monotone)', gtCsv(gt, true), predCsv(pred));
  }
  {
    const r = rng(4);
    const gt = makeGt(r, [[2, 60]]);
    const full = densePred(r, gt, 0.02, 0, gt[gt.length - 1].perfTime + 1);
    const mid = full.filter((x) => x.perfTime > gt[8].perfTime && x.perfTime < gt[50].perfTime);
    add(
      'clamped-ends',
      'a prediction that starts after and ends before the GT range',
      gtCsv(gt, true),
      predCsv(mid),
    );
  }
  {
    const r = rng(5);
    const gt = makeGt(r, [
      [0, 25],
      [3, 20],
    ]);
    const pred = densePred(r, gt, 0.05, 0, gt[gt.length - 1].perfTime + 0.3);
    for (let i = 0; i < 15; i++) {
      const k = Math.floor(r() * pred.length);
      pred.splice(k, 0, { perfTime: pred[k].perfTime, scoreTime: pred[k].scoreTime + 0.4 });
    }
    const shuffled = pred
      .map((x) => ({ x, k: r() }))
      .sort((a, b) => a.k - b.k)
      .map((o) => o.x);
    const text =
      [
        'score_time;conf;perf_time',
        ...shuffled.map((x) => `${x.scoreTime};0.5;${x.perfTime}`),
        'junk;line',
        'nan;1;2',
      ].join('\n') + '\n';
    add(
      'unsorted-duplicates',
      'an unsorted prediction with duplicate times (vertical steps), extra columns and junk lines',
      gtCsv(gt, true),
      text,
    );
  }
  {
    const r = rng(6);
    const gt = makeGt(r, [
      [0, 20],
      [30, 1],
      [4, 20],
    ]);
    const pred = densePred(r, gt, 0.3, 0.1, gt[gt.length - 1].perfTime);
    add(
      'no-segment',
      'GT without a segment column: passes split by the jump rule',
      gtCsv(gt, false),
      predCsv(pred),
    );
    add(
      'one-beat-pass',
      'GT with a one-beat pass (extrapolated at the median tempo), a prediction 0.7 s ahead in the score',
      gtCsv(gt, true),
      predCsv(pred.map((x) => ({ perfTime: x.perfTime, scoreTime: x.scoreTime + 0.7 }))),
    );
  }
  {
    const r = rng(8);
    const gt = makeGt(r, [
      [0, 50],
      [8, 40],
    ]);
    const pred: PredRow[] = [];
    let q = 0;
    for (let t = 0; t < gt[gt.length - 1].perfTime + 2; t += 0.5) {
      pred.push({ perfTime: t, scoreTime: q });
      const u = r();
      q += u < 0.3 ? -0.25 + (r() - 0.5) * 0.2 : u < 0.6 ? 3 + (r() - 0.5) * 1 : 0.5 * (0.5 + r());
    }
    add(
      'sparse-steps',
      'a sparse prediction with steps near the jump thresholds',
      gtCsv(gt, true),
      predCsv(pred),
    );
  }
  {
    const r = rng(9);
    const gt = makeGt(r, [
      [0, 12],
      [1, 12],
      [20, 2],
    ]);
    const pred = densePred(r, gt, 0, 0, gt[gt.length - 1].perfTime + 1).map((x) => ({
      perfTime: x.perfTime,
      scoreTime: x.scoreTime + 1.3,
    }));
    add(
      'offset',
      'a prediction offset in score time, so beats map beyond the ends of their passes',
      gtCsv(gt, true),
      predCsv(pred),
    );
  }
  {
    const r = rng(7);
    const gt = makeGt(r, [[0, 10]]);
    add('no-rows', 'a prediction with no usable rows', gtCsv(gt, true), 'perf_time,score_time\nx,y\n');
  }
  return cases;
}

/** `text` as the repository's prettier would write `path` (so `npm run format:check` passes on it); as is where prettier is not installed. */
async function asPrettierWrites(path: string, text: string): Promise<string> {
  const prettier = await import('prettier').catch(() => undefined);
  if (!prettier) return text;
  return prettier.format(text, { ...(await prettier.resolveConfig(path)), filepath: path });
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scorer: { type: 'string', default: sharedSibling('eval', 'score.py') },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const scorer = resolve(values.scorer);
  const python = values.python;
  if (!existsSync(scorer))
    throw new Error(`--scorer: expected the official score.py at ${scorer}, found nothing there`);
  const fixtureDir = join(repoRoot(), 'shared/eval/fixtures');
  const caseDir = join(fixtureDir, 'reference');
  mkdirSync(caseDir, { recursive: true });
  for (const f of readdirSync(caseDir)) if (f.endsWith('.csv')) rmSync(join(caseDir, f));

  const run = (args: string[]): string =>
    execFileSync(python, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const pyFloat = JSON.parse(
    run([
      '-c',
      'import json,sys\ndef f(s):\n try: return repr(float(s))\n except ValueError: return None\nprint(json.dumps([f(s) for s in json.loads(sys.argv[1])]))',
      JSON.stringify(PY_FLOAT_SAMPLES),
    ]),
  ) as (string | null)[];

  const cases: ReferenceFixture['cases'] = [];
  for (const c of referenceCases()) {
    const gt = join(caseDir, `${c.name}.gt.csv`);
    const pred = join(caseDir, `${c.name}.pred.csv`);
    writeFileAtomicSync(gt, c.gt);
    writeFileAtomicSync(pred, c.pred);
    const score = JSON.parse(run([scorer, '--gt', gt, '--pred', pred])) as PyScore;
    const errors = JSON.parse(
      run([
        '-c',
        'import json,sys\nsys.path.insert(0, sys.argv[1])\nimport score\nt,s,g=score.load_gt(sys.argv[2])\np,q,st=score.load_pred(sys.argv[3])\nprint(json.dumps(score.beat_errors(t,s,g,p,q).tolist() if p is not None else None))',
        dirname(scorer),
        gt,
        pred,
      ]),
    ) as number[] | null;
    cases.push({
      name: c.name,
      title: c.title,
      gt: relative(fixtureDir, gt),
      pred: relative(fixtureDir, pred),
      gtSha256: sha256(readFileSync(gt, 'utf8')),
      predSha256: sha256(readFileSync(pred, 'utf8')),
      score,
      errors,
    });
    console.log(
      `${c.name}: ${score.n_beats} beats, ${score.acc50.toFixed(2)}/${score.acc100.toFixed(2)}/${score.acc200.toFixed(2)} % (${score.status})`,
    );
  }
  const fixture: ReferenceFixture = {
    about:
      'What the official scorer (../shared/eval/score.py) says about the CSVs in reference/; written by electron/tools/eval/referenceScores.ts, read by shared/eval/metric.test.ts. Regenerate: npm run build && node dist/node/electron/tools/eval/referenceScores.js [--scorer PATH]',
    scorerSha256: sha256(readFileSync(scorer, 'utf8')),
    pyFloat: PY_FLOAT_SAMPLES.map((text, i) => ({ text, repr: pyFloat[i] })),
    cases,
  };
  const out = join(fixtureDir, 'reference-scores.json');
  writeFileAtomicSync(out, await asPrettierWrites(out, JSON.stringify(fixture, null, 2) + '\n'));
  console.log(
    `wrote ${relative(repoRoot(), out)} and ${cases.length} cases in ${relative(repoRoot(), caseDir)}/`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
