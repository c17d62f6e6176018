/*
 * The alignment's two hottest loops in WebAssembly SIMD (f64x2), two cells at a time: the cell
 * costs of a performance row (`rowCosts` in cost.ts, `row_costs` here) and the steps of a row of
 * the coarse jump search (`searchCoarse` in jump.ts, `step_row`). Every lane does the very
 * operations of the JavaScript, in the same order and in double precision (products of
 * single-precision features, sums left to right, comparisons in order, no fused multiply-add), so
 * every value is bit-identical to it.
 *
 * Built by scripts/build-wasm.mjs (clang for wasm32, -msimd128) into kernelsWasm.ts; the build is
 * checked by shared/wasm/kernels.test.ts where clang is installed.
 *
 * row_costs:
 * Score side: frames in pairs, each pair a block of 48 float32, chroma 0 … 11 then onsets 0 … 11
 * with the pair's two values of each side by side (chroma c of frame j at 48·⌊j/2⌋ + 2c + j mod 2,
 * its onset c 24 further), so two cells read one stream; silent[j] (0 or 1), norm2[j] (the note
 * features' squared norms).
 * Row side: row[0 … 11] the chroma, row[12 … 23] the onsets (float32 values held as float64).
 * dots[j − lo]: the note features' dot products (with `notes`). Costs go to out[j − lo].
 */
#include <stdint.h>
#include <wasm_simd128.h>

/* One cell, as the JavaScript computes it; `f`: the frame's 48-float block, `lane`: 0 or 1. */
static double cell(const float *f, int lane, const double *row, int differs, double mismatch, double cs,
                   double w, double wn, double na2, double norm2, double dot2, int notes) {
  double dot = row[0] * (double)f[lane];
  for (int c = 1; c < 12; c++) dot = dot + row[c] * (double)f[2 * c + lane];
  double cost = cs * (differs ? mismatch : 1 - dot);
  if (w != 0) {
    double d = row[12] - (double)f[24 + lane];
    double s = d * d;
    for (int c = 1; c < 12; c++) {
      d = row[12 + c] - (double)f[24 + 2 * c + lane];
      s = s + d * d;
    }
    cost = cost + w * __builtin_sqrt(s);
  }
  if (notes) {
    const double t = na2 + norm2 - 2 * dot2;
    cost = cost + wn * __builtin_sqrt(0 < t ? t : 0);
  }
  return cost;
}

