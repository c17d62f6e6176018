import { describe, expect, it } from 'vitest';
import { rendererCsp, staticContentType } from './web.js';

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
});
