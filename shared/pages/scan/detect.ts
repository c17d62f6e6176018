/**
 * Staff systems and measure boxes on a scanned page, by classical image processing (issue 11,
 * route 2). Pure: a `GrayImage` in, a `ScanDetection` out, no DOM, no Node.
 *
 * Stages, each a function below: background-normalised binarisation (the page's paper level
 * estimated block by block, so uneven lighting does not move the threshold) → skew from the
 * horizontal projection (the angle whose projection has the largest energy, ±2°, coarse then
 * fine) → the ink deskewed → line thickness and staff space from vertical run lengths → staff
 * lines as rows of long horizontal runs, grouped five by five into staves → staves joined into
 * systems where a vertical line (the system's start bar line) connects them → bar lines as
 * thin columns of ink that span every staff of the system, double bars and repeat signs counted
 * as one boundary → one measure box per interval between boundaries.
 *
 * **Frame.** Every coordinate in the result (systems, staff lines, measure boxes) is in the
 * *deskewed* page: the image rotated by `−skewDegrees` about its centre, same width and height,
 * so that staves are horizontal and boxes axis-aligned. For a straight page (skew 0) that is the
 * image itself. `deskewedToImage` maps a point back onto the image as given.
 */
import type { Box, GrayImage, ScanDetection, ScanMeasureBox, ScanSystem } from './model.js';

/** Largest skew searched, degrees. */
export const MAX_SKEW_DEGREES = 2;

/** Where a point of the deskewed frame lies on the image as given (rotation by `skewDegrees` about the centre). */
export function deskewedToImage(
  det: Pick<ScanDetection, 'width' | 'height' | 'skewDegrees'>,
  x: number,
  y: number,
): [number, number] {
  const a = (det.skewDegrees * Math.PI) / 180;
  const cx = det.width / 2;
  const cy = det.height / 2;
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c];
}

