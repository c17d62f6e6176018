/**
 * Schema migrations. Migration i (0-based) takes the database from `user_version` i to i + 1;
 * each runs in its own transaction. Append new migrations; never edit a released one.
 *
 * Tables (times in seconds, `created_at`/`updated_at` in ms since epoch; all rows cascade from
 * `projects`):
 * - `recordings` (1 per project): path, size, mtime, sha256, duration; `available` = 0 when the
 *   file moved or changed (needs relink).
 * - `scores` (1 per project): the imported file's bytes, so the project survives the file moving.
 * - `alignments`: versions 1, 2, … per project; `kind` automatic | edited | reviewed | imported;
 *   `path` is the `pathCodec.ts` BLOB; `parent_id` = the version an edit or review started from.
 * - `anchors`: hand-placed (perf_time, score_time) pins the re-alignment must pass through.
 * - `jumps_manual`: jumps the user added (`action` add) or removed (`action` remove) at perf_time.
 * - `edits` + `edit_cursor`: the undo/redo log. `op` and `inverse` are JSON operations
 *   (`{ "type": "anchor:add", … }`); `edit_cursor.position` = how many ops (by `seq`) are applied,
 *   so undo applies `inverse` of op `position` and decrements; a new op drops every `seq > position`.
 * - `review_marks`: performance ranges checked by hand (the list's "% checked").
 * - `view_state`: the editor's `ViewState` JSON per project.
 * - `peaks`, `features`: caches keyed by the recording's sha256 (and feature version).
 * - Migration 4: `features.onset`/`energy` (what re-alignment needs besides chroma),
 *   `edits.alignment_before`/`alignment_after` (the versions shown before and after each op, so
 *   undo/redo restore paths exactly; `op`/`inverse` are `shared/edit` `EditOp` JSON), and
 *   `alignments.corrections` (the `Corrections` JSON a version was made with).
 * - Migration 5: `practice_settings`, the practice-mode `PracticeSettings` JSON per project.
 * - Migration 6: `features.notes`, the note network's onset features (uint8, value × 255, see
 *   `shared/dsp/notes.ts`), so re-alignment compares the same features as the alignment did.
 * - Migration 7: `projects.uuid`, the identity a `.accord` project file carries (given on the first
 *   save; a project opened from a file keeps the file's), unique when set.
 * - Migration 8: `projects.realign_pending`, the spans (`shared/edit` `EditSpan` JSON array, null
 *   for the whole recording) of logged ops the latest version does not reflect yet; NULL when it
 *   reflects every op. Written in the same transaction as the op, cleared in the one storing the
 *   re-aligned version, so a re-alignment a quit or crash interrupted is resumed on the next open.
 * - Migration 9: scanned pages (issue 11, route 2). `scan_pages`: the project's page images as
 *   grayscale PNG (`png`), 1-based `page`, the file and page they came from, the detector's skew and
 *   systems (`systems`: `ScanSystem[]` JSON). `scan_boxes`: measure boxes in page pixels, their
 *   system, and `number`, the printed number of the notated measure a box is linked to (NULL:
 *   unlinked). Importing replaces both; a box edit is one UPDATE.
 * - Migration 10: `features.attack_rise`, how slowly the recording's notes swell in
 *   (`meanRiseFrames`, `shared/dsp/attack.ts`), so re-alignment reads the features at the notes'
 *   onsets as the alignment did; NULL in rows cached before (their alignments did not either).
 */
import type Database from 'better-sqlite3';

/** One schema step. */
export interface Migration {
  /** What it adds, for logs and errors. */
  name: string;
  /** Applies the step inside a transaction. */
  up(db: Database.Database): void;
}

