/** Format dispatch for score bytes: MIDI directly, notated formats through verovio (`.mxl` unzipped first). */
import { strFromU8, unzipSync } from 'fflate';
import type { Score } from '../score.js';
import { ScoreLoadError } from './errors.js';
import { parseMidiScore } from './midi.js';
import { parseNotatedScore, type NotatedFormat } from './verovio.js';
import { SCORE_EXTENSIONS } from '../media.js';

/** Lowercase extensions (with dot) per format: the engine's one list, `shared/media.ts`. */
export { SCORE_EXTENSIONS };

/** Extension of a file name, lowercase with the dot (`''` where none). */
export function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** Text of XML/plain bytes: UTF-8, or UTF-16 where a byte-order mark says so. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** The MusicXML text inside a compressed `.mxl` (the rootfile of META-INF/container.xml, else the first .xml/.musicxml). */
export function unzipMxl(bytes: Uint8Array, name: string): string {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new ScoreLoadError(
      'corrupt',
      `${name}: expected a compressed MusicXML (.mxl) zip archive, it could not be unzipped: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const container = files['META-INF/container.xml'];
  const rootPath = container
    ? /<rootfile\b[^>]*\bfull-path="([^"]+)"/.exec(strFromU8(container))?.[1]
    : undefined;
  const path =
    (rootPath !== undefined && files[rootPath] ? rootPath : undefined) ??
    Object.keys(files).find((p) => !p.startsWith('META-INF/') && /\.(musicxml|xml)$/i.test(p));
  if (path === undefined) {
    throw new ScoreLoadError(
      'corrupt',
      `${name}: expected a MusicXML file inside the .mxl archive, found ${Object.keys(files).join(', ') || 'nothing'}`,
    );
  }
  return decodeText(files[path]);
}

/** A parsed score and, for MusicXML sources, the MusicXML text. */
export interface ParsedScore {
  score: Score;
  musicxml?: string;
}

/** What a score file holds: MIDI, or the text of a notated format verovio reads. */
export type ScoreSource = { format: 'midi' } | { format: NotatedFormat; text: string };

/** The format and, for notated scores, the text of score bytes, by the extension of `fileName`; throws `ScoreLoadError`. */
export function readScoreSource(bytes: Uint8Array, fileName: string): ScoreSource {
  const ext = extensionOf(fileName);
  let format = SCORE_EXTENSIONS[ext];
  if (format === undefined) {
    throw new ScoreLoadError(
      'unknown-format',
      `${fileName}: expected a score file (${Object.keys(SCORE_EXTENSIONS).join(', ')}), found extension '${ext || '(none)'}'`,
    );
  }
  if (bytes.length === 0)
    throw new ScoreLoadError('empty', `${fileName}: expected a ${format} score, the file is empty (0 bytes)`);
  if (format === 'midi') return { format };
  const text = ext === '.mxl' ? unzipMxl(bytes, fileName) : decodeText(bytes);
  // A `.xml` file may hold MEI as well as MusicXML.
  if (ext === '.xml' && /<mei[\s>]/.test(text) && !/<score-(partwise|timewise)\b/.test(text)) format = 'mei';
  if (format === 'musicxml' && !/<score-(partwise|timewise)\b/.test(text)) {
    const root = /<([A-Za-z][\w:-]*)/.exec(
      text.replace(/<\?[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ''),
    )?.[1];
    throw new ScoreLoadError(
      'corrupt',
      `${fileName}: expected MusicXML (a <score-partwise> or <score-timewise> root), found ${root ? `<${root}>` : 'no XML element'}`,
    );
  }
  const rootClose = /<\/score-(partwise|timewise)>\s*$/;
  if (format === 'musicxml' && !rootClose.test(text)) {
    throw new ScoreLoadError(
      'corrupt',
      `${fileName}: expected MusicXML ending with </score-partwise> or </score-timewise>, the text ends with '${text.trimEnd().slice(-40)}' (truncated?)`,
    );
  }
  return { format, text };
}

/** Parses score bytes by the extension of `fileName`; throws `ScoreLoadError`. */
export async function parseScoreBytes(bytes: Uint8Array, fileName: string): Promise<ParsedScore> {
  const source = readScoreSource(bytes, fileName);
  if (source.format === 'midi') return { score: parseMidiScore(bytes, fileName) };
  const { score } = await parseNotatedScore(source.text, source.format, fileName);
  return source.format === 'musicxml' ? { score, musicxml: source.text } : { score };
}
