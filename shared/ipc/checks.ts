/**
 * The generic argument checks of the validators: each returns the typed value or throws
 * `AccordError('invalid-argument')` saying what was expected and what came.
 */
import { AccordError } from './errors.js';

/** File-system checks the validators need, injected by the Node side (shared code has no fs). */
export interface ValidationEnv {
  /** True when `path` is an existing regular file. */
  isFile(path: string): boolean;
  /** True when `path` is an existing directory. */
  isDirectory(path: string): boolean;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).slice(0, 8).join(', ')}]`;
  return typeof v;
}

/** Throws `AccordError('invalid-argument')`: `<what>: expected <expected>, got <what came>`. */
export function fail(what: string, expected: string, got: unknown): never {
  throw new AccordError('invalid-argument', `${what}: expected ${expected}, got ${describe(got)}`);
}

/** A positive integer id. */
export function checkId(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(what, 'a positive integer id', v);
  return v;
}

/** A finite number in [min, max]. */
export function checkNumber(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(what, `a number in [${min}, ${max}]`, v);
  }
  return v;
}

/** An integer in [min, max]. */
export function checkInt(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(what, `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

/** A string of 1..maxLength characters (after trimming). */
export function checkText(v: unknown, what: string, maxLength: number): string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > maxLength) {
    fail(what, `a non-empty string of at most ${maxLength} characters`, v);
  }
  return v.trim();
}

/** One of `options`. */
export function checkEnum<T extends string>(v: unknown, what: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    fail(what, `one of ${options.join(' | ')}`, v);
  }
  return v as T;
}

/** True for `/abs`, `C:\abs`, `C:/abs` and `\\server\share`. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function checkPathString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0') || !isAbsolutePath(v)) {
    fail(what, 'an absolute path', v);
  }
  return v;
}

/** An absolute path of an existing regular file. */
export function checkExistingFile(v: unknown, what: string, env: ValidationEnv): string {
  const p = checkPathString(v, what);
  if (!env.isFile(p)) fail(what, 'an existing file', p);
  return p;
}

/** An absolute path whose directory exists (the file itself may not). */
export function checkWritablePath(v: unknown, what: string, env: ValidationEnv): string {
  const p = checkPathString(v, what);
  const cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  const dir = cut <= 0 ? p.slice(0, cut + 1) || '/' : p.slice(0, cut);
  if (cut === p.length - 1) fail(what, 'a file path (not ending in a separator)', p);
  if (!env.isDirectory(dir)) fail(`${what}'s folder`, 'an existing folder', dir);
  if (env.isDirectory(p)) fail(what, 'a file path, not a directory', p);
  return p;
}

/** A plain object with no keys beyond `allowed`. */
export function checkObject(v: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'an object', v);
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(what, `only the keys ${allowed.join(', ')}`, v);
  return v as Record<string, unknown>;
}

/** An arguments array of `min..max` items. */
export function checkArity(args: unknown, channel: string, min: number, max: number): unknown[] {
  if (!Array.isArray(args) || args.length < min || args.length > max) {
    fail(`${channel} arguments`, min === max ? `${min} argument(s)` : `${min}..${max} arguments`, args);
  }
  return args;
}

/** A boolean. */
export function checkBoolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') fail(what, 'true or false', v);
  return v;
}
