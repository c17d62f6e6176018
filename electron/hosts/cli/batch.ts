/**
 * `accord batch`: many recording/score pairs aligned in parallel worker processes. A bad pair, a
 * malformed manifest row or a crashed worker (replaced) is recorded in the summary as failed and
 * the batch goes on; the summary is rewritten after each pair, so a killed batch leaves one of what
 * finished. `--shard i/n` keeps every n-th pair from i, so a cluster job array can split one
 * manifest across machines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeStaleTempFiles, writeFileAtomic } from '../../engine/atomicWrite.js';
import type { EngineMethod } from '../../engine/pipeline.js';
import { FORMAT_EXTENSION, type OutputFormat } from './output.js';
import type { BatchTask, BatchOutcome } from './batchWorker.js';
import { AUDIO_EXTENSIONS, SCORE_EXTENSIONS } from '../../../shared/media.js';

/** One recording/score pair to align, or a manifest row that could not be read. */
export interface BatchPair {
  audio: string;
  score: string;
  /** Output file; default `<outDir>/<audio stem>.<ext>`. */
  out?: string;
  /** Where the pair comes from, for messages: `manifest.csv:3` or the recording's file name. */
  source: string;
  /** Set for a malformed manifest row (what was expected, what came): it fails in the summary. */
  error?: string;
}

/** Options of `runBatch`. */
export interface BatchOptions {
  /** Manifest CSV (`audio,score[,out]`, paths relative to it) or a folder of same-named pairs. */
  input: string;
  /** Output folder (created if missing). */
  outDir: string;
  /** Worker processes. */
  jobs: number;
  shard: { index: number; count: number };
  format: OutputFormat;
  method: EngineMethod;
  log: (line: string) => void;
}

/** Summary of a batch run. */
export interface BatchSummary {
  total: number;
  ok: number;
  failed: number;
  summaryPath: string;
  outcomes: BatchOutcome[];
}

const AUDIO_EXT = new Set(AUDIO_EXTENSIONS);
const SCORE_EXT = Object.keys(SCORE_EXTENSIONS);
const SUMMARY_HEADER = 'audio,score,out,status,error,seconds,audio_seconds,mean_confidence,jumps';

/** Splits one CSV line (quotes allowed). */
function csvCells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Reads a manifest CSV with header `audio,score[,out]`; paths are relative to the manifest. A
 * malformed row comes back with `error` set, so that it fails alone; a bad header fails them all.
 */
export async function readManifest(file: string): Promise<BatchPair[]> {
  const text = await fs.readFile(file, 'utf8');
  const lines = text
    .split(/\r?\n/)
    .map((line, k) => ({ line, at: `${file}:${k + 1}` }))
    .filter((l) => l.line.trim() !== '');
  if (lines.length === 0)
    throw new Error(`${file}: empty manifest (expected a header 'audio,score[,out]' and rows)`);
  const head = csvCells(lines[0].line).map((h) => h.toLowerCase());
  const ia = head.indexOf('audio');
  const is = head.indexOf('score');
  const io = head.indexOf('out');
  if (ia < 0 || is < 0)
    throw new Error(`${file}: expected a header with columns audio,score[,out], got '${lines[0].line}'`);
  const base = path.dirname(path.resolve(file));
  const resolve = (cell: string | undefined): string => (cell ? path.resolve(base, cell) : '');
  return lines.slice(1).map(({ line, at }) => {
    const cells = csvCells(line);
    const pair: BatchPair = { audio: resolve(cells[ia]), score: resolve(cells[is]), source: at };
    if (cells.length > head.length)
      pair.error = `${at}: expected ${head.length} columns (${head.join(',')}), got ${cells.length}: '${line}' (quote paths that hold commas)`;
    else if (!cells[ia] || !cells[is]) pair.error = `${at}: expected audio and score paths, got '${line}'`;
    else if (io >= 0 && cells[io]) pair.out = resolve(cells[io]);
    return pair;
  });
}

