/** Worker thread of `accord batch`: aligns one pair per message and posts the outcome. */
import { parentPort } from 'node:worker_threads';
import { alignFiles, type EngineMethod } from '../services/pipeline.js';
import { writeAlignment, type OutputFormat } from './output.js';

/** A pair to align, as posted to the worker. */
export interface BatchTask {
  id: number;
  audio: string;
  score: string;
  out: string;
  format: OutputFormat;
  method: EngineMethod;
}

/** What the worker posts back. */
export interface BatchOutcome extends BatchTask {
  status: 'ok' | 'failed';
  error?: string;
  seconds: number;
  audioSeconds: number;
  meanConfidence: number;
  jumps: number;
}

parentPort?.on('message', (task: BatchTask) => {
  const t0 = performance.now();
  alignFiles(task.audio, task.score, { method: task.method })
    .then(async (result) => {
      await writeAlignment(task.out, task.format, result, { audioPath: task.audio, scorePath: task.score });
      const c = result.path.confidence;
      let sum = 0;
      for (let i = 0; i < c.length; i++) sum += c[i];
      const outcome: BatchOutcome = {
        ...task,
        status: 'ok',
        seconds: (performance.now() - t0) / 1000,
        audioSeconds: result.audio.durationSeconds,
        meanConfidence: sum / Math.max(1, c.length),
        jumps: result.path.jumpFrames.length,
      };
      parentPort?.postMessage(outcome);
    })
    .catch((err: unknown) => {
      const outcome: BatchOutcome = {
        ...task,
        status: 'failed',
        error: err instanceof Error ? err.message : String(err),
        seconds: (performance.now() - t0) / 1000,
        audioSeconds: 0,
        meanConfidence: 0,
        jumps: 0,
      };
      parentPort?.postMessage(outcome);
    });
});
