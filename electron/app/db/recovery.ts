/**
 * What to do when the project database cannot be opened at start-up: a plan (message and the
 * choices a dialog offers) from the error, and the file moves each choice makes. No Electron here:
 * the main process shows the plan in a message box and calls `applyRecovery` with the answer.
 */
import { copyFileSync, existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseLockedError, DatabaseVersionError, type Db } from './database.js';

/** Why the database could not be opened. */
export type DatabaseProblem = 'locked' | 'newer' | 'corrupt' | 'unreadable';

/** One button of the recovery dialog. */
export type RecoveryAction =
  { kind: 'open-backup'; backup: string } | { kind: 'start-fresh' } | { kind: 'quit' };

/** The recovery dialog: its text and its buttons, in order (the last one quits). */
export interface RecoveryPlan {
  problem: DatabaseProblem;
  message: string;
  detail: string;
  choices: { label: string; action: RecoveryAction }[];
}

/** Backups kept beside the database (newest first); older ones are deleted. */
export const BACKUPS_KEPT = 3;

/** A new backup is written at start-up when the newest is older than this (ms): one a day. */
export const BACKUP_EVERY_MS = 24 * 3600 * 1000;

/** Sorts SQLite's and this app's errors into the problems the dialog explains. */
export function classifyDatabaseError(err: unknown): DatabaseProblem {
  if (err instanceof DatabaseLockedError) return 'locked';
  if (err instanceof DatabaseVersionError)
    return /newer than this build/.test(err.message) ? 'newer' : 'corrupt';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return 'corrupt';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  }
  return 'unreadable';
}

/** The backups of `dbPath` (`<name>.backup-<ms>.db` beside it), newest first. */
export function listBackups(dbPath: string): string[] {
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}.backup-`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.db'))
    .map((f) => ({ f, t: Number(f.slice(prefix.length, -3)) }))
    .filter(({ t }) => Number.isSafeInteger(t))
    .sort((a, b) => b.t - a.t)
    .map(({ f }) => join(dir, f));
}

/** The dialog for `err`, raised by opening `dbPath`: what happened, and the choices that fit. */
export function planRecovery(err: unknown, dbPath: string): RecoveryPlan {
  const problem = classifyDatabaseError(err);
  const cause = err instanceof Error ? err.message : String(err);
  const quit = { label: 'Quit', action: { kind: 'quit' } as const };
  if (problem === 'locked') {
    return {
      problem,
      message: 'Accord is already open in another window or process',
      detail: `${cause}\n\nClose Accord there (or the accord command or bridge using it) and start again.`,
      choices: [quit],
    };
  }
  const backups = listBackups(dbPath);
  const newest = backups[0];
  const aside = `${basename(dbPath)}.bad-<date>`;
  const message =
    problem === 'newer'
      ? 'Your projects were saved by a newer version of Accord'
      : problem === 'corrupt'
        ? 'Accord’s project database is damaged'
        : 'Accord cannot open its project database';
  const advice =
    problem === 'newer'
      ? 'Install the newer version to keep working on them, or continue here from a backup or with no projects.'
      : 'You can continue from a backup or with no projects.';
  return {
    problem,
    message,
    detail:
      `${cause}\n\n${advice} Either way the current file is kept, renamed ${aside}, in ${dirname(dbPath)}.` +
      (newest
        ? `\nNewest backup: ${basename(newest)} (${new Date(statSync(newest).mtimeMs).toLocaleString()}).`
        : ''),
    choices: [
      ...(newest ? [{ label: 'Open Backup', action: { kind: 'open-backup', backup: newest } as const }] : []),
      { label: 'Start Fresh', action: { kind: 'start-fresh' } as const },
      quit,
    ],
  };
}

/**
 * Carries out a choice before the caller opens `dbPath` again: the bad file (with its -wal and
 * -shm) is renamed `<name>.bad-<ms>` beside it, never deleted; `open-backup` then copies the
 * backup into place. Returns the path the bad file was moved to (undefined for `quit`).
 */
export function applyRecovery(action: RecoveryAction, dbPath: string, now = Date.now()): string | undefined {
  if (action.kind === 'quit') return undefined;
  const aside = `${dbPath}.bad-${now}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, aside + suffix);
  }
  if (action.kind === 'open-backup') copyFileSync(action.backup, dbPath);
  return aside;
}

/**
 * Writes a consistent copy of the open database to `<name>.backup-<ms>.db` beside it (SQLite's
 * online backup, which runs between other work) and keeps the newest `BACKUPS_KEPT`.
 */
export async function backupDatabase(db: Db, dbPath: string, now = Date.now()): Promise<string> {
  const target = `${dbPath}.backup-${now}.db`;
  await db.backup(target);
  for (const old of listBackups(dbPath).slice(BACKUPS_KEPT)) unlinkSync(old);
  return target;
}

/** `backupDatabase` when the newest backup is older than `BACKUP_EVERY_MS` (or there is none). */
export async function backupIfDue(db: Db, dbPath: string, now = Date.now()): Promise<string | undefined> {
  const newest = listBackups(dbPath)[0];
  const at = newest ? Number(newest.slice(`${dbPath}.backup-`.length, -3)) : -Infinity;
  return now - at >= BACKUP_EVERY_MS ? backupDatabase(db, dbPath, now) : undefined;
}
