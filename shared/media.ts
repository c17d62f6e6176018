/** File extensions the engine reads: one list for the decoder, the score loader, the editor and `accord batch`. */
import type { ScoreFormat } from './score.js';

/** Audio file extensions accepted (lower case, with dot). */
export const AUDIO_EXTENSIONS: readonly string[] = [
  '.wav',
  '.wave',
  '.flac',
  '.mp3',
  '.ogg',
  '.oga',
  '.opus',
];

/** Score file extensions (lower case, with dot) and the format each is read as. */
export const SCORE_EXTENSIONS: Readonly<Record<string, ScoreFormat>> = {
  '.mid': 'midi',
  '.midi': 'midi',
  '.smf': 'midi',
  '.musicxml': 'musicxml',
  '.xml': 'musicxml',
  '.mxl': 'musicxml',
  '.mei': 'mei',
  '.krn': 'kern',
  '.abc': 'abc',
};
