/** The renderer's `localStorage` for app-wide choices (export format, theme); undefined where storage is disabled. */
export function localStore(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled: a choice lasts this session only
  }
}
