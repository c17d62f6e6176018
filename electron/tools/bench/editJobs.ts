/**
 * The editor's re-alignment after a local edit, through the app's services as the editor calls
 * them: a project on the long bench recording (`.cache/bench/perf-<minutes>min.wav` +
 * `score-<minutes>min.mid`, made by `bench/run.ts`), aligned by DTW, with an anchor every 20–60 s;
 * then anchors added between them one at a time, each timed from `corrections.apply` until its
 * `realign` job has stored the new version (log write, edit worker, store), with the largest
 * event-loop delay of the main thread over all of them. Prints one JSON object.
 *   node dist/node/electron/tools/bench/editJobs.js [--minutes 60] [--trials 15] [--seed 1]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../engine/repoRoot.js';
import { createServices, type AppServices } from '../../app/ipc/handle.js';
import { xorshift32 } from '../../../shared/random.js';
import { scoreTimeAt, type AlignmentPath } from '../../../shared/path.js';
import type { EditOutcome } from '../../../shared/ipc.js';

/** Waits for the re-alignment job of `out`; its stored version id and the job's own milliseconds. */
async function stored(
  s: AppServices,
  out: EditOutcome,
): Promise<{ alignmentId: number; jobMs: number; workerMs: number }> {
  if (!out.jobId) throw new Error('expected the edit to start a re-alignment job, got none');
  const o = await s.jobs.outcome(out.jobId);
  if (!o?.ok)
    throw new Error(`re-alignment job failed: ${o ? `${o.error.code} ${o.error.message}` : 'unknown job'}`);
  const t = o.value.timings;
  return { alignmentId: o.value.alignmentId, jobMs: t.total ?? NaN, workerMs: t.worker ?? NaN };
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { minutes: { type: 'string' }, trials: { type: 'string' }, seed: { type: 'string' } },
  });
  const minutes = Number(values.minutes ?? 60);
  const trials = Number(values.trials ?? 15);
  const rnd = xorshift32(Number(values.seed ?? 1));
  const cache = path.join(repoRoot(), '.cache/bench');
  const wav = path.join(cache, `perf-${minutes}min.wav`);
  const mid = path.join(cache, `score-${minutes}min.mid`);
  if (!existsSync(wav) || !existsSync(mid))
    throw new Error(
      `expected the bench recording ${wav} and score ${mid}: run \`npm run bench -- --sizes ${minutes}\` first`,
    );
  const dir = mkdtempSync(path.join(tmpdir(), 'accord-bench-edit-'));
  const s = createServices({
    dbPath: path.join(dir, 'accord.db'),
    emit: () => undefined,
    mediaUrl: () => '',
  });
  try {
    const t0 = performance.now();
    const p = await s.projects.create({ recordingPath: wav, scorePath: mid });
    const { jobId } = await s.projects.runAlignment(p.id, 'dtw');
    await s.jobs.settled(jobId);
    const automatic = s.projects.listAlignments(p.id)[0];
    if (!automatic)
      throw new Error(
        `expected a DTW alignment of ${wav}, got none (status ${s.projects.summary(p.id).status})`,
      );
    const setupMs = performance.now() - t0;
    const path0: AlignmentPath = s.projects.getAlignment(automatic.id).path;
    const duration = s.projects.summary(p.id).durationSeconds;

    // Anchors every 20–60 s, each off the automatic path by up to ±0.3 s, sent back to back: each
    // supersedes the re-alignment before it, the last one re-aligns around all of them.
    const times: number[] = [];
    const t1 = performance.now();
    let last: EditOutcome | null = null;
    for (let t = 10 + rnd() * 20; t < duration - 10; t += 20 + rnd() * 40) {
      times.push(t);
      last = await s.corrections.apply(p.id, {
        type: 'add-anchor',
        anchor: {
          id: `a${times.length}`,
          perfTime: t,
          scoreTime: scoreTimeAt(path0, t) + (rnd() - 0.5) * 0.6,
          source: 'drag',
        },
      });
    }
    if (!last) throw new Error(`expected a recording longer than 40 s, got ${duration.toFixed(1)} s`);
    await stored(s, last);
    const anchorsMs = performance.now() - t1;

    const wall: number[] = [];
    const job: number[] = [];
    const worker: number[] = [];
    const mainActive: number[] = [];
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    for (let k = 0; k < trials; k++) {
      const i = Math.floor(rnd() * (times.length - 1));
      const t = times[i] + (0.2 + 0.6 * rnd()) * (times[i + 1] - times[i]);
      const current = s.projects.getAlignment(s.projects.listAlignments(p.id)[0].id).path;
      const a = performance.now();
      const elu = performance.eventLoopUtilization();
      const out = await s.corrections.apply(p.id, {
        type: 'add-anchor',
        anchor: { id: `n${k}`, perfTime: t, scoreTime: scoreTimeAt(current, t) + 0.25, source: 'drag' },
      });
      const r = await stored(s, out);
      wall.push(performance.now() - a);
      mainActive.push(performance.eventLoopUtilization(elu).active);
      job.push(r.jobMs);
      worker.push(r.workerMs);
    }
    delay.disable();
    process.stdout.write(
      `${JSON.stringify(
        {
          input: { wav: path.relative(repoRoot(), wav), seconds: Math.round(duration * 10) / 10 },
          setupMs: Math.round(setupMs),
          anchors: times.length,
          anchorsBackToBackMs: Math.round(anchorsMs),
          localEdit: {
            n: wall.length,
            wallMedianMs: quantile(wall, 0.5),
            wallP95Ms: quantile(wall, 0.95),
            jobMedianMs: quantile(job, 0.5),
            workerMedianMs: quantile(worker, 0.5),
            mainActiveMedianMs: quantile(mainActive, 0.5),
            mainActiveMaxMs: quantile(mainActive, 1),
            mainEventLoopDelayMaxMs: Math.round(delay.max / 1e5) / 10,
          },
          loadAverage1m: (await import('node:os')).loadavg()[0],
        },
        null,
        1,
      )}\n`,
    );
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
