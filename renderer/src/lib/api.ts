/**
 * The renderer's only door to main: `window.accord`, typed by shared/ipc.ts (the Electron
 * preload and the test bridge both provide it).
 */
import { AccordError } from '../../../shared/ipc';
import type { AccordApi } from '../../../shared/ipc';

export type {
  AccordApi,
  AlignmentRecord,
  EventChannels,
  MatrixImage,
  Peaks,
  PracticeLoop,
  PracticeSettings,
  ProjectDetail,
  ProjectStatus,
  ProjectSummary,
  RunMethod,
  ViewKind,
  ViewState,
} from '../../../shared/ipc';

/** The API main exposes on `window.accord`; throws when the page runs without a host. */
export function getAccord(): AccordApi {
  const api = (globalThis as { accord?: AccordApi }).accord;
  if (!api) {
    throw new Error(
      'window.accord is missing: expected the Electron preload or the test bridge to provide it.',
    );
  }
  return api;
}

/** A readable message for anything a call to main threw (the `[accord:code]` tag removed). */
export function errorMessage(e: unknown): string {
  return AccordError.from(e).message;
}

/** The error code of anything a call to main threw. */
export function errorCode(e: unknown): string {
  return AccordError.from(e).code;
}
