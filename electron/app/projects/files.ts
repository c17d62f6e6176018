/** The recording on disk: its extension, its hash, and whether it is still the file the project was made with. */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { extname } from 'node:path';
import { AccordError } from '../../../shared/ipc.js';
import { AUDIO_EXTENSIONS } from '../../engine/audio.js';
import type { ProjectRow } from './store.js';

/** Hex sha256 of a file, streamed (no whole-file buffer on the main thread). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Throws `unsupported` unless `path` has an audio extension the decoder reads. */
export function checkAudioExtension(path: string): void {
  const ext = extname(path).toLowerCase();
  if (!AUDIO_EXTENSIONS.includes(ext)) {
    throw new AccordError(
      'unsupported',
      `recording ${path}: expected one of ${AUDIO_EXTENSIONS.join(', ')}, got '${ext || '(no extension)'}'`,
    );
  }
}

/**
 * Whether the recording on disk is still the stored one: same size and mtime → yes; otherwise
 * re-hash, and an equal hash calls `onSameBytes` with the new mtime. Missing or different bytes
 * (or any failure on the way) → no.
 */
export async function recordingUnchanged(
  row: ProjectRow,
  onSameBytes: (mtimeMs: number) => void,
): Promise<boolean> {
  let ok: boolean;
  try {
    const st = await fs.stat(row.rec_path);
    if (!st.isFile()) ok = false;
    else if (st.size === row.size_bytes && st.mtimeMs === row.mtime_ms) ok = true;
    else if (st.size !== row.size_bytes) ok = false;
    else {
      ok = (await sha256File(row.rec_path)) === row.rec_sha256;
      if (ok) onSameBytes(st.mtimeMs);
    }
  } catch {
    ok = false;
  }
  return ok;
}

/** The `file-changed` error of a recording that now hashes to `sha256`. */
export function recordingChangedError(row: ProjectRow, sha256: string): AccordError {
  return new AccordError(
    'file-changed',
    `recording ${row.rec_path}: expected sha256 ${row.rec_sha256.slice(0, 12)}…, the file now hashes to ${sha256.slice(0, 12)}…: relink it`,
  );
}
