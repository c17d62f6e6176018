/**
 * The alignment path: for every performance feature frame, the score position being played.
 * The path may jump (repeat taken, skip, jump back); between jumps it is continuous.
 * Everything downstream (exports, the editor, the metric) uses this type.
 */

/** Alignment methods the engine offers. */
export type AlignMethod = 'auto' | 'dtw' | 'jump' | 'neural' | 'import' | 'manual';

/** An explicit discontinuity of the path. */
export interface Jump {
  /** First frame after the jump (frame `frame - 1` is the last before it). */
  frame: number;
  /** Performance time of `frame`, seconds. */
  perfTime: number;
  /** Score time at frame `frame - 1`. */
  fromScore: number;
  /** Score time at frame `frame`. */
  toScore: number;
}

/** A dense performance→score path. Perf time of frame f is `f * hopSeconds`. */
export interface AlignmentPath {
  /** Performance frame spacing in seconds (hop / sample rate, about 23.2 ms). */
  hopSeconds: number;
  /** Score time (seconds) of each performance frame. */
  scoreTime: Float64Array;
  /** Confidence of each frame, 0 (doubtful) .. 1 (sure). */
  confidence: Float32Array;
  /** Frames f where f-1 → f is a jump, sorted ascending, none at 0. */
  jumpFrames: number[];
  /** How the path was made. */
  method: AlignMethod;
  /** Version of the neural model that routed it, where one did. */
  modelVersion?: string;
}

/** Scorer rule: back by more than this (score seconds) between consecutive rows is a jump. */
export const JUMP_BACK_SECONDS = 0.25;
/** Scorer rule: forward by more than this plus `JUMP_MAX_SLOPE` × Δperf is a jump. */
export const JUMP_FORWARD_SECONDS = 1;
/** Scorer rule: the slope allowance of a forward jump (score seconds per perf second). */
export const JUMP_MAX_SLOPE = 4;

/** Whether consecutive rows (p0, q0) → (p1, q1) (seconds) form a jump by the scorer's rule (../shared/method.md). */
export function isScorerJump(p0: number, q0: number, p1: number, q1: number): boolean {
  const d = q1 - q0;
  return d < -JUMP_BACK_SECONDS || d > JUMP_FORWARD_SECONDS + JUMP_MAX_SLOPE * (p1 - p0);
}

/** Continuous passes between jumps: frames `startFrame` … `endFrame − 1` (end exclusive). */
export function segments(path: AlignmentPath): { startFrame: number; endFrame: number }[] {
  const n = path.scoreTime.length;
  if (n === 0) return [];
  const out: { startFrame: number; endFrame: number }[] = [];
  let start = 0;
  for (const j of path.jumpFrames) {
    if (j <= start || j >= n) continue;
    out.push({ startFrame: start, endFrame: j });
    start = j;
  }
  out.push({ startFrame: start, endFrame: n });
  return out;
}

/**
 * How far (s) a refined cut is moved earlier, onto the new pass. A cut is made at the onset of
 * the first beat played after it, and the refinement places it 10–50 ms late (measured on the
 * validation multi-operation set, `.eval/preds-v5`: 47 of 73 found cuts late, median +10 ms);
 * a late cut reads that first beat in the old pass, a whole jump away, while an early one costs
 * nothing, since no beat lies within this distance before a beat onset. 0.07 s (3 frames):
 * 0.05 s left a fifth of the late cuts, 0.1 s gained nothing more.
 */
export const JUMP_LEAD_SECONDS = 0.07;

/**
 * Moves every jump of `path` `leadFrames` frames earlier (at most half of the pass before it):
 * the frames it takes from the old pass continue the new pass backwards at its opening tempo,
 * with the new pass's first confidence. Changes `path` in place and returns it.
 */
export function leadJumps(path: AlignmentPath, leadFrames: number): AlignmentPath {
  const { scoreTime, confidence } = path;
  const n = scoreTime.length;
  const hop = path.hopSeconds;
  let passStart = 0;
  path.jumpFrames = path.jumpFrames.map((f) => {
    const lead = Math.max(0, Math.min(Math.floor(leadFrames), Math.floor((f - passStart) / 2)));
    const ahead = Math.min(8, n - 1 - f);
    const rate = ahead > 0 ? Math.max(0, (scoreTime[f + ahead] - scoreTime[f]) / (ahead * hop)) : 0;
    for (let i = f - lead; i < f; i++) {
      scoreTime[i] = Math.max(0, scoreTime[f] - (f - i) * hop * rate);
      confidence[i] = confidence[f];
    }
    passStart = f;
    return f - lead;
  });
  return path;
}

