/**
 * Any thrown value as the boundary's error data: the one mapping of the IPC handlers, the jobs
 * and the worker threads, so a failure reads the same whichever of them met it. Light on
 * purpose (no database driver, no decoder): the worker threads load it.
 */
import { AccordError, type ErrorCode, type IpcError } from '../../shared/ipc.js';
import { ScoreLoadError } from '../../shared/scoreio/errors.js';
import type { AudioDecodeError } from '../engine/audio.js';

/** Whether `err` is SQLite's "database is busy/locked" (another connection holds the lock). */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** The boundary code of an engine or Node error, undefined for anything else. */
function codeOf(err: Error): ErrorCode | undefined {
  if (err.name === 'AudioDecodeError') {
    const code = (err as AudioDecodeError).code;
    return code === 'not-found' ? 'file-missing' : code === 'unreadable' ? 'io' : 'unsupported';
  }
  if (err instanceof ScoreLoadError) return err.code === 'not-found' ? 'file-missing' : 'unsupported';
  if (err.name === 'AlignInputError') return 'unsupported';
  if (err.name === 'AbortError') return 'cancelled';
  const errno = (err as NodeJS.ErrnoException).code;
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return 'file-missing';
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return 'io';
  if (err.name === 'OutputError') return 'io';
  if (err.name === 'FormatError' || err.name === 'RangeError') return 'invalid-argument';
  return undefined;
}

/**
 * Any thrown value as error data: once `signal` is aborted, its reason when that is an
 * `AccordError` (a superseded edit says so), else `cancelled`, whatever was thrown; an
 * `AccordError` as it is; SQLite's busy/locked and a held database file `busy`; a missing file
 * (decoder, score loader or Node) `file-missing`; other Node file errors and output errors `io`;
 * a file that decodes to nothing usable or a recording that cannot be aligned `unsupported`;
 * malformed import data `invalid-argument`; the rest by their `[accord:<code>]` tag, else
 * `internal`. The message is the error's own.
 */
export function toIpcError(err: unknown, signal?: AbortSignal): IpcError {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof AccordError
      ? reason.toIpcError()
      : { code: 'cancelled', message: 'the job was cancelled' };
  }
  if (err instanceof AccordError) return err.toIpcError();
  if (isBusy(err) || (err instanceof Error && err.name === 'DatabaseLockedError'))
    return {
      code: 'busy',
      message: `the project database is busy (open in another window or process): ${(err as Error).message}`,
    };
  const code = err instanceof Error ? codeOf(err) : undefined;
  if (code) return { code, message: (err as Error).message };
  return AccordError.from(err).toIpcError();
}
