import { createContext } from '../lib/context';
import type { AccordApi } from '../lib/api';
import type { AlignmentState } from './alignment.svelte';
import type { PlayerState } from './player.svelte';
import type { PracticeState } from './practice.svelte';
import type { ProjectsState } from './projects.svelte';
import type { ViewSettings } from './view.svelte';
import type { ThemeSettings } from './theme.svelte';

/** `window.accord`. */
export const apiContext = createContext<AccordApi>('accord api');
/** The recent-projects cache. */
export const projectsContext = createContext<ProjectsState>('projects');
/** The player (playhead). */
export const playerContext = createContext<PlayerState>('player');
/** The open project's data and alignment job. */
export const alignmentContext = createContext<AlignmentState>('alignment');
/** Zoom / view / help settings. */
export const viewContext = createContext<ViewSettings>('view settings');
/** Practice mode (loop, speed, metronome) of the open piece. */
export const practiceContext = createContext<PracticeState>('practice');
/** The light/dark theme (an app-wide setting). */
export const themeContext = createContext<ThemeSettings>('theme');