/**
 * `path`, made for frames first … first + n − 1 of a recording of `frames` frames (n its length),
 * widened to all of them: the frames before hold its first score time and confidence, the frames
 * after its last (the silence before and after the music); its jumps move with it.
 */
export function withSilentEdges(path: AlignmentPath, first: number, frames: number): AlignmentPath {
  const n = path.scoreTime.length;
  if (n === 0 || (first === 0 && n === frames)) return path;
  const scoreTime = new Float64Array(frames);
  const confidence = new Float32Array(frames);
  scoreTime.fill(path.scoreTime[0], 0, first);
  scoreTime.set(path.scoreTime.subarray(0, frames - first), first);
  scoreTime.fill(path.scoreTime[n - 1], first + n);
  confidence.fill(path.confidence[0], 0, first);
  confidence.set(path.confidence.subarray(0, frames - first), first);
  confidence.fill(path.confidence[n - 1], first + n);
  return { ...path, scoreTime, confidence, jumpFrames: path.jumpFrames.map((f) => f + first) };
}

/**
 * How much later the audio shows an event than the aligned score position says, in seconds:
 * every pass of the final path is read this much later (`delayPath`). The path reached each beat
 * a few milliseconds early, by about the same amount in every validation set and condition.
 * Chosen on validation (`tune.js --method auto --sets overall,multi,structure --grid
 * '{"path":{"delaySeconds":[0,0.005,0.007,0.009]}}'`, engine a3975e9), % of beats within
 * 50 / 100 / 200 ms: overall 90.50 / 93.61 / 95.36, 90.66 / 93.76 / 95.38, 90.82 / 93.78 / 95.39,
 * 90.65 / 93.75 / 95.39; multi 92.43 / 95.46 / 97.03, 92.75 / 95.50 / 97.08, 92.69 / 95.51 / 97.09,
 * 92.66 / 95.44 / 97.08; structure within 50 ms 94.57, 95.06, 95.04, 94.88. Jumps unchanged.
 */
export const PATH_DELAY_SECONDS = 0.007;

/**
 * Reads every pass of `path` `seconds` later (0 ≤ seconds ≤ one hop): frame f gets the score time
 * the pass had at f·hop − seconds, interpolated between its frames (a pass's first frame continues
 * the pass's opening slope backwards). Jumps stay at their frames. Changes `path` in place.
 */
export function delayPath(path: AlignmentPath, seconds: number): AlignmentPath {
  const { scoreTime } = path;
  const n = scoreTime.length;
  const k = Math.max(0, Math.min(1, seconds / path.hopSeconds));
  if (k === 0 || n < 2) return path;
  const starts = [0, ...path.jumpFrames.filter((f) => f > 0 && f < n), n];
  for (let s = 0; s + 1 < starts.length; s++) {
    const [a, b] = [starts[s], starts[s + 1]];
    if (b - a < 2) continue;
    const opening = scoreTime[a + 1] - scoreTime[a];
    for (let f = b - 1; f > a; f--) scoreTime[f] -= k * (scoreTime[f] - scoreTime[f - 1]);
    scoreTime[a] = Math.max(0, scoreTime[a] - k * opening);
  }
  return path;
}

/** A row of the exported path: perf and score seconds, and the frame whose values it carries. */
export interface PathExportRow {
  perfTime: number;
  scoreTime: number;
  /** The frame the row is at, or, for a bridge row, the frame before it. */
  frame: number;
}

/** Each sub-step of a bridged forward step advances the score at most this far (s), below `JUMP_FORWARD_SECONDS`. */
const BRIDGE_FORWARD_SECONDS = 0.9;
/** … and goes back at most this far (s), below `JUMP_BACK_SECONDS`. */
const BRIDGE_BACK_SECONDS = 0.2;
/** Bridge rows are at least this far apart in perf time (s), so that 4-decimal files keep them in order. */
const BRIDGE_MIN_SPACING_SECONDS = 5e-4;
/**
 * A race of more than this much score (s) in one frame is a skip in all but name and is left to
 * read as one. On the validation multi-operation set (`.eval/preds-v4`), forward steps of 1.1 to
 * 4.3 s were rests and held notes cut short (86 of them, none a true cut), while 14 of the 19
 * steps that matched a true cut crossed more than 4.5 s.
 */
export const BRIDGE_MAX_SECONDS = 4.5;

/**
 * Dense rows, one per frame; a jump shows as the two frames either side of it. Inside a pass,
 * a step between two frames that the scorer's rule would read as a jump (the score racing ahead
 * by more than 1 s in one frame, as a DTW path does over a rest the performer cut short) gets
 * bridge rows on the straight line between the two frames, so that readers interpolate the pass
 * as the engine means it instead of holding and jumping. The path through the rows is the same
 * piecewise-linear function either way. A step of more than `BRIDGE_MAX_SECONDS` is left to read
 * as the skip it is.
 */
