import { describe, expect, it } from 'vitest';
import type { TimemapEntry } from 'verovio/esm';
import { checkTimeline, inQuarterOrder } from './notated.js';

const entry = (qstamp: number, extra: Partial<TimemapEntry> = {}): TimemapEntry => ({
  qstamp,
  tstamp: qstamp * 500,
  ...extra,
});

describe('inQuarterOrder', () => {
  it('sorts a timemap verovio lists out of order by quarter position, keeping ties in their order', () => {
    const tm = [
      entry(0, { measureOn: 'm1' }),
      entry(3, { measureOn: 'm2' }),
      entry(9, { measureOn: 'm4' }),
      entry(6, { measureOn: 'm3' }),
      entry(6, { on: ['n1'] }),
    ];
    expect(inQuarterOrder(tm).map((e) => e.measureOn ?? e.on?.[0])).toEqual(['m1', 'm2', 'm3', 'n1', 'm4']);
  });

  it('returns a timemap already in order as it is', () => {
    const tm = [entry(0), entry(1), entry(1), entry(2)];
    expect(inQuarterOrder(tm)).toBe(tm);
  });
});

describe('checkTimeline', () => {
  it('refuses a timeline with events before the start, naming the file and what to do', () => {
    expect(() => checkTimeline([entry(0), entry(-12.5), entry(-3), entry(4)], 'sonata.mxl')).toThrow(
      /sonata\.mxl: expected a timeline from the score's start, verovio placed 2 event\(s\) before it \(down to -12\.5 quarter notes\).*load the score as MIDI/,
    );
    expect(() => checkTimeline([entry(0), entry(4)], 'fine.mxl')).not.toThrow();
  });
});
