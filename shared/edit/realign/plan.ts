/** The constraint plan: corrections and the input path's jumps turned into stretches that tile the recording. */
import type { AlignmentPath } from '../../path.js';
import { JUMP_BACK_SECONDS } from '../../path.js';
import type { Corrections } from '../types.js';
import {
  ANCHOR_CHECK_SECONDS,
  ANCHOR_CONTRADICTION_SECONDS,
  IMPLIED_JUMP_OFF_SECONDS,
  OLD_JUMP_OVERRIDE_SECONDS,
} from './rules.js';

/** How a stretch starts: pinned to a score time, at the value of an earlier frame, or free (in a direction from a reference frame). */
export type StartSpec =
  | { kind: 'pin'; score: number }
  | { kind: 'prev'; frame: number }
  | { kind: 'open'; dir: 'any' | 'back' | 'fwd'; refFrame: number };
/** How a stretch ends: pinned to a score time, at the value of an earlier frame, or free. */
export type EndSpec = { kind: 'pin'; score: number } | { kind: 'prev'; frame: number } | { kind: 'open' };

/** Perf frames first … last (inclusive) re-aligned by a monotone DTW. */
export interface Stretch {
  kind: 'dtw';
  first: number;
  last: number;
  start: StartSpec;
  end: EndSpec;
  /** Starts the recording unconstrained: leading silence holds the first score position. */
  lead?: boolean;
  /** Ends the recording unconstrained: trailing silence holds the last score position. */
  tail?: boolean;
}
/** Perf frames first … last (inclusive) of a `not-in-score` region: held at a neighbour's position. */
export interface Hold {
  kind: 'hold';
  first: number;
  last: number;
}
/** One piece of the plan. */
export type PlanItem = Stretch | Hold;

/** The constraint plan: items tiling the recording (stretches share their pinned end frames). */
export interface Plan {
  items: PlanItem[];
  /** Frames pinned by anchors → score seconds. */
  anchors: Map<number, number>;
  /** Frames f where the path may be discontinuous between f − 1 and f. */
  cuts: Set<number>;
  /** Frame spans [previous pin, anchor] in which an anchor implied a jump. */
  implied: [number, number][];
}

/**
 * Where (first frame of the later pass) a jump between pin (fromFrame, score fromScore) and pin
 * (toFrame, score toScore) fits best, and how much cheaper that is than one monotone pass (less
 * the jump penalty).
 */
export type CutFinder = (
  fromFrame: number,
  fromScore: number,
  toFrame: number,
  toScore: number,
) => { cut: number; gain: number };

/** The frames whose values `item` reads (its inputs from items before it). */
export function itemDependencies(item: PlanItem): number[] {
  if (item.kind === 'hold') return [item.first - 1];
  const deps: number[] = [];
  if (item.start.kind === 'prev') deps.push(item.start.frame);
  if (item.start.kind === 'open') deps.push(item.start.refFrame);
  if (item.end.kind === 'prev') deps.push(item.end.frame);
  return deps;
}

function frameOf(t: number, hop: number, frameCount: number): number {
  return Math.min(frameCount - 1, Math.max(0, Math.round(t / hop)));
}

/** Distinct frames in ascending order. */
function sortedFrames(frames: number[]): Int32Array {
  return Int32Array.from(new Set(frames)).sort();
}

/** First frames of the runs of held (`not-in-score`) frames. */
function heldRunStarts(corrections: Corrections, held: Uint8Array, frameAt: (t: number) => number): number[] {
  const starts: number[] = [];
  for (const region of corrections.regions) {
    if (region.kind !== 'not-in-score') continue;
    const first = frameAt(Math.min(region.perfStart, region.perfEnd));
    if (first === 0 || !held[first - 1]) starts.push(first);
  }
  return starts;
}

