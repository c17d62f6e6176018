import type { Features } from '../dsp/features.js';

/**
 * The neural aligner's input: both feature sequences are pooled to a fixed length L (the
 * performance axis and the score axis alike), and the network sees the L × L matrix of
 * distances between them. The training-data script and inference both call these functions,
 * so the two cannot drift.
 */

/** Number of input channels: 0 = chroma distance, 1 = onset-chroma distance. */
export const NEURAL_INPUT_CHANNELS = 2;

/** Input values are quantised to multiples of 1/INPUT_LEVELS (training stores them as uint8). */
export const INPUT_LEVELS = 255;

/** First frame (inclusive) and end frame (exclusive) of cell `i` of `cells` over `frames` frames. */
export function cellRange(i: number, frames: number, cells: number): [number, number] {
  const a = Math.min(frames - 1, Math.floor((i * frames) / cells));
  const b = Math.max(a + 1, Math.min(frames, Math.floor(((i + 1) * frames) / cells)));
  return [a, b];
}

/** Frame position (fractional) of the centre of cell `i`: (i + 0.5)·frames/cells − 0.5. */
export function cellCentreFrame(i: number, frames: number, cells: number): number {
  return ((i + 0.5) * frames) / cells - 0.5;
}

/** Sums `[frames × 12]` rows over each of `cells` cells and L2-normalises them → `[cells × 12]` (zero rows → uniform). */
export function poolUnit12(values: Float32Array, frames: number, cells: number): Float32Array {
  if (frames < 1) throw new RangeError(`poolUnit12: expected ≥ 1 frame, got ${frames}`);
  if (values.length !== frames * 12)
    throw new RangeError(`poolUnit12: expected ${frames * 12} values ([frames × 12]), got ${values.length}`);
  const out = new Float32Array(cells * 12);
  const uniform = 1 / Math.sqrt(12);
  for (let i = 0; i < cells; i++) {
    const [a, b] = cellRange(i, frames, cells);
    let norm = 0;
    for (let c = 0; c < 12; c++) {
      let s = 0;
      for (let f = a; f < b; f++) s += values[f * 12 + c];
      out[i * 12 + c] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm);
    for (let c = 0; c < 12; c++) out[i * 12 + c] = norm > 1e-9 ? out[i * 12 + c] / norm : uniform;
  }
  return out;
}

/** Euclidean distance between unit rows, divided by √2 so it lies in [0, 1], quantised; written into `out` at `offset` as [L × L]. */
function distanceMatrix(
  p: Float32Array,
  s: Float32Array,
  L: number,
  out: Float32Array,
  offset: number,
): void {
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      let dot = 0;
      for (let c = 0; c < 12; c++) dot += p[i * 12 + c] * s[j * 12 + c];
      const d = Math.sqrt(Math.max(0, 2 - 2 * dot)) / Math.SQRT2;
      out[offset + i * L + j] = Math.round(Math.min(1, d) * INPUT_LEVELS) / INPUT_LEVELS;
    }
  }
}

/**
 * Network input `[NEURAL_INPUT_CHANNELS × L × L]` (row = performance cell, column = score cell),
 * values in [0, 1] on a 1/255 grid: channel 0 the distance of pooled unit chroma, channel 1 the
 * distance of pooled (summed, then unit) DLNCO onset chroma.
 */
export function buildNeuralInput(perf: Features, score: Features, L: number): Float32Array {
  if (!Number.isInteger(L) || L < 2)
    throw new RangeError(`buildNeuralInput: L must be an integer ≥ 2, got ${L}`);
  if (perf.frames < 1 || score.frames < 1) {
    throw new RangeError(
      `buildNeuralInput: expected ≥ 1 frame on both sides, got perf ${perf.frames}, score ${score.frames}`,
    );
  }
  const out = new Float32Array(NEURAL_INPUT_CHANNELS * L * L);
  distanceMatrix(
    poolUnit12(perf.chroma, perf.frames, L),
    poolUnit12(score.chroma, score.frames, L),
    L,
    out,
    0,
  );
  distanceMatrix(
    poolUnit12(perf.onset, perf.frames, L),
    poolUnit12(score.onset, score.frames, L),
    L,
    out,
    L * L,
  );
  return out;
}

/**
 * Training target `[L]`: for each performance cell, the true score frame at the cell's centre
 * frame divided by the score's frame count (so in [0, 1]; column j of the input covers [j/L, (j+1)/L)).
 * `scoreFrameOfPerfFrame[f]` is the true (fractional) score frame of performance frame f.
 */
export function neuralTarget(
  scoreFrameOfPerfFrame: Float64Array,
  scoreFrames: number,
  L: number,
): Float32Array {
  const perfFrames = scoreFrameOfPerfFrame.length;
  const out = new Float32Array(L);
  for (let i = 0; i < L; i++) {
    const f = Math.min(perfFrames - 1, Math.max(0, Math.round(cellCentreFrame(i, perfFrames, L))));
    out[i] = Math.min(1, Math.max(0, (scoreFrameOfPerfFrame[f] + 0.5) / scoreFrames));
  }
  return out;
}
