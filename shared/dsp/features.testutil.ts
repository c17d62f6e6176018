/** Test helpers for shared/dsp. */

/** Cosine distance 1 − a·b between rows i of a and j of b ([frames × 12], unit rows). */
export function cosineCost(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let s = 0;
  for (let c = 0; c < 12; c++) s += a[i * 12 + c] * b[j * 12 + c];
  return 1 - s;
}
