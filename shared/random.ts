/**
 * The seeded uniform generators in [0, 1): one copy of each, so a seed means the same draws
 * everywhere. Two algorithms because data already made depends on each one's exact sequence.
 */

/** mulberry32: the data generators' generator (evaluation set, training dumps, reference scores, resources). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** xorshift32 (seed 0 reads as 1): the synthetic test features' and the cost normaliser's random cells. */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
