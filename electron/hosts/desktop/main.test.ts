/**
 * The Electron binary cannot run here, so the main process is checked on the pure modules it is
 * built from: `security.ts` (window, sessions, IPC guard) and `startup.ts` (the database's
 * recovery at start-up); and
 * nothing but main.ts and the preload imports `electron` (which throws in plain Node, where the
 * CLI, the bridge and the tests run).
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  APP_ORIGIN,
  denyPermissionCheck,
  denyPermissionRequest,
  hardenContents,
  type HardenableContents,
  isTrustedSender,
  rendererHeaders,
  windowOptions,
} from './security.js';
import { rendererCsp } from '../../app/ipc/web.js';
import { openWithRecovery, recoveryDialog } from './startup.js';
import { repoRoot } from '../../engine/repoRoot.js';

const root = repoRoot();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.(c|m)?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** A web contents that records its listeners, for `hardenContents`. */
function fakeContents() {
  const listeners = new Map<string, (e: { preventDefault(): void }, url?: string) => void>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  const contents = {
    on(event: string, listener: (e: { preventDefault(): void }, url?: string) => void) {
      listeners.set(event, listener);
      return contents;
    },
    setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
      openHandler = h;
    },
  };
  /** Fires `event` (with `url`); whether the listener prevented its default. */
  const fire = (event: string, url?: string): boolean => {
    const listener = listeners.get(event);
    if (!listener) throw new Error(`no listener for ${event}`);
    let prevented = false;
    listener({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  const open = (url: string): { action: string } => {
    if (!openHandler) throw new Error('no window-open handler');
    return openHandler({ url });
  };
  return { contents: contents as HardenableContents, fire, open };
}

describe('main process security', () => {
  it('creates windows isolated, sandboxed, without Node, with web security and the given preload', () => {
    const o = windowOptions('/app/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(o.show).toBe(false);
  });

  it('serves the renderer with the one CSP (the header, media from accord-media:) and no sniffing', () => {
    const h = rendererHeaders('/x/index.html');
    expect(h['content-security-policy']).toBe(rendererCsp(['accord-media:']));
    expect(h['content-security-policy']).toMatch(/default-src 'self'/);
    expect(h['content-security-policy']).toContain('accord-media:');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['content-type']).toMatch(/^text\/html/);
  });

  it('refuses every permission request and check', () => {
    const callback = vi.fn();
    denyPermissionRequest({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(denyPermissionCheck()).toBe(false);
  });

  it('keeps windows on the app: navigation and redirects off it, webviews and new windows are refused', async () => {
    const opened: string[] = [];
    const { contents, fire, open } = fakeContents();
    hardenContents(contents, (url) => {
      opened.push(url);
      return Promise.resolve();
    });
    expect(fire('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(fire('will-navigate', 'accord://application.evil/')).toBe(true);
    expect(fire('will-redirect', `${APP_ORIGIN}/other.html`)).toBe(false);
    expect(fire('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-attach-webview')).toBe(true);
    expect(open('https://example.com/')).toEqual({ action: 'deny' });
    expect(open('https://github.com/accord')).toEqual({ action: 'deny' });
    await Promise.resolve();
    // only the allow-listed link goes to the (confirming) external opener
    expect(opened).toEqual(['https://github.com/accord']);
  });

  it('takes IPC only from frames of the app', () => {
    expect(isTrustedSender({ senderFrame: { url: `${APP_ORIGIN}/index.html` } })).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'https://example.com/' } })).toBe(false);
    expect(isTrustedSender({ senderFrame: null })).toBe(false);
    expect(isTrustedSender({})).toBe(false);
  });

  it('answers a database that cannot be opened with the recovery dialog, not a silent exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-startup-'));
    try {
      const dbPath = join(dir, 'accord.db');
      writeFileSync(dbPath, 'not a database');
      const damaged = Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
      const asked: string[][] = [];
      let opens = 0;
      const open = (): string => {
        if (opens++ === 0) throw damaged;
        return 'services';
      };
      // Start Fresh: the bad file is moved aside and the database opened again.
      const fresh = openWithRecovery(dbPath, {
        open,
        ask: (plan) => {
          asked.push(recoveryDialog(plan).buttons);
          return plan.choices.findIndex((c) => c.action.kind === 'start-fresh');
        },
        fail: () => expect.fail('no failure expected'),
      });
      expect(fresh).toBe('services');
      expect(asked).toEqual([['Start Fresh', 'Quit']]);
      expect(readdirSync(dir).some((f) => f.startsWith('accord.db.bad-'))).toBe(true);
      // Quit: nothing opens, nothing moves.
      writeFileSync(dbPath, 'not a database');
      opens = 0;
      const before = readdirSync(dir).length;
      const quit = openWithRecovery(dbPath, {
        open,
        ask: (plan) => recoveryDialog(plan).cancelId,
        fail: () => expect.fail('no failure expected'),
      });
      expect(quit).toBeUndefined();
      expect(opens).toBe(1);
      expect(readdirSync(dir).length).toBe(before);
      // A database held by another process offers only Quit.
      const held = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      let offered: string[] = [];
      openWithRecovery(dbPath, {
        open: () => {
          throw held;
        },
        ask: (plan) => {
          offered = recoveryDialog(plan).buttons;
          return 0;
        },
        fail: () => expect.fail('no failure expected'),
      });
      expect(offered).toEqual(['Quit']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens external links only through the window-open handler (one shell.openExternal, behind the confirmation)', () => {
    const main = readFileSync(join(import.meta.dirname, 'main.ts'), 'utf8');
    expect(main.match(/shell\.openExternal\(/g)).toHaveLength(1);
    expect(main).toMatch(/hardenContents\(contents, confirmExternal\)/);
  });

  it('is the only Node-side module (with the preload) that imports electron', () => {
    const importers = [...sources(join(root, 'electron')), ...sources(join(root, 'shared'))]
      .filter((f) => !f.endsWith('.test.ts'))
      .filter((f) => /(from\s+'electron'|require\('electron'\))/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f))
      .sort();
    expect(importers).toEqual(['electron/hosts/desktop/main.ts', 'electron/hosts/desktop/preload.cts']);
  });
});
