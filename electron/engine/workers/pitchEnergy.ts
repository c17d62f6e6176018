/** Worker entry of `parallelPitchEnergy`: claims and computes blocks of frames until none is left. */
import { workerData } from 'node:worker_threads';
import { workOnPitchEnergy, type PitchEnergyJob } from '../pitchEnergy.js';

const { job, thread } = workerData as { job: PitchEnergyJob; thread: number };
workOnPitchEnergy(job, thread);
