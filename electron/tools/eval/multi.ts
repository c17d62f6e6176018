/**
 * The multi-operation structure set: excerpts of validation performances cut at beats into 3–6
 * segments of ≥ 8 beats and rejoined after 1–3 operations (repeat a segment, skip a segment, jump
 * back over two or more segments), 40 ms crossfades, under dry / room / "old recording" conditions
 * (band-limited, noise at 18–28 dB SNR, mains hum, clicks, ±40 cent detuning with slow drift).
 * Built like the held-out structure set the project is judged on.
 */
import type { GtRow } from '../../../shared/eval/metric.js';

/** Operations on the played order of the segments. */
export type MultiOp = 'repeat' | 'skip' | 'jumpback';
/** Recording conditions of the multi set. */
export type Condition = 'dry' | 'room' | 'old';
/** Conditions cycled through the multi cases. */
export const CONDITIONS: readonly Condition[] = ['dry', 'room', 'old'];

/** Shape of the multi set (the held-out structure set's description). */
export const MULTI = {
  minSegments: 3,
  maxSegments: 6,
  minSegmentBeats: 8,
  minOps: 1,
  maxOps: 3,
  minSeconds: 100,
  maxSeconds: 150,
  crossfadeSeconds: 0.04,
} as const;

/** A true jump of an edited recording: at output time `perfTime` the score goes from `fromScoreTime` to `toScoreTime`. */
export interface TrueJump {
  perfTime: number;
  fromScoreTime: number;
  toScoreTime: number;
}

/** A planned multi-operation edit of one source performance. */
export interface MultiPlan {
  /** Source beats [startBeat, endBeat) of each segment, in score order. */
  segments: { startBeat: number; endBeat: number }[];
  /** Segment indices in the order they are played. */
  order: number[];
  ops: MultiOp[];
  /** Continuous source intervals played one after the other (runs of consecutive segments merged). */
  pieces: { startSeconds: number; endSeconds: number }[];
  jumps: TrueJump[];
  outputSeconds: number;
}

/** Applies one operation to a played order; undefined when it cannot apply. */
export function applyOp(order: readonly number[], op: MultiOp, rand: () => number): number[] | undefined {
  const n = order.length;
  const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  if (op === 'repeat') {
    const p = pick(0, n - 1);
    return [...order.slice(0, p + 1), order[p], ...order.slice(p + 1)];
  }
  if (op === 'skip') {
    if (n < 3) return undefined;
    const p = pick(1, n - 2);
    return [...order.slice(0, p), ...order.slice(p + 1)];
  }
  // Jump back over two or more segments: after position p, play positions q..p again.
  if (n < 2) return undefined;
  const p = pick(1, n - 1);
  const q = pick(0, p - 1);
  return [...order.slice(0, p + 1), ...order.slice(q, p + 1), ...order.slice(p + 1)];
}

/**
 * Plans a multi-operation edit of a performance with beat rows `rows` (one GT segment each
 * excerpt) and audio `durationSeconds` long. Rejection sampling over excerpt, segment cuts and
 * operations until the output is 100–150 s with at least one jump.
 */
