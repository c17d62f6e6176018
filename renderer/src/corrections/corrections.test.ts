// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AccordError } from '../../../shared/ipc';
import type { CorrectionsState, EditOutcome } from '../../../shared/ipc';
import type { Corrections, EditOp } from '../../../shared/edit/index';
import { apply as applyOp, emptyCorrections } from '../../../shared/edit/index';
import type { Score } from '../../../shared/score';
import { fakeApi } from '../state/fakeApi.testutil';
import { parseBarBeat } from './barBeat';
import { CorrectionsEditor } from './corrections.svelte';
import { scorePick } from './pick.svelte';

const grid: Pick<Score, 'beats' | 'measures'> = {
  measures: [
    { index: 0, number: '1', start: 0, end: 1.5, timeSignature: [3, 4] },
    { index: 1, number: '2', start: 1.5, end: 3, timeSignature: [3, 4] },
  ],
  beats: [0, 1, 2, 3, 4, 5].map((k) => ({
    time: k * 0.5,
    measure: Math.floor(k / 3),
    beat: (k % 3) + 1,
    downbeat: k % 3 === 0,
    label: `${Math.floor(k / 3) + 1}.${(k % 3) + 1}`,
  })),
};

describe('parseBarBeat', () => {
  it('reads bar.beat and bare bars by the printed numbers; null for what the score lacks', () => {
    expect(parseBarBeat(grid, '2.2')).toBe(2);
    expect(parseBarBeat(grid, ' 2 ')).toBe(1.5);
    expect(parseBarBeat(grid, '1.3')).toBe(1);
    expect(parseBarBeat(grid, '3.1')).toBeNull();
    expect(parseBarBeat(grid, '1.4')).toBeNull();
    expect(parseBarBeat(grid, 'x')).toBeNull();
  });
});

/**
 * A main side that keeps a real log: ops applied with `shared/edit`, undo pops them. `running` is
 * the `realign` job `corrections:get` reports (one main resumed on opening the project).
 */
function fakeMain(main: { running: string | null } = { running: null }) {
  let log: EditOp[] = [];
  let cursor = 0;
  const corrections = (): Corrections => log.slice(0, cursor).reduce(applyOp, emptyCorrections());
  const state = (): CorrectionsState => ({
    corrections: corrections(),
    entries: log.length,
    cursor,
    canUndo: cursor > 0,
    canRedo: cursor < log.length,
    realignJobId: main.running,
  });
  let jobs = 0;
  const outcome = (job: boolean): EditOutcome => ({
    state: state(),
    alignment: null,
    jobId: job ? `r${++jobs}` : null,
  });
  return fakeApi({
    corrections: {
      get: () => state(),
      apply: (_id, op) => {
        if (op.type === 'insert-jump' && op.jump.perfTime > 100)
          throw new Error(new AccordError('invalid-argument', 'perfTime past the end').toWireMessage());
        log = [...log.slice(0, cursor), op];
        cursor = log.length;
        return outcome(true);
      },
      undo: () => {
        cursor -= 1;
        return outcome(false);
      },
      redo: () => {
        cursor += 1;
        return outcome(false);
      },
      realign: () => outcome(log.length > 0),
    },
    job: { cancel: () => true },
    review: { regions: () => [{ perfStart: 3, perfEnd: 5, meanConfidence: 0.2, minConfidence: 0.1 }] },
  });
}

describe('CorrectionsEditor', () => {
  it('inserts a jump, undoes and redoes it, and keeps the review regions', async () => {
    const { api, calls } = fakeMain();
    const ed = new CorrectionsEditor(api);
    await ed.load(7);
    expect(ed.state?.canUndo).toBe(false);
    expect(ed.regions).toHaveLength(1);
    expect(await ed.insertJump(14.07, 0)).toBe(true);
    expect(ed.state?.corrections.jumps).toMatchObject([{ perfTime: 14.07, toScoreTime: 0 }]);
    expect(await ed.undo()).toBe(true);
    expect(ed.state).toMatchObject({ cursor: 0, canRedo: true });
    expect(ed.state?.corrections.jumps).toEqual([]);
    expect(await ed.redo()).toBe(true);
    expect(ed.state?.corrections.jumps).toHaveLength(1);
    expect(await ed.redo()).toBe(false);
    expect(calls.filter((c) => c === 'corrections.redo')).toHaveLength(1);
    ed.destroy();
  });

  it('orders a marked region and shows main’s error without the wire tag', async () => {
    const { api } = fakeMain();
    const ed = new CorrectionsEditor(api);
    await ed.load(1);
    await ed.markRegion('not-in-score', 9, 4);
    expect(ed.state?.corrections.regions).toMatchObject([{ perfStart: 4, perfEnd: 9, kind: 'not-in-score' }]);
    expect(await ed.insertJump(500, 0)).toBe(false);
    expect(ed.error).toBe('perfTime past the end');
    ed.destroy();
  });
});

