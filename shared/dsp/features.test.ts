import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ScoreNote } from '../score.js';
import {
  audioFeatures,
  audioPitchEnergy,
  binToPitchIndex,
  effectivePitchIndex,
  estimateTuningCents,
  featuresFromPitchEnergy,
  LEVEL_QUANTILE,
  LEVEL_REFERENCE_DB,
  MAX_LEVEL_GAIN_DB,
  normaliseLevel,
  poolFeatures,
  scoreFeatures,
  slidingMax,
  type Features,
} from './features.js';
import { FEATURE_PARAMS, HOP_SECONDS, NUM_PITCHES } from './params.js';
import { cosineCost } from './features.testutil.js';
import { readWav } from '../../electron/engine/audio.js';

const golden = (name: string): URL => new URL(`./golden/${name}`, import.meta.url);
const { sampleRate } = FEATURE_PARAMS;

function sine(hz: number, seconds: number, amp = 0.5): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return x;
}

function frameNorm(a: Float32Array, f: number): number {
  let s = 0;
  for (let c = 0; c < 12; c++) s += a[f * 12 + c] ** 2;
  return Math.sqrt(s);
}

function argmax12(a: Float32Array, f: number): number {
  let best = 0;
  for (let c = 1; c < 12; c++) if (a[f * 12 + c] > a[f * 12 + best]) best = c;
  return best;
}

/** |a − b| ≤ atol + rtol·|b| elementwise; returns the worst violation ratio (≤ 1 passes). */
function allcloseRatio(a: Float32Array, b: Float32Array, atol: number, rtol: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return worst;
}

describe('frame grid', () => {
  it('has floor(len/hop)+1 frames centred at f·hop', () => {
    expect(audioFeatures(new Float32Array(0)).frames).toBe(1);
    expect(audioFeatures(new Float32Array(511)).frames).toBe(1);
    expect(audioFeatures(new Float32Array(512)).frames).toBe(2);
    expect(audioFeatures(new Float32Array(10_000)).frames).toBe(Math.floor(10_000 / 512) + 1);
    expect(HOP_SECONDS).toBeCloseTo(512 / 22050, 12);
    // A click at sample 100·hop lands in frame 100's centre: that frame has the most energy.
    const x = new Float32Array(200 * 512);
    x[100 * 512] = 1;
    const e = audioFeatures(x).energy;
    let best = 0;
    for (let f = 0; f < e.length; f++) if (e[f] > e[best]) best = f;
    expect(best).toBe(100);
  });
});

describe('audio chroma', () => {
  it('puts a 440 Hz sine on pitch class A with unit norm and pitch energy ≈ A²·1.5', () => {
    const x = sine(440, 2);
    const f = audioFeatures(x);
    const raw = featuresFromPitchEnergy(audioPitchEnergy(x));
    for (const fr of [10, 40, 80]) {
      expect(argmax12(f.chroma, fr)).toBe(9);
      expect(frameNorm(f.chroma, fr)).toBeCloseTo(1, 5);
      expect(f.chroma[fr * 12 + 9]).toBeGreaterThan(0.98);
      // Hann: Σ|W|² over the main lobe / peak² = 1.5, so E = A²·1.5 …
      expect(raw.energy[fr]).toBeCloseTo(Math.log(0.25 * 1.5), 2);
      // … and the features have the steady tone at the reference level.
      expect(f.energy[fr]).toBeCloseTo((LEVEL_REFERENCE_DB / 10) * Math.LN10, 2);
    }
  });

  it('maps every pitch 21..108 sine to its own pitch class', () => {
    for (let p = 33; p <= 108; p += 5) {
      const hz = 440 * 2 ** ((p - 69) / 12);
      const f = audioFeatures(sine(hz, 0.5));
      expect(argmax12(f.chroma, 10), `pitch ${p}`).toBe(p % 12);
    }
  });

  it('gives silence uniform chroma and a floor energy, no NaN anywhere', () => {
    const f = audioFeatures(new Float32Array(sampleRate));
    for (let i = 0; i < f.chroma.length; i++) expect(f.chroma[i]).toBeCloseTo(1 / Math.sqrt(12), 6);
    expect(f.energy[5]).toBeCloseTo(Math.log(FEATURE_PARAMS.energyFloor), 5);
    expect(f.onset.every((v) => v === 0)).toBe(true);
  });

  it('reports progress from 0 to 1', () => {
    const seen: number[] = [];
    audioFeatures(sine(220, 3), (p) => seen.push(p));
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });
});

