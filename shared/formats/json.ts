/**
 * Accord's own alignment JSON: the dense path with confidences, its jumps, and every beat
 * and measure of the score with the performance times at which each pass plays it.
 */
import type { AlignMethod, AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import type { ExportMeta, InputRef, PathRow } from './common.js';
import { FormatError, passTimesOfScoreTime, rowsToPath } from './common.js';

/** Format tag of the JSON. */
export const JSON_FORMAT = 'accord-alignment';
/** Version of the JSON layout this code writes and reads. */
export const JSON_VERSION = 1;

/** The JSON document. */
export interface AlignmentJson {
  format: typeof JSON_FORMAT;
  version: typeof JSON_VERSION;
  method: AlignMethod;
  modelVersion?: string;
  hopSeconds: number;
  inputs: { audio: InputRef; score: InputRef };
  /** `[perf seconds, score seconds, confidence]` per frame. */
  path: [number, number, number][];
  jumps: { perfTime: number; fromScore: number; toScore: number }[];
  beats: { label: string; scoreTime: number; perfTimes: number[] }[];
  measures: { number: string; scoreTime: number; perfTimes: number[] }[];
}

const METHODS: readonly AlignMethod[] = ['auto', 'dtw', 'jump', 'neural', 'import', 'manual'];
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const r3 = (x: number): number => Math.round(x * 1e3) / 1e3;

/** Builds the JSON document (times rounded to 1 µs, confidences to 0.001). */
export function toAlignmentJson(path: AlignmentPath, score: Score, meta: ExportMeta): AlignmentJson {
  const hop = path.hopSeconds;
  const doc: AlignmentJson = {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    method: path.method,
    hopSeconds: path.hopSeconds,
    inputs: { audio: { ...meta.audio }, score: { ...meta.score } },
    path: Array.from(path.scoreTime, (q, f) => [r6(f * hop), r6(q), r3(path.confidence[f] ?? 1)]),
    jumps: path.jumpFrames.map((f) => ({
      perfTime: r6(f * hop),
      fromScore: r6(path.scoreTime[f - 1]),
      toScore: r6(path.scoreTime[f]),
    })),
    beats: score.beats.map((b) => ({
      label: b.label,
      scoreTime: r6(b.time),
      perfTimes: passTimesOfScoreTime(path, b.time).map(r6),
    })),
    measures: score.measures.map((m) => ({
      number: m.number,
      scoreTime: r6(m.start),
      perfTimes: passTimesOfScoreTime(path, m.start).map(r6),
    })),
  };
  if (path.modelVersion !== undefined) doc.modelVersion = path.modelVersion;
  return doc;
}

/** Writes the JSON text (one path row per line, so diffs stay readable). */
export function writeJson(path: AlignmentPath, score: Score, meta: ExportMeta): string {
  const doc = toAlignmentJson(path, score, meta);
  const { path: rows, ...rest } = doc;
  const head = JSON.stringify({ ...rest, path: [] }, null, 2);
  const body = rows.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  return head.replace('"path": []', rows.length > 0 ? `"path": [\n${body}\n  ]` : '"path": []') + '\n';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads Accord's alignment JSON into a dense path at `hopSeconds` (jumps as recorded). */
export function readJson(data: string, hopSeconds: number): AlignmentPath {
  let doc: unknown;
  try {
    doc = JSON.parse(data);
  } catch (e) {
    throw new FormatError('json', 0, `expected JSON text, got a parse error: ${(e as Error).message}`);
  }
  if (!isRecord(doc) || doc.format !== JSON_FORMAT) {
    throw new FormatError(
      'json',
      0,
      `expected an object with format "${JSON_FORMAT}", got ${isRecord(doc) ? JSON.stringify(doc.format) : typeof doc}`,
    );
  }
  if (doc.version !== JSON_VERSION) {
    throw new FormatError('json', 0, `expected version ${JSON_VERSION}, got ${JSON.stringify(doc.version)}`);
  }
  const method = METHODS.includes(doc.method as AlignMethod) ? (doc.method as AlignMethod) : 'import';
  if (!Array.isArray(doc.path) || doc.path.length === 0) {
    throw new FormatError('json', 0, 'expected "path" to be a non-empty array of [perf, score, confidence]');
  }
  const rows: PathRow[] = doc.path.map((r: unknown, i: number) => {
    if (
      !Array.isArray(r) ||
      r.length < 2 ||
      !r.slice(0, 3).every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      throw new FormatError(
        'json',
        0,
        `path[${i}]: expected [perf, score, confidence] numbers, got ${JSON.stringify(r)}`,
      );
    }
    return { perf: r[0] as number, score: r[1] as number, confidence: r.length > 2 ? (r[2] as number) : 1 };
  });
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].perf < rows[i - 1].perf) {
      throw new FormatError(
        'json',
        0,
        `path[${i}]: expected rows sorted by perf time, got ${rows[i].perf} after ${rows[i - 1].perf}`,
      );
    }
  }
  const jumpTimes: number[] = [];
  if (doc.jumps !== undefined) {
    if (!Array.isArray(doc.jumps)) throw new FormatError('json', 0, 'expected "jumps" to be an array');
    doc.jumps.forEach((j: unknown, i: number) => {
      if (!isRecord(j) || typeof j.perfTime !== 'number') {
        throw new FormatError(
          'json',
          0,
          `jumps[${i}]: expected { perfTime, fromScore, toScore }, got ${JSON.stringify(j)}`,
        );
      }
      jumpTimes.push(j.perfTime);
    });
  }
  // Row k+1 starts a recorded jump when its perf time is one of the jumps' (to 1 ms).
  const isJump = (k: number): boolean =>
    jumpTimes.some((t) => Math.abs(rows[k + 1].perf - t) < 1e-3 && rows[k].perf < t - 1e-9);
  const modelVersion = typeof doc.modelVersion === 'string' ? doc.modelVersion : undefined;
  return rowsToPath(rows, hopSeconds, isJump, method, modelVersion);
}
