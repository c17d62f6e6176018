import { describe, expect, it } from 'vitest';
import { alignDtw } from '../align/dtw.js';
import { smoothWarp, syntheticScore, warpFeatures } from '../align/synthetic.js';
import { xorshift32 } from '../random.js';
import type { AlignmentPath } from '../path.js';
import { scoreTimeAt } from '../path.js';
import { realignAll, realignLocal } from './realign.js';
import type { Corrections } from './types.js';
import { emptyCorrections } from './types.js';
import { createHistory, editSpan, record, redo, undo } from './history.js';
import {
  KEEP_FADE_SECONDS,
  KEEP_PATH_SECONDS,
  LOCAL_FIX_SECONDS,
  LOCAL_WINDOW_SECONDS,
} from './realign/rules.js';

const score = syntheticScore(3000, 7);
const hop = score.hopSeconds;
const warp = smoothWarp(3200, 3000, 11, 0.3);
const perf = warpFeatures(score, warp, 0.15, 4);

/** A path on the true warp plus `off(f)` score frames at perf frame f. */
function offPath(off: (f: number) => number): AlignmentPath {
  const q = Float64Array.from(warp, (w, f) => Math.max(0, w + off(f)) * hop);
  return {
    hopSeconds: hop,
    scoreTime: q,
    confidence: new Float32Array(q.length).fill(0.5),
    jumpFrames: [],
    method: 'dtw',
  };
}

/** A path that follows the true warp but drifts by `drift` score frames over frames a … b. */
function driftingPath(a: number, b: number, drift: number): AlignmentPath {
  return offPath((f) => (f < a || f > b ? 0 : drift * Math.sin((Math.PI * (f - a)) / (b - a))));
}

function anchorAt(f: number, id: string): Corrections['anchors'][number] {
  return { id, perfTime: f * hop, scoreTime: warp[f] * hop, source: 'drag' };
}

