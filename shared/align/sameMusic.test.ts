import { describe, expect, it } from 'vitest';
import { xorshift32 } from '../random.js';
import type { Route } from './refine.js';
import {
  DEFAULT_STRAIGHT,
  nearerCopies,
  preferStraight,
  sameMusicIndex,
  sameSeconds,
  shiftedCoarse,
} from './sameMusic.js';
import type { CoarseJumpPath } from './jump.js';

/** Random notes, about four a second, over `seconds`, starting at `from`. */
function phrase(seed: number, from: number, seconds: number): { onset: number; pitch: number }[] {
  const rnd = xorshift32(seed);
  const out: { onset: number; pitch: number }[] = [];
  for (let t = 0; t < seconds; t += 0.25) {
    out.push({ onset: from + t, pitch: 40 + Math.floor(rnd() * 40) });
    if (rnd() < 0.5) out.push({ onset: from + t, pitch: 40 + Math.floor(rnd() * 40) });
  }
  return out;
}

/** A score X (0–10 s), A (10–30), B (30–40), A again (40–60), C (60–80): A's repeat written out. */
function repeatScore(): { onset: number; pitch: number }[] {
  const a = phrase(2, 0, 20);
  return [
    ...phrase(1, 0, 10),
    ...a.map((n) => ({ ...n, onset: n.onset + 10 })),
    ...phrase(3, 30, 10),
    ...a.map((n) => ({ ...n, onset: n.onset + 40 })),
    ...phrase(4, 60, 20),
  ];
}

const HOP = 0.1; // score seconds per frame in these routes
const seg = (
  perfStart: number,
  perfEnd: number,
  scoreStart: number,
  scoreEnd: number,
): Route['segments'][number] => ({
  perfStart,
  perfEnd,
  scoreStart,
  scoreEnd,
});
/** Perf frame where a pass reaches a score frame, at the pass's own even tempo. */
const linear = (s: Route['segments'][number], frame: number): number =>
  Math.round(
    s.perfStart + ((frame - s.scoreStart) / (s.scoreEnd - s.scoreStart)) * (s.perfEnd - s.perfStart),
  );

describe('sameSeconds', () => {
  const m = sameMusicIndex(repeatScore());

  it('measures how long two copies of the same music agree note for note', () => {
    const same = sameSeconds(m, 10, 30, 40);
    expect(same.seconds).toBeCloseTo(20, 6);
    expect(same.notes).toBeGreaterThan(80);
    // Started half-way into the copies, the run is the rest of them.
    expect(sameSeconds(m, 20, 30, 40).seconds).toBeCloseTo(10, 6);
  });

  it('finds no run between different music, nor at a wrong offset', () => {
    expect(sameSeconds(m, 0, 30, 10).seconds).toBe(0);
    expect(sameSeconds(m, 10, 29.5, 20).seconds).toBeLessThan(0.5);
  });

  it('stops at the first note one copy lacks, in either copy', () => {
    const notes = repeatScore();
    const extra = [...notes, { onset: 50.1, pitch: 20 }]; // only in the second copy, 10.1 s in
    expect(sameSeconds(sameMusicIndex(extra), 10, 30, 20).seconds).toBeCloseTo(10.1, 6);
    const missing = notes.filter((n) => !(n.onset > 15 && n.onset < 15.3 && n.onset < 30)); // gone from the first copy
    expect(sameSeconds(sameMusicIndex(missing), 10, 30, 20).seconds).toBeCloseTo(5.25, 6);
  });
});

