/**
 * The command line's launcher on Linux: `align` and `batch` run in a child process whose glibc
 * backs its large allocations with transparent huge pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`,
 * glibc ≥ 2.35; an older or another C library ignores it). A 5-minute alignment touches about
 * 400 MB of fresh memory; in 4 KiB pages that is 100 000 page faults, in huge pages about 27 000,
 * and the alignment is 0.3 s faster (`docs/EVALUATION.md`, "Speed"). The tunable is read when a
 * process starts, so the launcher starts the real one: it mirrors the child's exit, passes on the
 * signals a terminal or a supervisor sends, and the child ends when the launcher dies, however it
 * dies (its IPC channel closes).
 *
 * `ACCORD_HUGE_PAGES=0` turns it off.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Commands whose work is large enough to repay a second process start (≈ 40 ms). */
const HEAVY_COMMANDS = new Set(['align', 'batch']);
const TUNABLE = 'glibc.malloc.hugetlb';
/** Set in the child, so that it never relaunches itself. */
const CHILD_MARK = 'ACCORD_LAUNCHED';

/**
 * The environment to relaunch `args` with, or undefined to run in this process: off Linux, for
 * light commands, when turned off, when the tunable is already set, or in a relaunched child.
 */
export function relaunchEnv(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): NodeJS.ProcessEnv | undefined {
  if (platform !== 'linux' || !HEAVY_COMMANDS.has(args[0] ?? '')) return undefined;
  if (env.ACCORD_HUGE_PAGES === '0' || env[CHILD_MARK] === '1') return undefined;
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.split(':').some((t) => t.split('=')[0] === TUNABLE)) return undefined;
  return {
    ...env,
    GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLE}=1` : `${TUNABLE}=1`,
    [CHILD_MARK]: '1',
  };
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs `script` with `args` in a child Node process with `env`, standard streams shared, and
 * resolves with its exit code; a child killed by a signal is mirrored by the launcher raising
 * the same signal on itself once its handlers are gone (so the shell sees the same death).
 */
export function relaunch(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    env,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      for (const s of FORWARDED) process.off(s, forward);
      reject(new Error(`could not start the aligner process (${process.execPath}): ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (signal) {
        process.kill(process.pid, signal);
        // Where the signal's default action does not end the launcher: 128 + its number.
        resolve(128 + (constants.signals[signal] ?? 0));
        return;
      }
      resolve(code ?? 1);
    });
  });
}

/**
 * In a relaunched child: end when the launcher is gone (its IPC channel closed), and let the
 * channel not hold the process open once the work is done.
 */
export function followLauncher(): void {
  if (process.env[CHILD_MARK] !== '1' || !process.channel) return;
  process.on('disconnect', () => process.exit(129));
  process.channel.unref();
}
