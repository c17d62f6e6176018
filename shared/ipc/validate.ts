/** Per-channel argument validators of the invoke channels, and the validators of the larger argument types. */
import type { EditOp } from '../edit/index.js';
import { PAGE_LAYOUT_LIMITS } from '../pages/model.js';
import type { ExportFormat } from '../formats/common.js';
import type { InvokeArgs, InvokeChannel } from './contract.js';
import {
  checkArity,
  checkBoolean,
  checkEnum,
  checkExistingFile,
  checkId,
  checkInt,
  checkNumber,
  checkObject,
  checkText,
  checkWritablePath,
  fail,
  type ValidationEnv,
} from './checks.js';
import {
  APPLY_OP_TYPES,
  EXPORT_FORMAT_NAMES,
  OPEN_DIALOG_KINDS,
  PROJECT_FILE_SAVE_FORMAT,
  IMPORT_FORMAT_NAMES,
  MAX_SCAN_PAGES,
  PRACTICE_SPEED_MAX,
  SCAN_EXTENSIONS,
  PRACTICE_SPEED_MIN,
  REGION_KINDS,
  RUN_METHODS,
  VIEW_KINDS,
  type CreateProjectArgs,
  type OpenDialogArgs,
  type PracticeLoop,
  type PracticeSettings,
  type SaveDialogArgs,
  type ScanBoxRect,
  type ViewState,
} from './types.js';

/** Validates a `ViewState`. */
export function checkViewState(v: unknown, what: string): ViewState {
  const o = checkObject(v, what, ['playheadSeconds', 'pixelsPerSecond', 'scrollSeconds', 'selectedView']);
  return {
    playheadSeconds: checkNumber(o.playheadSeconds, `${what}.playheadSeconds`, 0, 1e6),
    pixelsPerSecond: checkNumber(o.pixelsPerSecond, `${what}.pixelsPerSecond`, 1e-3, 1e5),
    scrollSeconds: checkNumber(o.scrollSeconds, `${what}.scrollSeconds`, 0, 1e6),
    selectedView: checkEnum(o.selectedView, `${what}.selectedView`, VIEW_KINDS),
  };
}

const MAX_SECONDS = 1e6;

/** Validates `PracticeSettings` (every field, no extra keys; B after A; ramp target within the speed range). */
export function checkPracticeSettings(v: unknown, what: string): PracticeSettings {
  const o = checkObject(v, what, [
    'loop',
    'preRollSeconds',
    'loopCount',
    'speedPercent',
    'ramp',
    'metronome',
    'countInBeats',
  ]);
  let loop: PracticeLoop | null = null;
  if (o.loop === undefined) fail(`${what}.loop`, 'an object or null', o.loop);
  if (o.loop !== null) {
    const l = checkObject(o.loop, `${what}.loop`, ['startSeconds', 'endSeconds', 'bars']);
    const startSeconds = checkNumber(l.startSeconds, `${what}.loop.startSeconds`, 0, MAX_SECONDS);
    const endSeconds = checkNumber(l.endSeconds, `${what}.loop.endSeconds`, 0, MAX_SECONDS);
    if (endSeconds <= startSeconds)
      fail(`${what}.loop.endSeconds`, `a time > startSeconds (${startSeconds})`, endSeconds);
    loop = { startSeconds, endSeconds };
    if (l.bars !== undefined) loop.bars = checkText(l.bars, `${what}.loop.bars`, 40);
  }
  let loopCount: number | null = null;
  if (o.loopCount === undefined) fail(`${what}.loopCount`, 'an integer in [1, 999] or null', o.loopCount);
  if (o.loopCount !== null) loopCount = checkInt(o.loopCount, `${what}.loopCount`, 1, 999);
  let ramp: PracticeSettings['ramp'] = null;
  if (o.ramp === undefined) fail(`${what}.ramp`, 'an object or null', o.ramp);
  if (o.ramp !== null) {
    const r = checkObject(o.ramp, `${what}.ramp`, ['stepPercent', 'targetPercent']);
    ramp = {
      stepPercent: checkNumber(r.stepPercent, `${what}.ramp.stepPercent`, 1, 50),
      targetPercent: checkNumber(
        r.targetPercent,
        `${what}.ramp.targetPercent`,
        PRACTICE_SPEED_MIN,
        PRACTICE_SPEED_MAX,
      ),
    };
  }
  const m = checkObject(o.metronome, `${what}.metronome`, ['enabled', 'volume', 'accent']);
  return {
    loop,
    preRollSeconds: checkNumber(o.preRollSeconds, `${what}.preRollSeconds`, 0, 10),
    loopCount,
    speedPercent: checkNumber(o.speedPercent, `${what}.speedPercent`, PRACTICE_SPEED_MIN, PRACTICE_SPEED_MAX),
    ramp,
    metronome: {
      enabled: checkBoolean(m.enabled, `${what}.metronome.enabled`),
      volume: checkNumber(m.volume, `${what}.metronome.volume`, 0, 1),
      accent: checkBoolean(m.accent, `${what}.metronome.accent`),
    },
    countInBeats: checkInt(o.countInBeats, `${what}.countInBeats`, 0, 16),
  };
}

