/**
 * The desktop app's security settings as plain data and functions, without `electron` (so they
 * are tested in plain Node): the window's web preferences, the renderer's response headers, and
 * what navigation, new windows, webviews, permissions and IPC senders are allowed.
 */
import { externalUrlAllowed, rendererCsp, staticContentType } from '../../app/ipc/web.js';

/** The origin the renderer is served from. */
export const APP_ORIGIN = 'accord://app';

/** The renderer's Content-Security-Policy (the recording comes from `accord-media:`). */
export const CSP = rendererCsp(['accord-media:']);

/** Options of the main window (`new BrowserWindow(...)`): isolated, sandboxed, without Node. */
export function windowOptions(preloadPath: string) {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Accord',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // Middle-click would open links as new windows behind the window-open handler's back.
      disableBlinkFeatures: 'Auxclick',
    },
  };
}

/** Headers of a renderer file served at accord://app/…: its type, the CSP, no sniffing. */
export function rendererHeaders(file: string): Record<string, string> {
  return {
    'content-type': staticContentType(file),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
  };
}

/** Whether `url` is a page of the app (the only place a window may navigate or redirect to). */
export function isAppUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`);
}

/** Whether an IPC message comes from a frame of the app. */
export function isTrustedSender(event: { senderFrame?: { url: string } | null }): boolean {
  return isAppUrl(event.senderFrame?.url ?? '');
}

/** Answers every permission request with no. */
export function denyPermissionRequest(
  _contents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}

/** Answers every permission check with no. */
export function denyPermissionCheck(): boolean {
  return false;
}

/** An event whose default can be prevented. */
interface Preventable {
  preventDefault(): void;
}

/** The part of Electron's `WebContents` that `hardenContents` uses. */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (e: Preventable, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (e: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Locks a web contents: no navigation or redirect off the app, no webviews, no new windows; a link
 * to an allow-listed host is handed to `openExternal` (which asks the user first).
 */
export function hardenContents(
  contents: HardenableContents,
  openExternal: (url: string) => Promise<void>,
): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // No new windows; links to the allow-listed hosts open in the user's browser once confirmed.
    if (externalUrlAllowed(url)) void openExternal(url);
    return { action: 'deny' };
  });
}
