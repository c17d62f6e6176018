/**
 * The security check's judgement, apart from running the scanner: electronegativity's issues (or
 * a CSV report of them) read into findings, the committed allow-list read and checked, and the verdict (every
 * HIGH or MEDIUM finding explained by an allow-list entry, every entry still needed, every source
 * file really scanned). electronegativity exits 0 whatever it finds and skips files it cannot
 * parse without a word, so none of this may be taken from its exit code.
 */

/** Severities electronegativity reports, most severe first. */
export const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;
/** One of `SEVERITIES`. */
export type Severity = (typeof SEVERITIES)[number];
/** Severities that fail the check unless allowed. */
export const FAILING_SEVERITIES: readonly Severity[] = ['HIGH', 'MEDIUM'];

/** One row of the report. */
export interface Finding {
  /** Check id, e.g. `CONTEXT_ISOLATION_JS_CHECK`. */
  check: string;
  severity: Severity;
  /** `CERTAIN`, `FIRM` or `TENTATIVE`. */
  confidence: string;
  /** Repository path of the file (`N/A` for a global check). */
  file: string;
  /** `line:column`. */
  location: string;
  /** The source line the finding points at (`N/A` for a global check). */
  sample: string;
  description: string;
}

/** One allow-list entry: a finding that is not a defect, and why. */
export interface AllowEntry {
  check: string;
  /** Repository path, or `N/A` for a global check. */
  file: string;
  /** When given, only the finding on this source line (trimmed) is allowed, so a new one in the same file still fails. */
  sample?: string;
  /** Why the finding is not a defect here. */
  reason: string;
}

/** The header electronegativity 1.10 writes. */
const CSV_HEADER = [
  'issue',
  'severity',
  'confidence',
  'filename',
  'location',
  'sample',
  'description',
  'url',
];

/** Splits CSV text into rows of fields (RFC 4180 quoting: `"…"` with `""` for a quote). */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
    i++;
  }
  if (quoted) throw new Error('electronegativity CSV: expected a closing quote, got the end of the file');
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

/**
 * Findings of an electronegativity CSV report; `fileOf` maps the report's (relative) file names
 * back to repository paths. Throws on a report of another shape rather than reading it as empty.
 */
export function parseReport(text: string, fileOf: (reported: string) => string = (f) => f): Finding[] {
  const rows = parseCsvRows(text).filter((r) => !(r.length === 1 && r[0].trim() === ''));
  const header = rows.shift()?.map((h) => h.trim());
  if (header?.join(',') !== CSV_HEADER.join(','))
    throw new Error(
      `electronegativity CSV: expected the header "${CSV_HEADER.join(', ')}", got ${header ? `"${header.join(', ')}"` : 'an empty file'}`,
    );
  return rows.map((r, k) => {
    if (r.length !== CSV_HEADER.length)
      throw new Error(
        `electronegativity CSV row ${k + 2}: expected ${CSV_HEADER.length} fields, got ${r.length}`,
      );
    const [check, severity, confidence, file, location, sample, description] = r;
    if (!(SEVERITIES as readonly string[]).includes(severity))
      throw new Error(
        `electronegativity CSV row ${k + 2}: expected a severity of ${SEVERITIES.join(', ')}, got "${severity}"`,
      );
    return {
      check,
      severity: severity as Severity,
      confidence,
      file: file === 'N/A' ? file : fileOf(file),
      location,
      sample: sample.trim(),
      description,
    };
  });
}

/**
 * Findings of the issues electronegativity's `run()` resolves to (its in-memory result: the CSV
 * it writes is written by two unawaited writes that race, so it may hold a header over half a row).
 * `fileOf` maps its (relative) file names back to repository paths. Throws on an issue of another
 * shape rather than dropping it.
 */
export function findingsOf(issues: unknown[], fileOf: (reported: string) => string = (f) => f): Finding[] {
  return issues.map((raw, k) => {
    const fail = (expected: string, got: unknown): never => {
      throw new Error(`electronegativity issue ${k + 1}: expected ${expected}, got ${JSON.stringify(got)}`);
    };
    if (typeof raw !== 'object' || raw === null) fail('an object', raw);
    const i = raw as Record<string, unknown>;
    const text = (key: string): string => {
      const v = i[key];
      return typeof v === 'string' ? v : v === undefined || v === null ? 'N/A' : fail(`${key} as text`, v);
    };
    const named = (key: string): string => {
      const v = i[key] as { name?: unknown } | undefined;
      return typeof v?.name === 'string' ? v.name : fail(`${key} as { name }`, v);
    };
    const severity = named('severity');
    if (!(SEVERITIES as readonly string[]).includes(severity))
      fail(`a severity of ${SEVERITIES.join(', ')}`, severity);
    const loc = i.location as { line?: unknown; column?: unknown } | undefined;
    if (typeof loc?.line !== 'number' || typeof loc.column !== 'number')
      fail('a location { line, column }', loc);
    const file = text('file');
    return {
      check: typeof i.id === 'string' ? i.id : fail('an id', i.id),
      severity: severity as Severity,
      confidence: named('confidence'),
      file: file === 'N/A' ? file : fileOf(file),
      location: `${loc!.line as number}:${loc!.column as number}`,
      sample: text('sample').trim(),
      description: text('description'),
    };
  });
}

