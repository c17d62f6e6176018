import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup (`vitest.config.ts`, `e2e/vitest.config.ts`): the run gets a
 * temporary folder of its own as TMPDIR, which `os.tmpdir()` reads and the test workers, the
 * processes they start and Chromium inherit, and the folder is removed when the run ends. Tests
 * make their folders with `mkdtemp(tmpdir())` and many leave them (a killed worker's project, a
 * CLI run's outputs); before this each run of `npm test` left about 40 of them in /tmp.
 */
export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'accord-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
