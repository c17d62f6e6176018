/**
 * What a helper thread (`helpers.ts`) does for each kind of job: the blocks of a pitch-energy or
 * coarse-cost job (`sharedBlocks.ts`), the note network's chunks, a score's features, or the coarse searches of a steered
 * jump search (`searchesOver`). Loaded by the helper's entry only.
 */
import {
  searchesOver,
  type CoarseGrid,
  type JumpParams,
  type SearchesMade,
} from '../../shared/align/jump.js';
import type { Features } from '../../shared/dsp/features.js';
import type { ScoreNote } from '../../shared/score.js';
import { workOnCoarseCosts, type CoarseCostsJob } from './coarseCosts.js';
import { scoreNoteAwareFeatures } from './features.js';
import type { HelperKind } from './helpers.js';
import { sharedNoteModel, workOnNotes, type NotesJob } from './notes.js';
import { workOnPitchEnergy, type PitchEnergyJob } from './pitchEnergy.js';

/** A coarse-search job: what `searchesOver` reads, the costs as the shared buffer they lie in. */
export interface CoarseSearchJob {
  perf: Features;
  score: Features;
  jumpPointsSeconds: number[];
  params: Partial<JumpParams>;
  costs: SharedArrayBuffer;
  /** The grid the costs were computed on. */
  grid: CoarseGrid;
}

export const HELPER_TASKS: Record<HelperKind, (data: never) => unknown> = {
  pitchEnergy: (d: { job: PitchEnergyJob; thread: number }) => workOnPitchEnergy(d.job, d.thread),
  coarseCosts: (d: { job: CoarseCostsJob; thread: number }) => workOnCoarseCosts(d.job, d.thread),
  scoreFeatures: (d: { notes: ScoreNote[]; durationSeconds: number }): Features =>
    scoreNoteAwareFeatures(d.notes, d.durationSeconds),
  notes: (d: { job: NotesJob; thread: number }) => workOnNotes(d.job, d.thread),
  noteModel: async (d: { dir?: string }): Promise<void> => {
    await sharedNoteModel(d.dir, 1);
  },
  coarseSearch: (d: CoarseSearchJob): SearchesMade =>
    searchesOver(d.perf, d.score, d.jumpPointsSeconds, d.params, new Float64Array(d.costs), d.grid),
};
