/** Why a score could not be loaded. */
export type ScoreLoadErrorCode = 'not-found' | 'unknown-format' | 'corrupt' | 'empty';

/** A score file that could not be turned into a `Score`; the message names the file, what was expected and what came. */
export class ScoreLoadError extends Error {
  /** Machine-readable reason. */
  readonly code: ScoreLoadErrorCode;

  constructor(code: ScoreLoadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScoreLoadError';
    this.code = code;
  }
}