function checkOpId(v: unknown, what: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(v))
    fail(what, 'an id of 1..64 letters, digits, _ . : -', v);
  return v;
}

function checkSeconds(v: unknown, what: string): number {
  return checkNumber(v, what, 0, MAX_SECONDS);
}

function checkPlace<K extends string>(v: unknown, what: string, keys: readonly [K, K]): Record<K, number> {
  const o = checkObject(v, what, keys);
  return {
    [keys[0]]: checkSeconds(o[keys[0]], `${what}.${keys[0]}`),
    [keys[1]]: checkSeconds(o[keys[1]], `${what}.${keys[1]}`),
  } as Record<K, number>;
}

/** Validates an edit op for `corrections:apply` (every field, no extra keys). */
export function checkEditOp(v: unknown, what: string): EditOp {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'an edit op object', v);
  const type = checkEnum((v as { type?: unknown }).type, `${what}.type`, APPLY_OP_TYPES);
  const anchor = (x: unknown, w: string): Extract<EditOp, { type: 'add-anchor' }>['anchor'] => {
    const a = checkObject(x, w, ['id', 'perfTime', 'scoreTime', 'source']);
    return {
      id: checkOpId(a.id, `${w}.id`),
      perfTime: checkSeconds(a.perfTime, `${w}.perfTime`),
      scoreTime: checkSeconds(a.scoreTime, `${w}.scoreTime`),
      source: checkEnum(a.source, `${w}.source`, ['drag', 'tap', 'note-key', 'import'] as const),
    };
  };
  const jump = (x: unknown, w: string): Extract<EditOp, { type: 'insert-jump' }>['jump'] => {
    const j = checkObject(x, w, ['id', 'perfTime', 'toScoreTime']);
    return {
      id: checkOpId(j.id, `${w}.id`),
      perfTime: checkSeconds(j.perfTime, `${w}.perfTime`),
      toScoreTime: checkSeconds(j.toScoreTime, `${w}.toScoreTime`),
    };
  };
  const region = (x: unknown, w: string): Extract<EditOp, { type: 'mark-region' }>['region'] => {
    const r = checkObject(x, w, ['id', 'perfStart', 'perfEnd', 'kind']);
    const perfStart = checkSeconds(r.perfStart, `${w}.perfStart`);
    const perfEnd = checkSeconds(r.perfEnd, `${w}.perfEnd`);
    if (perfEnd < perfStart) fail(`${w}.perfEnd`, `a time ≥ perfStart (${perfStart})`, perfEnd);
    return {
      id: checkOpId(r.id, `${w}.id`),
      perfStart,
      perfEnd,
      kind: checkEnum(r.kind, `${w}.kind`, REGION_KINDS),
    };
  };
  switch (type) {
    case 'add-anchor':
    case 'delete-anchor': {
      const o = checkObject(v, what, ['type', 'anchor']);
      return { type, anchor: anchor(o.anchor, `${what}.anchor`) };
    }
    case 'move-anchor': {
      const o = checkObject(v, what, ['type', 'id', 'from', 'to']);
      const keys = ['perfTime', 'scoreTime'] as const;
      return {
        type,
        id: checkOpId(o.id, `${what}.id`),
        from: checkPlace(o.from, `${what}.from`, keys),
        to: checkPlace(o.to, `${what}.to`, keys),
      };
    }
    case 'insert-jump':
    case 'delete-jump': {
      const o = checkObject(v, what, ['type', 'jump']);
      return { type, jump: jump(o.jump, `${what}.jump`) };
    }
    case 'move-jump': {
      const o = checkObject(v, what, ['type', 'id', 'from', 'to']);
      const keys = ['perfTime', 'toScoreTime'] as const;
      return {
        type,
        id: checkOpId(o.id, `${what}.id`),
        from: checkPlace(o.from, `${what}.from`, keys),
        to: checkPlace(o.to, `${what}.to`, keys),
      };
    }
    case 'mark-region':
    case 'unmark-region': {
      const o = checkObject(v, what, ['type', 'region']);
      return { type, region: region(o.region, `${what}.region`) };
    }
  }
}