/** Checks the image's shape; throws a RangeError saying what was expected and what came. */
function checkImage(image: GrayImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new RangeError(`scan: expected an image of at least 16×16 pixels, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new RangeError(
      `scan: expected ${width}×${height} = ${width * height} gray bytes, got ${data?.length ?? 'none'}`,
    );
  }
}

/**
 * Each pixel as a share of the paper around it, 0..255 (255: paper), `[height × width]`: the
 * paper level is the 90th percentile of the pixel's 32-pixel block (a block read darker than
 * its neighbours' median, full of ink, takes theirs), interpolated between block centres. Uneven
 * lighting and tinted paper divide out.
 */
export function paperRatio(image: GrayImage): Uint8Array {
  const { width: w, height: h, data } = image;
  const B = 32;
  const bw = Math.ceil(w / B);
  const bh = Math.ceil(h / B);
  const level = new Float32Array(bw * bh);
  const hist = new Int32Array(256);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      hist.fill(0);
      const x1 = Math.min(w, (bx + 1) * B);
      const y1 = Math.min(h, (by + 1) * B);
      for (let y = by * B; y < y1; y++) for (let x = bx * B; x < x1; x++) hist[data[y * w + x]]++;
      const n = (x1 - bx * B) * (y1 - by * B);
      let acc = 0;
      let v = 255;
      for (; v > 0; v--) {
        acc += hist[v];
        if (acc >= n * 0.1) break;
      }
      level[by * bw + bx] = v;
    }
  }
  // A block full of ink (a beam, a title) reads darker than paper: take the max of its 3×3 neighbourhood's median and itself.
  const paper = new Float32Array(bw * bh);
  const nb: number[] = [];
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      nb.length = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = by + dy;
          const xx = bx + dx;
          if (yy >= 0 && yy < bh && xx >= 0 && xx < bw) nb.push(level[yy * bw + xx]);
        }
      }
      nb.sort((a, b) => a - b);
      paper[by * bw + bx] = Math.max(16, Math.max(level[by * bw + bx], nb[nb.length >> 1]));
    }
  }
  const ratio = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) / B - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(bh - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) / B - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(bw - 1, x0 + 1);
      const tx = fx - x0;
      const p =
        (paper[y0 * bw + x0] * (1 - tx) + paper[y0 * bw + x1] * tx) * (1 - ty) +
        (paper[y1 * bw + x0] * (1 - tx) + paper[y1 * bw + x1] * tx) * ty;
      ratio[y * w + x] = Math.min(255, Math.round((data[y * w + x] / p) * 255));
    }
  }
  return ratio;
}

/** Ratio below which a pixel (averaged along the mask's direction) is ink: a thin line blurred or anti-aliased keeps about a third of its darkness. */
export const INK_CUT = 0.8;

/**
 * Ink mask `[height × width]` (1 = ink) of a paper ratio image, each pixel averaged with its
 * neighbours along one direction over 5 pixels first: along rows ('h') keeps horizontal lines
 * (staff lines) and averages noise away, along columns ('v') does the same for bar lines.
 */
export function inkMask(ratio: Uint8Array, width: number, height: number, along: 'h' | 'v'): Uint8Array {
  const cut = 5 * 255 * INK_CUT;
  const out = new Uint8Array(width * height);
  const step = along === 'h' ? 1 : width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const c = along === 'h' ? x : y;
      const n = along === 'h' ? width : height;
      let sum = 0;
      for (let k = -2; k <= 2; k++) sum += ratio[i + Math.min(n - 1 - c, Math.max(-c, k)) * step];
      out[i] = sum < cut ? 1 : 0;
    }
  }
  return out;
}

/**
 * The page's skew in degrees (positive: clockwise, a horizontal line's right end lower), within
 * ±`MAX_SKEW_DEGREES`: the angle whose projection of the ink onto the page's vertical has the
 * largest sum of squares (staff lines then fall into the fewest rows); 0.25° steps, then 0.02°.
 */
export function estimateSkew(ink: Uint8Array, width: number, height: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  const cx = width / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x += 2) {
      if (ink[y * width + x]) {
        xs.push(x - cx);
        ys.push(y);
      }
    }
  }
  const margin = Math.ceil(width * Math.tan((MAX_SKEW_DEGREES * Math.PI) / 180)) + 2;
  const bins = new Float64Array(height + 2 * margin);
  const energy = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) bins[Math.round(ys[i] - xs[i] * t) + margin]++;
    let e = 0;
    for (let i = 0; i < bins.length; i++) e += bins[i] * bins[i];
    return e;
  };
  const search = (from: number, to: number, step: number): number => {
    let best = from;
    let bestE = -1;
    for (let d = from; d <= to + 1e-9; d += step) {
      const e = energy(d);
      if (e > bestE) {
        bestE = e;
        best = d;
      }
    }
    return best;
  };
  const coarse = search(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES, 0.25);
  const fine = search(coarse - 0.25, coarse + 0.25, 0.02);
  return Math.round(fine * 100) / 100;
}

/** The image (a mask, or a ratio with `fill` 255) rotated by `−degrees` about its centre (nearest neighbour), so that a page skewed by `degrees` comes out straight. */
export function deskew(
  ink: Uint8Array,
  width: number,
  height: number,
  degrees: number,
  fill = 0,
): Uint8Array {
  if (Math.abs(degrees) < 0.01) return ink;
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const cx = width / 2;
  const cy = height / 2;
  const out = new Uint8Array(width * height).fill(fill);
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - cy;
    // Source of (x, y): (cx + dx·c − dy·s, cy + dx·s + dy·c), dx = x + 0.5 − cx.
    let sx = cx + (0.5 - cx) * c - dy * s;
    let sy = cy + (0.5 - cx) * s + dy * c;
    for (let x = 0; x < width; x++, sx += c, sy += s) {
      const ix = Math.floor(sx);
      const iy = Math.floor(sy);
      if (ix >= 0 && iy >= 0 && ix < width && iy < height) out[y * width + x] = ink[iy * width + ix];
    }
  }
  return out;
}

/** Line thickness and staff space (line to line) in pixels, from the most common vertical ink and paper runs. */
export function staffMetrics(
  ink: Uint8Array,
  width: number,
  height: number,
): { thickness: number; space: number } {
  const maxRun = 128;
  const black = new Float64Array(maxRun + 1);
  const white = new Float64Array(maxRun + 1);
  for (let x = 0; x < width; x += 3) {
    let run = 0;
    let cur = ink[x];
    for (let y = 0; y <= height; y++) {
      const v = y < height ? ink[y * width + x] : 1 - cur;
      if (v === cur) {
        run++;
        continue;
      }
      if (run <= maxRun) (cur ? black : white)[run]++;
      cur = v;
      run = 1;
    }
  }
  let t = 1;
  for (let i = 1; i <= maxRun; i++) if (black[i] > black[t]) t = i;
  let wmode = 3;
  for (let i = 3; i <= maxRun; i++) if (white[i] > white[wmode]) wmode = i;
  return { thickness: t, space: t + wmode };
}

interface Line {
  y: number;
  strength: number;
}

interface Staff {
  lines: number[];
  left: number;
  right: number;
}

/** Per row, the ink lying in horizontal runs of at least `minRun` pixels (gaps up to `gap` bridged). */
function longRunRows(
  ink: Uint8Array,
  width: number,
  height: number,
  minRun: number,
  gap: number,
): Float64Array {
  const score = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let start = -1;
    let last = -1;
    let total = 0;
    for (let x = 0; x < width; x++) {
      if (!ink[row + x]) continue;
      if (start < 0 || x - last > gap + 1) {
        if (start >= 0 && last - start + 1 >= minRun) total += last - start + 1;
        start = x;
      }
      last = x;
    }
    if (start >= 0 && last - start + 1 >= minRun) total += last - start + 1;
    score[y] = total;
  }
  return score;
}

/**
 * Candidate staff lines: clusters of rows whose long-run ink is at least `minStrength` and a tenth
 * of the page's strongest row, and at least 60 % of the strongest row within `reach` (so that a
 * beam or a row of notes beside a line does not merge with it).
 */
function lineCandidates(score: Float64Array, minStrength: number, reach: number): Line[] {
  let max = 0;
  for (const v of score) max = Math.max(max, v);
  const cut = Math.max(minStrength, max * 0.1);
  const n = score.length;
  const peak = (y: number): boolean => {
    if (score[y] < cut) return false;
    let local = 0;
    for (let k = Math.max(0, y - reach); k <= Math.min(n - 1, y + reach); k++)
      local = Math.max(local, score[k]);
    return score[y] >= 0.6 * local;
  };
  const out: Line[] = [];
  let y = 0;
  while (y < n) {
    if (!peak(y)) {
      y++;
      continue;
    }
    let sw = 0;
    let sy = 0;
    let top = 0;
    while (y < n && peak(y)) {
      sw += score[y];
      sy += score[y] * y;
      top = Math.max(top, score[y]);
      y++;
    }
    out.push({ y: sy / sw, strength: top });
  }
  return out;
}

/** The longest run (gaps up to `gap` bridged) of a row band's ink, OR-ed over rows y0..y1. */
function longestRun(ink: Uint8Array, width: number, y0: number, y1: number, gap: number): [number, number] {
  let best: [number, number] = [0, -1];
  let start = -1;
  let last = -1;
  for (let x = 0; x < width; x++) {
    let on = false;
    for (let y = y0; y <= y1 && !on; y++) on = ink[y * width + x] === 1;
    if (!on) continue;
    if (start < 0 || x - last > gap + 1) start = x;
    last = x;
    if (last - start > best[1] - best[0]) best = [start, last];
  }
  return best;
}

/** Five-line staves: for each candidate, the strongest next line about a staff space below, four times; overlapping staves resolved by strength. */
function findStaves(
  ink: Uint8Array,
  width: number,
  height: number,
  lines: Line[],
  thickness: number,
  space: number,
): Staff[] {
  const found: { lines: Line[]; score: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const chosen = [lines[i]];
    let j = i;
    for (let k = 1; k < 5; k++) {
      const prev = chosen[k - 1].y;
      let pick = -1;
      for (let m = j + 1; m < lines.length && lines[m].y <= prev + 1.35 * space; m++) {
        if (lines[m].y < prev + 0.7 * space) continue;
        if (pick < 0 || lines[m].strength > lines[pick].strength) pick = m;
      }
      if (pick < 0) break;
      chosen.push(lines[pick]);
      j = pick;
    }
    if (chosen.length < 5) continue;
    const gaps = chosen.slice(1).map((l, k) => l.y - chosen[k].y);
    if (Math.max(...gaps) > 1.3 * Math.min(...gaps)) continue;
    const strengths = chosen.map((l) => l.strength);
    if (Math.min(...strengths) < 0.3 * Math.max(...strengths)) continue;
    found.push({ lines: chosen, score: strengths.reduce((a, b) => a + b, 0) });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: { lines: Line[] }[] = [];
  for (const f of found) {
    const top = f.lines[0].y;
    const bottom = f.lines[4].y;
    if (kept.some((k) => top <= k.lines[4].y + space * 0.5 && bottom >= k.lines[0].y - space * 0.5)) continue;
    kept.push(f);
  }
  kept.sort((a, b) => a.lines[0].y - b.lines[0].y);
  const half = Math.ceil(thickness / 2) + 1;
  const gap = Math.max(2, Math.round(space / 2));
  return kept.map((k) => {
    const runs = k.lines.map((l) =>
      longestRun(
        ink,
        width,
        Math.max(0, Math.round(l.y) - half),
        Math.min(height - 1, Math.round(l.y) + half),
        gap,
      ),
    );
    const lefts = runs.map((r) => r[0]).sort((a, b) => a - b);
    const rights = runs.map((r) => r[1]).sort((a, b) => a - b);
    return { lines: k.lines.map((l) => l.y), left: lefts[2], right: rights[2] };
  });
}

/** Ink of column x (OR of x−1..x+1) at row y. */
function inkNear(ink: Uint8Array, width: number, x: number, y: number): boolean {
  const row = y * width;
  return ink[row + x] === 1 || (x > 0 && ink[row + x - 1] === 1) || (x + 1 < width && ink[row + x + 1] === 1);
}

/** Fraction of rows y0..y1 with ink at column x (±1). */
function columnCover(ink: Uint8Array, width: number, x: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y <= y1; y++) if (inkNear(ink, width, x, y)) n++;
  return n / Math.max(1, y1 - y0 + 1);
}

/** Whether a vertical line joins staff a's bottom line to staff b's top line somewhere over both. */
function connected(ink: Uint8Array, width: number, a: Staff, b: Staff): boolean {
  const x0 = Math.max(a.left, b.left);
  const x1 = Math.min(a.right, b.right);
  const y0 = Math.round(a.lines[4]);
  const y1 = Math.round(b.lines[0]);
  for (let x = x0; x <= x1; x++) if (columnCover(ink, width, x, y0, y1) >= 0.95) return true;
  return false;
}

/** Whether there is ink at the middle of both the 2nd and 3rd spaces of every staff just right of x (repeat dots) and none in the 1st and 4th. */
function repeatDotsRight(ink: Uint8Array, width: number, staves: Staff[], x: number, space: number): boolean {
  const x0 = Math.round(x + 1);
  const x1 = Math.min(width - 1, Math.round(x + space));
  const any = (y: number): boolean => {
    const yy = Math.round(y);
    for (let xx = x0; xx <= x1; xx++) if (ink[yy * width + xx]) return true;
    return false;
  };
  return staves.every((s) => {
    const mid = (k: number): number => (s.lines[k] + s.lines[k + 1]) / 2;
    return any(mid(1)) && any(mid(2)) && !any(mid(0)) && !any(mid(3));
  });
}

/**
 * Whether columns x0..x1 hold a straight vertical line in every staff: the ink around it does
 * not reach more than a quarter space further on half a space of consecutive rows (a note head
 * on a stem, a time signature's 4 do; a slur or a beam crossing it, a few rows, does not) nor on
 * 40 % of the staff's rows.
 */
function straight(
  ink: Uint8Array,
  width: number,
  staves: Staff[],
  x0: number,
  x1: number,
  space: number,
): boolean {
  const reach = Math.max(2, Math.round(space / 4));
  const longest = Math.max(2, Math.round(space / 2));
  return staves.every((s) => {
    let rows = 0;
    let out = 0;
    let runL = 0;
    let runR = 0;
    for (let y = Math.round(s.lines[0]); y <= Math.round(s.lines[4]); y++) {
      rows++;
      const row = y * width;
      let l = x0;
      while (l > 0 && x0 - l < reach && ink[row + l - 1]) l--;
      let r = x1;
      while (r + 1 < width && r - x1 < reach && ink[row + r + 1]) r++;
      runL = x0 - l >= reach ? runL + 1 : 0;
      runR = r - x1 >= reach ? runR + 1 : 0;
      if (runL >= longest || runR >= longest) return false;
      if (x0 - l >= reach || r - x1 >= reach) out++;
    }
    return out <= 0.4 * rows;
  });
}

/**
 * Whether columns x0..x1 are a bar line: straight in every staff (`straight`), or, in a system
 * of several staves, one unbroken line from the top staff's top line to the bottom staff's bottom
 * line (through the gaps, where stems do not go) that is straight in at least one staff, or, in a
 * system of three staves or more, straight in two of them, so that chords and ties touching it in
 * the other staves do not hide it.
 */
function barLike(
  ink: Uint8Array,
  width: number,
  staves: Staff[],
  x0: number,
  x1: number,
  space: number,
): boolean {
  if (straight(ink, width, staves, x0, x1, space)) return true;
  if (staves.length < 2) return false;
  const clean = staves.filter((s) => straight(ink, width, [s], x0, x1, space)).length;
  // Three staves or more: bar lines are often drawn staff group by staff group, not through every
  // gap; clean in two staves is enough where notes touch it in the others.
  if (staves.length >= 3 && clean >= 2) return true;
  if (clean === 0) return false;
  const top = Math.round(staves[0].lines[0]);
  const bottom = Math.round(staves[staves.length - 1].lines[4]);
  for (let x = x0; x <= x1; x++) if (columnCover(ink, width, x, top, bottom) >= 0.97) return true;
  return false;
}

/**
 * Boundaries of the measures of one system, left to right: its left end, every bar line (thin
 * columns spanning each staff top to bottom line, a note stem spans at most one staff; groups
 * within 1.5 staff spaces, as in double bars and repeat signs, are one boundary), its right end.
 */
function systemBoundaries(ink: Uint8Array, width: number, staves: Staff[], space: number): number[] {
  const left = Math.min(...staves.map((s) => s.left));
  const right = Math.max(...staves.map((s) => s.right));
  const bars: { x0: number; x1: number }[] = [];
  let open = -1;
  for (let x = left; x <= right + 1; x++) {
    const on =
      x <= right &&
      staves.every((s) => columnCover(ink, width, x, Math.round(s.lines[0]), Math.round(s.lines[4])) >= 0.9);
    if (on && open < 0) open = x;
    if (!on && open >= 0) {
      if (x - open <= 1.2 * space && barLike(ink, width, staves, open, x - 1, space))
        bars.push({ x0: open, x1: x - 1 });
      open = -1;
    }
  }
  // Groups: bar lines closer than 1.5 staff spaces are one boundary (double bars, repeats).
  const groups: { x0: number; x1: number }[] = [];
  for (const b of bars) {
    const g = groups[groups.length - 1];
    if (g && b.x0 - g.x1 <= 1.5 * space) g.x1 = b.x1;
    else groups.push({ ...b });
  }
  // A bar line closer than 4 spaces to the right end leaves room only for a courtesy key or time signature: no measure.
  const inner = groups.filter((g) => g.x0 > left + 1.5 * space && g.x1 < right - 4 * space);
  // A start-repeat just after the clef, key and time signature opens the first measure, it does not end one.
  if (
    inner.length > 0 &&
    inner[0].x1 - left < 12 * space &&
    repeatDotsRight(ink, width, staves, inner[0].x1, space)
  ) {
    inner.shift();
  }
  return [left, ...inner.map((g) => (g.x0 + g.x1) / 2), right];
}

/** Staves top to bottom joined into systems: a staff joins the one above when a vertical line connects them. */
function chainStaves(ink: Uint8Array, width: number, staves: Staff[]): Staff[][] {
  const groups: Staff[][] = [];
  for (const s of staves) {
    const g = groups[groups.length - 1];
    if (g && connected(ink, width, g[g.length - 1], s)) g.push(s);
    else groups.push([s]);
  }
  return groups;
}

/**
 * The page's systems (`chainStaves`). On a page whose systems are of several staves, a lone staff
 * joined to neither neighbour is not music but five lines of something else (beams of a long run,
 * the lines of an ottava or a slur over a system): it is dropped and the staves are chained again,
 * so the system it cut in two is whole again.
 */
function groupStaves(ink: Uint8Array, width: number, staves: Staff[]): Staff[][] {
  const groups = chainStaves(ink, width, staves);
  if (!groups.some((g) => g.length >= 2) || !groups.some((g) => g.length === 1)) return groups;
  return chainStaves(ink, width, groups.filter((g) => g.length >= 2).flat());
}

/** Finds the staff systems and measure boxes of page `page` (1-based); see the file's comment for the frame. */
export function detectScanPage(image: GrayImage, page: number): ScanDetection {
  checkImage(image);
  const { width, height } = image;
  const raw = paperRatio(image);
  const skewDegrees = estimateSkew(inkMask(raw, width, height, 'h'), width, height);
  const ratio = deskew(raw, width, height, skewDegrees, 255);
  const flat = inkMask(ratio, width, height, 'h');
  const ink = inkMask(ratio, width, height, 'v');
  const { thickness, space } = staffMetrics(flat, width, height);
  const rows = longRunRows(flat, width, height, Math.round(3 * space), Math.max(2, thickness + 1));
  const lines = lineCandidates(rows, 8 * space, Math.max(2, Math.round(space / 2)));
  const groups = groupStaves(ink, width, findStaves(flat, width, height, lines, thickness, space));
  const systems: ScanSystem[] = [];
  const measures: ScanMeasureBox[] = [];
  groups.forEach((g, index) => {
    const top = g[0].lines[0];
    const bottom = g[g.length - 1].lines[4];
    const xs = systemBoundaries(ink, width, g, space);
    const box: Box = [xs[0], top, xs[xs.length - 1] - xs[0], bottom - top];
    systems.push({ box, staves: g.length, staffLines: g.flatMap((s) => s.lines) });
    for (let i = 0; i + 1 < xs.length; i++) {
      if (xs[i + 1] - xs[i] < space) continue;
      measures.push({ page, system: index, box: [xs[i], top, xs[i + 1] - xs[i], bottom - top] });
    }
  });
  return { page, width, height, skewDegrees, systems, measures };
}