export function pathToRows(path: AlignmentPath): PathExportRow[] {
  const n = path.scoreTime.length;
  const hop = path.hopSeconds;
  const rows: PathExportRow[] = [];
  for (let f = 0; f < n; f++) {
    const q = path.scoreTime[f];
    if (f > 0 && !isJumpFrame(path, f)) {
      const q0 = path.scoreTime[f - 1];
      const p0 = (f - 1) * hop;
      const d = q - q0;
      if (isScorerJump(p0, q0, f * hop, q) && Math.abs(d) <= BRIDGE_MAX_SECONDS) {
        const k = Math.ceil(d > 0 ? d / BRIDGE_FORWARD_SECONDS : -d / BRIDGE_BACK_SECONDS);
        if (hop / k >= BRIDGE_MIN_SPACING_SECONDS) {
          for (let i = 1; i < k; i++)
            rows.push({ perfTime: p0 + (hop * i) / k, scoreTime: q0 + (d * i) / k, frame: f - 1 });
        }
      }
    }
    rows.push({ perfTime: f * hop, scoreTime: q, frame: f });
  }
  return rows;
}

/** Score time at a performance time (seconds): linear within a pass, held across a jump, clamped at the ends. */
export function scoreTimeAt(path: AlignmentPath, perfTime: number): number {
  const n = path.scoreTime.length;
  if (n === 0) return NaN;
  const x = perfTime / path.hopSeconds;
  if (!(x > 0)) return path.scoreTime[0];
  if (x >= n - 1) return path.scoreTime[n - 1];
  const f = Math.floor(x);
  const a = path.scoreTime[f];
  if (isJumpFrame(path, f + 1)) return a;
  return a + (path.scoreTime[f + 1] - a) * (x - f);
}

/** Performance times (seconds) where each pass reaches `scoreTime`: one per pass covering it, in perf order. */
export function perfTimesOfScoreTime(path: AlignmentPath, scoreTime: number): number[] {
  const out: number[] = [];
  const q = path.scoreTime;
  for (const { startFrame, endFrame } of segments(path)) {
    if (endFrame - startFrame === 1) {
      if (q[startFrame] === scoreTime) out.push(startFrame * path.hopSeconds);
      continue;
    }
    for (let f = startFrame; f < endFrame - 1; f++) {
      const a = q[f];
      const b = q[f + 1];
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      const last = f === endFrame - 2;
      if (scoreTime >= lo && (scoreTime < hi || (last && scoreTime <= hi))) {
        const frac = b === a ? 0 : (scoreTime - a) / (b - a);
        out.push((f + frac) * path.hopSeconds);
        break;
      }
    }
  }
  return out;
}

/** Options of `pathFromFramePairs`. */
export interface FramePairsOptions {
  /** Number of performance frames of the output (frames no pair covers are held from their neighbours). */
  perfFrames: number;
  /** Performance frame spacing, seconds. */
  hopSeconds: number;
  /** Score frame spacing, seconds (defaults to `hopSeconds`). */
  scoreHopSeconds?: number;
  /** How the path was made. */
  method: AlignMethod;
  /** Per-perf-frame confidence (defaults to 1). */
  confidence?: Float32Array;
  /** Indices k into the pairs where pair k−1 → k is a jump; when absent, jumps are found by `isScorerJump` on frame times. */
  jumpPairs?: readonly number[];
  /** Version of the neural model, where one routed the path. */
  modelVersion?: string;
}

/**
 * Dense per-perf-frame path from a warping path of (perfFrame, scoreFrame) pairs in path order
 * (perf frames non-decreasing). Per pass: each perf frame takes the mean of its score frames; a
 * run of perf frames on one score frame collapses to its centre (to its end when it opens the pass,
 * to its start when it closes it); frames between anchors are interpolated, and frames outside
 * every pass are held.
 */
