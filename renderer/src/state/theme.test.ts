// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { THEME_KEY, ThemeSettings } from './theme.svelte';

/** A `prefers-color-scheme: dark` query whose answer the test changes, as the system would. */
function systemScheme(dark: boolean) {
  const listeners = new Set<(e: MediaQueryListEvent) => void>();
  const list = {
    matches: dark,
    addEventListener: (_: string, fn: (e: MediaQueryListEvent) => void) => listeners.add(fn),
    removeEventListener: (_: string, fn: (e: MediaQueryListEvent) => void) => listeners.delete(fn),
  };
  return {
    matchMedia: (q: string) => {
      expect(q).toBe('(prefers-color-scheme: dark)');
      return list as unknown as MediaQueryList;
    },
    set(d: boolean) {
      list.matches = d;
      for (const fn of listeners) fn({ matches: d } as MediaQueryListEvent);
    },
    listeners,
  };
}

function memoryStorage(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe('ThemeSettings', () => {
  it('follows the system setting while "system" is chosen, live', () => {
    const sys = systemScheme(true);
    const root = document.createElement('div');
    const t = new ThemeSettings({ matchMedia: sys.matchMedia, storage: memoryStorage(), root });
    expect(t.choice).toBe('system');
    expect(root.dataset.theme).toBe('dark');
    expect(root.style.colorScheme).toBe('dark');
    sys.set(false);
    expect(t.theme).toBe('light');
    expect(root.dataset.theme).toBe('light');
    t.destroy();
    expect(sys.listeners.size).toBe(0);
  });

  it('a chosen theme overrides the system, is saved, and is restored by the next start', () => {
    const sys = systemScheme(false);
    const storage = memoryStorage();
    const root = document.createElement('div');
    const t = new ThemeSettings({ matchMedia: sys.matchMedia, storage, root });
    t.choose('dark');
    expect(root.dataset.theme).toBe('dark');
    sys.set(false);
    expect(root.dataset.theme).toBe('dark');
    expect(storage.m.get(THEME_KEY)).toBe('dark');
    const again = new ThemeSettings({
      matchMedia: sys.matchMedia,
      storage,
      root: document.createElement('div'),
    });
    expect(again.choice).toBe('dark');
    expect(again.theme).toBe('dark');
  });

  it('an unknown saved value falls back to the system, and a bad choice is refused saying what it expects', () => {
    const sys = systemScheme(true);
    const t = new ThemeSettings({
      matchMedia: sys.matchMedia,
      storage: memoryStorage({ [THEME_KEY]: 'sepia' }),
      root: document.createElement('div'),
    });
    expect(t.choice).toBe('system');
    expect(() => t.choose('sepia' as never)).toThrow(
      'Theme: expected one of system, light, dark, got "sepia"',
    );
  });
});
