import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { TaskRunner, JobService, type Emit } from './jobs.js';
import { makeFixtureDir, melodyWav } from './ipc/fixtures.testutil.js';
import { AccordError, type EventChannels } from '../../shared/ipc.js';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';

const fx = makeFixtureDir();
const runner = new TaskRunner({ concurrency: 1 });
afterAll(async () => {
  await runner.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

describe('TaskRunner (real worker threads)', () => {
  it('analyzes a recording off the main thread: duration, rate, channels, peaks', async () => {
    const r = await runner.run({ task: 'analyze', audioPath: fx.wav, pointsPerSecond: 50 });
    const bytes = readFileSync(fx.wav);
    const expectedSeconds = (bytes.length - 44) / 2 / 22050;
    expect(r.durationSeconds).toBeCloseTo(expectedSeconds, 2);
    expect(r.sampleRate).toBe(22050);
    expect(r.channels).toBe(1);
    expect(r.peaks.length).toBe(Math.ceil(expectedSeconds * 50));
    // The melody starts after 0.25 s of silence.
    expect(Math.max(...r.peaks.subarray(0, 10))).toBe(0);
    expect(Math.max(...r.peaks)).toBeGreaterThan(0.1);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('aligns with progress and returns a path covering the recording', async () => {
    const stages: string[] = [];
    const fractions: number[] = [];
    const r = await runner.run(
      {
        task: 'align',
        audioPath: fx.wav,
        scoreBytes: readFileSync(fx.mid),
        scoreName: 'score.mid',
        method: 'dtw',
      },
      { onProgress: (s, f) => (stages.push(s), fractions.push(f)) },
    );
    expect(new Set(stages)).toEqual(new Set(['decode', 'score', 'features', 'align']));
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] - 1e-9);
    expect(r.path.scoreTime.length).toBe(r.features.frames);
    expect(r.features.chroma.length).toBe(r.features.frames * 12);
    expect(r.features.sha256).toBe(createHash('sha256').update(readFileSync(fx.wav)).digest('hex'));
    expect(r.features.featureVersion).toBe(FEATURE_PARAMS.version);
    expect(r.features.onset?.length).toBe(r.features.frames * 12);
    expect(r.features.energy?.length).toBe(r.features.frames);
    expect(r.warnings).toEqual([]);
    expect(Object.keys(r.timings)).toEqual(['decode', 'score', 'features', 'align']);
    // Played at 0.9× tempo after a 0.25 s lead: score time ≈ 0.9·(perf − 0.25) mid-piece.
    const f = Math.round(3.5 / r.path.hopSeconds);
    expect(r.path.scoreTime[f]).toBeGreaterThan(0.9 * (3.5 - 0.25) - 0.4);
    expect(r.path.scoreTime[f]).toBeLessThan(0.9 * (3.5 - 0.25) + 0.4);
  });

  it('refuses to align a silent recording, as the pipeline does', async () => {
    const silent = join(fx.dir, 'silent.wav');
    const wav = melodyWav({ tempo: 0.9 });
    wav.fill(0, 44);
    writeFileSync(silent, wav);
    const err = await runner
      .run({
        task: 'align',
        audioPath: silent,
        scoreBytes: readFileSync(fx.mid),
        scoreName: 'score.mid',
        method: 'dtw',
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/the recording is silent/) as unknown,
    });
  });

  it('maps a missing file to a typed error', async () => {
    const err = await runner
      .run({ task: 'analyze', audioPath: fx.dir + '/nope.wav', pointsPerSecond: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccordError);
    expect((err as AccordError).code).toBe('file-missing');
  });

  it('cancels a running task', async () => {
    const ctl = new AbortController();
    const p = runner.run({ task: 'features', audioPath: fx.wav }, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    const err = await p.catch((e: unknown) => e);
    expect((err as AccordError).code).toBe('cancelled');
  });
});

describe('JobService', () => {
  it('throttles progress events but sends every stage change', async () => {
    const events: { event: string; payload: unknown }[] = [];
    const jobs = new JobService((event, payload) => events.push({ event, payload }));
    const id = jobs.start(1, (_signal, onProgress) => {
      for (let i = 0; i <= 1000; i++) onProgress('features', i / 1000);
      onProgress('align', 0);
      return Promise.resolve({ alignmentId: 1, version: 1, timings: {}, warnings: [] });
    });
    await jobs.settled(id);
    const progress = events
      .filter((e) => e.event === 'job:progress')
      .map((e) => e.payload as EventChannels['job:progress']);
    expect(progress.length).toBeLessThan(10);
    expect(progress[0].stage).toBe('features');
    expect(progress.at(-1)).toMatchObject({ stage: 'align', fraction: 0 });
  });

  it('emits progress then done, refuses a second job for the same project, and cancels', async () => {
    const events: { event: string; payload: unknown }[] = [];
    const emit: Emit = (event, payload) => events.push({ event, payload });
    const jobs = new JobService(emit);
    let release!: () => void;
    const id = jobs.start(7, async (signal, onProgress) => {
      onProgress('align', 0.5);
      await new Promise<void>((resolve, reject) => {
        release = resolve;
        signal.addEventListener('abort', () => reject(new Error('stopped')));
      });
      return { alignmentId: 1, version: 1, timings: {}, warnings: [] };
    });
    expect(jobs.list().map((j) => j.jobId)).toEqual([id]);
    expect(() =>
      jobs.start(7, () => Promise.resolve({ alignmentId: 2, version: 2, timings: {}, warnings: [] })),
    ).toThrow(/already has an alignment running/);
    release();
    await jobs.settled(id);
    expect(events.map((e) => e.event)).toEqual(['job:progress', 'job:done']);
    expect(
      (events[1].payload as Extract<EventChannels['job:done'], { kind: 'alignment' }>).result.alignmentId,
    ).toBe(1);

    const id2 = jobs.start(
      7,
      (signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('x')))),
    );
    expect(jobs.cancel(id2)).toBe(true);
    await jobs.settled(id2);
    const failed = events.at(-1)!;
    expect(failed.event).toBe('job:failed');
    expect((failed.payload as EventChannels['job:failed']).error.code).toBe('cancelled');
    expect(jobs.cancel(id2)).toBe(false);
    expect(jobs.isRunning(7)).toBe(false);
  });
});
