/**
 * Where the repository is, for the Node-side tools, the CLI, the bridge and the tests: the root
 * (found from this module's location, so it works from the sources, from `dist/` and inside the
 * packaged app, whatever the working folder) and the `../shared` folder beside it, which holds
 * the ASAP corpus and the official scorer on the project's machines and is absent on a bare clone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json. */
export function repoRoot(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`expected a package.json in a folder above ${here}, found none`);
    dir = up;
  }
  return dir;
}

/** The version in the repository's package.json, or undefined where it cannot be read. */
export function packageVersion(): string | undefined {
  try {
    const v = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: unknown })
      .version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A path inside `../shared` beside the repository root (it may not exist: a bare clone has no such folder). */
export function sharedSibling(...parts: string[]): string {
  return resolve(repoRoot(), '..', 'shared', ...parts);
}

/** The ASAP corpus folder, `../shared/corpora/asap` beside the repository root (it may not exist). */
export function asapDir(): string {
  return sharedSibling('corpora', 'asap');
}
