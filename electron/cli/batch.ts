/**
 * `accord batch`: many recording/score pairs aligned in parallel worker threads. A bad pair is
 * recorded in the summary and the batch goes on. `--shard i/n` keeps every n-th pair from i, so a
 * cluster job array can split one manifest across machines.
 */
import { Worker } from 'node:worker_threads';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../services/atomicWrite.js';
import type { EngineMethod } from '../services/pipeline.js';
import { FORMAT_EXTENSION, type OutputFormat } from './output.js';
import type { BatchTask, BatchOutcome } from './batchWorker.js';

/** One recording/score pair to align. */
export interface BatchPair {
  audio: string;
  score: string;
  /** Output file; default `<outDir>/<audio stem>.<ext>`. */
  out?: string;
}

/** Options of `runBatch`. */
export interface BatchOptions {
  /** Manifest CSV (`audio,score[,out]`, paths relative to it) or a folder of same-named pairs. */
  input: string;
  /** Output folder (created if missing). */
  outDir: string;
  /** Worker threads. */
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

const AUDIO_EXT = new Set(['.wav', '.flac', '.mp3', '.ogg', '.oga']);
const SCORE_EXT = ['.mid', '.midi', '.musicxml', '.xml', '.mxl', '.mei', '.krn', '.abc'];

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

/** Reads a manifest CSV with header `audio,score[,out]`; paths are relative to the manifest. */
export async function readManifest(file: string): Promise<BatchPair[]> {
  const text = await fs.readFile(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0)
    throw new Error(`${file}: empty manifest (expected a header 'audio,score[,out]' and rows)`);
  const head = csvCells(lines[0]).map((h) => h.toLowerCase());
  const ia = head.indexOf('audio');
  const is = head.indexOf('score');
  const io = head.indexOf('out');
  if (ia < 0 || is < 0)
    throw new Error(`${file}: expected a header with columns audio,score[,out], got '${lines[0]}'`);
  const base = path.dirname(path.resolve(file));
  return lines.slice(1).map((line, k) => {
    const cells = csvCells(line);
    if (!cells[ia] || !cells[is])
      throw new Error(`${file}:${k + 2}: expected audio and score paths, got '${line}'`);
    return {
      audio: path.resolve(base, cells[ia]),
      score: path.resolve(base, cells[is]),
      out: io >= 0 && cells[io] ? path.resolve(base, cells[io]) : undefined,
    };
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
    if (audio && score) pairs.push({ audio: path.join(dir, audio), score: path.join(dir, score) });
    else if (audio)
      log(`skipping ${audio}: no score named ${stem}.{${SCORE_EXT.map((e) => e.slice(1)).join(',')}}`);
  }
  return pairs;
}

/** Runs the batch; resolves when every pair is done or failed. */
export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const st = await fs.stat(opts.input).catch(() => null);
  if (!st) throw new Error(`${opts.input}: no such manifest or folder`);
  const all = st.isDirectory() ? await pairFolder(opts.input, opts.log) : await readManifest(opts.input);
  if (all.length === 0) throw new Error(`${opts.input}: no recording/score pairs found`);
  const pairs = all.filter((_, i) => i % opts.shard.count === opts.shard.index);
  await fs.mkdir(opts.outDir, { recursive: true });
  const ext = FORMAT_EXTENSION[opts.format];
  const used = new Set<string>();
  const tasks: BatchTask[] = pairs.map((p, id) => {
    let out = p.out;
    if (!out) {
      const stem = path.basename(p.audio, path.extname(p.audio));
      out = path.join(opts.outDir, `${stem}${ext}`);
      for (let k = 2; used.has(out); k++) out = path.join(opts.outDir, `${stem}-${k}${ext}`);
    }
    used.add(out);
    return { id, audio: p.audio, score: p.score, out, format: opts.format, method: opts.method };
  });

  const outcomes: BatchOutcome[] = new Array(tasks.length);
  let next = 0;
  const workerCount = Math.max(1, Math.min(opts.jobs, tasks.length));
  const workerUrl = new URL('./batchWorker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: workerCount }, async () => {
      const worker = new Worker(workerUrl);
      try {
        while (next < tasks.length) {
          const task = tasks[next++];
          const outcome = await new Promise<BatchOutcome>((resolve) => {
            const onMsg = (m: BatchOutcome): void => {
              worker.off('error', onErr);
              resolve(m);
            };
            const onErr = (e: Error): void => {
              worker.off('message', onMsg);
              resolve({
                ...task,
                status: 'failed',
                error: `worker crashed: ${e.message}`,
                seconds: 0,
                audioSeconds: 0,
                meanConfidence: 0,
                jumps: 0,
              });
            };
            worker.once('message', onMsg);
            worker.once('error', onErr);
            worker.postMessage(task);
          });
          outcomes[task.id] = outcome;
          opts.log(
            outcome.status === 'ok'
              ? `[${task.id + 1}/${tasks.length}] ${path.basename(task.audio)} → ${outcome.out} (${outcome.seconds.toFixed(1)} s)`
              : `[${task.id + 1}/${tasks.length}] ${path.basename(task.audio)} failed: ${outcome.error}`,
          );
        }
      } finally {
        await worker.terminate();
      }
    }),
  );

  const header = 'audio,score,out,status,error,seconds,audio_seconds,mean_confidence,jumps';
  const rows = outcomes.map((o) =>
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
  const name = opts.shard.count > 1 ? `summary-${opts.shard.index}of${opts.shard.count}.csv` : 'summary.csv';
  const summaryPath = path.join(opts.outDir, name);
  await writeFileAtomic(summaryPath, `${header}\n${rows.join('\n')}\n`);
  const ok = outcomes.filter((o) => o.status === 'ok').length;
  return { total: outcomes.length, ok, failed: outcomes.length - ok, summaryPath, outcomes };
}
