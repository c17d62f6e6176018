/** Why scanned pages could not be read. Pure: the app and the renderer read the code. */

/** Machine-readable reason a scan could not be read. */
export type ScanErrorCode = 'unsupported-format' | 'decode-failed' | 'no-pages';

/** Pages that could not be read from a file; the message says what was expected and what came. */
export class ScanError extends Error {
  /** Machine-readable reason. */
  readonly code: ScanErrorCode;
  constructor(code: ScanErrorCode, message: string) {
    super(message);
    this.name = 'ScanError';
    this.code = code;
  }
}
