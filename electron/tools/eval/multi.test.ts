import { describe, expect, it } from 'vitest';
import midiPkg from '@tonejs/midi';
import { applyEditToGt } from './gt.js';
import { MULTI, applyOp, degrade, detuneAt, drawOldRecording, planMulti } from './multi.js';
import { detunedMidi } from './dataset.js';
import { seededRandom } from '../../../shared/random.js';

const { Midi } = midiPkg;

/** 600 beats at 0.5 s from 1 s (leading silence), score beats every 0.5 s. */
const rows = Array.from({ length: 600 }, (_, k) => ({
  perfTime: 1 + 0.5 * k,
  scoreTime: 0.5 * k,
  segment: 0,
}));

describe('multi-operation structure set', () => {
  it('plans 3–6 segments of ≥ 8 beats, 1–3 operations, 100–150 s, jumps where the order breaks', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const plan = planMulti(rows, 302, seededRandom(seed));
      expect(plan.segments.length).toBeGreaterThanOrEqual(MULTI.minSegments);
      expect(plan.segments.length).toBeLessThanOrEqual(MULTI.maxSegments);
      for (const s of plan.segments)
        expect(s.endBeat - s.startBeat).toBeGreaterThanOrEqual(MULTI.minSegmentBeats);
      expect(plan.ops.length).toBeGreaterThanOrEqual(1);
      expect(plan.ops.length).toBeLessThanOrEqual(3);
      expect(plan.outputSeconds).toBeGreaterThanOrEqual(100);
      expect(plan.outputSeconds).toBeLessThanOrEqual(150);
      const breaks = plan.order.filter((k, i) => i > 0 && plan.order[i - 1] + 1 !== k).length;
      expect(plan.jumps.length).toBe(breaks);
      expect(plan.pieces.length).toBe(breaks + 1);
      // Every true jump lies where the GT starts a new pass, and lands on the first beat after it.
      const gt = applyEditToGt(rows, plan.pieces);
      for (const j of plan.jumps) {
        const after = gt.find((r) => r.perfTime >= j.perfTime - 1e-9);
        expect(after?.scoreTime).toBeCloseTo(j.toScoreTime, 9);
        expect(after?.perfTime).toBeCloseTo(j.perfTime, 9);
      }
      // Only the opening keeps the silence before the first beat.
      plan.pieces.slice(1).forEach((p) => expect(p.startSeconds).toBeGreaterThanOrEqual(1));
    }
  });

  it('applies each operation to the played order', () => {
    const r = (): number => 0.5;
    expect(applyOp([0, 1, 2, 3], 'repeat', r)).toEqual([0, 1, 2, 2, 3]);
    expect(applyOp([0, 1, 2, 3], 'skip', r)).toEqual([0, 1, 3]);
    expect(applyOp([0, 1, 2, 3], 'jumpback', r)).toEqual([0, 1, 2, 1, 2, 3]);
    expect(applyOp([0, 1], 'skip', r)).toBeUndefined();
  });

  it('detunes by pitch bend within ±40 cents and degrades at the drawn SNR', () => {
    const old = drawOldRecording(seededRandom(3));
    const midi = new Midi();
    const track = midi.addTrack();
    track.addNote({ midi: 60, time: 0, duration: 10 });
    const back = new Midi(detunedMidi(midi.toArray(), old));
    const bends = back.tracks[0].pitchBends;
    expect(bends.length).toBeGreaterThan(30);
    // The reader gives bends as a fraction of the ±2-semitone range.
    for (const b of bends) expect(Math.abs(b.value * 200)).toBeLessThanOrEqual(40.1);
    expect(bends[4].value * 200).toBeCloseTo(detuneAt(old, bends[4].time), 0);
    const x = new Float32Array(44100).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 44100));
    const clean = Float32Array.from(x);
    degrade([x], 44100, { ...old, humDb: 60, clicksPerSecond: 0 }, seededRandom(4));
    // After normalisation the residual relative to the scaled clean signal is the added noise.
    let dot = 0;
    let cc = 0;
    for (let i = 0; i < x.length; i++) {
      dot += x[i] * clean[i];
      cc += clean[i] * clean[i];
    }
    const g = dot / cc;
    let noise = 0;
    for (let i = 0; i < x.length; i++) noise += (x[i] - g * clean[i]) ** 2;
    const snr = 10 * Math.log10((g * g * cc) / noise);
    expect(Math.abs(snr - old.snrDb)).toBeLessThan(1.5);
  });
});
