/** The error shape that crosses the process boundary: codes, `IpcError` data, `Result<T>` and `AccordError`. */

/** Error codes that cross the boundary. */
export const ERROR_CODES = [
  'invalid-argument',
  'not-found',
  'file-missing',
  'file-changed',
  'hash-mismatch',
  'cancelled',
  'busy',
  'unsupported',
  'io',
  'internal',
] as const;
/** One of `ERROR_CODES`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as data. */
export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** What every invoke handler returns over the wire: errors are data, never a bare rejection. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

const ERROR_TAG = /\[accord:([a-z-]+)\] ?/;

/**
 * The error the renderer's `window.accord` calls reject with. Electron's contextBridge keeps
 * only an Error's message, so the code travels inside it as `[accord:<code>] ` and
 * `AccordError.from(e)` recovers it on the other side.
 */
export class AccordError extends Error {
  /** Machine-readable cause. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AccordError';
    this.code = code;
  }
  /** The message with the code tag, as thrown across the contextBridge. */
  toWireMessage(): string {
    return `[accord:${this.code}] ${this.message}`;
  }
  /** The data form. */
  toIpcError(): IpcError {
    return { code: this.code, message: this.message };
  }
  /** Any caught value as an AccordError (parses the `[accord:<code>]` tag; unknown → `internal`). */
  static from(e: unknown): AccordError {
    if (e instanceof AccordError) return e;
    if (isIpcError(e)) return new AccordError(e.code, e.message);
    const raw = e instanceof Error ? e.message : String(e);
    const m = ERROR_TAG.exec(raw);
    if (m && (ERROR_CODES as readonly string[]).includes(m[1])) {
      return new AccordError(m[1] as ErrorCode, raw.slice(m.index + m[0].length));
    }
    return new AccordError('internal', raw);
  }
}

function isIpcError(e: unknown): e is IpcError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as IpcError).message === 'string' &&
    (ERROR_CODES as readonly string[]).includes((e as IpcError).code)
  );
}
