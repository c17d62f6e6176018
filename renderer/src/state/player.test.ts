// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { PlayerState } from './player.svelte';

describe('PlayerState', () => {
  it('keeps the playhead inside the recording and follows the media element', () => {
    const media = document.createElement('audio');
    const p = new PlayerState(media);
    p.load('http://127.0.0.1/media/1', 30, 12);
    expect(p.duration).toBe(30);
    expect(p.time).toBe(12);
    p.step(25);
    expect(p.time).toBe(30);
    p.step(-100);
    expect(p.time).toBe(0);
    p.seek(Number.NaN);
    expect(p.time).toBe(0);
    // the media element reports where it really is (e.g. after wavesurfer seeked it)
    Object.defineProperty(media, 'currentTime', { configurable: true, get: () => 7.5, set: () => undefined });
    media.dispatchEvent(new Event('seeked'));
    expect(p.time).toBe(7.5);
    media.dispatchEvent(new Event('play'));
    expect(p.playing).toBe(true);
    media.dispatchEvent(new Event('pause'));
    expect(p.playing).toBe(false);
    p.destroy();
    media.dispatchEvent(new Event('play'));
    expect(p.playing).toBe(false);
  });

  it('follows an external playback while it has taken over, and takes the media back where it stopped', () => {
    const media = document.createElement('audio');
    const p = new PlayerState(media);
    p.load('http://127.0.0.1/media/1', 30, 2);
    let now = 4.25;
    const seeks: number[] = [];
    p.takeOver({
      now: () => now,
      seek: (t) => seeks.push(t),
      stop: () => p.handBack(now),
    });
    expect(p.external).toBe(true);
    expect(p.playing).toBe(true);
    expect(p.time).toBe(4.25);
    // the paused media element's events do not stop it
    media.dispatchEvent(new Event('pause'));
    expect(p.playing).toBe(true);
    p.seek(7);
    expect(seeks).toEqual([7]);
    now = 5.5;
    p.pause();
    expect(p.external).toBe(false);
    expect(p.playing).toBe(false);
    expect(p.time).toBe(5.5);
    expect(media.currentTime).toBe(5.5);
    p.destroy();
  });
});
