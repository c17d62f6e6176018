/**
 * The security check's judgement on electronegativity's issues and on committed reports: `report-current.csv` is
 * what electronegativity 1.10.3 wrote for `electron/` at the time of writing, `report-new-high.csv`
 * the same with a HIGH finding in a new file (its sample quotes a comma and quotes) and an
 * informational one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../engine/repoRoot.js';
import {
  findingsOf,
  formatReport,
  judge,
  parseAllowList,
  parseReport,
  type AllowEntry,
} from './electronegativity.js';
import { ALLOW_LIST, sourceFiles } from './run.js';

const fixture = (name: string): string =>
  readFileSync(join(repoRoot(), 'electron/tools/security/fixtures', name), 'utf8');
const committed = (): AllowEntry[] =>
  parseAllowList(JSON.parse(readFileSync(join(repoRoot(), ALLOW_LIST), 'utf8')) as unknown, ALLOW_LIST);
const FILES = [
  'electron/hosts/desktop/main.ts',
  'electron/hosts/desktop/preload.cts',
  'electron/app/projects.ts',
];
const full = { expected: FILES, scanned: new Set(FILES) };

describe('electronegativity report', () => {
  it('reads every row, quoted samples included', () => {
    const f = parseReport(fixture('report-new-high.csv'));
    expect(f.map((x) => `${x.check} ${x.severity}`)).toEqual([
      'CSP_GLOBAL_CHECK MEDIUM',
      'OPEN_EXTERNAL_JS_CHECK MEDIUM',
      'AUXCLICK_JS_CHECK MEDIUM',
      'CONTEXT_ISOLATION_JS_CHECK HIGH',
      'SANDBOX_JS_CHECK MEDIUM',
      'CONTEXT_ISOLATION_JS_CHECK HIGH',
      'ELECTRON_VERSION_JSON_CHECK INFORMATIONAL',
    ]);
    expect(f[5]).toMatchObject({
      file: 'electron/hosts/desktop/extra.ts',
      location: '3:50',
      sample: 'const w = new BrowserWindow({ title: "a, b", webPreferences: { contextIsolation: false } });',
    });
    expect(f[0]).toMatchObject({ file: 'N/A', sample: 'N/A' });
  });

  it('refuses a report of another shape instead of reading it as no findings', () => {
    expect(() => parseReport('')).toThrow(/expected the header "issue, severity, .*", got an empty file/);
    expect(() => parseReport('id,level\nX,HIGH\n')).toThrow(/expected the header/);
    const text = fixture('report-current.csv');
    const cut = text.slice(0, text.indexOf('No CSP has') + 6);
    expect(() => parseReport(cut)).toThrow(/expected a closing quote, got the end of the file/);
    const short = text.replace(',https://github.com/doyensec/electronegativity/wiki/CSP_GLOBAL_CHECK', '');
    expect(() => parseReport(short)).toThrow(/row 2: expected 8 fields, got 7/);
    const badSeverity = fixture('report-current.csv').replace('"HIGH"', '"SEVERE"');
    expect(() => parseReport(badSeverity)).toThrow(
      /expected a severity of HIGH, MEDIUM, LOW, INFORMATIONAL, got "SEVERE"/,
    );
  });
});

describe('electronegativity issues', () => {
  /** An issue as electronegativity 1.10.3's run() resolves it (severity and confidence are objects). */
  const issue = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 'CONTEXT_ISOLATION_JS_CHECK',
    severity: { value: 3, name: 'HIGH', format: () => 'HIGH' },
    confidence: { value: 2, name: 'FIRM' },
    file: 'hosts/desktop/main.ts',
    location: { line: 3, column: 50 },
    sample: '  new BrowserWindow({ title: "a, b" }) ',
    description: 'Review the use of the contextIsolation option',
    ...over,
  });

  it('reads them without the racy CSV, maps files and round-trips through a report', () => {
    const global = issue({
      id: 'CSP_GLOBAL_CHECK',
      file: 'N/A',
      sample: undefined,
      location: { line: 0, column: 0 },
    });
    const f = findingsOf([issue(), global], (r) => `electron/${r}`);
    expect(f[0]).toEqual({
      check: 'CONTEXT_ISOLATION_JS_CHECK',
      severity: 'HIGH',
      confidence: 'FIRM',
      file: 'electron/hosts/desktop/main.ts',
      location: '3:50',
      sample: 'new BrowserWindow({ title: "a, b" })',
      description: 'Review the use of the contextIsolation option',
    });
    expect(f[1]).toMatchObject({ check: 'CSP_GLOBAL_CHECK', file: 'N/A', sample: 'N/A' });
    expect(parseReport(formatReport(f))).toEqual(f);
  });

  it('refuses an issue of another shape instead of dropping it', () => {
    expect(() => findingsOf([issue({ severity: { name: 'SEVERE' } })])).toThrow(
      /issue 1: expected a severity of HIGH, MEDIUM, LOW, INFORMATIONAL, got "SEVERE"/,
    );
    expect(() => findingsOf([issue(), issue({ location: '3:50' })])).toThrow(
      /issue 2: expected a location \{ line, column \}, got "3:50"/,
    );
    expect(() => findingsOf([issue({ id: 7 })])).toThrow(/expected an id, got 7/);
    expect(() => findingsOf(['CSP'])).toThrow(/expected an object, got "CSP"/);
  });
});

