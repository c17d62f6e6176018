import type { Features, PitchEnergy } from './features.js';
import { NUM_PITCHES } from './params.js';

/**
 * Instruments whose notes swell in (strings, choir, organs, pads) sound their harmony later than
 * a piano struck at the same moment: the chroma reaches the new chord a fraction of the attack
 * after the key goes down, and the aligned path, which matches chroma, follows it. On a warm pad
 * (the sustained-timbres probe, docs/EVALUATION.md) every beat was placed about 0.2 s late.
 * The attack is measured from the recording itself (`meanRiseFrames`) and the recording's features
 * are read that much earlier (`atAttackOnsets`), so that every aligner, the editor's re-alignment
 * included, places each note where its key went down.
 */

/** A rise counts from this many dB above the band's previous level (`meanRiseFrames`). */
const MIN_RISE_DB = 12;
/** … and must end within this many dB of the recording's loudest band-frame. */
const LOUD_WITHIN_DB = 25;
/** Levels are floored this far below the loudest band-frame (noise and silence alike). */
const FLOOR_DB = 50;
/** A frame-to-frame step up of more than this (dB) starts a rise; the rise goes on while steps exceed `GOING_ON_DB`. */
const START_DB = 0.5;
const GOING_ON_DB = 0.1;

/**
 * The mean time (frames) each band's energy takes to climb from 10 % to 90 % (in dB) of a rise:
 * every rise of at least `MIN_RISE_DB` dB in a pitch band that ends within `LOUD_WITHIN_DB` of the
 * recording's loudest band-frame, interpolated between frames. A struck piano measures 1.8–2.2
 * frames (the analysis window's own spread; 84 validation recordings in three soundfonts, rooms
 * and old-recording conditions), a harp or a drawbar organ about the same, an accordion 2.6–3.3,
 * a church organ 2.9–4.0, strings 3.1–3.6, choir 3.2–3.5, a warm pad 4.9–6.1 (`.eval/rise.json`).
 * 0 without any rise.
 */
export function meanRiseFrames(pe: PitchEnergy): number {
  const F = pe.frames;
  let max = 0;
  for (let i = 0; i < pe.energy.length; i++) if (pe.energy[i] > max) max = pe.energy[i];
  if (!(max > 0)) return 0;
  // The scan compares powers (the dB thresholds as ratios); logs are taken only inside a rise.
  const floor = max * 10 ** (-FLOOR_DB / 10);
  const loud = max * 10 ** (-LOUD_WITHIN_DB / 10);
  const start = 10 ** (START_DB / 10);
  const goingOn = 10 ** (GOING_ON_DB / 10);
  const minRise = 10 ** (MIN_RISE_DB / 10);
  const P = new Float64Array(F);
  let sum = 0;
  let count = 0;
  // The frame-index position where the level (dB) first reaches `level` in s..e.
  const reach = (s: number, level: number): number => {
    let k = s;
    while (10 * Math.log10(P[k + 1]) < level) k++;
    const a = 10 * Math.log10(P[k]);
    return k + (level - a) / (10 * Math.log10(P[k + 1]) - a);
  };
  for (let p = 0; p < NUM_PITCHES; p++) {
    for (let f = 0; f < F; f++) P[f] = Math.max(floor, pe.energy[f * NUM_PITCHES + p]);
    let f = 1;
    while (f < F) {
      if (!(P[f] > P[f - 1] * start)) {
        f++;
        continue;
      }
      const s = f - 1;
      let e = f;
      while (e + 1 < F && P[e + 1] > P[e] * goingOn) e++;
      if (P[e] >= P[s] * minRise && P[e] > loud) {
        const low = 10 * Math.log10(P[s]);
        const rise = 10 * Math.log10(P[e]) - low;
        sum += reach(s, low + 0.9 * rise) - reach(s, low + 0.1 * rise);
        count++;
      }
      f = e + 1;
    }
  }
  return count > 0 ? sum / count : 0;
}

/**
 * Rises up to this many frames (`meanRiseFrames`) are a struck instrument's: the features are not
 * moved. Above the 84 validation recordings' 2.23 with a margin (and the robustness probe's 36:
 * its hall, clipping, codecs and tempi are all below it, their alignments byte-identical).
 */
export const STRUCK_RISE_FRAMES = 2.4;

