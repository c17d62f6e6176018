/**
 * Worker thread entry: decoding, features, alignment and the matrix image run here, off the main
 * thread (re-alignments under hand corrections run in the long-lived `editWorker.ts`). The request
 * comes as `workerData`; progress, the result or the error go back as `WorkerMessage`s;
 * `{ type: 'cancel' }` aborts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeAudioFile } from '../../engine/audio.js';
import { loadScoreBytes } from '../../engine/score.js';
import { scoreFeatures } from '../../../shared/dsp/features.js';
import { recordingFeatures } from '../../engine/features.js';
import { FEATURE_PARAMS } from '../../../shared/dsp/params.js';
import { toIpcError } from '../errors.js';
import type { Stage } from '../../engine/pipeline.js';
import { computePeaks } from '../../engine/peaks.js';
import { similarityImage } from './matrix.js';
import { estimateTransposition, rotateChroma } from '../../../shared/dsp/transpose.js';
import { readFile } from 'node:fs/promises';
import { AccordError } from '../../../shared/ipc.js';
import { encodeGrayPng } from '../../engine/png.js';
import type {
  AlignTaskResult,
  AnalyzeResult,
  ChromaFeatures,
  ControlMessage,
  PeaksResult,
  ScanTaskPage,
  ScoreResult,
  WorkerMessage,
  WorkerRequest,
} from './protocol.js';

/** Share of the whole align job per pipeline stage, in order. */
const STAGE_WEIGHTS: Record<Stage, number> = { decode: 0.2, score: 0.05, features: 0.35, align: 0.4 };

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(msg, transfer);
}

function progress(stage: Stage, fraction: number): void {
  let before = 0;
  for (const s of Object.keys(STAGE_WEIGHTS) as Stage[]) {
    if (s === stage) break;
    before += STAGE_WEIGHTS[s];
  }
  const f = Math.min(1, Math.max(0, fraction));
  post({ type: 'progress', stage, fraction: before + STAGE_WEIGHTS[stage] * f });
}

/** The feature arrays' buffers, each once (a buffer may be listed only once for transfer). */
function buffersOf(f: ChromaFeatures): ArrayBuffer[] {
  const all = [f.chroma, f.onset, f.energy, f.notes].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
  return [...new Set(all)];
}

async function chroma(
  audioPath: string,
  signal: AbortSignal,
  onStage?: (s: Stage, f: number) => void,
): Promise<ChromaFeatures> {
  onStage?.('decode', 0);
  const audio = await decodeAudioFile(audioPath, { signal });
  onStage?.('decode', 1);
  signal.throwIfAborted();
  // The same features the alignment computes, the note network's included when its model loads.
  const { features: f } = await recordingFeatures(audio.samples, {
    onProgress: (x) => onStage?.('features', x),
  });
  return {
    sha256: audio.sha256,
    featureVersion: FEATURE_PARAMS.version,
    frames: f.frames,
    hopSeconds: f.hopSeconds,
    chroma: f.chroma,
    onset: f.onset,
    energy: f.energy,
    ...(f.notes ? { notes: f.notes } : {}),
    ...(f.attackRiseFrames !== undefined ? { attackRiseFrames: f.attackRiseFrames } : {}),
  };
}

