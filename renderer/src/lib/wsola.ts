/**
 * Time-stretch with WSOLA (waveform-similarity overlap-add): each output frame is a windowed copy
 * of the input near its nominal position, moved by up to a tolerance so that it continues the
 * previous frame in phase; the pitch is kept and the duration scaled by 1/rate. Pure TS, no DOM.
 */

/** Options of `wsolaStretch`. */
export interface WsolaOptions {
  /** Frame length, seconds (default 0.04: long enough for low notes, short enough for attacks). */
  frameSeconds?: number;
  /** How far a frame may move from its nominal input position, seconds (default 0.012). */
  toleranceSeconds?: number;
}

/** Frame length of the stretcher, seconds. */
export const WSOLA_FRAME_SECONDS = 0.04;
/** Search tolerance of the stretcher, seconds. */
export const WSOLA_TOLERANCE_SECONDS = 0.012;

/** Samples of `n` input samples played at `rate` (the output length of `wsolaStretch`). */
export function stretchedLength(n: number, rate: number): number {
  return Math.max(1, Math.round(n / rate));
}

/**
 * `channels` (equal lengths, at `sampleRate`) played at `rate` with the pitch kept:
 * `stretchedLength(n, rate)` samples per channel. The output ends exactly as the input ends (the
 * last half frame is a verbatim copy: run backwards in time, so the end is the anchored frame);
 * its start may come from up to the tolerance later in the input. Rate 1 returns copies.
 */
export function wsolaStretch(
  channels: readonly Float32Array[],
  sampleRate: number,
  rate: number,
  opts: WsolaOptions = {},
): Float32Array[] {
  if (channels.length === 0) throw new RangeError('wsolaStretch: expected at least one channel, got none');
  const n = channels[0].length;
  if (channels.some((c) => c.length !== n))
    throw new RangeError(
      `wsolaStretch: expected channels of equal length, got ${channels.map((c) => c.length).join(', ')}`,
    );
  if (!(Number.isFinite(sampleRate) && sampleRate > 0))
    throw new RangeError(`wsolaStretch: expected a positive sample rate, got ${sampleRate}`);
  if (!(Number.isFinite(rate) && rate > 0))
    throw new RangeError(`wsolaStretch: expected a positive rate, got ${rate}`);
  if (rate === 1 || n === 0) return channels.map((c) => c.slice());
  const reversed = channels.map((c) => c.slice().reverse());
  const out = stretchForward(reversed, sampleRate, rate, opts);
  for (const c of out) c.reverse();
  return out;
}

/** WSOLA from the start: the first frame sits at input 0, later ones search around their nominal position. */
function stretchForward(
  input: readonly Float32Array[],
  sampleRate: number,
  rate: number,
  opts: WsolaOptions,
): Float32Array[] {
  const n = input[0].length;
  const len = stretchedLength(n, rate);
  // frame length: even, and at most half the input (short loops)
  let frame = 2 * Math.round(((opts.frameSeconds ?? WSOLA_FRAME_SECONDS) * sampleRate) / 2);
  frame = Math.max(8, Math.min(frame, 2 * Math.floor(n / 4)));
  const hop = frame / 2;
  const tolerance = Math.max(0, Math.round((opts.toleranceSeconds ?? WSOLA_TOLERANCE_SECONDS) * sampleRate));
  const mono = mixDown(input);
  const window = new Float32Array(frame);
  for (let i = 0; i < frame; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame);
  const out = input.map(() => new Float32Array(len));
  const weight = new Float32Array(len);
  const lastStart = Math.max(0, n - frame);
  let prev = 0;
  for (let k = 0; k * hop < len; k++) {
    const at = k * hop;
    let from = 0;
    if (k > 0) {
      // the frame's centre sits at the input time of its output centre
      const nominal = Math.round((at + hop) * rate) - hop;
      // past the input's end the search stays below it (the window slides back rather than off)
      const lo = Math.max(0, Math.min(nominal, lastStart) - tolerance);
      const hi = Math.max(lo, Math.min(lastStart, nominal + tolerance));
      from = bestMatch(mono, prev + hop, lo, hi, hop);
    }
    const first = k === 0;
    const last = (k + 1) * hop >= len;
    for (let i = 0; i < frame; i++) {
      const o = at + i;
      const s = from + i;
      if (o >= len || s >= n) break;
      // the outer halves of the first and last frames have no neighbour to overlap: full weight
      const w = (first && i < hop) || (last && i >= hop) ? 1 : window[i];
      for (let c = 0; c < input.length; c++) out[c][o] += input[c][s] * w;
      weight[o] += w;
    }
    prev = from;
  }
  for (let o = 0; o < len; o++) {
    const w = weight[o];
    if (w > 1e-6) for (const c of out) c[o] /= w;
  }
  return out;
}

/** The channels' mean (what the similarity search compares). */
function mixDown(input: readonly Float32Array[]): Float32Array {
  if (input.length === 1) return input[0];
  const n = input[0].length;
  const m = new Float32Array(n);
  for (const c of input) for (let i = 0; i < n; i++) m[i] += c[i] / input.length;
  return m;
}

/** Candidate step and template step of the coarse search (samples); the fine search refines ±`COARSE_STEP`. */
const COARSE_STEP = 4;
const TEMPLATE_STEP = 4;

/**
 * The start in [lo, hi] whose first `span` samples (the part that overlaps the previous frame)
 * best continue the template at `natural` (the samples that would follow the previous frame):
 * maximum normalised cross-correlation, searched coarsely then refined around the best.
 */
function bestMatch(x: Float32Array, natural: number, lo: number, hi: number, overlap: number): number {
  const span = Math.min(overlap, x.length - natural, x.length - hi);
  if (span <= 0) return Math.min(hi, Math.max(lo, natural));
  const score = (cand: number, step: number): number => {
    let dot = 0;
    let energy = 1e-12;
    for (let i = 0; i < span; i += step) {
      const v = x[cand + i];
      dot += x[natural + i] * v;
      energy += v * v;
    }
    return dot / Math.sqrt(energy);
  };
  let best = Math.min(hi, Math.max(lo, natural));
  let bestScore = -Infinity;
  for (let c = lo; c <= hi; c += COARSE_STEP) {
    const s = score(c, TEMPLATE_STEP);
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  const coarse = best;
  bestScore = -Infinity;
  for (let c = Math.max(lo, coarse - COARSE_STEP); c <= Math.min(hi, coarse + COARSE_STEP); c++) {
    const s = score(c, 2);
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return best;
}
