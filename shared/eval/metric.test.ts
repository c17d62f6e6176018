/**
 * The TypeScript port of the official scorer against what the scorer itself says. The figures are
 * committed (`fixtures/reference-scores.json`, inputs in `fixtures/reference/`), so this runs on a
 * bare clone, without `../shared/eval/score.py` or Python: they were written by
 * `electron/tools/eval/referenceScores.ts` (rerun it after changing the cases or when score.py changes:
 * `npm run build && node dist/node/electron/tools/eval/referenceScores.js --scorer PATH/score.py`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReferenceFixture } from '../../electron/tools/eval/referenceScores.js';
import { beatErrors, parseGtCsv, parsePredCsv, parsePyFloat, scoreCase, type CaseScore } from './metric.js';

const REGENERATE = 'regenerate with `node dist/node/electron/tools/eval/referenceScores.js` (see its header)';
const fixtureUrl = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);
const fixture = JSON.parse(readFileSync(fixtureUrl('reference-scores.json'), 'utf8')) as ReferenceFixture;
const checked = new Set<string>();

type Reference = ReferenceFixture['cases'][number];

/** Reads a committed input, checking it is the file the reference figures were computed on. */
function input(c: Reference, which: 'gt' | 'pred'): string {
  const text = readFileSync(fixtureUrl(c[which]), 'utf8');
  const sha = createHash('sha256').update(text).digest('hex');
  expect(sha, `${c[which]} differs from the file score.py scored: ${REGENERATE}`).toBe(
    which === 'gt' ? c.gtSha256 : c.predSha256,
  );
  return text;
}

/** Scores the committed case `name` with the TS metric and compares it with score.py's committed figures. */
function expectSame(name: string): { ts: CaseScore; ref: Reference } {
  const ref = fixture.cases.find((c) => c.name === name);
  if (!ref) throw new Error(`no case "${name}" in fixtures/reference-scores.json: ${REGENERATE}`);
  checked.add(name);
  const gtText = input(ref, 'gt');
  const predText = input(ref, 'pred');
  const py = ref.score;
  const ts = scoreCase(parseGtCsv(gtText), parsePredCsv(predText));
  expect(ts.nBeats).toBe(py.n_beats);
  expect(Math.abs(ts.acc50 - py.acc50)).toBeLessThan(1e-9);
  expect(Math.abs(ts.acc100 - py.acc100)).toBeLessThan(1e-9);
  expect(Math.abs(ts.acc200 - py.acc200)).toBeLessThan(1e-9);
  if (py.median_err_ms !== undefined) expect(Math.abs(ts.medianErrMs - py.median_err_ms)).toBeLessThan(1e-9);
  else expect(ts.medianErrMs).toBeNaN();
  if (ref.errors) {
    const pred = parsePredCsv(predText).sort((a, b) => a.perfTime - b.perfTime);
    const errs = beatErrors(
      parseGtCsv(gtText),
      pred.map((x) => x.perfTime),
      pred.map((x) => x.scoreTime),
    );
    expect(errs.length).toBe(ref.errors.length);
    errs.forEach((e, i) => expect(Math.abs(e - (ref.errors as number[])[i]), `beat ${i}`).toBeLessThan(1e-9));
  }
  return { ts, ref };
}

describe('parsePyFloat', () => {
  it('accepts what Python float() accepts and rejects the rest', () => {
    expect(fixture.pyFloat.length).toBeGreaterThan(10);
    for (const { text: s, repr } of fixture.pyFloat) {
      const v = parsePyFloat(s);
      if (repr === null) expect(v, s).toBeUndefined();
      else if (repr === 'nan') expect(v, s).toBeNaN();
      else expect(v, s).toBe(repr === 'inf' ? Infinity : repr === '-inf' ? -Infinity : Number(repr));
    }
  });
});

describe('scoreCase matches score.py (committed reference figures)', () => {
  it('a continuous performance with a noisy dense prediction', () => {
    const { ts } = expectSame('continuous');
    expect(ts.acc200).toBeGreaterThan(ts.acc50);
    expect(ts.acc200).toBeLessThan(100.000001);
  });

  it('a repeat and a skip in the GT, a prediction with the same jumps', () => {
    const { ts } = expectSame('repeat-skip');
    expect(ts.acc200).toBeGreaterThan(50);
  });

  it('a prediction that misses the jumps (monotone) scores lower on the jumped passes', () => {
    const { ts } = expectSame('monotone');
    expect(ts.acc200).toBeLessThan(50);
  });

  it('a prediction that starts after and ends before the GT range (clamped ends)', () => {
    const { ts } = expectSame('clamped-ends');
    expect(ts.acc200).toBeLessThan(95);
  });

  it('an unsorted prediction with duplicate times (vertical steps) and extra columns', () => {
    expectSame('unsorted-duplicates');
  });

  it('GT without a segment column splits passes by the jump rule; one-beat passes extrapolate', () => {
    expectSame('no-segment');
    expectSame('one-beat-pass');
  });

  it('a sparse prediction with steps near the jump thresholds', () => {
    expectSame('sparse-steps');
  });

  it('a prediction offset in score time, so beats map beyond the ends of their passes', () => {
    expectSame('offset');
  });

  it('a prediction with no usable rows scores 0', () => {
    const { ts, ref } = expectSame('no-rows');
    expect(ref.score.status).toBe('no valid rows');
    expect(ts.acc200).toBe(0);
  });

  it('every committed case is checked above', () => {
    expect([...checked].sort()).toEqual(fixture.cases.map((c) => c.name).sort());
  });
});
