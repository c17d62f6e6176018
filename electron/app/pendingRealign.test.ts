/**
 * A re-alignment that a quit or a crash interrupted is not lost (real SQLite, real edit worker):
 * the op's spans are stored with the op, the project's next opening re-aligns them, and the version
 * it stores is the one an uninterrupted run of the same edits stores. The crash is a real one: a
 * child process running the built services (`dist/`) is killed (SIGKILL) right after its edit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHandlers, createServices, dispatch, type AppServices } from './ipc/handle.js';
import { realigned, diagonal } from './edits.testutil.js';
import { parsePending } from './corrections.js';
import type { AlignmentRecord, EventChannel } from '../../shared/ipc.js';
import type { EditOp } from '../../shared/edit/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'resources/fixtures/minuet-repeat/');
const handleJs = pathToFileURL(join(root, 'dist/node/electron/app/ipc/handle.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'accord-pending-realign-'));
const dbPath = join(dir, 'accord.db');

/** `realign` jobs the services announced, by project. */
const started: { projectId: number; jobId: string }[] = [];

function services(): AppServices {
  return createServices({
    dbPath,
    emit: (event: EventChannel, payload) => {
      const p = payload as { kind?: string; projectId: number; jobId: string };
      if (event === 'job:progress' && p.kind === 'realign')
        started.push({ projectId: p.projectId, jobId: p.jobId });
    },
    mediaUrl: (id) => `x://${id}`,
  });
}

/** A new project on the fixture with a straight imported version; returns its id. */
async function project(s: AppServices): Promise<number> {
  const p = await s.projects.create({
    recordingPath: join(fixture, 'performance.ogg'),
    scorePath: join(fixture, 'score-norepeat.mid'),
  });
  s.projects.addAlignment(p.id, diagonal(s.projects.summary(p.id).durationSeconds), 'imported');
  return p.id;
}

function anchor(id: string, perfTime: number, scoreTime: number): EditOp {
  return { type: 'add-anchor', anchor: { id, perfTime, scoreTime, source: 'drag' } };
}

/** The raw `projects.realign_pending` of project `id`. */
function pendingOf(s: AppServices, id: number): string | null {
  return (
    s.db.prepare('SELECT realign_pending AS p FROM projects WHERE id = ?').get(id) as { p: string | null }
  ).p;
}

/** Expects `got` to be `want` frame for frame (no tolerance: the same computation on the same inputs). */
function expectSamePath(s: AppServices, got: AlignmentRecord, want: AlignmentRecord): void {
  expect(Array.from(got.path.scoreTime)).toEqual(Array.from(want.path.scoreTime));
  expect(Array.from(got.path.confidence)).toEqual(Array.from(want.path.confidence));
  expect(got.path.jumpFrames).toEqual(want.path.jumpFrames);
  expect(s.projects.alignmentCorrections(got.id)).toEqual(s.projects.alignmentCorrections(want.id));
}

/** A child that opens the database, logs `op` on project `id` and is killed (SIGKILL) before its re-alignment can answer. */
const CHILD = `
import { writeSync } from 'node:fs';
import { createServices } from ${JSON.stringify(handleJs)};
const [dbPath, id, op] = process.argv.slice(1);
const s = createServices({ dbPath, emit: () => {}, mediaUrl: () => '' });
const out = await s.corrections.apply(Number(id), JSON.parse(op));
// No turn of the event loop since the job started: the worker cannot have answered it.
writeSync(1, JSON.stringify({ jobId: out.jobId }) + '\\n');
process.kill(process.pid, 'SIGKILL');
`;

