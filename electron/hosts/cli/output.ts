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
import {
  engraveLoadedScore,
  writePagesExport,
  writeScanPagesExport,
  type PageImageFormat,
} from '../../engine/pages.js';

/** Output formats of the CLI: the alignment formats, and `pages` (page images + measure boxes with times). */
export type OutputFormat = ExportFormat | 'pages';

/** Format names accepted by `--format`. */
export const FORMAT_NAMES = [...(Object.keys(EXPORT_FORMATS) as ExportFormat[]), 'pages'] as OutputFormat[];

/** File name ending per format. */
export const FORMAT_EXTENSION: Record<OutputFormat, string> = {
  ...(Object.fromEntries(Object.entries(EXPORT_FORMATS).map(([f, d]) => [f, d.extension])) as Record<
    ExportFormat,
    string
  >),
  pages: '.pages.json',
};

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

/** Options of `writeAlignment`. */
export interface WriteOptions {
  /** `pages` only: the page images' format (default png). */
  pageFormat?: PageImageFormat;
  /** `pages` only: scanned pages of the score (PNG, JPEG, PDF files in page order) instead of engraving it. */
  scan?: readonly string[];
  /** Called with each warning of the scan's detection and linking. */
  onWarning?: (message: string) => void;
}

/** Writes `result` to `outPath` in `format`, atomically (`pages`: the page images beside it, then the JSON). */
export async function writeAlignment(
  outPath: string,
  format: OutputFormat,
  result: Pick<AlignResult, 'path' | 'score' | 'audio'>,
  inputs: { audioPath: string; scorePath: string },
  options: WriteOptions = {},
): Promise<void> {
  const meta = {
    audio: { name: path.basename(inputs.audioPath), sha256: result.audio.sha256 },
    score: { name: path.basename(inputs.scorePath), sha256: result.score.sha256 },
  };
  if (format === 'pages' && options.scan && options.scan.length > 0) {
    const { warnings } = await writeScanPagesExport(
      outPath,
      options.scan,
      { path: result.path, score: result.score.score },
      meta,
    );
    for (const w of warnings) options.onWarning?.(w);
    return;
  }
  if (format === 'pages') {
    const engraving = await engraveLoadedScore(result.score, inputs.scorePath);
    await writePagesExport(
      outPath,
      options.pageFormat ?? 'png',
      engraving,
      { path: result.path, score: result.score.score },
      meta,
    );
    return;
  }
  await writeFileAtomic(outPath, exportAlignment(format, result.path, result.score.score, meta));
}
