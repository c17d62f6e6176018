/**
 * `accord batch` when things go wrong: crashed workers, a killed batch, bad manifest rows and
 * colliding outputs. The compiled CLI (`npm run build`) runs as a user runs it; the real worker
 * is crashed through its test hook (`ACCORD_TEST_WORKER_CRASH=1`, see `batchWorker.ts`).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../engine/repoRoot.js';

const root = repoRoot();
const bin = path.join(root, 'bin/accord.js');
const fx = (p: string): string => path.join(root, 'resources', p);
const env = { ...process.env, ACCORD_TEST_WORKER_CRASH: '1' };
const HEADER = 'audio,score,out,status,error,seconds,audio_seconds,mean_confidence,jumps';

function accord(...args: string[]): {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
} {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Cells of a CSV text (quoted cells allowed), one array per line. */
function csv(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const cells: string[] = [];
      let cur = '';
      let q = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (q && c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') q = !q;
        else if (c === ',' && !q) {
          cells.push(cur);
          cur = '';
        } else cur += c;
      }
      cells.push(cur);
      return cells;
    });
}

/** Summary rows as objects keyed by the header. */
function summary(file: string): Record<string, string>[] {
  const [head, ...rows] = csv(readFileSync(file, 'utf8'));
  expect(head.join(',')).toBe(HEADER);
  return rows.map((r) => {
    expect(r).toHaveLength(head.length);
    return Object.fromEntries(head.map((h, i) => [h, r[i]]));
  });
}

/** A fresh folder holding copies of fixture recordings under the given names. */
function folder(prefix: string, copies: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), `accord-${prefix}-`));
  for (const [name, src] of Object.entries(copies)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    copyFileSync(fx(src), path.join(dir, name));
  }
  return dir;
}