/** All migrations in order; the schema version is `MIGRATIONS.length`. */
export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'projects, recordings, scores, alignments',
    up(db) {
      db.exec(`
        CREATE TABLE projects (
          id INTEGER PRIMARY KEY,
          title TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE recordings (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE,
          path TEXT NOT NULL,
          name TEXT NOT NULL,
          size_bytes INTEGER NOT NULL,
          mtime_ms REAL NOT NULL,
          sha256 TEXT NOT NULL,
          duration_seconds REAL NOT NULL,
          sample_rate INTEGER NOT NULL,
          channels INTEGER NOT NULL
        );
        CREATE TABLE scores (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          original_path TEXT NOT NULL,
          format TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes BLOB NOT NULL
        );
        CREATE TABLE alignments (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          version INTEGER NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('automatic', 'edited', 'reviewed', 'imported')),
          method TEXT NOT NULL,
          model_version TEXT,
          created_at INTEGER NOT NULL,
          path BLOB NOT NULL,
          parent_id INTEGER REFERENCES alignments(id) ON DELETE SET NULL,
          UNIQUE (project_id, version)
        );
      `);
    },
  },
  {
    name: 'editor: anchors, manual jumps, edit log, review marks, view state',
    up(db) {
      db.exec(`
        CREATE TABLE anchors (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          perf_time REAL NOT NULL,
          score_time REAL NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('manual', 'tap', 'imported')),
          created_at INTEGER NOT NULL
        );
        CREATE INDEX anchors_project ON anchors(project_id, perf_time);
        CREATE TABLE jumps_manual (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          perf_time REAL NOT NULL,
          from_score REAL NOT NULL,
          to_score REAL NOT NULL,
          action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
          created_at INTEGER NOT NULL
        );
        CREATE INDEX jumps_manual_project ON jumps_manual(project_id, perf_time);
        -- Undo/redo log: seq orders the ops; edit_cursor.position = number of ops applied.
        CREATE TABLE edits (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          op TEXT NOT NULL,
          inverse TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          UNIQUE (project_id, seq)
        );
        CREATE TABLE edit_cursor (
          project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
          position INTEGER NOT NULL
        );
        CREATE TABLE review_marks (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          perf_start REAL NOT NULL,
          perf_end REAL NOT NULL CHECK (perf_end >= perf_start),
          created_at INTEGER NOT NULL
        );
        CREATE INDEX review_marks_project ON review_marks(project_id, perf_start);
        CREATE TABLE view_state (
          project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
          state TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    name: 'caches: peaks and features; last job error',
    up(db) {
      db.exec(`
        CREATE TABLE peaks (
          recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
          sha256 TEXT NOT NULL,
          points_per_second INTEGER NOT NULL,
          duration_seconds REAL NOT NULL,
          data BLOB NOT NULL,
          PRIMARY KEY (recording_id, points_per_second)
        );
        CREATE TABLE features (
          recording_id INTEGER PRIMARY KEY REFERENCES recordings(id) ON DELETE CASCADE,
          sha256 TEXT NOT NULL,
          feature_version INTEGER NOT NULL,
          hop_seconds REAL NOT NULL,
          frames INTEGER NOT NULL,
          chroma BLOB NOT NULL
        );
        ALTER TABLE projects ADD COLUMN last_error TEXT;
        ALTER TABLE recordings ADD COLUMN available INTEGER NOT NULL DEFAULT 1;
      `);
    },
  },
  {
    name: 'corrections: full cached features, edit log alignment links, corrections per version',
    up(db) {
      db.exec(`
        ALTER TABLE features ADD COLUMN onset BLOB;
        ALTER TABLE features ADD COLUMN energy BLOB;
        ALTER TABLE edits ADD COLUMN alignment_before INTEGER REFERENCES alignments(id) ON DELETE SET NULL;
        ALTER TABLE edits ADD COLUMN alignment_after INTEGER REFERENCES alignments(id) ON DELETE SET NULL;
        ALTER TABLE alignments ADD COLUMN corrections TEXT;
      `);
    },
  },
  {
    name: 'practice mode: settings per project',
    up(db) {
      db.exec(`
        CREATE TABLE practice_settings (
          project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
          settings TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    name: 'note features in the features cache',
    up(db) {
      db.exec(`ALTER TABLE features ADD COLUMN notes BLOB;`);
    },
  },
  {
    name: 'project identity for .accord project files',
    up(db) {
      db.exec(`
        ALTER TABLE projects ADD COLUMN uuid TEXT;
        CREATE UNIQUE INDEX projects_uuid ON projects(uuid) WHERE uuid IS NOT NULL;
      `);
    },
  },
  {
    name: 'pending re-alignments survive a restart',
    up(db) {
      db.exec(`ALTER TABLE projects ADD COLUMN realign_pending TEXT;`);
    },
  },
  {
    name: 'scanned pages and their measure boxes',
    up(db) {
      db.exec(`
        CREATE TABLE scan_pages (
          project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
          page INTEGER NOT NULL CHECK (page >= 1),
          width INTEGER NOT NULL CHECK (width > 0),
          height INTEGER NOT NULL CHECK (height > 0),
          source_name TEXT NOT NULL,
          source_page INTEGER NOT NULL,
          skew_degrees REAL NOT NULL,
          systems TEXT NOT NULL,
          png BLOB NOT NULL,
          PRIMARY KEY (project_id, page)
        );
        CREATE TABLE scan_boxes (
          id INTEGER PRIMARY KEY,
          project_id INTEGER NOT NULL,
          page INTEGER NOT NULL,
          system INTEGER NOT NULL,
          x REAL NOT NULL,
          y REAL NOT NULL,
          w REAL NOT NULL CHECK (w > 0),
          h REAL NOT NULL CHECK (h > 0),
          number TEXT,
          FOREIGN KEY (project_id, page) REFERENCES scan_pages(project_id, page) ON DELETE CASCADE
        );
        CREATE INDEX scan_boxes_project ON scan_boxes(project_id, page);
      `);
    },
  },
  {
    name: 'how slowly a recording’s notes swell in, with its features',
    up(db) {
      db.exec(`ALTER TABLE features ADD COLUMN attack_rise REAL;`);
    },
  },
];
