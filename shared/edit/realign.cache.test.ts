import { describe, expect, it } from 'vitest';
import { alignDtw } from '../align/dtw.js';
import { syntheticScore, warpFeatures } from '../align/synthetic.js';
import { xorshift32 } from '../random.js';
import type { AlignmentPath } from '../path.js';
import type { EditSpan } from './realign.js';
import { RealignCache, realignAll, realignLocal } from './realign.js';
import { GOOD_SAMPLE_FRAMES } from './realign/kernel.js';
import type { Corrections } from './types.js';
import { emptyCorrections } from './types.js';

const score = syntheticScore(3000, 7);
const hop = score.hopSeconds;
// Score frames 0–1500, then 0–3000 again: anchors on the second pass can imply a jump back.
const warp = Float64Array.from({ length: 4500 }, (_, f) => (f < 1500 ? f : f - 1500));
const perf = warpFeatures(score, warp, 0.15, 5);
const dtw = alignDtw(perf, score);
const jumpPoints = [500, 1000, 1500, 2000, 2500].map((c) => c * hop + 0.2);

const anchor = (f: number, scoreFrame: number, id: string): Corrections['anchors'][number] => ({
  id,
  perfTime: f * hop,
  scoreTime: scoreFrame * hop,
  source: 'drag',
});

