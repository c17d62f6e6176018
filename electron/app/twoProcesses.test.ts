/**
 * One project database, two processes: the second is refused at once (exclusive lock), no
 * acknowledged edit is lost, each correction is one transaction and a damaged log row breaks only
 * its own project. The children run the built services (`dist/`) against the same real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createHandlers, createServices, dispatch, type AppServices } from './ipc/handle.js';
import { toIpcError } from './errors.js';
import { DatabaseLockedError, openDatabase } from './db/database.js';
import type { CorrectionsState, ProjectSummary, Result } from '../../shared/ipc.js';
import type { AlignmentPath } from '../../shared/path.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'resources/fixtures/minuet-repeat/');
const handleJs = pathToFileURL(join(root, 'dist/node/electron/app/ipc/handle.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'accord-two-processes-'));

function services(dbPath: string): AppServices {
  return createServices({
    dbPath,
    emit: () => undefined,
    mediaUrl: (id) => `accord-media://recording/${id}`,
  });
}

/**
 * A child process that, for `ms`, opens the database, logs 3 checked marks at its own times and
 * closes it again; prints what was acknowledged and every refusal.
 */
const CHILD = `
import { createServices } from ${JSON.stringify(handleJs)};
const [dbPath, projectId, tag, ms] = process.argv.slice(1);
const acks = [];
const refusals = [];
let i = 0;
const end = Date.now() + Number(ms);
while (Date.now() < end) {
  const t0 = Date.now();
  let s;
  try {
    s = createServices({ dbPath, emit: () => {}, mediaUrl: () => '' });
  } catch (err) {
    refusals.push({ ms: Date.now() - t0, name: err.name, message: err.message });
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    continue;
  }
  try {
    for (let k = 0; k < 3; k++, i++) {
      const start = Number(tag) + i * 0.0001;
      await s.corrections.mark(Number(projectId), start, start + 0.00005);
      acks.push(start);
    }
  } finally {
    await s.close();
  }
  await new Promise((r) => setTimeout(r, Math.random() * 10));
}
console.log(JSON.stringify({ acks, refusals }));
`;

interface ChildReport {
  acks: number[];
  refusals: { ms: number; name: string; message: string }[];
}

function child(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, ...args], { cwd: root });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildReport);
    });
  });
}

function flatPath(seconds: number): AlignmentPath {
  const hop = 0.0232;
  const n = Math.floor(seconds / hop);
  return {
    hopSeconds: hop,
    scoreTime: Float64Array.from({ length: n }, (_, k) => k * hop),
    confidence: new Float32Array(n).fill(0.9),
    jumpFrames: [],
    method: 'dtw',
  };
}

