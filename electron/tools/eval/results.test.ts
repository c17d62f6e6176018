import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markdownSummary, scoreFiles, summarize, type CaseResult } from './results.js';

const dir = mkdtempSync(join(tmpdir(), 'accord-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scoreFiles', () => {
  const gt = join(dir, 'gt.csv');
  writeFileSync(gt, 'perf_time,score_time,segment\n1,0,0\n2,1,0\n3,2,0\n4,3,0\n');

  it('gives 0 with the reason for missing, empty and row-less predictions', () => {
    expect(scoreFiles(gt, join(dir, 'nope.csv'))).toMatchObject({ status: 'missing', acc200: 0, nBeats: 4 });
    writeFileSync(join(dir, 'empty.csv'), ' \n');
    expect(scoreFiles(gt, join(dir, 'empty.csv'))).toMatchObject({ status: 'empty', acc200: 0 });
    writeFileSync(join(dir, 'junk.csv'), 'perf_time,score_time\na,b\n');
    expect(scoreFiles(gt, join(dir, 'junk.csv'))).toMatchObject({ status: 'no valid rows', acc200: 0 });
  });

  it('scores a prediction 60 ms late on half the beats', () => {
    writeFileSync(
      join(dir, 'p.csv'),
      'perf_time,score_time\n0,-1\n1,0\n2,1\n2.5,1.5\n3.06,2\n4.06,3\n5.06,4\n',
    );
    const r = scoreFiles(gt, join(dir, 'p.csv'));
    expect(r.status).toBe('ok');
    expect(r.acc50).toBe(50);
    expect(r.acc100).toBe(100);
  });
});

describe('summaries', () => {
  const mk = (
    id: string,
    set: CaseResult['set'],
    acc: number,
    status = 'ok',
    jumps?: CaseResult['jumps'],
  ): CaseResult => ({
    id,
    set,
    status,
    acc50: acc,
    acc100: acc,
    acc200: acc,
    nBeats: 10,
    medianErrMs: 1,
    durationSeconds: 60,
    computeSeconds: status === 'ok' ? 3 : 100,
    ...(jumps ? { jumps } : {}),
  });

  it('averages cases per set, counts failures and measures speed on the cases that ran', () => {
    const rs = [mk('a', 'overall', 80), mk('b', 'overall', 0, 'error: boom'), mk('c', 'structure', 50)];
    const s = summarize(rs);
    expect(s.overall).toMatchObject({
      nCases: 2,
      nFailed: 1,
      acc100: 40,
      audioMinutes: 2,
      okAudioMinutes: 1,
      computeSeconds: 3,
    });
    const md = markdownSummary({ m: rs });
    expect(md).toContain('| m | 40.0 | 40.0 | 40.0 | 50.0 | – | – | 3.00 | 1 / 3 |');
  });

  it('sums jump counts over a set for recall and precision', () => {
    const rs = [
      mk('a', 'multi', 90, 'ok', { nTrue: 3, nPred: 2, nMatched: 2 }),
      mk('b', 'multi', 70, 'ok', { nTrue: 1, nPred: 3, nMatched: 1 }),
    ];
    const s = summarize(rs).multi;
    expect(s.jumpRecall).toBeCloseTo(75);
    expect(s.jumpPrecision).toBeCloseTo(60);
    expect(markdownSummary({ m: rs })).toContain('| 80.0 / 80.0 / 80.0 |');
    expect(markdownSummary({ m: rs })).toContain('| 75.0 / 60.0 |');
  });
});
