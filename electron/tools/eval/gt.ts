/**
 * Ground truth for evaluation cases: ASAP beat pairing (with unplayed sections removed) and the
 * split-join edits of the structure set (cut at beats, rejoined, GT carried through the cuts).
 */
import type { GtRow } from '../../../shared/eval/metric.js';
import { UNPLAYED_GAP_SECONDS } from '../../../shared/formats/asap.js';
import type { PcmAudio } from './wav.js';

/** Beat-level GT of one performance, and how many beats were dropped as unplayed. */
export interface PairedBeats {
  rows: Required<GtRow>[];
  droppedBeats: number;
  unplayedRuns: number;
}

/**
 * Pairs performance and score beat times line by line (same count required). A run of two or
 * more consecutive performance intervals < UNPLAYED_GAP_SECONDS is an unplayed section: its
 * first and last beats are real (the jump goes from one to the other), the beats between are
 * dropped, and a new segment starts at the run's last beat.
 */
export function pairBeats(perfTimes: number[], scoreTimes: number[]): PairedBeats {
  if (perfTimes.length !== scoreTimes.length) {
    throw new Error(
      `beat pairing: expected equal beat counts, got ${perfTimes.length} performance vs ${scoreTimes.length} score`,
    );
  }
  const n = perfTimes.length;
  const drop = new Uint8Array(n);
  const newSeg = new Uint8Array(n);
  let runs = 0;
  let i = 0;
  while (i < n - 1) {
    let j = i;
    while (j < n - 1 && perfTimes[j + 1] - perfTimes[j] < UNPLAYED_GAP_SECONDS) j++;
    if (j - i >= 2) {
      runs++;
      for (let k = i + 1; k < j; k++) drop[k] = 1;
      newSeg[j] = 1;
    }
    i = Math.max(j, i + 1);
  }
  const rows: Required<GtRow>[] = [];
  let seg = 0;
  for (let k = 0; k < n; k++) {
    if (drop[k]) continue;
    if (newSeg[k] && rows.length) seg++;
    rows.push({ perfTime: perfTimes[k], scoreTime: scoreTimes[k], segment: seg });
  }
  return { rows, droppedBeats: n - rows.length, unplayedRuns: runs };
}

/** Kinds of structural edit in the structure set. */
export type EditKind = 'repeat' | 'skip' | 'jumpback';

/** A split-join edit: the source intervals [startSeconds, endSeconds) played one after the other. */
export interface Edit {
  kind: EditKind;
  /** Source beats (indices into the source GT rows) where the cut and the re-entry happen. */
  cutBeat: number;
  resumeBeat: number;
  pieces: { startSeconds: number; endSeconds: number }[];
}

/** Beat-count ranges [min, max] of each edit kind. */
export const EDIT_BEATS: Record<EditKind, [number, number]> = {
  repeat: [8, 16],
  skip: [8, 32],
  jumpback: [32, 96],
};

/**
 * Plans an edit on source GT `rows` (audio `durationSeconds` long) with random numbers from
 * `rand` (0..1): repeat = play to beat b, go back L ∈ [8, 16] beats and continue to the end;
 * skip = leave out L ∈ [8, 32] beats; jumpback = go back L ∈ [32, 96] beats (a long return).
 * Cut beats lie inside one GT segment, away from the ends; pieces start and end at beat times.
 */
export function planEdit(
  kind: EditKind,
  rows: readonly Required<GtRow>[],
  durationSeconds: number,
  rand: () => number,
): Edit {
  const n = rows.length;
  const [lo, hi] = EDIT_BEATS[kind];
  for (let attempt = 0; attempt < 200; attempt++) {
    const len = Math.min(lo + Math.floor(rand() * (hi - lo + 1)), Math.floor(n * 0.4));
    let cut: number;
    let resume: number;
    if (kind === 'skip') {
      cut = Math.floor(n * (0.2 + 0.5 * rand()));
      resume = cut + len;
    } else {
      resume = Math.floor(n * (0.15 + 0.5 * rand()));
      cut = resume + len;
    }
    if (len < 4 || cut < 8 || resume < 4 || cut > n - 8 || resume > n - 8) continue;
    const a = Math.min(cut, resume);
    const b = Math.max(cut, resume);
    if (rows[a].segment !== rows[b].segment) continue;
    return {
      kind,
      cutBeat: cut,
      resumeBeat: resume,
      pieces: [
        { startSeconds: 0, endSeconds: rows[cut].perfTime },
        { startSeconds: rows[resume].perfTime, endSeconds: durationSeconds },
      ],
    };
  }
  throw new Error(`structure edit: found no ${kind} of ${lo}..${hi} beats in a performance of ${n} beats`);
}

/**
 * GT of the edited performance: source beats inside each piece, shifted to output time; a new
 * segment for every piece and for every source segment change within a piece.
 */
export function applyEditToGt(rows: readonly Required<GtRow>[], pieces: Edit['pieces']): Required<GtRow>[] {
  const out: Required<GtRow>[] = [];
  let offset = 0;
  let seg = -1;
  pieces.forEach((piece) => {
    let lastSrcSeg: number | undefined;
    for (const r of rows) {
      if (r.perfTime < piece.startSeconds || r.perfTime >= piece.endSeconds) continue;
      if (r.segment !== lastSrcSeg) {
        seg++;
        lastSrcSeg = r.segment;
      }
      out.push({ perfTime: r.perfTime - piece.startSeconds + offset, scoreTime: r.scoreTime, segment: seg });
    }
    offset += piece.endSeconds - piece.startSeconds;
  });
  return out;
}

/**
 * Joins source intervals (in samples) of every channel with a linear crossfade of
 * `crossfadeSamples` centred on each cut; output length = sum of interval lengths.
 */
export function spliceChannels(
  channels: readonly Float32Array[],
  pieces: { start: number; end: number }[],
  crossfadeSamples: number,
): Float32Array[] {
  const total = pieces.reduce((a, p) => a + (p.end - p.start), 0);
  const h = Math.floor(crossfadeSamples / 2);
  return channels.map((src) => {
    const out = new Float32Array(total);
    let o = 0;
    pieces.forEach((p, k) => {
      const fadeIn = k > 0 ? h : 0;
      const fadeOut = k < pieces.length - 1 ? h : 0;
      for (let i = p.start - fadeIn; i < p.end + fadeOut; i++) {
        const d = o + (i - p.start);
        if (d < 0 || d >= total) continue;
        let w = 1;
        if (i < p.start + fadeIn) w = (i - (p.start - fadeIn) + 0.5) / (2 * fadeIn);
        else if (i >= p.end - fadeOut) w = (p.end + fadeOut - i - 0.5) / (2 * fadeOut);
        const v = i >= 0 && i < src.length ? src[i] : 0;
        out[d] += w * v;
      }
      o += p.end - p.start;
    });
    return out;
  });
}

/**
 * `spliceChannels` of a recording with its pieces in seconds (rounded to samples) and a
 * crossfade of `crossfadeSeconds`: the cut-and-rejoined channels of a structure case.
 */
export function spliceSeconds(
  pcm: PcmAudio,
  pieces: readonly { startSeconds: number; endSeconds: number }[],
  crossfadeSeconds: number,
): Float32Array[] {
  return spliceChannels(
    pcm.channels,
    pieces.map((p) => ({
      start: Math.round(p.startSeconds * pcm.sampleRate),
      end: Math.round(p.endSeconds * pcm.sampleRate),
    })),
    Math.round(crossfadeSeconds * pcm.sampleRate),
  );
}