describe('preferStraight', () => {
  const m = sameMusicIndex(repeatScore());

  it('leaves a skipped repeat at the end of the copy played (X A C, found as X → A again → C)', () => {
    // The performance plays X (100 frames), A (200), C (200); the search left X for the second A.
    const route: Route = { segments: [seg(0, 100, 0, 100), seg(100, 500, 400, 800)] };
    const out = preferStraight(route, m, HOP, linear);
    expect(out).toBeDefined();
    expect(out!.route.segments).toEqual([seg(0, 300, 0, 300), seg(300, 500, 600, 800)]);
    expect(out!.moved).toEqual([{ perfStart: 100, perfEnd: 300, scoreFrames: -300 }]);
  });

  it('takes out a detour through the other copy of the same music', () => {
    // X A B A C played straight; the search played the first A's second half from the second copy.
    const route: Route = {
      segments: [seg(0, 200, 0, 200), seg(200, 300, 500, 600), seg(300, 800, 300, 800)],
    };
    const out = preferStraight(route, m, HOP, linear);
    expect(out!.route.segments).toEqual([seg(0, 800, 0, 800)]);
  });

  it('joins a landing whose other copy starts within the join distance of where the pass ended', () => {
    // The search skipped 1.5 s as it left: X played to 8.5 s, then the second A.
    const route: Route = { segments: [seg(0, 85, 0, 85), seg(85, 485, 400, 800)] };
    const out = preferStraight(route, m, HOP, linear);
    expect(out!.route.segments).toEqual([seg(0, 285, 0, 300), seg(285, 485, 600, 800)]);
  });

  it('keeps true jumps: a landing on music the straight way does not play', () => {
    const skip: Route = { segments: [seg(0, 300, 0, 300), seg(300, 500, 600, 800)] }; // X A → C
    expect(preferStraight(skip, m, HOP, linear)).toBeUndefined();
    const back: Route = { segments: [seg(0, 300, 0, 300), seg(300, 600, 0, 300)] }; // X A → X A
    expect(preferStraight(back, m, HOP, linear)).toBeUndefined();
  });

  it('takes out a short detour that starts where the pass before ended', () => {
    // 2 s of the second A, then back to the first A where that leaves off: X A B … played straight.
    const route: Route = {
      segments: [seg(0, 100, 0, 100), seg(100, 120, 400, 420), seg(120, 400, 120, 400)],
    };
    expect(preferStraight(route, m, HOP, linear)!.route.segments).toEqual([seg(0, 400, 0, 400)]);
  });

  it('moves no pass onto a copy that starts off the join and lasts too little to vouch for it, nor small jumps', () => {
    // X to 8.5 s, 2 s of the second A (1.5 s past where X ended had it been the first), then C.
    const short: Route = { segments: [seg(0, 85, 0, 85), seg(85, 105, 400, 420), seg(105, 300, 600, 795)] };
    expect(sameSeconds(m, 10, 30, 2).notes).toBeLessThan(DEFAULT_STRAIGHT.minSameNotes);
    expect(preferStraight(short, m, HOP, linear)).toBeUndefined();
    const small: Route = { segments: [seg(0, 100, 0, 100), seg(100, 300, 110, 310)] };
    expect(preferStraight(small, m, HOP, linear)).toBeUndefined();
  });
});

