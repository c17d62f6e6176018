/**
 * Re-times one pass of a path by anchors: frame `from[k]` of the old path moves to frame `to[k]`,
 * and the frames between two anchors are stretched evenly. Both anchor lists are strictly
 * increasing, start at the pass's first frame `a` and end at its last, `b − 1`. `old` holds the
 * path before the move from frame `lo` on (old[f − lo] is frame f's); `S` is written in place.
 */
export function warpPass(
  S: Float64Array,
  old: Float64Array,
  lo: number,
  a: number,
  b: number,
  from: readonly number[],
  to: readonly number[],
): void {
  // Frame f of the new path shows what the old path showed at the anchors' inverse of f.
  let k = 0;
  for (let f = a; f < b; f++) {
    while (k + 2 < to.length && to[k + 1] <= f) k++;
    const u = from[k] + ((f - to[k]) / (to[k + 1] - to[k])) * (from[k + 1] - from[k]);
    const i = Math.min(b - 2, Math.max(a, Math.floor(u)));
    const x = Math.min(1, Math.max(0, u - i));
    S[f] = old[i - lo] + x * (old[i + 1 - lo] - old[i - lo]);
  }
}