/** Pairs every recording in `dir` with the score of the same stem. Unpaired files are reported. */
export async function pairFolder(dir: string, log: (l: string) => void): Promise<BatchPair[]> {
  const names = (await fs.readdir(dir)).sort();
  const byStem = new Map<string, string[]>();
  for (const n of names) {
    const ext = path.extname(n).toLowerCase();
    const stem = n.slice(0, n.length - ext.length);
    if (!byStem.has(stem)) byStem.set(stem, []);
    byStem.get(stem)!.push(n);
  }
  const pairs: BatchPair[] = [];
  for (const [stem, files] of byStem) {
    const audio = files.find((f) => AUDIO_EXT.has(path.extname(f).toLowerCase()));
    const score = SCORE_EXT.map((e) => files.find((f) => path.extname(f).toLowerCase() === e)).find(Boolean);
    if (audio && score)
      pairs.push({ audio: path.join(dir, audio), score: path.join(dir, score), source: audio });
    else if (audio)
      log(`skipping ${audio}: no score named ${stem}.{${SCORE_EXT.map((e) => e.slice(1)).join(',')}}`);
  }
  return pairs;
}

/**
 * The output file of each pair ('' for a malformed row), over the whole input before sharding, so
 * that shards never share a file: named outputs as given, two rows naming the same file being an
 * error; the others `<outDir>/<audio stem>.<ext>`, numbered `-2`, `-3`… past names already taken.
 */
function assignOutputs(all: BatchPair[], outDir: string, ext: string, summaryPath: string): string[] {
  const named = new Map<string, string>([[summaryPath, 'the batch summary']]);
  for (const p of all) {
    if (p.error || !p.out) continue;
    const other = named.get(p.out);
    if (other)
      throw new Error(
        `${other} and ${p.source} both write ${p.out}: expected a different output for each row`,
      );
    named.set(p.out, p.source);
  }
  const used = new Set(named.keys());
  return all.map((p) => {
    if (p.error) return '';
    if (p.out) return p.out;
    const stem = path.basename(p.audio, path.extname(p.audio));
    let out = path.join(outDir, `${stem}${ext}`);
    for (let k = 2; used.has(out); k++) out = path.join(outDir, `${stem}-${k}${ext}`);
    used.add(out);
    return out;
  });
}

/** The summary CSV of the outcomes so far, in input order. */
function summaryCsv(outcomes: readonly (BatchOutcome | undefined)[]): string {
  const rows = outcomes
    .filter((o): o is BatchOutcome => o !== undefined)
    .map((o) =>
      [
        o.audio,
        o.score,
        o.out,
        o.status,
        o.error ?? '',
        o.seconds.toFixed(2),
        o.audioSeconds.toFixed(2),
        o.meanConfidence.toFixed(3),
        o.jumps,
      ]
        .map(csvCell)
        .join(','),
    );
  return [SUMMARY_HEADER, ...rows, ''].join('\n');
}

/** A failed outcome that no worker produced. */
function failed(task: BatchTask, error: string, seconds = 0): BatchOutcome {
  return { ...task, status: 'failed', error, seconds, audioSeconds: 0, meanConfidence: 0, jumps: 0 };
}

/** One worker process; `run` resolves with the pair's outcome, also when the worker dies on it. */
class BatchWorker {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private death: string | null = null;
  private current: { task: BatchTask; t0: number; resolve: (o: BatchOutcome) => void } | null = null;

  constructor(file: string) {
    // 'advanced' serialization keeps every number (a NaN too) as the worker sent it.
    this.child = fork(file, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-8192);
    });
    this.child.on('message', (m: unknown) => this.onMessage(m));
    // 'close' rather than 'exit': the worker's last words on stderr have arrived by then.
    this.child.on('close', (code, signal) =>
      this.die(
        signal
          ? `killed by ${signal}${signal === 'SIGKILL' ? ': out of memory, or killed from outside' : ''}`
          : `exit code ${code ?? '?'}`,
      ),
    );
    this.child.on('error', (err) => {
      this.die(err.message);
      this.child.kill('SIGKILL');
    });
  }

  /** Whether the worker can take another pair. */
  get alive(): boolean {
    return this.death === null;
  }

  /** Aligns one pair. */
  run(task: BatchTask): Promise<BatchOutcome> {
    return new Promise((resolve) => {
      this.current = { task, t0: performance.now(), resolve };
      if (this.death) this.die(this.death);
      else
        this.child.send(task, (err) => {
          if (err) this.die(`could not send it the pair (${err.message})`);
        });
    });
  }

  /** Ends an idle worker. */
  stop(): void {
    if (this.alive) this.child.kill();
  }

  private settle(outcome: BatchOutcome): void {
    const cur = this.current;
    this.current = null;
    cur?.resolve(outcome);
  }

  private onMessage(m: unknown): void {
    const cur = this.current;
    if (!cur) return;
    const o = m as Partial<BatchOutcome> | null;
    if (o?.id === cur.task.id && (o.status === 'ok' || o.status === 'failed')) this.settle(o as BatchOutcome);
    else {
      const seconds = (performance.now() - cur.t0) / 1000;
      this.settle(
        failed(
          cur.task,
          `the worker answered ${JSON.stringify(m)}, expected the outcome of this pair`,
          seconds,
        ),
      );
    }
  }

  private die(why: string): void {
    this.death ??= why;
    const cur = this.current;
    if (!cur) return;
    const last = this.stderrTail
      .split('\n')
      .reverse()
      .find((l) => /\b(FATAL ERROR|[A-Z]\w*Error)\b/.test(l));
    const seconds = (performance.now() - cur.t0) / 1000;
    this.settle(
      failed(
        cur.task,
        `the worker process died while aligning this pair (${this.death})${last ? `: ${last.trim()}` : ''}; not aligned`,
        seconds,
      ),
    );
  }
}

