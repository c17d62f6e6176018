import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, createServices, dispatch, type AppServices, type Handlers } from './ipc/handle.js';
import type { AlignmentRecord, CorrectionsState, EditOutcome, Result } from '../../shared/ipc.js';
import { parseGtCsv, parsePredCsv, scoreCase, type GtRow } from '../../shared/eval/metric.js';
import { pathOnGrid } from './corrections.js';
import { realigned } from './edits.testutil.js';
import { decodeAudioFile } from '../engine/audio.js';
import { recordingFeatures } from '../engine/features.js';

const fixture = fileURLToPath(new URL('../../resources/fixtures/minuet-repeat/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-corrections-'));
const dbPath = join(dir, 'accord.db');
let s: AppServices;
let h: Handlers;
let changed: number[] = [];

function open(): void {
  s = createServices({
    dbPath,
    emit: (event, payload) => {
      if (event === 'project:changed') changed.push((payload as { projectId: number }).projectId);
    },
    mediaUrl: (id) => `accord-media://recording/${id}`,
  });
  h = createHandlers(s, {
    info: { version: 'test', host: 'bridge', platform: process.platform },
    openDialog: () => Promise.resolve(null),
    saveDialog: () => Promise.resolve(null),
  });
}

async function call<T>(channel: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(h, channel, args)) as Result<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

async function exportedScore(projectId: number, gt: GtRow[]): Promise<number> {
  const dest = join(dir, `export-${Date.now()}.csv`);
  await call('export:alignment', projectId, 'csv', dest);
  return scoreCase(gt, parsePredCsv(readFileSync(dest, 'utf8'))).acc50;
}

