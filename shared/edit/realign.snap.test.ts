/**
 * Onset snapping of the stretches the editor re-solves (`RealignOptions.snap`): between a
 * stretch's pinned ends each chord moves onto its keys' onset, as the aligner's path does.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SNAP } from '../align/snap.js';
import { smoothWarp, syntheticScore, warpFeatures } from '../align/synthetic.js';
import { FEATURE_PARAMS, NUM_PITCHES } from '../dsp/params.js';
import type { AlignmentPath } from '../path.js';
import { realignAll, realignLocal } from './realign.js';
import type { Corrections } from './types.js';
import { emptyCorrections } from './types.js';

const score = syntheticScore(3000, 7);
const hop = score.hopSeconds;
const warp = smoothWarp(3200, 3000, 11, 0.3);
const base = warpFeatures(score, warp, 0.15, 4);

/** First perf frame at which the warp reaches score frame c. */
const truthFrame = (c: number): number => warp.findIndex((w) => w >= c);
/** First frame at which a path reaches score time t. */
const frameAt = (p: AlignmentPath, t: number): number => p.scoreTime.findIndex((s) => s >= t - 1e-9);

// A chord (two keys) every 50 score frames; the recording strikes each one frame after the
// warp reaches it, which the chroma cannot see and the note onsets can.
const chords = Array.from({ length: 50 }, (_, k) => 525 + 50 * k);
const scoreNotes = chords.flatMap((c, k) => [
  { onset: c * hop, pitch: 48 + (k % 12) },
  { onset: c * hop, pitch: 60 + ((k * 5) % 12) },
]);
const notes = new Float32Array(base.frames * NUM_PITCHES);
for (const n of scoreNotes)
  notes[(truthFrame(n.onset / hop) + 1) * NUM_PITCHES + n.pitch - FEATURE_PARAMS.minPitch] = 0.9;
const perf = { ...base, notes };
const snap = { scoreNotes, params: { ...DEFAULT_SNAP, offsetSeconds: 0 } };

const path: AlignmentPath = {
  hopSeconds: hop,
  scoreTime: Float64Array.from(warp, (w, f) => (w + 40 * Math.sin((Math.PI * f) / warp.length)) * hop),
  confidence: new Float32Array(warp.length).fill(0.5),
  jumpFrames: [],
  method: 'dtw',
};
const anchorAt = (f: number, id: string): Corrections['anchors'][number] => ({
  id,
  perfTime: f * hop,
  scoreTime: warp[f] * hop,
  source: 'drag',
});
const corr: Corrections = { ...emptyCorrections(), anchors: [anchorAt(700, 'a'), anchorAt(2400, 'b')] };

describe('re-solved stretches snapped onto onsets', () => {
  it('puts each chord between the anchors on its onset frame; the anchors and the frames outside stay', () => {
    const plain = realignLocal(perf, score, path, corr, { perfTime: 1500 * hop });
    const snapped = realignLocal(perf, score, path, corr, { perfTime: 1500 * hop }, { snap });
    const inside = chords.filter((c) => truthFrame(c) > 705 && truthFrame(c) < 2395);
    expect(inside.length).toBeGreaterThan(25);
    let onPlain = 0;
    for (const c of inside) {
      expect(frameAt(snapped, c * hop)).toBe(truthFrame(c) + 1);
      if (frameAt(plain, c * hop) === truthFrame(c) + 1) onPlain++;
    }
    expect(onPlain, 'the DP alone already put the chords on their onsets').toBeLessThan(inside.length / 2);
    for (const an of corr.anchors)
      expect(snapped.scoreTime[Math.round(an.perfTime / hop)]).toBe(an.scoreTime);
    for (let f = 0; f < 700; f++) expect(snapped.scoreTime[f]).toBe(path.scoreTime[f]);
    for (let f = 2401; f < warp.length; f++) expect(snapped.scoreTime[f]).toBe(path.scoreTime[f]);
  });

  it('times the beats between the chords, which no key is struck on, from the chords around them', () => {
    // A beat on every chord and one halfway between each two (struck on nothing).
    const beats = chords.flatMap((c) => [c * hop, (c + 25) * hop]);
    const timed = realignLocal(
      perf,
      score,
      path,
      corr,
      { perfTime: 1500 * hop },
      { snap: { ...snap, beats } },
    );
    const snapped = realignLocal(perf, score, path, corr, { perfTime: 1500 * hop }, { snap });
    const inside = chords.filter((c) => c + 50 <= 3000 && truthFrame(c) > 705 && truthFrame(c + 50) < 2395);
    expect(inside.length).toBeGreaterThan(25);
    let halfwayBefore = 0;
    for (const c of inside) {
      // Halfway between the frames its chords are struck on (read at whole frames).
      const halfway = (truthFrame(c) + truthFrame(c + 50)) / 2 + 1;
      expect(Math.abs(frameAt(timed, (c + 25) * hop) - halfway)).toBeLessThanOrEqual(1);
      expect(frameAt(timed, c * hop)).toBe(truthFrame(c) + 1);
      if (Math.abs(frameAt(snapped, (c + 25) * hop) - halfway) <= 1) halfwayBefore++;
    }
    expect(halfwayBefore, 'the path already had every unstruck beat halfway').toBeLessThan(inside.length);
    for (const an of corr.anchors) expect(timed.scoreTime[Math.round(an.perfTime / hop)]).toBe(an.scoreTime);
    for (let f = 0; f < 700; f++) expect(timed.scoreTime[f]).toBe(path.scoreTime[f]);
  });

  it('snaps in a whole re-alignment too, and without note features changes nothing', () => {
    const all = realignAll(perf, score, path, corr, [], { snap });
    for (const c of chords.filter((x) => truthFrame(x) > 705 && truthFrame(x) < 2395))
      expect(frameAt(all, c * hop)).toBe(truthFrame(c) + 1);
    const bare = realignAll(base, score, path, corr, [], { snap });
    expect(Array.from(bare.scoreTime)).toEqual(Array.from(realignAll(base, score, path, corr, []).scoreTime));
  });
});