/** Largest page side, in pixels, a scan box may lie within. */
const MAX_PAGE_PIXELS = 100_000;

/** Validates a box `[x, y, width, height]` in page pixels: finite, x, y ≥ 0, width and height ≥ 1. */
export function checkScanBox(v: unknown, what: string): ScanBoxRect {
  if (!Array.isArray(v) || v.length !== 4) fail(what, 'a box [x, y, width, height]', v);
  return [
    checkNumber(v[0], `${what}[0] (x)`, 0, MAX_PAGE_PIXELS),
    checkNumber(v[1], `${what}[1] (y)`, 0, MAX_PAGE_PIXELS),
    checkNumber(v[2], `${what}[2] (width)`, 1, MAX_PAGE_PIXELS),
    checkNumber(v[3], `${what}[3] (height)`, 1, MAX_PAGE_PIXELS),
  ];
}

/** Validates the files of `scan:import`: 1..`MAX_SCAN_PAGES` existing PDF, PNG or JPEG files. */
export function checkScanPaths(v: unknown, what: string, env: ValidationEnv): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SCAN_PAGES)
    fail(what, `an array of 1..${MAX_SCAN_PAGES} file paths`, v);
  return v.map((p, i) => {
    const path = checkExistingFile(p, `${what}[${i}]`, env);
    const dot = path.lastIndexOf('.');
    const ext = dot < 0 ? '' : path.slice(dot).toLowerCase();
    if (!(SCAN_EXTENSIONS as readonly string[]).includes(ext))
      fail(`${what}[${i}]`, `a ${SCAN_EXTENSIONS.join(' | ')} file`, path);
    return path;
  });
}

/** A printed measure number a scan box links to. */
function checkMeasureNumber(v: unknown, what: string): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 32)
    fail(what, 'a printed measure number (1..32 characters) or null', v);
  return v.trim();
}

type Validators = { [C in InvokeChannel]: (args: unknown, env: ValidationEnv) => InvokeArgs<C> };

