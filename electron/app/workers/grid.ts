/** Paths moved onto a feature grid (re-alignment needs one path frame per feature frame). */
import type { AlignmentPath } from '../../../shared/path.js';
import { scoreTimeAt } from '../../../shared/path.js';

/**
 * `path` resampled onto `frames` frames of `hopSeconds` (re-alignment needs one path frame per
 * feature frame); returned as is when it already fits.
 */
export function pathOnGrid(path: AlignmentPath, frames: number, hopSeconds: number): AlignmentPath {
  if (path.scoreTime.length === frames && Math.abs(path.hopSeconds - hopSeconds) < 1e-12) return path;
  const n = path.scoreTime.length;
  const scoreTime = new Float64Array(frames);
  const confidence = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const t = f * hopSeconds;
    scoreTime[f] = scoreTimeAt(path, t);
    confidence[f] = n ? path.confidence[Math.min(n - 1, Math.max(0, Math.round(t / path.hopSeconds)))] : 0;
  }
  const jumpFrames = [
    ...new Set(
      path.jumpFrames
        .map((j) => Math.round((j * path.hopSeconds) / hopSeconds))
        .filter((j) => j > 0 && j < frames),
    ),
  ].sort((a, b) => a - b);
  const out: AlignmentPath = { hopSeconds, scoreTime, confidence, jumpFrames, method: path.method };
  if (path.modelVersion) out.modelVersion = path.modelVersion;
  return out;
}