/** A CSV report of `findings` in electronegativity's own layout, which `parseReport` reads back. */
export function formatReport(findings: readonly Finding[]): string {
  const q = (v: string): string => `"${v.replace(/"/g, '""')}"`;
  const rows = findings.map((f) =>
    [
      f.check,
      q(f.severity),
      q(f.confidence),
      q(f.file),
      q(f.location),
      q(f.sample),
      q(f.description),
      `https://github.com/doyensec/electronegativity/wiki/${f.check}`,
    ].join(','),
  );
  return [CSV_HEADER.join(', '), ...rows, ''].join('\n');
}

/** Validates the allow-list file's content: `{ "allow": [{ check, file, sample?, reason }] }`. */
export function parseAllowList(json: unknown, what = 'the allow-list'): AllowEntry[] {
  const fail = (where: string, expected: string, got: unknown): never => {
    throw new Error(`${what}${where}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    fail('', 'an object { "allow": [...] }', json);
  const list = (json as { allow?: unknown }).allow;
  if (!Array.isArray(list)) fail('.allow', 'an array of entries', list);
  return (list as unknown[]).map((raw, k) => {
    const at = `.allow[${k}]`;
    if (typeof raw !== 'object' || raw === null) fail(at, 'an object', raw);
    const e = raw as Record<string, unknown>;
    for (const key of Object.keys(e))
      if (!['check', 'file', 'sample', 'reason'].includes(key)) fail(`${at}.${key}`, 'no such key', key);
    if (typeof e.check !== 'string' || !/^[A-Z0-9_]+$/.test(e.check))
      fail(`${at}.check`, 'a check id such as CONTEXT_ISOLATION_JS_CHECK', e.check);
    if (typeof e.file !== 'string' || e.file === '') fail(`${at}.file`, 'a repository path or N/A', e.file);
    if (e.sample !== undefined && (typeof e.sample !== 'string' || e.sample.trim() === ''))
      fail(`${at}.sample`, 'the source line of the finding', e.sample);
    if (typeof e.reason !== 'string' || e.reason.trim().split(/\s+/).length < 5)
      fail(`${at}.reason`, 'a written reason (a sentence saying why this is not a defect)', e.reason);
    const entry: AllowEntry = {
      check: e.check as string,
      file: e.file as string,
      reason: e.reason as string,
    };
    if (e.sample !== undefined) entry.sample = (e.sample as string).trim();
    return entry;
  });
}

/** Whether `entry` explains `finding`. */
export function allows(entry: AllowEntry, finding: Finding): boolean {
  return (
    entry.check === finding.check &&
    entry.file === finding.file &&
    (entry.sample === undefined || entry.sample === finding.sample)
  );
}

/** What the scanner read: the source files it should have parsed and those it did. */
export interface ScanCoverage {
  /** Repository paths of every source file the scan covers. */
  expected: readonly string[];
  /** Repository paths electronegativity parsed and checked. */
  scanned: ReadonlySet<string>;
}

/** The check's outcome. */
export interface Verdict {
  ok: boolean;
  /** Why it failed, one line each (empty when ok). */
  problems: string[];
  /** HIGH or MEDIUM findings an allow-list entry explains, with the reason. */
  allowed: { finding: Finding; reason: string }[];
  /** LOW and INFORMATIONAL findings (reported, never failing). */
  minor: Finding[];
}

/** `file:location check (severity)` for messages. */
export function describeFinding(f: Finding): string {
  return `${f.check} (${f.severity}, ${f.confidence}) at ${f.file}${f.file === 'N/A' ? '' : `:${f.location}`}: ${f.description}${f.sample === 'N/A' ? '' : ` [${f.sample}]`}`;
}

/**
 * Judges a scan: fails on a HIGH or MEDIUM finding no entry allows, on an entry that allows
 * nothing (the list must stay true) and on a source file electronegativity did not scan.
 */
export function judge(
  findings: readonly Finding[],
  allow: readonly AllowEntry[],
  coverage: ScanCoverage,
): Verdict {
  const problems: string[] = [];
  const missing = coverage.expected.filter((f) => !coverage.scanned.has(f));
  if (missing.length > 0)
    problems.push(
      `electronegativity scanned ${coverage.expected.length - missing.length} of ${coverage.expected.length} source files; not scanned: ${missing.join(', ')}`,
    );
  const allowed: Verdict['allowed'] = [];
  const minor: Finding[] = [];
  const used = new Set<AllowEntry>();
  for (const f of findings) {
    if (!FAILING_SEVERITIES.includes(f.severity)) {
      minor.push(f);
      continue;
    }
    const entry = allow.find((e) => allows(e, f));
    if (entry) {
      used.add(entry);
      allowed.push({ finding: f, reason: entry.reason });
    } else problems.push(`not in the allow-list: ${describeFinding(f)}`);
  }
  for (const e of allow)
    if (!used.has(e))
      problems.push(
        `allow-list entry ${e.check} for ${e.file}${e.sample ? ` [${e.sample}]` : ''} matches no finding: remove it`,
      );
  return { ok: problems.length === 0, problems, allowed, minor };
}
