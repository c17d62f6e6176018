import { describe, expect, it } from 'vitest';
import type { Score } from '../../../shared/score';
import type { Engraving } from '../../../shared/pages/model';
import { PagesIndex, barsText, measureRange, pageLayoutFor } from './pages';

// Two notated bars under a repeat sign, on two pages: played 1, 2, 1, 2 (2 s a bar).
const score: Score = {
  format: 'musicxml',
  duration: 8,
  notes: [
    { pitch: 60, onset: 0, duration: 1, velocity: 0.8, measure: 0, elementId: 'n1' },
    { pitch: 62, onset: 1, duration: 1, velocity: 0.8, measure: 0, elementId: 'n2' },
    { pitch: 64, onset: 2, duration: 2, velocity: 0.8, measure: 1, elementId: 'n3' },
    { pitch: 60, onset: 4, duration: 1, velocity: 0.8, measure: 2, elementId: 'n1' },
    { pitch: 62, onset: 5, duration: 1, velocity: 0.8, measure: 2, elementId: 'n2' },
    { pitch: 64, onset: 6, duration: 2, velocity: 0.8, measure: 3, elementId: 'n3' },
  ],
  beats: [],
  measures: [0, 1, 2, 3].map((i) => ({
    index: i,
    number: String((i % 2) + 1),
    start: 2 * i,
    end: 2 * i + 2,
    timeSignature: [2, 4] as [number, number],
    elementId: i % 2 === 0 ? 'm1' : 'm2',
  })),
  jumpPoints: [0, 4, 8],
};
const engraving: Engraving = {
  layout: { pageWidth: 2100, pageHeight: 2970, scale: 100 },
  pages: [1, 2].map((index) => ({ index, svg: '<svg/>', width: 2100, height: 2970 })),
  systems: [
    { page: 1, box: [50, 100, 2000, 250] },
    { page: 2, box: [50, 100, 2000, 250] },
  ],
  measures: [
    { id: 'm1', number: '1', page: 1, system: 0, box: [50, 100, 2000, 250], passes: [0, 2] },
    { id: 'm2', number: '2', page: 2, system: 1, box: [50, 100, 2000, 250], passes: [1, 3] },
  ],
  notes: [
    { id: 'n1', measure: 'm1', page: 1, box: [300, 150, 20, 18] },
    { id: 'n2', measure: 'm1', page: 1, box: [900, 150, 20, 18] },
  ],
  playedOrder: ['m1', 'm2', 'm1', 'm2'],
};

describe('the Pages view model', () => {
  it('finds the page, the measure and the note being played, on every pass', () => {
    const ix = new PagesIndex(engraving, score);
    expect(ix.pageCount).toBe(2);
    expect(ix.positionAt(1.5)).toMatchObject({ page: 1, measure: { id: 'm1' }, note: { id: 'n2' } });
    expect(ix.positionAt(4.2)).toMatchObject({ page: 1, measure: { id: 'm1' }, note: { id: 'n1' } });
    // Bar 2 turns the page; its note has no head on the page, so only the measure is marked.
    const p = ix.positionAt(6.5);
    expect(p).toMatchObject({ page: 2, measure: { id: 'm2' } });
    expect(p?.note).toBeUndefined();
    expect(ix.positionAt(-1)).toBeNull();
  });

  it('gives a measure’s start on each pass, for a click to play from there', () => {
    const ix = new PagesIndex(engraving, score);
    expect(ix.startsOf(engraving.measures[0])).toEqual([0, 4]);
    expect(ix.startsOf(engraving.measures[1])).toEqual([2, 6]);
  });

  it('keeps the page in pixels while the notation grows', () => {
    expect(pageLayoutFor('a4', 100)).toEqual({ pageWidth: 2100, pageHeight: 2970, scale: 100 });
    expect(pageLayoutFor('a4', 200)).toEqual({ pageWidth: 1050, pageHeight: 1485, scale: 200 });
    expect(pageLayoutFor('letter', 130).scale).toBe(130);
  });
});

describe('measureRange and barsText', () => {
  // notated bars 1, 2, 3, 2a (a volta), 4
  const ms = ['1', '2', '3', '2a', '4'].map((number) => ({ number }));
  it('finds printed bars in notated order, the last at or after the first', () => {
    expect(measureRange(ms, '2', '4')).toEqual([1, 4]);
    expect(measureRange(ms, '3', '3')).toEqual([2, 2]);
    expect(measureRange(ms, '3', '2')).toBeNull();
    expect(measureRange(ms, '9', '9')).toBeNull();
  });
  it('writes a dragged range as typed bars, whichever way it was dragged', () => {
    expect(barsText(ms, 4, 1)).toBe('2-4');
    expect(barsText(ms, 1, 4)).toBe('2-4');
    expect(barsText(ms, 2, 2)).toBe('3');
  });
});