/** The bytes of a typed array, so equal means bit for bit. */
const bits = (a: Float64Array | Float32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function expectSame(cached: AlignmentPath, plain: AlignmentPath): void {
  expect(bits(cached.scoreTime)).toEqual(bits(plain.scoreTime));
  expect(bits(cached.confidence)).toEqual(bits(plain.confidence));
  expect(cached.jumpFrames).toEqual(plain.jumpFrames);
}

/** One random correction added to (or an anchor moved in, or deleted from) `corr`, and the span it touched. */
function randomEdit(rnd: () => number, corr: Corrections, k: number): { corr: Corrections; span: EditSpan } {
  const f = Math.floor(rnd() * warp.length);
  const r = rnd();
  const next: Corrections = {
    anchors: [...corr.anchors],
    jumps: [...corr.jumps],
    regions: [...corr.regions],
  };
  if (r < 0.35) {
    // Near the truth, or (one in three) on the other pass of the repeat: an implied jump.
    const other = rnd() < 1 / 3 ? (warp[f] + 1500) % 3000 : warp[f] + (rnd() - 0.5) * 20;
    next.anchors.push(anchor(f, other, `a${k}`));
    return { corr: next, span: { perfTime: f * hop } };
  }
  if (r < 0.5 && next.anchors.length) {
    const i = Math.floor(rnd() * next.anchors.length);
    const old = next.anchors[i];
    if (rnd() < 0.5) next.anchors.splice(i, 1);
    else next.anchors[i] = { ...old, scoreTime: old.scoreTime + (rnd() - 0.5) };
    return { corr: next, span: { perfTime: old.perfTime } };
  }
  if (r < 0.65) {
    next.jumps.push({ id: `j${k}`, perfTime: f * hop, toScoreTime: rnd() * 3000 * hop });
    return { corr: next, span: { perfTime: f * hop } };
  }
  const kinds = ['repeat-taken', 'repeat-skipped', 'not-in-score', 'checked'] as const;
  const end = Math.min(warp.length - 1, f + Math.floor(rnd() * 400));
  next.regions.push({
    id: `r${k}`,
    perfStart: f * hop,
    perfEnd: end * hop,
    kind: kinds[Math.floor(rnd() * 4)],
  });
  return { corr: next, span: { perfStart: f * hop, perfEnd: end * hop } };
}

describe('RealignCache', () => {
  it('gives the same paths as no cache, bit for bit, over a chain of random edits (seeded)', () => {
    const cache = new RealignCache(perf, score);
    for (const seed of [1, 2]) {
      const rnd = xorshift32(seed);
      let corr = emptyCorrections();
      let path = dtw;
      for (let k = 0; k < 8; k++) {
        const edit = randomEdit(rnd, corr, k);
        corr = edit.corr;
        const options = { jumpPointsSeconds: jumpPoints };
        const plain = realignLocal(perf, score, path, corr, edit.span, options);
        expectSame(realignLocal(perf, score, path, corr, edit.span, { ...options, cache }), plain);
        if (k === 7) {
          const all = realignAll(perf, score, path, corr, jumpPoints);
          expectSame(realignAll(perf, score, path, corr, jumpPoints, { cache }), all);
        }
        path = plain;
      }
    }
    expect(cache.cutSearches).toBeGreaterThan(0);
  });

  it('samples the path cost again only where the previous edit moved the path', () => {
    // Anchors every 300 frames on the truth, then one more between two of them at a time: each
    // edit moves the path between the two anchors around it (≤ 600 frames), no further.
    const spacing = 300;
    const corr = emptyCorrections();
    for (let f = 150; f < warp.length; f += spacing) corr.anchors.push(anchor(f, warp[f], `a${f}`));
    const cache = new RealignCache(perf, score);
    let path = realignAll(perf, score, dtw, corr, [], { cache });
    const whole = Math.ceil(perf.frames / GOOD_SAMPLE_FRAMES);
    expect(cache.pathCellsEvaluated).toBe(whole);
    const bound = Math.ceil((2 * spacing) / GOOD_SAMPLE_FRAMES) + 1;
    expect(bound).toBeLessThan(whole / 5);
    const rnd = xorshift32(5);
    for (let k = 0; k < 7; k++) {
      const f = 150 + spacing * Math.floor(rnd() * 14) + 50 + Math.floor(rnd() * 200);
      corr.anchors.push(anchor(f, warp[f] + 8, `n${k}`));
      const before = cache.pathCellsEvaluated;
      const cached = realignLocal(perf, score, path, corr, { perfTime: f * hop }, { cache });
      const plain = realignLocal(perf, score, path, corr, { perfTime: f * hop });
      expectSame(cached, plain);
      // The first edit re-samples what realignAll moved (anywhere); each later one at most the
      // stretch the edit before it changed, where the whole computation samples all `whole`.
      if (k > 0) expect(cache.pathCellsEvaluated - before).toBeLessThanOrEqual(bound);
      path = plain;
    }
  });

  it('searches an implied jump once, not again on each later edit elsewhere', () => {
    const cache = new RealignCache(perf, score);
    // At frame 2500 the performance plays score frame 1000 again: behind the anchor at 1450. The
    // jump goes near frame 1500, within OLD_JUMP_OVERRIDE_SECONDS of the end of a not-in-score
    // region, so every later plan drops it from the input path and asks the cut finder again.
    const corr: Corrections = {
      ...emptyCorrections(),
      anchors: [anchor(1450, 1450, 'a'), anchor(2500, 1000, 'b')],
      regions: [{ id: 'r', perfStart: 1370 * hop, perfEnd: 1390 * hop, kind: 'not-in-score' }],
    };
    let path = realignLocal(perf, score, dtw, corr, { perfTime: 2500 * hop }, { cache });
    expect(cache.cutSearches).toBe(1);
    for (const f of [3500, 4000, 400]) {
      corr.anchors.push(anchor(f, warp[f], `x${f}`));
      const cached = realignLocal(perf, score, path, corr, { perfTime: f * hop }, { cache });
      const plain = realignLocal(perf, score, path, corr, { perfTime: f * hop });
      expectSame(cached, plain);
      path = plain;
    }
    expect(cache.cutSearches).toBe(1);
  });

  it('refuses a cache made for other features', () => {
    const cache = new RealignCache(warpFeatures(score, warp, 0.15, 6), score);
    expect(() => realignLocal(perf, score, dtw, emptyCorrections(), { perfTime: 10 }, { cache })).toThrow(
      /cache was made for other features/,
    );
    expect(() => realignAll(perf, score, dtw, emptyCorrections(), [], { cache })).toThrow(
      /cache was made for other features/,
    );
  });
});
