/**
 * The edit log behind undo/redo: every operation on the corrections carries its inverse, the log
 * is unlimited and serialisable to JSON (the database stores it), and a cursor says how many
 * operations are applied. Recording a new operation after an undo drops the redo tail.
 * All functions are pure: they return new objects and never change their arguments.
 */
import type { EditSpan } from './realign.js';
import type { Anchor, Corrections, ManualJump, RegionMark } from './types.js';

/** One reversible change of the corrections. */
export type EditOp =
  | { type: 'add-anchor'; anchor: Anchor }
  | { type: 'move-anchor'; id: string; from: AnchorPlace; to: AnchorPlace }
  | { type: 'delete-anchor'; anchor: Anchor }
  | { type: 'insert-jump'; jump: ManualJump }
  | { type: 'move-jump'; id: string; from: JumpPlace; to: JumpPlace }
  | { type: 'delete-jump'; jump: ManualJump }
  | { type: 'mark-region'; region: RegionMark }
  | { type: 'unmark-region'; region: RegionMark }
  | {
      type: 'restore-version';
      /** Alignment version shown before the restore. */
      fromVersion: number;
      /** Alignment version restored. */
      toVersion: number;
      /** Corrections before the restore. */
      before: Corrections;
      /** Corrections after it (those saved with `toVersion`). */
      after: Corrections;
    };

/** Where an anchor sits (seconds). */
export interface AnchorPlace {
  perfTime: number;
  scoreTime: number;
}

/** Where a manual jump sits (seconds). */
export interface JumpPlace {
  perfTime: number;
  toScoreTime: number;
}

/** One logged operation with its inverse. */
export interface HistoryEntry {
  op: EditOp;
  inverse: EditOp;
}

/** The edit log: `entries[0 … cursor − 1]` are applied, the rest can be redone. */
export interface EditHistory {
  entries: HistoryEntry[];
  cursor: number;
}

/** Corrections together with the history that led to them. */
export interface HistoryState {
  history: EditHistory;
  corrections: Corrections;
}

/** An empty log. */
export function createHistory(): EditHistory {
  return { entries: [], cursor: 0 };
}

/** The operation that undoes `op`. */
export function inverseOf(op: EditOp): EditOp {
  switch (op.type) {
    case 'add-anchor':
      return { type: 'delete-anchor', anchor: op.anchor };
    case 'delete-anchor':
      return { type: 'add-anchor', anchor: op.anchor };
    case 'move-anchor':
      return { type: 'move-anchor', id: op.id, from: op.to, to: op.from };
    case 'insert-jump':
      return { type: 'delete-jump', jump: op.jump };
    case 'delete-jump':
      return { type: 'insert-jump', jump: op.jump };
    case 'move-jump':
      return { type: 'move-jump', id: op.id, from: op.to, to: op.from };
    case 'mark-region':
      return { type: 'unmark-region', region: op.region };
    case 'unmark-region':
      return { type: 'mark-region', region: op.region };
    case 'restore-version':
      return {
        type: 'restore-version',
        fromVersion: op.toVersion,
        toVersion: op.fromVersion,
        before: op.after,
        after: op.before,
      };
  }
}

/** `corrections` with `op` applied; throws when the op does not fit (unknown id, duplicate id, stale `from`). */
export function apply(corrections: Corrections, op: EditOp): Corrections {
  const { anchors, jumps, regions } = corrections;
  switch (op.type) {
    case 'add-anchor':
      if (anchors.some((a) => a.id === op.anchor.id))
        throw new Error(`add-anchor: expected a new id, anchor "${op.anchor.id}" exists`);
      return { ...corrections, anchors: [...anchors, { ...op.anchor }].sort(byPerfTime) };
    case 'delete-anchor':
      findId(anchors, op.anchor.id, 'delete-anchor', 'anchor');
      return { ...corrections, anchors: anchors.filter((a) => a.id !== op.anchor.id) };
    case 'move-anchor': {
      const a = findId(anchors, op.id, 'move-anchor', 'anchor');
      if (!near(a.perfTime, op.from.perfTime) || !near(a.scoreTime, op.from.scoreTime)) {
        throw new Error(
          `move-anchor: anchor "${op.id}" expected at (${op.from.perfTime}, ${op.from.scoreTime}), found at (${a.perfTime}, ${a.scoreTime})`,
        );
      }
      return {
        ...corrections,
        anchors: anchors.map((x) => (x.id === op.id ? { ...x, ...op.to } : x)).sort(byPerfTime),
      };
    }
    case 'insert-jump':
      if (jumps.some((j) => j.id === op.jump.id))
        throw new Error(`insert-jump: expected a new id, jump "${op.jump.id}" exists`);
      return { ...corrections, jumps: [...jumps, { ...op.jump }].sort(byPerfTime) };
    case 'delete-jump':
      findId(jumps, op.jump.id, 'delete-jump', 'jump');
      return { ...corrections, jumps: jumps.filter((j) => j.id !== op.jump.id) };
    case 'move-jump': {
      const j = findId(jumps, op.id, 'move-jump', 'jump');
      if (!near(j.perfTime, op.from.perfTime) || !near(j.toScoreTime, op.from.toScoreTime)) {
        throw new Error(
          `move-jump: jump "${op.id}" expected at (${op.from.perfTime} → ${op.from.toScoreTime}), found at (${j.perfTime} → ${j.toScoreTime})`,
        );
      }
      return {
        ...corrections,
        jumps: jumps.map((x) => (x.id === op.id ? { ...x, ...op.to } : x)).sort(byPerfTime),
      };
    }
    case 'mark-region':
      if (regions.some((r) => r.id === op.region.id))
        throw new Error(`mark-region: expected a new id, region "${op.region.id}" exists`);
      return {
        ...corrections,
        regions: [...regions, { ...op.region }].sort((a, b) => a.perfStart - b.perfStart),
      };
    case 'unmark-region':
      findId(regions, op.region.id, 'unmark-region', 'region');
      return { ...corrections, regions: regions.filter((r) => r.id !== op.region.id) };
    case 'restore-version':
      return cloneCorrections(op.after);
  }
}

