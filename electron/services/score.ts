/** Loads score files (MIDI now; notated formats through verovio) into the engine's `Score`. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Score } from '../../shared/score.js';
import { ScoreLoadError } from '../../shared/scoreio/errors.js';
import { parseMidiScore } from '../../shared/scoreio/midi.js';

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

/** File extensions (lowercase, with dot) that `loadScore` accepts. */
export const SCORE_EXTENSIONS = ['.mid', '.midi', '.smf'] as const;

/** Loads a score file, dispatching on its extension; throws `ScoreLoadError`. */
export async function loadScore(path: string): Promise<LoadedScore> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ScoreLoadError('not-found', `${path}: expected a score file, found nothing at that path`, { cause: err });
    }
    throw new ScoreLoadError('not-found', `${path}: expected a readable score file, reading failed (${code ?? (err as Error).message})`, { cause: err });
  }
  return loadScoreBytes(bytes, path);
}

/** Parses score bytes; `fileName` picks the format by extension and names the file in errors. */
export async function loadScoreBytes(bytes: Uint8Array, fileName: string): Promise<LoadedScore> {
  const ext = extname(fileName).toLowerCase();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  switch (ext) {
    case '.mid':
    case '.midi':
    case '.smf':
      return { score: parseMidiScore(bytes, basename(fileName)), sha256, bytes };
    default:
      throw new ScoreLoadError(
        'unknown-format',
        `${fileName}: expected a score file with extension ${SCORE_EXTENSIONS.join(', ')}, found '${ext || '(none)'}'`,
      );
  }
}
