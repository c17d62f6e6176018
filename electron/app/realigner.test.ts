/**
 * The edit worker's cancel grace (real worker thread, real SQLite, real features): when a
 * cancelled re-alignment outlives its grace and its worker is stopped, the next request never
 * lands on that stopping worker, whichever way the cancelled one ends (it was still loading its
 * inputs, or the worker had answered it and the answer was still on its way).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { diagonal } from './edits.testutil.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices, type AppServices } from './ipc/handle.js';
import { Realigner, type RealignRequest } from './realigner.js';
import { apply, editSpan, emptyCorrections, type EditOp } from '../../shared/edit/index.js';
import { HOP_SECONDS } from '../../shared/dsp/params.js';
import type { AlignmentPath } from '../../shared/path.js';

const fixture = fileURLToPath(new URL('../../resources/fixtures/minuet-repeat/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-realigner-'));
/** A short grace, so the tests need not wait for the real one. */
const GRACE_MS = 50;
let s: AppServices;
let id = 0;
let base: AlignmentPath;
const realigners: Realigner[] = [];

/** A re-alignment of the base path around an anchor at `perfTime` → `scoreTime`. */
function request(perfTime: number, scoreTime: number): RealignRequest {
  const op: EditOp = {
    type: 'add-anchor',
    anchor: { id: `a${perfTime}`, perfTime, scoreTime, source: 'drag' },
  };
  return {
    key: s.projects.editInputsKey(id),
    path: { ...base, scoreTime: base.scoreTime.slice(), confidence: base.confidence.slice() },
    corrections: apply(emptyCorrections(), op),
    spans: [editSpan(op)],
  };
}

/** A realigner with the short grace, closed after the test. */
function realigner(): Realigner {
  const r = new Realigner({ cancelGraceMs: GRACE_MS });
  realigners.push(r);
  return r;
}

/** Blocks the main thread for `ms` (the worker thread runs on). */
function holdMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

beforeAll(async () => {
  s = createServices({ dbPath: join(dir, 'accord.db'), emit: () => {}, mediaUrl: (p) => `x://${p}` });
  const p = await s.projects.create({
    recordingPath: join(fixture, 'performance.ogg'),
    scorePath: join(fixture, 'score-norepeat.mid'),
  });
  id = p.id;
  base = diagonal(s.projects.summary(id).durationSeconds);
  // Features computed once, so each test's inputs come from the database.
  await s.projects.editInputs(id);
}, 120_000);
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(realigners.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a cancelled re-alignment past its grace', () => {
  it('while its inputs were loading: the next request re-aligns (not on the stopped worker)', async () => {
    const r = realigner();
    const held = await s.projects.editInputs(id);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let release!: () => void;
    const loading = new Promise<void>((resolve) => (release = resolve));
    const ac = new AbortController();
    const a = r.run(request(10, 9), {
      signal: ac.signal,
      inputs: async () => {
        await loading;
        return held;
      },
    });
    ac.abort();
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    const b = r.run(request(20, 19), { inputs: () => s.projects.editInputs(id) });
    // The grace runs out while the inputs still load; they come in the same turn.
    vi.advanceTimersByTime(GRACE_MS);
    release();
    const out = await b;
    expect(out.path.scoreTime[Math.round(20 / HOP_SECONDS)]).toBeCloseTo(19, 6);
  }, 120_000);

  it('after the worker answered it: the next request re-aligns (not on the stopped worker)', async () => {
    const r = realigner();
    // The worker holds the inputs: the next request is sent at once, without them.
    await r.run(request(5, 4.5), { inputs: () => s.projects.editInputs(id) });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const ac = new AbortController();
    const a = r.run(request(10, 9), { signal: ac.signal, inputs: () => s.projects.editInputs(id) });
    ac.abort();
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    const b = r.run(request(20, 19), { inputs: () => s.projects.editInputs(id) });
    // The worker answers the cancelled request (in milliseconds) while main is busy; the grace
    // runs out before main reads that answer (as under load).
    holdMainThread(1000);
    vi.advanceTimersByTime(GRACE_MS);
    const out = await b;
    expect(out.path.scoreTime[Math.round(20 / HOP_SECONDS)]).toBeCloseTo(19, 6);
  }, 120_000);
});