function crashAfterEdit(id: number, op: EditOp): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, dbPath, String(id), JSON.stringify(op)],
      {
        cwd: root,
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`child: expected to be killed (SIGKILL), exited ${code}: ${err}`));
      else resolve({ signal, out });
    });
  });
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist/node/electron/app/ipc/handle.js'))) {
    throw new Error('the services are not built: run `npm run build` first (npm test does)');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a pending re-alignment survives a restart', () => {
  it('closed during the re-alignment of two edits: opening the project re-aligns both, as an uninterrupted run does', async () => {
    let s = services();
    const interrupted = await project(s);
    const reference = await project(s);
    const base = s.projects.listAlignments(interrupted)[0];
    const first = await s.corrections.apply(interrupted, anchor('a1', 10, 9));
    const second = await s.corrections.apply(interrupted, anchor('a2', 25, 23.5));
    expect(second.jobId).toEqual(expect.any(String));
    // Saved with the ops: both spans (the first re-alignment was superseded by the second).
    expect(parsePending(pendingOf(s, interrupted))).toEqual([{ perfTime: 10 }, { perfTime: 25 }]);
    await s.close();
    expect(await s.jobs.outcome(first.jobId!)).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await s.jobs.outcome(second.jobId!)).toMatchObject({ ok: false, error: { code: 'cancelled' } });

    s = services();
    try {
      // Nothing was stored: the latest version is stale, and says so.
      expect(s.projects.listAlignments(interrupted).map((v) => v.id)).toEqual([base.id]);
      expect(pendingOf(s, interrupted)).not.toBeNull();
      // The same two edits, uninterrupted.
      await s.corrections.apply(reference, anchor('a1', 10, 9));
      const want = await realigned(s, await s.corrections.apply(reference, anchor('a2', 25, 23.5)));

      // Opening the project (`project:get`) resumes the re-alignment, as a job the renderer sees.
      const h = createHandlers(s, {
        info: { version: 'test', host: 'bridge', platform: process.platform },
        openDialog: () => Promise.resolve(null),
        saveDialog: () => Promise.resolve(null),
      });
      const opened = await dispatch(h, 'project:get', [interrupted]);
      expect(opened.ok).toBe(true);
      const job = s.jobs.list().find((j) => j.projectId === interrupted && j.kind === 'realign');
      expect(job).toBeDefined();
      const state = s.corrections.get(interrupted);
      expect(state.realignJobId).toBe(job!.jobId);
      expect(started).toContainEqual({ projectId: interrupted, jobId: state.realignJobId });
      const got = await realigned(s, { state, alignment: null, jobId: state.realignJobId });
      expect(got).toMatchObject({ kind: 'edited', parentId: base.id });
      expectSamePath(s, got!, want!);
      expect(pendingOf(s, interrupted)).toBeNull();
      // Resumed once: reading the state again starts nothing.
      expect(s.corrections.get(interrupted).realignJobId).toBeNull();
      expect(s.projects.listAlignments(interrupted).map((v) => v.id)).toEqual([got!.id, base.id]);
    } finally {
      await s.close();
    }
  }, 180_000);

  it('killed (SIGKILL) right after an edit: the next session re-aligns it, as an uninterrupted run does', async () => {
    let s = services();
    const crashed = await project(s);
    const reference = await project(s);
    const base = s.projects.listAlignments(crashed)[0];
    await s.close();

    const op = anchor('k1', 12, 11.2);
    const child = await crashAfterEdit(crashed, op);
    expect(child.out).toMatch(/"jobId":"[^"]+"/);

    s = services();
    try {
      expect(s.corrections.get(crashed).entries).toBe(1);
      // The first read of the corrections (the editor opening) resumed it.
      const jobId = s.corrections.get(crashed).realignJobId;
      expect(jobId).toEqual(expect.any(String));
      const want = await realigned(s, await s.corrections.apply(reference, op));
      const got = await realigned(s, { state: s.corrections.get(crashed), alignment: null, jobId });
      expect(got).toMatchObject({ kind: 'edited', parentId: base.id });
      expectSamePath(s, got!, want!);
      expect(pendingOf(s, crashed)).toBeNull();
    } finally {
      await s.close();
    }
  }, 180_000);

  it('a re-alignment stopped by hand is not restarted in the same session; a copy keeps the mark, an exact undo clears it', async () => {
    const s = services();
    try {
      const id = await project(s);
      const a = await s.corrections.apply(id, anchor('c1', 8, 7.5));
      expect(s.jobs.cancel(a.jobId!)).toBe(true);
      await s.jobs.settled(a.jobId!);
      expect(s.corrections.get(id).realignJobId).toBeNull();
      expect(parsePending(pendingOf(s, id))).toEqual([{ perfTime: 8 }]);
      // A copy of the project is as stale as the project.
      expect(pendingOf(s, s.projects.duplicate(id).id)).toBe(pendingOf(s, id));
      // Undo brings the version before the op back exactly: nothing is left to re-align.
      const u = await s.corrections.undo(id);
      expect(u.jobId).toBeNull();
      expect(pendingOf(s, id)).toBeNull();
    } finally {
      await s.close();
    }
  }, 120_000);
});

describe('parsePending', () => {
  it('reads the stored spans; an unreadable value re-aligns the whole recording', () => {
    expect(parsePending(null)).toEqual([]);
    expect(parsePending('[{"perfTime":4},{"perfStart":1,"perfEnd":2},null]')).toEqual([
      { perfTime: 4 },
      { perfStart: 1, perfEnd: 2 },
      null,
    ]);
    for (const bad of ['{', '[]', '{"perfTime":4}', '[{"perfTime":"4"}]', '[{"perfTime":4,"x":1}]', '[7]'])
      expect(parsePending(bad), bad).toEqual([null]);
  });
});
