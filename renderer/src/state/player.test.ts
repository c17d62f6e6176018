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
});