describe('realignLocal', () => {
  it('honours every anchor exactly, fixes the drift between them and leaves other frames alone', () => {
    const path = driftingPath(1000, 2000, 60);
    const corr: Corrections = {
      ...emptyCorrections(),
      anchors: [anchorAt(800, 'a'), anchorAt(1500, 'b'), anchorAt(2200, 'c')],
    };
    const out = realignLocal(perf, score, path, corr, { perfTime: 1500 * hop });
    for (const an of corr.anchors) {
      expect(out.scoreTime[Math.round(an.perfTime / hop)]).toBe(an.scoreTime);
      expect(out.confidence[Math.round(an.perfTime / hop)]).toBe(1);
    }
    for (let f = 0; f < 800; f++) expect(out.scoreTime[f]).toBe(path.scoreTime[f]);
    for (let f = 2201; f < warp.length; f++) expect(out.scoreTime[f]).toBe(path.scoreTime[f]);
    let worst = 0;
    for (let f = 800; f <= 2200; f++) worst = Math.max(worst, Math.abs(out.scoreTime[f] / hop - warp[f]));
    expect(worst).toBeLessThan(6);
    expect(out.jumpFrames).toEqual([]);
  });

  it('re-aligns a range between its neighbouring anchors only', () => {
    const path = driftingPath(1000, 2000, 60);
    const corr: Corrections = {
      ...emptyCorrections(),
      anchors: [anchorAt(900, 'a'), anchorAt(2100, 'b'), anchorAt(2600, 'c')],
    };
    const out = realignLocal(perf, score, path, corr, { perfStart: 1200 * hop, perfEnd: 1800 * hop });
    for (let f = 2101; f < warp.length; f++) expect(out.scoreTime[f]).toBe(path.scoreTime[f]);
    expect(Math.abs(out.scoreTime[1500] / hop - warp[1500])).toBeLessThan(6);
  });

  it('holds a not-in-score region flat with confidence 0', () => {
    const path = driftingPath(0, 1, 0);
    const corr: Corrections = {
      ...emptyCorrections(),
      regions: [{ id: 'r', perfStart: 1000 * hop, perfEnd: 1100 * hop, kind: 'not-in-score' }],
    };
    const out = realignAll(perf, score, path, corr, []);
    for (let f = 1000; f <= 1100; f++) {
      expect(out.scoreTime[f]).toBe(out.scoreTime[999]);
      expect(out.confidence[f]).toBe(0);
    }
  });

  it('keeps the old path where an edit is undone (delete the only anchor)', () => {
    const path = driftingPath(0, 1, 0);
    const out = realignLocal(perf, score, path, emptyCorrections(), { perfTime: 1500 * hop });
    let worst = 0;
    for (let f = 0; f < warp.length; f++)
      worst = Math.max(worst, Math.abs(out.scoreTime[f] - path.scoreTime[f]) / hop);
    expect(worst).toBeLessThan(6);
  });

  it('a manual jump makes a repeat the old path missed', () => {
    // Performance plays score frames 0–1500, then 0–3000 again.
    const w = new Float64Array(4500);
    for (let f = 0; f < 1500; f++) w[f] = f;
    for (let f = 1500; f < 4500; f++) w[f] = f - 1500;
    const p2 = warpFeatures(score, w, 0.15, 5);
    const old = alignDtw(p2, score);
    const corr: Corrections = {
      ...emptyCorrections(),
      jumps: [{ id: 'j', perfTime: 1500 * hop, toScoreTime: 0 }],
    };
    const out = realignLocal(p2, score, old, corr, { perfTime: 1500 * hop });
    expect(out.jumpFrames).toEqual([1500]);
    expect(out.scoreTime[1500]).toBe(0);
    expect(Math.abs(out.scoreTime[1499] / hop - 1499)).toBeLessThan(4);
    for (const f of [300, 1200, 2000, 3500, 4400])
      expect(Math.abs(scoreTimeAt(out, f * hop) / hop - w[f])).toBeLessThan(4);
  });

  it('undo after an anchor edit gives back the path before it; redo the edited one', () => {
    const base = realignAll(perf, score, driftingPath(1000, 2000, 60), emptyCorrections(), []);
    const s1 = record(
      { history: createHistory(), corrections: emptyCorrections() },
      { type: 'add-anchor', anchor: anchorAt(1500, 'a') },
    );
    const span1 = editSpan(s1.history.entries[0].op);
    if (!span1) throw new Error('expected a span');
    const edited = realignLocal(perf, score, base, s1.corrections, span1);
    expect(edited.scoreTime).not.toEqual(base.scoreTime);
    const u = undo(s1);
    const spanU = u && editSpan(u.applied);
    if (!u || !spanU) throw new Error('expected an undo with a span');
    const back = realignLocal(perf, score, edited, u.corrections, spanU);
    expect(back.scoreTime).toEqual(base.scoreTime);
    const r = redo(u);
    const spanR = r && editSpan(r.applied);
    if (!r || !spanR) throw new Error('expected a redo with a span');
    expect(realignLocal(perf, score, back, r.corrections, spanR).scoreTime).toEqual(edited.scoreTime);
  });

  it('a repeat-skipped region becomes a jump forward at its start', () => {
    // Performance plays score frames 0–1000, then skips to 2000–3000.
    const w = Float64Array.from({ length: 2000 }, (_, f) => (f < 1000 ? f : f + 1000));
    const p2 = warpFeatures(score, w, 0.15, 6);
    const old = alignDtw(p2, score);
    const corr: Corrections = {
      ...emptyCorrections(),
      regions: [{ id: 'r', perfStart: 1000 * hop, perfEnd: 1100 * hop, kind: 'repeat-skipped' }],
    };
    const out = realignAll(p2, score, old, corr, []);
    expect(out.jumpFrames).toEqual([1000]);
    for (const f of [500, 990, 1010, 1500, 1900])
      expect(Math.abs(scoreTimeAt(out, f * hop) / hop - w[f])).toBeLessThan(5);
  });

  it('a repeat-taken region becomes a jump back at its start', () => {
    const w = new Float64Array(4500);
    for (let f = 0; f < 1500; f++) w[f] = f;
    for (let f = 1500; f < 4500; f++) w[f] = f - 1500;
    const p2 = warpFeatures(score, w, 0.15, 5);
    const old = alignDtw(p2, score);
    const corr: Corrections = {
      ...emptyCorrections(),
      regions: [{ id: 'r', perfStart: 1500 * hop, perfEnd: 3000 * hop, kind: 'repeat-taken' }],
    };
    const out = realignAll(p2, score, old, corr, []);
    expect(out.jumpFrames).toHaveLength(1);
    expect(Math.abs(out.jumpFrames[0] - 1500)).toBeLessThan(3);
    for (const f of [300, 1200, 2000, 3500, 4400])
      expect(Math.abs(scoreTimeAt(out, f * hop) / hop - w[f])).toBeLessThan(5);
  });

  describe('jumps of the input path', () => {
    // Performance plays score frames 0–1500, then 0–3000 again; `truth` is that path with its jump.
    const w = new Float64Array(4500);
    for (let f = 0; f < 4500; f++) w[f] = f < 1500 ? f : f - 1500;
    const p2 = warpFeatures(score, w, 0.15, 5);
    const truth: AlignmentPath = {
      hopSeconds: hop,
      scoreTime: Float64Array.from(w, (x) => x * hop),
      confidence: new Float32Array(4500).fill(1),
      jumpFrames: [1500],
      method: 'jump',
    };
    const at = (f: number, id: string): Corrections['anchors'][number] => ({
      id,
      perfTime: f * hop,
      scoreTime: w[f] * hop,
      source: 'drag',
    });

    it('keeps an automatic jump away from the edit, locally and in realignAll', () => {
      const corr: Corrections = { ...emptyCorrections(), anchors: [at(2600, 'a')] };
      const local = realignLocal(p2, score, truth, corr, { perfTime: 2600 * hop });
      expect(local.jumpFrames).toEqual([1500]);
      for (let f = 0; f < 1500; f++) expect(local.scoreTime[f]).toBe(truth.scoreTime[f]);
      const all = realignAll(p2, score, truth, corr, []);
      expect(all.jumpFrames).toEqual([1500]);
      expect(Math.abs(all.scoreTime[3500] / hop - w[3500])).toBeLessThan(5);
    });

    it('removes the jump when its manual jump is deleted (edit at its time)', () => {
      const out = realignLocal(p2, score, truth, emptyCorrections(), { perfTime: 1500 * hop });
      expect(out.jumpFrames).toEqual([]);
      for (let f = 1; f < out.scoreTime.length; f++)
        expect(out.scoreTime[f]).toBeGreaterThanOrEqual(out.scoreTime[f - 1] - 1e-9);
    });

    it('drops a spurious automatic jump an anchor contradicts', () => {
      const bad: AlignmentPath = {
        ...truth,
        scoreTime: Float64Array.from(truth.scoreTime, (q, f) => (f >= 1000 && f < 1500 ? q + 300 * hop : q)),
        jumpFrames: [1000, 1500],
      };
      const corr: Corrections = { ...emptyCorrections(), anchors: [at(1100, 'a')] };
      const out = realignLocal(p2, score, bad, corr, { perfTime: 1100 * hop });
      expect(out.jumpFrames).toEqual([1500]);
      for (const f of [1050, 1300, 1450]) expect(Math.abs(out.scoreTime[f] / hop - w[f])).toBeLessThan(5);
    });

    it('one anchor in a repeat the old path missed brings the jump back', () => {
      const plain = alignDtw(p2, score);
      expect(Math.abs(plain.scoreTime[2000] / hop - w[2000])).toBeGreaterThan(2 / hop);
      const corr: Corrections = { ...emptyCorrections(), anchors: [at(2000, 'a')] };
      const out = realignLocal(p2, score, plain, corr, { perfTime: 2000 * hop });
      expect(out.jumpFrames).toHaveLength(1);
      expect(Math.abs(out.jumpFrames[0] - 1500)).toBeLessThanOrEqual(4);
      for (const f of [1200, 1490, 1510, 1800, 3000])
        expect(Math.abs(scoreTimeAt(out, f * hop) / hop - w[f]), `frame ${f}`).toBeLessThan(5);
    });

    it('an anchor the old path is merely late for makes no jump', () => {
      const late = driftingPath(1000, 2000, 100);
      const corr: Corrections = { ...emptyCorrections(), anchors: [anchorAt(1500, 'a')] };
      const out = realignLocal(perf, score, late, corr, { perfTime: 1500 * hop });
      expect(out.jumpFrames).toEqual([]);
    });

    it('an anchor behind the previous one implies a jump where the passes fit', () => {
      const corr: Corrections = { ...emptyCorrections(), anchors: [at(1000, 'a'), at(2000, 'b')] };
      const plain = alignDtw(p2, score);
      const out = realignAll(p2, score, plain, corr, []);
      expect(out.jumpFrames.some((J) => Math.abs(J - 1500) <= 4)).toBe(true);
      expect(out.scoreTime[1000]).toBe(w[1000] * hop);
      expect(out.scoreTime[2000]).toBe(w[2000] * hop);
    });
  });

  it('survives random corrections: finite, anchors honoured, holds flat', () => {
    const rnd = xorshift32(9);
    const base = driftingPath(500, 2500, 40);
    const dur = warp.length * hop;
    const kinds = ['repeat-taken', 'repeat-skipped', 'not-in-score', 'checked'] as const;
    for (let trial = 0; trial < 12; trial++) {
      const corr: Corrections = emptyCorrections();
      const n = 1 + Math.floor(rnd() * 6);
      for (let k = 0; k < n; k++) {
        const t = rnd() * dur;
        const r = rnd();
        if (r < 0.5)
          corr.anchors.push({ id: `a${k}`, perfTime: t, scoreTime: rnd() * 3000 * hop, source: 'drag' });
        else if (r < 0.75) corr.jumps.push({ id: `j${k}`, perfTime: t, toScoreTime: rnd() * 3000 * hop });
        else
          corr.regions.push({
            id: `r${k}`,
            perfStart: t,
            perfEnd: Math.min(dur, t + rnd() * 10),
            kind: kinds[Math.floor(rnd() * 4)],
          });
      }
      if (trial === 0)
        corr.anchors.push(
          { id: 'edge0', perfTime: 0, scoreTime: 0, source: 'import' },
          { id: 'edge1', perfTime: dur, scoreTime: 3000 * hop, source: 'import' },
        );
      const outs = [
        realignAll(perf, score, base, corr, []),
        realignLocal(perf, score, base, corr, { perfTime: rnd() * dur }),
      ];
      for (const out of outs) {
        expect(out.scoreTime.every((q) => Number.isFinite(q))).toBe(true);
        expect(out.confidence.every((c) => c >= 0 && c <= 1)).toBe(true);
      }
      const all = outs[0];
      const holdFrames = new Set<number>();
      for (const r of corr.regions.filter((x) => x.kind === 'not-in-score')) {
        for (
          let f = Math.round(r.perfStart / hop);
          f <= Math.min(warp.length - 1, Math.round(r.perfEnd / hop));
          f++
        )
          holdFrames.add(f);
      }
      for (const an of corr.anchors) {
        const f = Math.min(warp.length - 1, Math.round(an.perfTime / hop));
        if (!holdFrames.has(f))
          expect(all.scoreTime[f]).toBe(
            corr.anchors.filter((x) => Math.min(warp.length - 1, Math.round(x.perfTime / hop)) === f).pop()
              ?.scoreTime,
          );
      }
      for (const f of holdFrames)
        if (f > 0 && holdFrames.has(f - 1)) expect(all.scoreTime[f]).toBe(all.scoreTime[f - 1]);
    }
  });
});

