/** Test helper for edits: wait for the re-alignment job an edit started. */
import type { AlignmentRecord, EditOutcome } from '../../shared/ipc.js';
import type { AlignmentPath } from '../../shared/path.js';
import { HOP_SECONDS } from '../../shared/dsp/params.js';
import type { AppServices } from './ipc/handle.js';

/**
 * The version the re-alignment job of `out` stored (waits for the job; throws with its error), or
 * the outcome's alignment when the edit started no job.
 */
export async function realigned(s: AppServices, out: EditOutcome): Promise<AlignmentRecord | null> {
  if (!out.jobId) return out.alignment;
  const o = await s.jobs.outcome(out.jobId);
  if (!o) throw new Error(`job ${out.jobId}: expected a job this service ran, got an unknown id`);
  if (!o.ok) throw new Error(`job ${out.jobId} failed: ${o.error.code} ${o.error.message}`);
  return s.projects.getAlignment(o.value.alignmentId);
}

/** A straight path (score time = performance time) over `seconds`. */
export function diagonal(seconds: number): AlignmentPath {
  const frames = Math.floor(seconds / HOP_SECONDS) + 1;
  const scoreTime = new Float64Array(frames);
  for (let f = 0; f < frames; f++) scoreTime[f] = f * HOP_SECONDS;
  return {
    hopSeconds: HOP_SECONDS,
    scoreTime,
    confidence: new Float32Array(frames).fill(0.5),
    jumpFrames: [],
    method: 'dtw',
  };
}
