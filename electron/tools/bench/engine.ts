/**
 * One engine benchmark run, in its own process so that peak memory is this run's alone:
 * `node dist/node/electron/tools/bench/engine.js <audio> <score> <method>` prints one JSON line with
 * per-stage milliseconds and the peak resident memory.
 */
import { alignFiles, releaseModels } from '../../engine/pipeline.js';

const [audio, score, method = 'auto'] = process.argv.slice(2);
const t0 = performance.now();
const result = await alignFiles(audio, score, { method });
const totalMs = performance.now() - t0;
await releaseModels();
process.stdout.write(
  `${JSON.stringify({
    method,
    audioSeconds: result.audio.durationSeconds,
    totalMs,
    timings: result.timings,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    jumps: result.path.jumpFrames.length,
  })}\n`,
);