beforeAll(() => open());
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hand corrections on the minuet whose score lacks the repeat', () => {
  const gt = parseGtCsv(readFileSync(join(fixture, 'gt.csv'), 'utf8'));
  const second = gt.find((r) => r.segment === 1);
  let projectId = 0;
  let automatic: AlignmentRecord;
  let edited: AlignmentRecord;
  let acc50Before = 0;

  it('plain DTW misses the repeat', async () => {
    const p = await s.projects.create({
      recordingPath: join(fixture, 'performance.ogg'),
      scorePath: join(fixture, 'score-norepeat.mid'),
    });
    projectId = p.id;
    const { jobId } = await s.projects.runAlignment(projectId, 'dtw');
    await s.jobs.settled(jobId);
    automatic = (await s.projects.get(projectId)).alignment!;
    expect(automatic).toMatchObject({ kind: 'automatic', method: 'dtw' });
    acc50Before = await exportedScore(projectId, gt);
    expect(acc50Before).toBeLessThan(75);
  }, 120_000);

  it('the features cache keeps the note features the alignment used, value for value', async () => {
    const cached = await s.projects.editFeatures(projectId);
    const audio = await decodeAudioFile(join(fixture, 'performance.ogg'));
    const { features } = await recordingFeatures(audio.samples);
    expect(features.notes).toBeDefined();
    expect(cached.frames).toBe(features.frames);
    expect(cached.notes).toEqual(features.notes);
  }, 120_000);

  it('a jump inserted at the true time of the second pass brings the exported beats within 50 ms', async () => {
    if (!second) throw new Error('gt.csv: expected a second pass (segment 1)');
    changed = [];
    const out = await call<EditOutcome>('corrections:apply', projectId, {
      type: 'insert-jump',
      jump: { id: 'j1', perfTime: second.perfTime, toScoreTime: second.scoreTime },
    });
    expect(changed).toContain(projectId);
    expect(out.state).toMatchObject({ entries: 1, cursor: 1, canUndo: true, canRedo: false });
    expect(out.state.corrections.jumps).toEqual([
      { id: 'j1', perfTime: second.perfTime, toScoreTime: second.scoreTime },
    ]);
    // Saved at once; the path follows from the re-alignment job.
    expect(out.alignment?.id).toBe(automatic.id);
    expect(out.jobId).toEqual(expect.any(String));
    edited = (await realigned(s, out))!;
    expect(edited).toMatchObject({ kind: 'edited', parentId: automatic.id, version: automatic.version + 1 });
    expect(edited.path.jumpFrames.length).toBeGreaterThanOrEqual(1);
    const acc50After = await exportedScore(projectId, gt);
    // The held final chord is beyond DTW either way; every other beat comes within 50 ms.
    expect(acc50After).toBeGreaterThan(90);
    expect(acc50After).toBeGreaterThan(acc50Before + 25);
    expect(s.projects.summary(projectId).status).toBe('edited');
  }, 120_000);

  it('undo restores the previous path exactly; redo brings the edited one back', async () => {
    const u = await call<EditOutcome>('corrections:undo', projectId);
    expect(u.state).toMatchObject({ cursor: 0, canUndo: false, canRedo: true });
    // Exact versions come back at once, without a job.
    expect(u.jobId).toBeNull();
    expect(u.state.corrections.jumps).toEqual([]);
    expect(Array.from(u.alignment!.path.scoreTime)).toEqual(Array.from(automatic.path.scoreTime));
    expect(u.alignment!.path.jumpFrames).toEqual(automatic.path.jumpFrames);
    const r = await call<EditOutcome>('corrections:redo', projectId);
    expect(r.state).toMatchObject({ cursor: 1, canRedo: false });
    expect(r.jobId).toBeNull();
    expect(Array.from(r.alignment!.path.scoreTime)).toEqual(Array.from(edited.path.scoreTime));
    await expect(call('corrections:redo', projectId)).rejects.toThrow(/not-found .*no undone edit/);
  }, 60_000);

  it('rejects a malformed op saying what it expected, and an op that does not fit the corrections', async () => {
    await expect(
      call('corrections:apply', projectId, {
        type: 'insert-jump',
        jump: { id: 'x', perfTime: -1, toScoreTime: 0 },
      }),
    ).rejects.toThrow(
      /invalid-argument op\.jump\.perfTime: expected a number in \[0, 1000000\], got the number -1/,
    );
    await expect(
      call('corrections:apply', projectId, {
        type: 'insert-jump',
        jump: { id: 'j1', perfTime: 1, toScoreTime: 0 },
      }),
    ).rejects.toThrow(/invalid-argument .*jump "j1" exists/);
    expect((await call<CorrectionsState>('corrections:get', projectId)).entries).toBe(1);
  });

  it('persists the log, the cursor and the edited path across reopening the database', async () => {
    await s.close();
    open();
    const st = await call<CorrectionsState>('corrections:get', projectId);
    expect(st).toMatchObject({ entries: 1, cursor: 1, canUndo: true });
    expect(st.corrections.jumps.map((j) => j.id)).toEqual(['j1']);
    const latest = (await s.projects.get(projectId)).alignment!;
    expect(Array.from(latest.path.scoreTime)).toEqual(Array.from(edited.path.scoreTime));
    const u = await call<EditOutcome>('corrections:undo', projectId);
    expect(Array.from(u.alignment!.path.scoreTime)).toEqual(Array.from(automatic.path.scoreTime));
    await call('corrections:redo', projectId);
  }, 60_000);

  it('marks checked regions: the list shows the checked fraction, review regions leave them out', async () => {
    const dur = s.projects.summary(projectId).durationSeconds;
    const st = await call<CorrectionsState>('review:mark', projectId, 0, dur / 2);
    expect(st.corrections.regions).toHaveLength(1);
    expect(s.projects.summary(projectId).checkedFraction).toBeCloseTo(0.5, 6);
    const regions = await call<{ perfStart: number; perfEnd: number }[]>('review:regions', projectId);
    for (const r of regions) expect(r.perfEnd).toBeGreaterThan(dur / 2);
    const u = await call<EditOutcome>('corrections:undo', projectId);
    expect(u.state.corrections.regions).toEqual([]);
    expect(s.projects.summary(projectId).checkedFraction).toBe(0);
  }, 60_000);

  it('restores an older version (undoably), and imports an exported CSV as an imported version', async () => {
    const r = await call<EditOutcome>('alignment:restore', projectId, automatic.id);
    expect(r.alignment).toMatchObject({ kind: 'automatic', parentId: automatic.id });
    expect(Array.from(r.alignment!.path.scoreTime)).toEqual(Array.from(automatic.path.scoreTime));
    expect(r.state.corrections.jumps).toEqual([]);
    const u = await call<EditOutcome>('corrections:undo', projectId);
    expect(u.state.corrections.jumps.map((j) => j.id)).toEqual(['j1']);
    expect(Array.from(u.alignment!.path.scoreTime)).toEqual(Array.from(edited.path.scoreTime));

    const csv = join(dir, 'edited.csv');
    await call('export:alignment', projectId, 'csv', csv);
    const imported = await call<{ id: number; kind: string }>('alignment:import', projectId, 'csv', csv);
    expect(imported.kind).toBe('imported');
    expect(await exportedScore(projectId, gt)).toBeGreaterThan(90);
    const versions = await call<{ kind: string }[]>('alignment:versions', projectId);
    expect(versions[0].kind).toBe('imported');
  }, 60_000);

  it('a duplicated project keeps the log linked to its own versions: undo restores the DTW path', async () => {
    const copy = s.projects.duplicate(projectId);
    const st = await call<CorrectionsState>('corrections:get', copy.id);
    expect(st.corrections.jumps.map((j) => j.id)).toEqual(['j1']);
    const u = await call<EditOutcome>('corrections:undo', copy.id);
    expect(u.alignment!.projectId).toBe(copy.id);
    expect(Array.from(u.alignment!.path.scoreTime)).toEqual(Array.from(automatic.path.scoreTime));
    expect((await call<CorrectionsState>('corrections:get', projectId)).cursor).toBe(1);
  }, 60_000);
});

describe('pathOnGrid', () => {
  it('resamples a path onto another hop, keeping its jumps', () => {
    const path = {
      hopSeconds: 0.1,
      scoreTime: Float64Array.from([0, 0.1, 0.2, 0.3, 0, 0.1]),
      confidence: Float32Array.from([1, 1, 0.5, 0.5, 1, 1]),
      jumpFrames: [4],
      method: 'import' as const,
    };
    const g = pathOnGrid(path, 11, 0.05);
    expect(g.scoreTime).toHaveLength(11);
    expect(g.scoreTime[2]).toBeCloseTo(0.1, 9);
    expect(g.jumpFrames).toEqual([8]);
    expect(pathOnGrid(path, 6, 0.1)).toBe(path);
  });
});
