/**
 * Helper threads kept for the process (`HelperPool`): real worker threads that answer job after
 * job, and jobs that answer as failed (never reject) when a helper fails, dies or cannot start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HelperPool, sharedHelpers } from './helpers.js';

const echo = (): { url: URL; workerData: unknown } => ({
  url: new URL('./fixtures/helpers/echo.mjs', import.meta.url),
  workerData: {},
});

const pools: HelperPool[] = [];
function pool(entry = echo): HelperPool {
  const p = new HelperPool(entry);
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('HelperPool', () => {
  it('answers job after job on the same helper, in order', async () => {
    const p = pool();
    p.warm(2);
    expect(p.size).toBe(2);
    const outcomes = await Promise.all([1, 2, 3].map((k) => p.run(1, 'coarseSearch', { k })));
    expect(outcomes).toEqual([1, 2, 3].map((k) => ({ ok: true, result: { k } })));
    expect(await p.run(2, 'pitchEnergy', 'other')).toEqual({ ok: true, result: 'other' });
    expect(p.size).toBe(2);
  });

  it('answers a failed job with its error and keeps the helper', async () => {
    const p = pool();
    expect(await p.run(1, 'coarseCosts', 'fail')).toEqual({ ok: false, error: 'asked to fail' });
    expect(await p.run(1, 'coarseCosts', 'after')).toEqual({ ok: true, result: 'after' });
  });

  it("fails a dead helper's jobs, and starts a new one for the next", async () => {
    const p = pool();
    const dying = p.run(1, 'coarseCosts', 'die');
    const queued = p.run(1, 'coarseCosts', 'queued');
    const [a, b] = await Promise.all([dying, queued]);
    expect(a).toEqual({ ok: false, error: 'the helper ended (exit code 3)' });
    expect(b.ok).toBe(false);
    expect(p.size).toBe(0);
    expect(await p.run(1, 'coarseCosts', 'again')).toEqual({ ok: true, result: 'again' });
    expect(p.size).toBe(1);
  });

  it('answers as failed when its helper cannot start', async () => {
    const p = pool(() => ({
      url: new URL('./fixtures/helpers/no-such-entry.mjs', import.meta.url),
      workerData: {},
    }));
    const out = await p.run(1, 'pitchEnergy', 'x');
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toMatch(/helper/);
  });

  it('fails the pending jobs when closed', async () => {
    const p = pool();
    const pending = p.run(1, 'coarseSearch', 'die-later');
    await p.close();
    const out = await pending;
    // Answered before the close, or failed by it: never left hanging.
    expect(out.ok ? out.result : out.error).toMatch(/die-later|closed/);
    expect(p.size).toBe(0);
  });

  it('ends one helper on request: its pending jobs fail, the next job starts a new one', async () => {
    const p = pool();
    p.warm(2);
    const pending = p.run(1, 'coarseSearch', 'x');
    await p.end(1);
    const out = await pending;
    expect(out.ok ? out.result : out.error).toMatch(/^x$|ended/);
    expect(p.size).toBe(1);
    expect(await p.run(1, 'coarseSearch', 'y')).toEqual({ ok: true, result: 'y' });
    expect(p.size).toBe(2);
  });

  it('refuses a thread number that names no helper', () => {
    const p = pool();
    expect(() => p.run(0, 'coarseSearch', 1)).toThrow(/≥ 1/);
    expect(() => p.run(1.5, 'coarseSearch', 1)).toThrow(/≥ 1/);
  });

  it('keeps one pool for the process', () => {
    expect(sharedHelpers()).toBe(sharedHelpers());
  });
});

describe('a process with helpers', () => {
  // A Node process of its own that makes a pool from the TypeScript source (as the workers'
  // dev bootstrap does) and then has nothing left to do: idle helpers must not keep it open.
  const script = (body: string): string => `
    import { register } from 'node:module';
    register(${JSON.stringify(new URL('./workers/tsHooks.mjs', import.meta.url).href)});
    const { HelperPool } = await import(${JSON.stringify(new URL('./helpers.ts', import.meta.url).href)});
    const echo = () => ({ url: new URL(${JSON.stringify(new URL('./fixtures/helpers/echo.mjs', import.meta.url).href)}), workerData: {} });
    const pool = new HelperPool(echo);
    ${body}
  `;
  const run = (body: string): { status: number | null; signal: string | null; stdout: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-helpers-'));
    try {
      const file = join(dir, 'main.mjs');
      writeFileSync(file, script(body));
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
      return { status: r.status, signal: r.signal, stdout: r.stdout };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('ends when only idle helpers are left: started and never asked, or after their jobs', () => {
    expect(run('pool.warm(2);')).toMatchObject({ status: 0, signal: null });
    const after = run("console.log(JSON.stringify(await pool.run(1, 'coarseSearch', 7)));");
    expect(after).toMatchObject({ status: 0, signal: null });
    expect(JSON.parse(after.stdout)).toEqual({ ok: true, result: 7 });
  });
});
