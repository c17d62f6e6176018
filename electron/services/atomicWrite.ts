/** Atomic file writes: a temporary file in the destination folder, then a rename. */
import { promises as fs, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Error for a destination that cannot be written (missing folder, not a folder, no permission). */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * Writes `data` to `dest` atomically: readers see the old file or the whole new one, never a
 * half-written file, and a failed write leaves nothing behind. The folder must exist.
 */
export async function writeFileAtomic(dest: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(dest));
  const st = await fs.stat(dir).catch(() => null);
  if (!st)
    throw new OutputError(`${dest}: the output folder ${dir} does not exist (expected an existing folder)`);
  if (!st.isDirectory()) throw new OutputError(`${dest}: ${dir} is not a folder`);
  const tmp = path.join(dir, `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new OutputError(`${dest}: could not write (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * `writeFileAtomic` for synchronous scripts (the evaluation and training tools): the same
 * temporary file and rename, leaving nothing behind on failure. The folder must exist.
 */
export function writeFileAtomicSync(dest: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(dest));
  const tmp = path.join(dir, `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
