// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { ProjectDetail } from '../../../shared/ipc';
import { AlignmentState, EXPORT_FORMAT_KEY, peaksPerSecond, storedExportFormat } from './alignment.svelte';
import { fakeApi } from './fakeApi.testutil';

const tick = () => new Promise((r) => setTimeout(r, 0));

function detail(id: number, aligned: boolean): ProjectDetail {
  const n = 80;
  const scoreTime = new Float64Array(n);
  for (let f = 0; f < n; f++) scoreTime[f] = (f % 40) * 0.1; // the piece played twice
  return {
    project: {
      id,
      title: 't',
      scoreName: 's.mid',
      recordingName: 'r.flac',
      durationSeconds: 8,
      createdAt: 0,
      updatedAt: 0,
      status: aligned ? 'aligned' : 'new',
      checkedFraction: 0,
    },
    recording: {
      path: '/r.flac',
      name: 'r.flac',
      sizeBytes: 1,
      mtimeMs: 0,
      sha256: '',
      durationSeconds: 8,
      sampleRate: 44100,
      channels: 1,
      mediaUrl: 'http://127.0.0.1/m',
      available: true,
    },
    scoreInfo: { name: 's.mid', originalPath: '/s.mid', format: 'midi', sizeBytes: 1, sha256: '' },
    score: { format: 'midi', duration: 4, notes: [], beats: [], measures: [], jumpPoints: [] },
    alignment: aligned
      ? {
          id: 1,
          projectId: id,
          version: 1,
          kind: 'automatic',
          method: 'dtw',
          createdAt: 0,
          path: {
            hopSeconds: 0.1,
            scoreTime,
            confidence: new Float32Array(n).fill(1),
            jumpFrames: [40],
            method: 'dtw',
          },
        }
      : null,
    alignments: [],
    viewState: null,
    practice: null,
  };
}

