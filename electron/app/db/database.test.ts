import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DatabaseVersionError,
  SCHEMA_VERSION,
  migrate,
  openDatabase,
  schemaVersion,
  type Db,
} from './database.js';
import { MIGRATIONS } from './migrations.js';
import { decodePath, encodePath } from './pathCodec.js';
import type { AlignmentPath } from '../../../shared/path.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'accord-db-'));

/** Rows written at each schema version (index = the migration that made their tables). */
const SEEDS: ((db: Db) => void)[] = [
  (db) => {
    db.prepare(
      "INSERT INTO projects (id, title, created_at, updated_at) VALUES (1, 'Old project', 10, 20)",
    ).run();
    db.prepare(
      "INSERT INTO recordings (project_id, path, name, size_bytes, mtime_ms, sha256, duration_seconds, sample_rate, channels) VALUES (1, '/a.wav', 'a.wav', 100, 5, 'ab', 60, 44100, 2)",
    ).run();
    db.prepare(
      "INSERT INTO scores (project_id, name, original_path, format, sha256, bytes) VALUES (1, 's.mid', '/s.mid', 'midi', 'cd', x'4d546864')",
    ).run();
    db.prepare(
      "INSERT INTO alignments (project_id, version, kind, method, created_at, path) VALUES (1, 1, 'automatic', 'dtw', 30, ?)",
    ).run(
      encodePath({
        hopSeconds: 0.5,
        scoreTime: new Float64Array([0, 0.4, 0.9]),
        confidence: new Float32Array([1, 0.5, 1]),
        jumpFrames: [2],
        method: 'dtw',
      }),
    );
  },
  (db) => {
    db.prepare(
      'INSERT INTO review_marks (project_id, perf_start, perf_end, created_at) VALUES (1, 0, 30, 40)',
    ).run();
    db.prepare("INSERT INTO view_state (project_id, state, updated_at) VALUES (1, '{}', 40)").run();
    db.prepare(
      'INSERT INTO edits (project_id, seq, op, inverse, created_at) VALUES (1, 1, \'{"op":"x"}\', \'{"op":"y"}\', 41)',
    ).run();
  },
  (db) => {
    db.prepare(
      "INSERT INTO peaks (recording_id, sha256, points_per_second, duration_seconds, data) VALUES (1, 'ab', 10, 60, x'00000000')",
    ).run();
  },
  (db) => {
    db.prepare(
      "INSERT INTO features (recording_id, sha256, feature_version, hop_seconds, frames, chroma, onset, energy) VALUES (1, 'ab', 1, 0.5, 0, x'', x'', x'')",
    ).run();
    db.prepare('UPDATE edits SET alignment_before = 1, alignment_after = 1 WHERE project_id = 1').run();
    db.prepare('UPDATE alignments SET corrections = \'{"anchors":[],"jumps":[],"regions":[]}\'').run();
  },
  (db) => {
    db.prepare("INSERT INTO practice_settings (project_id, settings, updated_at) VALUES (1, '{}', 50)").run();
  },
  (db) => {
    db.prepare("UPDATE features SET notes = x'00ff' WHERE recording_id = 1").run();
  },
  (db) => {
    db.prepare("UPDATE projects SET uuid = '0f8c2a4e-6b1d-4c3e-9a7f-1234567890ab' WHERE id = 1").run();
  },
  (db) => {
    db.prepare(`UPDATE projects SET realign_pending = '[{"perfTime":4},null]' WHERE id = 1`).run();
  },
  (db) => {
    db.prepare(
      "INSERT INTO scan_pages (project_id, page, width, height, source_name, source_page, skew_degrees, systems, png) VALUES (1, 1, 100, 140, 'a.pdf', 1, 0.5, '[]', x'89504e47')",
    ).run();
    db.prepare(
      "INSERT INTO scan_boxes (project_id, page, system, x, y, w, h, number) VALUES (1, 1, 0, 10, 20, 30, 40, '1')",
    ).run();
  },
  (db) => {
    db.prepare('UPDATE features SET attack_rise = 3.5 WHERE recording_id = 1').run();
  },
];

function schemaOf(db: Db): { type: string; name: string; sql: string | null }[] {
  return db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as {
    type: string;
    name: string;
    sql: string | null;
  }[];
}

