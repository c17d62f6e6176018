/**
 * The `accord` command line: `align` one recording with its score, or `batch` many.
 * Thin: argument parsing and reporting; the work is the engine's `align` and `shared/formats`.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { packageVersion } from '../../engine/repoRoot.js';
import {
  align,
  releaseModels,
  ENGINE_METHODS,
  type EngineMethod,
  type Stage,
} from '../../engine/pipeline.js';
import { writeAlignment, resolveFormat, FORMAT_NAMES } from './output.js';
import { PAGE_IMAGE_FORMATS, assertEngravable, type PageImageFormat } from '../../engine/pages.js';
import { scanFileType } from '../../engine/scan.js';

const USAGE = `Usage:
  accord align <performance audio> <score> -o <out> [--format ${FORMAT_NAMES.join('|')}]
               [--method ${ENGINE_METHODS.join('|')}] [--progress] [--threads N] [--page-format png|svg]
               [--scan <pages.pdf|page.png|page.jpg> ...]
  accord batch <manifest.csv|folder> -o <out dir> [--jobs N] [--shard i/n] [--format F] [--method M]
  accord --help | --version

Audio: wav, flac, mp3, ogg. Scores: MIDI (.mid), MusicXML (.musicxml, .xml, .mxl), MEI, Humdrum (.krn), ABC.
The CSV output (perf_time,score_time) is one row per ~23 ms frame, in seconds.
--format pages (notated scores only) writes the engraved pages beside <out> (<out>.page-N.png, or .svg with
--page-format svg) and, in <out>, each measure's box on its page with the times each pass plays it.
With --scan (repeatable, pages in order) the pages are those of a scanned score (PNG, JPEG or PDF) instead:
their measures are found and linked to the score's (MIDI or notated), and written as <out>.page-N.png.
--threads N: threads for the note network and the structure search (default: the machine's cores).`;

/** Error for a bad command line. */
class UsageError extends Error {}

function version(): string {
  return packageVersion() ?? 'unknown';
}

function positiveInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name}: expected a positive integer, got '${v}'`);
  return n;
}

function method(v: string | undefined): EngineMethod {
  const m = v ?? 'auto';
  if (!(ENGINE_METHODS as readonly string[]).includes(m)) {
    throw new UsageError(`--method: expected one of ${ENGINE_METHODS.join(', ')}, got '${m}'`);
  }
  return m as EngineMethod;
}

function fmtDuration(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s - 60 * m)).padStart(2, '0')}`;
}

