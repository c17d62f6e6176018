// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlignmentPath } from '../../../shared/path';
import type { PracticeSettings } from '../../../shared/ipc';
import type { Score } from '../../../shared/score';
import { DEFAULT_PRACTICE, PracticeState } from './practice.svelte';
import { fakeApi } from './fakeApi.testutil';
import { PlayerState } from './player.svelte';

/** Four 4/4 bars of 2 score seconds, played at half speed after 1 s of silence. */
const score = {
  format: 'midi',
  duration: 8,
  notes: [],
  beats: Array.from({ length: 16 }, (_, i) => ({
    time: i * 0.5,
    measure: Math.floor(i / 4),
    beat: (i % 4) + 1,
    downbeat: i % 4 === 0,
    label: `${Math.floor(i / 4) + 1}.${(i % 4) + 1}`,
  })),
  measures: [0, 1, 2, 3].map((i) => ({
    index: i,
    number: String(i + 1),
    start: i * 2,
    end: i * 2 + 2,
    timeSignature: [4, 4] as [number, number],
  })),
  jumpPoints: [],
} satisfies Score;

const hop = 0.02;
const path: AlignmentPath = {
  hopSeconds: hop,
  scoreTime: Float64Array.from({ length: 900 }, (_, f) => Math.min(8, Math.max(0, (f * hop - 1) / 2))),
  confidence: new Float32Array(900).fill(1),
  jumpFrames: [],
  method: 'dtw',
};

function setup(save: (id: number, s: PracticeSettings) => Promise<void> = () => Promise.resolve()) {
  const saved: PracticeSettings[] = [];
  const { api } = fakeApi({
    practice: {
      save: (id, s) => {
        saved.push(structuredClone(s));
        return save(id, s);
      },
    },
  });
  const media = document.createElement('audio');
  const practice = new PracticeState({ api, player: new PlayerState(media), saveDelayMs: 50 });
  return { practice, media, saved };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('PracticeState', () => {
  it('restores saved settings and puts the speed on the media element with the pitch kept', () => {
    const { practice, media } = setup();
    practice.restore(1, { ...DEFAULT_PRACTICE, speedPercent: 60 });
    expect(media.playbackRate).toBe(0.6);
    expect(media.preservesPitch).toBe(true);
    practice.setSpeed(10);
    expect(practice.settings.speedPercent).toBe(25);
    expect(media.playbackRate).toBe(0.25);
    practice.restore(2, null);
    expect(practice.settings).toEqual(DEFAULT_PRACTICE);
    expect(media.playbackRate).toBe(1);
    practice.destroy();
  });

  it('loops typed bars where the performance plays them, and refuses bad ones with a message', () => {
    const { practice } = setup();
    practice.restore(1, null);
    expect(practice.setLoopFromBars('3-9', score, path, 0)).toBe(false);
    expect(practice.barsError).toBe('This score has no bar 9 (bars 1–4).');
    expect(practice.settings.loop).toBeNull();
    expect(practice.setLoopFromBars('2', score, null, 0)).toBe(false);
    expect(practice.barsError).toMatch(/^Align the recording first/);
    expect(practice.setLoopFromBars('2–3', score, path, 0)).toBe(true);
    expect(practice.barsError).toBeNull();
    const loop = practice.settings.loop;
    // bar 2 starts at score 2 s = perf 5 s; bar 3 ends at score 6 s = perf 13 s
    expect(loop?.bars).toBe('2-3');
    expect(loop?.startSeconds).toBeCloseTo(5, 6);
    expect(loop?.endSeconds).toBeCloseTo(13, 6);
    practice.destroy();
  });

  it('saves the settings a moment after the last change, exactly as set', async () => {
    vi.useFakeTimers();
    const { practice, saved } = setup();
    practice.restore(7, null);
    practice.setOpen(true);
    practice.setLoop({ startSeconds: 1, endSeconds: 2 });
    practice.setPreRoll(0.5);
    practice.setLoopCount(3);
    practice.setRamp({ stepPercent: 5, targetPercent: 100 });
    practice.setMetronome({ enabled: true, volume: 3 });
    practice.setCountIn(4);
    expect(practice.pending).toBe(true);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(saved).toEqual([
      {
        loop: { startSeconds: 1, endSeconds: 2 },
        preRollSeconds: 0.5,
        loopCount: 3,
        speedPercent: 100,
        ramp: { stepPercent: 5, targetPercent: 100 },
        metronome: { enabled: true, volume: 1, accent: true },
        countInBeats: 4,
      },
    ]);
    expect(practice.pending).toBe(false);
    practice.destroy();
  });

  it('says why a save failed', async () => {
    vi.useFakeTimers();
    const { practice } = setup(() =>
      Promise.reject(new Error('[accord:not-found] expected an existing project id, got 7')),
    );
    practice.restore(7, null);
    practice.setSpeed(80);
    await vi.advanceTimersByTimeAsync(60);
    expect(practice.saveError).toBe('Practice settings not saved: expected an existing project id, got 7');
    practice.destroy();
  });

  it('refuses a loop that ends before it starts', () => {
    const { practice } = setup();
    practice.restore(1, null);
    practice.setLoop({ startSeconds: 4, endSeconds: 3 });
    expect(practice.settings.loop).toBeNull();
    expect(practice.barsError).toBe('The loop must end after it starts (A 4.00 s, B 3.00 s).');
    practice.destroy();
  });
});
