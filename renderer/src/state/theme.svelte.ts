import { localStore } from '../lib/storage';

/** The theme the user chose: the system's (`prefers-color-scheme`), light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';
/** The theme shown. */
export type Theme = 'light' | 'dark';

/** The choices, in the order the menu lists them. */
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
/** Where the choice is kept between sessions (`localStorage`, an app-wide setting). */
export const THEME_KEY = 'accord.theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** What the theme needs from the page (the real ones by default; tests pass their own). */
export interface ThemeDeps {
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  matchMedia?: (query: string) => MediaQueryList;
  /** Element whose `data-theme` and `color-scheme` are set (default `document.documentElement`). */
  root?: HTMLElement;
}

/** The chosen theme applied to the page as `data-theme`; follows the system's setting while "system" is chosen. */
export class ThemeSettings {
  #choice = $state<ThemeChoice>('system');
  #systemDark = $state(false);
  #storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  #root: HTMLElement;
  #query: MediaQueryList | null;
  #onQuery = (e: MediaQueryListEvent) => {
    this.#systemDark = e.matches;
    this.#apply();
  };

  constructor(deps: ThemeDeps = {}) {
    this.#storage = deps.storage ?? localStore();
    this.#root = deps.root ?? document.documentElement;
    const mm = deps.matchMedia ?? globalThis.matchMedia?.bind(globalThis);
    this.#query = mm ? mm(DARK_QUERY) : null;
    this.#systemDark = this.#query?.matches ?? false;
    this.#query?.addEventListener('change', this.#onQuery);
    const saved = this.#storage?.getItem(THEME_KEY);
    this.#choice = (THEME_CHOICES as readonly string[]).includes(saved ?? '')
      ? (saved as ThemeChoice)
      : 'system';
    this.#apply();
  }

  /** The user's choice. */
  get choice(): ThemeChoice {
    return this.#choice;
  }
  /** The theme shown. */
  get theme(): Theme {
    return this.#choice === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#choice;
  }

  /** Chooses, applies and saves `choice`. */
  choose(choice: ThemeChoice): void {
    if (!THEME_CHOICES.includes(choice))
      throw new Error(`Theme: expected one of ${THEME_CHOICES.join(', ')}, got "${String(choice)}"`);
    this.#choice = choice;
    this.#storage?.setItem(THEME_KEY, choice);
    this.#apply();
  }

  /** Stops following the system's setting. */
  destroy(): void {
    this.#query?.removeEventListener('change', this.#onQuery);
  }

  #apply(): void {
    const t = this.theme;
    this.#root.dataset.theme = t;
    this.#root.style.colorScheme = t;
  }
}