const PRELUDE = 'fixtures/prelude/performance.ogg';
const STRUCTURE = 'fixtures/structure/performance.ogg';
const SCORE = (p: string): string => fx(`fixtures/${p}/score.mid`);

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/node/electron/hosts/cli/main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` first (npm test does)');
  }
});

describe('a crashed worker', () => {
  it('that exits is replaced: its pair fails with a clear error, the rest still run, the exit code is 2', () => {
    const dir = folder('exited', {
      'crash-exit.ogg': PRELUDE,
      'prelude.ogg': PRELUDE,
      'structure.ogg': STRUCTURE,
    });
    writeFileSync(
      path.join(dir, 'manifest.csv'),
      [
        'audio,score',
        `crash-exit.ogg,${SCORE('prelude')}`,
        `prelude.ogg,${SCORE('prelude')}`,
        `structure.ogg,${SCORE('structure')}`,
      ].join('\n'),
    );
    // Leftovers of a killed earlier run: a stale temporary file goes, a fresh one (another
    // writer's, in flight) and files not named like the writer's temporaries stay.
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const old = (Date.now() - 5 * 60_000) / 1000;
    writeFileSync(path.join(out, '.prelude.csv.0123456789ab.tmp'), 'half a file');
    utimesSync(path.join(out, '.prelude.csv.0123456789ab.tmp'), old, old);
    writeFileSync(path.join(out, '.other.csv.ba9876543210.tmp'), 'being written');
    writeFileSync(path.join(out, '.notes.tmp'), 'not ours');
    utimesSync(path.join(out, '.notes.tmp'), old, old);

    const r = accord('batch', path.join(dir, 'manifest.csv'), '-o', out, '--jobs', '1', '--method', 'dtw');
    expect(r.signal).toBe(null);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/2 aligned, 1 failed of 3/);
    const rows = summary(path.join(out, 'summary.csv'));
    expect(rows.map((o) => [path.basename(o.audio), o.status])).toEqual([
      ['crash-exit.ogg', 'failed'],
      ['prelude.ogg', 'ok'],
      ['structure.ogg', 'ok'],
    ]);
    expect(rows[0].error).toMatch(/worker .*exit code 70/);
    expect(readdirSync(out).sort()).toEqual([
      '.notes.tmp',
      '.other.csv.ba9876543210.tmp',
      'prelude.csv',
      'structure.csv',
      'summary.csv',
    ]);
  });

  it('that is killed (out of memory, a native crash) is replaced the same way', () => {
    const dir = folder('killed-worker', {
      'prelude.ogg': PRELUDE,
      'crash-kill.ogg': PRELUDE,
      'structure.ogg': STRUCTURE,
      'prelude2.ogg': PRELUDE,
    });
    writeFileSync(
      path.join(dir, 'manifest.csv'),
      [
        'audio,score',
        `prelude.ogg,${SCORE('prelude')}`,
        `crash-kill.ogg,${SCORE('prelude')}`,
        `structure.ogg,${SCORE('structure')}`,
        `prelude2.ogg,${SCORE('prelude')}`,
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = accord('batch', path.join(dir, 'manifest.csv'), '-o', out, '--jobs', '2', '--method', 'dtw');
    expect(r.signal).toBe(null);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/3 aligned, 1 failed of 4/);
    const rows = summary(path.join(out, 'summary.csv'));
    expect(rows.map((o) => o.status)).toEqual(['ok', 'failed', 'ok', 'ok']);
    expect(rows[1].error).toMatch(/worker .*SIGKILL/);
    expect(readdirSync(out).sort()).toEqual(['prelude.csv', 'prelude2.csv', 'structure.csv', 'summary.csv']);
  });
});

describe('the summary', () => {
  it('is written after each pair, so a batch killed midway leaves a summary of what finished', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const dir = folder('killed', Object.fromEntries(names.map((n) => [`${n}.ogg`, PRELUDE])));
    writeFileSync(
      path.join(dir, 'manifest.csv'),
      ['audio,score', ...names.map((n) => `${n}.ogg,${SCORE('prelude')}`)].join('\n'),
    );
    const out = path.join(dir, 'out');
    const file = path.join(out, 'summary.csv');
    const child = spawn(
      process.execPath,
      [bin, 'batch', path.join(dir, 'manifest.csv'), '-o', out, '--jobs', '1', '--method', 'dtw'],
      { cwd: root, env, stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let running = true;
    void exited.then(() => (running = false));
    // Watch the summary while the batch runs; stop it (SIGKILL) once some pairs have finished.
    let seen = 0;
    while (running && seen === 0) {
      await new Promise((r) => setTimeout(r, 20));
      if (existsSync(file)) seen = summary(file).length;
    }
    expect(running, 'the batch ended before its summary listed any finished pair').toBe(true);
    expect(seen, 'the summary listed no pair before all had finished').toBeLessThan(names.length);
    child.kill('SIGKILL');
    await exited;
    const rows = summary(file);
    expect(rows.length).toBeGreaterThanOrEqual(seen);
    expect(rows.length).toBeLessThan(names.length);
    for (const o of rows) {
      expect(o.status).toBe('ok');
      expect(existsSync(o.out)).toBe(true);
    }
  });
});

describe('the manifest', () => {
  it('a malformed row fails that row (expected and got, in the summary), not the batch', () => {
    const dir = folder('malformed', { 'prelude.ogg': PRELUDE, 'structure.ogg': STRUCTURE });
    writeFileSync(
      path.join(dir, 'manifest.csv'),
      [
        'audio,score,out',
        `prelude.ogg,${SCORE('prelude')}`,
        'lonely.ogg',
        `x.ogg,${SCORE('prelude')},x.csv,extra`,
        `structure.ogg,${SCORE('structure')}`,
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = accord('batch', path.join(dir, 'manifest.csv'), '-o', out, '--method', 'dtw');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/2 aligned, 2 failed of 4/);
    const rows = summary(path.join(out, 'summary.csv'));
    expect(rows.map((o) => o.status)).toEqual(['ok', 'failed', 'failed', 'ok']);
    expect(rows[1].error).toMatch(/manifest\.csv:3: expected .*audio.*score.*got 'lonely\.ogg'/);
    expect(rows[2].error).toMatch(/manifest\.csv:4: expected .*3 columns.*got 4/);
    expect(readdirSync(out).sort()).toEqual(['prelude.csv', 'structure.csv', 'summary.csv']);
  });

  it('two rows with the same output path are an error up front, naming both rows', () => {
    const dir = folder('dup', { 'prelude.ogg': PRELUDE, 'structure.ogg': STRUCTURE });
    writeFileSync(
      path.join(dir, 'manifest.csv'),
      [
        'audio,score,out',
        `prelude.ogg,${SCORE('prelude')},out/same.csv`,
        `structure.ogg,${SCORE('structure')},./out/../out/same.csv`,
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = accord('batch', path.join(dir, 'manifest.csv'), '-o', out, '--method', 'dtw');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifest\.csv:2 and .*manifest\.csv:3 .*same\.csv/);
    expect(existsSync(path.join(out, 'same.csv'))).toBe(false);
  });

  it('recordings of the same name get distinct outputs, whichever shard aligns them', () => {
    const dir = folder('shard-names', { 'a/take.ogg': PRELUDE, 'b/take.ogg': PRELUDE });
    writeFileSync(
      path.join(dir, 'manifest.csv'),
      ['audio,score', `a/take.ogg,${SCORE('prelude')}`, `b/take.ogg,${SCORE('prelude')}`].join('\n'),
    );
    const out = path.join(dir, 'out');
    for (const shard of ['0/2', '1/2'])
      expect(
        accord('batch', path.join(dir, 'manifest.csv'), '-o', out, '--shard', shard, '--method', 'dtw').code,
      ).toBe(0);
    expect(summary(path.join(out, 'summary-0of2.csv')).map((o) => path.basename(o.out))).toEqual([
      'take.csv',
    ]);
    expect(summary(path.join(out, 'summary-1of2.csv')).map((o) => path.basename(o.out))).toEqual([
      'take-2.csv',
    ]);
  });
});

describe('a folder of recordings', () => {
  it('pairs every audio extension the decoder reads (.wave, .opus too) with every score extension', async () => {
    const { pairFolder } = await import('./batch.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'accord-pairs-'));
    for (const n of ['a.wave', 'a.mid', 'b.opus', 'b.smf', 'c.oga', 'c.mxl', 'd.flac', 'notes.txt'])
      writeFileSync(path.join(dir, n), '');
    const log: string[] = [];
    const pairs = await pairFolder(dir, (l) => log.push(l));
    expect(pairs.map((p) => [path.basename(p.audio), path.basename(p.score)])).toEqual([
      ['a.wave', 'a.mid'],
      ['b.opus', 'b.smf'],
      ['c.oga', 'c.mxl'],
    ]);
    expect(log).toEqual([expect.stringMatching(/^skipping d\.flac: no score named d\./)]);
  });
});
