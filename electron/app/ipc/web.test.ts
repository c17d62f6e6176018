import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { externalUrlAllowed, rendererCsp, staticContentType } from './web.js';

describe('renderer web headers', () => {
  it('the CSP allows only the own origin for scripts and adds media schemes where asked', () => {
    const plain = rendererCsp();
    expect(plain).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(plain).not.toContain("'unsafe-eval'");
    expect(plain).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(plain).toContain("media-src 'self' blob:");
    expect(plain).toContain("object-src 'none'");
    const app = rendererCsp(['accord-media:']);
    expect(app).toContain("media-src 'self' accord-media: blob:");
    expect(app).toContain("connect-src 'self' accord-media:");
  });

  it('types static files by extension, octet-stream otherwise', () => {
    expect(staticContentType('/x/index.HTML')).toBe('text/html; charset=utf-8');
    expect(staticContentType('a/b/verovio.wasm')).toBe('application/wasm');
    expect(staticContentType('a/b/unknown.bin')).toBe('application/octet-stream');
  });

  it('has one CSP: the header, with no second policy in the page (browsers enforce both)', () => {
    const html = readFileSync(
      fileURLToPath(new URL('../../../renderer/index.html', import.meta.url)),
      'utf8',
    );
    expect(html).not.toMatch(/http-equiv=["']?content-security-policy/i);
    // The desktop app's header and window settings: electron/hosts/desktop/main.test.ts.
  });

  it('opens only https links to allow-listed hosts in the browser', () => {
    expect(externalUrlAllowed('https://github.com/accord/accord')).toBe(true);
    expect(externalUrlAllowed('https://creativecommons.org/licenses/by-nc-sa/4.0/')).toBe(true);
    expect(externalUrlAllowed('http://github.com/')).toBe(false);
    expect(externalUrlAllowed('https://github.com.evil.example/')).toBe(false);
    expect(externalUrlAllowed('https://evil.example/?github.com')).toBe(false);
    expect(externalUrlAllowed('https://user:pw@github.com/')).toBe(false);
    expect(externalUrlAllowed('https://github.com:8443/')).toBe(false);
    expect(externalUrlAllowed('file:///etc/passwd')).toBe(false);
    expect(externalUrlAllowed('smb://host/share')).toBe(false);
    expect(externalUrlAllowed('not a url')).toBe(false);
    // That the desktop app's new-window handler asks this: electron/hosts/desktop/main.test.ts.
  });
});
