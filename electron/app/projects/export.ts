/** Writing a project's alignment in one of the export formats. */
import { AccordError, type ExportFormat } from '../../../shared/ipc.js';
import { exportAlignment as writeFormat } from '../../../shared/formats/index.js';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import type { Db } from '../db/database.js';
import type { ScoreCache } from './cache.js';
import { projectRow, scoreBytes } from './store.js';
import { getAlignment, listAlignments } from './versions.js';

/** Writes an alignment of project `id` (latest, or `alignmentId`) in `format` to `destPath` atomically. */
export async function exportAlignment(
  db: Db,
  scores: ScoreCache,
  id: number,
  format: ExportFormat,
  destPath: string,
  alignmentId?: number,
): Promise<{ path: string; bytes: number }> {
  const row = projectRow(db, id);
  let aid = alignmentId;
  if (aid === undefined) {
    const latest = listAlignments(db, id)[0];
    if (!latest)
      throw new AccordError('not-found', `project ${id} has no alignment to export: run the alignment first`);
    aid = latest.id;
  }
  const alignment = getAlignment(db, aid);
  if (alignment.projectId !== id)
    throw new AccordError(
      'invalid-argument',
      `alignment ${aid} belongs to project ${alignment.projectId}, expected one of project ${id}`,
    );
  const { name, bytes } = scoreBytes(db, id);
  const score = await scores.get(row.score_sha256, bytes, name);
  const data = writeFormat(format, alignment.path, score.score, {
    audio: { name: row.rec_name, sha256: row.rec_sha256 },
    score: { name: row.score_name, sha256: row.score_sha256 },
  });
  await writeFileAtomic(destPath, data);
  return { path: destPath, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
}
