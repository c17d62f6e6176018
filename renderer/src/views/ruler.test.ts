import { describe, expect, it } from 'vitest';
import { formatRulerTime, rulerTicks } from './ruler';

const labels = (r: ReturnType<typeof rulerTicks>) => r.ticks.filter((t) => t.major).map((t) => t.label);

describe('rulerTicks', () => {
  it('labels every 2 s at the default 50 px/s, with half-second minor ticks', () => {
    const r = rulerTicks(0, 10, 50);
    expect(r.majorStep).toBe(2);
    expect(r.minorStep).toBe(0.5);
    expect(labels(r)).toEqual(['0:00', '0:02', '0:04', '0:06', '0:08', '0:10']);
    expect(r.ticks).toHaveLength(21);
    expect(r.ticks[1]).toEqual({ seconds: 0.5, major: false, label: '' });
  });

  it('spaces labels at least minLabelPx apart and picks the densest spacing that does', () => {
    for (const px of [0.05, 0.3, 1, 4, 13, 50, 120, 400, 1000]) {
      const r = rulerTicks(0, 100, px);
      expect(r.majorStep * px, `${px} px/s`).toBeGreaterThanOrEqual(56);
      // the next denser spacing would be too tight (except at the densest one, 0.1 s)
      if (r.majorStep > 0.1 && r.majorStep < 3600) {
        const denser = rulerTicks(0, 100, px, r.majorStep * px + 1);
        expect(denser.majorStep).toBeGreaterThan(r.majorStep);
      }
    }
  });

  it('adapts to zoom: zooming in shortens the spacing, zooming out lengthens it', () => {
    const steps = [2, 10, 50, 200, 800].map((px) => rulerTicks(0, 60, px).majorStep);
    expect(steps).toEqual([30, 10, 2, 0.5, 0.1]);
  });

  it('covers only the visible window, the first tick at or after its start', () => {
    const r = rulerTicks(61.3, 75.2, 50);
    expect(r.ticks[0].seconds).toBe(61.5);
    expect(r.ticks.at(-1)?.seconds).toBe(75);
    expect(labels(r)).toEqual(['1:02', '1:04', '1:06', '1:08', '1:10', '1:12', '1:14']);
  });

  it('shows tenths below one-second spacing, without float drift', () => {
    const r = rulerTicks(0.95, 1.65, 800);
    expect(r.majorStep).toBe(0.1);
    expect(labels(r)).toEqual(['0:01.0', '0:01.1', '0:01.2', '0:01.3', '0:01.4', '0:01.5', '0:01.6']);
    expect(r.ticks.every((t) => Number.isInteger(Math.round(t.seconds * 1000)))).toBe(true);
  });

  it('drops minor ticks that would crowd (under 6 px apart)', () => {
    const r = rulerTicks(0, 2, 50, 20);
    expect(r.majorStep).toBe(0.5);
    expect(r.minorStep).toBe(0.5); // 0.1 s would be 5 px
    expect(r.ticks.map((t) => t.seconds)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(r.ticks.every((t) => t.major)).toBe(true);
  });

  it('labels hours past an hour when zoomed far out', () => {
    const r = rulerTicks(0, 7200, 0.018);
    expect(r.majorStep).toBe(3600);
    expect(r.minorStep).toBe(900);
    expect(labels(r)).toEqual(['0:00', '1:00:00', '2:00:00']);
  });

  it('starts at 0 for a window that begins before the recording', () => {
    expect(rulerTicks(-3, 2, 50).ticks[0].seconds).toBe(0);
  });

  it('rejects a zoom or window that is not a positive finite number', () => {
    expect(() => rulerTicks(0, 10, 0)).toThrow(/expected a positive finite zoom.*got 0/);
    expect(() => rulerTicks(0, Number.NaN, 50)).toThrow(/expected a finite window/);
  });
});

describe('formatRulerTime', () => {
  it('writes m:ss, h:mm:ss past an hour and carries a rounded minute', () => {
    expect(formatRulerTime(0, 2)).toBe('0:00');
    expect(formatRulerTime(125, 5)).toBe('2:05');
    expect(formatRulerTime(3725, 60)).toBe('1:02:05');
    expect(formatRulerTime(59.96, 0.1)).toBe('1:00.0');
    expect(formatRulerTime(59.6, 2)).toBe('1:00');
  });
});
