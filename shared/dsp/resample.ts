/**
 * Streaming sample-rate conversion by windowed-sinc (Kaiser) FIR filters, time-aligned with the
 * input (zero phase: output sample n sits at source time n · source/target) and allocation-free
 * per sample and per call. Halving stages (half-band filters, half their taps zero) take the rate
 * down while it stays ≥ the target, so 44.1 → 22.05 kHz is one half-band; a polyphase stage with
 * a precomputed table per phase does the rest (ratio L/M in lowest terms, e.g. 24 → 22.05 kHz).
 *
 * Every stage passes [0, PASS_FRACTION · min(in, out)] flat and stops from
 * (1 − PASS_FRACTION) · min(in, out): what lies between the edges folds back only above the
 * passband, so the passband itself is alias-free. At 22.05 kHz the passband reaches 7.9 kHz, well
 * above the highest pitch band of the features (MIDI 108, 4.3 kHz). The half-band stage runs in
 * WebAssembly where it can (`half_band` of shared/wasm/kernels.c, bit-identical).
 */
import { ensureMemory, heapStart, kernelInstance, type KernelExports } from '../wasm/instance.js';

/** Passband edge as a fraction of the lower of the two rates. */
export const PASS_FRACTION = 0.36;
/** Stopband attenuation (dB) the Kaiser window is designed for; passband ripple is the same δ. */
export const STOPBAND_DB = 80;
/** Non-zero tap pairs of the half-band stage (the Kaiser estimate for `STOPBAND_DB`; its kernel is unrolled). */
export const HALF_BAND_PAIRS = 10;
/** Largest conversion ratio either way (libsamplerate's limit too). */
export const MAX_RATIO = 256;
/** Phase tables beyond this many phases are quantised to it (rates with no common factor). */
const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200 && term > 1e-17 * sum; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** One stage's filter: `phases` rows of `taps` coefficients, row p for output at source time i + p/phases. */
export interface FilterDesign {
  /** Interpolation factor L (out = in · L/M). */
  up: number;
  /** Decimation factor M. */
  down: number;
  /** Coefficients per output sample (= 2 · half width, in input samples). */
  taps: number;
  /** Rows of the table (L, or `MAX_PHASES` + 1 when L is larger and the phase is rounded). */
  phases: number;
  /** [phases × taps] row p, tap m weighs input sample i − taps/2 + 1 + m. */
  table: Float32Array;
  /** A half-band decimator by 2: the taps at even distances from the centre are zero. */
  halfBand: boolean;
}

function checkRates(inRate: number, outRate: number): void {
  for (const [name, r] of [
    ['source', inRate],
    ['target', outRate],
  ] as const) {
    if (!Number.isInteger(r) || r <= 0)
      throw new RangeError(`resampler: expected a positive integer ${name} rate, found ${r}`);
  }
  if (inRate > MAX_RATIO * outRate || outRate > MAX_RATIO * inRate) {
    throw new RangeError(
      `resampler: expected rates within a factor ${MAX_RATIO} of each other, found ${inRate} Hz → ${outRate} Hz`,
    );
  }
}

/** Designs one stage's filter, `inRate` → `outRate` (integer Hz); a 2:1 stage is a half-band filter. */
export function designStage(inRate: number, outRate: number): FilterDesign {
  checkRates(inRate, outRate);
  const g = gcd(inRate, outRate);
  const up = outRate / g;
  const down = inRate / g;
  const halfBand = up === 1 && down === 2;
  const low = Math.min(inRate, outRate);
  // Cut-off midway between the band edges, in cycles per input sample.
  const cutoff = low / 2 / inRate;
  const transition = (2 * Math.PI * (1 - 2 * PASS_FRACTION) * low) / inRate;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  // A half-band's centre tap sits at m = half − 1 with its pairs at odd distances 1 … half − 1.
  const half = halfBand
    ? 2 * HALF_BAND_PAIRS
    : Math.ceil(((STOPBAND_DB - 7.95) / (2.285 * transition) + 1) / 2);
  const taps = 2 * half;
  const exact = up <= MAX_PHASES;
  const phases = exact ? up : MAX_PHASES + 1;
  const step = exact ? up : MAX_PHASES;
  const table = new Float32Array(phases * taps);
  const i0Beta = besselI0(beta);
  const row = new Float64Array(taps);
  for (let p = 0; p < phases; p++) {
    let sum = 0;
    for (let m = 0; m < taps; m++) {
      // Distance (input samples) from the output instant to tap m's sample.
      const u = p / step + half - 1 - m;
      const x = u / half;
      const w = Math.abs(x) < 1 ? besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta : 0;
      const a = 2 * cutoff * u;
      row[m] =
        halfBand && u !== 0 && u % 2 === 0 ? 0 : w * (a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a));
      sum += row[m];
    }
    // Unit gain at DC in every phase: no ripple at the phase period.
    for (let m = 0; m < taps; m++) table[p * taps + m] = row[m] / sum;
  }
  return { up, down, taps, phases, table, halfBand };
}

