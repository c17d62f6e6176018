import { describe, expect, it } from 'vitest';
import { boxAt, followScrollTop, systemIndexAt, systemsOf } from './sheetLayout';

describe('systemsOf', () => {
  it('groups cursor stops into systems by their top, top to bottom', () => {
    const stops = [
      { y: 40, h: 100 },
      { y: 40.2, h: 100 },
      { y: 200, h: 120 },
      { y: 400, h: 100 },
      { y: 200, h: 120 },
    ];
    const systems = systemsOf(stops);
    expect(systems).toEqual([
      { top: 40, bottom: 140.2 },
      { top: 200, bottom: 320 },
      { top: 400, bottom: 500 },
    ]);
    expect(systemIndexAt(systems, 200.3)).toBe(1);
    expect(systemIndexAt(systems, 300)).toBe(-1);
  });
});

describe('followScrollTop', () => {
  const sys = [
    { top: 20, bottom: 180 },
    { top: 220, bottom: 380 },
    { top: 420, bottom: 580 },
  ];
  it('keeps still while the current system is in view', () => {
    expect(
      followScrollTop({ scrollTop: 0, viewHeight: 300, current: sys[0], next: sys[1], lastBar: false }),
    ).toBe(0);
  });

  it('turns the page ahead: in the last bar of a system, the next one is brought into view', () => {
    // the next system (220–380) does not fit below 300 px: the current one goes to the top
    expect(
      followScrollTop({ scrollTop: 0, viewHeight: 300, current: sys[0], next: sys[1], lastBar: true }),
    ).toBe(8);
    // already in view: nothing moves
    expect(
      followScrollTop({ scrollTop: 0, viewHeight: 400, current: sys[0], next: sys[1], lastBar: true }),
    ).toBe(0);
    // the last system has no next one
    expect(
      followScrollTop({ scrollTop: 408, viewHeight: 300, current: sys[2], next: null, lastBar: true }),
    ).toBe(408);
  });

  it('brings a system out of view to the top, with the margin above it, never above 0', () => {
    expect(
      followScrollTop({ scrollTop: 0, viewHeight: 300, current: sys[2], next: null, lastBar: false }),
    ).toBe(408);
    expect(
      followScrollTop({
        scrollTop: 400,
        viewHeight: 300,
        current: sys[0],
        next: sys[1],
        lastBar: false,
        margin: 30,
      }),
    ).toBe(0);
  });
});

describe('boxAt', () => {
  const boxes = [
    { x: 0, y: 100, w: 200, h: 40 },
    null,
    { x: 200, y: 100, w: 150, h: 40 },
    { x: 0, y: 300, w: 180, h: 40 },
  ];
  it('finds the measure under a point, including just above or below its staff', () => {
    expect(boxAt(boxes, 50, 120)).toBe(0);
    expect(boxAt(boxes, 250, 85)).toBe(2);
    expect(boxAt(boxes, 10, 350)).toBe(3);
  });
  it('finds none far from every measure', () => {
    expect(boxAt(boxes, 50, 220)).toBe(-1);
    expect(boxAt(boxes, 600, 120)).toBe(-1);
  });
});
