/** Entry of a helper thread (`helpers.ts`): answers each job message with its result or its error. */
import { parentPort } from 'node:worker_threads';
import { loadWasmFft } from '../fft.js';
import { HELPER_TASKS } from '../helperTasks.js';
import type { HelperReply, HelperRequest } from '../helpers.js';

// The FFT the pitch-energy blocks use, loaded before the first job is taken (jobs wait in the port).
await loadWasmFft();

parentPort?.on('message', (m: HelperRequest) => {
  let reply: HelperReply;
  try {
    const task = HELPER_TASKS[m.kind] as ((data: unknown) => unknown) | undefined;
    if (!task) throw new Error(`unknown helper job '${String(m.kind)}'`);
    reply = { id: m.id, result: task(m.data) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
