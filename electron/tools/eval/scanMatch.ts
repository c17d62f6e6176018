/** Matching detected boxes to true boxes for the scanned-page evaluation and its tests. */
import type { Box } from '../../../shared/pages/scan/model.js';

/** Intersection over union of two boxes. */
export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** One-to-one matching of true to detected boxes with IoU ≥ `min`, greedy by IoU: `match[t]` = detected index or -1. */
export function matchBoxes(truth: Box[], found: Box[], min = 0.5): number[] {
  const pairs: [number, number, number][] = [];
  truth.forEach((t, i) =>
    found.forEach((f, j) => {
      const v = iou(t, f);
      if (v >= min) pairs.push([v, i, j]);
    }),
  );
  pairs.sort((a, b) => b[0] - a[0]);
  const match = truth.map(() => -1);
  const used = new Set<number>();
  for (const [, i, j] of pairs) {
    if (match[i] >= 0 || used.has(j)) continue;
    match[i] = j;
    used.add(j);
  }
  return match;
}
