// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkViewState } from '../../../shared/ipc';
import type { ViewState } from '../../../shared/ipc';
import { ViewSettings, ZOOM_MAX_PX_PER_SEC } from './view.svelte';
import { fakeApi } from './fakeApi.testutil';

afterEach(() => {
  vi.useRealTimers();
});

describe('ViewSettings', () => {
  it('coalesces a burst of changes into one save that passes the IPC validator', async () => {
    vi.useFakeTimers();
    const saved: ViewState[] = [];
    const { api } = fakeApi({ view: { save: (_id: number, s: ViewState) => void saved.push(s) } });
    let playhead = 12.5;
    const v = new ViewSettings(api, () => playhead, 100);
    v.restore(4, null, 'pianoroll');
    expect(v.view).toBe('pianoroll');
    v.zoomBy(2);
    v.zoomBy(2);
    v.setView('matrix');
    expect(v.pending).toBe(true);
    playhead = 20;
    await vi.advanceTimersByTimeAsync(150);
    expect(saved).toHaveLength(1);
    expect(v.pending).toBe(false);
    expect(checkViewState(saved[0], 'state')).toEqual({
      playheadSeconds: 20,
      pixelsPerSecond: 200,
      scrollSeconds: 0,
      selectedView: 'matrix',
    });
  });

  it('restores saved state, clamping zoom, and saves nothing after close', async () => {
    const saved: ViewState[] = [];
    const { api } = fakeApi({ view: { save: (_id: number, s: ViewState) => void saved.push(s) } });
    const v = new ViewSettings(api, () => 0, 10);
    v.restore(
      1,
      { playheadSeconds: 3, pixelsPerSecond: 1e5, scrollSeconds: 2, selectedView: 'score' },
      'pianoroll',
    );
    expect(v.zoom).toBe(ZOOM_MAX_PX_PER_SEC);
    expect(v.view).toBe('score');
    v.setView('matrix');
    await v.close();
    expect(saved.map((s) => s.selectedView)).toEqual(['matrix']);
    v.setView('score');
    await new Promise((r) => setTimeout(r, 30));
    expect(saved).toHaveLength(1);
  });

  it('shows why a save failed', async () => {
    const { api } = fakeApi({
      view: {
        save: () => {
          throw new Error(
            '[accord:invalid-argument] state.playheadSeconds: expected a number in [0, 1000000], got the number -1',
          );
        },
      },
    });
    const v = new ViewSettings(api, () => 0, 10);
    v.restore(1, null, 'score');
    await v.flush();
    expect(v.saveError).toMatch(/^View state not saved: state.playheadSeconds/);
  });
});
