/** What a project keeps so it is not recomputed: parsed scores and matrix images (in memory), waveform peaks and recording features (in the database). */
import { extname } from 'node:path';
import { AccordError, type MatrixImage, type Peaks } from '../../../shared/ipc.js';
import type { Score } from '../../../shared/score.js';
import { FEATURE_PARAMS } from '../../../shared/dsp/params.js';
import { quantiseNotes } from '../../../shared/dsp/notes.js';
import { loadScoreBytes, ScoreLoadError, SCORE_EXTENSIONS } from '../../engine/score.js';
import { poolPeaks } from '../../engine/peaks.js';
import type { Db } from '../db/database.js';
import { blobToFloat32, float32ToBlob } from '../db/pathCodec.js';
import { featuresFromRow, type FeatureRow } from './featureRow.js';
import type { TaskRunner } from '../jobs.js';
import type { ChromaFeatures } from '../workers/protocol.js';

/** A parsed score, with the MusicXML the sheet view renders for notated formats. */
export type ParsedScore = { score: Score; musicxml?: string };

/** Parsed scores kept in memory. */
const SCORE_CACHE_SIZE = 8;

/** Parsed scores by sha256 + file extension, most recent last (this session only: a parser update must not meet a stale copy). */
export class ScoreCache {
  readonly #runner: TaskRunner;
  readonly #scores = new Map<string, Promise<ParsedScore>>();

  constructor(runner: TaskRunner) {
    this.#runner = runner;
  }

  /** The parsed score of `bytes` (hashing to `sha256`), parsed once. */
  get(sha256: string, bytes: Uint8Array, name: string): Promise<ParsedScore> {
    const key = `${sha256}|${extname(name).toLowerCase()}`;
    let p = this.#scores.get(key);
    if (p) this.#scores.delete(key);
    else {
      p = parseScore(bytes, name, this.#runner);
      p.catch(() => this.#scores.delete(key));
    }
    this.#scores.set(key, p);
    while (this.#scores.size > SCORE_CACHE_SIZE)
      this.#scores.delete(this.#scores.keys().next().value as string);
    return p;
  }
}

/** Matrix images kept in memory. */
const MATRIX_CACHE_SIZE = 4;

/**
 * Matrix images by recording sha256 + score sha256 + feature version + size, most recent last
 * (this session only). An edit changes the path, never the image, so it is not rebuilt after one.
 */
export class MatrixCache {
  readonly #images = new Map<string, Promise<MatrixImage>>();

  /** The image of `recordingSha256` × `scoreSha256` at `width` × `height`, made by `make` once. */
  get(
    recordingSha256: string,
    scoreSha256: string,
    width: number,
    height: number,
    make: () => Promise<MatrixImage>,
  ): Promise<MatrixImage> {
    const key = `${recordingSha256}|${scoreSha256}|${FEATURE_PARAMS.version}|${width}x${height}`;
    let p = this.#images.get(key);
    if (p) this.#images.delete(key);
    else {
      p = make();
      p.catch(() => this.#images.delete(key));
    }
    this.#images.set(key, p);
    while (this.#images.size > MATRIX_CACHE_SIZE)
      this.#images.delete(this.#images.keys().next().value as string);
    return p;
  }
}

async function parseScore(bytes: Uint8Array, name: string, runner?: TaskRunner): Promise<ParsedScore> {
  try {
    // MIDI parses in milliseconds; notated formats (verovio, ~1–2 s) go to a worker so the main
    // thread never stalls.
    if (
      runner &&
      extname(name).toLowerCase() in SCORE_EXTENSIONS &&
      SCORE_EXTENSIONS[extname(name).toLowerCase()] !== 'midi'
    ) {
      return await runner.run({ task: 'score', scoreBytes: bytes, scoreName: name });
    }
    const { score, musicxml } = await loadScoreBytes(bytes, name);
    return musicxml === undefined ? { score } : { score, musicxml };
  } catch (err) {
    if (err instanceof ScoreLoadError)
      throw new AccordError(err.code === 'unknown-format' ? 'unsupported' : 'invalid-argument', err.message);
    throw err;
  }
}

/** Cached peaks of the recording at `pointsPerSecond` (pooled from the closest finer rate), if any. */
export function cachedPeaks(
  db: Db,
  recId: number,
  sha256: string,
  pointsPerSecond: number,
): Peaks | undefined {
  const pps = pointsPerSecond;
  const cached = db
    .prepare(
      'SELECT points_per_second, duration_seconds, data FROM peaks WHERE recording_id = ? AND sha256 = ? AND points_per_second >= ? ORDER BY points_per_second LIMIT 1',
    )
    .get(recId, sha256, pps) as
    { points_per_second: number; duration_seconds: number; data: Buffer } | undefined;
  if (!cached) return undefined;
  const base = blobToFloat32(cached.data);
  const max =
    cached.points_per_second === pps
      ? base
      : poolPeaks(base, cached.points_per_second, pps, cached.duration_seconds);
  return { pointsPerSecond: pps, durationSeconds: cached.duration_seconds, max };
}

/** Caches peaks of the recording at `pointsPerSecond`. */
export function storePeaks(
  db: Db,
  recId: number,
  sha256: string,
  pointsPerSecond: number,
  durationSeconds: number,
  peaks: Float32Array,
): void {
  db.prepare(
    'INSERT OR REPLACE INTO peaks (recording_id, sha256, points_per_second, duration_seconds, data) VALUES (?, ?, ?, ?, ?)',
  ).run(recId, sha256, pointsPerSecond, durationSeconds, float32ToBlob(peaks));
}

/** The stored features row of the recording at the current feature version (blobs as stored, decoded by `featuresFromRow`), if any. */
export function cachedFeatureRow(db: Db, recId: number, sha256: string): FeatureRow | undefined {
  return db
    .prepare('SELECT * FROM features WHERE recording_id = ? AND sha256 = ? AND feature_version = ?')
    .get(recId, sha256, FEATURE_PARAMS.version) as FeatureRow | undefined;
}

/** Cached features of the recording at the current feature version, if any. */
export function cachedFeatures(db: Db, recId: number, sha256: string): ChromaFeatures | undefined {
  const row = cachedFeatureRow(db, recId, sha256);
  return row && featuresFromRow(row);
}

/** Caches the features of a recording (replacing those of the same version). */
export function storeFeatures(db: Db, recId: number, f: ChromaFeatures): void {
  db.prepare(
    'INSERT OR REPLACE INTO features (recording_id, sha256, feature_version, hop_seconds, frames, chroma, onset, energy, notes, attack_rise) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    recId,
    f.sha256,
    f.featureVersion,
    f.hopSeconds,
    f.frames,
    float32ToBlob(f.chroma),
    f.onset ? float32ToBlob(f.onset) : null,
    f.energy ? float32ToBlob(f.energy) : null,
    f.notes ? quantiseNotes(f.notes) : null,
    f.attackRiseFrames ?? null,
  );
}
