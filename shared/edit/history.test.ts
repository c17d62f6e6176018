import { describe, expect, it } from 'vitest';
import type { EditOp, HistoryState } from './history.js';
import {
  apply,
  createHistory,
  editSpan,
  inverseOf,
  parseHistory,
  record,
  redo,
  serializeHistory,
  undo,
} from './history.js';
import type { Corrections } from './types.js';
import { emptyCorrections } from './types.js';

const ops: EditOp[] = [
  { type: 'add-anchor', anchor: { id: 'a1', perfTime: 10, scoreTime: 8, source: 'drag' } },
  { type: 'add-anchor', anchor: { id: 'a2', perfTime: 5, scoreTime: 4, source: 'tap' } },
  {
    type: 'move-anchor',
    id: 'a1',
    from: { perfTime: 10, scoreTime: 8 },
    to: { perfTime: 11, scoreTime: 8.5 },
  },
  { type: 'insert-jump', jump: { id: 'j1', perfTime: 30, toScoreTime: 0 } },
  {
    type: 'move-jump',
    id: 'j1',
    from: { perfTime: 30, toScoreTime: 0 },
    to: { perfTime: 29.5, toScoreTime: 0.2 },
  },
  { type: 'mark-region', region: { id: 'r1', perfStart: 40, perfEnd: 50, kind: 'not-in-score' } },
  { type: 'delete-anchor', anchor: { id: 'a2', perfTime: 5, scoreTime: 4, source: 'tap' } },
  { type: 'unmark-region', region: { id: 'r1', perfStart: 40, perfEnd: 50, kind: 'not-in-score' } },
  { type: 'delete-jump', jump: { id: 'j1', perfTime: 29.5, toScoreTime: 0.2 } },
];

function run(list: EditOp[]): HistoryState[] {
  const states: HistoryState[] = [{ history: createHistory(), corrections: emptyCorrections() }];
  for (const op of list) states.push(record(states[states.length - 1], op));
  return states;
}

describe('edit history', () => {
  it('every op applied then its inverse gives back the corrections', () => {
    const states = run(ops);
    ops.forEach((op, k) => {
      const before = states[k].corrections;
      expect(apply(apply(before, op), inverseOf(op))).toEqual(before);
      expect(inverseOf(inverseOf(op))).toEqual(op);
    });
    const last = states[states.length - 1].corrections;
    expect(last.anchors.map((a) => [a.id, a.perfTime, a.scoreTime])).toEqual([['a1', 11, 8.5]]);
    expect(last.jumps).toEqual([]);
  });

  it('undo all then redo all round-trips through every intermediate state', () => {
    const states = run(ops);
    let s: HistoryState = states[states.length - 1];
    for (let k = ops.length - 1; k >= 0; k--) {
      const u = undo(s);
      if (!u) throw new Error('expected an undo');
      expect(u.corrections).toEqual(states[k].corrections);
      expect(u.history.cursor).toBe(k);
      s = u;
    }
    expect(undo(s)).toBeNull();
    for (let k = 1; k <= ops.length; k++) {
      const r = redo(s);
      if (!r) throw new Error('expected a redo');
      expect(r.corrections).toEqual(states[k].corrections);
      s = r;
    }
    expect(redo(s)).toBeNull();
  });

  it('a new edit after undo drops the redo tail', () => {
    const states = run(ops.slice(0, 4));
    const u1 = undo(states[4]);
    const u2 = u1 && undo(u1);
    if (!u2) throw new Error('expected two undos');
    const s = record(u2, {
      type: 'add-anchor',
      anchor: { id: 'a3', perfTime: 20, scoreTime: 15, source: 'note-key' },
    });
    expect(s.history.entries).toHaveLength(3);
    expect(s.history.cursor).toBe(3);
    expect(redo(s)).toBeNull();
    expect(s.corrections.anchors.map((a) => a.id)).toEqual(['a2', 'a1', 'a3']);
  });

  it('restore-version swaps whole correction sets and undoes', () => {
    const start: Corrections = {
      anchors: [{ id: 'x', perfTime: 1, scoreTime: 1, source: 'import' }],
      jumps: [],
      regions: [],
    };
    const s0: HistoryState = { history: createHistory(), corrections: start };
    const s1 = record(s0, {
      type: 'restore-version',
      fromVersion: 3,
      toVersion: 1,
      before: start,
      after: emptyCorrections(),
    });
    expect(s1.corrections).toEqual(emptyCorrections());
    expect(undo(s1)?.corrections).toEqual(start);
  });

  it('serialises to JSON and back, and rejects broken logs', () => {
    const states = run(ops);
    const h = undo(undo(states[states.length - 1]) as HistoryState)?.history;
    if (!h) throw new Error('expected an undo');
    const back = parseHistory(serializeHistory(h));
    expect(back).toEqual(h);
    expect(redo({ history: back, corrections: states[ops.length - 2].corrections })?.corrections).toEqual(
      states[ops.length - 1].corrections,
    );
    expect(() => parseHistory('{"entries":[],"cursor":2}')).toThrow(/cursor in 0…0/);
    expect(() =>
      parseHistory('{"entries":[{"op":{"type":"zap"},"inverse":{"type":"zap"}}],"cursor":0}'),
    ).toThrow(/entry 0/);
    expect(() => parseHistory('nope')).toThrow(/expected JSON/);
  });

  it('rejects ops that do not fit the corrections', () => {
    expect(() => apply(emptyCorrections(), ops[2])).toThrow(/existing anchor "a1"/);
    const c = apply(emptyCorrections(), ops[0]);
    expect(() => apply(c, ops[0])).toThrow(/new id/);
    expect(() =>
      apply(c, {
        type: 'move-anchor',
        id: 'a1',
        from: { perfTime: 3, scoreTime: 8 },
        to: { perfTime: 4, scoreTime: 8 },
      }),
    ).toThrow(/expected at/);
  });

  it('names the span to re-align for each op', () => {
    expect(editSpan(ops[0])).toEqual({ perfTime: 10 });
    expect(editSpan(ops[4])).toEqual({ perfStart: 29.5, perfEnd: 30 });
    expect(editSpan(ops[5])).toEqual({ perfStart: 40, perfEnd: 50 });
    expect(
      editSpan({ type: 'mark-region', region: { id: 'c', perfStart: 1, perfEnd: 2, kind: 'checked' } }),
    ).toBeNull();
  });
});
