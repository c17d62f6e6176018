/**
 * The security check (`npm run security`, part of `npm test`): electronegativity over the Node
 * side (`electron/`, the preload included), judged against `build/electronegativity-allow.json`.
 *
 *   node dist/node/electron/tools/security/run.js [--keep <folder for the CSV reports>]
 *
 * electronegativity reads only `.js/.jsx/.ts/.tsx` and skips a file it cannot parse without a
 * word, so the sources are copied to a scan folder under those extensions (the preload is a
 * `.cts`), the files it really parsed are counted, and a file it could not parse is scanned again
 * as its compiled JavaScript from `dist/node`. Exit code 1 on any problem, with every problem said.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../engine/repoRoot.js';
import { writeFileAtomicSync } from '../../engine/atomicWrite.js';
import {
  describeFinding,
  findingsOf,
  formatReport,
  judge,
  parseAllowList,
  type Finding,
} from './electronegativity.js';

/** The committed allow-list, from the repository root. */
export const ALLOW_LIST = 'build/electronegativity-allow.json';
/** What is scanned, from the repository root. */
const SCAN_ROOT = 'electron';

/** The part of electronegativity's programmatic API used here (`dist/runner.js`). */
type RunElectronegativity = (options: {
  input: string;
  isRelative: boolean;
  electronVersionOverride: string;
  customScan: string[];
  excludeFromScan: string[];
  parserPlugins: string[];
}) => Promise<{ errors: { file: string; message: string; tolerable: boolean }[]; issues: unknown[] }>;
type ParserClass = {
  prototype: { parse(file: string, content: Buffer): [number, unknown, string, unknown] };
};

/**
 * The one check left out: it asks GitHub for Electron's release list, which CI and this build
 * machine cannot reach (it then reports nothing), and where it can, its answer changes with each
 * Electron release, so the same commit would pass one day and fail the next. Electron's version
 * is pinned in package-lock.json and raised on purpose.
 */
const OFFLINE_EXCLUDED = 'availablesecurityfixesglobalcheck';

/** Extensions electronegativity reads a source file under, by the file's own extension. */
const SCAN_EXTENSION: Record<string, string> = {
  '.ts': '.ts',
  '.cts': '.ts',
  '.mts': '.ts',
  '.js': '.js',
  '.cjs': '.js',
  '.mjs': '.js',
};

/** Repository paths of the Node side's shipped sources: no tests, test helpers or fixtures. */
export function sourceFiles(root: string, dir = SCAN_ROOT): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'fixtures' && e.name !== 'node_modules') out.push(...sourceFiles(root, rel));
    } else if (
      e.isFile() &&
      extensionOf(e.name) in SCAN_EXTENSION &&
      !/\.(test|testutil)\.[cm]?ts$/.test(e.name) &&
      !e.name.endsWith('.d.ts')
    )
      out.push(rel);
  }
  return out.sort();
}

function extensionOf(name: string): string {
  const m = /\.[^./]+$/.exec(name);
  return m ? m[0] : '';
}

/** What one electronegativity run found and read. */
interface Scan {
  findings: Finding[];
  /** Repository paths it parsed and checked. */
  scanned: Set<string>;
  /** Repository path → why it could not be read. */
  failed: Map<string, string>;
}

