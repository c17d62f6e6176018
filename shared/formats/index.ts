/**
 * Alignment export and import: one entry point for the CLI and the app. Pure: strings and
 * bytes in and out, no file access.
 */
import type { AlignmentPath } from '../path.js';
import type { Score } from '../score.js';
import type { ExportFormat, ExportMeta, ImportFormat } from './common.js';
import { readAsap, writeAsap } from './asap.js';
import { readCsv, writeCsv } from './csv.js';
import { readJson, writeJson } from './json.js';
import { writeAudacity, writeSvl } from './labels.js';
import { writeMidi } from './midi.js';

export type { ExportFormat, ExportMeta, ImportFormat, InputRef } from './common.js';
export { FormatError } from './common.js';

/** What each export format is (`label`, and `short` for narrow menus) and the file name ending it is saved with. */
export const EXPORT_FORMATS: Record<
  ExportFormat,
  { label: string; short: string; extension: string; binary: boolean; importable: boolean }
> = {
  csv: {
    label: 'Alignment CSV (perf_time, score_time)',
    short: 'CSV',
    extension: '.csv',
    binary: false,
    importable: true,
  },
  json: {
    label: 'Accord alignment JSON',
    short: 'JSON',
    extension: '.alignment.json',
    binary: false,
    importable: true,
  },
  asap: {
    label: 'ASAP beat annotations',
    short: 'ASAP beats',
    extension: '_annotations.txt',
    binary: false,
    importable: true,
  },
  audacity: {
    label: 'Audacity label track (bar.beat)',
    short: 'Audacity labels',
    extension: '.labels.txt',
    binary: false,
    importable: false,
  },
  svl: {
    label: 'Sonic Visualiser time instants CSV',
    short: 'Sonic Visualiser',
    extension: '.instants.csv',
    binary: false,
    importable: false,
  },
  midi: {
    label: 'Score MIDI re-timed to the performance',
    short: 'Re-timed MIDI',
    extension: '.mid',
    binary: true,
    importable: false,
  },
};

/** Formats `importAlignment` reads. */
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'json', 'asap'];

/**
 * The format a file name denotes (longest matching ending wins; `.txt` is read as ASAP,
 * whose reader also takes Audacity `bar.beat` labels), or undefined.
 */
export function formatFromFileName(name: string): ExportFormat | undefined {
  const lower = name.toLowerCase();
  const endings: [string, ExportFormat][] = [
    ...Object.entries(EXPORT_FORMATS).map(
      ([f, d]) => [d.extension, f as ExportFormat] as [string, ExportFormat],
    ),
    ['.json', 'json'],
    ['.midi', 'midi'],
    ['.txt', 'asap'],
  ];
  endings.sort((a, b) => b[0].length - a[0].length);
  return endings.find(([ending]) => lower.endsWith(ending))?.[1];
}

/** Writes `path` (for `score`) in `format`: text, or bytes for `midi`. */
export function exportAlignment(
  format: ExportFormat,
  path: AlignmentPath,
  score: Score,
  meta: ExportMeta,
): string | Uint8Array {
  switch (format) {
    case 'csv':
      return writeCsv(path);
    case 'json':
      return writeJson(path, score, meta);
    case 'asap':
      return writeAsap(path, score);
    case 'audacity':
      return writeAudacity(path, score);
    case 'svl':
      return writeSvl(path, score);
    case 'midi':
      return writeMidi(path, score);
    default:
      throw new Error(
        `expected one of ${Object.keys(EXPORT_FORMATS).join(', ')}, got format "${String(format)}"`,
      );
  }
}

/** Options of `importAlignment`. */
export interface ImportOptions {
  /** ASAP only: the score's own beat annotations (`midi_score_annotations.txt`), paired line by line. */
  scoreAnnotations?: string;
}

/** Reads an alignment in `format` into a dense path at `hopSeconds` (`score` maps ASAP beats to score times). */
export function importAlignment(
  format: ImportFormat,
  data: string,
  score: Score,
  hopSeconds: number,
  options: ImportOptions = {},
): AlignmentPath {
  switch (format) {
    case 'csv':
      return readCsv(data, hopSeconds);
    case 'json':
      return readJson(data, hopSeconds);
    case 'asap':
      return readAsap(data, score, hopSeconds, options.scoreAnnotations);
    default:
      throw new Error(`expected one of ${IMPORT_FORMATS.join(', ')}, got format "${String(format)}"`);
  }
}
