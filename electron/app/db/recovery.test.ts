import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseLockedError, SCHEMA_VERSION, openDatabase } from './database.js';
import {
  BACKUPS_KEPT,
  BACKUP_EVERY_MS,
  applyRecovery,
  backupDatabase,
  backupIfDue,
  classifyDatabaseError,
  listBackups,
  planRecovery,
} from './recovery.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'accord-recovery-'));

/** A database with one project titled `title`. */
function withProject(path: string, title: string): void {
  const db = openDatabase(path);
  db.prepare('INSERT INTO projects (title, created_at, updated_at) VALUES (?, 1, 1)').run(title);
  db.close();
}

function openError(path: string): unknown {
  try {
    openDatabase(path).close();
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${path} not to open`);
}

const titles = (path: string): string[] => {
  const db = openDatabase(path);
  try {
    return (db.prepare('SELECT title FROM projects ORDER BY id').all() as { title: string }[]).map(
      (r) => r.title,
    );
  } finally {
    db.close();
  }
};

describe('database recovery at start-up', () => {
  it('a corrupt file: offers a fresh start, which keeps the bad file aside and opens an empty database', () => {
    const dir = tmp();
    const path = join(dir, 'accord.db');
    withProject(path, 'Lost');
    // Overwrite the header and the first page: SQLite says "file is not a database".
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 0, 4096);
    writeFileSync(path, bytes);
    const err = openError(path);
    expect(classifyDatabaseError(err)).toBe('corrupt');
    const plan = planRecovery(err, path);
    expect(plan.message).toMatch(/damaged/);
    expect(plan.choices.map((c) => c.label)).toEqual(['Start Fresh', 'Quit']);
    const aside = applyRecovery(plan.choices[0].action, path, 1234)!;
    expect(aside).toBe(`${path}.bad-1234`);
    expect(readFileSync(aside)).toEqual(bytes);
    expect(titles(path)).toEqual([]);
  });

  it('a newer schema (user_version above this build): says update, offers the newest backup, which restores its projects', async () => {
    const dir = tmp();
    const path = join(dir, 'accord.db');
    withProject(path, 'Etude');
    const db = openDatabase(path);
    await backupDatabase(db, path, 1000);
    db.prepare("INSERT INTO projects (title, created_at, updated_at) VALUES ('Later', 2, 2)").run();
    await backupDatabase(db, path, 2000);
    db.close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();

    const err = openError(path);
    expect(classifyDatabaseError(err)).toBe('newer');
    const plan = planRecovery(err, path);
    expect(plan.message).toMatch(/newer version of Accord/);
    expect(plan.detail).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(plan.choices.map((c) => c.label)).toEqual(['Open Backup', 'Start Fresh', 'Quit']);
    expect(plan.choices[0].action).toEqual({ kind: 'open-backup', backup: `${path}.backup-2000.db` });
    const aside = applyRecovery(plan.choices[0].action, path, 3000)!;
    const kept = new Database(aside, { readonly: true });
    expect(kept.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    kept.close();
    expect(titles(path)).toEqual(['Etude', 'Later']);
  });

  it('a database held by another connection: only Quit, and nothing is moved', () => {
    const dir = tmp();
    const path = join(dir, 'accord.db');
    const holder = openDatabase(path);
    try {
      const err = openError(path);
      expect(err).toBeInstanceOf(DatabaseLockedError);
      const plan = planRecovery(err, path);
      expect(plan.problem).toBe('locked');
      expect(plan.choices.map((c) => c.action.kind)).toEqual(['quit']);
      expect(applyRecovery(plan.choices[0].action, path)).toBeUndefined();
      expect(existsSync(path)).toBe(true);
    } finally {
      holder.close();
    }
  });

  it(`keeps the newest ${BACKUPS_KEPT} backups, each a database that opens`, async () => {
    const dir = tmp();
    const path = join(dir, 'accord.db');
    withProject(path, 'Kept');
    const db = openDatabase(path);
    for (const t of [1, 2, 3, 4, 5]) await backupDatabase(db, path, t);
    db.close();
    expect(listBackups(path)).toEqual([5, 4, 3].map((t) => `${path}.backup-${t}.db`));
    expect(titles(listBackups(path)[0])).toEqual(['Kept']);
  });

  it('backs up at start-up at most once a day', async () => {
    const dir = tmp();
    const path = join(dir, 'accord.db');
    const db = openDatabase(path);
    const day = BACKUP_EVERY_MS;
    expect(await backupIfDue(db, path, 10 * day)).toBe(`${path}.backup-${10 * day}.db`);
    expect(await backupIfDue(db, path, 10.5 * day)).toBeUndefined();
    expect(await backupIfDue(db, path, 11 * day)).toBe(`${path}.backup-${11 * day}.db`);
    db.close();
  });
});
