import type { AccordApi } from '../shared/ipc.js';

declare global {
  interface Window {
    /** Provided by the bridge's injected script (and the Electron preload). */
    accord: AccordApi;
  }
}
export {};
