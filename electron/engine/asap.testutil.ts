/** The ASAP corpus for the tests that read it: where it is, and whether it is there. */
import { existsSync } from 'node:fs';
import { asapDir } from './repoRoot.js';

/**
 * The ASAP folder (`../shared/corpora/asap` beside the repository root, found from this file's
 * location, not the working folder) and whether it exists. Where it does not (a bare clone), warns
 * that `suite` is skipped and why, for the caller's `describe.skipIf(!present)`.
 */
export function asapCorpus(suite: string): { dir: string; present: boolean } {
  const dir = asapDir();
  const present = existsSync(dir);
  if (!present)
    console.warn(
      `skipping "${suite}": no ASAP corpus at ${dir} (the ../shared/corpora/asap folder beside the repository, which a bare clone lacks)`,
    );
  return { dir, present };
}