describe('nearerCopies', () => {
  const m = sameMusicIndex(repeatScore());

  it('moves an inner pass to the copy of the same music its jumps in and out reach with less score crossed', () => {
    // Played: X A, A again (a repeat), then X again; found: X A, the second A (40–60 s), X.
    const route: Route = {
      segments: [seg(0, 300, 0, 300), seg(300, 500, 400, 600), seg(500, 600, 0, 100)],
    };
    const out = nearerCopies(route, m, HOP);
    expect(out).toBeDefined();
    expect(out!.route.segments).toEqual([
      seg(0, 300, 0, 300),
      seg(300, 500, 100, 300),
      seg(500, 600, 0, 100),
    ]);
    expect(out!.moved).toEqual([{ perfStart: 300, perfEnd: 500, scoreFrames: -300 }]);
    // The route given is not touched.
    expect(route.segments[1].scoreStart).toBe(400);
  });

  it('keeps the copy whose jumps cross less, and passes that have no copy', () => {
    // X A, the second A, then C: going on from the second A crosses less than from the first.
    const far: Route = { segments: [seg(0, 300, 0, 300), seg(300, 500, 400, 600), seg(500, 600, 700, 800)] };
    expect(nearerCopies(far, m, HOP)).toBeUndefined();
    // B (30–40 s) is written once.
    const unique: Route = { segments: [seg(0, 300, 0, 300), seg(300, 400, 300, 400), seg(400, 500, 0, 100)] };
    expect(nearerCopies(unique, m, HOP)).toBeUndefined();
  });

  it('finds a copy written at another tempo, and moves the pass through the map between them', () => {
    // X (0–10 s), A (10–30), B (30–40), A written again 1.25 times as slow (40–65), C (65–85).
    const a = phrase(2, 0, 20);
    const slow = sameMusicIndex([
      ...phrase(1, 0, 10),
      ...a.map((x) => ({ ...x, onset: x.onset + 10 })),
      ...phrase(3, 30, 10),
      ...a.map((x) => ({ ...x, onset: 40 + 1.25 * x.onset })),
      ...phrase(4, 65, 20),
    ]);
    // X played to 5 s, then the slow copy to the end: the first A is 30 s nearer.
    const route: Route = { segments: [seg(0, 50, 0, 50), seg(50, 250, 400, 650)] };
    const out = nearerCopies(route, slow, HOP)!;
    expect(out.route.segments).toEqual([seg(0, 50, 0, 50), seg(50, 250, 100, 300)]);
    expect(out.moved).toHaveLength(1);
    // The map takes the slow copy's frames to the first A's: 52.5 s is 10 s into A's music.
    expect(out.moved[0].map!(525)).toBeCloseTo(200, 6);
    // A note added to the copy (a changed voicing) leaves it a copy; every fifth note changed does not.
    const notes = [
      ...phrase(1, 0, 10),
      ...a.map((x) => ({ ...x, onset: x.onset + 10 })),
      ...phrase(3, 30, 10),
      ...phrase(4, 65, 20),
    ];
    const copy = a.map((x) => ({ ...x, onset: 40 + 1.25 * x.onset }));
    const added = sameMusicIndex([...notes, ...copy, { onset: 50.1, pitch: 20 }]);
    expect(nearerCopies(route, added, HOP)!.route.segments[1]).toEqual(seg(50, 250, 100, 300));
    const changed = sameMusicIndex([
      ...notes,
      ...copy.map((x, i) => (i % 5 === 4 ? { ...x, pitch: 20 } : x)),
    ]);
    expect(nearerCopies(route, changed, HOP)).toBeUndefined();
    // The same score without the slow copy: nothing to move to.
    const once = sameMusicIndex([
      ...phrase(1, 0, 10),
      ...phrase(3, 30, 10),
      ...a.map((x) => ({ ...x, onset: 40 + 1.25 * x.onset })),
    ]);
    expect(nearerCopies(route, once, HOP)).toBeUndefined();
  });

  it('moves the last pass by its jump in alone', () => {
    // X played to 5 s, then the second A to the end: the first A is 25 s nearer.
    const route: Route = { segments: [seg(0, 50, 0, 50), seg(50, 250, 400, 600)] };
    expect(nearerCopies(route, m, HOP)!.route.segments).toEqual([seg(0, 50, 0, 50), seg(50, 250, 100, 300)]);
    // From the end of C (80 s) the second A is the nearer.
    const fromC: Route = { segments: [seg(0, 200, 600, 800), seg(200, 400, 400, 600)] };
    expect(nearerCopies(fromC, m, HOP)).toBeUndefined();
  });

  it('moves no short pass, no gain under the least, and no first pass', () => {
    // 3 s of the second A: too little music to vouch for the copy.
    const short: Route = { segments: [seg(0, 300, 0, 300), seg(300, 330, 400, 430), seg(330, 430, 0, 100)] };
    expect(nearerCopies(short, m, HOP)).toBeUndefined();
    const route: Route = {
      segments: [seg(0, 300, 0, 300), seg(300, 500, 400, 600), seg(500, 600, 0, 100)],
    };
    // The move saves 20 s of score crossed (70 → 50).
    expect(
      nearerCopies(route, m, HOP, { minPassSeconds: 4, edgeSeconds: 1, minGainSeconds: 25 }),
    ).toBeUndefined();
    // The second A first (no jump in to judge by), then X, which is written once.
    const first: Route = { segments: [seg(0, 200, 400, 600), seg(200, 300, 0, 100)] };
    expect(nearerCopies(first, m, HOP)).toBeUndefined();
  });
});

