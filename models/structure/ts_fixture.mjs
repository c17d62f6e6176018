// The TypeScript side of the sample-builder test (models/tests/test_structure.py): random frame
// features turned into blocks by dumpFeatures' `blocksOf`, a performance joined from block ranges
// of them (a repeat and a skip), a score range, and the engine's own `buildNeuralInput` input and
// `neuralTarget` target (ground truth per frame from groundTruth's `scoreTimeAt`). Block and cell
// boundaries coincide (joined blocks = 2·L, score range = 3·L blocks), so blocks.py must give the
// same input.
//
//   node models/structure/ts_fixture.mjs <L: 16 | 256> <out.json>     (after npx tsc -p tsconfig.node.json)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(join(root, 'dist', 'node', p));
const { buildNeuralInput, neuralTarget } = await dist('shared/neural/input.js');
const { blocksOf, BLOCK_FRAMES } = await dist('electron/tools/training/dumpFeatures.js');
const { scoreTimeAt } = await dist('electron/tools/training/groundTruth.js');
const { HOP_SECONDS } = await dist('shared/dsp/params.js');

const L = Number(process.argv[2]);
const out = process.argv[3];
if (![16, 256].includes(L) || !out) throw new Error('usage: ts_fixture.mjs <16|256> <out.json>');

let seed = 12345 + L;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/** Frame features whose frames are constant within a block (n / 255 per bin), so block sums are exact. */
function features(blocks, silentEvery) {
  const frames = blocks * BLOCK_FRAMES;
  const chroma = new Float32Array(frames * 12);
  const onset = new Float32Array(frames * 12);
  for (let b = 0; b < blocks; b++) {
    const silent = b % silentEvery === 3;
    for (let c = 0; c < 12; c++) {
      const vc = silent ? 0 : Math.floor(rand() ** 3 * 256) / 255;
      const vo = silent || rand() < 0.4 ? 0 : Math.floor(rand() ** 4 * 256) / 255;
      for (let k = 0; k < BLOCK_FRAMES; k++) {
        chroma[(b * BLOCK_FRAMES + k) * 12 + c] = vc;
        onset[(b * BLOCK_FRAMES + k) * 12 + c] = vo;
      }
    }
  }
  return { frames, hopSeconds: HOP_SECONDS, chroma, onset, energy: new Float32Array(frames) };
}

function slice(f, a, b) {
  return {
    frames: b - a,
    hopSeconds: HOP_SECONDS,
    chroma: f.chroma.slice(a * 12, b * 12),
    onset: f.onset.slice(a * 12, b * 12),
    energy: f.energy.slice(a, b),
  };
}

// Source performance (2.5·L blocks) and the joined performance: pieces of 2·L blocks in all,
// a jump back (repeat) and a skip forward, every piece boundary on an even block.
const srcBlocks = (5 * L) / 2;
const pieces =
  L === 256
    ? [
        [0, 200],
        [120, 300],
        [508, 640],
      ]
    : [
        [0, 12],
        [6, 16],
        [30, 40],
      ];
const perfSrc = features(srcBlocks, 17);
const scoreBlocks = 4 * L;
const score = features(scoreBlocks, 23);
const [sa, sb] = [L / 4, L / 4 + 3 * L];

// Beats: the performance slightly uneven, an unplayed section (two intervals of 10 ms) in the middle.
const perfSeconds = srcBlocks * BLOCK_FRAMES * HOP_SECONDS;
const scoreSeconds = scoreBlocks * BLOCK_FRAMES * HOP_SECONDS;
const n = 40;
const perfBeats = [];
const scoreBeats = [];
let tp = 0.05 * perfSeconds;
let ts = 0.02 * scoreSeconds;
for (let i = 0; i < n; i++) {
  const unplayed = i === n / 2 + 1 || i === n / 2 + 2;
  if (i > 0) {
    tp += unplayed ? 0.01 : ((0.85 + 0.3 * rand()) * 0.85 * perfSeconds) / n;
    ts += unplayed ? 0.05 * scoreSeconds : (0.7 * scoreSeconds) / n;
  }
  perfBeats.push(tp);
  scoreBeats.push(ts);
}
const pairs = perfBeats.map((p, i) => ({ perf: p, score: scoreBeats[i] }));

// Joined performance frames and their true score frames.
const src = pieces.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
if (src.length !== 2 * L) throw new Error('pieces must hold 2·L blocks');
const frames = src.length * BLOCK_FRAMES;
const perf = {
  frames,
  hopSeconds: HOP_SECONDS,
  chroma: new Float32Array(frames * 12),
  onset: new Float32Array(frames * 12),
  energy: new Float32Array(frames),
};
const gt = new Float64Array(frames);
for (let f = 0; f < frames; f++) {
  const sf = src[Math.floor(f / BLOCK_FRAMES)] * BLOCK_FRAMES + (f % BLOCK_FRAMES);
  perf.chroma.set(perfSrc.chroma.subarray(sf * 12, sf * 12 + 12), f * 12);
  perf.onset.set(perfSrc.onset.subarray(sf * 12, sf * 12 + 12), f * 12);
  gt[f] = scoreTimeAt(pairs, sf * HOP_SECONDS, scoreSeconds) / HOP_SECONDS - sa * BLOCK_FRAMES;
}
const x = buildNeuralInput(perf, slice(score, sa * BLOCK_FRAMES, sb * BLOCK_FRAMES), L);
const y = neuralTarget(gt, (sb - sa) * BLOCK_FRAMES, L);
const b64 = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('base64');
writeFileSync(
  out,
  JSON.stringify({
    L,
    blockFrames: BLOCK_FRAMES,
    hopSeconds: HOP_SECONDS,
    perfBlocks: b64(blocksOf(perfSrc)),
    scoreBlocks: b64(blocksOf(score)),
    perfBeats,
    scoreBeats,
    scoreDuration: scoreSeconds,
    pieces,
    scoreRange: [sa, sb],
    x: b64(Uint8Array.from(x, (v) => Math.round(v * 255))),
    y: Array.from(y),
  }),
);
console.log(`wrote ${out}: L ${L}, ${srcBlocks} source blocks, ${scoreBlocks} score blocks`);