/** The rates a conversion passes through: halvings while the rate stays ≥ the target, then the target. */
export function stageRates(sourceRate: number, targetRate: number): number[] {
  checkRates(sourceRate, targetRate);
  const rates = [sourceRate];
  let r = sourceRate;
  while (r % 2 === 0 && r / 2 >= targetRate) rates.push((r /= 2));
  if (r !== targetRate) rates.push(targetRate);
  return rates;
}

type Emit = (out: Float32Array) => void;

/** Source samples a stage buffers between kernel runs. */
const BLOCK = 1 << 16;

/** One FIR stage, streaming: input in, outputs emitted as soon as their taps are all in. */
class FirStage {
  /** Samples pushed so far. */
  inputLength = 0;
  private readonly d: FilterDesign;
  private readonly half: number;
  /** Half-band: the centre tap and the taps at odd distances 1, 3, 5 … from it. */
  private readonly centre: number;
  private readonly pairs: Float64Array;
  /** Input: the history the next output needs, then new samples. */
  private readonly buf: Float32Array;
  private filled: number;
  /** Input index of `buf[0]`. */
  private bufStart: number;
  /** Next output: its index, and its instant i + r/up in input samples. */
  private n = 0;
  private i = 0;
  private r = 0;
  private readonly out: Float32Array;
  /** The half-band stage's WebAssembly kernel, with `buf`, `out` and the taps in its memory. */
  private readonly wasm?: { ex: KernelExports; bufAt: number; outAt: number; tapsAt: number };

  constructor(inRate: number, outRate: number) {
    const d = designStage(inRate, outRate);
    this.d = d;
    this.half = d.taps / 2;
    this.centre = d.table[this.half - 1];
    this.pairs = new Float64Array(this.half / 2);
    for (let k = 0; k < this.pairs.length; k++) this.pairs[k] = d.table[this.half + 2 * k];
    const bufLength = d.taps + BLOCK;
    const outLength = Math.ceil((bufLength * d.up) / d.down) + 1;
    const ex = d.halfBand && this.pairs.length === HALF_BAND_PAIRS ? kernelInstance() : undefined;
    if (ex) {
      // The kernel reads up to 3 samples past the last tap (whole vectors): room for them.
      const tapsAt = heapStart(ex);
      const bufAt = tapsAt + 8 * HALF_BAND_PAIRS;
      const outAt = bufAt + 4 * (bufLength + 4);
      ensureMemory(ex, outAt + 4 * outLength);
      new Float64Array(ex.memory.buffer, tapsAt, HALF_BAND_PAIRS).set(this.pairs);
      this.buf = new Float32Array(ex.memory.buffer, bufAt, bufLength);
      this.out = new Float32Array(ex.memory.buffer, outAt, outLength);
      this.wasm = { ex, bufAt, outAt, tapsAt };
    } else {
      this.buf = new Float32Array(bufLength);
      this.out = new Float32Array(outLength);
    }
    // Zeros before the first sample, so the first output is centred on it.
    this.filled = this.half - 1;
    this.bufStart = -(this.half - 1);
  }

  push(input: Float32Array, emit: Emit): void {
    this.inputLength += input.length;
    for (let at = 0; at < input.length;) {
      const n = Math.min(input.length - at, this.buf.length - this.filled);
      this.buf.set(input.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.buf.length) this.run(Infinity, emit);
    }
  }

  /** Ends the input (zeros after it) and emits the outputs up to round(inputLength · L/M). */
  end(emit: Emit): void {
    const total = Math.round((this.inputLength * this.d.up) / this.d.down);
    while (this.n < total) {
      this.buf.fill(0, this.filled);
      this.filled = this.buf.length;
      this.run(total, emit);
    }
  }

  /** Computes every output (below index `limit`) whose taps are all in, then keeps the history. */
  private run(limit: number, emit: Emit): void {
    const { taps, up, down } = this.d;
    const filled = this.filled;
    // First tap of the next output, in `buf`.
    const s0 = this.i - this.bufStart - this.half + 1;
    const count = Math.max(
      0,
      Math.min(limit - this.n, Math.floor(((filled - taps - s0) * up + up - 1 - this.r) / down) + 1),
    );
    if (this.d.halfBand) this.halfBandKernel(s0, count);
    else this.polyphaseKernel(s0, count);
    this.n += count;
    if (count > 0) emit(this.out.subarray(0, count));
    // Keep from the first sample the next output needs.
    const keep = Math.min(this.i - this.bufStart - this.half + 1, filled);
    this.buf.copyWithin(0, keep, filled);
    this.filled = filled - keep;
    this.bufStart += keep;
  }