describe('openDatabase', () => {
  it('creates a WAL database with foreign keys at the latest schema version', () => {
    const db = openDatabase(join(tmp(), 'a.db'));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('has a seed for every migration (so the upgrade test covers them all)', () => {
    expect(SEEDS.length).toBe(MIGRATIONS.length);
  });

  for (let from = 0; from < SCHEMA_VERSION; from++) {
    it(`upgrades a version-${from} database to ${SCHEMA_VERSION} keeping its data, with the fresh schema`, () => {
      const dir = tmp();
      const old = openDatabase(join(dir, 'old.db'), { migrateTo: from });
      expect(schemaVersion(old)).toBe(from);
      for (let k = 0; k < from; k++) SEEDS[k](old);
      old.close();

      const db = openDatabase(join(dir, 'old.db'));
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      const fresh = openDatabase(join(dir, 'fresh.db'));
      expect(schemaOf(db)).toEqual(schemaOf(fresh));
      fresh.close();
      if (from >= 1) {
        expect(db.prepare('SELECT title FROM projects WHERE id = 1').get()).toEqual({ title: 'Old project' });
        const a = db.prepare('SELECT path, method FROM alignments WHERE project_id = 1').get() as {
          path: Buffer;
          method: 'dtw';
        };
        expect(Array.from(decodePath(new Uint8Array(a.path), a.method).scoreTime)).toEqual([0, 0.4, 0.9]);
        // Columns added later get their defaults on old rows.
        expect(db.prepare('SELECT available FROM recordings WHERE project_id = 1').get()).toEqual({
          available: 1,
        });
      }
      if (from >= 2) expect(db.prepare('SELECT COUNT(*) AS n FROM review_marks').get()).toEqual({ n: 1 });
      // Cached features from before migration 10 have no measured rise (re-alignment leaves them unmoved).
      if (from >= 4)
        expect(db.prepare('SELECT attack_rise FROM features').get()).toEqual({
          attack_rise: from >= 10 ? 3.5 : null,
        });
      // The cascade from projects reaches every table after the upgrade.
      if (from >= 1) {
        db.prepare('DELETE FROM projects WHERE id = 1').run();
        for (const t of [
          'recordings',
          'scores',
          'alignments',
          'review_marks',
          'view_state',
          'edits',
          'peaks',
          'practice_settings',
        ]) {
          expect(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get(), t).toEqual({ n: 0 });
        }
      }
      db.close();
    });
  }

  it('rolls a failed migration back and stays at the last good version', () => {
    const db = new Database(join(tmp(), 'bad.db'));
    const bad = [
      MIGRATIONS[0],
      {
        name: 'broken',
        up(d: Db) {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          d.exec('ALTER TABLE no_such_table ADD COLUMN y INTEGER');
        },
      },
    ];
    expect(() => migrate(db, 2, bad)).toThrow(/migration 1 → 2 \(broken\) failed: .*no_such_table/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it('refuses a database from a newer build', () => {
    const path = join(tmp(), 'new.db');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(path)).toThrow(DatabaseVersionError);
    expect(() => openDatabase(path)).toThrow(new RegExp(`version ${SCHEMA_VERSION + 1} is newer`));
  });
});

describe('path BLOB codec', () => {
  it('round-trips score times, confidence, jumps and hop exactly', () => {
    const n = 1001;
    const path: AlignmentPath = {
      hopSeconds: 512 / 22050,
      scoreTime: Float64Array.from(
        { length: n },
        (_, i) => (i < 500 ? i * 0.0231 : (i - 400) * 0.0231) + 1e-12 * i,
      ),
      confidence: Float32Array.from({ length: n }, (_, i) => (i % 7) / 7),
      jumpFrames: [500],
      method: 'neural',
      modelVersion: 'm1',
    };
    const blob = encodePath(path);
    expect(blob.byteLength).toBe(24 + n * 12 + 4);
    const back = decodePath(blob, 'neural', 'm1');
    expect(back).toEqual(path);
  });

  it('rejects a truncated or foreign blob saying what it expected', () => {
    const blob = encodePath({
      hopSeconds: 0.1,
      scoreTime: new Float64Array(3),
      confidence: new Float32Array(3),
      jumpFrames: [],
      method: 'dtw',
    });
    expect(() => decodePath(blob.subarray(0, blob.length - 1), 'dtw')).toThrow(
      /expected 60 bytes for 3 frames and 0 jumps, got 59/,
    );
    expect(() => decodePath(new Uint8Array(30), 'dtw')).toThrow(/expected magic ACP1/);
  });
});
