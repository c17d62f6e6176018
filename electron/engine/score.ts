/** Loads score files (MIDI; MusicXML, MEI, Humdrum, ABC through verovio) into the engine's `Score`. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Score } from '../../shared/score.js';
import { ScoreLoadError } from '../../shared/scoreio/errors.js';
import { parseScoreBytes } from '../../shared/scoreio/load.js';

export { ScoreLoadError } from '../../shared/scoreio/errors.js';
export type { ScoreLoadErrorCode } from '../../shared/scoreio/errors.js';

/** A loaded score with its source. */
export interface LoadedScore {
  /** The parsed score. */
  score: Score;
  /** sha256 of the original bytes, lowercase hex. */
  sha256: string;
  /** MusicXML text when the source is notated (for the editor's sheet view), else undefined. */
  musicxml?: string;
  /** Original bytes. */
  bytes: Uint8Array;
}

export { SCORE_EXTENSIONS } from '../../shared/scoreio/load.js';

/** Loads a score file, dispatching on its extension; throws `ScoreLoadError`. */
export async function loadScore(path: string): Promise<LoadedScore> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ScoreLoadError('not-found', `${path}: expected a score file, found nothing at that path`, {
        cause: err,
      });
    }
    throw new ScoreLoadError(
      'not-found',
      `${path}: expected a readable score file, reading failed (${code ?? (err as Error).message})`,
      { cause: err },
    );
  }
  return loadScoreBytes(bytes, path);
}

/** Parses score bytes; `fileName` picks the format by extension and names the file in errors. */
export async function loadScoreBytes(bytes: Uint8Array, fileName: string): Promise<LoadedScore> {
  const { score, musicxml } = await parseScoreBytes(bytes, fileName);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { score, sha256, bytes, ...(musicxml !== undefined ? { musicxml } : {}) };
}
