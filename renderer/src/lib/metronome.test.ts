import { describe, expect, it } from 'vitest';
import type { AlignmentPath } from '../../../shared/path';
import type { ScoreBeat } from '../../../shared/score';
import {
  alignedBeats,
  beatPeriodAt,
  beatsBetween,
  clickTime,
  ClickScheduler,
  countIn,
  LOOKAHEAD_SECONDS,
  type Beat,
  type ClickSink,
} from './metronome';

/** 3/4, one beat per score second, 12 beats. */
const scoreBeats: ScoreBeat[] = Array.from({ length: 12 }, (_, i) => ({
  time: i,
  measure: Math.floor(i / 3),
  beat: (i % 3) + 1,
  downbeat: i % 3 === 0,
  label: `${Math.floor(i / 3) + 1}.${(i % 3) + 1}`,
}));

/** A performance that starts after 0.5 s of silence, then plays 1 score second per 0.8 s, rushing to 0.6 s after score 6. */
function rubatoPath(): AlignmentPath {
  const hop = 0.01;
  const st: number[] = [];
  for (let f = 0; f * hop < 9; f++) {
    const t = f * hop;
    if (t < 0.5) st.push(0);
    else if (t < 0.5 + 6 * 0.8) st.push((t - 0.5) / 0.8);
    else st.push(6 + (t - 0.5 - 4.8) / 0.6);
  }
  return {
    hopSeconds: hop,
    scoreTime: Float64Array.from(st),
    confidence: new Float32Array(st.length).fill(1),
    jumpFrames: [],
    method: 'dtw',
  };
}

describe('alignedBeats', () => {
  it("puts the clicks on the performer's beats (not a nominal tempo), downbeats marked", () => {
    const beats = alignedBeats(rubatoPath(), { beats: scoreBeats });
    const expected = scoreBeats.map((b) => (b.time <= 6 ? 0.5 + b.time * 0.8 : 5.3 + (b.time - 6) * 0.6));
    expect(beats).toHaveLength(12);
    beats.forEach((b, i) => {
      expect(Math.abs(b.time - expected[i])).toBeLessThan(0.011);
      expect(b.downbeat).toBe(i % 3 === 0);
    });
  });

  it('clicks a beat played twice (a repeat) once per pass', () => {
    const one = Array.from({ length: 100 }, (_, f) => f * 0.04); // score 0..4 at 1 s/s with hop 0.04
    const p: AlignmentPath = {
      hopSeconds: 0.04,
      scoreTime: Float64Array.from([...one, ...one]),
      confidence: new Float32Array(200).fill(1),
      jumpFrames: [100],
      method: 'jump',
    };
    const times = alignedBeats(p, { beats: scoreBeats }).map((b) => +b.time.toFixed(6));
    // score beats 0..3 in each pass; the last pass also claims score 4 one hop past its end (as the exports do)
    expect(times).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 7.96]);
  });
});

describe('schedule arithmetic', () => {
  const beats: Beat[] = [0.5, 1.3, 2.1, 2.9, 3.5, 4.1].map((time, i) => ({ time, downbeat: i % 3 === 0 }));

  it('selects beats in a half-open window', () => {
    expect(beatsBetween(beats, 1.3, 2.9).map((b) => b.time)).toEqual([1.3, 2.1]);
    expect(beatsBetween(beats, 0, 0.5)).toEqual([]);
    expect(beatsBetween(beats, 4.2, 9)).toEqual([]);
  });

  it('maps a beat through the playback rate onto the audio clock', () => {
    expect(clickTime(2.1, 2.0, 100, 1)).toBeCloseTo(100.1, 9);
    expect(clickTime(2.1, 2.0, 100, 0.5)).toBeCloseTo(100.2, 9);
    expect(clickTime(2.1, 2.0, 100, 1.5)).toBeCloseTo(100 + 0.1 / 1.5, 9);
  });

  it('counts in at the local beat spacing, landing the first beat one beat after the last click', () => {
    expect(beatPeriodAt(beats, 0)).toBeCloseTo(0.8, 9);
    expect(beatPeriodAt(beats, 3)).toBeCloseTo(0.6, 9);
    // from 1.0 s at half speed: the next beat (1.3) is 0.6 s of playback away; the beat is 1.6 s long
    const c = countIn(beats, 1.0, 2, 0.5, 0.1);
    expect(c.clicks.map((x) => +x.toFixed(9))).toEqual([0.1, 1.7]);
    expect(c.startAfter + 0.6).toBeCloseTo(1.7 + 1.6, 9);
  });
});

