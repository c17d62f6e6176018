/**
 * The `.accord` project file (docs/project-file.md): one JSON document with a format id and a
 * version, where the recording and score are (absolute, and relative to the file's folder), the
 * score's bytes, the current alignment with the corrections it was made under, the undo/redo log,
 * the editor's saved state, the spans still to re-align and the scanned pages with their boxes. Pure: serialise and parse (with errors that say what was expected
 * and what came); reading, writing and the library live in `electron/app/projects/projectFile.ts`.
 */
import type { Corrections, EditOp, EditSpan } from './edit/index.js';
import type { Box, ScanSystem } from './pages/scan/model.js';
import {
  AccordError,
  ALIGNMENT_KINDS,
  MAX_SCAN_PAGES,
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
/** The newest version this build reads, and the one it writes for a project with a scan or spans still to re-align. */
export const PROJECT_FILE_VERSION = 2;
/** The version written for a project with neither (an older build opens it with nothing lost). */
export const PROJECT_FILE_VERSION_PLAIN = 1;
/** The file name extension (the association in `build/electron-builder.json`). */
export const PROJECT_FILE_EXTENSION = '.accord';

const ALIGN_METHODS: readonly AlignMethod[] = ['auto', 'dtw', 'jump', 'neural', 'import', 'manual'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Largest page side, in pixels, of a scanned page. */
const MAX_PAGE_PIXELS = 100_000;
/** How far (page pixels) a box may reach past its page's edge (rounding of a drag). */
const EDGE_SLACK = 0.5;

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

/** One scanned page: what the library's `scan_pages` row holds, the image as base64 PNG. */
export interface ProjectFileScanPage {
  /** 1-based, pages in order. */
  page: number;
  width: number;
  height: number;
  sourceName: string;
  sourcePage: number;
  skewDegrees: number;
  systems: ScanSystem[];
  /** The page image (grayscale PNG), base64. */
  pngBase64: string;
}

/** One measure box of the scan and the printed measure number it is linked to (null: unlinked). */
export interface ProjectFileScanBox {
  page: number;
  system: number;
  /** `[x, y, width, height]` in page pixels. */
  box: Box;
  number: string | null;
}

/** The scanned pages and their measure boxes, boxes in the order the library stored them. */
export interface ProjectFileScan {
  pages: ProjectFileScanPage[];
  boxes: ProjectFileScanBox[];
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
  /** Version 2: spans of logged ops the alignment does not reflect yet (null: the whole recording); absent when none. */
  realignPending?: (EditSpan | null)[];
  /** Version 2: the scanned pages; absent when the project has none. */
  scan?: ProjectFileScan;
}

/** The version `doc` is written as: 2 when it carries what version 1 has no place for, else 1. */
export function projectFileVersionOf(doc: Pick<ProjectFile, 'realignPending' | 'scan'>): number {
  return (doc.realignPending?.length ?? 0) > 0 || doc.scan !== undefined
    ? PROJECT_FILE_VERSION
    : PROJECT_FILE_VERSION_PLAIN;
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

function pendingSpans(v: unknown): (EditSpan | null)[] {
  if (!Array.isArray(v)) bad('realignPending', 'an array of spans', v);
  return v.map((x: unknown, i) => {
    const w = `realignPending[${i}]`;
    if (x === null) return null;
    const o = obj(x, w);
    const keys = Object.keys(o).sort().join(',');
    if (keys === 'perfTime') return { perfTime: num(o.perfTime, `${w}.perfTime`, 0, 1e6) };
    if (keys === 'perfEnd,perfStart') {
      const perfStart = num(o.perfStart, `${w}.perfStart`, 0, 1e6);
      return { perfStart, perfEnd: num(o.perfEnd, `${w}.perfEnd`, perfStart, 1e6) };
    }
    return bad(w, 'null, { perfTime } or { perfStart, perfEnd }', x);
  });
}

function box(v: unknown, what: string): Box {
  if (!Array.isArray(v) || v.length !== 4) bad(what, 'a box [x, y, width, height]', v);
  return [
    num(v[0], `${what}[0] (x)`, 0, MAX_PAGE_PIXELS),
    num(v[1], `${what}[1] (y)`, 0, MAX_PAGE_PIXELS),
    num(v[2], `${what}[2] (width)`, 1e-6, MAX_PAGE_PIXELS),
    num(v[3], `${what}[3] (height)`, 1e-6, MAX_PAGE_PIXELS),
  ];
}

function scanSystem(v: unknown, what: string): ScanSystem {
  const o = obj(v, what);
  return {
    box: box(o.box, `${what}.box`),
    staves: num(o.staves, `${what}.staves`, 1, 64, true),
    staffLines: numbers(o.staffLines, `${what}.staffLines`, 0, MAX_PAGE_PIXELS),
  };
}

function scan(v: unknown): ProjectFileScan {
  const o = obj(v, 'scan');
  if (!Array.isArray(o.pages) || o.pages.length === 0 || o.pages.length > MAX_SCAN_PAGES)
    bad('scan.pages', `an array of 1..${MAX_SCAN_PAGES} pages`, o.pages);
  const pages = (o.pages as unknown[]).map((x, i): ProjectFileScanPage => {
    const w = `scan.pages[${i}]`;
    const p = obj(x, w);
    if (!Array.isArray(p.systems)) bad(`${w}.systems`, 'an array', p.systems);
    return {
      page: num(p.page, `${w}.page`, i + 1, i + 1, true),
      width: num(p.width, `${w}.width`, 1, MAX_PAGE_PIXELS, true),
      height: num(p.height, `${w}.height`, 1, MAX_PAGE_PIXELS, true),
      sourceName: str(p.sourceName, `${w}.sourceName`),
      sourcePage: num(p.sourcePage, `${w}.sourcePage`, 1, 1e6, true),
      skewDegrees: num(p.skewDegrees, `${w}.skewDegrees`, -90, 90),
      systems: (p.systems as unknown[]).map((y, k) => scanSystem(y, `${w}.systems[${k}]`)),
      pngBase64: str(p.pngBase64, `${w}.pngBase64`, BASE64, 'base64 text'),
    };
  });
  if (!Array.isArray(o.boxes)) bad('scan.boxes', 'an array', o.boxes);
  const boxes = (o.boxes as unknown[]).map((x, i): ProjectFileScanBox => {
    const w = `scan.boxes[${i}]`;
    const b = obj(x, w);
    const p = pages[num(b.page, `${w}.page`, 1, pages.length, true) - 1];
    const r = box(b.box, `${w}.box`);
    if (r[0] + r[2] > p.width + EDGE_SLACK || r[1] + r[3] > p.height + EDGE_SLACK)
      bad(`${w}.box`, `a box within page ${p.page} (${p.width} × ${p.height} px)`, r);
    const n = b.number;
    if (n !== null && (typeof n !== 'string' || n.trim().length === 0 || n.length > 32))
      bad(`${w}.number`, 'a printed measure number (1..32 characters) or null', n);
    return {
      page: p.page,
      system: num(b.system, `${w}.system`, 0, Math.max(0, p.systems.length - 1), true),
      box: r,
      number: n,
    };
  });
  return { pages, boxes };
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
    ...(o.realignPending == null ? {} : { realignPending: pendingSpans(o.realignPending) }),
    ...(o.scan == null ? {} : { scan: scan(o.scan) }),
  };
}
