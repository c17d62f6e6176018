/**
 * The launcher that runs `align` and `batch` with huge-page allocations: when it relaunches,
 * what the child sees, and that the pair lives and dies as one process (real child processes;
 * the driver imports the compiled launcher, as `bin/accord.js` does).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../engine/repoRoot.js';
import { relaunchEnv } from './relaunch.js';

const root = repoRoot();
const built = path.join(root, 'dist/node/electron/hosts/cli/relaunch.js');

describe('relaunchEnv', () => {
  it('relaunches align and batch on Linux with the huge-page tunable added to those already set', () => {
    const env = relaunchEnv(['align', 'a.wav', 's.mid'], { PATH: '/bin' }, 'linux');
    expect(env).toEqual({ PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', ACCORD_LAUNCHED: '1' });
    const kept = relaunchEnv(['batch', 'm.csv'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux');
    expect(kept?.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it('runs in place elsewhere: other systems, light commands, turned off, already set, in the child', () => {
    expect(relaunchEnv(['align'], {}, 'darwin')).toBeUndefined();
    expect(relaunchEnv(['align'], {}, 'win32')).toBeUndefined();
    expect(relaunchEnv(['--help'], {}, 'linux')).toBeUndefined();
    expect(relaunchEnv([], {}, 'linux')).toBeUndefined();
    expect(relaunchEnv(['align'], { ACCORD_HUGE_PAGES: '0' }, 'linux')).toBeUndefined();
    expect(relaunchEnv(['align'], { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux')).toBeUndefined();
    expect(relaunchEnv(['align'], { ACCORD_LAUNCHED: '1' }, 'linux')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('relaunch', () => {
  let dir = '';
  let driver = '';
  beforeAll(() => {
    if (!existsSync(built))
      throw new Error('the CLI is not built: run `npm run build` first (npm test does)');
    dir = mkdtempSync(path.join(tmpdir(), 'accord-relaunch-'));
    const url = pathToFileURL(built).href;
    // The child: records what it sees, then exits with the code asked for or waits to be ended.
    writeFileSync(
      path.join(dir, 'child.mjs'),
      [
        `import { writeFileSync } from 'node:fs';`,
        `import { followLauncher } from ${JSON.stringify(url)};`,
        `followLauncher();`,
        `const [out, how] = process.argv.slice(2);`,
        `writeFileSync(out, JSON.stringify({ pid: process.pid, tunables: process.env.GLIBC_TUNABLES }));`,
        `if (how === 'wait') setInterval(() => {}, 1000);`,
        `else process.exitCode = Number(how);`,
      ].join('\n'),
    );
    // The launcher, as bin/accord.js uses it.
    driver = path.join(dir, 'driver.mjs');
    writeFileSync(
      driver,
      [
        `import { relaunch, relaunchEnv } from ${JSON.stringify(url)};`,
        `const env = relaunchEnv(['align'], process.env, process.platform);`,
        `relaunch(${JSON.stringify(path.join(dir, 'child.mjs'))}, process.argv.slice(2), env).then((c) => (process.exitCode = c));`,
      ].join('\n'),
    );
  });

  const env = { ...process.env, ACCORD_HUGE_PAGES: '', ACCORD_LAUNCHED: '', GLIBC_TUNABLES: '' };
  const childInfo = (out: string): { pid: number; tunables: string } =>
    JSON.parse(readFileSync(out, 'utf8')) as { pid: number; tunables: string };
  const started = (out: string): boolean => {
    try {
      return childInfo(out).pid > 0;
    } catch {
      return false;
    }
  };
  // Running, not a zombie that an orphan's new parent has yet to reap.
  const alive = (pid: number): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  async function until(what: string, done: () => boolean): Promise<void> {
    for (let t = 0; t < 200 && !done(); t++) await new Promise((r) => setTimeout(r, 25));
    expect(done(), what).toBe(true);
  }

  it('gives the child the tunable and exits with the child’s code', () => {
    const out = path.join(dir, 'code.json');
    const r = spawnSync(process.execPath, [driver, out, '7'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(7);
    expect(childInfo(out).tunables).toBe('glibc.malloc.hugetlb=1');
  });

  it('passes SIGTERM on and dies of it as the child did', async () => {
    const out = path.join(dir, 'term.json');
    const launcher = spawn(process.execPath, [driver, out, 'wait'], { env, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => launcher.once('exit', (_c, s) => r(s)));
    await until('the child started', () => started(out));
    const { pid } = childInfo(out);
    launcher.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    await until('the child ended', () => !alive(pid));
  });

  it('leaves no child behind when the launcher is killed outright', async () => {
    const out = path.join(dir, 'kill.json');
    const launcher = spawn(process.execPath, [driver, out, 'wait'], { env, stdio: 'ignore' });
    const exited = new Promise<void>((r) => launcher.once('exit', () => r()));
    await until('the child started', () => started(out));
    const { pid } = childInfo(out);
    expect(alive(pid)).toBe(true);
    launcher.kill('SIGKILL');
    await exited;
    await until('the orphaned child ended', () => !alive(pid));
  });
});