/** Builds the constraint plan of `corrections` over the whole recording (see `rules.ts`); input jumps in `dropRanges` (frames) are dropped. */
export function buildPlan(
  path: AlignmentPath,
  corrections: Corrections,
  dropRanges: readonly [number, number][],
  cutBetween: CutFinder,
): Plan {
  const frameCount = path.scoreTime.length;
  const hop = path.hopSeconds;
  const oldScore = path.scoreTime;
  const frameAt = (t: number): number => frameOf(t, hop, frameCount);
  const held = new Uint8Array(frameCount);
  const boundaries: number[] = [];
  for (const region of corrections.regions) {
    if (region.kind !== 'not-in-score') continue;
    const first = frameAt(Math.min(region.perfStart, region.perfEnd));
    const last = frameAt(Math.max(region.perfStart, region.perfEnd));
    held.fill(1, first, last + 1);
    boundaries.push(first, last + 1);
  }
  const anchors = new Map<number, number>();
  for (const anchor of corrections.anchors) {
    const f = frameAt(anchor.perfTime);
    if (!held[f]) anchors.set(f, anchor.scoreTime);
  }
  const cuts = new Map<number, StartSpec>();
  const endPins = new Map<number, EndSpec>();
  for (const region of corrections.regions) {
    if (region.kind !== 'repeat-taken' && region.kind !== 'repeat-skipped') continue;
    const startFrame = frameAt(Math.min(region.perfStart, region.perfEnd));
    const endFrame = frameAt(Math.max(region.perfStart, region.perfEnd));
    if (startFrame < 1 || held[startFrame] || held[startFrame - 1]) continue;
    boundaries.push(startFrame);
    cuts.set(startFrame, {
      kind: 'open',
      dir: region.kind === 'repeat-taken' ? 'back' : 'fwd',
      refFrame: startFrame - 1,
    });
    if (region.kind === 'repeat-taken' && endFrame > startFrame && !held[endFrame])
      endPins.set(endFrame, { kind: 'prev', frame: startFrame - 1 });
  }
  for (const jump of corrections.jumps) {
    // The frame at or just before perfTime, so the path is at the target at perfTime itself.
    const f = Math.min(frameCount - 1, Math.max(0, Math.floor(jump.perfTime / hop + 1e-6)));
    if (f < 1 || held[f]) continue;
    boundaries.push(f);
    cuts.set(f, { kind: 'pin', score: jump.toScoreTime });
  }
  // The input path's own jumps, unless overridden.
  const overrideFrames = OLD_JUMP_OVERRIDE_SECONDS / hop;
  const checkFrames = ANCHOR_CHECK_SECONDS / hop;
  for (const jumpFrame of path.jumpFrames) {
    if (
      jumpFrame < 1 ||
      jumpFrame >= frameCount ||
      held[jumpFrame] ||
      held[jumpFrame - 1] ||
      cuts.has(jumpFrame)
    )
      continue;
    if (boundaries.some((b) => Math.abs(b - jumpFrame) <= overrideFrames)) continue;
    if (dropRanges.some(([lo, hi]) => jumpFrame >= lo && jumpFrame <= hi)) continue;
    let contradicted = false;
    for (const [f, s] of anchors) {
      if (Math.abs(f - jumpFrame) <= checkFrames && Math.abs(oldScore[f] - s) > ANCHOR_CONTRADICTION_SECONDS)
        contradicted = true;
    }
    if (contradicted) continue;
    cuts.set(jumpFrame, { kind: 'pin', score: oldScore[jumpFrame] });
    if (!anchors.has(jumpFrame - 1))
      endPins.set(jumpFrame - 1, { kind: 'pin', score: oldScore[jumpFrame - 1] });
  }
  // An anchor behind the previous pinned point of its pass implies a jump between them; one
  // far off the input path implies one where a jump fits much better than a monotone pass. The
  // jump goes where the two passes fit the performance best.
  // Only frames with an anchor or a cut, or starting a held run, change the state of this walk.
  const runStarts = heldRunStarts(corrections, held, frameAt);
  const events = sortedFrames([...anchors.keys(), ...cuts.keys(), ...runStarts]);
  const implied: [number, number][] = [];
  let pinnedScore = held[0] ? -Infinity : oldScore[0];
  let pinnedFrame = held[0] ? -1 : 0;
  for (const f of events) {
    if (held[f] || cuts.has(f)) {
      pinnedScore = -Infinity;
      pinnedFrame = -1;
    }
    const cut = cuts.get(f);
    if (cut?.kind === 'pin') {
      pinnedScore = cut.score;
      pinnedFrame = f;
    }
    const anchorScore = anchors.get(f);
    if (anchorScore === undefined) continue;
    const behind = anchorScore < pinnedScore - JUMP_BACK_SECONDS;
    const off = Math.abs(oldScore[f] - anchorScore) > IMPLIED_JUMP_OFF_SECONDS;
    if (f >= 1 && pinnedFrame >= 0 && pinnedFrame < f && !cuts.has(f) && (behind || off)) {
      const found = cutBetween(pinnedFrame, pinnedScore, f, anchorScore);
      if (behind || found.gain > 0) {
        const at = Math.min(f, Math.max(pinnedFrame + 1, found.cut));
        cuts.set(
          at,
          at === f ? { kind: 'pin', score: anchorScore } : { kind: 'open', dir: 'any', refFrame: -1 },
        );
        implied.push([pinnedFrame, f]);
      }
    }
    pinnedScore = anchorScore;
    pinnedFrame = f;
  }

  // Where a stretch must end: at an anchor or end pin, before a cut or a held run, at the last frame.
  const stops = sortedFrames([
    frameCount - 1,
    ...anchors.keys(),
    ...endPins.keys(),
    ...[...cuts.keys(), ...runStarts].map((g) => g - 1),
  ]);
  let nextStop = 0;
  const items: PlanItem[] = [];
  let f = 0;
  while (f < frameCount) {
    if (held[f]) {
      let g = f;
      while (g + 1 < frameCount && held[g + 1]) g++;
      items.push({ kind: 'hold', first: f, last: g });
      f = g + 1;
      continue;
    }
    const first = f;
    let start: StartSpec;
    const startAnchor = anchors.get(first);
    const cut = cuts.get(first);
    if (startAnchor !== undefined) start = { kind: 'pin', score: startAnchor };
    else if (cut) start = cut;
    else if (first === 0) start = { kind: 'pin', score: oldScore[0] };
    else if (held[first - 1]) {
      let h = first - 1;
      while (h > 0 && held[h - 1]) h--;
      start = h > 0 ? { kind: 'prev', frame: h - 1 } : { kind: 'open', dir: 'any', refFrame: -1 };
    } else start = { kind: 'prev', frame: first };
    const breaksAfter = (g: number): boolean => g + 1 >= frameCount || held[g + 1] === 1 || cuts.has(g + 1);
    if (breaksAfter(first)) {
      // A one-frame stretch.
      items.push({
        kind: 'dtw',
        first,
        last: first,
        start,
        end: startAnchor !== undefined ? { kind: 'pin', score: startAnchor } : { kind: 'open' },
      });
      f = first + 1;
      continue;
    }
    while (stops[nextStop] < first + 1) nextStop++;
    const last = stops[nextStop];
    const endAnchor = anchors.get(last);
    let end: EndSpec;
    if (endAnchor !== undefined) end = { kind: 'pin', score: endAnchor };
    else if (endPins.has(last)) end = endPins.get(last) as EndSpec;
    else if (last === frameCount - 1) end = { kind: 'pin', score: oldScore[frameCount - 1] };
    else end = { kind: 'open' };
    items.push({
      kind: 'dtw',
      first,
      last,
      start,
      end,
      lead: first === 0 && startAnchor === undefined && !cut,
      tail: last === frameCount - 1 && endAnchor === undefined && !endPins.has(last),
    });
    f = breaksAfter(last) ? last + 1 : last;
  }
  return { items, anchors, cuts: new Set(cuts.keys()), implied };
}
