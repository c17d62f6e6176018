/**
 * Paths only the user chose (issue 9, defect 4), over the real bridge and HTTP: files are read or
 * written only when a dialog answered them or a drop gave them, import errors never quote the
 * file, and the save dialog's default name stays a plain name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge, type Bridge } from '../../hosts/bridge/server.js';
import { fromWireJson, toWireJson } from './wire.js';
import { makeFixtureDir } from './fixtures.testutil.js';
import { safeFileName } from './grants.js';
import type { Result, SaveDialogArgs } from '../../../shared/ipc.js';
import type { AlignmentPath } from '../../../shared/path.js';

const fx = makeFixtureDir();
const rendererDir = join(fx.dir, 'renderer');
mkdirSync(rendererDir);
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
const SECRET = 'TOP-SECRET-API-KEY=4f9d2c';
const secretFile = join(fx.dir, 'secret.csv');
writeFileSync(secretFile, `${SECRET}\nsecond line\n`);
const victim = join(fx.dir, 'victim.txt');
writeFileSync(victim, 'precious');
const saveArgs: SaveDialogArgs[] = [];
const saveAnswers: (string | null)[] = [];

let bridge: Bridge;
let projectId = 0;

beforeAll(async () => {
  bridge = await startBridge({
    dbPath: fx.dbPath,
    rendererDir,
    dialogs: {
      save: (a) => {
        saveArgs.push(a);
        return saveAnswers.shift() ?? null;
      },
    },
  });
  const p = await bridge.services.projects.create({ recordingPath: fx.wav, scorePath: fx.mid });
  projectId = p.id;
  const hop = 0.0232;
  const n = Math.floor(p.durationSeconds / hop);
  const path: AlignmentPath = {
    hopSeconds: hop,
    scoreTime: Float64Array.from({ length: n }, (_, k) => k * hop * 0.5),
    confidence: new Float32Array(n).fill(0.9),
    jumpFrames: [],
    method: 'dtw',
  };
  bridge.services.projects.addAlignment(projectId, path, 'automatic');
}, 60_000);

afterAll(async () => {
  await bridge?.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

async function post(path: string, body: string): Promise<{ status: number; text: string }> {
  const r = await fetch(bridge.origin + path, {
    method: 'POST',
    headers: { 'x-accord-token': bridge.token, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, text: await r.text() };
}

async function invoke<T>(channel: string, ...args: unknown[]): Promise<Result<T>> {
  const r = await post(`/__accord/invoke/${channel}`, toWireJson(args));
  expect(r.status).toBe(200);
  return fromWireJson(r.text) as Result<T>;
}

function errorOf(r: Result<unknown>): string {
  expect(r.ok).toBe(false);
  return r.ok ? '' : `${r.error.code} ${r.error.message}`;
}

describe('paths only the user chose', () => {
  it('alignment:import refuses a path no dialog or drop gave, without reading it', async () => {
    const e = errorOf(await invoke('alignment:import', projectId, 'csv', secretFile));
    expect(e).toMatch(/^invalid-argument the alignment file: expected a file chosen in a dialog or dropped/);
    expect(e).not.toContain(SECRET);
  });

  it('alignment:import of a granted file that is not an alignment says so without quoting it', async () => {
    bridge.queueDialog(secretFile);
    const chosen = await invoke<string | null>('dialog:open', { kind: 'alignment' });
    expect(chosen).toEqual({ ok: true, value: secretFile });
    const e = errorOf(await invoke('alignment:import', projectId, 'csv', secretFile));
    expect(e).toMatch(/^invalid-argument .*secret\.csv: csv/);
    expect(e).not.toContain('TOP-SECRET');
    expect(e).not.toContain('4f9d2c');
    expect(e).not.toContain('second line');
  });

  it('a dropped file (accordBridge.fileAt) is granted like a dialog answer', async () => {
    const dropped = join(fx.dir, 'dropped.csv');
    writeFileSync(dropped, 'perf_time,score_time\n0,0\n1,0.5\n');
    expect(errorOf(await invoke('alignment:import', projectId, 'csv', dropped))).toMatch(
      /expected a file chosen in a dialog or dropped/,
    );
    expect((await post('/__accord/drop', JSON.stringify({ path: dropped }))).status).toBe(200);
    const r = await invoke<{ kind: string }>('alignment:import', projectId, 'csv', dropped);
    expect(r).toMatchObject({ ok: true, value: { kind: 'imported' } });
  });

  it('export:alignment writes only where the save dialog answered', async () => {
    const e = errorOf(await invoke('export:alignment', projectId, 'csv', victim));
    expect(e).toMatch(/^invalid-argument the export destination: expected a file chosen in a dialog/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    const dest = join(fx.dir, 'chosen.csv');
    saveAnswers.push(dest);
    expect(await invoke('dialog:save', { format: 'csv', defaultName: 'x.csv' })).toEqual({
      ok: true,
      value: dest,
    });
    const r = await invoke<{ path: string }>('export:alignment', projectId, 'csv', dest);
    expect(r.ok).toBe(true);
    expect(readFileSync(dest, 'utf8')).toMatch(/^perf_time,score_time/);
  });

  it('project:relink takes the project own recording or a granted file, nothing else', async () => {
    expect(errorOf(await invoke('project:relink', projectId, secretFile))).not.toMatch(/dialog or dropped/);
    const other = join(fx.dir, 'other.wav');
    writeFileSync(other, readFileSync(fx.wav));
    expect(errorOf(await invoke('project:relink', projectId, other))).toMatch(
      /^invalid-argument the recording: expected a file chosen/,
    );
    expect(await invoke('project:relink', projectId, fx.wav)).toMatchObject({ ok: true });
  });

  it('project:create takes a score and a recording only from a dialog or a drop', async () => {
    const score = join(fx.dir, 'typed-score.mid');
    const recording = join(fx.dir, 'typed-take.wav');
    writeFileSync(score, readFileSync(fx.mid));
    writeFileSync(recording, readFileSync(fx.wav));
    const count = async (): Promise<number> =>
      ((await invoke<unknown[]>('project:list')) as { value: unknown[] }).value.length;
    const before = await count();
    const typed = errorOf(await invoke('project:create', { recordingPath: recording, scorePath: score }));
    expect(typed).toBe(
      `invalid-argument The recording: expected a file chosen in a dialog or dropped on the window, got ${recording}, which was not`,
    );
    bridge.queueDialog(recording);
    expect(await invoke('dialog:open', { kind: 'recording' })).toEqual({ ok: true, value: recording });
    expect(errorOf(await invoke('project:create', { recordingPath: recording, scorePath: score }))).toMatch(
      /^invalid-argument The score: expected a file chosen in a dialog or dropped on the window, got .*typed-score\.mid, which was not$/,
    );
    expect(await count()).toBe(before);
    expect((await post('/__accord/drop', JSON.stringify({ path: score }))).status).toBe(200);
    const made = await invoke<{ scoreName: string; recordingName: string }>('project:create', {
      recordingPath: recording,
      scorePath: score,
    });
    expect(made).toMatchObject({
      ok: true,
      value: { scoreName: 'typed-score.mid', recordingName: 'typed-take.wav' },
    });
    expect(await count()).toBe(before + 1);
  });

  it('dialog:save gets a plain default name: no folders, no ..', async () => {
    saveArgs.length = 0;
    for (const name of ['../../../etc/passwd', '..\\..\\boot.ini', '/abs/x.csv', '..', 'C:\\x\\y.csv']) {
      await invoke('dialog:save', { format: 'csv', defaultName: name });
    }
    expect(saveArgs).toHaveLength(5);
    for (const a of saveArgs) {
      expect(a.defaultName).toBeDefined();
      expect(a.defaultName).not.toMatch(/[\\/]/);
      expect(a.defaultName).not.toContain('..');
      expect(a.defaultName).not.toMatch(/^\./);
    }
    expect(safeFileName('Minuet in G.csv', 'alignment')).toBe('Minuet in G.csv');
    expect(safeFileName('..', 'alignment')).toBe('alignment');
  });
});