describe('the verdict', () => {
  it('passes today’s report with the committed allow-list, each finding with its reason', () => {
    const v = judge(parseReport(fixture('report-current.csv')), committed(), full);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.allowed).toHaveLength(5);
    for (const a of v.allowed) expect(a.reason.length).toBeGreaterThan(40);
  });

  it('fails on a HIGH finding no entry allows, and reports the informational one without failing', () => {
    const v = judge(parseReport(fixture('report-new-high.csv')), committed(), full);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      'not in the allow-list: CONTEXT_ISOLATION_JS_CHECK (HIGH, FIRM) at electron/hosts/desktop/extra.ts:3:50: Review the use of the contextIsolation option [const w = new BrowserWindow({ title: "a, b", webPreferences: { contextIsolation: false } });]',
    ]);
    expect(v.minor.map((f) => f.check)).toEqual(['ELECTRON_VERSION_JSON_CHECK']);
  });

  it('an entry for the same check in the same file but another line does not allow it', () => {
    const findings = parseReport(fixture('report-new-high.csv'));
    const sameFileOtherLine = judge(
      findings,
      [
        ...committed(),
        {
          check: 'CONTEXT_ISOLATION_JS_CHECK',
          file: 'electron/hosts/desktop/extra.ts',
          sample: 'const w = new BrowserWindow(safeOptions());',
          reason: 'a different window whose options are checked elsewhere',
        },
      ],
      full,
    );
    expect(sameFileOtherLine.ok).toBe(false);
    const allowed = judge(
      findings,
      [
        ...committed(),
        {
          check: 'CONTEXT_ISOLATION_JS_CHECK',
          file: 'electron/hosts/desktop/extra.ts',
          reason: 'this test window loads only a local page with no preload',
        },
      ],
      full,
    );
    expect(allowed.problems).toEqual([]);
    expect(allowed.ok).toBe(true);
  });

  it('fails when electronegativity scanned fewer files than there are sources', () => {
    const v = judge(parseReport(fixture('report-current.csv')), committed(), {
      expected: FILES,
      scanned: new Set(FILES.filter((f) => !f.endsWith('.cts'))),
    });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      'electronegativity scanned 2 of 3 source files; not scanned: electron/hosts/desktop/preload.cts',
    ]);
  });

  it('fails on an allow-list entry that matches no finding', () => {
    const findings = parseReport(fixture('report-current.csv')).filter(
      (f) => f.check !== 'OPEN_EXTERNAL_JS_CHECK',
    );
    const v = judge(findings, committed(), full);
    expect(v.problems).toEqual([
      'allow-list entry OPEN_EXTERNAL_JS_CHECK for electron/hosts/desktop/main.ts [if (r.response === 0) await shell.openExternal(url);] matches no finding: remove it',
    ]);
  });
});

describe('the allow-list', () => {
  it('needs a check id, a file and a written reason', () => {
    const entry = {
      check: 'SANDBOX_JS_CHECK',
      file: 'electron/x.ts',
      reason: 'the window never loads remote content',
    };
    expect(parseAllowList({ allow: [entry] })).toEqual([entry]);
    expect(() => parseAllowList({ allow: [{ ...entry, reason: 'fine' }] })).toThrow(
      /the allow-list.allow\[0\].reason: expected a written reason .*, got "fine"/,
    );
    expect(() => parseAllowList({ allow: [{ ...entry, check: 'sandbox' }] })).toThrow(
      /\.check: expected a check id/,
    );
    expect(() => parseAllowList({ allow: [{ ...entry, why: 'x' }] })).toThrow(/\.why: expected no such key/);
    expect(() => parseAllowList([])).toThrow(/expected an object/);
  });
});

describe('the files to scan', () => {
  it('are the Node side’s sources, the .cts preload included, without tests or fixtures', () => {
    const files = sourceFiles(repoRoot());
    expect(files).toContain('electron/hosts/desktop/preload.cts');
    expect(files).toContain('electron/hosts/desktop/main.ts');
    expect(files).toContain('electron/engine/workers/tsHooks.mjs');
    expect(files.filter((f) => /\.test\.ts$|\.testutil\.ts$|\/fixtures\//.test(f))).toEqual([]);
  });
});