/**
 * Seconds the features are read earlier per frame of mean rise above `STRUCK_RISE_FRAMES`, and at
 * most. Chosen in session 24 on the three probes built from validation performances in other
 * timbres (`tune.js --method auto --data <probe> --grid '{"attack":{"secondsPerFrame":[…],
 * "maxSeconds":[…]}}'`; the table of slopes 0.04–0.08 and caps 0.1–0.2 is in docs/EVALUATION.md,
 * "Sustained timbres"), % within 50 / 100 / 200 ms, 0.04 → 0.06: the 42 multi-operation cases
 * 92.88 / 94.93 / 96.06 → 93.03 / 95.04 / 96.10, the conditions probe 95.45 / 97.62 / 98.51 →
 * 94.66 / 97.71 / 98.75 (its organ a frame earlier), the sustained timbres 58.71 / 69.66 / 82.15
 * → 61.43 / 72.06 / 82.90; the validation sets (rises ≤ 2.23 frames) not moved.
 * The cap: the optimal lag is not the rise's alone (a note's release adds to it), and a synthetic
 * 0.3 s swell with a short release measures a rise of 6.4 frames but lagged only 65 ms
 * (`electron/engine/pipeline.test.ts`): read 0.1 s earlier it was 28 ms early; 0.15 s would read it
 * 139 ms earlier; 0.2 s, as the slope alone would have it, put it 116 ms early. (At the reference
 * level of `normaliseLevel`, since 2026-12-08, it lags 56 ms and is read 37 ms early.) The sustained probe
 * would gain more at 0.15 (73.81 within 100 ms), but the rise does not tell a choir (needs more)
 * from a church organ of the same rise (needs less).
 */
export const LAG_SECONDS_PER_RISE_FRAME = 0.06;
/** The cap of `attackLagSeconds` (s); see `LAG_SECONDS_PER_RISE_FRAME`. */
export const MAX_ATTACK_LAG_SECONDS = 0.1;

/** How much later (s) than its notes' onsets a recording with this mean rise shows their harmony (0 unless measured). */
export function attackLagSeconds(riseFrames: number | undefined, params: AttackLagParams = {}): number {
  if (riseFrames === undefined || !Number.isFinite(riseFrames)) return 0;
  const over = riseFrames - (params.struckRiseFrames ?? STRUCK_RISE_FRAMES);
  if (!(over > 0)) return 0;
  return Math.min(
    params.maxSeconds ?? MAX_ATTACK_LAG_SECONDS,
    over * (params.secondsPerFrame ?? LAG_SECONDS_PER_RISE_FRAME),
  );
}

/** Tuning of `attackLagSeconds` (evaluation sweeps); the defaults are the constants above. */
export interface AttackLagParams {
  struckRiseFrames?: number;
  secondsPerFrame?: number;
  maxSeconds?: number;
}

/**
 * Features read `d` frames earlier: frame f holds what frame f + d held (the last frames repeat
 * the last one). `d` = 0 returns `f` itself.
 */
export function advanceFeatures(f: Features, d: number): Features {
  if (!(d > 0) || f.frames === 0) return f;
  const move = (x: Float32Array, width: number): Float32Array => {
    const out = new Float32Array(x.length);
    for (let i = 0; i < f.frames; i++) {
      const from = Math.min(f.frames - 1, i + d) * width;
      out.set(x.subarray(from, from + width), i * width);
    }
    return out;
  };
  const out: Features = {
    ...f,
    chroma: move(f.chroma, 12),
    onset: move(f.onset, 12),
    energy: move(f.energy, 1),
  };
  if (f.notes) out.notes = move(f.notes, f.notes.length / f.frames);
  return out;
}

/**
 * The recording's features at its notes' onsets: read `attackLagSeconds` earlier (whole frames)
 * where its notes swell in, `perf` itself where they are struck, `params` false, or the rise was
 * not measured (features cached before it was).
 */
export function atAttackOnsets(
  perf: Features,
  params: AttackLagParams | false = {},
): { perf: Features; lagFrames: number } {
  if (params === false) return { perf, lagFrames: 0 };
  const lagFrames = Math.round(attackLagSeconds(perf.attackRiseFrames, params) / perf.hopSeconds);
  return { perf: advanceFeatures(perf, lagFrames), lagFrames };
}
