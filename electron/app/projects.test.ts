import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyFileSync,
  readFileSync,
  renameSync,
  utimesSync,
  writeFileSync,
  existsSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHandlers, createServices, dispatch, type AppServices } from './ipc/handle.js';
import { makeFixtureDir, melodyWav } from './ipc/fixtures.testutil.js';
import type { EventChannel, EventChannels, ProjectSummary } from '../../shared/ipc.js';
import type { AlignmentPath } from '../../shared/path.js';
import { coveredFraction } from './projects.js';
import { fullFeaturesFromRow, type FeatureRow } from './projects/featureRow.js';

const fx = makeFixtureDir();
const events: { event: EventChannel; payload: unknown }[] = [];
let s: AppServices;

beforeAll(() => {
  s = createServices({
    dbPath: fx.dbPath,
    emit: (event, payload) => events.push({ event, payload }),
    mediaUrl: (id) => `accord-media://recording/${id}`,
  });
});
afterAll(async () => {
  await s?.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

function syntheticPath(frames: number): AlignmentPath {
  const hop = 512 / 22050;
  return {
    hopSeconds: hop,
    scoreTime: Float64Array.from({ length: frames }, (_, f) => Math.max(0, (f * hop - 0.25) * 0.9)),
    confidence: new Float32Array(frames).fill(0.8),
    jumpFrames: [],
    method: 'dtw',
  };
}

describe('ProjectService on a real database file', () => {
  let p: ProjectSummary;

  it('creates a project: score bytes copied in, recording analyzed (hash, duration, peaks)', async () => {
    p = await s.projects.create({ recordingPath: fx.wav, scorePath: fx.mid });
    expect(p).toMatchObject({
      title: 'performance',
      recordingName: 'performance.wav',
      scoreName: 'score.mid',
      status: 'new',
      checkedFraction: 0,
    });
    const expectedSeconds = (readFileSync(fx.wav).length - 44) / 2 / 22050;
    expect(p.durationSeconds).toBeCloseTo(expectedSeconds, 2);
    const score = s.db.prepare('SELECT bytes FROM scores WHERE project_id = ?').get(p.id) as {
      bytes: Buffer;
    };
    expect(Buffer.compare(score.bytes, readFileSync(fx.mid))).toBe(0);
    expect(s.db.prepare('SELECT points_per_second FROM peaks').all()).toEqual([{ points_per_second: 100 }]);
  });

  it('opens it with the parsed score, recording info and no alignment yet', async () => {
    const d = await s.projects.get(p.id);
    expect(d.score.notes.length).toBe(13);
    expect(d.recording).toMatchObject({
      path: fx.wav,
      available: true,
      sampleRate: 22050,
      channels: 1,
      mediaUrl: `accord-media://recording/${p.id}`,
    });
    expect(d.recording.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.alignment).toBeNull();
    expect(d.viewState).toBeNull();
  });

  it('keeps working when the score file is gone (bytes live in the database)', async () => {
    renameSync(fx.mid, fx.mid + '.moved');
    try {
      const d = await s.projects.get(p.id);
      expect(d.score.notes.length).toBe(13);
    } finally {
      renameSync(fx.mid + '.moved', fx.mid);
    }
  });

  it('serves peaks from the cache: pooled for coarser rates, computed once for finer ones', async () => {
    const base = await s.projects.peaks(p.id, { pointsPerSecond: 100 });
    const coarse = await s.projects.peaks(p.id, { pointsPerSecond: 25 });
    expect(coarse.max.length).toBe(Math.ceil(base.durationSeconds * 25));
    for (let i = 0; i < coarse.max.length; i++) {
      expect(coarse.max[i]).toBe(Math.max(...base.max.subarray(i * 4, i * 4 + 4)));
    }
    expect((s.db.prepare('SELECT COUNT(*) AS n FROM peaks').get() as { n: number }).n).toBe(1);
    const fine = await s.projects.peaks(p.id, { pointsPerSecond: 400 });
    expect(fine.max.length).toBe(Math.ceil(base.durationSeconds * 400));
    expect((s.db.prepare('SELECT COUNT(*) AS n FROM peaks').get() as { n: number }).n).toBe(2);
    // Max of the fine peaks over each base bucket is the base peak.
    expect(Math.max(...fine.max.subarray(400, 404))).toBeCloseTo(base.max[100], 6);
  });

  it('saves the view state without counting it as an edit', async () => {
    const before = s.projects.summary(p.id).updatedAt;
    s.projects.saveView(p.id, {
      playheadSeconds: 2.5,
      pixelsPerSecond: 120,
      scrollSeconds: 1,
      selectedView: 'score',
    });
    const d = await s.projects.get(p.id);
    expect(d.viewState).toEqual({
      playheadSeconds: 2.5,
      pixelsPerSecond: 120,
      scrollSeconds: 1,
      selectedView: 'score',
    });
    expect(d.project.updatedAt).toBe(before);
  });

  it('saves practice settings, restores them on open and rejects bad ones through dispatch', async () => {
    expect((await s.projects.get(p.id)).practice).toBeNull();
    const before = s.projects.summary(p.id).updatedAt;
    const settings = {
      loop: { startSeconds: 0.5, endSeconds: 1.25, bars: '1-2' },
      preRollSeconds: 0.5,
      loopCount: 4,
      speedPercent: 70,
      ramp: { stepPercent: 5, targetPercent: 100 },
      metronome: { enabled: true, volume: 0.4, accent: false },
      countInBeats: 2,
    };
    s.projects.savePractice(p.id, settings);
    s.projects.savePractice(p.id, { ...settings, speedPercent: 80 });
    const d = await s.projects.get(p.id);
    expect(d.practice).toEqual({ ...settings, speedPercent: 80 });
    expect(d.project.updatedAt).toBe(before);
    expect((s.db.prepare('SELECT COUNT(*) AS n FROM practice_settings').get() as { n: number }).n).toBe(1);
    const handlers = createHandlers(s, {
      info: { version: 't', host: 'bridge', platform: 'linux' },
      openDialog: () => Promise.resolve(null),
      saveDialog: () => Promise.resolve(null),
    });
    const bad = await dispatch(handlers, 'practice:save', [p.id, { ...settings, speedPercent: 10 }]);
    expect(bad).toEqual({
      ok: false,
      error: {
        code: 'invalid-argument',
        message: 'settings.speedPercent: expected a number in [25, 150], got the number 10',
      },
    });
    expect((await dispatch(handlers, 'practice:save', [99999, settings])).ok).toBe(false);
    expect((await s.projects.get(p.id)).practice?.speedPercent).toBe(80);
    // a stored value this build cannot read opens with the defaults instead of failing the project
    s.db
      .prepare('UPDATE practice_settings SET settings = \'{"speedPercent": 999}\' WHERE project_id = ?')
      .run(p.id);
    expect((await s.projects.get(p.id)).practice).toBeNull();
    s.projects.savePractice(p.id, settings);
  });

  it('stores alignment versions, reports status and checked fraction, exports atomically', async () => {
    const frames = Math.round(p.durationSeconds / (512 / 22050));
    const v1 = s.projects.addAlignment(p.id, syntheticPath(frames), 'automatic');
    const v2 = s.projects.addAlignment(p.id, syntheticPath(frames), 'edited', v1.id);
    expect([v1.version, v2.version, v2.parentId]).toEqual([1, 2, v1.id]);
    expect(s.projects.summary(p.id).status).toBe('edited');
    s.db
      .prepare(
        'INSERT INTO review_marks (project_id, perf_start, perf_end, created_at) VALUES (?, 0, 2, 0), (?, 1, 3, 0)',
      )
      .run(p.id, p.id);
    expect(s.projects.summary(p.id).checkedFraction).toBeCloseTo(3 / p.durationSeconds, 6);
    const got = s.projects.getAlignment(v2.id);
    expect(Array.from(got.path.scoreTime)).toEqual(Array.from(syntheticPath(frames).scoreTime));

    const dest = join(fx.dir, 'out.csv');
    const r = await s.projects.exportAlignment(p.id, 'csv', dest);
    const text = readFileSync(dest, 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(text));
    expect(text.split('\n')[0]).toMatch(/perf_time,score_time/);
    expect(readdirSync(fx.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const midi = await s.projects.exportAlignment(p.id, 'midi', join(fx.dir, 'out.mid'), v1.id);
    expect(readFileSync(join(fx.dir, 'out.mid')).subarray(0, 4).toString()).toBe('MThd');
    expect(midi.bytes).toBeGreaterThan(20);
  });

  it('duplicates everything (versions, parents, marks, view) and deletes without touching files', async () => {
    const copy = s.projects.duplicate(p.id);
    expect(copy.title).toBe('performance (copy)');
    const versions = s.projects.listAlignments(copy.id);
    expect(versions.map((a) => a.version)).toEqual([2, 1]);
    expect(versions[0].parentId).toBe(versions[1].id);
    expect(copy.checkedFraction).toBeCloseTo(s.projects.summary(p.id).checkedFraction, 9);
    expect((await s.projects.get(copy.id)).viewState?.selectedView).toBe('score');
    expect((await s.projects.get(copy.id)).practice?.loop).toEqual({
      startSeconds: 0.5,
      endSeconds: 1.25,
      bars: '1-2',
    });
    s.projects.delete(copy.id);
    expect(s.projects.list().map((x) => x.id)).toEqual([p.id]);
    expect(
      (
        s.db.prepare('SELECT COUNT(*) AS n FROM alignments WHERE project_id = ?').get(copy.id) as {
          n: number;
        }
      ).n,
    ).toBe(0);
    expect(existsSync(fx.wav)).toBe(true);
  });

  it('detects a moved or changed recording (needs-relink) and relinks only to the same bytes', async () => {
    // Touched but identical: re-hashed, still fine.
    utimesSync(fx.wav, new Date(), new Date(Date.now() + 5000));
    expect((await s.projects.get(p.id)).recording.available).toBe(true);

    const moved = join(fx.dir, 'moved.wav');
    renameSync(fx.wav, moved);
    const d = await s.projects.get(p.id);
    expect(d.project.status).toBe('needs-relink');
    expect(d.recording.available).toBe(false);
    expect(events.some((e) => e.event === 'project:changed')).toBe(true);
    await expect(s.projects.recordingFile(p.id)).rejects.toMatchObject({ code: 'file-changed' });

    const other = join(fx.dir, 'other.wav');
    writeFileSync(other, melodyWav({ tempo: 1.1 }));
    await expect(s.projects.relink(p.id, other)).rejects.toMatchObject({ code: 'hash-mismatch' });
    expect(s.projects.summary(p.id).status).toBe('needs-relink');

    const relinked = await s.projects.relink(p.id, moved);
    expect(relinked.status).toBe('edited');
    expect((await s.projects.get(p.id)).recording).toMatchObject({
      path: moved,
      name: 'moved.wav',
      available: true,
    });
    expect(s.projects.listAlignments(p.id)).toHaveLength(2);

    // Same size, same mtime rule broken by a content change of equal length.
    copyFileSync(moved, fx.wav);
    const bytes = readFileSync(moved);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(moved, bytes);
    utimesSync(moved, new Date(), new Date(Date.now() + 10_000));
    expect((await s.projects.get(p.id)).project.status).toBe('needs-relink');
    await s.projects.relink(p.id, fx.wav);
  });

  it('computes the matrix image from features (computed once, then cached)', async () => {
    const m = await s.projects.matrix(p.id, { width: 64, height: 48 });
    expect(m.pixels).toHaveLength(64 * 48);
    expect(Math.max(...m.pixels)).toBe(255);
    expect(Math.min(...m.pixels)).toBe(0);
    expect(m.perfSeconds).toBeCloseTo(p.durationSeconds, 0);
    expect((s.db.prepare('SELECT COUNT(*) AS n FROM features').get() as { n: number }).n).toBe(1);
    // The melody is played slower with a lead-in, so similarity peaks lie near the diagonal x ≈ (y·scale).
    let onDiag = 0;
    for (let y = 4; y < 44; y++) {
      let best = 0;
      for (let x = 1; x < 64; x++) if (m.pixels[y * 64 + x] > m.pixels[y * 64 + best]) best = x;
      const expectX = ((((y / 48) * m.scoreSeconds) / 0.9 + 0.25) / m.perfSeconds) * 64;
      if (Math.abs(best - expectX) <= 8) onDiag++;
    }
    expect(onDiag).toBeGreaterThan(25);
  });

  it('caches how slowly the recording’s notes swell in with its features, and reads it back', async () => {
    await s.projects.matrix(p.id, { width: 16, height: 8 });
    const row = s.db.prepare('SELECT * FROM features').get() as FeatureRow;
    expect(row.attack_rise).toBeGreaterThan(0);
    expect(fullFeaturesFromRow(row, 'the cache').attackRiseFrames).toBe(row.attack_rise);
    // A row cached before migration 10: not measured, so re-alignment does not move the features.
    expect(fullFeaturesFromRow({ ...row, attack_rise: null }, 'the cache').attackRiseFrames).toBeUndefined();
  });

  it('answers IPC calls through dispatch with validation first', async () => {
    const h = createHandlers(s, {
      info: { version: 't', host: 'bridge', platform: 'linux' },
      openDialog: () => Promise.resolve(null),
      saveDialog: () => Promise.resolve(null),
    });
    expect(await dispatch(h, 'project:rename', [p.id, 'Scale study'])).toMatchObject({
      ok: true,
      value: { title: 'Scale study' },
    });
    expect(await dispatch(h, 'project:rename', [p.id])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await dispatch(h, 'project:delete', [12345])).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'expected an existing project id, got 12345' },
    });
    expect(
      await dispatch(h, 'export:alignment', [p.id, 'csv', join(fx.dir, 'missing-dir', 'x.csv')]),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-argument',
        message: expect.stringMatching(
          /The export destination's folder: expected an existing folder/,
        ) as unknown,
      },
    });
  });
});

