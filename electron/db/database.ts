/** The project database: one SQLite file, WAL, foreign keys, migrated with `PRAGMA user_version`. */
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

/** The open database handle. */
export type Db = Database.Database;

/** Schema version of this build. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Error for a database this build cannot use (newer schema, failed migration). */
export class DatabaseVersionError extends Error {
  override readonly name = 'DatabaseVersionError';
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

/** Opens (creating if needed) the database file at `path` and migrates it to `SCHEMA_VERSION`. */
export function openDatabase(path: string, opts: { migrateTo?: number } = {}): Db {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, opts.migrateTo ?? MIGRATIONS.length);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
