/**
 * The Electron binary cannot run here, so main.ts is checked statically: its security settings
 * are present, and nothing but main.ts and the preload imports `electron` (which throws in plain
 * Node, where the CLI, the bridge and the tests run).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const main = readFileSync(join(import.meta.dirname, 'main.ts'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.(c|m)?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('main process', () => {
  it('creates windows isolated, sandboxed, without Node, and locks navigation, new windows and permissions', () => {
    for (const setting of [
      'contextIsolation: true',
      'sandbox: true',
      'nodeIntegration: false',
      'webSecurity: true',
    ]) {
      expect(main).toContain(setting);
    }
    expect(main).toMatch(/setPermissionRequestHandler\([^)]*\) => callback\(false\)\)/);
    expect(main).toMatch(/setWindowOpenHandler\([\s\S]*?return \{ action: 'deny' \}/);
    expect(main).toMatch(/on\('will-navigate'[\s\S]*?preventDefault/);
    expect(main).toMatch(/'content-security-policy': CSP/);
    expect(main).toContain('requestSingleInstanceLock()');
  });

  it('answers a database that cannot be opened with the recovery dialog, not a silent exit', () => {
    expect(main).toMatch(/catch \(err\) \{\s*const plan = planRecovery\(err, dbPath\)/);
    expect(main).toMatch(/buttons: plan\.choices\.map\(\(c\) => c\.label\)/);
    expect(main).toMatch(/applyRecovery\(action, dbPath\)/);
    expect(main).toMatch(/backupIfDue\(services\.db, dbPath\)/);
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
