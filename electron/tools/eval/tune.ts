/**
 * Parameter sweeps on the evaluation set: decodes every case and computes its features once,
 * then aligns with each configuration of a grid and prints the set means and jump figures.
 * For choosing engine defaults on validation data only.
 *
 *   node dist/node/electron/tools/eval/tune.js --method jump --sets multi,structure \
 *     --grid '{"jump":{"offBarPenalty":[0,2,5]}}' [--data .eval/data] [--limit N] [--json out.json]
 *
 * The grid has up to nine groups, `jump` (JumpParams), `neural` (NeuralJumpParams), `path`
 * (`{"path":{"delaySeconds":[0,0.007]}}`: the final path's delay, PATH_DELAY_SECONDS), `snap`
 * (SnapParams of the onset snapping, DEFAULT_SNAP; `"off":[1]` leaves it out), `unstruck`
 * (UnstruckParams of the unstruck beats' timing, DEFAULT_UNSTRUCK; `"off":[1]` leaves it out), `cost`
 * (CostParams: the engine's DEFAULT_COST weights, e.g. `{"cost":{"noteWeight":[0,1,2]}}`),
 * `steps` (the DTW step weights, DEFAULT_STEPS, e.g. `{"steps":{"diagonal":[1,2]}}`),
 * `score` (ScoreModelOptions of the score's features, e.g. `{"score":{"pedalSeconds":[0,1]}}`) and
 * `attack` (AttackLagParams of `shared/dsp/attack.ts`, e.g. `{"attack":{"secondsPerFrame":[0.03,0.04]}}`;
 * `"off":[1]` leaves the slow-attack reading out); every
 * combination of their value lists is one configuration. `--features '{"noiseFloor":false}'`
 * passes options to `recordingFeatures` (ablations of the feature stage, e.g. `{"noteModelDir":false}`);
 * `--model DIR` another exported structure model.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Features } from '../../../shared/dsp/features.js';
import { recordingFeatures, scoreNoteAwareFeatures, type NoteSource } from '../../engine/features.js';
import { parseGtCsv, scoreCase, type GtRow } from '../../../shared/eval/metric.js';
import {
  jumpFigures,
  matchJumps,
  predictedJumps,
  scoreBeatTimes,
  type JumpCounts,
} from '../../../shared/eval/jumps.js';
import { pathToRows } from '../../../shared/path.js';
import { DEFAULT_COST } from '../../../shared/align/cost.js';
import { DEFAULT_STEPS } from '../../../shared/align/dp.js';
import { decodeAudioFile } from '../../engine/audio.js';
import { alignFeatures, isMethod, releaseModels } from '../../engine/pipeline.js';
import { loadScore, type LoadedScore } from '../../engine/score.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import { loadManifest, trueJumps } from './results.js';
import type { ManifestCase } from './dataset.js';

interface Prepared {
  c: ManifestCase;
  perf: Features;
  scoreFeat: Features;
  score: LoadedScore;
  gt: GtRow[];
}

type Grid = Record<string, Record<string, unknown[]>>;

/** Every combination of the grid's value lists, as `{ group: { key: value } }`. */
export function expandGrid(grid: Grid): Record<string, Record<string, unknown>>[] {
  let out: Record<string, Record<string, unknown>>[] = [{}];
  for (const [group, keys] of Object.entries(grid)) {
    for (const [key, values] of Object.entries(keys)) {
      if (!Array.isArray(values) || values.length === 0)
        throw new Error(`--grid: ${group}.${key} must be a non-empty list, got ${JSON.stringify(values)}`);
      out = out.flatMap((cfg) => values.map((v) => ({ ...cfg, [group]: { ...cfg[group], [key]: v } })));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      method: { type: 'string', default: 'jump' },
      sets: { type: 'string', default: 'multi' },
      grid: { type: 'string', default: '{}' },
      data: { type: 'string', default: '.eval/data' },
      limit: { type: 'string' },
      case: { type: 'string' },
      json: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      features: { type: 'string', default: '{}' },
      model: { type: 'string' },
    },
  });
  const method = values.method;
  if (!isMethod(method)) throw new Error(`--method: unknown method '${method}'`);
  const grid = JSON.parse(values.grid) as Grid;
  const configs = expandGrid(grid);
  const featureOpts = JSON.parse(values.features) as {
    tuningCents?: number;
    noiseFloor?: boolean;
    /** Note model folder, or false to align without note features. */
    noteModelDir?: string | false;
    /** Note features from the network (default) or pitch-wise DLNCO (`flux`). */
    noteSource?: NoteSource;
  };
  const { manifest, root } = loadManifest(resolve(join(values.data, 'manifest.json')));
  const sets = values.sets.split(',');
  const wanted = values.case ? new Set(values.case.split(',')) : undefined;
  const limit = values.limit ? Number(values.limit) : Infinity;
  const cases = sets.flatMap((set) =>
    manifest.cases.filter((c) => c.set === set && (!wanted || wanted.has(c.id))).slice(0, limit),
  );
  const t0 = performance.now();
  const prepared: Prepared[] = [];
  for (const c of cases) {
    const audio = await decodeAudioFile(join(root, c.audio));
    const score = await loadScore(join(root, c.score));
    prepared.push({
      c,
      perf: (await recordingFeatures(audio.samples, featureOpts)).features,
      scoreFeat: scoreNoteAwareFeatures(score.score.notes, score.score.duration, featureOpts.noteSource),
      score,
      gt: parseGtCsv(readFileSync(join(root, c.gt), 'utf8')),
    });
  }
  console.log(`features of ${prepared.length} cases in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const report: unknown[] = [];
  const defaultCost = { ...DEFAULT_COST };
  const defaultSteps = { ...DEFAULT_STEPS };
  for (const cfg of configs) {
    const t1 = performance.now();
    // The `cost` group overrides the engine's cost weights (DEFAULT_COST) for this configuration.
    Object.assign(DEFAULT_COST, defaultCost, cfg.cost);
    // The `steps` group overrides the DTW step weights (DEFAULT_STEPS) of every banded DTW.
    Object.assign(DEFAULT_STEPS, defaultSteps, cfg.steps);
    const bySet = new Map<string, { acc: number[][]; jumps: JumpCounts[] }>();
    const perCase: Record<string, number[]> = {};
    for (const p of prepared) {
      const scoreFeat = cfg.score
        ? scoreNoteAwareFeatures(
            p.score.score.notes,
            p.score.score.duration,
            featureOpts.noteSource,
            cfg.score,
          )
        : p.scoreFeat;
      const { path } = await alignFeatures(p.perf, scoreFeat, p.score, {
        method,
        jumpParams: cfg.jump,
        neuralParams: cfg.neural,
        pathDelaySeconds: cfg.path?.delaySeconds as number | undefined,
        attackLag: cfg.attack?.off ? false : cfg.attack,
        snap: cfg.snap?.off ? false : cfg.snap,
        unstruck: cfg.unstruck?.off ? false : cfg.unstruck,
        modelDir: values.model ? resolve(values.model) : undefined,
      });
      const rows = pathToRows(path);
      const s = scoreCase(p.gt, rows);
      const j = matchJumps(trueJumps(p.c, p.gt), predictedJumps(rows), scoreBeatTimes(p.gt));
      const e = bySet.get(p.c.set) ?? { acc: [], jumps: [] };
      e.acc.push([s.acc50, s.acc100, s.acc200]);
      e.jumps.push(j);
      bySet.set(p.c.set, e);
      perCase[p.c.id] = [s.acc100, j.nMatched, j.nTrue, j.nPred];
      if (values.verbose)
        console.log(
          `  ${p.c.id} ${s.acc50.toFixed(1)}/${s.acc100.toFixed(1)}/${s.acc200.toFixed(1)} jumps ${j.nMatched}/${j.nTrue}/${j.nPred}`,
        );
    }
    const parts: string[] = [];
    const sets: Record<string, unknown> = {};
    for (const [set, e] of bySet) {
      const mean = (k: number): number => e.acc.reduce((a, x) => a + x[k], 0) / e.acc.length;
      const f = jumpFigures(e.jumps);
      parts.push(
        `${set} ${mean(0).toFixed(2)}/${mean(1).toFixed(2)}/${mean(2).toFixed(2)} J ${f.recall.toFixed(1)}/${f.precision.toFixed(1)}`,
      );
      sets[set] = {
        acc50: mean(0),
        acc100: mean(1),
        acc200: mean(2),
        jumpRecall: f.recall,
        jumpPrecision: f.precision,
      };
    }
    console.log(
      `${JSON.stringify(cfg)}  ${parts.join('  ')}  (${((performance.now() - t1) / 1000).toFixed(0)} s)`,
    );
    report.push({ config: cfg, sets, cases: perCase });
  }
  if (values.json)
    writeFileAtomicSync(
      values.json,
      JSON.stringify({ method, argv: process.argv.slice(2), report }, null, 1) + '\n',
    );
  await releaseModels();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