/** Per-channel argument validators: return the typed tuple or throw `AccordError('invalid-argument')`. */
export const VALIDATORS: Validators = {
  'app:info': (a) => (checkArity(a, 'app:info', 0, 0), []),
  'project:list': (a) => (checkArity(a, 'project:list', 0, 0), []),
  'project:create': (a, env) => {
    const [raw] = checkArity(a, 'project:create', 1, 1);
    const o = checkObject(raw, 'project:create args', ['recordingPath', 'scorePath', 'title']);
    const out: CreateProjectArgs = {
      recordingPath: checkExistingFile(o.recordingPath, 'The recording', env),
      scorePath: checkExistingFile(o.scorePath, 'The score', env),
    };
    if (o.title !== undefined) out.title = checkText(o.title, 'The title', 200);
    return [out];
  },
  'project:get': (a) => [checkId(checkArity(a, 'project:get', 1, 1)[0], 'projectId')],
  'project:rename': (a) => {
    const [id, title] = checkArity(a, 'project:rename', 2, 2);
    return [checkId(id, 'projectId'), checkText(title, 'The title', 200)];
  },
  'project:duplicate': (a) => [checkId(checkArity(a, 'project:duplicate', 1, 1)[0], 'projectId')],
  'project:delete': (a) => [checkId(checkArity(a, 'project:delete', 1, 1)[0], 'projectId')],
  'project:relink': (a, env) => {
    const [id, p] = checkArity(a, 'project:relink', 2, 2);
    return [checkId(id, 'projectId'), checkExistingFile(p, 'The recording', env)];
  },
  'recording:peaks': (a) => {
    const [id, raw] = checkArity(a, 'recording:peaks', 2, 2);
    const o = checkObject(raw, 'peaks options', ['pointsPerSecond']);
    return [
      checkId(id, 'projectId'),
      { pointsPerSecond: checkInt(o.pointsPerSecond, 'pointsPerSecond', 1, 1000) },
    ];
  },
  'score:pages': (a) => {
    const [id, raw] = checkArity(a, 'score:pages', 2, 2);
    const o = checkObject(raw, 'page layout', ['pageWidth', 'pageHeight', 'scale']);
    const { pageWidth, pageHeight, scale } = PAGE_LAYOUT_LIMITS;
    return [
      checkId(id, 'projectId'),
      {
        pageWidth: checkInt(o.pageWidth, 'pageWidth', pageWidth[0], pageWidth[1]),
        pageHeight: checkInt(o.pageHeight, 'pageHeight', pageHeight[0], pageHeight[1]),
        scale: checkInt(o.scale, 'scale', scale[0], scale[1]),
      },
    ];
  },
  'scan:import': (a, env) => {
    const [id, paths] = checkArity(a, 'scan:import', 2, 2);
    return [checkId(id, 'projectId'), checkScanPaths(paths, 'The scan files', env)];
  },
  'scan:get': (a) => [checkId(checkArity(a, 'scan:get', 1, 1)[0], 'projectId')],
  'scan:page': (a) => {
    const [id, page] = checkArity(a, 'scan:page', 2, 2);
    return [checkId(id, 'projectId'), checkInt(page, 'page', 1, MAX_SCAN_PAGES)];
  },
  'scan:place': (a) => {
    const [id, boxId, box] = checkArity(a, 'scan:place', 3, 3);
    return [checkId(id, 'projectId'), checkId(boxId, 'boxId'), checkScanBox(box, 'box')];
  },
  'scan:link': (a) => {
    const [id, boxId, number] = checkArity(a, 'scan:link', 3, 3);
    return [checkId(id, 'projectId'), checkId(boxId, 'boxId'), checkMeasureNumber(number, 'number')];
  },
  'scan:add': (a) => {
    const [id, page, box] = checkArity(a, 'scan:add', 3, 3);
    return [checkId(id, 'projectId'), checkInt(page, 'page', 1, MAX_SCAN_PAGES), checkScanBox(box, 'box')];
  },
  'scan:remove': (a) => {
    const [id, boxId] = checkArity(a, 'scan:remove', 2, 2);
    return [checkId(id, 'projectId'), checkId(boxId, 'boxId')];
  },
  'scan:relink': (a) => [checkId(checkArity(a, 'scan:relink', 1, 1)[0], 'projectId')],
  'alignment:run': (a) => {
    const [id, method] = checkArity(a, 'alignment:run', 1, 2);
    const pid = checkId(id, 'projectId');
    return method === undefined ? [pid] : [pid, checkEnum(method, 'method', RUN_METHODS)];
  },
  'alignment:list': (a) => [checkId(checkArity(a, 'alignment:list', 1, 1)[0], 'projectId')],
  'alignment:get': (a) => [checkId(checkArity(a, 'alignment:get', 1, 1)[0], 'alignmentId')],
  'alignment:matrix': (a) => {
    const [id, raw] = checkArity(a, 'alignment:matrix', 2, 2);
    const o = checkObject(raw, 'matrix options', ['width', 'height']);
    return [
      checkId(id, 'projectId'),
      { width: checkInt(o.width, 'width', 1, 4096), height: checkInt(o.height, 'height', 1, 4096) },
    ];
  },
  'job:cancel': (a) => {
    const [id] = checkArity(a, 'job:cancel', 1, 1);
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) fail('jobId', 'a job id string', id);
    return [id];
  },
  'job:list': (a) => (checkArity(a, 'job:list', 0, 0), []),
  'view:save': (a) => {
    const [id, state] = checkArity(a, 'view:save', 2, 2);
    return [checkId(id, 'projectId'), checkViewState(state, 'state')];
  },
  'practice:save': (a) => {
    const [id, settings] = checkArity(a, 'practice:save', 2, 2);
    return [checkId(id, 'projectId'), checkPracticeSettings(settings, 'settings')];
  },
  'projectfile:save': (a, env) => {
    const [id, dest] = checkArity(a, 'projectfile:save', 2, 2);
    return [checkId(id, 'projectId'), checkWritablePath(dest, 'The project file destination', env)];
  },
  'projectfile:open': (a, env) => [
    checkExistingFile(checkArity(a, 'projectfile:open', 1, 1)[0], 'The project file', env),
  ],
  'export:alignment': (a, env) => {
    const [id, format, dest, alignmentId] = checkArity(a, 'export:alignment', 3, 4);
    const head: [number, ExportFormat, string] = [
      checkId(id, 'projectId'),
      checkEnum(format, 'format', EXPORT_FORMAT_NAMES),
      checkWritablePath(dest, 'The export destination', env),
    ];
    return alignmentId === undefined ? head : [...head, checkId(alignmentId, 'alignmentId')];
  },
  'corrections:get': (a) => [checkId(checkArity(a, 'corrections:get', 1, 1)[0], 'projectId')],
  'corrections:apply': (a) => {
    const [id, op] = checkArity(a, 'corrections:apply', 2, 2);
    return [checkId(id, 'projectId'), checkEditOp(op, 'op')];
  },
  'corrections:undo': (a) => [checkId(checkArity(a, 'corrections:undo', 1, 1)[0], 'projectId')],
  'corrections:redo': (a) => [checkId(checkArity(a, 'corrections:redo', 1, 1)[0], 'projectId')],
  'corrections:realign': (a) => [checkId(checkArity(a, 'corrections:realign', 1, 1)[0], 'projectId')],
  'alignment:versions': (a) => [checkId(checkArity(a, 'alignment:versions', 1, 1)[0], 'projectId')],
  'alignment:restore': (a) => {
    const [id, aid] = checkArity(a, 'alignment:restore', 2, 2);
    return [checkId(id, 'projectId'), checkId(aid, 'alignmentId')];
  },
  'alignment:import': (a, env) => {
    const [id, format, p] = checkArity(a, 'alignment:import', 3, 3);
    return [
      checkId(id, 'projectId'),
      checkEnum(format, 'format', IMPORT_FORMAT_NAMES),
      checkExistingFile(p, 'The alignment file', env),
    ];
  },
  'review:regions': (a) => [checkId(checkArity(a, 'review:regions', 1, 1)[0], 'projectId')],
  'review:mark': (a) => {
    const [id, s0, s1] = checkArity(a, 'review:mark', 3, 3);
    const perfStart = checkSeconds(s0, 'perfStart');
    const perfEnd = checkSeconds(s1, 'perfEnd');
    if (perfEnd <= perfStart) fail('perfEnd', `a time > perfStart (${perfStart})`, perfEnd);
    return [checkId(id, 'projectId'), perfStart, perfEnd];
  },
  'dialog:open': (a) => {
    const [raw] = checkArity(a, 'dialog:open', 1, 1);
    const o = checkObject(raw, 'dialog:open args', ['kind', 'title']);
    const out: OpenDialogArgs = { kind: checkEnum(o.kind, 'kind', OPEN_DIALOG_KINDS) };
    if (o.title !== undefined) out.title = checkText(o.title, 'title', 200);
    return [out];
  },
  'dialog:pages': (a) => {
    const [raw] = checkArity(a, 'dialog:pages', 1, 1);
    const o = checkObject(raw, 'dialog:pages args', ['kind', 'title']);
    // Only scanned pages come as several files.
    const out: OpenDialogArgs = { kind: checkEnum(o.kind, 'kind', ['scan'] as const) };
    if (o.title !== undefined) out.title = checkText(o.title, 'title', 200);
    return [out];
  },
  'dialog:save': (a) => {
    const [raw] = checkArity(a, 'dialog:save', 1, 1);
    const o = checkObject(raw, 'dialog:save args', ['format', 'defaultName']);
    const out: SaveDialogArgs = {
      format: checkEnum(o.format, 'format', [...EXPORT_FORMAT_NAMES, PROJECT_FILE_SAVE_FORMAT] as const),
    };
    if (o.defaultName !== undefined) out.defaultName = checkText(o.defaultName, 'defaultName', 255);
    return [out];
  },
};

/** Validates the raw arguments of `channel`; throws `AccordError('invalid-argument')` saying what was expected and what came. */
export function validateArgs<C extends InvokeChannel>(
  channel: C,
  args: unknown,
  env: ValidationEnv,
): InvokeArgs<C> {
  const v = VALIDATORS[channel] as (args: unknown, env: ValidationEnv) => InvokeArgs<C>;
  return v(args, env);
}
