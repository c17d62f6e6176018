/** `corrections:realign` without a correction keeps the version list as it is (real SQLite, real files). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, createServices, dispatch, type AppServices, type Handlers } from './ipc/handle.js';
import type { AlignmentSummary, EditOutcome, ProjectSummary, Result } from '../../shared/ipc.js';
import { realigned } from './edits.testutil.js';

const fixture = fileURLToPath(new URL('../../resources/fixtures/minuet-repeat/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-realign-'));
let s: AppServices;
let h: Handlers;

async function call<T>(channel: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(h, channel, args)) as Result<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

beforeAll(() => {
  s = createServices({ dbPath: join(dir, 'accord.db'), emit: () => {}, mediaUrl: (id) => `x://${id}` });
  h = createHandlers(s, {
    info: { version: 'test', host: 'bridge', platform: process.platform },
    openDialog: () => Promise.resolve(null),
    saveDialog: () => Promise.resolve(null),
  });
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('re-align', () => {
  let projectId = 0;
  let imported: AlignmentSummary;

  it('with no corrections stores no new version and returns the current one', async () => {
    const p = await call<ProjectSummary>('project:create', {
      scorePath: join(fixture, 'score.mid'),
      recordingPath: join(fixture, 'performance.ogg'),
    });
    projectId = p.id;
    // an imported alignment gives the project a version without running the pipeline
    imported = await call<AlignmentSummary>('alignment:import', projectId, 'csv', join(fixture, 'gt.csv'));
    const out = await call<EditOutcome>('corrections:realign', projectId);
    expect(out.alignment?.id).toBe(imported.id);
    expect(out.jobId).toBeNull();
    expect(out.state.entries).toBe(0);
    const versions = await call<AlignmentSummary[]>('alignment:versions', projectId);
    expect(versions.map((v) => v.id)).toEqual([imported.id]);
  });

  it('with only "checked" marks (which do not move the path) stores none either', async () => {
    await call('review:mark', projectId, 1, 2);
    const before = await call<AlignmentSummary[]>('alignment:versions', projectId);
    const out = await call<EditOutcome>('corrections:realign', projectId);
    expect(out.alignment?.id).toBe(before[0].id);
    expect(out.jobId).toBeNull();
    expect((await call<AlignmentSummary[]>('alignment:versions', projectId)).length).toBe(before.length);
  });

  it('with an anchor it re-aligns and stores an edited version', async () => {
    const added = await call<EditOutcome>('corrections:apply', projectId, {
      type: 'add-anchor',
      anchor: { id: 'a1', perfTime: 4, scoreTime: 3.5, source: 'drag' },
    });
    const out = await call<EditOutcome>('corrections:realign', projectId);
    expect(out.jobId).toEqual(expect.any(String));
    const v = await realigned(s, out);
    expect(v?.id).not.toBe(added.alignment?.id);
    expect(v?.kind).toBe('edited');
    const versions = await call<AlignmentSummary[]>('alignment:versions', projectId);
    expect(versions[0].id).toBe(v?.id);
  }, 120_000);
});