__attribute__((export_name("rowCosts"))) void row_costs(
    const float *frames, const uint8_t *silent, const double *norm2, const double *row,
    const double *dots, double *out, int lo, int hi, int rowSilent, double mismatch, double cs,
    double w, double wn, double na2, int notes) {
  int j = lo;
  if (j <= hi && (j & 1)) {
    out[0] = cell(frames + 48 * (j >> 1), 1, row, silent[j] != rowSilent, mismatch, cs, w, wn, na2,
                  norm2[j], dots[0], notes);
    j++;
  }
  v128_t a[12], o[12];
  for (int c = 0; c < 12; c++) {
    a[c] = wasm_f64x2_splat(row[c]);
    o[c] = wasm_f64x2_splat(row[12 + c]);
  }
  const v128_t one = wasm_f64x2_splat(1.0);
  const v128_t two = wasm_f64x2_splat(2.0);
  const v128_t zero = wasm_f64x2_splat(0.0);
  const v128_t vmis = wasm_f64x2_splat(mismatch);
  const v128_t vcs = wasm_f64x2_splat(cs);
  const v128_t vw = wasm_f64x2_splat(w);
  const v128_t vwn = wasm_f64x2_splat(wn);
  const v128_t vna2 = wasm_f64x2_splat(na2);
  for (; j + 1 <= hi; j += 2) {
    const float *f = frames + 24 * j; /* 48 floats per pair of frames */
    v128_t q = wasm_v128_load(f);
    v128_t dot = wasm_f64x2_mul(a[0], wasm_f64x2_promote_low_f32x4(q));
    dot = wasm_f64x2_add(dot, wasm_f64x2_mul(a[1], wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(q, q, 1, 0))));
    for (int c = 2; c < 12; c += 2) {
      q = wasm_v128_load(f + 2 * c);
      dot = wasm_f64x2_add(dot, wasm_f64x2_mul(a[c], wasm_f64x2_promote_low_f32x4(q)));
      dot = wasm_f64x2_add(dot, wasm_f64x2_mul(a[c + 1], wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(q, q, 1, 0))));
    }
    const v128_t differs = wasm_i64x2_make(silent[j] != rowSilent ? -1 : 0, silent[j + 1] != rowSilent ? -1 : 0);
    v128_t cost = wasm_f64x2_mul(vcs, wasm_v128_bitselect(vmis, wasm_f64x2_sub(one, dot), differs));
    if (w != 0) {
      q = wasm_v128_load(f + 24);
      v128_t d = wasm_f64x2_sub(o[0], wasm_f64x2_promote_low_f32x4(q));
      v128_t s = wasm_f64x2_mul(d, d);
      d = wasm_f64x2_sub(o[1], wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(q, q, 1, 0)));
      s = wasm_f64x2_add(s, wasm_f64x2_mul(d, d));
      for (int c = 2; c < 12; c += 2) {
        q = wasm_v128_load(f + 24 + 2 * c);
        d = wasm_f64x2_sub(o[c], wasm_f64x2_promote_low_f32x4(q));
        s = wasm_f64x2_add(s, wasm_f64x2_mul(d, d));
        d = wasm_f64x2_sub(o[c + 1], wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(q, q, 1, 0)));
        s = wasm_f64x2_add(s, wasm_f64x2_mul(d, d));
      }
      cost = wasm_f64x2_add(cost, wasm_f64x2_mul(vw, wasm_f64x2_sqrt(s)));
    }
    if (notes) {
      const v128_t t = wasm_f64x2_sub(wasm_f64x2_add(vna2, wasm_v128_load(norm2 + j)),
                                      wasm_f64x2_mul(two, wasm_v128_load(dots + (j - lo))));
      cost = wasm_f64x2_add(cost, wasm_f64x2_mul(vwn, wasm_f64x2_sqrt(wasm_f64x2_pmax(zero, t))));
    }
    wasm_v128_store(out + (j - lo), cost);
  }
  if (j <= hi)
    out[j - lo] = cell(frames + 48 * (j >> 1), 0, row, silent[j] != rowSilent, mismatch, cs, w, wn, na2,
                       norm2[j], dots[j - lo], notes);
}

/*
 * One row of the coarse jump search's steps (`searchCoarse` in jump.ts with `maxAdvance` 4): for
 * each column j the cheapest of staying (prev[j] + tp), the diagonal (prev[j − 1]) and advancing
 * 2, 3 or 4 columns (prev[j − k] + a_k), compared in that order with strict <, as the JavaScript
 * does; the best into stepBest[j], the best plus cost[j] into cur[j], the step (0 stay, 1
 * diagonal, k) into code[j]. prev[−4 … −1] hold +Infinity.
 */
/* Where v < best (strictly, so the earlier candidate keeps a tie), v and its step code. */
static inline void consider(v128_t v, int code, v128_t *best, v128_t *k) {
  const v128_t m = wasm_f64x2_lt(v, *best);
  *best = wasm_v128_bitselect(v, *best, m);
  *k = wasm_v128_bitselect(wasm_i64x2_splat(code), *k, m);
}

__attribute__((export_name("stepRow"))) void step_row(const double *prev, double *cur, double *stepBest,
                                                      const double *cost, uint8_t *code, int M, double tp,
                                                      double a2, double a3, double a4) {
  const v128_t vtp = wasm_f64x2_splat(tp);
  const v128_t va2 = wasm_f64x2_splat(a2);
  const v128_t va3 = wasm_f64x2_splat(a3);
  const v128_t va4 = wasm_f64x2_splat(a4);
  int j = 0;
  for (; j + 1 < M; j += 2) {
    v128_t best = wasm_f64x2_add(wasm_v128_load(prev + j), vtp);
    v128_t k = wasm_i64x2_splat(0);
    consider(wasm_v128_load(prev + j - 1), 1, &best, &k);
    consider(wasm_f64x2_add(wasm_v128_load(prev + j - 2), va2), 2, &best, &k);
    consider(wasm_f64x2_add(wasm_v128_load(prev + j - 3), va3), 3, &best, &k);
    consider(wasm_f64x2_add(wasm_v128_load(prev + j - 4), va4), 4, &best, &k);
    wasm_v128_store(stepBest + j, best);
    wasm_v128_store(cur + j, wasm_f64x2_add(best, wasm_v128_load(cost + j)));
    code[j] = (uint8_t)wasm_i64x2_extract_lane(k, 0);
    code[j + 1] = (uint8_t)wasm_i64x2_extract_lane(k, 1);
  }
  const double adv[5] = {0, 0, a2, a3, a4};
  for (; j < M; j++) {
    double best = prev[j] + tp;
    uint8_t k = 0;
    if (prev[j - 1] < best) {
      best = prev[j - 1];
      k = 1;
    }
    for (int q = 2; q <= 4; q++) {
      const double v = prev[j - q] + adv[q];
      if (v < best) {
        best = v;
        k = q;
      }
    }
    stepBest[j] = best;
    cur[j] = best + cost[j];
    code[j] = k;
  }
}

