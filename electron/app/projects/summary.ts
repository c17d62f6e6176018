/** A project as the list shows it: status and the fraction of the recording checked. */
import type { ProjectStatus, ProjectSummary } from '../../../shared/ipc.js';
import type { EditOp, RegionMark } from '../../../shared/edit/index.js';
import { apply as applyEdit, emptyCorrections } from '../../../shared/edit/index.js';
import type { Db } from '../db/database.js';
import { type ProjectRow, appliedEditOps, reviewMarks } from './store.js';

/** Fraction of [0, duration] covered by the union of `ranges`. */
export function coveredFraction(
  ranges: { perf_start: number; perf_end: number }[],
  durationSeconds: number,
): number {
  if (!(durationSeconds > 0)) return 0;
  const sorted = ranges
    .map((r) => [Math.max(0, r.perf_start), Math.min(durationSeconds, r.perf_end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = -1;
  let curB = -1;
  for (const [a, b] of sorted) {
    if (a > curB) {
      total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  total += curB - curA;
  return Math.min(1, total / durationSeconds);
}

function projectStatus(row: ProjectRow, aligning: boolean): ProjectStatus {
  if (!row.available) return 'needs-relink';
  if (aligning) return 'aligning';
  if (row.latest_kind === 'edited') return 'edited';
  if (row.latest_kind === 'reviewed') return 'reviewed';
  if (row.latest_kind) return 'aligned';
  return row.last_error ? 'failed' : 'new';
}

/** `checked` regions of the corrections the edit log has applied. */
function checkedRegions(db: Db, id: number): RegionMark[] {
  const rows = appliedEditOps(db, id);
  if (rows.length === 0) return [];
  let c = emptyCorrections();
  for (const r of rows) c = applyEdit(c, JSON.parse(r.op) as EditOp);
  return c.regions.filter((x) => x.kind === 'checked');
}

/** The list's summary of project `row` (`aligning`: a job of it is running). */
export function projectSummary(db: Db, row: ProjectRow, aligning: boolean): ProjectSummary {
  const marks = reviewMarks(db, row.id);
  let checked: RegionMark[] = [];
  try {
    checked = checkedRegions(db, row.id);
  } catch {
    // A damaged edit log counts no checked regions here, so the list still shows every
    // project; opening this one (`corrections:get`) reports the damage with its entry.
    checked = [];
  }
  for (const r of checked) marks.push({ perf_start: r.perfStart, perf_end: r.perfEnd });
  return {
    id: row.id,
    title: row.title,
    scoreName: row.score_name,
    recordingName: row.rec_name,
    durationSeconds: row.duration_seconds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: projectStatus(row, aligning),
    checkedFraction: coveredFraction(marks, row.duration_seconds),
  };
}
