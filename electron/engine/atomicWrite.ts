/**
 * Atomic file writes: a temporary file in the destination folder, flushed to disk, then a rename,
 * then the folder flushed, so that after a crash or power loss the file is the old one or the
 * whole new one.
 */
// The default import (not named ones) so that tests can watch the fsync and rename calls.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Error for a destination that cannot be written (missing folder, not a folder, no permission). */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** Names of the writers' temporary files: `.<file name>.<12 hex digits>.tmp`. */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** A fresh temporary path beside `dest` (in folder `dir`), named as `TEMP_NAME` matches. */
function tempPath(dir: string, dest: string): string {
  return path.join(dir, `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Whether an fsync error only says that this file system cannot flush folders. */
function cannotSyncFolders(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
}

/** Flushes a folder's entries (a rename) to disk. */
async function syncFolder(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS makes the rename durable on its own.
  if (process.platform === 'win32') return;
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    if (!cannotSyncFolders(err)) throw err;
  } finally {
    await fh.close();
  }
}

/** `syncFolder` for synchronous callers. */
function syncFolderSync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    if (!cannotSyncFolders(err)) throw err;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `data` to `dest` atomically and durably: readers see the old file or the whole new one,
 * never a half-written file, the data is on disk before the rename and the rename after it, and a
 * failed write leaves nothing behind. The folder must exist.
 */
export async function writeFileAtomic(dest: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(dest));
  const st = await fs.promises.stat(dir).catch(() => null);
  if (!st)
    throw new OutputError(`${dest}: the output folder ${dir} does not exist (expected an existing folder)`);
  if (!st.isDirectory()) throw new OutputError(`${dest}: ${dir} is not a folder`);
  const tmp = tempPath(dir, dest);
  try {
    const fh = await fs.promises.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, dest);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw new OutputError(`${dest}: could not write (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    await syncFolder(dir);
  } catch (err) {
    throw new OutputError(
      `${dest}: written, but the folder ${dir} could not be flushed to disk (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/**
 * `writeFileAtomic` for synchronous scripts (the evaluation and training tools): the same
 * temporary file, fsyncs and rename, leaving nothing behind on failure. The folder must exist.
 */
export function writeFileAtomicSync(dest: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(dest));
  const tmp = tempPath(dir, dest);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncFolderSync(dir);
}

/**
 * Removes the temporary files that killed writes of `writeFileAtomic` left in `dir` (not its
 * subfolders): files named as the writers name them and last modified more than `olderThanMs`
 * ago, so that writes still in flight are left alone. A missing folder has none. Resolves to the
 * removed paths.
 */
export async function removeStaleTempFiles(dir: string, olderThanMs = 60_000): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  });
  const cutoff = Date.now() - olderThanMs;
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !TEMP_NAME.test(e.name)) continue;
    const file = path.join(dir, e.name);
    const st = await fs.promises.lstat(file).catch((err: unknown) => {
      // Another cleaner (a second batch on the same folder) may have removed it meanwhile.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    });
    if (!st || st.mtimeMs >= cutoff) continue;
    await fs.promises.rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}
