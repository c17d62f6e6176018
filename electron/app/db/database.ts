/** The project database: one SQLite file, WAL, foreign keys, migrated with `PRAGMA user_version`. */
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';
import { isBusy } from '../errors.js';

/** The open database handle. */
export type Db = Database.Database;

/** Schema version of this build. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Error for a database this build cannot use (newer schema, failed migration). */
export class DatabaseVersionError extends Error {
  override readonly name = 'DatabaseVersionError';
}

/** Error for a database file another process (another window, the CLI, the bridge) holds open. */
export class DatabaseLockedError extends Error {
  override readonly name = 'DatabaseLockedError';
}

/** The database's `user_version`. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs migrations `from … to − 1`, each in its own transaction that also sets `user_version`,
 * so a failure leaves the database at the last completed version.
 */
export function migrate(
  db: Db,
  to: number = MIGRATIONS.length,
  migrations: readonly Migration[] = MIGRATIONS,
): number {
  const from = schemaVersion(db);
  if (from > migrations.length) {
    throw new DatabaseVersionError(
      `database schema version ${from} is newer than this build supports (expected ≤ ${migrations.length}): update Accord`,
    );
  }
  for (let v = from; v < to; v++) {
    const m = migrations[v];
    const step = db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${v + 1}`);
    });
    try {
      step();
    } catch (err) {
      throw new DatabaseVersionError(
        `migration ${v} → ${v + 1} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
  return schemaVersion(db);
}

/**
 * Opens (creating if needed) the database file at `path`, takes its exclusive lock and migrates it
 * to `SCHEMA_VERSION`. The lock (SQLite `locking_mode = EXCLUSIVE`, an OS file lock that ends with
 * the process, even on kill -9) is held until `close()`, so a second process fails at once with
 * `DatabaseLockedError` instead of editing from a stale log; `busy_timeout = 0` keeps any busy
 * wait off the main thread.
 */
export function openDatabase(path: string, opts: { migrateTo?: number } = {}): Db {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      db.pragma('journal_mode = WAL');
      db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (err) {
      if (isBusy(err)) {
        throw new DatabaseLockedError(
          `this project database is open in another window or process (${path}): close it there first`,
          { cause: err },
        );
      }
      throw err;
    }
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, opts.migrateTo ?? MIGRATIONS.length);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
