/** Test helper for edits: wait for the re-alignment job an edit started. */
import type { AlignmentRecord, EditOutcome } from '../../shared/ipc.js';
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
