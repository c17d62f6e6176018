/**
 * A simulated correction session (docs/EVALUATION.md, "The editor's re-alignment between
 * corrections"): for each case, the engine's `auto` path, an anchor from the ground truth at
 * every `--every`-th beat (what a careful editor places), and the whole path re-aligned under
 * them as the editor does (`realignAll`): the DTW alone, snapped onto onsets (unstruck beats timed
 * from the struck ones), and with the corrections kept local (`keepPath`, what the edit worker
 * runs). Prints % of beats within 50 / 100 / 200 ms per case and the means.
 *
 *   node dist/node/electron/tools/eval/editSession.js --case ov01,ov05 [--every 16] [--data .eval/data]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SNAP } from '../../../shared/align/snap.js';
import { realignAll } from '../../../shared/edit/realign.js';
import { emptyCorrections, type Corrections } from '../../../shared/edit/types.js';
import { parseGtCsv, scoreCase } from '../../../shared/eval/metric.js';
import type { AlignmentPath } from '../../../shared/path.js';
import { alignFeatures, prepareAlignment } from '../../engine/pipeline.js';
import { loadManifest } from './results.js';

const VARIANTS = ['auto', 'dtw', 'snapped', 'local'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string' },
      every: { type: 'string', default: '16' },
      data: { type: 'string', default: '.eval/data' },
    },
  });
  const every = Number(values.every);
  if (!(every >= 1)) throw new Error(`--every: expected a number of beats ≥ 1, got "${values.every}"`);
  const ids = (values.case ?? '').split(',').filter(Boolean);
  if (!ids.length) throw new Error('--case: expected one or more case ids, e.g. --case ov01,ov05');
  const { manifest, root } = loadManifest(join(values.data, 'manifest.json'));
  const sums = Object.fromEntries(VARIANTS.map((v) => [v, [0, 0, 0]])) as Record<
    (typeof VARIANTS)[number],
    number[]
  >;
  for (const id of ids) {
    const c = manifest.cases.find((x) => x.id === id);
    if (!c) throw new Error(`case ${id} is not in ${join(values.data, 'manifest.json')}`);
    const prepared = await prepareAlignment(join(root, c.audio), join(root, c.score));
    const { perf, scoreFeat, score } = prepared;
    const { path } = await alignFeatures(perf, scoreFeat, score, { method: 'auto' });
    const gt = parseGtCsv(readFileSync(join(root, c.gt), 'utf8'));
    const corrections: Corrections = {
      ...emptyCorrections(),
      anchors: gt
        .filter((_, k) => k > 0 && k % every === 0)
        .map((g, k) => ({ id: `a${k}`, perfTime: g.perfTime, scoreTime: g.scoreTime, source: 'drag' })),
    };
    const jumpPoints = score.score.jumpPoints;
    const snap = {
      scoreNotes: score.score.notes,
      params: DEFAULT_SNAP,
      beats: score.score.beats.map((b) => b.time),
    };
    const paths: Record<(typeof VARIANTS)[number], AlignmentPath> = {
      auto: path,
      dtw: realignAll(perf, scoreFeat, path, corrections, jumpPoints),
      snapped: realignAll(perf, scoreFeat, path, corrections, jumpPoints, { snap }),
      local: realignAll(perf, scoreFeat, path, corrections, jumpPoints, { snap, keepPath: true }),
    };
    const line = [`${id} (${corrections.anchors.length} anchors)`];
    for (const v of VARIANTS) {
      const p = paths[v];
      const s = scoreCase(
        gt,
        Array.from(p.scoreTime, (scoreTime, f) => ({ perfTime: f * p.hopSeconds, scoreTime })),
      );
      sums[v][0] += s.acc50;
      sums[v][1] += s.acc100;
      sums[v][2] += s.acc200;
      line.push(`${v} ${s.acc50.toFixed(1)}/${s.acc100.toFixed(1)}/${s.acc200.toFixed(1)}`);
    }
    console.log(line.join('  '));
  }
  for (const v of VARIANTS)
    console.log(`mean ${v}: ${sums[v].map((x) => (x / ids.length).toFixed(2)).join(' / ')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
