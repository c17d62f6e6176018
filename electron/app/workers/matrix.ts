/** The matrix view's image: performance × score chroma similarity, pooled to the requested size. */
import type { MatrixImage } from '../../../shared/ipc.js';

function poolChroma(chroma: Float32Array, frames: number, bins: number): Float32Array {
  const out = new Float32Array(bins * 12);
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * frames) / bins);
    const end = Math.max(start + 1, Math.floor(((b + 1) * frames) / bins));
    for (let f = start; f < Math.min(end, frames); f++) {
      for (let c = 0; c < 12; c++) out[b * 12 + c] += chroma[f * 12 + c];
    }
    let norm = 0;
    for (let c = 0; c < 12; c++) norm += out[b * 12 + c] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < 12; c++) out[b * 12 + c] /= norm;
  }
  return out;
}

/**
 * Cosine similarity of bucket-averaged chroma: perf [perfFrames × 12] across `width` columns,
 * score [scoreFrames × 12] across `height` rows, contrast-stretched to 0..255 (255 = most similar).
 */
export function similarityImage(
  perfChroma: Float32Array,
  perfFrames: number,
  scoreChroma: Float32Array,
  scoreFrames: number,
  width: number,
  height: number,
  hopSeconds: number,
): MatrixImage {
  if (perfChroma.length !== perfFrames * 12 || scoreChroma.length !== scoreFrames * 12) {
    throw new RangeError(
      `similarityImage: expected [frames × 12] chroma, got ${perfChroma.length} values for ${perfFrames} perf frames and ${scoreChroma.length} for ${scoreFrames} score frames`,
    );
  }
  const cols = poolChroma(perfChroma, perfFrames, width);
  const rows = poolChroma(scoreChroma, scoreFrames, height);
  const sim = new Float32Array(width * height);
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let c = 0; c < 12; c++) s += rows[y * 12 + c] * cols[x * 12 + c];
      sim[y * width + x] = s;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
  }
  const pixels = new Uint8Array(width * height);
  const span = hi - lo > 1e-9 ? hi - lo : 1;
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round((255 * (sim[i] - lo)) / span);
  return {
    width,
    height,
    pixels,
    perfSeconds: perfFrames * hopSeconds,
    scoreSeconds: scoreFrames * hopSeconds,
  };
}