export function planMulti(
  rows: readonly Required<GtRow>[],
  durationSeconds: number,
  rand: () => number,
): MultiPlan {
  const n = rows.length;
  const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const kinds: MultiOp[] = ['repeat', 'skip', 'jumpback'];
  for (let attempt = 0; attempt < 5000; attempt++) {
    const K = pick(MULTI.minSegments, MULTI.maxSegments);
    const nOps = pick(MULTI.minOps, MULTI.maxOps);
    const ops = Array.from({ length: nOps }, () => kinds[Math.floor(rand() * kinds.length)]);
    const b0 = rand() < 0.4 ? 0 : pick(0, Math.max(0, n - K * MULTI.minSegmentBeats - 1));
    const span = 50 + rand() * 110;
    let bEnd = b0;
    while (bEnd < n - 1 && rows[bEnd].perfTime - rows[b0].perfTime < span) bEnd++;
    const total = bEnd - b0;
    if (total < K * MULTI.minSegmentBeats) continue;
    if (rows[b0].segment !== rows[bEnd].segment) continue;
    // K − 1 cuts with at least minSegmentBeats between them.
    const free = total - K * MULTI.minSegmentBeats;
    const extra = Array.from({ length: K }, () => rand());
    const sum = extra.reduce((a, x) => a + x, 0);
    const lens = extra.map((x) => MULTI.minSegmentBeats + Math.floor((free * x) / sum));
    lens[K - 1] += total - lens.reduce((a, x) => a + x, 0);
    const segments: MultiPlan['segments'] = [];
    let b = b0;
    for (const len of lens) {
      segments.push({ startBeat: b, endBeat: b + len });
      b += len;
    }
    let order: number[] | undefined = segments.map((_, k) => k);
    for (const op of ops) {
      order = order && applyOp(order, op, rand);
    }
    if (!order) continue;
    // Only the recording's opening keeps the silence before the first beat; a return to the
    // first segment starts at its beat, like every other cut.
    const startSec = (k: number, first: boolean): number =>
      first && segments[k].startBeat === 0 ? 0 : rows[segments[k].startBeat].perfTime;
    const endSec = (k: number): number =>
      segments[k].endBeat >= n ? durationSeconds : rows[segments[k].endBeat].perfTime;
    const pieces: MultiPlan['pieces'] = [];
    const jumps: TrueJump[] = [];
    let out = 0;
    for (let i = 0; i < order.length; i++) {
      const k = order[i];
      const continues = i > 0 && order[i - 1] + 1 === k;
      if (continues) {
        pieces[pieces.length - 1].endSeconds = endSec(k);
      } else {
        if (i > 0) {
          const prev = segments[order[i - 1]];
          jumps.push({
            perfTime: out,
            fromScoreTime: rows[Math.min(prev.endBeat, n - 1)].scoreTime,
            toScoreTime: rows[segments[k].startBeat].scoreTime,
          });
        }
        pieces.push({ startSeconds: startSec(k, i === 0), endSeconds: endSec(k) });
      }
      out += endSec(k) - startSec(k, i === 0);
    }
    if (!jumps.length || out < MULTI.minSeconds || out > MULTI.maxSeconds) continue;
    return { segments, order, ops, pieces, jumps, outputSeconds: out };
  }
  throw new Error(`multi edit: found no 100–150 s plan in a performance of ${n} beats`);
}

/** Parameters of the "old recording" degradation, drawn per case. */
export interface OldRecording {
  /** sox band limit (Hz). */
  highpassHz: number;
  lowpassHz: number;
  /** Noise level: signal RMS over noise RMS (dB). */
  snrDb: number;
  humHz: 50 | 60;
  /** Hum level below the signal RMS (dB). */
  humDb: number;
  clicksPerSecond: number;
  /** Detuning (cents) and its slow drift (± cents, period in s), as MIDI pitch bend. */
  detuneCents: number;
  driftCents: number;
  driftPeriodSeconds: number;
}

/** Draws the degradation of one "old recording" case. */
export function drawOldRecording(rand: () => number): OldRecording {
  const sign = rand() < 0.5 ? -1 : 1;
  return {
    highpassHz: Math.round(80 + rand() * 170),
    lowpassHz: Math.round(2800 + rand() * 3200),
    snrDb: 18 + rand() * 10,
    humHz: rand() < 0.5 ? 50 : 60,
    humDb: 20 + rand() * 12,
    clicksPerSecond: 0.5 + rand() * 3,
    detuneCents: sign * (15 + rand() * 25),
    driftCents: 5 + rand() * 10,
    driftPeriodSeconds: 20 + rand() * 40,
  };
}

/** Detuning (cents) at time t of an old recording: the base offset plus a slow sinusoidal drift, kept within ±40. */
export function detuneAt(o: OldRecording, t: number): number {
  const c = o.detuneCents + o.driftCents * Math.sin((2 * Math.PI * t) / o.driftPeriodSeconds);
  return Math.max(-40, Math.min(40, c));
}

