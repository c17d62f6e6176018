// The align stage alone, in one process, for variants of the jump search's parameters taken in
// turn (so the machine's slow and quick minutes fall on all of them alike): the recording and the
// score are decoded and their features made once, then each variant aligns `--trials` times.
//
//   node scripts/align-stage.mjs <audio> <score> [--trials 6] [--method auto]
//        [--variants '{"before":{"refineGuideFactor":1,"refineGuideSeconds":10},"now":{}}']
//
// Prints each variant's wall times (ms) and their median. Needs `npx tsc -p tsconfig.node.json`.
import { parseArgs } from 'node:util';
import { alignFeatures, prepareAlignment } from '../dist/node/electron/engine/pipeline.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    trials: { type: 'string', default: '6' },
    method: { type: 'string', default: 'auto' },
    variants: {
      type: 'string',
      default: '{"before":{"refineGuideFactor":1,"refineGuideSeconds":10},"now":{}}',
    },
  },
});
if (positionals.length !== 2) {
  console.error(
    'usage: node scripts/align-stage.mjs <audio> <score> [--trials N] [--method M] [--variants JSON]',
  );
  process.exit(2);
}
const [audioPath, scorePath] = positionals;
const variants = JSON.parse(values.variants);
const common = { method: values.method, threads: 2, searchThreads: 2 };
const prep = await prepareAlignment(audioPath, scorePath, common);
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let t = 0; t < Number(values.trials); t++) {
  for (const [name, jumpParams] of Object.entries(variants)) {
    const t0 = performance.now();
    await alignFeatures(prep.perf, prep.scoreFeat, prep.score, { ...common, jumpParams });
    times[name].push(Math.round(performance.now() - t0));
  }
}
for (const [name, ms] of Object.entries(times)) {
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(`${name}: ${ms.join(' ')} ms, median ${sorted[Math.floor(sorted.length / 2)]}`);
}
process.exit(0);