describe('pitch filterbank', () => {
  it('assigns each bin to at most one pitch and gives every pitch an audible band', () => {
    const map = binToPitchIndex();
    expect(map[0]).toBe(-1);
    const counts = new Array<number>(NUM_PITCHES).fill(0);
    for (const p of map) if (p >= 0) counts[p]++;
    expect(counts[NUM_PITCHES - 1]).toBeGreaterThan(10); // C8 spans many bins
    expect(counts.filter((c) => c === 0).length).toBeGreaterThan(0); // low pitches narrower than a bin
    const eff = effectivePitchIndex();
    for (let i = 0; i < NUM_PITCHES; i++) {
      expect(counts[eff[i]], `pitch ${21 + i}`).toBeGreaterThan(0);
      expect(Math.abs(eff[i] - i)).toBeLessThanOrEqual(3);
    }
  });
});

describe('golden numpy reference (make_golden.py)', () => {
  const meta = JSON.parse(readFileSync(golden('phrase.golden.json'), 'utf8')) as {
    params: Record<string, number>;
    frames: number;
    samples: number;
  };
  const bin = readFileSync(golden('phrase.golden.bin'));
  const ref = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const { mono: samples } = readWav(new Uint8Array(readFileSync(golden('phrase.wav'))), 'phrase.wav');
  const F = meta.frames;
  const refPe = ref.subarray(0, F * NUM_PITCHES);
  const refChroma = ref.subarray(F * NUM_PITCHES, F * (NUM_PITCHES + 12));
  const refOnset = ref.subarray(F * (NUM_PITCHES + 12), F * (NUM_PITCHES + 24));
  const refEnergy = ref.subarray(F * (NUM_PITCHES + 24), F * (NUM_PITCHES + 25));

  it('was made with FEATURE_PARAMS', () => {
    for (const [k, v] of Object.entries(meta.params))
      expect(FEATURE_PARAMS[k as keyof typeof FEATURE_PARAMS], k).toEqual(v);
    expect(samples.length).toBe(meta.samples);
  });

  it('matches pitch energy (atol 1e-7, rtol 1e-3), chroma/onset (atol 1e-4), energy (atol 1e-3)', () => {
    const pe = audioPitchEnergy(samples);
    expect(pe.frames).toBe(F);
    expect(allcloseRatio(pe.energy, refPe, 1e-7, 1e-3)).toBeLessThanOrEqual(1);
    const f = audioFeatures(samples);
    expect(allcloseRatio(f.chroma, refChroma, 1e-4, 0)).toBeLessThanOrEqual(1);
    expect(allcloseRatio(f.onset, refOnset, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    expect(allcloseRatio(f.energy, refEnergy, 1e-3, 0)).toBeLessThanOrEqual(1);
  });
});

describe('score features vs fluidsynth audio of the same notes', () => {
  const { notes, durationSeconds } = JSON.parse(readFileSync(golden('phrase.notes.json'), 'utf8')) as {
    notes: ScoreNote[];
    durationSeconds: number;
  };
  const audio = audioFeatures(readWav(new Uint8Array(readFileSync(golden('phrase.wav'))), 'phrase.wav').mono);
  const score = scoreFeatures(notes, durationSeconds);

  it('has the score grid', () => {
    expect(score.frames).toBe(Math.floor(durationSeconds / HOP_SECONDS) + 1);
    for (let f = 0; f < score.frames; f++) expect(frameNorm(score.chroma, f)).toBeCloseTo(1, 5);
  });

  it('makes the chroma cosine cost low on the diagonal and high off it', () => {
    const n = Math.min(audio.frames, score.frames);
    const band = Math.round(0.1 / HOP_SECONDS);
    const far = Math.round(0.5 / HOP_SECONDS);
    let diag = 0;
    let nDiag = 0;
    let off = 0;
    let nOff = 0;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      diag += cosineCost(audio.chroma, i, score.chroma, i);
      nDiag++;
      let best = 0;
      for (let j = 0; j < n; j++) {
        const c = cosineCost(audio.chroma, i, score.chroma, j);
        if (Math.abs(i - j) >= far) {
          off += c;
          nOff++;
        }
        if (c < cosineCost(audio.chroma, i, score.chroma, best)) best = j;
      }
      if (Math.abs(best - i) <= band + 11) hits++;
    }
    diag /= nDiag;
    off /= nOff;
    expect(diag).toBeLessThan(0.3 * off);
    expect(hits / n).toBeGreaterThan(0.9);
  });

  it('peaks at chord onsets in both, at the same frame ± 2', () => {
    const chordFrames = notes.filter((x) => x.pitch < 48).map((x) => Math.round(x.onset / HOP_SECONDS));
    const peakAt = (feats: typeof audio, of: number): number => {
      let best = of - 4;
      for (let f = of - 4; f <= of + 6; f++)
        if (frameNorm(feats.onset, f) > frameNorm(feats.onset, best)) best = f;
      return best;
    };
    for (const of of chordFrames.slice(1)) {
      const a = peakAt(audio, of);
      const s = peakAt(score, of);
      expect(Math.abs(a - s), `chord at frame ${of}`).toBeLessThanOrEqual(2);
      expect(Math.abs(s - of)).toBeLessThanOrEqual(2);
      for (const feats of [audio, score])
        expect(frameNorm(feats.onset, a)).toBeGreaterThan(2 * frameNorm(feats.onset, of - 3));
    }
  });
});

describe('scoreFeatures', () => {
  it('models a held A4 as pitch class A from its onset, silence before', () => {
    const f = scoreFeatures([{ pitch: 69, onset: 1, duration: 2, velocity: 0.8, measure: 0 }], 4);
    const on = Math.round(1 / HOP_SECONDS);
    expect(argmax12(f.chroma, on + 5)).toBe(9);
    expect(f.chroma[(on - 10) * 12]).toBeCloseTo(1 / Math.sqrt(12), 6);
    expect(f.energy[on + 5]).toBeGreaterThan(f.energy[on + 60]);
    expect(f.energy[on + 60]).toBeGreaterThan(f.energy[Math.round(3.6 / HOP_SECONDS)]);
    expect(argmax12(f.onset, on)).toBe(9);
  });

  it('rejects a bad duration and ignores pitches outside the filterbank', () => {
    expect(() => scoreFeatures([], Number.NaN)).toThrow(/durationSeconds/);
    const f = scoreFeatures([{ pitch: 120, onset: 0, duration: 1, velocity: 1, measure: 0 }], 1);
    expect(f.energy.every((e) => e === Math.fround(Math.log(FEATURE_PARAMS.energyFloor)))).toBe(true);
  });
});

describe('poolFeatures', () => {
  it('averages centred groups, renormalises chroma and scales the hop', () => {
    const f = audioFeatures(sine(440, 2));
    const p = poolFeatures(f, 3);
    expect(p.frames).toBe(Math.floor((f.frames - 1) / 3) + 1);
    expect(p.hopSeconds).toBeCloseTo(3 * HOP_SECONDS, 12);
    for (let g = 0; g < p.frames; g++) expect(frameNorm(p.chroma, g)).toBeCloseTo(1, 5);
    const g = 10;
    for (let c = 0; c < 12; c++) {
      const mean =
        (f.onset[(3 * g - 1) * 12 + c] + f.onset[3 * g * 12 + c] + f.onset[(3 * g + 1) * 12 + c]) / 3;
      expect(p.onset[g * 12 + c]).toBeCloseTo(mean, 6);
    }
    expect(p.energy[g]).toBeCloseTo((f.energy[29] + f.energy[30] + f.energy[31]) / 3, 5);
    expect(poolFeatures(f, 1).chroma).toEqual(f.chroma);
    expect(() => poolFeatures(f, 0)).toThrow(/factor/);
  });
});

describe('slidingMax', () => {
  it('matches a brute-force window max', () => {
    const x = new Float32Array(200).map((_, i) => Math.sin(i * 1.7) * (i % 7));
    const m = slidingMax(x, 5);
    for (let i = 0; i < x.length; i++) expect(m[i]).toBe(Math.max(...x.slice(Math.max(0, i - 5), i + 6)));
  });
});

/** A melody of harmonic tones (5 partials, 1/k amplitudes), every note `cents` off equal temperament at A440. */
function detunedMelody(cents: number, seconds = 6): Float32Array {
  const pitches = [60, 64, 67, 72, 65, 69, 62, 71, 57, 76];
  const x = new Float32Array(Math.round(seconds * sampleRate));
  const noteLen = Math.floor(x.length / pitches.length);
  pitches.forEach((p, n) => {
    const f0 = 440 * 2 ** ((p - 69) / 12 + cents / 1200);
    for (let i = 0; i < noteLen; i++) {
      const t = i / sampleRate;
      let v = 0;
      for (let k = 1; k <= 5; k++) v += Math.sin(2 * Math.PI * k * f0 * t) / k;
      x[n * noteLen + i] = 0.2 * v * Math.exp(-t * 1.5);
    }
  });
  return x;
}

describe('tuning', () => {
  it.each([-40, -25, 0, 18, 33, 45])('estimates a recording tuned %i cents off within 4 cents', (cents) => {
    expect(Math.abs(estimateTuningCents(detunedMelody(cents)) - cents)).toBeLessThan(4);
  });

  it('follows the tuning: a detuned melody gets the chroma of the tuned one', () => {
    const tuned = audioFeatures(detunedMelody(0));
    const off = audioFeatures(detunedMelody(40));
    const fixed = audioFeatures(detunedMelody(40), undefined, { tuningCents: 0 });
    expect(tuned.tuningCents).toBe(0);
    expect(off.tuningCents).toBeGreaterThan(35);
    const dist = (a: Float32Array, b: Float32Array): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
      return Math.sqrt(s / (a.length / 12));
    };
    // Following the tuning brings the chroma at least twice as close to the in-tune rendering.
    expect(dist(off.chroma, tuned.chroma) * 2).toBeLessThan(dist(fixed.chroma, tuned.chroma));
  });

  it('leaves small deviations alone (the bands absorb them)', () => {
    expect(audioFeatures(detunedMelody(5)).tuningCents).toBe(0);
  });
});

