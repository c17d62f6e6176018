/**
 * Geometry of a verovio page SVG rendered with `svgBoundingBoxes: true`, read from the markup
 * alone (no DOM, no layout engine): verovio writes, inside every element's group, a
 * `g#bbox-<id>.bounding-box` holding the element's box as a `<rect>` in the page's inner
 * coordinates. A measure's box is the union of its staff lines (clef to barline, top line
 * of the first staff to bottom line of the last; ledger lines and notes outside the staves left
 * out, so that a system's measures share one height); a system's is the union of
 * its measures'. Coordinates are turned into page pixels: the root `<svg>`'s width × height,
 * into which the inner `svg.definition-scale` maps its viewBox.
 */

/** `[x, y, width, height]` in page pixels, origin top left. */
export type Box = [number, number, number, number];

/** A measure as engraved on a page. */
export interface PageMeasure {
  /** The measure's element id (verovio's, the notated measure). */
  id: string;
  /** Printed number (`@n`), where the SVG carries it (`svgAdditionalAttribute: measure@n`). */
  n?: string;
  /** Index into `PageGeometry.systems`. */
  system: number;
  box: Box;
}

/** A note head as engraved on a page. */
export interface PageNote {
  /** The note's element id. */
  id: string;
  /** The id of the measure it is in. */
  measure: string;
  box: Box;
}

/** What one page holds, in page pixels. */
export interface PageGeometry {
  /** Page width in pixels (the root `<svg>`'s). */
  width: number;
  /** Page height in pixels. */
  height: number;
  /** Systems top to bottom, each the union of its measures. */
  systems: { id: string; box: Box }[];
  /** Measures in page order. */
  measures: PageMeasure[];
  /** Notes in page order. */
  notes: PageNote[];
}

interface Affine {
  /** x' = a·x + e, y' = d·y + f (verovio's groups only translate and scale). */
  a: number;
  d: number;
  e: number;
  f: number;
}

interface Frame {
  tag: string;
  id?: string;
  classes: string[];
  /** Transform from this element's coordinates to page pixels. */
  m: Affine;
  /** A transform other than translate/scale on this element or above it (its contents are not measured). */
  opaque?: string;
}

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(ATTR)) out[m[1]] = m[2] ?? m[3];
  return out;
}

function px(v: string | undefined, what: string): number {
  const n = v === undefined ? NaN : Number(v.replace(/px$/, ''));
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`page SVG: expected ${what} in pixels, got ${v ?? 'none'}`);
  return n;
}

function numbers(v: string): number[] {
  return v
    .trim()
    .split(/[\s,]+/)
    .map(Number);
}

/** The transform attribute as an affine map, or undefined for anything but translate and scale. */
function parseTransform(v: string | undefined): Affine | undefined {
  const m: Affine = { a: 1, d: 1, e: 0, f: 0 };
  if (!v) return m;
  const parts = v.matchAll(/(\w+)\s*\(([^)]*)\)/g);
  for (const [, fn, args] of parts) {
    const n = numbers(args);
    if (fn === 'translate') {
      m.e += m.a * n[0];
      m.f += m.d * (n[1] ?? 0);
    } else if (fn === 'scale') {
      m.a *= n[0];
      m.d *= n[1] ?? n[0];
    } else {
      return undefined;
    }
  }
  return m;
}

function compose(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a,
    d: outer.d * inner.d,
    e: outer.a * inner.e + outer.e,
    f: outer.d * inner.f + outer.f,
  };
}

