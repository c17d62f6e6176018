/**
 * The WebAssembly cost kernel (`row_costs` of `kernels.c`): one performance row's cell costs,
 * bit-identical to the JavaScript of `rowCosts` and about three times as fast. One instance per
 * thread, made on first use (`../wasm/instance.ts`); it holds the score side of the last score it was
 * given (frames in pairs, so two cells load as one). Where WebAssembly SIMD is missing,
 * `costKernel()` is undefined and `rowCosts` computes in JavaScript.
 */
import { ensureMemory, heapStart, kernelInstance } from '../wasm/instance.js';

/** The kernel with a score laid out (`CostKernel.score`). */
export interface ScoreLayout {
  /** The row's 12 chroma values, then its 12 onset values, for the next `run`. */
  row: Float64Array;
  /** Where the note dot products of cells lo … hi go before `run` (index j − lo), when notes are used. */
  dots: Float64Array;
  /**
   * The costs of `row` against score frames lo … hi into out[0 … hi − lo], with the arguments of
   * cost.ts's `rowCosts` (`notes`: add the note term from `dots`).
   */
  run(
    lo: number,
    hi: number,
    rowSilent: number,
    mismatch: number,
    cs: number,
    w: number,
    wn: number,
    na2: number,
    notes: boolean,
    out: Float64Array,
  ): void;
}

export interface CostKernel {
  /**
   * The layout of this score side (made when it is not the last one laid out): chroma and onsets
   * [frames × 12], silence flags [frames], the note features' squared norms [frames] or undefined.
   */
  score(
    chroma: Float32Array,
    onset: Float32Array,
    silent: Uint8Array,
    norm2: Float32Array | undefined,
    frames: number,
  ): ScoreLayout;
}

let made: CostKernel | null | undefined;

/** This thread's kernel, or undefined where WebAssembly (with SIMD) cannot run it. */
export function costKernel(): CostKernel | undefined {
  if (made === undefined) made = makeKernel();
  return made ?? undefined;
}

function makeKernel(): CostKernel | null {
  const ex = kernelInstance();
  if (!ex) return null;
  const base = heapStart(ex);
  let last:
    { chroma: Float32Array; onset: Float32Array; norm2?: Float32Array; layout: ScoreLayout } | undefined;
  return {
    score(chroma, onset, silent, norm2, frames) {
      if (last && last.chroma === chroma && last.onset === onset && last.norm2 === norm2) return last.layout;
      // [row: 24 f64][dots, out, norm2: frames f64 each][pairs of frames: 48 f32 each][silent: frames u8]
      const stride = frames + (frames & 1);
      const rowAt = base;
      const dotsAt = rowAt + 24 * 8;
      const outAt = dotsAt + 8 * stride;
      const normAt = outAt + 8 * stride;
      const framesAt = normAt + 8 * stride;
      const silentAt = framesAt + 4 * 24 * stride;
      const end = silentAt + stride;
      ensureMemory(ex, end);
      const buf = ex.memory.buffer;
      const rowView = new Float64Array(buf, rowAt, 24);
      const dotsView = new Float64Array(buf, dotsAt, stride);
      const outView = new Float64Array(buf, outAt, stride);
      const pairs = new Float32Array(buf, framesAt, 24 * stride);
      for (let j = 0; j < frames; j++) {
        const at = 48 * (j >> 1) + (j & 1);
        for (let c = 0; c < 12; c++) {
          pairs[at + 2 * c] = chroma[j * 12 + c];
          pairs[at + 24 + 2 * c] = onset[j * 12 + c];
        }
      }
      new Uint8Array(buf, silentAt, stride).set(silent.subarray(0, frames));
      // As float64, as the JavaScript reads them.
      if (norm2) new Float64Array(buf, normAt, stride).set(norm2.subarray(0, frames));
      const layout: ScoreLayout = {
        row: rowView,
        dots: dotsView,
        run(lo, hi, rowSilent, mismatch, cs, w, wn, na2, notes, out) {
          ex.rowCosts(
            framesAt,
            silentAt,
            normAt,
            rowAt,
            dotsAt,
            outAt,
            lo,
            hi,
            rowSilent,
            mismatch,
            cs,
            w,
            wn,
            na2,
            notes ? 1 : 0,
          );
          const n = hi - lo + 1;
          // A short row is copied faster than a view of it is made.
          if (n < 64) for (let k = 0; k < n; k++) out[k] = outView[k];
          else out.set(outView.subarray(0, n));
        },
      };
      last = { chroma, onset, norm2, layout };
      return layout;
    },
  };
}
