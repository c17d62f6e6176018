// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { FOLLOW_MARGIN, MatrixView, clampViewport, followViewport } from './matrix';
import type { MatrixViewport } from './matrix';

/** A straight path: score time = performance time, 100 s at 0.1 s a frame. */
const PATH = {
  hopSeconds: 0.1,
  scoreTime: Float32Array.from({ length: 1000 }, (_, i) => i * 0.1),
  confidence: new Float32Array(1000).fill(1),
  jumpFrames: [],
};

function canvas(w = 400, h = 300): HTMLCanvasElement {
  const c = document.createElement('canvas');
  Object.defineProperty(c, 'clientWidth', { value: w });
  Object.defineProperty(c, 'clientHeight', { value: h });
  document.body.append(c);
  return c;
}

/** A pointer event as the browser sends it (jsdom has no PointerEvent constructor). */
function pointer(type: string, id: number, x: number, y: number, extra: object = {}): Event {
  const e = new MouseEvent(type, { clientX: x, clientY: y, button: 0, bubbles: true });
  Object.defineProperty(e, 'pointerId', { value: id });
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(e, k, { value: v });
  return e;
}

const views: MatrixView[] = [];
function view(opts: { follow?: boolean; viewport?: MatrixViewport } = {}): MatrixView {
  const v = new MatrixView({
    canvas: canvas(),
    matrix: null,
    path: PATH,
    perfSeconds: 100,
    scoreSeconds: 100,
    ...opts,
  });
  views.push(v);
  return v;
}
afterEach(() => {
  for (const v of views.splice(0)) v.destroy();
  document.body.replaceChildren();
});

const contains = (v: MatrixView, t: number) => v.visible.x0 <= t && t <= v.visible.x1;

describe('followViewport', () => {
  it('leaves the window alone while the point is inside it, less the margins', () => {
    const vp = clampViewport({ zoom: 4, cx: 0.5, cy: 0.5 });
    // the window spans 0.375..0.625; the margin keeps the point 0.025 from each edge
    expect(followViewport(vp, 0.5, 0.5)).toBe(vp);
    expect(followViewport(vp, 0.625 - 0.25 * FOLLOW_MARGIN - 1e-9, 0.4)).toBe(vp);
  });

  it('moves only the axis the point left, putting it a third in with the rest of the window ahead', () => {
    const vp = clampViewport({ zoom: 4, cx: 0.5, cy: 0.5 });
    const next = followViewport(vp, 0.7, 0.5);
    expect(next.cy).toBe(0.5);
    expect(next.zoom).toBe(4);
    // the point sits at a third of the window's width from its left edge
    expect((0.7 - (next.cx - 0.125)) / 0.25).toBeCloseTo(1 / 3, 9);
    const up = followViewport(vp, 0.5, 0.75);
    expect(up.cx).toBe(0.5);
    expect((0.75 - (up.cy - 0.125)) / 0.25).toBeCloseTo(1 / 3, 9);
  });

  it('stays inside the matrix at its end', () => {
    const next = followViewport(clampViewport({ zoom: 4, cx: 0.5, cy: 0.5 }), 0.99, 0.99);
    expect(next.cx).toBeCloseTo(0.875, 9);
    expect(next.cy).toBeCloseTo(0.875, 9);
  });
});