export function pathFromFramePairs(
  perfFrames: ArrayLike<number>,
  scoreFrames: ArrayLike<number>,
  opts: FramePairsOptions,
): AlignmentPath {
  const k = perfFrames.length;
  if (scoreFrames.length !== k)
    throw new RangeError(`pathFromFramePairs: ${k} perf frames but ${scoreFrames.length} score frames`);
  const n = opts.perfFrames;
  const hop = opts.hopSeconds;
  const scoreHop = opts.scoreHopSeconds ?? hop;
  const scoreTime = new Float64Array(n);
  const confidence = opts.confidence ?? new Float32Array(n).fill(1);
  if (confidence.length !== n)
    throw new RangeError(`pathFromFramePairs: confidence has ${confidence.length} frames, expected ${n}`);
  if (k === 0)
    return {
      hopSeconds: hop,
      scoreTime,
      confidence,
      jumpFrames: [],
      method: opts.method,
      modelVersion: opts.modelVersion,
    };
  for (let p = 1; p < k; p++) {
    if (perfFrames[p] < perfFrames[p - 1])
      throw new RangeError(
        `pathFromFramePairs: perf frames must not decrease (pair ${p}: ${perfFrames[p - 1]} → ${perfFrames[p]})`,
      );
  }
  // Pass boundaries in pair indices.
  let cuts: number[];
  if (opts.jumpPairs) {
    cuts = [...opts.jumpPairs].filter((c) => c > 0 && c < k).sort((a, b) => a - b);
  } else {
    cuts = [];
    for (let p = 1; p < k; p++) {
      if (
        isScorerJump(
          perfFrames[p - 1] * hop,
          scoreFrames[p - 1] * scoreHop,
          perfFrames[p] * hop,
          scoreFrames[p] * scoreHop,
        )
      )
        cuts.push(p);
    }
  }
  const bounds = [0, ...cuts, k];
  const filled = new Uint8Array(n);
  const jumpFrames: number[] = [];
  const anchorX: number[] = [];
  const anchorY: number[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const a = bounds[s];
    const b = bounds[s + 1];
    if (a >= b) continue;
    // Per perf frame: mean score frame and whether it holds a single score frame.
    anchorX.length = 0;
    anchorY.length = 0;
    let p = a;
    let runStart = -1;
    let runScore = NaN;
    let runEnd = -1;
    const flush = (): void => {
      if (runStart < 0) return;
      // A run that opens the pass waits for the music: anchor at its end; others at their centre.
      anchorX.push(anchorX.length === 0 ? runEnd : (runStart + runEnd) / 2);
      anchorY.push(runScore);
      runStart = -1;
    };
    while (p < b) {
      const f = perfFrames[p];
      let sum = 0;
      let cnt = 0;
      let lo = Infinity;
      let hi = -Infinity;
      while (p < b && perfFrames[p] === f) {
        const j = scoreFrames[p];
        sum += j;
        cnt++;
        if (j < lo) lo = j;
        if (j > hi) hi = j;
        p++;
      }
      const mean = sum / cnt;
      if (lo === hi) {
        if (runStart >= 0 && runScore === lo && f === runEnd + 1) {
          runEnd = f;
        } else {
          flush();
          runStart = f;
          runEnd = f;
          runScore = lo;
        }
      } else {
        flush();
        anchorX.push(f);
        anchorY.push(mean);
      }
    }
    if (runStart >= 0) {
      // A run that closes the pass holds after the music: anchor at its start.
      anchorX.push(anchorX.length === 0 ? runEnd : runStart);
      anchorY.push(runScore);
      runStart = -1;
    }
    const f0 = Math.max(0, perfFrames[a]);
    const f1 = Math.min(n - 1, perfFrames[b - 1]);
    if (s > 0 && f0 < n && f0 > 0) jumpFrames.push(f0);
    let ai = 0;
    for (let f = f0; f <= f1; f++) {
      while (ai + 1 < anchorX.length && anchorX[ai + 1] <= f) ai++;
      let y: number;
      if (f <= anchorX[0]) y = anchorY[0];
      else if (ai + 1 >= anchorX.length) y = anchorY[anchorX.length - 1];
      else {
        const x0 = anchorX[ai];
        const x1 = anchorX[ai + 1];
        y = anchorY[ai] + ((anchorY[ai + 1] - anchorY[ai]) * (f - x0)) / (x1 - x0);
      }
      scoreTime[f] = y * scoreHop;
      filled[f] = 1;
    }
  }
  // Hold uncovered frames from the previous covered one (or the next, at the start).
  let last = -1;
  for (let f = 0; f < n; f++) {
    if (filled[f]) last = f;
    else if (last >= 0) scoreTime[f] = scoreTime[last];
  }
  let firstFilled = filled.indexOf(1);
  if (firstFilled < 0) firstFilled = 0;
  for (let f = 0; f < firstFilled; f++) scoreTime[f] = scoreTime[firstFilled];
  const uniq = [...new Set(jumpFrames)].sort((x, y) => x - y);
  return {
    hopSeconds: hop,
    scoreTime,
    confidence,
    jumpFrames: uniq,
    method: opts.method,
    modelVersion: opts.modelVersion,
  };
}

function isJumpFrame(path: AlignmentPath, f: number): boolean {
  const jf = path.jumpFrames;
  let lo = 0;
  let hi = jf.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (jf[mid] === f) return true;
    if (jf[mid] < f) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