describe('CorrectionsEditor and the re-alignment jobs', () => {
  it('is re-aligning from the edit until its job ends, takes the next edit meanwhile, and shows a failure but not a supersede', async () => {
    const { api, emit, calls } = fakeMain();
    const ed = new CorrectionsEditor(api);
    await ed.load(7);
    expect(await ed.realign()).toBe(true);
    expect(ed.notice).toMatch(/^Nothing to re-align/);
    expect(await ed.insertJump(10, 0)).toBe(true);
    expect(ed.busy).toBe(false);
    expect(ed.realigning).toBe(true);
    // Another project's job, or an alignment run, changes nothing here.
    emit('job:done', {
      jobId: 'r1',
      projectId: 8,
      kind: 'realign',
      result: { alignmentId: 1, version: 1, timings: {}, warnings: [] },
    });
    emit('job:failed', { jobId: 'a1', projectId: 7, kind: 'alignment', error: { code: 'io', message: 'x' } });
    expect(ed.realigning).toBe(true);
    expect(ed.error).toBeNull();
    // The next edit is taken while r1 runs; main supersedes r1.
    expect(await ed.insertJump(20, 0)).toBe(true);
    emit('job:failed', {
      jobId: 'r1',
      projectId: 7,
      kind: 'realign',
      error: { code: 'cancelled', message: 'superseded by a newer edit of the project' },
    });
    expect(ed.realigning).toBe(true);
    expect(ed.error).toBeNull();
    await ed.cancelRealign();
    expect(calls).toContain('job.cancel');
    emit('job:done', {
      jobId: 'r2',
      projectId: 7,
      kind: 'realign',
      result: { alignmentId: 2, version: 2, timings: {}, warnings: [] },
    });
    expect(ed.realigning).toBe(false);
    // A job that ends before its call answers is not waited for.
    emit('job:failed', {
      jobId: 'r3',
      projectId: 7,
      kind: 'realign',
      error: { code: 'internal', message: 'the re-alignment worker stopped' },
    });
    expect(ed.error).toBe('Re-alignment failed: the re-alignment worker stopped');
    expect(await ed.addAnchor({ perfTime: 5, scoreTime: 4 })).toBe(true);
    expect(ed.realigning).toBe(false);
    ed.destroy();
  });
});

describe('CorrectionsEditor and a re-alignment resumed on opening', () => {
  it('is re-aligning from the load until that job ends', async () => {
    const main = { running: 'r0' as string | null };
    const { api, emit } = fakeMain(main);
    const ed = new CorrectionsEditor(api);
    await ed.load(7);
    expect(ed.realigning).toBe(true);
    main.running = null;
    emit('job:done', {
      jobId: 'r0',
      projectId: 7,
      kind: 'realign',
      result: { alignmentId: 3, version: 3, timings: {}, warnings: [] },
    });
    expect(ed.realigning).toBe(false);
    // A state read before the job ended, answered after its end, does not bring it back.
    main.running = 'r0';
    await ed.refresh();
    expect(ed.realigning).toBe(false);
    ed.destroy();
  });
});

describe('scorePick', () => {
  it('takes one note click while armed, then lets clicks seek again', () => {
    const picked: number[] = [];
    expect(scorePick.offer([1])).toBe(false);
    scorePick.arm((t) => picked.push(t));
    expect(scorePick.offer([2.5, 3])).toBe(true);
    expect(scorePick.offer([4])).toBe(false);
    expect(picked).toEqual([2.5]);
  });
});
