/**
 * The `.accord` project file (docs/project-file.md): one JSON document with a format id and a
 * version, where the recording and score are (absolute, and relative to the file's folder), the
 * score's bytes, the current alignment with the corrections it was made under, the undo/redo log
 * and the editor's saved state. Pure: serialise and parse (with errors that say what was expected
 * and what came); reading, writing and the library live in `electron/app/projects/projectFile.ts`.
 */
import type { Corrections, EditOp } from './edit/index.js';
import {
  AccordError,
  ALIGNMENT_KINDS,
  checkEditOp,
  checkPracticeSettings,
  checkViewState,
  type AlignmentKind,
  type PracticeSettings,
  type ViewState,
} from './ipc.js';
import type { AlignMethod } from './path.js';

/** The `format` every project file carries. */
export const PROJECT_FILE_FORMAT = 'accord-project';
/** The version this build writes, and the newest it reads. */
export const PROJECT_FILE_VERSION = 1;
/** The file name extension (the association in `build/electron-builder.json`). */
export const PROJECT_FILE_EXTENSION = '.accord';

const ALIGN_METHODS: readonly AlignMethod[] = ['auto', 'dtw', 'jump', 'neural', 'import', 'manual'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Where a media file was when the project file was saved. */
export interface MediaLocation {
  /** Absolute path on the machine that saved the file. */
  path: string;
  /** Path relative to the project file's folder (`/` separators), so a moved folder still works. */
  relativePath: string;
}

/** The recording: where it was, and what identifies its bytes. */
export interface ProjectFileRecording extends MediaLocation {
  name: string;
  sha256: string;
  sizeBytes: number;
  durationSeconds: number;
  sampleRate: number;
  channels: number;
}

/** The score: where it was, and its bytes (the project keeps its own copy). */
export interface ProjectFileScore extends MediaLocation {
  name: string;
  format: string;
  sha256: string;
  /** The score file's bytes, base64. */
  bytesBase64: string;
}

/** The current alignment (the latest version). */
export interface ProjectFileAlignment {
  version: number;
  kind: AlignmentKind;
  method: AlignMethod;
  modelVersion?: string;
  createdAt: number;
  hopSeconds: number;
  /** Score time of each performance frame, seconds. */
  scoreTime: number[];
  /** Confidence of each frame, 0..1. */
  confidence: number[];
  jumpFrames: number[];
  /** The corrections it was made under (null for automatic runs and imports). */
  corrections: Corrections | null;
}

/** One entry of the undo/redo log. */
export interface ProjectFileEdit {
  op: EditOp;
  inverse: EditOp;
  createdAt: number;
}

/** A whole `.accord` document. */
export interface ProjectFile {
  format: typeof PROJECT_FILE_FORMAT;
  version: number;
  /** The project's identity: opening a file whose project the library holds focuses that project. */
  projectId: string;
  title: string;
  /** When it was saved, ms since epoch. */
  savedAt: number;
  recording: ProjectFileRecording;
  score: ProjectFileScore;
  alignment: ProjectFileAlignment | null;
  /** The undo/redo log; `cursor` ops are applied. */
  edits: { entries: ProjectFileEdit[]; cursor: number };
  viewState: ViewState | null;
  practice: PracticeSettings | null;
}

/** The document as text: two-space JSON with the alignment's per-frame arrays each on one line (an hour of frames is ~6 MB, not ~8), a trailing newline. */
export function serializeProjectFile(doc: ProjectFile): string {
  const a = doc.alignment;
  if (!a) return `${JSON.stringify(doc, null, 2)}\n`;
  // Empty strings hold the arrays' places: `"key": ""` occurs nowhere else (a quote inside a string is escaped).
  const placed = { ...doc, alignment: { ...a, scoreTime: '', confidence: '', jumpFrames: '' } };
  let text = JSON.stringify(placed, null, 2);
  for (const key of ['scoreTime', 'confidence', 'jumpFrames'] as const)
    text = text.replace(`"${key}": ""`, () => `"${key}": ${JSON.stringify(a[key])}`);
  return `${text}\n`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? v.slice(0, 60) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).slice(0, 8).join(', ')}]`;
  return typeof v;
}

function bad(what: string, expected: string, got: unknown): never {
  throw new AccordError(
    'invalid-argument',
    `project file: ${what}: expected ${expected}, got ${describe(got)}`,
  );
}

/** Re-raises a shared validator's error with the project file's prefix (and without the op wrapper `corrections` checks through). */
function within<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AccordError)
      throw new AccordError(
        err.code,
        `project file: ${err.message.replace(/\]\.(anchor|jump|region)\./, '].')}`,
      );
    throw err;
  }
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(what, 'an object', v);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string, pattern?: RegExp, expected = 'a non-empty string'): string {
  if (typeof v !== 'string' || v.length === 0 || (pattern && !pattern.test(v))) bad(what, expected, v);
  return v;
}

function num(v: unknown, what: string, min: number, max: number, integer = false): number {
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isSafeInteger(v))
  )
    bad(what, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, v);
  return v;
}

function numbers(v: unknown, what: string, min: number, max: number, integer = false): number[] {
  if (!Array.isArray(v)) bad(what, 'an array of numbers', v);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !(x >= min && x <= max) || (integer && !Number.isSafeInteger(x)))
      bad(`${what}[${i}]`, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, x);
  }
  return v as number[];
}

function media(v: unknown, what: string): Record<string, unknown> & MediaLocation {
  const o = obj(v, what);
  return {
    ...o,
    path: str(o.path, `${what}.path`),
    relativePath: str(o.relativePath, `${what}.relativePath`),
  };
}

function corrections(v: unknown, what: string): Corrections {
  const o = obj(v, what);
  const list = (k: 'anchors' | 'jumps' | 'regions'): unknown[] => {
    if (!Array.isArray(o[k])) bad(`${what}.${k}`, 'an array', o[k]);
    return o[k] as unknown[];
  };
  return within(() => ({
    anchors: list('anchors').map((a, i) => {
      const op = checkEditOp({ type: 'add-anchor', anchor: a }, `${what}.anchors[${i}]`);
      return (op as Extract<EditOp, { type: 'add-anchor' }>).anchor;
    }),
    jumps: list('jumps').map((j, i) => {
      const op = checkEditOp({ type: 'insert-jump', jump: j }, `${what}.jumps[${i}]`);
      return (op as Extract<EditOp, { type: 'insert-jump' }>).jump;
    }),
    regions: list('regions').map((r, i) => {
      const op = checkEditOp({ type: 'mark-region', region: r }, `${what}.regions[${i}]`);
      return (op as Extract<EditOp, { type: 'mark-region' }>).region;
    }),
  }));
}

function editOp(v: unknown, what: string): EditOp {
  const o = obj(v, what);
  if (o.type === 'restore-version') {
    return {
      type: 'restore-version',
      fromVersion: num(o.fromVersion, `${what}.fromVersion`, 0, 1e9, true),
      toVersion: num(o.toVersion, `${what}.toVersion`, 0, 1e9, true),
      before: corrections(o.before, `${what}.before`),
      after: corrections(o.after, `${what}.after`),
    };
  }
  return within(() => checkEditOp(o, what));
}

function alignment(v: unknown): ProjectFileAlignment | null {
  if (v === null) return null;
  const o = obj(v, 'alignment');
  const scoreTime = numbers(o.scoreTime, 'alignment.scoreTime', 0, 1e6);
  const confidence = numbers(o.confidence, 'alignment.confidence', 0, 1);
  if (confidence.length !== scoreTime.length)
    bad('alignment.confidence', `${scoreTime.length} values (one per frame of scoreTime)`, confidence);
  const jumpFrames = numbers(
    o.jumpFrames,
    'alignment.jumpFrames',
    1,
    Math.max(1, scoreTime.length - 1),
    true,
  );
  const kind = o.kind;
  if (typeof kind !== 'string' || !(ALIGNMENT_KINDS as readonly string[]).includes(kind))
    bad('alignment.kind', `one of ${ALIGNMENT_KINDS.join(' | ')}`, kind);
  const method = o.method;
  if (typeof method !== 'string' || !(ALIGN_METHODS as readonly string[]).includes(method))
    bad('alignment.method', `one of ${ALIGN_METHODS.join(' | ')}`, method);
  const out: ProjectFileAlignment = {
    version: num(o.version, 'alignment.version', 1, 1e9, true),
    kind: kind as AlignmentKind,
    method: method as AlignMethod,
    createdAt: num(o.createdAt, 'alignment.createdAt', 0, 8.64e15, true),
    hopSeconds: num(o.hopSeconds, 'alignment.hopSeconds', 1e-4, 10),
    scoreTime,
    confidence,
    jumpFrames,
    corrections: o.corrections === null ? null : corrections(o.corrections, 'alignment.corrections'),
  };
  if (o.modelVersion !== undefined) out.modelVersion = str(o.modelVersion, 'alignment.modelVersion');
  return out;
}

/**
 * Parses a `.accord` document. Throws `unsupported` for a newer version and `invalid-argument`
 * for anything else that is not a project file, naming the field, what was expected and what came.
 */
export function parseProjectFile(text: string): ProjectFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the text: say where it broke, not what it read there.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new AccordError(
      'invalid-argument',
      `project file: expected JSON, got text that does not parse${at === undefined ? '' : ` (at character ${at})`}`,
    );
  }
  const o = obj(raw, 'the document');
  if (o.format !== PROJECT_FILE_FORMAT) bad('format', JSON.stringify(PROJECT_FILE_FORMAT), o.format);
  const version = num(o.version, 'version', 1, Number.MAX_SAFE_INTEGER, true);
  if (version > PROJECT_FILE_VERSION) {
    throw new AccordError(
      'unsupported',
      `project file: expected version ${PROJECT_FILE_VERSION} or older, got version ${version}: it was saved by a newer Accord, update Accord to open it`,
    );
  }
  const r = media(o.recording, 'recording');
  const s = media(o.score, 'score');
  const e = obj(o.edits, 'edits');
  if (!Array.isArray(e.entries)) bad('edits.entries', 'an array', e.entries);
  const entries = (e.entries as unknown[]).map((x, i) => {
    const w = `edits.entries[${i}]`;
    const eo = obj(x, w);
    return {
      op: editOp(eo.op, `${w}.op`),
      inverse: editOp(eo.inverse, `${w}.inverse`),
      createdAt: num(eo.createdAt, `${w}.createdAt`, 0, 8.64e15, true),
    };
  });
  return {
    format: PROJECT_FILE_FORMAT,
    version,
    projectId: str(o.projectId, 'projectId', UUID, 'a lower-case UUID'),
    title: str(o.title, 'title'),
    savedAt: num(o.savedAt, 'savedAt', 0, 8.64e15, true),
    recording: {
      path: r.path,
      relativePath: r.relativePath,
      name: str(r.name, 'recording.name'),
      sha256: str(r.sha256, 'recording.sha256', SHA256, '64 hex digits'),
      sizeBytes: num(r.sizeBytes, 'recording.sizeBytes', 0, Number.MAX_SAFE_INTEGER, true),
      durationSeconds: num(r.durationSeconds, 'recording.durationSeconds', 0, 1e6),
      sampleRate: num(r.sampleRate, 'recording.sampleRate', 1, 1e6, true),
      channels: num(r.channels, 'recording.channels', 1, 256, true),
    },
    score: {
      path: s.path,
      relativePath: s.relativePath,
      name: str(s.name, 'score.name'),
      format: str(s.format, 'score.format'),
      sha256: str(s.sha256, 'score.sha256', SHA256, '64 hex digits'),
      bytesBase64: str(s.bytesBase64, 'score.bytesBase64', BASE64, 'base64 text'),
    },
    alignment: alignment(o.alignment),
    edits: { entries, cursor: num(e.cursor, 'edits.cursor', 0, entries.length, true) },
    viewState: o.viewState == null ? null : within(() => checkViewState(o.viewState, 'viewState')),
    practice: o.practice == null ? null : within(() => checkPracticeSettings(o.practice, 'practice')),
  };
}
