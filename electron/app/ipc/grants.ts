/**
 * Paths the user gave the main process: answers of its file dialogs and files dropped on the
 * window (Electron's `webUtils.getPathForFile`, the bridge's `accordBridge.fileAt`). Channels
 * that read or write a file the renderer names (`project:create`, `project:relink`,
 * `projectfile:save`, `projectfile:open`, `alignment:import`, `scan:import`, `export:alignment`) accept only these, so a compromised page cannot read or
 * overwrite any file, nor make a project of one.
 */
import { resolve } from 'node:path';
import { AccordError } from '../../../shared/ipc.js';

/** The main process's allow-list of granted paths (compared after `path.resolve`). */
export class PathGrants {
  readonly #paths = new Set<string>();

  /** Grants `path` (a dialog answer or a dropped file). */
  grant(path: string): void {
    this.#paths.add(resolve(path));
  }

  /** Whether `path` was granted. */
  has(path: string): boolean {
    return this.#paths.has(resolve(path));
  }

  /** Throws `invalid-argument` unless `path` was granted; `what` names the file for the message. */
  require(path: string, what: string): void {
    if (!this.has(path)) {
      throw new AccordError(
        'invalid-argument',
        `${what}: expected a file chosen in a dialog or dropped on the window, got ${path}, which was not`,
      );
    }
  }
}

/** Characters a `dialog:save` default name may not keep: separators and reserved characters. */
const UNSAFE_NAME = /[\\/:*?"<>|]+/g;

/** `name` with control characters (below U+0020, and U+007F) made `_`. */
function withoutControls(name: string): string {
  return [...name].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '_' : c)).join('');
}

/**
 * A default file name for the save dialog reduced to one plain name: no folder separators, no
 * `..`, no leading dots; empty becomes `fallback`.
 */
export function safeFileName(name: string | undefined, fallback: string): string {
  const n = withoutControls(name ?? '')
    .replace(UNSAFE_NAME, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  return n || fallback;
}
