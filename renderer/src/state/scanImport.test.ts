// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { AccordError, type JobInfo, type ScanJobResult } from '../../../shared/ipc';
import { ScanImportState, scanDoneNotice, scanStageLabel } from './scanImport.svelte';
import { fakeApi } from './fakeApi.testutil';

const result: ScanJobResult = { pages: 2, boxes: 16, warnings: [] };

function setup(
  opts: { picked?: string[]; running?: JobInfo[]; importAnswer?: () => { jobId: string } } = {},
) {
  const imported: [number, string[]][] = [];
  const cancelled: string[] = [];
  const done: number[] = [];
  const fake = fakeApi({
    dialog: { pages: () => opts.picked ?? [] },
    scan: {
      import: (id: number, paths: string[]) => {
        imported.push([id, paths]);
        return opts.importAnswer ? opts.importAnswer() : { jobId: 's1' };
      },
    },
    job: {
      list: () => opts.running ?? [],
      cancel: (jobId: string) => (cancelled.push(jobId), true),
    },
  });
  const state = new ScanImportState(fake.api, (projectId) => done.push(projectId));
  return { ...fake, state, imported, cancelled, done };
}

describe('ScanImportState', () => {
  it('imports the picked pages as a job: progress of its own project only, then done re-fetches', async () => {
    const { state, emit, imported, done } = setup({ picked: ['/s/p1.png', '/s/p2.png'] });
    await state.setProject(7);
    expect(await state.start()).toBe(true);
    expect(imported).toEqual([[7, ['/s/p1.png', '/s/p2.png']]]);
    expect(state.job).toEqual({ jobId: 's1', stage: 'queued', fraction: 0 });
    emit('job:progress', { jobId: 'x', projectId: 9, kind: 'scan', stage: 'detect', fraction: 0.9 });
    emit('job:progress', { jobId: 'a', projectId: 7, kind: 'alignment', stage: 'align', fraction: 0.8 });
    expect(state.job?.fraction).toBe(0);
    emit('job:progress', { jobId: 's1', projectId: 7, kind: 'scan', stage: 'read', fraction: 0.25 });
    expect(state.job).toEqual({ jobId: 's1', stage: 'read', fraction: 0.25 });
    expect(await state.start()).toBe(false); // one import at a time
    emit('job:done', { jobId: 's1', projectId: 7, kind: 'scan', result });
    expect(state.job).toBeNull();
    expect(done).toEqual([7]);
    expect(state.notice).toBe('Imported 2 pages with 16 measure boxes.');
  });

  it('a cancelled dialog imports nothing', async () => {
    const { state, imported } = setup({ picked: [] });
    await state.setProject(7);
    expect(await state.start()).toBe(false);
    expect(imported).toEqual([]);
    expect(state.job).toBeNull();
  });

  it('a job that ended before scan:import answered is not shown as running', async () => {
    let emitNow: (() => void) | null = null;
    const { state, emit } = setup({
      importAnswer: () => {
        emitNow?.();
        return { jobId: 's2' };
      },
    });
    emitNow = () => emit('job:done', { jobId: 's2', projectId: 3, kind: 'scan', result });
    await state.setProject(3);
    expect(await state.start(['/d/page.pdf'])).toBe(true);
    expect(state.job).toBeNull();
    expect(state.notice).toMatch(/^Imported 2 pages/);
  });

  it('cancel asks main to cancel the job; cancelled and failed jobs end as data', async () => {
    const { state, emit, cancelled } = setup({ picked: ['/s/p.pdf'] });
    await state.setProject(7);
    await state.start();
    await state.cancel();
    expect(cancelled).toEqual(['s1']);
    emit('job:failed', {
      jobId: 's1',
      projectId: 7,
      kind: 'scan',
      error: { code: 'cancelled', message: 'the job was cancelled' },
    });
    expect(state.job).toBeNull();
    expect(state.notice).toBe('Import cancelled: the scan is as it was.');
    expect(state.error).toBeNull();
    await state.start();
    emit('job:failed', {
      jobId: 's1x',
      projectId: 7,
      kind: 'scan',
      error: { code: 'unsupported', message: 'p.pdf: expected a readable PDF' },
    });
    expect(state.error).toBe('The scan could not be imported: p.pdf: expected a readable PDF');
  });

  it("a refused import shows main's error and leaves no job", async () => {
    const { state } = setup({
      importAnswer: () => {
        throw new AccordError('busy', 'project 7 is already reading a scan');
      },
    });
    await state.setProject(7);
    expect(await state.start(['/s/p.png'])).toBe(false);
    expect(state.job).toBeNull();
    expect(state.error).toMatch(/already reading a scan/);
  });

  it('picks up an import the project is running already', async () => {
    const running: JobInfo = {
      jobId: 'r9',
      projectId: 5,
      kind: 'scan',
      stage: 'detect',
      fraction: 0.6,
      startedAt: 0,
    };
    const { state } = setup({ running: [running, { ...running, jobId: 'al', kind: 'alignment' }] });
    await state.setProject(5);
    expect(state.job).toEqual({ jobId: 'r9', stage: 'detect', fraction: 0.6 });
  });

  it('says what it does and what it found in words', () => {
    expect(scanStageLabel('read')).toBe('Reading the pages');
    expect(scanStageLabel('detect')).toBe('Finding systems and measures');
    expect(scanDoneNotice({ pages: 1, boxes: 1, warnings: ['x'] })).toBe(
      'Imported 1 page with 1 measure box: see the warnings below.',
    );
  });
});