describe('alignment job through the real pipeline', () => {
  it('runs in a worker, emits progress and done, stores version 3 with the cached features', async () => {
    const [p] = s.projects.list();
    events.length = 0;
    const { jobId } = await s.projects.runAlignment(p.id, 'dtw');
    expect(s.projects.summary(p.id).status).toBe('aligning');
    await s.jobs.settled(jobId);
    const names = events.map((e) => e.event);
    const failed = events.find((e) => e.event === 'job:failed');
    expect(failed, JSON.stringify(failed?.payload)).toBeUndefined();
    expect(names).toContain('job:progress');
    expect(names).toContain('job:done');
    const latest = (await s.projects.get(p.id)).alignment!;
    expect(latest).toMatchObject({ version: 3, kind: 'automatic', method: 'dtw' });
    const f = Math.round(3.5 / latest.path.hopSeconds);
    expect(Math.abs(latest.path.scoreTime[f] - 0.9 * (3.5 - 0.25))).toBeLessThan(0.4);
    expect(s.projects.summary(p.id).status).toBe('aligned');
  });

  it('cancels a running job: job:failed with code cancelled and no new version', async () => {
    const [p] = s.projects.list();
    const before = s.projects.listAlignments(p.id).length;
    const statusBefore = s.projects.summary(p.id).status;
    events.length = 0;
    const { jobId } = await s.projects.runAlignment(p.id, 'dtw');
    expect(s.jobs.cancel(jobId)).toBe(true);
    await s.jobs.settled(jobId);
    const failed = events.find((e) => e.event === 'job:failed');
    expect(failed?.payload).toMatchObject({ jobId, error: { code: 'cancelled' } });
    expect(events.some((e) => e.event === 'job:done')).toBe(false);
    expect(s.projects.listAlignments(p.id)).toHaveLength(before);
    expect(s.projects.summary(p.id).status).toBe(statusBefore);
  });
});