describe('preferStraight with a copy written at another tempo', () => {
  /** X (0–10 s), A (10–30), B (30–40), A written 1.5 times as slow (40–70), C (70–90); `keep` filters A′'s notes. */
  function slowerCopyScore(keep: (k: number) => boolean = () => true): { onset: number; pitch: number }[] {
    const a = phrase(2, 0, 20);
    return [
      ...phrase(1, 0, 10),
      ...a.map((n) => ({ ...n, onset: n.onset + 10 })),
      ...phrase(3, 30, 10),
      ...a.filter((_, k) => keep(k)).map((n) => ({ ...n, onset: 40 + 1.5 * n.onset })),
      ...phrase(4, 70, 20),
    ];
  }
  // X A B A′ C played straight; the search played A's second half (20–30 s) from A′ (55–70 s).
  const detour: Route = {
    segments: [seg(0, 200, 0, 200), seg(200, 300, 550, 700), seg(300, 800, 300, 800)],
  };

  it('takes out a detour through the slower copy, and maps its coarse frames onto the straight copy', () => {
    const out = preferStraight(detour, sameMusicIndex(slowerCopyScore()), HOP, linear);
    expect(out!.route.segments).toEqual([seg(0, 800, 0, 800)]);
    expect(out!.moved).toHaveLength(1);
    const map = out!.moved[0].map!;
    expect(map(550)).toBeCloseTo(200, 0);
    expect(map(625)).toBeCloseTo(250, 0);
    expect(map(700)).toBeCloseTo(300, 0);
  });

  it('takes it out when a tenth of the copy’s notes differ (ornaments written out otherwise), not when a third do', () => {
    const tenth = sameMusicIndex(slowerCopyScore((k) => k % 10 !== 3));
    expect(preferStraight(detour, tenth, HOP, linear)!.route.segments).toEqual([seg(0, 800, 0, 800)]);
    const third = sameMusicIndex(slowerCopyScore((k) => k % 3 !== 1));
    expect(preferStraight(detour, third, HOP, linear)).toBeUndefined();
  });

  it('keeps a true jump into the slower copy from music that does not continue into it', () => {
    // A skip from the middle of B (35 s) to A′ (40 s): the straight way plays the rest of B first,
    // and A′ itself is no copy of the straight way.
    const fromB: Route = { segments: [seg(0, 350, 0, 350), seg(350, 650, 400, 700)] };
    expect(preferStraight(fromB, sameMusicIndex(slowerCopyScore()), HOP, linear)).toBeUndefined();
  });
});

describe('shiftedCoarse', () => {
  it('moves the coarse score frames of the moved perf range by whole coarse cells', () => {
    const coarse: CoarseJumpPath = {
      perfFactor: 4,
      scoreFactor: 2,
      perfFrames: Int32Array.from({ length: 10 }, (_, i) => i),
      scoreFrames: Int32Array.from([0, 2, 4, 50, 52, 54, 56, 58, 60, 62]),
      jumps: [3],
      cells: 0,
    };
    const out = shiftedCoarse(coarse, [{ perfStart: 12, perfEnd: 24, scoreFrames: -90 }]);
    expect(Array.from(out.scoreFrames)).toEqual([0, 2, 4, 5, 7, 9, 11, 58, 60, 62]);
    expect(Array.from(coarse.scoreFrames)).toEqual([0, 2, 4, 50, 52, 54, 56, 58, 60, 62]);
  });
});
