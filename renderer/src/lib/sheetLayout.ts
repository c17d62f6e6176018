/**
 * Geometry of a laid-out sheet, without a DOM: which system a cursor stop is on, where the view
 * scrolls to follow playback (a page turn ahead of the next system), which measure is under a
 * point. Boxes are CSS px in the sheet's content coordinates.
 */

/** A box, CSS px: left, top, width, height. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A vertical extent, CSS px. */
export interface Span {
  top: number;
  bottom: number;
}

/** Systems from the cursor's boxes: one per distinct top (the cursor spans its system's height), top to bottom. */
export function systemsOf(stops: readonly { y: number; h: number }[]): Span[] {
  const byTop = new Map<number, number>();
  for (const s of stops) {
    const top = Math.round(s.y);
    byTop.set(top, Math.max(byTop.get(top) ?? 0, s.y + s.h));
  }
  return [...byTop.entries()].sort((a, b) => a[0] - b[0]).map(([top, bottom]) => ({ top, bottom }));
}

/** Index of the system whose top is `y` (rounded as in `systemsOf`), -1 when none. */
export function systemIndexAt(systems: readonly Span[], y: number): number {
  const top = Math.round(y);
  return systems.findIndex((s) => s.top === top);
}

/** What `followScrollTop` decides from. */
export interface FollowInput {
  /** Current scroll offset and visible height of the scrolling box. */
  scrollTop: number;
  viewHeight: number;
  /** The system being played. */
  current: Span;
  /** The system after it (null on the last one). */
  next: Span | null;
  /** True while the last bar of the current system is played: time to show the next system. */
  lastBar: boolean;
  /** Room kept above a system scrolled to the top, px. */
  margin?: number;
}

/**
 * Where the sheet scrolls to keep playback in view: unchanged while the current system is fully
 * visible (and, in its last bar, the next one too); otherwise a page turn that puts the current
 * system at the top with `margin` above it, which brings the following systems into view ahead
 * of time. Never below 0.
 */
export function followScrollTop(o: FollowInput): number {
  const margin = o.margin ?? 12;
  const visible = (s: Span) => s.top >= o.scrollTop && s.bottom <= o.scrollTop + o.viewHeight;
  const turn = Math.max(0, o.current.top - margin);
  if (!visible(o.current)) return turn;
  if (o.lastBar && o.next && !visible(o.next)) return turn;
  return o.scrollTop;
}

/**
 * Index of the box under (`x`, `y`): the one containing it, grown by `slack` px above and below
 * (the notes over and under the staff), else the nearest within `slack`; -1 when none is near.
 */
export function boxAt(boxes: readonly (Box | null)[], x: number, y: number, slack = 24): number {
  let best = -1;
  let bestDist = Infinity;
  boxes.forEach((b, i) => {
    if (!b) return;
    const dx = x < b.x ? b.x - x : x > b.x + b.w ? x - (b.x + b.w) : 0;
    const top = b.y - slack;
    const bottom = b.y + b.h + slack;
    const dy = y < top ? top - y : y > bottom ? y - bottom : 0;
    const d = Math.hypot(dx, dy);
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  });
  return bestDist <= slack ? best : -1;
}
