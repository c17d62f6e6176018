/**
 * The edit worker: one long-lived thread that runs the re-alignments of hand edits. It keeps the
 * decoded recording features and the score features of the last projects edited, with their
 * `RealignCache` (cost levels and cut searches), so an edit only sends the path and the corrections
 * and costs in proportion to what it changes. Requests (`EditRequest`) run one at a time, in order;
 * `{ type: 'cancel', id }` stops a request between its spans (a span, once started, runs to its end).
 */
import { parentPort } from 'node:worker_threads';
import { DEFAULT_SNAP } from '../../../shared/align/snap.js';
import type { Features } from '../../../shared/dsp/features.js';
import { RealignCache, realignAll, realignLocal, type StretchSnap } from '../../../shared/edit/index.js';
import type { AlignmentPath } from '../../../shared/path.js';
import { scoreNoteAwareFeatures } from '../../engine/features.js';
import { atScorePitch } from '../../../shared/dsp/transpose.js';
import { atAttackOnsets } from '../../../shared/dsp/attack.js';
import { fullFeaturesFromRow } from '../projects/featureRow.js';
import { pathOnGrid } from './grid.js';
import type { EditCancel, EditInputs, EditReply, EditRequest } from './protocol.js';
import { toIpcError } from '../errors.js';

/** Projects whose inputs are kept (the open project, and the one before it). */
const KEPT = 2;

interface Loaded {
  perf: Features;
  score: Features;
  jumpPointsSeconds: number[];
  /** What the project's earlier re-alignments computed, reused by the next. */
  cache: RealignCache;
  /** Re-solved stretches snap their chords onto the recording's onsets, as the aligner does. */
  snap: StretchSnap;
}

const loaded = new Map<string, Loaded>();
const cancelled = new Set<number>();
const queue: EditRequest[] = [];
let running = false;
let current: number | null = null;

function post(msg: EditReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(msg, transfer);
}

/** Decodes `inputs` (once per project) and keeps them, the most recent last. */
function load(inputs: EditInputs): Loaded {
  const score = scoreNoteAwareFeatures(inputs.scoreNotes, inputs.scoreDuration);
  // At the score's pitch and at the notes' onsets, as the aligner had it (`alignFeatures`).
  const perf = atAttackOnsets(
    atScorePitch(fullFeaturesFromRow(inputs.perf, `edit inputs of ${inputs.key}`), score).perf,
  ).perf;
  const l: Loaded = {
    perf,
    score,
    jumpPointsSeconds: inputs.jumpPointsSeconds,
    cache: new RealignCache(perf, score),
    snap: { scoreNotes: inputs.scoreNotes, params: DEFAULT_SNAP, beats: inputs.scoreBeats },
  };
  loaded.delete(inputs.key);
  loaded.set(inputs.key, l);
  while (loaded.size > KEPT) loaded.delete(loaded.keys().next().value!);
  return l;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function realign(req: EditRequest): Promise<AlignmentPath | null> {
  let l = loaded.get(req.key);
  if (req.inputs) {
    post({ type: 'progress', id: req.id, stage: 'loading', fraction: 0 });
    l = load(req.inputs);
  } else if (l) {
    // Touched: most recent last.
    loaded.delete(req.key);
    loaded.set(req.key, l);
  } else {
    post({ type: 'need-inputs', id: req.id });
    return null;
  }
  let path = pathOnGrid(req.path, l.perf.frames, l.perf.hopSeconds);
  const whole = req.spans.includes(null);
  const spans = whole ? [null] : req.spans;
  for (let k = 0; k < spans.length; k++) {
    // Let a cancel that came meanwhile be read before the next span.
    await turn();
    if (cancelled.has(req.id)) {
      post({ type: 'error', id: req.id, error: { code: 'cancelled', message: 'the job was cancelled' } });
      return null;
    }
    post({ type: 'progress', id: req.id, stage: 'realigning', fraction: 0.1 + (0.9 * k) / spans.length });
    const span = spans[k];
    path = span
      ? realignLocal(l.perf, l.score, path, req.corrections, span, {
          jumpPointsSeconds: l.jumpPointsSeconds,
          cache: l.cache,
          snap: l.snap,
          keepPath: true,
        })
      : realignAll(l.perf, l.score, path, req.corrections, l.jumpPointsSeconds, {
          cache: l.cache,
          snap: l.snap,
          keepPath: true,
        });
  }
  return path;
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let req = queue.shift(); req; req = queue.shift()) {
      current = req.id;
      const t0 = performance.now();
      try {
        const path = await realign(req);
        if (path) {
          post({ type: 'done', id: req.id, result: path, ms: performance.now() - t0 }, [
            path.scoreTime.buffer as ArrayBuffer,
            path.confidence.buffer as ArrayBuffer,
          ]);
        }
      } catch (err) {
        post({
          type: 'error',
          id: req.id,
          error: toIpcError(err),
        });
      }
      cancelled.delete(req.id);
      current = null;
    }
  } finally {
    running = false;
  }
}

parentPort?.on('message', (msg: EditRequest | EditCancel) => {
  if (msg.type === 'cancel') {
    if (msg.id === current || queue.some((r) => r.id === msg.id)) cancelled.add(msg.id);
  } else {
    queue.push(msg);
    void drain();
  }
});