describe('AlignmentState', () => {
  it('opens an aligned project before its matrix image is ready, and shows the image when it comes', async () => {
    let release: (m: unknown) => void = () => undefined;
    const image = { width: 3, height: 2, pixels: new Uint8Array(6), perfSeconds: 8, scoreSeconds: 4 };
    const { api } = fakeApi({
      project: { get: (id: number) => detail(id, true), list: () => [detail(7, true).project] },
      recording: { peaks: () => ({ pointsPerSecond: 100, durationSeconds: 8, max: new Float32Array(800) }) },
      job: { list: () => [] },
      alignment: { matrix: () => new Promise((r) => (release = r)) },
    });
    const s = new AlignmentState(api);
    expect(await s.open(7)).toBe(true);
    expect(s.alignment?.version).toBe(1);
    expect(s.matrix).toBeNull();
    release(image);
    await tick();
    expect(s.matrix?.width).toBe(3);
    s.destroy();
  });

  it('runs a job: progress of the open project only, then refetches on done', async () => {
    let aligned = false;
    const { api, emit, calls } = fakeApi({
      project: {
        get: (id: number) => detail(id, aligned),
        list: () => [detail(7, false).project],
      },
      recording: {
        peaks: () => ({ pointsPerSecond: 100, durationSeconds: 8, max: new Float32Array(800) }),
      },
      job: { list: () => [], cancel: () => true },
      alignment: {
        run: () => ({ jobId: 'j1' }),
        matrix: () => ({
          width: 2,
          height: 2,
          pixels: new Uint8Array(4),
          perfSeconds: 8,
          scoreSeconds: 4,
        }),
      },
    });
    const s = new AlignmentState(api);
    expect(await s.open(7)).toBe(true);
    // the list gave the duration: the peaks were asked for once, alongside the detail
    expect(calls.filter((c) => c === 'recording.peaks')).toHaveLength(1);
    expect(s.peaks?.max.length).toBe(800);
    expect(s.alignment).toBeNull();
    expect(s.scoreTimeAt(1)).toBeNull();
    await s.align();
    expect(s.job?.jobId).toBe('j1');
    emit('job:progress', {
      jobId: 'other',
      projectId: 99,
      kind: 'alignment',
      stage: 'features',
      fraction: 0.9,
    });
    expect(s.job?.fraction).toBe(0);
    emit('job:progress', { jobId: 'j1', projectId: 7, kind: 'alignment', stage: 'features', fraction: 0.4 });
    expect(s.job).toEqual({ jobId: 'j1', stage: 'features', fraction: 0.4 });
    // an edit's re-alignment job is the corrections panel's, not this progress bar's
    emit('job:progress', { jobId: 'r1', projectId: 7, kind: 'realign', stage: 'realigning', fraction: 0.9 });
    emit('job:failed', {
      jobId: 'r1',
      projectId: 7,
      kind: 'realign',
      error: { code: 'internal', message: 'x' },
    });
    expect(s.job).toEqual({ jobId: 'j1', stage: 'features', fraction: 0.4 });
    expect(s.error).toBeNull();
    aligned = true;
    emit('job:done', {
      jobId: 'j1',
      projectId: 7,
      kind: 'alignment',
      result: { alignmentId: 1, version: 1, timings: {}, warnings: [] },
    });
    expect(s.job).toBeNull();
    await tick();
    await tick();
    expect(s.alignment?.version).toBe(1);
    expect(s.matrix?.width).toBe(2);
    expect(calls).toContain('alignment.matrix');
    // score 2.0 s is played at 2.0 s and at 6.0 s: the pass nearest the playhead wins
    expect(s.perfTimeOf([2.05], 7)).toBeCloseTo(6.05, 6);
    expect(s.perfTimeOf([2.05], 0)).toBeCloseTo(2.05, 6);
    s.destroy();
  });

  it('reports a cancelled job as a notice and a failure as an error', async () => {
    const { api, emit } = fakeApi({
      project: { get: (id: number) => detail(id, false), list: () => [] },
      recording: {
        peaks: () => ({ pointsPerSecond: 100, durationSeconds: 8, max: new Float32Array(800) }),
      },
      job: {
        list: () => [
          {
            jobId: 'j2',
            projectId: 3,
            kind: 'alignment' as const,
            stage: 'decode',
            fraction: 0.1,
            startedAt: 0,
          },
        ],
      },
    });
    const s = new AlignmentState(api);
    await s.open(3);
    expect(s.job?.jobId).toBe('j2'); // a job already running is picked up on open
    emit('job:failed', {
      jobId: 'j2',
      projectId: 3,
      kind: 'alignment',
      error: { code: 'cancelled', message: 'cancelled by user' },
    });
    expect(s.job).toBeNull();
    expect(s.notice).toBe('Alignment cancelled.');
    expect(s.error).toBeNull();
    emit('job:failed', {
      jobId: 'j3',
      projectId: 3,
      kind: 'alignment',
      error: { code: 'io', message: 'cannot decode take.flac: not a FLAC stream' },
    });
    expect(s.error).toBe('Alignment failed: cannot decode take.flac: not a FLAC stream');
  });

  it("keeps the finished job's warnings until dismissed or the next run", async () => {
    const { api, emit } = fakeApi({
      project: { get: (id: number) => detail(id, false), list: () => [] },
      recording: {
        peaks: () => ({ pointsPerSecond: 100, durationSeconds: 8, max: new Float32Array(800) }),
      },
      job: { list: () => [] },
      alignment: { run: () => ({ jobId: 'j4' }) },
    });
    const s = new AlignmentState(api);
    await s.open(4);
    expect(s.warnings).toEqual([]);
    const warning =
      'expected the neural model file /m/config.json, found ENOENT; aligned with the classical jump search';
    const result = { alignmentId: 1, version: 1, timings: {}, warnings: [warning] };
    emit('job:done', { jobId: 'j0', projectId: 99, kind: 'alignment', result }); // another project's job
    expect(s.warnings).toEqual([]);
    emit('job:done', { jobId: 'j0', projectId: 4, kind: 'alignment', result });
    expect(s.warnings).toEqual([warning]);
    s.dismiss(); // the error/notice Dismiss leaves the warnings alone
    expect(s.warnings).toEqual([warning]);
    s.dismissWarnings();
    expect(s.warnings).toEqual([]);
    emit('job:done', { jobId: 'j0', projectId: 4, kind: 'alignment', result });
    await s.align();
    expect(s.warnings).toEqual([]); // a new run starts clean
    s.destroy();
  });

  it('reports a project that cannot be opened', async () => {
    const { api } = fakeApi({
      project: {
        get: () => {
          throw new Error('[accord:not-found] project 5 does not exist');
        },
        list: () => [],
      },
    });
    const s = new AlignmentState(api);
    expect(await s.open(5)).toBe(false);
    expect(s.error).toBe('project 5 does not exist');
    expect(s.detail).toBeNull();
  });

  it('bounds the peaks payload of long recordings', () => {
    expect(peaksPerSecond(60)).toBe(200);
    expect(peaksPerSecond(3600)).toBe(111);
    expect(peaksPerSecond(10 * 3600)).toBe(11);
    expect(peaksPerSecond(0)).toBe(100);
  });
});

describe('the export format last chosen', () => {
  it('is what a plain exportAs() (the menu Ctrl+E) writes, and outlives the state', async () => {
    localStorage.removeItem(EXPORT_FORMAT_KEY);
    const formats: string[] = [];
    const { api } = fakeApi({
      project: { get: () => detail(3, true) },
      recording: {
        peaks: () => ({ pointsPerSecond: 50, durationSeconds: 8, max: new Float32Array(400) }),
      },
      job: { list: () => [] },
      alignment: { matrix: () => Promise.reject(new Error('none')) },
      dialog: { save: () => '/tmp/out' },
      export: {
        alignment: (_id, format, dest) => {
          formats.push(format);
          return { path: dest, bytes: 1 };
        },
      },
    });
    const s = new AlignmentState(api);
    expect(await s.open(3, 8)).toBe(true);
    expect(s.exportFormat).toBe('csv');
    await s.exportAs();
    s.exportFormat = 'json';
    await s.exportAs();
    expect(formats).toEqual(['csv', 'json']);
    // a new session (state) starts from the stored choice; a stale stored value falls back to CSV
    expect(new AlignmentState(api).exportFormat).toBe('json');
    expect(storedExportFormat({ getItem: () => 'wav' })).toBe('csv');
    expect(storedExportFormat(undefined)).toBe('csv');
  });
});
