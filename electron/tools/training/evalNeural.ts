/**
 * Accuracy of neural models on the evaluation manifest, through the engine: each case is
 * prepared once (`prepareAlignment`: decode, score, features, the alignability check) and aligned
 * by every model and mode with `alignFeatures`, the two halves of the engine's `align`. Modes:
 * `raw` (the network's curve alone: the `neural-raw` method), `refined` (its route refined pass by
 * pass: the `neural` method), `guided` (the network steering the jump search: the `neural-jump`
 * method, and `auto` with that model).
 *
 *   node dist/node/electron/tools/training/evalNeural.js --models ca-sdtw=models/accord-ca[,name=dir...]
 *        [--modes raw,refined,guided] [--sets overall,structure] [--limit N] [--data .eval/data] [--out .eval/neural]
 *
 * Predictions go to <out>/<model>-<mode>/<case>.csv, scored with the project's metric
 * (electron/tools/eval/results.ts, cross-checked against ../shared/eval/score.py by the eval runner);
 * the summary (mean over recordings of % beats within 50/100/200 ms, per set) is printed and
 * written to <out>/summary.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  alignFeatures,
  prepareAlignment,
  releaseModels,
  sharedNeuralModel,
  type EngineMethod,
} from '../../engine/pipeline.js';
import { pathToRows } from '../../../shared/path.js';
import { caseFields, loadManifest, predictionCsv, scoreFiles, summarize } from '../eval/results.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import type { CaseResult } from '../eval/results.js';

/** The engine method each mode runs. */
const MODE_METHODS: Record<string, EngineMethod> = {
  raw: 'neural-raw',
  refined: 'neural',
  guided: 'neural-jump',
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const models = arg('models', 'ca-sdtw=models/accord-ca')
    .split(',')
    .map((s) => s.split('='))
    .map(([name, dir]) => ({ name, dir: resolve(dir) }));
  const modes = arg('modes', 'raw,refined,guided').split(',');
  for (const m of modes)
    if (!Object.hasOwn(MODE_METHODS, m))
      throw new Error(`evalNeural: --modes: expected raw, refined or guided, got '${m}'`);
  const sets = arg('sets', 'overall,structure').split(',');
  const limit = Number(arg('limit', '1000'));
  const out = resolve(arg('out', '.eval/neural'));
  const { manifest, root } = loadManifest(resolve(arg('data', '.eval/data'), 'manifest.json'));
  const cases = sets.flatMap((s) => manifest.cases.filter((c) => c.set === s).slice(0, limit));
  // Loaded up front so a bad model folder fails before the first case; the engine reuses them.
  for (const m of models) await sharedNeuralModel(m.dir);
  const results: Record<string, CaseResult[]> = {};
  for (const [k, c] of cases.entries()) {
    const t0 = performance.now();
    const { perf, scoreFeat, score } = await prepareAlignment(join(root, c.audio), join(root, c.score));
    const featureSeconds = (performance.now() - t0) / 1000;
    for (const { name, dir: modelDir } of models) {
      for (const mode of modes) {
        const key = `${name}-${mode}`;
        const dir = join(out, key);
        mkdirSync(dir, { recursive: true });
        const t1 = performance.now();
        const { path } = await alignFeatures(perf, scoreFeat, score, {
          method: MODE_METHODS[mode],
          modelDir,
        });
        const computeSeconds = (performance.now() - t1) / 1000;
        const pred = join(dir, `${c.id}.csv`);
        writeFileAtomicSync(pred, predictionCsv(pathToRows(path)));
        const r: CaseResult = {
          ...caseFields(c),
          ...scoreFiles(join(root, c.gt), pred),
          computeSeconds,
        };
        (results[key] ??= []).push(r);
        console.log(
          `${k + 1}/${cases.length} ${c.id} ${key}: ${r.acc50.toFixed(1)} / ${r.acc100.toFixed(1)} / ${r.acc200.toFixed(1)} (${computeSeconds.toFixed(1)} s; features ${featureSeconds.toFixed(1)} s)`,
        );
      }
    }
  }
  await releaseModels();
  const summary: Record<string, unknown> = {};
  for (const [key, rs] of Object.entries(results)) summary[key] = summarize(rs);
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'summary.json'),
    JSON.stringify({ cases: cases.length, summary, results }, null, 1),
  );
  for (const [key, s] of Object.entries(summary)) {
    for (const [set, v] of Object.entries(
      s as Record<string, { nCases: number; acc50: number; acc100: number; acc200: number }>,
    )) {
      console.log(
        `${key.padEnd(22)} ${set.padEnd(10)} n=${v.nCases} <50: ${v.acc50.toFixed(1)} <100: ${v.acc100.toFixed(1)} <200: ${v.acc200.toFixed(1)}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
