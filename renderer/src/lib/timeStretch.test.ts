// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { MediaElementStretcher } from './timeStretch';

describe('MediaElementStretcher', () => {
  it('sets the rate and keeps the pitch on the media element, and refuses speeds out of range', () => {
    const media = document.createElement('audio');
    media.preservesPitch = false;
    const s = new MediaElementStretcher(media);
    expect(media.preservesPitch).toBe(true);
    s.setRate(0.75);
    expect(s.rate).toBe(0.75);
    expect(media.playbackRate).toBe(0.75);
    expect(media.defaultPlaybackRate).toBe(0.75);
    expect(() => s.setRate(0.2)).toThrow('speed: expected a factor in [0.25, 1.5], got 0.2');
    expect(() => s.setRate(Number.NaN)).toThrow(RangeError);
    expect(media.playbackRate).toBe(0.75);
    s.release();
    expect(media.playbackRate).toBe(1);
  });
});
