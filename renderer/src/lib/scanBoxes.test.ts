import { describe, expect, it } from 'vitest';
import type { Score } from '../../../shared/score';
import type { Box } from '../../../shared/pages/model';
import type { ScanState } from '../../../shared/ipc';
import { MIN_BOX_SIDE, ScanIndex, boxChanged, dragBox, handlePoint, nudgeFor, roundBox } from './scanBoxes';

const PAGE = { width: 1000, height: 800 };
const BOX: Box = [100, 200, 300, 100];

describe('dragBox', () => {
  it('moves the whole box, keeping its size and the page', () => {
    expect(dragBox(BOX, 'move', 50, -20, PAGE)).toEqual([150, 180, 300, 100]);
    expect(dragBox(BOX, 'move', 900, 900, PAGE)).toEqual([700, 700, 300, 100]);
    expect(dragBox(BOX, 'move', -500, -500, PAGE)).toEqual([0, 0, 300, 100]);
  });

  it('resizes by an edge: only that edge moves', () => {
    expect(dragBox(BOX, 'e', 40, 99, PAGE)).toEqual([100, 200, 340, 100]);
    expect(dragBox(BOX, 'w', 40, 99, PAGE)).toEqual([140, 200, 260, 100]);
    expect(dragBox(BOX, 'n', 99, -50, PAGE)).toEqual([100, 150, 300, 150]);
    expect(dragBox(BOX, 's', 99, 30, PAGE)).toEqual([100, 200, 300, 130]);
  });

  it('resizes by a corner: both its edges move', () => {
    expect(dragBox(BOX, 'se', 10, 20, PAGE)).toEqual([100, 200, 310, 120]);
    expect(dragBox(BOX, 'nw', -10, -20, PAGE)).toEqual([90, 180, 310, 120]);
    expect(dragBox(BOX, 'ne', 10, -20, PAGE)).toEqual([100, 180, 310, 120]);
    expect(dragBox(BOX, 'sw', -10, 20, PAGE)).toEqual([90, 200, 310, 120]);
  });

  it('never turns a box inside out nor below the smallest side, nor past the page', () => {
    expect(dragBox(BOX, 'e', -1000, 0, PAGE)).toEqual([100, 200, MIN_BOX_SIDE, 100]);
    expect(dragBox(BOX, 'nw', 1000, 1000, PAGE)).toEqual([
      400 - MIN_BOX_SIDE,
      300 - MIN_BOX_SIDE,
      MIN_BOX_SIDE,
      MIN_BOX_SIDE,
    ]);
    expect(dragBox(BOX, 'se', 5000, 5000, PAGE)).toEqual([100, 200, 900, 600]);
    expect(dragBox(BOX, 'nw', -5000, -5000, PAGE)).toEqual([0, 0, 400, 300]);
  });

  it('puts the handles on the corners and the edges’ middles', () => {
    expect(handlePoint(BOX, 'nw')).toEqual([100, 200]);
    expect(handlePoint(BOX, 'se')).toEqual([400, 300]);
    expect(handlePoint(BOX, 'n')).toEqual([250, 200]);
    expect(handlePoint(BOX, 'e')).toEqual([400, 250]);
  });
});

describe('keyboard and saving', () => {
  it('nudges by a pixel, by ten with Shift; other keys do nothing', () => {
    expect(nudgeFor('ArrowLeft', false)).toEqual([-1, 0]);
    expect(nudgeFor('ArrowDown', true)).toEqual([0, 10]);
    expect(nudgeFor('ArrowUp', false, 4)).toEqual([0, -4]);
    expect(nudgeFor('Enter', false)).toBeNull();
  });

  it('saves only a real change, in whole pixels', () => {
    expect(boxChanged(BOX, [100.05, 200, 300, 100])).toBe(false);
    expect(boxChanged(BOX, [101, 200, 300, 100])).toBe(true);
    expect(roundBox([10.4, 20.6, 30.5, 1.49])).toEqual([10, 21, 31, 1]);
  });
});

// Two notated bars under a repeat: played 1, 2, 1, 2 (2 s a bar); bar 1 on page 1, bar 2 on page 2.
const score: Score = {
  format: 'musicxml',
  duration: 8,
  notes: [],
  beats: [],
  measures: [0, 1, 2, 3].map((i) => ({
    index: i,
    number: String((i % 2) + 1),
    start: 2 * i,
    end: 2 * i + 2,
    timeSignature: [2, 4] as [number, number],
  })),
  jumpPoints: [0, 4, 8],
};
const page = { width: 1000, height: 800, sourceName: 'a.pdf', skewDegrees: 0, systems: [] };
const state: ScanState = {
  pages: [
    { ...page, page: 1, sourcePage: 1 },
    { ...page, page: 2, sourcePage: 2 },
  ],
  boxes: [
    { id: 7, page: 1, system: 0, box: [0, 0, 10, 10], number: '1', passes: [0, 2] },
    { id: 8, page: 2, system: 0, box: [0, 0, 10, 10], number: '2', passes: [1, 3] },
    { id: 9, page: 2, system: 0, box: [20, 0, 10, 10], number: null, passes: [] },
  ],
  measures: [
    { number: '1', passes: [0, 2] },
    { number: '2', passes: [1, 3] },
  ],
  warnings: [],
};

describe('ScanIndex', () => {
  it('finds the box of the measure played at a score time, on both passes', () => {
    const index = new ScanIndex(state, score);
    expect(index.pageCount).toBe(2);
    expect(index.boxAt(-1)).toBeNull();
    expect(index.boxAt(0.5)?.id).toBe(7);
    expect(index.boxAt(3)?.id).toBe(8);
    expect(index.boxAt(5)?.id).toBe(7);
    expect(index.boxAt(7.9)?.page).toBe(2);
    expect(index.startsOf(state.boxes[1])).toEqual([2, 6]);
  });

  it('has no box for a measure no box is linked to', () => {
    const index = new ScanIndex({ ...state, boxes: [state.boxes[0]] }, score);
    expect(index.boxAt(3)).toBeNull();
  });
});