describe('MatrixView follow and zoom', () => {
  it('keeps the playhead in view while zoomed in, by page turns, not every frame', () => {
    const v = view();
    for (let i = 0; i < 5; i++)
      v.handleKey({ key: '+', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false });
    expect(v.viewport.zoom).toBeCloseTo(1.5 ** 5, 9);
    const windows = new Set<string>();
    for (let t = 0; t <= 100; t += 0.5) {
      v.setTime(t);
      expect(contains(v, t)).toBe(true);
      windows.add(v.visible.x0.toFixed(3));
    }
    // about one turn per two thirds of a window (13.2 s of 100 s), not 200 scrolls
    expect(windows.size).toBeGreaterThan(3);
    expect(windows.size).toBeLessThan(15);
  });

  it('zooms around the followed playhead from the keyboard, and 0 fits the whole matrix', () => {
    const v = view();
    v.setTime(80);
    v.zoomAt(8);
    expect(contains(v, 80)).toBe(true);
    v.handleKey({ key: '0', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false });
    expect(v.viewport).toEqual({ zoom: 1, cx: 0.5, cy: 0.5 });
  });

  it('stops following when the user drags the view away, and F brings the playhead back', () => {
    const v = view({ viewport: { zoom: 8, cx: 0.5, cy: 0.5 } });
    const said: boolean[] = [];
    v.on('follow', (on) => said.push(on));
    const c = document.querySelector('canvas') as HTMLCanvasElement;
    c.dispatchEvent(pointer('pointerdown', 1, 200, 150));
    c.dispatchEvent(pointer('pointermove', 1, 300, 150));
    c.dispatchEvent(pointer('pointerup', 1, 300, 150));
    expect(v.follow).toBe(false);
    expect(said).toEqual([false]);
    const x0 = v.visible.x0;
    v.setTime(95);
    expect(v.visible.x0).toBe(x0);
    expect(contains(v, 95)).toBe(false);
    expect(v.handleKey({ key: 'f', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false })).toBe(
      true,
    );
    expect(said).toEqual([false, true]);
    expect(contains(v, 95)).toBe(true);
  });

  it('arrow keys and Shift+wheel pan (and stop following); a plain click seeks and keeps following', () => {
    const v = view({ viewport: { zoom: 4, cx: 0.5, cy: 0.5 } });
    const seeks: number[] = [];
    v.on('seek', (t) => seeks.push(t));
    const c = document.querySelector('canvas') as HTMLCanvasElement;
    c.dispatchEvent(pointer('pointerdown', 1, 100, 150));
    c.dispatchEvent(pointer('pointerup', 1, 101, 150));
    expect(seeks).toHaveLength(1);
    expect(seeks[0]).toBeCloseTo(37.5 + 25 * (101 / 400), 6);
    expect(v.follow).toBe(true);
    const cx = v.viewport.cx;
    v.handleKey({ key: 'ArrowRight', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false });
    expect(v.viewport.cx).toBeCloseTo(cx + 0.25 * 0.2, 9);
    expect(v.follow).toBe(false);
    v.setFollow(true);
    const before = v.viewport.cx;
    c.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, shiftKey: true, cancelable: true }));
    expect(v.viewport.cx).toBeGreaterThan(before);
    expect(v.follow).toBe(false);
  });

  it('a two-finger pinch zooms by the change of the fingers’ spread, around their middle', () => {
    const v = view({ follow: false });
    let seeks = 0;
    v.on('seek', () => seeks++);
    const c = document.querySelector('canvas') as HTMLCanvasElement;
    c.dispatchEvent(pointer('pointerdown', 1, 150, 150));
    c.dispatchEvent(pointer('pointerdown', 2, 250, 150));
    c.dispatchEvent(pointer('pointermove', 2, 350, 150));
    // spread 100 → 200 px: twice the zoom
    expect(v.viewport.zoom).toBeCloseTo(2, 9);
    c.dispatchEvent(pointer('pointerup', 2, 350, 150));
    c.dispatchEvent(pointer('pointerup', 1, 150, 150));
    // the fingers lifting is not a click
    expect(seeks).toBe(0);
  });

  it('a Ctrl+wheel (a trackpad pinch) zooms in more per step than a wheel', () => {
    const a = view({ follow: false });
    const canvases = document.querySelectorAll('canvas');
    canvases[0].dispatchEvent(new WheelEvent('wheel', { deltaY: -50, cancelable: true }));
    const b = view({ follow: false });
    document
      .querySelectorAll('canvas')[1]
      .dispatchEvent(new WheelEvent('wheel', { deltaY: -50, ctrlKey: true, cancelable: true }));
    expect(a.viewport.zoom).toBeGreaterThan(1);
    expect(b.viewport.zoom).toBeGreaterThan(a.viewport.zoom);
  });
});