function union(a: Box | undefined, b: Box): Box {
  if (!a) return [...b];
  const x0 = Math.min(a[0], b[0]);
  const y0 = Math.min(a[1], b[1]);
  const x1 = Math.max(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.max(a[1] + a[3], b[1] + b[3]);
  return [x0, y0, x1 - x0, y1 - y0];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Reads the page size and the boxes of systems, measures and notes from a verovio page SVG. */
export function readPageGeometry(svg: string): PageGeometry {
  const stack: Frame[] = [];
  let width = 0;
  let height = 0;
  let userSize: [number, number] = [0, 0];
  const measureBoxes = new Map<string, { n?: string; system: string; box?: Box; lines?: Box }>();
  const systemOrder: string[] = [];
  const notes: PageNote[] = [];
  const noteIds = new Set<string>();
  for (const t of svg.matchAll(TAG)) {
    const [, closing, tag, attrText, selfClosing] = t;
    if (closing) {
      // Pop to the matching open tag (verovio's markup is well formed; this only guards the stack).
      let popped = stack.pop();
      while (popped && popped.tag !== tag) popped = stack.pop();
      continue;
    }
    const at = attributes(attrText);
    const parent = stack[stack.length - 1];
    let m: Affine = parent ? parent.m : { a: 1, d: 1, e: 0, f: 0 };
    if (tag === 'svg') {
      if (!parent) {
        width = px(at.width, 'the root <svg> width');
        height = px(at.height, 'the root <svg> height');
        userSize = [width, height];
        if (at.viewBox) {
          const [vx, vy, vw, vh] = numbers(at.viewBox);
          m = { a: width / vw, d: height / vh, e: (-vx * width) / vw, f: (-vy * height) / vh };
          userSize = [vw, vh];
        }
      } else if (at.viewBox) {
        // A nested <svg> fills its parent's viewport (100 % × 100 %), viewBox fitted with xMidYMid meet.
        const [vx, vy, vw, vh] = numbers(at.viewBox);
        const [uw, uh] = userSize;
        const s = Math.min(uw / vw, uh / vh);
        m = compose(m, { a: s, d: s, e: (uw - vw * s) / 2 - vx * s, f: (uh - vh * s) / 2 - vy * s });
      }
    }
    let opaque = parent?.opaque;
    if (tag === 'g' && at.transform && opaque === undefined) {
      // Rotated text and the like: drawn, but nothing inside is a measure, staff or note to box.
      const t = parseTransform(at.transform);
      if (t) m = compose(m, t);
      else opaque = at.transform;
    }
    const frame: Frame = { tag, classes: (at.class ?? '').split(/\s+/).filter(Boolean), m };
    if (opaque !== undefined) {
      if (
        ['system', 'measure', 'staff', 'note'].includes(frame.classes[0]) &&
        !frame.classes.includes('bounding-box')
      )
        throw new Error(
          `page SVG: expected translate/scale transforms around ${frame.classes[0]}s, got ${opaque}`,
        );
      frame.opaque = opaque;
      if (!selfClosing) stack.push(frame);
      continue;
    }
    if (at.id !== undefined) frame.id = at.id;
    if (tag === 'g' && frame.id !== undefined) {
      const within = (cls: string): Frame | undefined =>
        [...stack]
          .reverse()
          .find((f) => f.tag === 'g' && f.classes.includes(cls) && !f.classes.includes('bounding-box'));
      if (frame.classes[0] === 'system' && !frame.classes.includes('bounding-box'))
        systemOrder.push(frame.id);
      if (frame.classes[0] === 'measure' && !frame.classes.includes('bounding-box')) {
        const system = within('system');
        if (!system?.id) throw new Error(`page SVG: measure ${frame.id} is not inside a system`);
        measureBoxes.set(frame.id, { system: system.id, ...(at['data-n'] ? { n: at['data-n'] } : {}) });
      }
    }
    if (tag === 'path' && parent?.tag === 'g' && parent.classes[0] === 'staff' && at.d !== undefined) {
      // A staff line: `M x1 y L x2 y`, drawn `stroke-width` thick.
      const line = /^M\s*(-?[\d.]+)[\s,]+(-?[\d.]+)\s*L\s*(-?[\d.]+)[\s,]+(-?[\d.]+)\s*$/.exec(at.d);
      const measure = [...stack]
        .reverse()
        .find((f) => f.classes[0] === 'measure' && !f.classes.includes('bounding-box'));
      const entry = measure?.id !== undefined ? measureBoxes.get(measure.id) : undefined;
      if (line && entry && line[2] === line[4]) {
        const [x1, y, x2] = [Number(line[1]), Number(line[2]), Number(line[3])];
        const sw = Number(at['stroke-width'] ?? 0) || 0;
        const box: Box = [
          m.a * Math.min(x1, x2) + m.e,
          m.d * (y - sw / 2) + m.f,
          m.a * Math.abs(x2 - x1),
          m.d * sw,
        ];
        entry.lines = union(entry.lines, box);
      }
    }
    if (tag === 'rect' && parent?.classes.includes('bounding-box') && parent.id?.startsWith('bbox-')) {
      const owner = stack[stack.length - 2];
      const kind = parent.classes[0];
      const x = Number(at.x);
      const y = Number(at.y);
      const w = Number(at.width);
      const h = Number(at.height);
      if ([x, y, w, h].every(Number.isFinite) && w > 0 && h > 0 && owner) {
        const box: Box = [round2(m.a * x + m.e), round2(m.d * y + m.f), round2(m.a * w), round2(m.d * h)];
        if (kind === 'staff') {
          const measure = [...stack]
            .reverse()
            .find((f) => f.classes[0] === 'measure' && !f.classes.includes('bounding-box'));
          const entry = measure?.id !== undefined ? measureBoxes.get(measure.id) : undefined;
          if (entry) entry.box = union(entry.box, box);
        } else if (kind === 'note' && owner.id !== undefined && !noteIds.has(owner.id)) {
          const measure = [...stack]
            .reverse()
            .find((f) => f.classes[0] === 'measure' && !f.classes.includes('bounding-box'));
          if (measure?.id !== undefined) {
            noteIds.add(owner.id);
            notes.push({ id: owner.id, measure: measure.id, box });
          }
        }
      }
    }
    if (!selfClosing) stack.push(frame);
  }
  if (width === 0) throw new Error('page SVG: expected an <svg> root element, found none');
  const systems: { id: string; box: Box }[] = [];
  const systemIndex = new Map<string, number>();
  const measures: PageMeasure[] = [];
  for (const [id, raw] of measureBoxes) {
    const box = raw.lines ?? raw.box;
    if (!box) throw new Error(`page SVG: measure ${id} has no staff lines or staff box`);
    const entry = { ...raw, box: box.map(round2) as Box };
    let s = systemIndex.get(entry.system);
    if (s === undefined) {
      s = systems.length;
      systemIndex.set(entry.system, s);
      systems.push({ id: entry.system, box: [...entry.box] });
    } else {
      systems[s].box = union(systems[s].box, entry.box).map(round2) as Box;
    }
    measures.push({ id, system: s, box: entry.box, ...(entry.n !== undefined ? { n: entry.n } : {}) });
  }
  // Systems in the order verovio wrote them (top to bottom), measures re-indexed to match.
  const order = systems
    .map((s, i) => ({ i, rank: systemOrder.indexOf(s.id) }))
    .sort((a, b) => a.rank - b.rank)
    .map((x) => x.i);
  const remap = new Map(order.map((oldIndex, newIndex) => [oldIndex, newIndex]));
  return {
    width,
    height,
    systems: order.map((i) => systems[i]),
    measures: measures.map((mm) => ({ ...mm, system: remap.get(mm.system)! })),
    notes,
  };
}

/**
 * The page SVG as it is shown and saved: without verovio's bounding-box groups (invalid inside
 * `<text>`, and rasterizers draw text wrongly around them) and `<title>` metadata, with a root
 * `viewBox` so that it scales to any display size.
 */
export function cleanPageSvg(svg: string): string {
  let out = svg
    .replace(/<g\b[^>]*\bclass="[^"]*\bbounding-box\b[^"]*"[^>]*\/>/g, '')
    .replace(/<g\b[^>]*\bclass="[^"]*\bbounding-box\b[^"]*"[^>]*>(?:(?!<g\b)[\s\S])*?<\/g>/g, '')
    .replace(/<title\b[^>]*>[^<]*<\/title>/g, '')
    .replace(/(<g\b[^>]*[^/])>\s*<\/g>/g, '$1 />')
    .replace(/\n\s*\n/g, '\n');
  const root = /<svg\b[^>]*>/.exec(out);
  if (root && !/\bviewBox=/.test(root[0])) {
    const at = attributes(root[0]);
    const w = px(at.width, 'the root <svg> width');
    const h = px(at.height, 'the root <svg> height');
    out = out.replace(root[0], root[0].replace(/^<svg\b/, `<svg viewBox="0 0 ${w} ${h}"`));
  }
  return out;
}