/*
 * The half-band decimator's outputs (`halfBandKernel` in shared/dsp/resample.ts, 10 tap pairs):
 * out[k] = centre · buf[c] + h[0] · (buf[c − 1] + buf[c + 1]) + … + h[9] · (buf[c − 19] +
 * buf[c + 19]) for c = c0 + 2k, summed left to right in double precision and rounded to single as
 * the JavaScript does; two outputs per f64x2. buf must hold 3 floats more after the last tap read.
 */
__attribute__((export_name("halfBand"))) void half_band(const float *buf, float *out, int count, int c0,
                                                        double centre, const double *h) {
  const v128_t vc = wasm_f64x2_splat(centre);
  v128_t vh[10];
  for (int q = 0; q < 10; q++) vh[q] = wasm_f64x2_splat(h[q]);
  int k = 0;
  for (; k + 1 < count; k += 2) {
    const float *b = buf + c0 + 2 * k;
    /* (b[m], b[m + 2]): the two outputs' samples at distance m from their centres. */
#define AT(m) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(wasm_v128_load(b + (m)), wasm_v128_load(b + (m)), 0, 2, 0, 2))
    v128_t s = wasm_f64x2_mul(vc, AT(0));
    for (int q = 0; q < 10; q++) {
      const int m = 2 * q + 1;
      s = wasm_f64x2_add(s, wasm_f64x2_mul(vh[q], wasm_f64x2_add(AT(-m), AT(m))));
    }
#undef AT
    const v128_t f = wasm_f32x4_demote_f64x2_zero(s);
    wasm_v128_store64_lane(out + k, f, 0);
  }
  for (; k < count; k++) {
    const float *b = buf + c0 + 2 * k;
    double s = centre * (double)b[0];
    for (int q = 0; q < 10; q++) {
      const int m = 2 * q + 1;
      s = s + h[q] * ((double)b[-m] + (double)b[m]);
    }
    out[k] = (float)s;
  }
}

/*
 * Interleaved 16-bit PCM to mono (`wavFramesToMono` in electron/engine/audio.ts), one or two
 * channels: out[i] = (the frame's samples summed) · scale, with scale 2^−15 (one channel) or 2^−16
 * (two). The sums are whole numbers of at most 17 bits and the scale a power of two, so every
 * value is exact in single precision, as the JavaScript's double-precision product rounded is.
 */
__attribute__((export_name("pcm16Mono"))) void pcm16_mono(const int16_t *in, float *out, int frames,
                                                          int channels, float scale) {
  const v128_t vs = wasm_f32x4_splat(scale);
  int i = 0;
  if (channels == 2) {
    for (; i + 4 <= frames; i += 4) {
      const v128_t sums = wasm_i32x4_extadd_pairwise_i16x8(wasm_v128_load(in + 2 * i));
      wasm_v128_store(out + i, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(sums), vs));
    }
    for (; i < frames; i++) out[i] = (float)(in[2 * i] + in[2 * i + 1]) * scale;
  } else {
    for (; i + 8 <= frames; i += 8) {
      const v128_t v = wasm_v128_load(in + i);
      wasm_v128_store(out + i, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(v)), vs));
      wasm_v128_store(out + i + 4, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(v)), vs));
    }
    for (; i < frames; i++) out[i] = (float)in[i] * scale;
  }
}