/** Applies `op`, logs it at the cursor and drops the redo tail. */
export function record(state: HistoryState, op: EditOp): HistoryState {
  const corrections = apply(state.corrections, op);
  const entries = state.history.entries.slice(0, state.history.cursor);
  entries.push({ op, inverse: inverseOf(op) });
  return { corrections, history: { entries, cursor: entries.length } };
}

/** Undoes the last applied op; returns null when there is none. `applied` is the inverse that ran. */
export function undo(state: HistoryState): (HistoryState & { applied: EditOp }) | null {
  const { entries, cursor } = state.history;
  if (cursor === 0) return null;
  const applied = entries[cursor - 1].inverse;
  return {
    corrections: apply(state.corrections, applied),
    history: { entries, cursor: cursor - 1 },
    applied,
  };
}

/** Re-applies the next undone op; returns null when there is none. */
export function redo(state: HistoryState): (HistoryState & { applied: EditOp }) | null {
  const { entries, cursor } = state.history;
  if (cursor >= entries.length) return null;
  const applied = entries[cursor].op;
  return {
    corrections: apply(state.corrections, applied),
    history: { entries, cursor: cursor + 1 },
    applied,
  };
}

/**
 * What `realignLocal` should re-align after `op` ran (forwards or as an undo): the point of an
 * anchor or jump, the span between the old and new place of a move, a marked region (except
 * `checked`, which changes nothing); null for `restore-version` and `checked` marks (restore the
 * version's stored path, or call `realignAll`).
 */
export function editSpan(op: EditOp): EditSpan | null {
  switch (op.type) {
    case 'add-anchor':
    case 'delete-anchor':
      return { perfTime: op.anchor.perfTime };
    case 'insert-jump':
    case 'delete-jump':
      return { perfTime: op.jump.perfTime };
    case 'move-anchor':
    case 'move-jump':
      return op.from.perfTime === op.to.perfTime
        ? { perfTime: op.to.perfTime }
        : {
            perfStart: Math.min(op.from.perfTime, op.to.perfTime),
            perfEnd: Math.max(op.from.perfTime, op.to.perfTime),
          };
    case 'mark-region':
    case 'unmark-region':
      return op.region.kind === 'checked'
        ? null
        : { perfStart: op.region.perfStart, perfEnd: op.region.perfEnd };
    case 'restore-version':
      return null;
  }
}

/** JSON text of a history (for the database). */
export function serializeHistory(history: EditHistory): string {
  return JSON.stringify(history);
}

/** Reads `serializeHistory` output back; throws with what was expected and what came. */
export function parseHistory(json: string): EditHistory {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new Error(`parseHistory: expected JSON, got ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(data) || !Array.isArray(data.entries) || typeof data.cursor !== 'number') {
    throw new Error(`parseHistory: expected { entries: [], cursor: number }, got ${json.slice(0, 80)}`);
  }
  const entries = data.entries as unknown[];
  if (!Number.isInteger(data.cursor) || data.cursor < 0 || data.cursor > entries.length) {
    throw new Error(`parseHistory: expected a cursor in 0…${entries.length}, got ${String(data.cursor)}`);
  }
  entries.forEach((e, k) => {
    if (!isObject(e) || !isOp(e.op) || !isOp(e.inverse))
      throw new Error(`parseHistory: entry ${k} is not { op, inverse } with known op types`);
  });
  return { entries: entries as HistoryEntry[], cursor: data.cursor };
}

/** The op types a user's correction makes (every type but `restore-version`). */
export const CORRECTION_OP_TYPES = [
  'add-anchor',
  'move-anchor',
  'delete-anchor',
  'insert-jump',
  'move-jump',
  'delete-jump',
  'mark-region',
  'unmark-region',
] as const satisfies readonly EditOp['type'][];

const OP_TYPES = new Set<string>([...CORRECTION_OP_TYPES, 'restore-version']);

function isOp(x: unknown): x is EditOp {
  return isObject(x) && typeof x.type === 'string' && OP_TYPES.has(x.type);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function findId<T extends { id: string }>(list: readonly T[], id: string, op: string, what: string): T {
  const found = list.find((x) => x.id === id);
  if (!found) throw new Error(`${op}: expected an existing ${what} "${id}", found none`);
  return found;
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9;
}

function byPerfTime(a: { perfTime: number }, b: { perfTime: number }): number {
  return a.perfTime - b.perfTime;
}

function cloneCorrections(c: Corrections): Corrections {
  return {
    anchors: c.anchors.map((a) => ({ ...a })),
    jumps: c.jumps.map((j) => ({ ...j })),
    regions: c.regions.map((r) => ({ ...r })),
  };
}