async function cmdAlign(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      method: { type: 'string', short: 'm' },
      progress: { type: 'boolean' },
      threads: { type: 'string' },
      'page-format': { type: 'string' },
      scan: { type: 'string', multiple: true },
    },
  });
  if (positionals.length !== 2) {
    throw new UsageError(
      `align: expected <performance audio> <score>, got ${positionals.length} file argument(s)`,
    );
  }
  if (!values.output) throw new UsageError('align: expected -o <out>');
  const [audioPath, scorePath] = positionals;
  const format = resolveFormat(values.output, values.format);
  const threads = positiveInt(values.threads, 'threads', availableParallelism());
  const m = method(values.method);
  const pageFormat = values['page-format'];
  if (pageFormat !== undefined && format !== 'pages')
    throw new UsageError(`--page-format: only with --format pages, the format is ${format}`);
  if (pageFormat !== undefined && !(PAGE_IMAGE_FORMATS as readonly string[]).includes(pageFormat))
    throw new UsageError(
      `--page-format: expected one of ${PAGE_IMAGE_FORMATS.join(', ')}, got '${pageFormat}'`,
    );
  const scan = values.scan ?? [];
  if (scan.length > 0 && format !== 'pages')
    throw new UsageError(`--scan: only with --format pages, the format is ${format}`);
  if (scan.length > 0 && pageFormat !== undefined)
    throw new UsageError('--page-format: not with --scan (the scanned pages are written as PNG)');
  for (const f of scan) {
    if (!existsSync(f)) throw new UsageError(`--scan: ${f} does not exist`);
    if (!statSync(f).isFile()) throw new UsageError(`--scan: ${f} is not a file`);
    // Refused before aligning: the page files are read after the alignment. The head is what
    // `scanFileType` reads (a PDF's header may lie within its first 1024 bytes).
    const head = new Uint8Array(1024);
    const fd = openSync(f, 'r');
    let n = 0;
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    if (!scanFileType(head.subarray(0, n)))
      throw new UsageError(`--scan: ${path.basename(f)}: expected a PNG, JPEG or PDF file`);
  }
  if (format === 'pages' && scan.length === 0) assertEngravable(scorePath);
  const outDir = path.dirname(path.resolve(values.output));
  if (!existsSync(outDir))
    throw new UsageError(`${values.output}: the output folder ${outDir} does not exist`);

  let last = '';
  const onProgress = values.progress
    ? (stage: Stage, f: number): void => {
        const line = `${stage} ${Math.round(100 * f)}%`;
        if (line !== last) process.stderr.write(`accord: ${line}\n`);
        last = line;
      }
    : undefined;
  const t0 = performance.now();
  const result = await align(audioPath, scorePath, {
    method: m,
    threads,
    searchThreads: threads,
    onProgress,
    onWarning: (w) => process.stderr.write(`accord: warning: ${w}\n`),
  });
  await writeAlignment(
    values.output,
    format,
    result,
    { audioPath, scorePath },
    {
      ...(pageFormat !== undefined ? { pageFormat: pageFormat as PageImageFormat } : {}),
      scan,
      onWarning: (w) => process.stderr.write(`accord: warning: ${w}\n`),
    },
  );
  const secs = (performance.now() - t0) / 1000;
  const p = result.path;
  let conf = 0;
  for (let i = 0; i < p.confidence.length; i++) conf += p.confidence[i];
  process.stdout.write(
    `accord: aligned ${path.basename(audioPath)} (${fmtDuration(result.audio.durationSeconds)}) with ${path.basename(scorePath)} ` +
      `by ${m}${p.modelVersion ? ` (model ${p.modelVersion})` : ''} in ${secs.toFixed(1)} s: ${p.jumpFrames.length} jump(s), ` +
      `mean confidence ${(conf / Math.max(1, p.confidence.length)).toFixed(2)} → ${path.resolve(values.output)} (${format})\n`,
  );
  return 0;
}

async function cmdBatch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      jobs: { type: 'string', short: 'j' },
      shard: { type: 'string' },
      format: { type: 'string', short: 'f' },
      method: { type: 'string', short: 'm' },
      progress: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('batch: expected one <manifest.csv|folder>');
  if (!values.output) throw new UsageError('batch: expected -o <out dir>');
  let shard = { index: 0, count: 1 };
  if (values.shard !== undefined) {
    const mm = /^(\d+)\/(\d+)$/.exec(values.shard);
    const index = mm ? Number(mm[1]) : NaN;
    const count = mm ? Number(mm[2]) : NaN;
    if (!mm || count < 1 || index < 0 || index >= count) {
      throw new UsageError(`--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got '${values.shard}'`);
    }
    shard = { index, count };
  }
  const format = values.format ? resolveFormat(`x.${values.format}`, values.format) : 'csv';
  const { runBatch } = await import('./batch.js');
  const summary = await runBatch({
    input: positionals[0],
    outDir: values.output,
    jobs: positiveInt(values.jobs, 'jobs', 2),
    shard,
    format,
    method: method(values.method),
    log: (line) => process.stderr.write(`accord: ${line}\n`),
  });
  process.stdout.write(
    `accord: batch ${summary.ok} aligned, ${summary.failed} failed of ${summary.total} → ${summary.summaryPath}\n`,
  );
  return summary.failed > 0 ? 2 : 0;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return cmd ? 0 : 1;
    }
    if (cmd === '--version' || cmd === '-v') {
      process.stdout.write(`accord ${version()}\n`);
      return 0;
    }
    // `accord align --help` asks for the usage, not for an alignment.
    if ((cmd === 'align' || cmd === 'batch') && rest.some((a) => a === '--help' || a === '-h')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cmd === 'align') return await cmdAlign(rest);
    if (cmd === 'batch') return await cmdBatch(rest);
    throw new UsageError(`unknown command '${cmd}': expected align or batch`);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`accord: ${msg}\n`);
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err))
      process.stderr.write(`${USAGE}\n`);
    return err instanceof UsageError ? 64 : 1;
  } finally {
    await releaseModels();
  }
}
