/** Entry of a helper thread (`helpers.ts`): answers each job message with its result or its error. */
import { parentPort } from 'node:worker_threads';
import { loadWasmFft } from '../fft.js';
import { HELPER_TASKS } from '../helperTasks.js';
import type { HelperReply, HelperRequest } from '../helpers.js';

// The FFT the pitch-energy blocks use, loaded before the first job is taken (jobs wait in the port).
await loadWasmFft();

async function answer(m: HelperRequest): Promise<HelperReply> {
  try {
    const task = HELPER_TASKS[m.kind] as ((data: unknown) => unknown) | undefined;
    if (!task) throw new Error(`unknown helper job '${String(m.kind)}'`);
    // A task may answer later (the note network's ONNX Runtime runs).
    return { id: m.id, result: await task(m.data) };
  } catch (err) {
    return { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
}

// One job after the other, also when a job answers later: the next waits for it.
let queue = Promise.resolve();
parentPort?.on('message', (m: HelperRequest) => {
  queue = queue.then(async () => {
    const reply = await answer(m);
    try {
      parentPort?.postMessage(reply);
    } catch (err) {
      // A result that cannot be sent is answered as the job's failure.
      parentPort?.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
});
