import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  beatErrors,
  parseGtCsv,
  parsePredCsv,
  parsePyFloat,
  scoreCase,
  type GtRow,
  type PredRow,
} from './metric.js';

const SCORE_PY = fileURLToPath(new URL('../../../shared/eval/score.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-metric-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PyResult {
  acc50: number;
  acc100: number;
  acc200: number;
  n_beats: number;
  median_err_ms?: number;
  status: string;
  errors?: number[] | null;
}

let n = 0;
function scorePy(gtText: string, predText: string): PyResult {
  n++;
  const gt = join(dir, `gt${n}.csv`);
  const pred = join(dir, `pred${n}.csv`);
  writeFileSync(gt, gtText);
  writeFileSync(pred, predText);
  const out = execFileSync('/usr/bin/python3', [SCORE_PY, '--gt', gt, '--pred', pred], { encoding: 'utf8' });
  const res = JSON.parse(out) as PyResult;
  const errs = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import json,sys\nsys.path.insert(0, sys.argv[1])\nimport score\nt,s,g=score.load_gt(sys.argv[2])\np,q,st=score.load_pred(sys.argv[3])\nprint(json.dumps(score.beat_errors(t,s,g,p,q).tolist() if p is not None else None))',
      dirname(SCORE_PY),
      gt,
      pred,
    ],
    { encoding: 'utf8' },
  );
  res.errors = JSON.parse(errs) as number[] | null;
  return res;
}

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

/** Compares the TS metric on parsed text with score.py on the same files. */
function expectSame(gtText: string, predText: string): PyResult {
  const py = scorePy(gtText, predText);
  const ts = scoreCase(parseGtCsv(gtText), parsePredCsv(predText));
  expect(ts.nBeats).toBe(py.n_beats);
  expect(Math.abs(ts.acc50 - py.acc50)).toBeLessThan(1e-9);
  expect(Math.abs(ts.acc100 - py.acc100)).toBeLessThan(1e-9);
  expect(Math.abs(ts.acc200 - py.acc200)).toBeLessThan(1e-9);
  if (py.median_err_ms !== undefined) expect(Math.abs(ts.medianErrMs - py.median_err_ms)).toBeLessThan(1e-9);
  else expect(ts.medianErrMs).toBeNaN();
  if (py.errors) {
    const pred = parsePredCsv(predText).sort((a, b) => a.perfTime - b.perfTime);
    const errs = beatErrors(
      parseGtCsv(gtText),
      pred.map((x) => x.perfTime),
      pred.map((x) => x.scoreTime),
    );
    expect(errs.length).toBe(py.errors.length);
    errs.forEach((e, i) => expect(Math.abs(e - (py.errors as number[])[i]), `beat ${i}`).toBeLessThan(1e-9));
  }
  return py;
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

describe('parsePyFloat', () => {
  it('accepts what Python float() accepts and rejects the rest', () => {
    const samples = [
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
    const py = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          'import json,sys\ndef f(s):\n try: return repr(float(s))\n except ValueError: return None\nprint(json.dumps([f(s) for s in json.loads(sys.argv[1])]))',
          JSON.stringify(samples),
        ],
        { encoding: 'utf8' },
      ),
    ) as (string | null)[];
    samples.forEach((s, i) => {
      const v = parsePyFloat(s);
      if (py[i] === null) expect(v, s).toBeUndefined();
      else if (py[i] === 'nan') expect(v, s).toBeNaN();
      else expect(v, s).toBe(py[i] === 'inf' ? Infinity : py[i] === '-inf' ? -Infinity : Number(py[i]));
    });
  });
});

describe('scoreCase matches score.py', () => {
  it('a continuous performance with a noisy dense prediction', () => {
    const r = rng(1);
    const gt = makeGt(r, [[0, 120]]);
    const pred = densePred(r, gt, 0.15, 0, gt[gt.length - 1].perfTime + 1);
    const py = expectSame(gtCsv(gt, true), predCsv(pred));
    expect(py.acc200).toBeGreaterThan(py.acc50);
    expect(py.acc200).toBeLessThan(100.000001);
  });

  it('a repeat and a skip in the GT, a prediction with the same jumps', () => {
    const r = rng(2);
    const gt = makeGt(r, [
      [0, 40],
      [10, 30],
      [40, 25],
    ]);
    const pred = densePred(r, gt, 0.08, 0, gt[gt.length - 1].perfTime + 0.5);
    const py = expectSame(gtCsv(gt, true), predCsv(pred));
    expect(py.acc200).toBeGreaterThan(50);
  });

  it('a prediction that misses the jumps (monotone) scores lower on the jumped passes', () => {
    const r = rng(3);
    const gt = makeGt(r, [
      [0, 30],
      [5, 30],
    ]);
    const t1 = gt[gt.length - 1].perfTime;
    const pred: PredRow[] = [];
    for (let t = 0; t < t1; t += 0.05) pred.push({ perfTime: t, scoreTime: (t / t1) * 17 });
    expectSame(gtCsv(gt, true), predCsv(pred));
  });

  it('a prediction that starts after and ends before the GT range (clamped ends)', () => {
    const r = rng(4);
    const gt = makeGt(r, [[2, 60]]);
    const full = densePred(r, gt, 0.02, 0, gt[gt.length - 1].perfTime + 1);
    const mid = full.filter((x) => x.perfTime > gt[8].perfTime && x.perfTime < gt[50].perfTime);
    const py = expectSame(gtCsv(gt, true), predCsv(mid));
    expect(py.acc200).toBeLessThan(95);
  });

  it('an unsorted prediction with duplicate times (vertical steps) and extra columns', () => {
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
    const text = [
      'score_time;conf;perf_time',
      ...shuffled.map((x) => `${x.scoreTime};0.5;${x.perfTime}`),
      'junk;line',
      'nan;1;2',
    ].join('\n');
    expectSame(gtCsv(gt, true), text);
  });

  it('GT without a segment column splits passes by the jump rule; one-beat passes extrapolate', () => {
    const r = rng(6);
    const gt = makeGt(r, [
      [0, 20],
      [30, 1],
      [4, 20],
    ]);
    const pred = densePred(r, gt, 0.3, 0.1, gt[gt.length - 1].perfTime);
    expectSame(gtCsv(gt, false), predCsv(pred));
    expectSame(
      gtCsv(gt, true),
      predCsv(pred.map((x) => ({ perfTime: x.perfTime, scoreTime: x.scoreTime + 0.7 }))),
    );
  });

  it('a sparse prediction with steps near the jump thresholds', () => {
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
    expectSame(gtCsv(gt, true), predCsv(pred));
  });

  it('a prediction offset in score time, so beats map beyond the ends of their passes', () => {
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
    expectSame(gtCsv(gt, true), predCsv(pred));
  });

  it('a prediction with no usable rows scores 0', () => {
    const r = rng(7);
    const gt = makeGt(r, [[0, 10]]);
    const py = expectSame(gtCsv(gt, true), 'perf_time,score_time\nx,y\n');
    expect(py.acc200).toBe(0);
  });
});
