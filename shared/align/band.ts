/**
 * A band of DP cells: for each row (perf frame) `rowStart + r`, the score frames `lo[r] … hi[r]`.
 * `offset[r]` is the index of the row's first cell in flat per-cell storage (`offset[rows]` = cells).
 */
export interface Band {
  /** First (absolute) row. */
  rowStart: number;
  /** Number of rows. */
  rows: number;
  /** [rows] first column of each row. */
  lo: Int32Array;
  /** [rows] last column of each row (inclusive). */
  hi: Int32Array;
  /** [rows + 1] start of each row in flat storage. */
  offset: Int32Array;
}

/** Total cells of a band. */
export function bandCells(band: Band): number {
  return band.offset[band.rows];
}

/**
 * Makes a band valid for the DP: columns clamped to 0 … cols − 1, `lo` and `hi` non-decreasing,
 * each row connected to the previous one (lo[r] ≤ hi[r − 1] + 1), and computes `offset`.
 * `lo`/`hi` are modified in place.
 */
export function finishBand(rowStart: number, lo: Int32Array, hi: Int32Array, cols: number): Band {
  const rows = lo.length;
  if (hi.length !== rows) throw new RangeError(`finishBand: lo has ${rows} rows, hi has ${hi.length}`);
  for (let r = 0; r < rows; r++) {
    if (lo[r] < 0) lo[r] = 0;
    if (hi[r] > cols - 1) hi[r] = cols - 1;
    if (lo[r] > cols - 1) lo[r] = cols - 1;
    if (hi[r] < 0) hi[r] = 0;
  }
  for (let r = rows - 2; r >= 0; r--) if (lo[r] > lo[r + 1]) lo[r] = lo[r + 1];
  for (let r = 1; r < rows; r++) if (hi[r] < hi[r - 1]) hi[r] = hi[r - 1];
  for (let r = 0; r < rows; r++) if (hi[r] < lo[r]) hi[r] = lo[r];
  for (let r = 1; r < rows; r++) if (lo[r] > hi[r - 1] + 1) lo[r] = hi[r - 1] + 1;
  const offset = new Int32Array(rows + 1);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    offset[r] = total;
    total += hi[r] - lo[r] + 1;
    if (total > 0x7fffffff) throw new RangeError(`finishBand: band of ${total}+ cells is too large`);
  }
  offset[rows] = total;
  return { rowStart, rows, lo, hi, offset };
}

/** A full rectangle band (every column in every row). */
export function fullBand(rows: number, cols: number): Band {
  return finishBand(0, new Int32Array(rows), new Int32Array(rows).fill(cols - 1), cols);
}

/** Centred sliding min/max over ±radius of an Int32Array (O(n) deque). */
export function slidingExtreme(x: Int32Array, radius: number, max: boolean): Int32Array {
  const n = x.length;
  const out = new Int32Array(n);
  const dq = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let f = 0; f < n; f++) {
    const hiIdx = Math.min(n - 1, f + radius);
    while (next <= hiIdx) {
      while (tail > head && (max ? x[dq[tail - 1]] <= x[next] : x[dq[tail - 1]] >= x[next])) tail--;
      dq[tail++] = next++;
    }
    while (dq[head] < f - radius) head++;
    out[f] = x[dq[head]];
  }
  return out;
}

/**
 * Band around a per-row column interval [minCol[r], maxCol[r]] dilated by ±radius rows and
 * ±radius columns. Rows with minCol > maxCol (nothing projected) inherit from their neighbours.
 */
export function dilatedBand(
  rowStart: number,
  minCol: Int32Array,
  maxCol: Int32Array,
  radius: number,
  cols: number,
): Band {
  const rows = minCol.length;
  // Fill rows that got no projection from the nearest earlier row (or later, at the start).
  let last = -1;
  for (let r = 0; r < rows; r++) {
    if (minCol[r] <= maxCol[r]) last = r;
    else if (last >= 0) {
      minCol[r] = minCol[last];
      maxCol[r] = maxCol[last];
    }
  }
  let first = -1;
  for (let r = 0; r < rows; r++)
    if (minCol[r] <= maxCol[r]) {
      first = r;
      break;
    }
  if (first < 0) throw new RangeError('dilatedBand: no row has a column interval');
  for (let r = 0; r < first; r++) {
    minCol[r] = minCol[first];
    maxCol[r] = maxCol[first];
  }
  const lo = slidingExtreme(minCol, radius, false);
  const hi = slidingExtreme(maxCol, radius, true);
  for (let r = 0; r < rows; r++) {
    lo[r] -= radius;
    hi[r] += radius;
  }
  return finishBand(rowStart, lo, hi, cols);
}