async function run(
  req: WorkerRequest,
  signal: AbortSignal,
): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  switch (req.task) {
    case 'analyze': {
      const audio = await decodeAudioFile(req.audioPath, { signal });
      const peaks = computePeaks(audio.samples, FEATURE_PARAMS.sampleRate, req.pointsPerSecond);
      const result: AnalyzeResult = {
        sha256: audio.sha256,
        durationSeconds: audio.durationSeconds,
        sampleRate: audio.sourceSampleRate,
        channels: audio.channels,
        pointsPerSecond: req.pointsPerSecond,
        peaks,
      };
      return { result, transfer: [peaks.buffer as ArrayBuffer] };
    }
    case 'peaks': {
      const audio = await decodeAudioFile(req.audioPath, { signal });
      const peaks = computePeaks(audio.samples, FEATURE_PARAMS.sampleRate, req.pointsPerSecond);
      const result: PeaksResult = { sha256: audio.sha256, durationSeconds: audio.durationSeconds, peaks };
      return { result, transfer: [peaks.buffer as ArrayBuffer] };
    }
    case 'features': {
      const result = await chroma(req.audioPath, signal);
      return { result, transfer: buffersOf(result) };
    }
    case 'score': {
      const { score, musicxml } = await loadScoreBytes(req.scoreBytes, req.scoreName);
      const result: ScoreResult = musicxml === undefined ? { score } : { score, musicxml };
      return { result, transfer: [] };
    }
    case 'align': {
      // Loaded here so the other tasks do not pay for the engine (and its ONNX runtime).
      const { align } = await import('../../engine/pipeline.js');
      const r = await align(
        req.audioPath,
        { bytes: req.scoreBytes, name: req.scoreName },
        { method: req.method, signal, modelDir: req.modelDir, onProgress: progress },
      );
      const { path, timings, warnings, features } = r;
      const result: AlignTaskResult = { path, timings, warnings, features };
      return { result, transfer: buffersOf(features) };
    }
    case 'scan': {
      // Loaded here so the other tasks do not pay for pdf.js.
      const { readScanPages } = await import('../../engine/scan.js');
      const { ScanError } = await import('../../../shared/pages/scan/errors.js');
      const { detectScanPage } = await import('../../../shared/pages/scan/detect.js');
      const pages: ScanTaskPage[] = [];
      const files = req.files.length;
      // Each file is half reading (a PDF renders page by page), half detecting.
      for (const [i, f] of req.files.entries()) {
        signal.throwIfAborted();
        post({ type: 'progress', stage: 'read', fraction: i / files });
        const images = await readScanPages(new Uint8Array(await readFile(f.path)), f.name, {
          signal,
          onPage: (done, count) =>
            post({ type: 'progress', stage: 'read', fraction: (i + (0.5 * done) / count) / files }),
        }).catch((err: unknown) => {
          throw err instanceof ScanError ? new AccordError('unsupported', err.message) : err;
        });
        for (const [j, image] of images.entries()) {
          signal.throwIfAborted();
          if (pages.length >= req.maxPages)
            throw new AccordError(
              'invalid-argument',
              `The scan: expected at most ${req.maxPages} pages, ${f.name} brings more`,
            );
          pages.push({
            sourceName: f.name,
            sourcePage: j + 1,
            width: image.width,
            height: image.height,
            png: encodeGrayPng(image),
            detection: detectScanPage(image, pages.length + 1),
          });
          post({
            type: 'progress',
            stage: 'detect',
            fraction: (i + 0.5 + (0.5 * (j + 1)) / images.length) / files,
          });
        }
      }
      return { result: pages, transfer: pages.map((p) => p.png.buffer as ArrayBuffer) };
    }
    case 'matrix': {
      const score = await loadScoreBytes(req.scoreBytes, req.scoreName);
      const sf = scoreFeatures(score.score.notes, score.score.duration);
      const f = req.features;
      // At the score's pitch, as the aligner reads the recording (`atScorePitch`).
      const k = estimateTransposition(f, sf).semitones;
      const image = similarityImage(
        k === 0 ? f.chroma : rotateChroma(f.chroma, f.frames, k),
        f.frames,
        sf.chroma,
        sf.frames,
        req.width,
        req.height,
        f.hopSeconds,
      );
      return { result: image, transfer: [image.pixels.buffer as ArrayBuffer] };
    }
  }
}

const controller = new AbortController();
parentPort?.on('message', (msg: ControlMessage) => {
  if (msg.type === 'cancel') controller.abort(new DOMException('the job was cancelled', 'AbortError'));
});

try {
  const { result, transfer } = await run(workerData as WorkerRequest, controller.signal);
  post({ type: 'done', result }, transfer);
} catch (err) {
  post({ type: 'error', error: toIpcError(err, controller.signal) });
}
parentPort?.close();
