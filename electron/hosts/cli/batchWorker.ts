/**
 * Worker process of `accord batch` (started by `child_process.fork`): aligns one pair per message
 * and sends the outcome back. A process, not a thread, so that running out of memory or a crash
 * in native code kills this worker alone, and the batch replaces it.
 */
import { alignFiles, type EngineMethod } from '../../engine/pipeline.js';
import { writeAlignment, type OutputFormat } from './output.js';

/** A pair to align, as sent to the worker. */
export interface BatchTask {
  id: number;
  audio: string;
  score: string;
  out: string;
  format: OutputFormat;
  method: EngineMethod;
}

/** What the worker sends back. */
export interface BatchOutcome extends BatchTask {
  status: 'ok' | 'failed';
  error?: string;
  seconds: number;
  audioSeconds: number;
  meanConfidence: number;
  jumps: number;
}

/**
 * Test hook, ignored unless ACCORD_TEST_WORKER_CRASH=1: a pair whose audio path contains
 * `crash-exit` makes the worker exit, `crash-kill` kills it by SIGKILL (as the out-of-memory
 * killer or a native crash would), so tests can crash the real worker.
 */
function testCrashHook(task: BatchTask): void {
  if (process.env.ACCORD_TEST_WORKER_CRASH !== '1') return;
  if (task.audio.includes('crash-exit')) process.exit(70);
  if (task.audio.includes('crash-kill')) process.kill(process.pid, 'SIGKILL');
}

function reply(outcome: BatchOutcome): void {
  process.send?.(outcome);
}

if (!process.send) {
  process.stderr.write('batchWorker: expected to be started by `accord batch` (child_process.fork)\n');
  process.exit(64);
}
// A batch that is killed leaves no worker behind: the channel closes and the worker ends.
process.on('disconnect', () => process.exit(0));

process.on('message', (task: BatchTask) => {
  testCrashHook(task);
  const t0 = performance.now();
  alignFiles(task.audio, task.score, { method: task.method, searchThreads: 1 })
    .then(async (result) => {
      await writeAlignment(task.out, task.format, result, { audioPath: task.audio, scorePath: task.score });
      const c = result.path.confidence;
      let sum = 0;
      for (let i = 0; i < c.length; i++) sum += c[i];
      reply({
        ...task,
        status: 'ok',
        seconds: (performance.now() - t0) / 1000,
        audioSeconds: result.audio.durationSeconds,
        meanConfidence: sum / Math.max(1, c.length),
        jumps: result.path.jumpFrames.length,
      });
    })
    .catch((err: unknown) => {
      reply({
        ...task,
        status: 'failed',
        error: err instanceof Error ? err.message : String(err),
        seconds: (performance.now() - t0) / 1000,
        audioSeconds: 0,
        meanConfidence: 0,
        jumps: 0,
      });
    });
});