/** Loads electronegativity's runner and parser from this repository's node_modules. */
function loadScanner(root: string): {
  run: RunElectronegativity;
  Parser: ParserClass;
  electronVersion: string;
} {
  const req = createRequire(join(root, 'package.json'));
  let run: RunElectronegativity;
  let Parser: ParserClass;
  try {
    run = req('@doyensec/electronegativity') as RunElectronegativity;
    Parser = (req('@doyensec/electronegativity/dist/parser/index.js') as { Parser: ParserClass }).Parser;
  } catch (err) {
    throw new Error(
      `security: expected @doyensec/electronegativity in node_modules (a devDependency: run npm ci), got ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const electronVersion = (req('electron/package.json') as { version: string }).version;
  return { run, Parser, electronVersion };
}

/**
 * Copies `files` (repository path → path to copy from) into `dir` under names electronegativity
 * reads, runs it there and maps what it reports back to repository paths.
 */
async function scan(
  scanner: ReturnType<typeof loadScanner>,
  files: Map<string, string>,
  dir: string,
  csvPath: string | undefined,
): Promise<Scan> {
  const repoPathOf = new Map<string, string>();
  for (const [repoPath, from] of files) {
    const rel = repoPath.replace(/\.[^./]+$/, SCAN_EXTENSION[extensionOf(from)] ?? extensionOf(from));
    if (repoPathOf.has(rel))
      throw new Error(`security: ${repoPath} and ${repoPathOf.get(rel)} scan as one file ${rel}`);
    repoPathOf.set(rel, repoPath);
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    copyFileSync(from, join(dir, rel));
  }
  const toRepo = (reported: string): string => {
    const rel = relative(dir, join(dir, reported)).split(sep).join('/');
    return repoPathOf.get(rel) ?? `(not a scanned source) ${reported}`;
  };
  // electronegativity does not say which files it parsed: count them at its parser.
  const parsed = new Set<string>();
  const proto = scanner.Parser.prototype;
  // Kept unbound on purpose: it is put back on the prototype and called with each parser as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const parse = proto.parse;
  proto.parse = function (this: unknown, file: string, content: Buffer) {
    const r = parse.call(this, file, content);
    if (r[1] !== null && r[1] !== undefined) parsed.add(toRepo(relative(dir, file)));
    return r;
  };
  let result: Awaited<ReturnType<RunElectronegativity>>;
  try {
    result = await scanner.run({
      input: dir,
      isRelative: true,
      electronVersionOverride: scanner.electronVersion,
      customScan: [],
      excludeFromScan: [OFFLINE_EXCLUDED],
      parserPlugins: [],
    });
  } finally {
    proto.parse = parse;
  }
  const failed = new Map<string, string>();
  for (const e of result.errors)
    if (!e.tolerable) failed.set(toRepo(relative(dir, e.file)), e.message.split('\n')[0]);
  for (const f of failed.keys()) parsed.delete(f);
  for (const repoPath of files.keys())
    if (!parsed.has(repoPath) && !failed.has(repoPath)) failed.set(repoPath, 'not parsed');
  const findings = findingsOf(result.issues, toRepo);
  if (csvPath !== undefined) writeFileAtomicSync(csvPath, formatReport(findings));
  return { findings, scanned: parsed, failed };
}

/** Scans the sources, judges them and prints the outcome; resolves to the exit code. */
export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { keep: { type: 'string' } } });
  const root = repoRoot();
  const allow = parseAllowList(JSON.parse(readFileSync(join(root, ALLOW_LIST), 'utf8')), ALLOW_LIST);
  const scanner = loadScanner(root);
  const work = mkdtempSync(join(tmpdir(), 'accord-security-'));
  const reports = values.keep;
  if (reports !== undefined) mkdirSync(reports, { recursive: true });
  const report = (name: string): string | undefined =>
    reports === undefined ? undefined : join(reports, name);
  try {
    const expected = sourceFiles(root);
    const sources = new Map(expected.map((f) => [f, join(root, f)]));
    let result = await scan(scanner, sources, join(work, 'sources'), report('electronegativity.csv'));
    if (result.failed.size > 0) {
      // A source it cannot parse (syntax newer than its parsers): scan everything again with
      // what tsc made of that file instead, so the global checks still see the whole app.
      for (const [f, why] of result.failed) {
        const js = join(
          root,
          'dist/node',
          f
            .replace(/\.ts$/, '.js')
            .replace(/\.cts$/, '.cjs')
            .replace(/\.mts$/, '.mjs'),
        );
        console.log(
          `security: electronegativity could not read ${f} (${why}); scanning ${relative(root, js)} instead`,
        );
        if (existsSync(js)) sources.set(f, js);
      }
      result = await scan(
        scanner,
        sources,
        join(work, 'with-compiled'),
        report('electronegativity-compiled.csv'),
      );
      for (const [f, why] of result.failed)
        console.log(`security: electronegativity could not read ${sources.get(f)} either (${why})`);
    }
    const { findings, scanned } = result;
    const verdict = judge(findings, allow, { expected, scanned });
    console.log(
      `security: electronegativity ${scanner.electronVersion === '' ? '' : `(Electron ${scanner.electronVersion}) `}scanned ${[...scanned].filter((f) => expected.includes(f)).length} of ${expected.length} source files under ${SCAN_ROOT}/; ${findings.length} findings`,
    );
    for (const a of verdict.allowed)
      console.log(`  allowed  ${describeFinding(a.finding)}\n           because ${a.reason}`);
    for (const f of verdict.minor) console.log(`  minor    ${describeFinding(f)}`);
    for (const p of verdict.problems) console.error(`  FAIL     ${p}`);
    console.log(verdict.ok ? 'security: passed' : `security: failed (${verdict.problems.length} problems)`);
    return verdict.ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
