/** Worker entry of `parallelCoarseCosts`: claims and computes blocks of rows until none is left. */
import { workerData } from 'node:worker_threads';
import { workOnCoarseCosts, type CoarseCostsJob } from '../coarseCosts.js';

const { job, thread } = workerData as { job: CoarseCostsJob; thread: number };
workOnCoarseCosts(job, thread);
