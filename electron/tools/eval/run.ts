/**
 * Evaluation runner: aligns every case of the evaluation manifest with each method, writes the
 * predictions (`<out>/<method>/<id>.csv`), scores them with the metric, cross-checks against
 * score.py, prints tables and keeps per-case results in `<out>/<method>/results.json`.
 *
 *   node dist/node/electron/tools/eval/run.js [--methods dtw,jump,auto] [--sets overall,structure,multi]
 *       [--limit N] [--case ID[,ID]] [--data .eval/data] [--out .eval/preds] [--md docs/EVALUATION.md]
 *       [--timeout 900] [--no-crosscheck]
 *
 * Each method runs in one child process (one case at a time); a case that throws, times out or
 * kills its worker scores 0 and the run goes on.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import midiPkg from '@tonejs/midi';
import { HOP_SECONDS } from '../../../shared/dsp/params.js';
import { pathToRows } from '../../../shared/path.js';
import type { ManifestCase } from './dataset.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import {
  caseFields,
  crossCheck,
  jumpCountsOf,
  loadManifest,
  markdownDetail,
  markdownSummary,
  predPath,
  predictionCsv,
  scoreFiles,
  summarize,
  textTable,
  type CaseResult,
} from './results.js';

/** Markers delimiting the generated block in the markdown report. */
export const MD_START = '<!-- eval:results:start -->';
/** End marker of the generated block. */
export const MD_END = '<!-- eval:results:end -->';

const { Midi } = midiPkg;

type WorkerMessage =
  { type: 'start'; id: string } | { type: 'done'; result: CaseResult } | { type: 'fatal'; error: string };

/** Harness baseline without the engine: score time proportional to performance time. */
export const BASELINE_LINEAR = 'linear';

/** The `linear` baseline path: score time = perf time × score duration / audio duration, every hop. */
function linearBaseline(audioSeconds: number, scorePath: string): { perfTime: number; scoreTime: number }[] {
  const scoreSeconds = new Midi(readFileSync(scorePath)).duration;
  const rows: { perfTime: number; scoreTime: number }[] = [];
  for (let f = 0; f * HOP_SECONDS <= audioSeconds; f++) {
    rows.push({ perfTime: f * HOP_SECONDS, scoreTime: (f * HOP_SECONDS * scoreSeconds) / audioSeconds });
  }
  return rows;
}

/** Worker: aligns the given cases with one method, reporting each through IPC. */
async function worker(method: string, ids: string[], manifestPath: string, outDir: string): Promise<void> {
  const engine = method === BASELINE_LINEAR ? undefined : await import('../../engine/pipeline.js');
  const { manifest, root } = loadManifest(manifestPath);
  const dir = join(outDir, method);
  mkdirSync(dir, { recursive: true });
  const send = (m: WorkerMessage): Promise<void> =>
    new Promise((res) => (process.send ? process.send(m, () => res()) : res()));
  for (const id of ids) {
    const c = manifest.cases.find((x) => x.id === id);
    if (!c) throw new Error(`case ${id} is not in ${manifestPath}`);
    await send({ type: 'start', id });
    const pred = predPath(dir, id);
    const base = caseFields(c);
    const t0 = performance.now();
    let result: CaseResult;
    try {
      if (!engine) {
        writeFileAtomicSync(pred, predictionCsv(linearBaseline(c.durationSeconds, join(root, c.score))));
        result = {
          ...base,
          ...scoreFiles(join(root, c.gt), pred),
          computeSeconds: (performance.now() - t0) / 1000,
        };
      } else {
        const res = await engine.align(join(root, c.audio), join(root, c.score), { method });
        const computeSeconds = (performance.now() - t0) / 1000;
        writeFileAtomicSync(pred, predictionCsv(pathToRows(res.path)));
        result = {
          ...base,
          ...scoreFiles(join(root, c.gt), pred),
          computeSeconds,
          timings: res.timings,
          warnings: res.warnings,
        };
      }
    } catch (e) {
      const computeSeconds = (performance.now() - t0) / 1000;
      const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      writeFileAtomicSync(pred, '');
      result = { ...base, ...scoreFiles(join(root, c.gt), pred), status: `error: ${err}`, computeSeconds };
    }
    await send({ type: 'done', result });
  }
  await engine?.releaseModels();
}

