/**
 * The script the bridge injects before the renderer: it defines `window.accord` with the same
 * shape as the preload's (`AccordApi` of `shared/ipc.ts`), calling the handlers over `fetch`
 * and receiving events over Server-Sent Events. Errors reject exactly as through Electron's
 * contextBridge: an `Error` whose message carries `[accord:<code>] ` (read it with `AccordError.from`).
 * `window.accordBridge.fileAt(path)` makes a `File` whose path `accord.files.pathFor` knows, as a
 * file dropped from the desktop has in Electron, so the drop path can be tested in a browser.
 */
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../../shared/ipc.js';

/** Path prefix of the bridge's own endpoints. */
export const BRIDGE_PREFIX = '/__accord';

/** JavaScript source defining `window.accord` for a page served by the bridge. */
export function bridgeClientScript(token: string): string {
  return `(() => {
  'use strict';
  const TOKEN = ${JSON.stringify(token)};
  const PREFIX = ${JSON.stringify(BRIDGE_PREFIX)};
  const CHANNELS = ${JSON.stringify(INVOKE_CHANNELS)};
  const EVENTS = ${JSON.stringify(EVENT_CHANNELS)};
  const TYPED = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray };
  function b64ToBytes(b64) {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function bytesToB64(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function encode(value) {
    return JSON.stringify(value, (_k, v) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView) && TYPED[v.constructor.name]) {
        return { $typed: v.constructor.name, b64: bytesToB64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      }
      return v;
    });
  }
  function decode(text) {
    return JSON.parse(text, (_k, v) => {
      if (v && typeof v === 'object' && typeof v.$typed === 'string' && TYPED[v.$typed]) {
        const bytes = b64ToBytes(v.b64);
        return new TYPED[v.$typed](bytes.buffer, 0, bytes.byteLength / TYPED[v.$typed].BYTES_PER_ELEMENT);
      }
      return v;
    });
  }
  async function invoke(channel, args) {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    let res;
    try {
      res = await fetch(PREFIX + '/invoke/' + encodeURIComponent(channel), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-accord-token': TOKEN },
        body: encode(args),
      });
    } catch (e) {
      throw new Error('[accord:io] the bridge is unreachable: ' + (e && e.message ? e.message : String(e)));
    }
    const text = await res.text();
    let result;
    try {
      result = decode(text);
    } catch (e) {
      throw new Error('[accord:internal] expected a JSON result from the bridge, got HTTP ' + res.status + ': ' + text.slice(0, 200));
    }
    if (result && result.ok === true) return result.value;
    const err = result && result.error ? result.error : { code: 'internal', message: 'HTTP ' + res.status };
    throw new Error('[accord:' + err.code + '] ' + err.message);
  }
  const listeners = new Map();
  let source = null;
  function ensureSource() {
    if (source) return;
    source = new EventSource(PREFIX + '/events?token=' + encodeURIComponent(TOKEN));
    for (const name of EVENTS) {
      source.addEventListener(name, (ev) => {
        const payload = decode(ev.data);
        for (const fn of Array.from(listeners.get(name) || [])) {
          try { fn(payload); } catch (e) { console.error('[accord] listener for ' + name + ' threw', e); }
        }
      });
    }
  }
  const api = {};
  for (const channel of CHANNELS) {
    const [domain, verb] = channel.split(':');
    api[domain] = api[domain] || {};
    api[domain][verb] = (...args) => invoke(channel, args);
  }
  // The browser's equivalent of Electron's webUtils.getPathForFile: a File made by
  // accordBridge.fileAt(path) (as the OS makes one for a drop) knows its path; any other has none.
  const filePaths = new WeakMap();
  api.files = {
    pathFor(file) {
      return (file && typeof file === 'object' && filePaths.get(file)) || '';
    },
  };
  for (const d of Object.keys(api)) Object.freeze(api[d]);
  api.on = (event, listener) => {
    if (!EVENTS.includes(event)) throw new Error('[accord:invalid-argument] expected one of the events ' + EVENTS.join(', ') + ', got ' + String(event));
    if (typeof listener !== 'function') throw new Error('[accord:invalid-argument] expected a listener function');
    ensureSource();
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event).add(listener);
    return () => { listeners.get(event).delete(listener); };
  };
  ensureSource(); // connect now so events of a job started before the first on() are not lost
  Object.defineProperty(window, 'accord', { value: Object.freeze(api), writable: false, configurable: false });
  Object.defineProperty(window, 'accordBridge', {
    value: Object.freeze({
      fileAt(path) {
        if (typeof path !== 'string' || path === '') throw new Error('[accord:invalid-argument] fileAt: expected a path, got ' + String(path));
        const file = new File([], path.split(/[\\\\/]/).pop() || path);
        filePaths.set(file, path);
        // Granted at once (a synchronous request), as Electron's drop is before the page can use the path.
        const x = new XMLHttpRequest();
        x.open('POST', PREFIX + '/drop', false);
        x.setRequestHeader('x-accord-token', TOKEN);
        x.setRequestHeader('content-type', 'application/json');
        x.send(JSON.stringify({ path }));
        if (x.status !== 200) throw new Error('[accord:invalid-argument] fileAt: ' + x.responseText);
        return file;
      },
    }),
    writable: false,
    configurable: false,
  });
})();
`;
}