describe('noise floor', () => {
  it('removes mains hum and hiss from a long recording and leaves the clean one alone', () => {
    const clean = detunedMelody(0, 40);
    const noisy = Float32Array.from(clean);
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < noisy.length; i++) {
      const t = i / sampleRate;
      noisy[i] +=
        0.02 * Math.sin(2 * Math.PI * 60 * t) +
        0.01 * Math.sin(2 * Math.PI * 180 * t) +
        0.004 * (rand() - 0.5);
    }
    const ref = audioFeatures(clean);
    const dist = (a: Float32Array): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - ref.chroma[i]) ** 2;
      return Math.sqrt(s / (a.length / 12));
    };
    const kept = dist(audioFeatures(noisy, undefined, { noiseFloor: false }).chroma);
    const removed = dist(audioFeatures(noisy).chroma);
    expect(removed * 2).toBeLessThan(kept);
    expect(audioFeatures(clean, undefined, { noiseFloor: false }).chroma).toEqual(ref.chroma);
  });
});

describe('normaliseLevel', () => {
  /** Two seconds of a C major triad at amplitude `amp` per note. */
  const triad = (amp: number): Float32Array => {
    const a = sine(261.63, 2, amp);
    const e = sine(329.63, 2, amp);
    const g = sine(392, 2, amp);
    return a.map((x, i) => x + e[i] + g[i]);
  };
  /** 10·log10 of the `LEVEL_QUANTILE` quantile of the frames' total pitch energy. */
  const loudDb = (pe: { frames: number; energy: Float32Array }): number => {
    const totals = Array.from({ length: pe.frames }, (_, f) =>
      pe.energy.subarray(f * NUM_PITCHES, (f + 1) * NUM_PITCHES).reduce((a, b) => a + b, 0),
    ).sort((a, b) => a - b);
    return 10 * Math.log10(totals[Math.floor(LEVEL_QUANTILE * (totals.length - 1))]);
  };

  it('moves a loud and a quiet recording to the reference level', () => {
    for (const amp of [0.3, 0.05, 0.002]) {
      const pe = audioPitchEnergy(triad(amp));
      const before = loudDb(pe);
      const gain = normaliseLevel(pe);
      expect(gain).toBeCloseTo(LEVEL_REFERENCE_DB - before, 3);
      expect(loudDb(pe)).toBeCloseTo(LEVEL_REFERENCE_DB, 3);
    }
    // The loud one is turned down, the quiet ones up.
    const loud = audioPitchEnergy(triad(0.3));
    expect(normaliseLevel(loud)).toBeLessThan(0);
  });

  it('gives a recording the same features at any level', () => {
    const mid = Math.round(1 / HOP_SECONDS);
    const loud = audioFeatures(triad(0.3));
    const quiet = audioFeatures(triad(0.01));
    expect(cosineCost(quiet.chroma, mid, loud.chroma, mid)).toBeLessThan(1e-4);
    expect(quiet.energy[mid]).toBeCloseTo(loud.energy[mid], 3);
    // Without it the compression, which is absolute, makes the quiet chord's chroma another one.
    const raw = (amp: number): Features => featuresFromPitchEnergy(audioPitchEnergy(triad(amp)));
    expect(cosineCost(raw(0.01).chroma, mid, raw(0.3).chroma, mid)).toBeGreaterThan(1e-3);
  });

  it('raises a recording by at most MAX_LEVEL_GAIN_DB', () => {
    const pe = audioPitchEnergy(triad(1e-5));
    expect(normaliseLevel(pe)).toBe(MAX_LEVEL_GAIN_DB);
    expect(loudDb(pe)).toBeLessThan(LEVEL_REFERENCE_DB - 10);
  });

  it('does nothing to silence', () => {
    const pe = audioPitchEnergy(new Float32Array(sampleRate));
    expect(normaliseLevel(pe)).toBe(0);
    expect(pe.energy.every((x) => x === 0)).toBe(true);
  });
});
