/** Writing an alignment result to a file in one of the export formats (atomically). */
import path from 'node:path';
import {
  EXPORT_FORMATS,
  exportAlignment,
  formatFromFileName,
  type ExportFormat,
} from '../../../shared/formats/index.js';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import type { AlignResult } from '../../engine/pipeline.js';

/** Output formats of the CLI. */
export type OutputFormat = ExportFormat;

/** Format names accepted by `--format`. */
export const FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as OutputFormat[];

/** File name ending per format. */
export const FORMAT_EXTENSION: Record<OutputFormat, string> = Object.fromEntries(
  FORMAT_NAMES.map((f) => [f, EXPORT_FORMATS[f].extension]),
) as Record<OutputFormat, string>;

/** The format: `--format` if given (validated), else from the output's name. */
export function resolveFormat(outPath: string, explicit: string | undefined): OutputFormat {
  if (explicit !== undefined) {
    if (!(FORMAT_NAMES as string[]).includes(explicit)) {
      throw new Error(`--format: expected one of ${FORMAT_NAMES.join(', ')}, got '${explicit}'`);
    }
    return explicit as OutputFormat;
  }
  const f = formatFromFileName(outPath);
  if (!f) {
    throw new Error(
      `${outPath}: cannot tell the format from the file name (expected an ending such as .csv, .json, .mid, _annotations.txt) — give --format`,
    );
  }
  return f;
}

/** Writes `result` to `outPath` in `format`, atomically. */
export async function writeAlignment(
  outPath: string,
  format: OutputFormat,
  result: Pick<AlignResult, 'path' | 'score' | 'audio'>,
  inputs: { audioPath: string; scorePath: string },
): Promise<void> {
  const data = exportAlignment(format, result.path, result.score.score, {
    audio: { name: path.basename(inputs.audioPath), sha256: result.audio.sha256 },
    score: { name: path.basename(inputs.scorePath), sha256: result.score.sha256 },
  });
  await writeFileAtomic(outPath, data);
}