/** Runs one method over `cases` in child processes, restarting after a crash or timeout. */
async function runMethod(
  method: string,
  cases: ManifestCase[],
  manifestPath: string,
  outDir: string,
  timeoutSeconds: number,
): Promise<CaseResult[]> {
  const root = resolve(manifestPath, '..');
  const results = new Map<string, CaseResult>();
  const self = fileURLToPath(import.meta.url);
  let remaining = cases.map((c) => c.id);
  mkdirSync(join(outDir, method), { recursive: true });
  while (remaining.length) {
    let current: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    let killedFor: string | undefined;
    let fatal: string | undefined;
    const child: ChildProcess = fork(
      self,
      [
        '--worker',
        '--method',
        method,
        '--case',
        remaining.join(','),
        '--manifest',
        manifestPath,
        '--out',
        outDir,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    child.on('message', (raw) => {
      const m = raw as WorkerMessage;
      if (m.type === 'start') {
        current = m.id;
        clearTimeout(timer);
        timer = setTimeout(() => {
          killedFor = `timeout: more than ${timeoutSeconds} s`;
          child.kill('SIGKILL');
        }, timeoutSeconds * 1000);
      } else if (m.type === 'fatal') {
        fatal = m.error;
      } else {
        clearTimeout(timer);
        current = undefined;
        const c = cases.find((x) => x.id === m.result.id) as ManifestCase;
        const r: CaseResult = {
          ...m.result,
          jumps: jumpCountsOf(c, join(root, c.gt), predPath(join(outDir, method), c.id)),
        };
        results.set(r.id, r);
        console.log(
          `[${method}] ${r.id} ${r.set} ${r.acc50.toFixed(1)}/${r.acc100.toFixed(1)}/${r.acc200.toFixed(1)} in ${(r.computeSeconds ?? 0).toFixed(1)} s${r.status === 'ok' ? '' : ` — ${r.status}`}`,
        );
      }
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c, sig) => res(sig ? -1 : c)));
    clearTimeout(timer);
    const fail = (id: string, why: string, computeSeconds?: number): void => {
      const c = cases.find((x) => x.id === id) as ManifestCase;
      const pred = predPath(join(outDir, method), c.id);
      writeFileAtomicSync(pred, '');
      results.set(c.id, {
        ...caseFields(c),
        ...scoreFiles(join(root, c.gt), pred),
        status: `error: ${why}`,
        computeSeconds,
      });
      console.log(`[${method}] ${c.id} failed: ${why}`);
    };
    if (current) {
      fail(
        current,
        killedFor ?? fatal ?? `worker died (exit ${code})`,
        killedFor ? timeoutSeconds : undefined,
      );
    } else if (code !== 0) {
      // The worker cannot run at all (e.g. the engine fails to load): every remaining case fails.
      const why = `worker failed before its next case: ${fatal ?? `exit ${code}`}`;
      remaining.filter((id) => !results.has(id)).forEach((id) => fail(id, why));
    }
    remaining = remaining.filter((id) => !results.has(id));
  }
  return cases.map((c) => results.get(c.id) as CaseResult);
}

/** The checked-out commit (short hash, `+dirty` when the engine has uncommitted changes), or `unknown`. */
function engineVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'shared', 'electron/engine'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** Replaces the generated block of a markdown file (or appends one), formatted with the repo's prettier config. */
async function writeMarkdown(path: string, block: string): Promise<void> {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const body = `${MD_START}\n${block}\n${MD_END}`;
  const a = text.indexOf(MD_START);
  const b = text.indexOf(MD_END);
  const next =
    a >= 0 && b > a
      ? text.slice(0, a) + body + text.slice(b + MD_END.length)
      : `${text}${text && !text.endsWith('\n') ? '\n' : ''}\n${body}\n`;
  let formatted = next;
  try {
    const prettier = await import('prettier');
    formatted = await prettier.format(next, {
      ...(await prettier.resolveConfig(path)),
      filepath: path,
      plugins: [],
    });
  } catch (e) {
    console.warn(
      `prettier could not format ${path}, written as is: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  writeFileSync(path, formatted);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      worker: { type: 'boolean', default: false },
      method: { type: 'string' },
      methods: { type: 'string', default: 'dtw,jump,auto' },
      sets: { type: 'string', default: 'overall,structure,multi' },
      limit: { type: 'string' },
      case: { type: 'string' },
      data: { type: 'string', default: '.eval/data' },
      manifest: { type: 'string' },
      out: { type: 'string', default: '.eval/preds' },
      md: { type: 'string' },
      timeout: { type: 'string', default: '900' },
      'no-crosscheck': { type: 'boolean', default: false },
    },
  });
  const manifestPath = resolve(values.manifest ?? join(values.data, 'manifest.json'));
  const outDir = resolve(values.out);
  if (values.worker) {
    try {
      await worker(
        values.method as string,
        (values.case ?? '').split(',').filter(Boolean),
        manifestPath,
        outDir,
      );
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      await new Promise<void>((res) =>
        process.send ? process.send({ type: 'fatal', error }, () => res()) : res(),
      );
      throw e;
    }
    return;
  }
  const { manifest } = loadManifest(manifestPath);
  const sets = values.sets.split(',').filter(Boolean);
  const wanted = values.case ? new Set(values.case.split(',').filter(Boolean)) : undefined;
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  const timeout = Number(values.timeout);
  if (!(limit >= 0)) throw new Error(`--limit: expected a number ≥ 0, got "${values.limit}"`);
  if (!(timeout > 0)) throw new Error(`--timeout: expected seconds > 0, got "${values.timeout}"`);
  if (wanted) {
    const unknown = [...wanted].filter((id) => !manifest.cases.some((c) => c.id === id));
    if (unknown.length) throw new Error(`--case: ${unknown.join(', ')} not in ${manifestPath}`);
  }
  const cases = sets.flatMap((set) =>
    manifest.cases.filter((c) => c.set === set && (!wanted || wanted.has(c.id))).slice(0, limit),
  );
  if (!cases.length)
    throw new Error(
      `no cases selected (sets ${sets.join(',')}${wanted ? `, cases ${[...wanted].join(',')}` : ''})`,
    );
  const methods = values.methods.split(',').filter(Boolean);
  const version = engineVersion();
  const byMethod: Record<string, CaseResult[]> = {};
  let crossFailures = 0;
  for (const method of methods) {
    console.log(
      `== ${method}: ${cases.length} cases, ${(cases.reduce((a, c) => a + c.durationSeconds, 0) / 60).toFixed(1)} min of audio`,
    );
    const results = await runMethod(method, cases, manifestPath, outDir, timeout);
    byMethod[method] = results;
    const predDir = join(outDir, method);
    writeFileAtomicSync(
      join(predDir, 'results.json'),
      JSON.stringify(
        {
          method,
          generatedAt: new Date().toISOString(),
          engine: version,
          argv: process.argv.slice(2),
          sets: summarize(results),
          cases: results,
        },
        null,
        1,
      ) + '\n',
    );
    console.log(textTable(results));
    if (!values['no-crosscheck']) {
      const bad = crossCheck(manifestPath, predDir, results);
      crossFailures += bad.length;
      console.log(
        bad.length
          ? `cross-check with score.py: ${bad.length} disagree:\n  ${bad.join('\n  ')}`
          : `cross-check with score.py: all ${results.length} cases agree`,
      );
    }
  }
  const summary = markdownSummary(byMethod);
  const detail = markdownDetail(byMethod);
  console.log(`\n${summary}\n\n${detail}`);
  if (values.md) {
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const cmd = `node dist/node/electron/tools/eval/run.js ${process.argv.slice(2).join(' ')}`;
    await writeMarkdown(
      resolve(values.md),
      `Measured ${when} UTC, engine at commit ${version}, with \`${cmd}\`.\n\n${summary}\n\n${detail}`,
    );
  }
  if (crossFailures) process.exitCode = 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