/** A media element and an audio clock that run together, the audio clock 50 s ahead. */
function rig(rate: number): {
  media: { currentTime: number; playbackRate: number; paused: boolean; seeking: boolean };
  sink: ClickSink & { clicks: { when: number; accent: boolean }[]; cancels: number };
  advance: (wallSeconds: number) => void;
} {
  const media = { currentTime: 0, playbackRate: rate, paused: false, seeking: false };
  let audio = 50;
  const clicks: { when: number; accent: boolean }[] = [];
  const sink = {
    clicks,
    cancels: 0,
    now: () => audio,
    click: (when: number, accent: boolean) => void clicks.push({ when, accent }),
    cancel() {
      sink.cancels++;
      // pending (future) clicks are dropped
      for (let i = clicks.length - 1; i >= 0; i--) if (clicks[i].when > audio) clicks.splice(i, 1);
    },
  };
  return {
    media,
    sink,
    advance: (s: number) => {
      audio += s;
      media.currentTime += s * media.playbackRate;
    },
  };
}

describe('ClickScheduler', () => {
  const beats: Beat[] = Array.from({ length: 20 }, (_, i) => ({
    time: 0.3 + i * 0.45,
    downbeat: i % 4 === 0,
  }));

  for (const rate of [0.5, 1, 1.5]) {
    it(`clicks every beat once, on time at ${rate * 100} %`, () => {
      const { media, sink, advance } = rig(rate);
      const s = new ClickScheduler(sink, media);
      s.setBeats(beats);
      media.currentTime = 0.1;
      for (let k = 0; k < 600; k++) {
        s.tick();
        advance(0.017);
      }
      const heard = media.currentTime;
      const expected = beats.filter((b) => b.time < heard - LOOKAHEAD_SECONDS * rate);
      const got = sink.clicks.slice(0, expected.length);
      // audio time 50 ↔ media 0.1 at the first tick (the clock has to be seen running first)
      got.forEach((c, i) => {
        const mediaAt = 0.1 + (c.when - 50) * rate;
        expect(Math.abs(mediaAt - expected[i].time)).toBeLessThan(1e-6);
        expect(c.accent).toBe(expected[i].downbeat);
      });
      expect(new Set(sink.clicks.map((c) => c.when.toFixed(6))).size).toBe(sink.clicks.length);
    });
  }

  it('never clicks at or after B, and reschedules after a jump back', () => {
    const { media, sink, advance } = rig(1);
    const s = new ClickScheduler(sink, media);
    s.setBeats(beats);
    s.stopBefore = 2.0;
    media.currentTime = 1.0;
    const passStarts: number[] = [];
    let audio = 50;
    for (let k = 0; k < 400; k++) {
      s.tick();
      advance(0.01);
      audio += 0.01;
      if (media.currentTime >= 2.0) {
        media.currentTime = 1.0; // the loop's wrap
        passStarts.push(audio);
      }
    }
    // the media time of each click: from the start of the pass it sounds in
    const heard = sink.clicks.map((c) => {
      const start = [50 - 0.0, ...passStarts].filter((p) => p <= c.when + 1e-9).pop() ?? 50;
      return +(1 + c.when - start).toFixed(2);
    });
    // beats in [1, 2): 1.2 and 1.65, once per pass; nothing at or after B
    expect(passStarts.length).toBeGreaterThanOrEqual(3);
    expect(heard.slice(0, 8)).toEqual([1.2, 1.65, 1.2, 1.65, 1.2, 1.65, 1.2, 1.65]);
    expect(heard.every((t) => t === 1.2 || t === 1.65)).toBe(true);
  });

  it('waits while the media is paused or seeking', () => {
    const { media, sink, advance } = rig(1);
    const s = new ClickScheduler(sink, media);
    s.setBeats(beats);
    media.paused = true;
    for (let k = 0; k < 10; k++) {
      s.tick();
      advance(0.02);
    }
    media.paused = false;
    media.seeking = true;
    s.tick();
    expect(sink.clicks).toEqual([]);
  });
});
