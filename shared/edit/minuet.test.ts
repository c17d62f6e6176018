import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../electron/engine/audio.js';
import { loadScore } from '../../electron/engine/score.js';
import { alignDtw } from '../align/dtw.js';
import type { Features } from '../dsp/features.js';
import { audioFeatures, scoreFeatures } from '../dsp/features.js';
import type { AlignmentPath } from '../path.js';
import { scoreTimeAt } from '../path.js';
import { realignLocal } from './realign.js';
import type { Corrections } from './types.js';
import { emptyCorrections } from './types.js';

const dir = fileURLToPath(new URL('../../resources/fixtures/minuet-repeat/', import.meta.url));

interface GtRow {
  perf: number;
  score: number;
  segment: number;
}

/** Per-beat errors (s) by the scorer's rule: predicted score time at the true perf time, mapped back through the true pass. */
function beatErrors(path: AlignmentPath, gt: GtRow[]): number[] {
  return gt.map((row) => {
    const q = scoreTimeAt(path, row.perf);
    const pass = gt.filter((r) => r.segment === row.segment);
    let k = 0;
    while (k + 2 < pass.length && pass[k + 1].score < q) k++;
    const a = pass[k];
    const b = pass[k + 1];
    const t = a.perf + ((q - a.score) * (b.perf - a.perf)) / (b.score - a.score);
    return Math.abs(t - row.perf);
  });
}

function readGt(name: string): GtRow[] {
  return readFileSync(dir + name, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [p, s, g] = l.split(',').map(Number);
      return { perf: p, score: s, segment: g ?? 0 };
    });
}

describe('manual jump on the minuet with a repeat', () => {
  let perf: Features;
  let score: Features;
  let gt: GtRow[];
  let jumpPoints: number[];
  /** Per-beat errors of plain DTW against the score with the repeat written out (what DTW reaches knowing the structure). */
  let reference: number[];
  beforeAll(async () => {
    const audio = await decodeAudioFile(dir + 'performance.ogg');
    const loaded = await loadScore(dir + 'score-norepeat.mid');
    perf = audioFeatures(audio.samples);
    score = scoreFeatures(loaded.score.notes, loaded.score.duration);
    jumpPoints = loaded.score.jumpPoints;
    gt = readGt('gt.csv');
    const unfolded = await loadScore(dir + 'score.mid');
    const full = alignDtw(perf, scoreFeatures(unfolded.score.notes, unfolded.score.duration));
    reference = beatErrors(full, readGt('gt-unfolded.csv'));
  }, 60_000);

  it('plain DTW misses the repeat; the jump at the true time brings the beats within 50 ms (or to what DTW reaches knowing the repeat)', () => {
    const plain = alignDtw(perf, score);
    const before = beatErrors(plain, gt);
    expect(before.filter((e) => e > 0.05).length).toBeGreaterThan(gt.length / 4);
    const second = gt.find((r) => r.segment === 1);
    if (!second) throw new Error('gt.csv: expected a second pass (segment 1)');
    const corr: Corrections = {
      ...emptyCorrections(),
      jumps: [{ id: 'j1', perfTime: second.perf, toScoreTime: second.score }],
    };
    const fixed = realignLocal(
      perf,
      score,
      plain,
      corr,
      { perfTime: second.perf },
      { jumpPointsSeconds: jumpPoints },
    );
    expect(fixed.jumpFrames).toHaveLength(1);
    const after = beatErrors(fixed, gt);
    expect(reference).toHaveLength(after.length);
    // Beats inside the held final chord are beyond DTW either way; every other beat is within 50 ms.
    after.forEach((e, i) =>
      expect(e, `beat at ${gt[i].perf} s`).toBeLessThan(Math.max(0.05, reference[i] + 0.02)),
    );
    const within = (errs: number[]): number => errs.filter((e) => e < 0.05).length;
    expect(within(after)).toBeGreaterThanOrEqual(within(reference));
    expect(within(after)).toBeGreaterThan(within(before) + gt.length / 4);
  });

  it('one anchor dropped in the missed repeat brings the jump back to its true time', () => {
    const plain = alignDtw(perf, score);
    const second = gt.filter((r) => r.segment === 1);
    const target = second[6];
    const corr: Corrections = {
      ...emptyCorrections(),
      anchors: [{ id: 'a', perfTime: target.perf, scoreTime: target.score, source: 'drag' }],
    };
    const fixed = realignLocal(
      perf,
      score,
      plain,
      corr,
      { perfTime: target.perf },
      { jumpPointsSeconds: jumpPoints },
    );
    expect(fixed.jumpFrames).toHaveLength(1);
    expect(Math.abs(fixed.jumpFrames[0] * fixed.hopSeconds - second[0].perf)).toBeLessThan(0.1);
    const within = (errs: number[]): number => errs.filter((e) => e < 0.05).length;
    expect(within(beatErrors(fixed, gt))).toBeGreaterThanOrEqual(within(reference) - 2);
  });
});