describe('corrections stay local (`keepPath`)', () => {
  /** A path on the true warp except for a bump of `off` score frames peaking at `at`, `width` frames each side. */
  function glitchPath(at: number, width: number, off: number): AlignmentPath {
    return offPath((f) => off * Math.max(0, 1 - Math.abs(f - at) / width));
  }
  const window = Math.round(LOCAL_WINDOW_SECONDS / hop);

  it('keeps the input path between anchors it nearly passes, moved onto each near it only', () => {
    const path = glitchPath(0, 1, 0);
    // Anchors 2 frames' worth of score off the path (within KEEP_PATH_SECONDS).
    const nudge = (f: number, id: string): Corrections['anchors'][number] => ({
      ...anchorAt(f, id),
      scoreTime: (warp[f] + 2) * hop,
    });
    expect(2 * hop).toBeLessThan(KEEP_PATH_SECONDS);
    const corr: Corrections = { ...emptyCorrections(), anchors: [nudge(800, 'a'), nudge(1600, 'b')] };
    const kept = realignAll(perf, score, path, corr, [], { keepPath: true });
    const fade = Math.round(KEEP_FADE_SECONDS / hop);
    for (const f of [800, 1600]) {
      expect(kept.scoreTime[f]).toBeCloseTo(path.scoreTime[f] + 2 * hop, 9);
      const h = Math.floor(fade / 2);
      expect(kept.scoreTime[f + h]).toBeCloseTo(path.scoreTime[f + h] + 2 * hop * (1 - h / fade), 9);
    }
    for (const f of [400, 800 - fade, 1200, 1600 + fade, 2400])
      expect(kept.scoreTime[f]).toBe(path.scoreTime[f]);
    // Without it the stretches are the DTW's.
    const solved = realignAll(perf, score, path, corr, []);
    let moved = 0;
    for (let f = 801; f < 1600; f++)
      if (Math.abs(solved.scoreTime[f] - path.scoreTime[f] - 2 * hop) > 1e-6) moved++;
    expect(moved).toBeGreaterThan(100);
  });

  it('re-aligns only a short window before and after an anchor the path misses by a beat', () => {
    // The input path is 20 frames (≈ 0.46 s of score) late over frames 1440 … 1560, right elsewhere.
    const path = glitchPath(1500, 60, 20);
    const corr: Corrections = {
      ...emptyCorrections(),
      anchors: [anchorAt(800, 'a'), anchorAt(1500, 'b'), anchorAt(2200, 'c')],
    };
    const out = realignLocal(perf, score, path, corr, { perfTime: 1500 * hop }, { keepPath: true });
    expect(out.scoreTime[1500]).toBe(warp[1500] * hop);
    for (let f = 800; f <= 2200; f++) {
      if (Math.abs(f - 1500) <= window) expect(Math.abs(out.scoreTime[f] / hop - warp[f])).toBeLessThan(6);
      else expect(out.scoreTime[f]).toBeCloseTo(path.scoreTime[f], 9);
    }
  });

  it('still re-aligns a stretch the path drifts through, and one it misses by more than LOCAL_FIX_SECONDS', () => {
    const drift = driftingPath(1000, 2000, 60);
    const corr: Corrections = { ...emptyCorrections(), anchors: [anchorAt(900, 'a'), anchorAt(2100, 'b')] };
    const out = realignLocal(
      perf,
      score,
      drift,
      corr,
      { perfStart: 1200 * hop, perfEnd: 1800 * hop },
      { keepPath: true },
    );
    expect(Math.abs(out.scoreTime[1500] / hop - warp[1500])).toBeLessThan(6);
    const far = glitchPath(1500, 300, (1.5 * LOCAL_FIX_SECONDS) / hop);
    const at: Corrections = {
      ...emptyCorrections(),
      anchors: [anchorAt(1000, 'a'), anchorAt(1500, 'b'), anchorAt(2000, 'c')],
    };
    const fixed = realignLocal(perf, score, far, at, { perfTime: 1500 * hop }, { keepPath: true });
    for (const f of [1100, 1250, 1750, 1900])
      expect(Math.abs(fixed.scoreTime[f] / hop - warp[f])).toBeLessThan(6);
  });
});
