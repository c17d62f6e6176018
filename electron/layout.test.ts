/**
 * The rooms of the code and the direction of their imports: hosts → app → engine → shared,
 * tools → app / engine → shared; shared imports nothing outside shared and no Node module; the
 * renderer imports only the renderer and shared. Every static, re-exported and dynamic import and
 * every `new URL('…', import.meta.url)` (worker entries, the preload) of every non-test source is
 * resolved to a file of the repository and checked.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..');

/** The rooms of `electron/`, each with the rooms it may import (itself included). */
const NODE_ROOMS: Record<string, string[]> = {
  'electron/engine': ['electron/engine', 'shared'],
  'electron/app': ['electron/app', 'electron/engine', 'shared'],
  'electron/hosts': ['electron/hosts', 'electron/app', 'electron/engine', 'shared'],
  'electron/tools': ['electron/tools', 'electron/app', 'electron/engine', 'shared'],
};

/** One import of one file: the specifier as written and the repository path it names (undefined: a package). */
interface ImportRef {
  file: string;
  specifier: string;
  target?: string;
}

const SOURCE = /\.(ts|cts|mts|js|mjs|cjs|svelte)$/;
const TEST = /\.test\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory())
      return ['node_modules', 'dist', 'fixtures', 'golden'].includes(e.name) ? [] : sources(p);
    return SOURCE.test(e.name) && !TEST.test(e.name) ? [p] : [];
  });
}

/** The specifiers a source names: static imports and re-exports, `import('…')` and `new URL('…', import.meta.url)`. */
function specifiers(text: string): string[] {
  // Comment lines go (a usage line in a doc comment is no import); strings may hold `/*` (MIME types).
  const code = text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join('\n');
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew\s+URL\s*\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]);
  return found;
}

/** The repository file a relative specifier names (TypeScript's `.js` for `.ts` included), or undefined. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = join(dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.cjs$/, '.cts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    `${base}.svelte`,
    join(base, 'index.ts'),
  ];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return hit && relative(root, hit).split(sep).join('/');
}

/** A folder named by `new URL('.', import.meta.url)` and the like (a build config's root) is no import. */
function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && !existsSync(join(path, 'index.ts'));
}

/** Every import of every non-test source under `dirs` (repository-relative folders). */
function importsUnder(dirs: string[]): ImportRef[] {
  return dirs.flatMap((d) =>
    sources(join(root, d)).flatMap((abs) => {
      const file = relative(root, abs).split(sep).join('/');
      return specifiers(readFileSync(abs, 'utf8'))
        .filter((specifier) => !(specifier.startsWith('.') && isFolder(join(dirname(abs), specifier))))
        .map((specifier): ImportRef => {
          if (!specifier.startsWith('.')) return { file, specifier };
          return { file, specifier, target: resolveRelative(abs, specifier) ?? `unresolved:${specifier}` };
        });
    }),
  );
}

const isNodeBuiltin = (s: string): boolean =>
  s.startsWith('node:') || builtinModules.includes(s.split('/')[0]);
const inside = (path: string, folder: string): boolean => path.startsWith(`${folder}/`);
const roomOf = (file: string): string | undefined => Object.keys(NODE_ROOMS).find((r) => inside(file, r));

/** The imports that break the direction of the rooms, one line each: file, specifier, why. */
function violations(refs: ImportRef[]): string[] {
  const bad: string[] = [];
  for (const { file, specifier, target } of refs) {
    const say = (why: string): number => bad.push(`${file}: '${specifier}' ${why}`);
    if (target?.startsWith('unresolved:')) {
      say('names no file of the repository');
      continue;
    }
    if (inside(file, 'electron')) {
      const room = roomOf(file);
      if (!room) say(`is imported from outside the rooms (${Object.keys(NODE_ROOMS).join(', ')})`);
      else if (target && !NODE_ROOMS[room].some((r) => inside(target, r)))
        say(`reaches ${target}: ${room} may import only ${NODE_ROOMS[room].join(', ')}`);
    } else if (inside(file, 'shared')) {
      if (isNodeBuiltin(specifier)) say('is a Node module: shared runs in the browser too');
      else if (target && !inside(target, 'shared')) say(`reaches ${target}: shared imports only shared`);
    } else if (inside(file, 'renderer')) {
      const buildConfig = /^renderer\/[^/]+\.config\.ts$/.test(file);
      if (isNodeBuiltin(specifier) && !buildConfig) say('is a Node module: the renderer runs in the browser');
      else if (target && !inside(target, 'renderer') && !inside(target, 'shared'))
        say(`reaches ${target}: the renderer imports only renderer and shared`);
    }
  }
  return bad;
}

describe('the rooms of the code', () => {
  const refs = importsUnder(['electron', 'shared', 'renderer']);

  it('reads the imports of every room', () => {
    for (const room of [...Object.keys(NODE_ROOMS), 'shared', 'renderer/src'])
      expect(
        refs.some((r) => inside(r.file, room) && r.target),
        `no relative import read in ${room}`,
      ).toBe(true);
    expect(refs.some((r) => r.specifier.endsWith('alignWorker.js'))).toBe(true);
  });

  it('import only downwards: hosts → app → engine → shared, tools → app / engine → shared, renderer → shared', () => {
    const bad = violations(refs);
    expect(bad, `imports against the direction of the rooms:\n${bad.join('\n')}`).toEqual([]);
  });

  it('catches an import against the direction, naming the file and the specifier', () => {
    const bad = violations([
      { file: 'electron/engine/audio.ts', specifier: '../app/jobs.js', target: 'electron/app/jobs.ts' },
      { file: 'shared/path.ts', specifier: 'node:fs' },
      {
        file: 'renderer/src/App.svelte',
        specifier: '../../electron/engine/peaks.js',
        target: 'electron/engine/peaks.ts',
      },
    ]);
    expect(bad).toEqual([
      "electron/engine/audio.ts: '../app/jobs.js' reaches electron/app/jobs.ts: electron/engine may import only electron/engine, shared",
      "shared/path.ts: 'node:fs' is a Node module: shared runs in the browser too",
      "renderer/src/App.svelte: '../../electron/engine/peaks.js' reaches electron/engine/peaks.ts: the renderer imports only renderer and shared",
    ]);
  });
});
