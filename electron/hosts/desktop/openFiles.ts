/**
 * `.accord` files the operating system hands the app (the command line, macOS `open-file`, a
 * second instance's argv), without `electron` so it is tested in plain Node: which arguments are
 * project files, and a queue that holds them until the window is ready, grants each path (the
 * user chose it in the OS) and opens it through the validated `projectfile:open` handler.
 */
import { resolve } from 'node:path';
import type { ProjectFileOpened, Result } from '../../../shared/ipc.js';
import { PROJECT_FILE_EXTENSION } from '../../../shared/projectFile.js';

/** The `.accord` paths among command-line arguments, absolute against `cwd`; options (`-…`) are skipped. */
export function projectFilesInArgv(argv: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || a.includes('\0')) continue;
    if (!a.toLowerCase().endsWith(PROJECT_FILE_EXTENSION)) continue;
    const p = resolve(cwd, a);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** What `ProjectFileInbox` needs from the host. */
export interface InboxHost {
  /** Adds `path` to the granted paths. */
  grant(path: string): void;
  /** Calls `projectfile:open` (validated, as the renderer's call is). */
  open(path: string): Promise<Result<ProjectFileOpened>>;
  /** Shows the opened project in the window. */
  show(opened: ProjectFileOpened): void;
  /** Tells the user `path` could not be opened. */
  fail(path: string, message: string): void;
}

/** Project files to open: held until `ready()`, then opened one after another. */
export class ProjectFileInbox {
  readonly #host: InboxHost;
  readonly #waiting: string[] = [];
  #ready = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(host: InboxHost) {
    this.#host = host;
  }

  /** Queues `paths` (opened now when ready); resolves when they were handled. */
  add(paths: readonly string[]): Promise<void> {
    this.#waiting.push(...paths);
    return this.#ready ? this.#drain() : Promise.resolve();
  }

  /** The window can show projects: opens what waits. */
  ready(): Promise<void> {
    this.#ready = true;
    return this.#drain();
  }

  #drain(): Promise<void> {
    const paths = this.#waiting.splice(0);
    for (const path of paths) {
      this.#chain = this.#chain
        .then(async () => {
          this.#host.grant(path);
          const r = await this.#host.open(path);
          if (r.ok) this.#host.show(r.value);
          else this.#host.fail(path, r.error.message);
        })
        .catch((err: unknown) => this.#host.fail(path, (err as Error).message));
    }
    return this.#chain;
  }
}