const shared = join(dir, 'shared.db');
let projectId = 0;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/node/electron/app/ipc/handle.js'))) {
    throw new Error('the services are not built: run `npm run build` first (npm test does)');
  }
  const s = services(shared);
  try {
    projectId = (
      await s.projects.create({
        recordingPath: join(fixture, 'performance.ogg'),
        scorePath: join(fixture, 'score.mid'),
      })
    ).id;
  } finally {
    await s.close();
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the exclusive lock', () => {
  it('refuses a second opening at once with a clear error, and frees the file on close', () => {
    const path = join(dir, 'lock.db');
    const a = openDatabase(path);
    const t0 = performance.now();
    expect(() => openDatabase(path)).toThrow(DatabaseLockedError);
    expect(() => openDatabase(path)).toThrow(/open in another window or process/);
    expect(performance.now() - t0).toBeLessThan(1000);
    a.close();
    openDatabase(path).close();
  });

  it('two processes editing one project: the one without the lock is refused, no acknowledged edit is lost', async () => {
    const [a, b] = await Promise.all([
      child([shared, String(projectId), '1', '2500']),
      child([shared, String(projectId), '2', '2500']),
    ]);
    const acks = [...a.acks, ...b.acks];
    const refusals = [...a.refusals, ...b.refusals];
    expect(a.acks.length).toBeGreaterThan(0);
    expect(b.acks.length).toBeGreaterThan(0);
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) {
      expect(r.name).toBe('DatabaseLockedError');
      expect(r.message).toMatch(/open in another window or process/);
      expect(r.ms).toBeLessThan(1000);
    }
    const s = services(shared);
    try {
      const c = s.corrections.get(projectId);
      const stored = new Set(c.corrections.regions.map((r) => r.perfStart));
      const lost = acks.filter((t) => !stored.has(t));
      expect(lost).toEqual([]);
      expect(c.entries).toBe(acks.length);
      expect(c.cursor).toBe(acks.length);
      console.log(
        `two processes: ${acks.length} acknowledged edits, ${lost.length} lost, ${refusals.length} openings refused (slowest ${Math.max(...refusals.map((r) => r.ms))} ms)`,
      );
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('one correction, one transaction', () => {
  it('a failed log write stores no new version (restore), a failed cursor write none either (undo)', async () => {
    const s = services(shared);
    try {
      const v1 = s.projects.addAlignment(projectId, flatPath(10), 'automatic');
      s.projects.addAlignment(projectId, flatPath(12), 'automatic');
      const versions = (): number => s.projects.listAlignments(projectId).length;
      const n = versions();
      s.db.exec(
        `CREATE TRIGGER no_edits BEFORE INSERT ON edits BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`,
      );
      await expect(s.corrections.restore(projectId, v1.id)).rejects.toThrow(/disk full/);
      expect(versions()).toBe(n);
      s.db.exec('DROP TRIGGER no_edits');

      await s.corrections.restore(projectId, v1.id);
      const afterRestore = versions();
      expect(afterRestore).toBe(n + 1);
      const entries = s.corrections.get(projectId).entries;
      s.db.exec(
        `CREATE TRIGGER no_cursor BEFORE UPDATE ON edit_cursor BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`,
      );
      await expect(s.corrections.undo(projectId)).rejects.toThrow(/disk full/);
      expect(versions()).toBe(afterRestore);
      s.db.exec('DROP TRIGGER no_cursor');
      const st = s.corrections.get(projectId);
      expect(st.cursor).toBe(entries);
      // Undo still works once the write can go through.
      await s.corrections.undo(projectId);
      expect(s.corrections.get(projectId).cursor).toBe(entries - 1);
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('a damaged log row', () => {
  it('breaks only its own project: project:list lists every project, corrections:get says which entry', async () => {
    const s = services(shared);
    try {
      const h = createHandlers(s, {
        info: { version: 'test', host: 'bridge', platform: process.platform },
        openDialog: () => Promise.resolve(null),
        saveDialog: () => Promise.resolve(null),
      });
      const other = await s.projects.create({
        recordingPath: join(fixture, 'performance.ogg'),
        scorePath: join(fixture, 'score.mid'),
        title: 'other',
      });
      s.db.prepare('INSERT INTO edits (project_id, seq, op, inverse, created_at) VALUES (?, 1, ?, ?, ?)').run(
        other.id,
        JSON.stringify({
          type: 'move-anchor',
          id: 'gone',
          from: { perfTime: 1, scoreTime: 1 },
          to: { perfTime: 2, scoreTime: 2 },
        }),
        JSON.stringify({
          type: 'move-anchor',
          id: 'gone',
          from: { perfTime: 2, scoreTime: 2 },
          to: { perfTime: 1, scoreTime: 1 },
        }),
        Date.now(),
      );
      s.db
        .prepare(
          'INSERT INTO edit_cursor (project_id, position) VALUES (?, 1) ON CONFLICT (project_id) DO UPDATE SET position = 1',
        )
        .run(other.id);
      const list = (await dispatch(h, 'project:list', [])) as Result<ProjectSummary[]>;
      expect(list.ok).toBe(true);
      if (list.ok) expect(list.value.map((p) => p.id).sort()).toEqual([projectId, other.id].sort());
      const good = (await dispatch(h, 'corrections:get', [projectId])) as Result<CorrectionsState>;
      expect(good.ok).toBe(true);
      const bad = (await dispatch(h, 'corrections:get', [other.id])) as Result<CorrectionsState>;
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.message).toMatch(/edit log is damaged at entry 1 of 1: move-anchor/);
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('SQLITE_BUSY', () => {
  it('crosses IPC as a busy error', () => {
    const path = join(dir, 'busy.db');
    const a = new Database(path);
    a.exec('CREATE TABLE t (x)');
    a.exec('BEGIN EXCLUSIVE');
    const b = new Database(path, { timeout: 0 });
    let caught: unknown;
    try {
      b.exec('INSERT INTO t VALUES (1)');
    } catch (err) {
      caught = err;
    }
    a.exec('ROLLBACK');
    a.close();
    b.close();
    expect((caught as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(toIpcError(caught)).toMatchObject({
      code: 'busy',
      message: expect.stringMatching(/busy/) as unknown,
    });
  });
});
