/** Paths of the repository, the built renderer, fixtures and artifacts. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../electron/engine/repoRoot.js';

/** Repository root. */
export const ROOT = repoRoot();
/** Built renderer served by the bridge. */
export const RENDERER_DIST = join(ROOT, 'renderer', 'dist');
/** Screenshots and traces (gitignored). */
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');

/** The sample piece: MusicXML + MIDI score and a recording of it. */
export const SAMPLE = {
  musicxml: join(ROOT, 'resources', 'sample', 'score.musicxml'),
  midi: join(ROOT, 'resources', 'sample', 'score.mid'),
  recording: join(ROOT, 'resources', 'sample', 'performance.flac'),
};

/** A minuet whose first eight bars are repeated (played twice in the recording). */
export const MINUET = {
  musicxml: join(ROOT, 'resources', 'fixtures', 'minuet-repeat', 'score.musicxml'),
  recording: join(ROOT, 'resources', 'fixtures', 'minuet-repeat', 'performance.ogg'),
};

/** Creates the artifacts folder; returns the path of artifact `name`. */
export function artifact(name: string): string {
  if (!existsSync(ARTIFACTS)) mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
