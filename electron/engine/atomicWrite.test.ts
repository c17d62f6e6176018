import { afterEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OutputError, removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync } from './atomicWrite.js';

const folder = (): string => fs.mkdtempSync(path.join(tmpdir(), 'accord-atomic-'));
/** A name relative to the folder of the test, or the folder itself as '.'. */
const rel = (dir: string, p: string): string => path.relative(dir, p) || '.';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeFileAtomic', () => {
  it('fsyncs the temporary file before the rename and the folder after it', async () => {
    const dir = folder();
    const dest = path.join(dir, 'out.csv');
    fs.writeFileSync(dest, 'old');
    const log: string[] = [];
    const open = fs.promises.open.bind(fs.promises);
    vi.spyOn(fs.promises, 'open').mockImplementation(async (p, flags) => {
      const fh: FileHandle = await open(p, flags);
      const sync = fh.sync.bind(fh);
      fh.sync = (): Promise<void> => {
        log.push(`sync ${rel(dir, String(p))}`);
        return sync();
      };
      return fh;
    });
    const rename = fs.promises.rename.bind(fs.promises);
    vi.spyOn(fs.promises, 'rename').mockImplementation((a, b) => {
      log.push(`rename ${rel(dir, String(a))} → ${rel(dir, String(b))}`);
      return rename(a, b);
    });
    await writeFileAtomic(dest, 'new\n');
    expect(log).toHaveLength(3);
    expect(log[0]).toMatch(/^sync \.out\.csv\.[0-9a-f]{12}\.tmp$/);
    expect(log[1]).toBe(`rename ${log[0].slice(5)} → out.csv`);
    expect(log[2]).toBe(process.platform === 'win32' ? undefined : 'sync .');
    expect(fs.readFileSync(dest, 'utf8')).toBe('new\n');
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('leaves nothing behind when the write fails', async () => {
    const dir = folder();
    fs.mkdirSync(path.join(dir, 'taken'));
    const err = await writeFileAtomic(path.join(dir, 'taken'), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toMatch(/taken: could not write/);
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });
});

describe('writeFileAtomicSync', () => {
  it('fsyncs the temporary file before the rename and the folder after it', () => {
    const dir = folder();
    const dest = path.join(dir, 'out.json');
    const log: string[] = [];
    const byFd = new Map<number, string>();
    const openSync = fs.openSync;
    vi.spyOn(fs, 'openSync').mockImplementation((p, flags) => {
      const fd = openSync(p, flags);
      byFd.set(fd, rel(dir, String(p)));
      return fd;
    });
    const fsyncSync = fs.fsyncSync;
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      log.push(`sync ${byFd.get(fd)}`);
      fsyncSync(fd);
    });
    const renameSync = fs.renameSync;
    vi.spyOn(fs, 'renameSync').mockImplementation((a, b) => {
      log.push(`rename ${rel(dir, String(a))} → ${rel(dir, String(b))}`);
      renameSync(a, b);
    });
    writeFileAtomicSync(dest, '{}');
    expect(log[0]).toMatch(/^sync \.out\.json\.[0-9a-f]{12}\.tmp$/);
    expect(log[1]).toBe(`rename ${log[0].slice(5)} → out.json`);
    expect(log[2]).toBe(process.platform === 'win32' ? undefined : 'sync .');
    expect(fs.readFileSync(dest, 'utf8')).toBe('{}');
    expect(fs.readdirSync(dir)).toEqual(['out.json']);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes the temporary files of killed writes older than a minute, nothing else', async () => {
    const dir = folder();
    const old = (Date.now() - 2 * 60_000) / 1000;
    const make = (name: string, stale: boolean): void => {
      fs.writeFileSync(path.join(dir, name), 'x');
      if (stale) fs.utimesSync(path.join(dir, name), old, old);
    };
    make('.a.csv.0123456789ab.tmp', true); // a killed write: goes
    make('.summary.csv.ffffffffffff.tmp', true); // goes
    make('.b.csv.0123456789ab.tmp', false); // a write in flight: stays
    make('.notes.tmp', true); // not the writers' naming: stays
    make('c.csv.0123456789ab.tmp', true); // not hidden: stays
    make('.d.csv.0123456789ab.tmp.bak', true); // stays
    make('a.csv', true); // stays
    fs.mkdirSync(path.join(dir, '.e.csv.0123456789ab.tmp')); // a folder: stays
    fs.utimesSync(path.join(dir, '.e.csv.0123456789ab.tmp'), old, old);

    const removed = await removeStaleTempFiles(dir);
    expect(removed.map((p) => path.basename(p)).sort()).toEqual([
      '.a.csv.0123456789ab.tmp',
      '.summary.csv.ffffffffffff.tmp',
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual([
      '.b.csv.0123456789ab.tmp',
      '.d.csv.0123456789ab.tmp.bak',
      '.e.csv.0123456789ab.tmp',
      '.notes.tmp',
      'a.csv',
      'c.csv.0123456789ab.tmp',
    ]);
    expect(await removeStaleTempFiles(dir, 0)).toEqual([path.join(dir, '.b.csv.0123456789ab.tmp')]);
  });

  it('finds nothing in a folder that does not exist', async () => {
    expect(await removeStaleTempFiles(path.join(folder(), 'missing'))).toEqual([]);
  });

  it('matches the names that the writer gives its temporary files', async () => {
    const dir = folder();
    const dest = path.join(dir, 'x.csv');
    const rename = vi.spyOn(fs.promises, 'rename').mockRejectedValue(new Error('killed'));
    let tmp = '';
    vi.spyOn(fs.promises, 'rm').mockImplementation((p) => {
      tmp = String(p); // the failed write's cleanup, skipped: as if the process had died
      return Promise.resolve();
    });
    await expect(writeFileAtomic(dest, 'x')).rejects.toThrow(/killed/);
    expect(rename).toHaveBeenCalled();
    vi.restoreAllMocks();
    const old = (Date.now() - 2 * 60_000) / 1000;
    fs.utimesSync(tmp, old, old);
    expect(await removeStaleTempFiles(dir)).toEqual([tmp]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
