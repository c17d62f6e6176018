/** Waveform peaks for the editor: computed once from decoded audio, cached, pooled to any coarser rate. */

/** Rate (peaks per second) computed when a recording is imported and cached in the database. */
export const BASE_PEAKS_PER_SECOND = 100;

/** Number of peaks covering `durationSeconds` at `pointsPerSecond`. */
export function peaksLength(durationSeconds: number, pointsPerSecond: number): number {
  return Math.max(1, Math.ceil(durationSeconds * pointsPerSecond - 1e-9));
}

/** [peaksLength] max |sample| per bucket of mono `samples` at `sampleRate`, clamped to 0..1. */
export function computePeaks(
  samples: Float32Array,
  sampleRate: number,
  pointsPerSecond: number,
): Float32Array {
  if (!(sampleRate > 0)) throw new RangeError(`computePeaks: expected sampleRate > 0, got ${sampleRate}`);
  if (!(pointsPerSecond > 0))
    throw new RangeError(`computePeaks: expected pointsPerSecond > 0, got ${pointsPerSecond}`);
  const n = peaksLength(samples.length / sampleRate, pointsPerSecond);
  const out = new Float32Array(n);
  const perBucket = sampleRate / pointsPerSecond;
  for (let b = 0; b < n; b++) {
    const start = Math.floor(b * perBucket);
    const end = Math.min(samples.length, Math.floor((b + 1) * perBucket));
    let m = 0;
    for (let i = start; i < end; i++) {
      const v = Math.abs(samples[i]);
      if (v > m) m = v;
    }
    out[b] = m > 1 ? 1 : m;
  }
  return out;
}

/** Max-pools peaks at `fromPps` to a coarser `toPps` (≤ fromPps) over `durationSeconds`. */
export function poolPeaks(
  peaks: Float32Array,
  fromPps: number,
  toPps: number,
  durationSeconds: number,
): Float32Array {
  if (toPps > fromPps) throw new RangeError(`poolPeaks: expected a target rate ≤ ${fromPps}, got ${toPps}`);
  const n = peaksLength(durationSeconds, toPps);
  const out = new Float32Array(n);
  const ratio = fromPps / toPps;
  for (let b = 0; b < n; b++) {
    const start = Math.floor(b * ratio);
    const end = Math.min(peaks.length, Math.max(start + 1, Math.floor((b + 1) * ratio)));
    let m = 0;
    for (let i = start; i < end; i++) if (peaks[i] > m) m = peaks[i];
    out[b] = m;
  }
  return out;
}