describe('alignment job without a usable model', () => {
  it("carries the engine's fallback warning to the job:done result", async () => {
    const seen: { event: EventChannel; payload: unknown }[] = [];
    const missing = join(fx.dir, 'no-such-model');
    const t = createServices({
      dbPath: join(fx.dir, 'no-model.sqlite'),
      emit: (event, payload) => seen.push({ event, payload }),
      mediaUrl: (id) => `accord-media://recording/${id}`,
      modelDir: missing,
    });
    try {
      const p = await t.projects.create({ recordingPath: fx.wav, scorePath: fx.mid });
      const { jobId } = await t.projects.runAlignment(p.id);
      await t.jobs.settled(jobId);
      const failed = seen.find((e) => e.event === 'job:failed');
      expect(failed, JSON.stringify(failed?.payload)).toBeUndefined();
      const done = seen.find((e) => e.event === 'job:done')?.payload as EventChannels['job:done'];
      expect(done).toMatchObject({ jobId, projectId: p.id });
      expect(done.result.warnings).toHaveLength(1);
      expect(done.result.warnings[0]).toContain(missing);
      expect(done.result.warnings[0]).toMatch(/aligned with the classical jump search/);
      // the alignment itself is stored: auto, without a model version
      expect((await t.projects.get(p.id)).alignment).toMatchObject({ version: 1, method: 'auto' });
      expect((await t.projects.get(p.id)).alignment?.modelVersion).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('reports no warning when nothing went wrong', async () => {
    const [p] = s.projects.list();
    events.length = 0;
    const { jobId } = await s.projects.runAlignment(p.id, 'dtw');
    await s.jobs.settled(jobId);
    const done = events.find((e) => e.event === 'job:done')?.payload as Extract<
      EventChannels['job:done'],
      { kind: 'alignment' }
    >;
    expect(done.result.warnings).toEqual([]);
    expect(Object.keys(done.result.timings).sort()).toEqual(['align', 'decode', 'features', 'score']);
  });
});

describe('coveredFraction', () => {
  it('merges overlapping ranges and clips to the recording', () => {
    expect(coveredFraction([], 10)).toBe(0);
    expect(
      coveredFraction(
        [
          { perf_start: 0, perf_end: 2 },
          { perf_start: 1, perf_end: 3 },
          { perf_start: 9, perf_end: 12 },
        ],
        10,
      ),
    ).toBeCloseTo(0.4, 12);
    expect(coveredFraction([{ perf_start: -5, perf_end: 20 }], 10)).toBe(1);
  });
});

describe('a notated score (resources/sample)', () => {
  const sample = join(import.meta.dirname, '..', '..', 'resources', 'sample');
  it.skipIf(!existsSync(join(sample, 'score.musicxml')))(
    'parses MusicXML in a worker and returns its text for the score view',
    async () => {
      const p = await s.projects.create({
        recordingPath: join(sample, 'performance.flac'),
        scorePath: join(sample, 'score.musicxml'),
        title: 'Sample',
      });
      const d = await s.projects.get(p.id);
      expect(d.scoreInfo.format).toBe('musicxml');
      expect(d.musicxml).toBe(readFileSync(join(sample, 'score.musicxml'), 'utf8'));
      expect(d.score.notes.length).toBeGreaterThan(10);
      expect(d.score.notes.some((n) => n.elementId)).toBe(true);
      expect(d.recording.durationSeconds).toBeGreaterThan(5);
      // Parsed once per session: the second open reuses it.
      expect((await s.projects.get(p.id)).score).toBe(d.score);
      s.projects.delete(p.id);
    },
  );
});