/** Pitch-bend range fluidsynth applies by default (± cents at full bend). */
export const BEND_RANGE_CENTS = 200;

/** What `addDetuneBends` needs of a @tonejs/midi file. */
interface BendableMidi {
  duration: number;
  tracks: {
    channel: number;
    notes: readonly unknown[];
    addPitchBend(props: { time: number; value: number }): unknown;
  }[];
}

/**
 * Detunes a MIDI file like an old recording (`detuneAt`): pitch bend every 0.25 s on every
 * channel that plays notes (once per channel), within fluidsynth's default ±2 semitones.
 */
export function addDetuneBends(midi: BendableMidi, o: OldRecording): void {
  const seen = new Set<number>();
  for (const track of midi.tracks) {
    if (!track.notes.length || seen.has(track.channel)) continue;
    seen.add(track.channel);
    for (let t = 0; t <= midi.duration + 1; t += 0.25) {
      const v = Math.round((detuneAt(o, t) / BEND_RANGE_CENTS) * 8192);
      track.addPitchBend({ time: t, value: Math.max(-8192, Math.min(8191, v)) });
    }
  }
}

/**
 * Adds noise (pinkish: white through a one-pole low-pass mixed with white), mains hum with three
 * harmonics and clicks to `channels` in place, levels relative to the signal's RMS.
 */
export function degrade(
  channels: Float32Array[],
  sampleRate: number,
  o: OldRecording,
  rand: () => number,
): void {
  let energy = 0;
  let count = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) energy += ch[i] * ch[i];
    count += ch.length;
  }
  const rms = Math.sqrt(energy / Math.max(1, count)) || 1e-3;
  const noiseRms = rms / 10 ** (o.snrDb / 20);
  const humAmp = (rms / 10 ** (o.humDb / 20)) * Math.SQRT2;
  const n = channels[0]?.length ?? 0;
  // Clicks: positions and amplitudes shared by the channels (a scratch on the disc).
  const clicks: { at: number; amp: number }[] = [];
  const nClicks = Math.round((o.clicksPerSecond * n) / sampleRate);
  for (let k = 0; k < nClicks; k++) {
    clicks.push({ at: Math.floor(rand() * n), amp: (rand() < 0.5 ? -1 : 1) * rms * (2 + rand() * 6) });
  }
  // Gaussian-ish white noise (sum of uniforms); the low-passed part gives the hiss a warmer colour.
  const gauss = (): number => (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3);
  // Standard deviation of 0.5·w + 2.2·lp for unit white w and lp ← 0.95·lp + 0.05·w.
  const mixStd = Math.sqrt(0.25 + 2.2 * 2.2 * (0.0025 / (1 - 0.95 * 0.95)) + 2 * 0.5 * 2.2 * 0.05);
  for (const ch of channels) {
    let lp = 0;
    for (let i = 0; i < n; i++) {
      const w = gauss();
      lp = 0.95 * lp + 0.05 * w;
      const noise = ((0.5 * w + 2.2 * lp) / mixStd) * noiseRms;
      const t = i / sampleRate;
      const hum =
        humAmp *
        (Math.sin(2 * Math.PI * o.humHz * t) +
          0.5 * Math.sin(2 * Math.PI * 2 * o.humHz * t) +
          0.3 * Math.sin(2 * Math.PI * 3 * o.humHz * t));
      ch[i] += noise + hum;
    }
    for (const c of clicks) {
      for (let d = 0; d < 40 && c.at + d < n; d++)
        ch[c.at + d] += c.amp * Math.exp(-d / 6) * (d % 2 ? -0.6 : 1);
    }
  }
  // Normalise to −1 dBFS peak.
  let peak = 0;
  for (const ch of channels) for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(ch[i]));
  if (peak > 0) {
    const g = 10 ** (-1 / 20) / peak;
    for (const ch of channels) for (let i = 0; i < n; i++) ch[i] *= g;
  }
}
