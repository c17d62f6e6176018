/**
 * Scores a folder of prediction CSVs (`<dir>/<id>.csv`) against the evaluation manifest, like
 * `../shared/eval/score.py --manifest`, for predictions made outside the runner.
 *
 *   node dist/node/electron/tools/eval/scoreDir.js --pred-dir DIR [--data .eval/data] [--set overall]
 *       [--case ID[,ID]] [--json out.json] [--crosscheck]
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  crossCheck,
  loadManifest,
  predPath,
  scoreFiles,
  summarize,
  textTable,
  type CaseResult,
} from './results.js';

function main(): void {
  const { values } = parseArgs({
    options: {
      'pred-dir': { type: 'string' },
      data: { type: 'string', default: '.eval/data' },
      manifest: { type: 'string' },
      set: { type: 'string' },
      case: { type: 'string' },
      json: { type: 'string' },
      crosscheck: { type: 'boolean', default: false },
    },
  });
  if (!values['pred-dir'])
    throw new Error('--pred-dir: expected the folder holding <case id>.csv predictions');
  const predDir = resolve(values['pred-dir']);
  const manifestPath = resolve(values.manifest ?? join(values.data, 'manifest.json'));
  const { manifest, root } = loadManifest(manifestPath);
  const wanted = values.case ? new Set(values.case.split(',').filter(Boolean)) : undefined;
  const results: CaseResult[] = manifest.cases
    .filter((c) => (!values.set || c.set === values.set) && (!wanted || wanted.has(c.id)))
    .map((c) => ({
      id: c.id,
      set: c.set,
      piece: c.piece,
      performer: c.performer,
      durationSeconds: c.durationSeconds,
      ...scoreFiles(join(root, c.gt), predPath(predDir, c.id)),
    }));
  console.log(textTable(results));
  if (values.crosscheck) {
    const bad = crossCheck(manifestPath, predDir, results);
    console.log(
      bad.length
        ? `cross-check with score.py: ${bad.length} disagree:\n  ${bad.join('\n  ')}`
        : `cross-check with score.py: all ${results.length} cases agree`,
    );
    if (bad.length) process.exitCode = 2;
  }
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ sets: summarize(results), cases: results }, null, 1) + '\n');
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