  private halfBandKernel(s0: number, count: number): void {
    const { buf, out, centre } = this;
    if (this.wasm) {
      // `half_band` of shared/wasm/kernels.c: the same sums, bit for bit, two outputs at a time.
      const { ex, bufAt, outAt, tapsAt } = this.wasm;
      ex.halfBand(bufAt, outAt, count, s0 + this.half - 1, centre, tapsAt);
      this.i += 2 * count;
      return;
    }
    // Unrolled (twice as fast as a loop over the pairs in V8); `HALF_BAND_PAIRS` pairs.
    const [h1, h3, h5, h7, h9, h11, h13, h15, h17, h19] = this.pairs;
    for (let k = 0, c = s0 + this.half - 1; k < count; k++, c += 2) {
      out[k] =
        centre * buf[c] +
        h1 * (buf[c - 1] + buf[c + 1]) +
        h3 * (buf[c - 3] + buf[c + 3]) +
        h5 * (buf[c - 5] + buf[c + 5]) +
        h7 * (buf[c - 7] + buf[c + 7]) +
        h9 * (buf[c - 9] + buf[c + 9]) +
        h11 * (buf[c - 11] + buf[c + 11]) +
        h13 * (buf[c - 13] + buf[c + 13]) +
        h15 * (buf[c - 15] + buf[c + 15]) +
        h17 * (buf[c - 17] + buf[c + 17]) +
        h19 * (buf[c - 19] + buf[c + 19]);
    }
    this.i += 2 * count;
  }

  private polyphaseKernel(s0: number, count: number): void {
    const { buf, out } = this;
    const { taps, table, up, down, phases } = this.d;
    const stepInt = Math.floor(down / up);
    const stepFrac = down % up;
    const quantised = phases !== up;
    let r = this.r;
    let s = s0;
    for (let k = 0; k < count; k++) {
      let row = (quantised ? Math.round((r * (phases - 1)) / up) : r) * taps;
      // Two accumulators (taps is even): about a quarter faster in V8.
      let a = 0;
      let b = 0;
      for (let m = s, e = s + taps; m < e; m += 2, row += 2) {
        a += table[row] * buf[m];
        b += table[row + 1] * buf[m + 1];
      }
      out[k] = a + b;
      s += stepInt;
      r += stepFrac;
      if (r >= up) {
        r -= up;
        s++;
      }
    }
    this.i += s - s0;
    this.r = r;
  }
}

/**
 * Converts a stream of mono samples from `sourceRate` to `targetRate` (integer Hz, within a
 * factor `MAX_RATIO`): `push` any number of samples, then `end`; `emit` receives each run of
 * output (a view of an internal buffer, valid until it returns). In all, exactly
 * round(inputLength · target/source) samples come out.
 */
export class Resampler {
  /** Samples pushed so far. */
  inputLength = 0;
  private readonly stages: FirStage[] = [];
  /** Outputs emitted so far. */
  private produced = 0;
  /** Outputs still allowed (the exact total, once `end` knows it). */
  private limit = Infinity;
  private emit: Emit = () => undefined;

  constructor(
    readonly sourceRate: number,
    readonly targetRate: number,
  ) {
    const rates = stageRates(sourceRate, targetRate);
    for (let k = 1; k < rates.length; k++) this.stages.push(new FirStage(rates[k - 1], rates[k]));
  }

  /** Takes `input` (copied), emitting the outputs it completes. */
  push(input: Float32Array, emit: Emit): void {
    this.inputLength += input.length;
    this.emit = emit;
    this.feed(0, input);
  }

  /** Ends the input (zeros after it) and emits the remaining outputs. */
  end(emit: Emit): void {
    this.emit = emit;
    // Each stage rounds its own length: the end is trimmed, or padded with a zero.
    this.limit = Math.round((this.inputLength * this.targetRate) / this.sourceRate);
    this.stages.forEach((s, k) => s.end((y) => this.feed(k + 1, y)));
    if (this.produced < this.limit) this.out(new Float32Array(this.limit - this.produced));
  }

  /** Samples into stage `k` (past the last stage: out). */
  private feed(k: number, y: Float32Array): void {
    if (k < this.stages.length) this.stages[k].push(y, (z) => this.feed(k + 1, z));
    else this.out(y);
  }

  private out(y: Float32Array): void {
    const n = Math.min(y.length, this.limit - this.produced);
    this.produced += n;
    if (n > 0) this.emit(n === y.length ? y : y.subarray(0, n));
  }
}

/** Converts a whole mono signal from `sourceRate` to `targetRate` (round(length · target/source) samples). */
export function resample(input: Float32Array, sourceRate: number, targetRate: number): Float32Array {
  const out = new Float32Array(Math.round((input.length * targetRate) / sourceRate));
  let pos = 0;
  const take = (y: Float32Array): void => {
    out.set(y, pos);
    pos += y.length;
  };
  const rs = new Resampler(sourceRate, targetRate);
  rs.push(input, take);
  rs.end(take);
  return out;
}