/** Runs the batch; resolves when every pair is done or failed. */
export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const st = await fs.stat(opts.input).catch(() => null);
  if (!st) throw new Error(`${opts.input}: no such manifest or folder`);
  const all = st.isDirectory() ? await pairFolder(opts.input, opts.log) : await readManifest(opts.input);
  if (all.length === 0) throw new Error(`${opts.input}: no recording/score pairs found`);
  const name = opts.shard.count > 1 ? `summary-${opts.shard.index}of${opts.shard.count}.csv` : 'summary.csv';
  const summaryPath = path.resolve(opts.outDir, name);
  const outs = assignOutputs(all, path.resolve(opts.outDir), FORMAT_EXTENSION[opts.format], summaryPath);
  const kept = all
    .map((p, i) => ({ ...p, out: outs[i] }))
    .filter((_, i) => i % opts.shard.count === opts.shard.index);
  const tasks: BatchTask[] = kept.map((p, id) => ({
    id,
    audio: p.audio,
    score: p.score,
    out: p.out,
    format: opts.format,
    method: opts.method,
  }));

  await fs.mkdir(opts.outDir, { recursive: true });
  for (const dir of new Set([
    path.resolve(opts.outDir),
    ...tasks.filter((t) => t.out).map((t) => path.dirname(t.out)),
  ])) {
    const removed = await removeStaleTempFiles(dir);
    if (removed.length > 0)
      opts.log(`removed ${removed.length} temporary file(s) of an interrupted run in ${dir}`);
  }

  const outcomes = new Array<BatchOutcome | undefined>(tasks.length);
  const report = (task: BatchTask, o: BatchOutcome): void =>
    opts.log(
      o.status === 'ok'
        ? `[${task.id + 1}/${tasks.length}] ${path.basename(task.audio)} → ${o.out} (${o.seconds.toFixed(1)} s)`
        : `[${task.id + 1}/${tasks.length}] ${kept[task.id].source} failed: ${o.error}`,
    );
  // Summary writes one after another, each with every outcome known when it starts.
  let writing = Promise.resolve();
  // A holder, not a `let`: it is set in a callback, which the compiler's narrowing does not see.
  const summary: { writeError?: Error } = {};
  const writeSummary = (): Promise<void> =>
    (writing = writing.then(() =>
      writeFileAtomic(summaryPath, summaryCsv(outcomes)).catch((err: unknown) => {
        summary.writeError ??= err instanceof Error ? err : new Error(String(err));
      }),
    ));

  const queue: BatchTask[] = [];
  for (const task of tasks) {
    const error = kept[task.id].error;
    if (error === undefined) queue.push(task);
    else report(task, (outcomes[task.id] = failed(task, error)));
  }
  await writeSummary();
  let next = 0;
  const workerFile = fileURLToPath(new URL('./batchWorker.js', import.meta.url));
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.jobs, queue.length)) }, async () => {
      let worker: BatchWorker | null = null;
      try {
        while (next < queue.length && summary.writeError === undefined) {
          const task = queue[next++];
          // A worker that died (on its last pair or idle) is replaced by a fresh one.
          if (!worker?.alive) worker = new BatchWorker(workerFile);
          const outcome = await worker.run(task);
          outcomes[task.id] = outcome;
          report(task, outcome);
          await writeSummary();
        }
      } finally {
        worker?.stop();
      }
    }),
  );
  if (summary.writeError) throw summary.writeError;

  const done = outcomes.filter((o): o is BatchOutcome => o !== undefined);
  const ok = done.filter((o) => o.status === 'ok').length;
  return { total: done.length, ok, failed: done.length - ok, summaryPath, outcomes: done };
}
