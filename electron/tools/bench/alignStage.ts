/**
 * The align stage alone, repeated: decodes and computes the features once, then aligns them
 * `--trials` times with `--method` for each coarse resolution of the jump search in `--coarse`
 * (`JumpParams.coarseSeconds`; the default aligner runs that search twice, alone and steered).
 * Prints one JSON object: per resolution the median and least wall and CPU milliseconds and the
 * jumps found.
 *   node dist/node/electron/tools/bench/alignStage.js <audio> <score> [--coarse 0.2,0.1] [--trials 5] [--method auto]
 */
import { parseArgs } from 'node:util';
import {
  ENGINE_METHODS,
  alignFeatures,
  isMethod,
  prepareAlignment,
  releaseModels,
} from '../../engine/pipeline.js';

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const round = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      coarse: { type: 'string', default: '0.2,0.1' },
      trials: { type: 'string', default: '5' },
      method: { type: 'string', default: 'auto' },
    },
  });
  const [audio, score] = positionals;
  if (!audio || !score)
    throw new Error('usage: alignStage.js <audio> <score> [--coarse 0.2,0.1] [--trials 5]');
  const trials = Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1)
    throw new Error(`--trials: expected a whole number ≥ 1, found '${values.trials}'`);
  const method = values.method;
  if (!isMethod(method))
    throw new Error(`--method: expected one of ${ENGINE_METHODS.join(', ')}, found '${method}'`);
  const coarse = values.coarse.split(',').map(Number);
  for (const c of coarse)
    if (!(c > 0)) throw new Error(`--coarse: expected seconds > 0, found '${values.coarse}'`);
  const prepared = await prepareAlignment(audio, score);
  const out: Record<string, unknown> = { method, audioSeconds: prepared.audio.durationSeconds };
  for (const c of coarse) {
    const wall: number[] = [];
    const cpu: number[] = [];
    let jumps = 0;
    for (let t = 0; t < trials; t++) {
      const t0 = performance.now();
      const u0 = process.cpuUsage();
      const { path } = await alignFeatures(prepared.perf, prepared.scoreFeat, prepared.score, {
        method,
        jumpParams: { coarseSeconds: c },
      });
      const u = process.cpuUsage(u0);
      wall.push(performance.now() - t0);
      cpu.push((u.user + u.system) / 1000);
      jumps = path.jumpFrames.length;
    }
    out[`coarse ${c} s`] = {
      wallMs: { median: round(median(wall)), min: round(Math.min(...wall)) },
      cpuMs: { median: round(median(cpu)), min: round(Math.min(...cpu)) },
      jumps,
    };
  }
  await releaseModels();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
