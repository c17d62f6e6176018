/**
 * The installers' configuration (`build/electron-builder.json`), checked as far as this offline
 * machine allows: electron-builder's own schema validation, the files it takes into the app, the
 * asar unpack rules against the native modules and models actually installed, the fuses, the
 * targets and the icon. (`electron-builder --dir` needs the Electron binary, which cannot be
 * downloaded here.)
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { inflateSync } from 'node:zlib';
import { repoRoot } from '../../engine/repoRoot.js';

const root = repoRoot();
const config = JSON.parse(readFileSync(join(root, 'build', 'electron-builder.json'), 'utf8')) as {
  directories: { output: string; buildResources: string };
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  fileAssociations: { ext: string }[];
  linux: { target: string[]; icon: string };
  win: { target: string[] };
  mac: { target: string[] };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
// electron-builder matches `files` and `asarUnpack` with minimatch (its dependency), dot files included.
const requireFromBuilder = createRequire(join(root, 'node_modules', 'app-builder-lib', 'package.json'));
const { minimatch } = requireFromBuilder('minimatch') as {
  minimatch: (path: string, pattern: string, opts?: { dot?: boolean; matchBase?: boolean }) => boolean;
};

/** Whether electron-builder's `files` patterns take `path` (the last matching pattern decides). */
function included(path: string): boolean {
  let taken = false;
  for (const p of config.files) {
    if (p.startsWith('!')) {
      if (minimatch(path, p.slice(1), { dot: true })) taken = false;
    } else if (minimatch(path, p, { dot: true })) taken = true;
  }
  return taken;
}

const unpacked = (path: string): boolean =>
  config.asarUnpack.some((p) => minimatch(path, p, { dot: true, matchBase: !p.includes('/') }));

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('build/electron-builder.json', () => {
  it("passes electron-builder's own configuration check (which does refuse a misspelt fuse)", async () => {
    const { validateConfiguration } = requireFromBuilder('./out/util/config/config.js') as {
      validateConfiguration: (c: unknown, log: { isEnabled: boolean; add(): void }) => Promise<void>;
    };
    const log = { isEnabled: false, add: () => undefined };
    await expect(validateConfiguration(config, log)).resolves.toBeUndefined();
    const typo = { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } };
    await expect(validateConfiguration(typo, log)).rejects.toThrow(/electronFuses/);
  });

  it('builds AppImage and deb, NSIS and dmg into release/ (not dist/, which tsc owns)', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.directories.output).toBe('release');
    expect(config.fileAssociations.map((a) => a.ext)).toEqual(['accord']);
  });

  it('takes the main process, preload, workers, renderer and shipped models, and leaves out sources, tests, maps, tools and training records', () => {
    for (const path of [
      'package.json',
      pkg.main,
      'dist/node/electron/hosts/desktop/preload.cjs',
      'dist/node/electron/app/workers/alignWorker.js',
      'dist/node/electron/engine/pipeline.js',
      'dist/node/shared/ipc.js',
      'renderer/dist/index.html',
      'renderer/dist/assets/index-abc123.js',
    ]) {
      expect(included(path), path).toBe(true);
    }
    const models = ['accord-ca', 'accord-notes'].flatMap((m) =>
      ['config.json', 'model.onnx'].map((f) => `models/${m}/${f}`),
    );
    for (const path of models) {
      expect(existsSync(join(root, path)), path).toBe(true);
      expect(included(path), path).toBe(true);
    }
    for (const path of [
      'electron/hosts/desktop/main.ts',
      'dist/node/electron/engine/audio.test.js',
      'dist/node/electron/engine/audio.js.map',
      'dist/node/electron/tools/bench/run.js',
      'models/accord-ca/training/history.json',
      'models/structure/train.py',
      'resources/fixtures/x.wav',
      '.cache/bench/perf-60min.wav',
    ]) {
      expect(included(path), path).toBe(false);
    }
  });

  it('unpacks every native module and library of better-sqlite3 and onnxruntime-node, and the models, from the asar', () => {
    const natives = ['better-sqlite3', 'onnxruntime-node']
      .flatMap((m) => walk(join(root, 'node_modules', m)))
      .map((f) => relative(root, f).split('\\').join('/'))
      .filter((f) => /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(f));
    expect(natives.filter((f) => f.endsWith('better_sqlite3.node')).length).toBeGreaterThan(0);
    expect(natives.filter((f) => f.endsWith('onnxruntime_binding.node')).length).toBeGreaterThan(0);
    for (const f of natives) expect(unpacked(f), f).toBe(true);
    for (const f of ['models/accord-ca/model.onnx', 'models/accord-notes/model.onnx'])
      expect(unpacked(f), f).toBe(true);
    expect(unpacked('dist/node/electron/engine/pipeline.js')).toBe(false);
    expect(unpacked('renderer/dist/index.html')).toBe(false);
  });

  it('sets the release fuses: no RunAsNode, NODE_OPTIONS or inspect, cookie encryption, asar integrity, app only from the asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('nothing the app runs needs ELECTRON_RUN_AS_NODE (its workers are worker_threads)', () => {
    const sources = ['app', 'engine', 'hosts/desktop']
      .flatMap((d) => walk(join(root, 'electron', d)))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(10);
    for (const f of sources) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/ELECTRON_RUN_AS_NODE|from 'node:child_process'|utilityProcess\.fork/);
    }
  });

  it('has a real 512 × 512 RGBA PNG icon (build/make-icon.mjs)', () => {
    const png = readFileSync(join(root, config.linux.icon));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([512, 512, 8, 6]);
    const idat = png.indexOf('IDAT');
    const pixels = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    expect(pixels.length).toBe(512 * (512 * 4 + 1));
  });
});
