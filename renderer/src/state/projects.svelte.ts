import type { AccordApi, ProjectSummary } from '../lib/api';
import type { ProjectFileOpened } from '../../../shared/ipc';
import { errorMessage } from '../lib/api';

/** Cache of main's project list, refreshed when main says it changed. */
export class ProjectsState {
  #items = $state<ProjectSummary[]>([]);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #api: AccordApi;
  #unsubscribe: () => void;

  constructor(api: AccordApi) {
    this.#api = api;
    this.#unsubscribe = api.on('project:changed', () => void this.refresh());
  }

  /** Projects, most recently edited first. */
  get items(): ProjectSummary[] {
    return this.#items;
  }
  /** True while a refresh is in flight. */
  get loading(): boolean {
    return this.#loading;
  }
  /** The last failure, as a message for the user; null when the last call succeeded. */
  get error(): string | null {
    return this.#error;
  }

  /** Re-reads the list from main. */
  async refresh(): Promise<void> {
    this.#loading = true;
    try {
      const list = await this.#api.project.list();
      this.#items = [...list].sort((a, b) => b.updatedAt - a.updatedAt);
      this.#error = null;
    } catch (e) {
      this.#error = errorMessage(e);
    } finally {
      this.#loading = false;
    }
  }

  /** Creates a project from a score and a recording path; null (and `error` set) on failure. */
  async create(scorePath: string, recordingPath: string, title?: string): Promise<ProjectSummary | null> {
    return this.#run(() =>
      this.#api.project.create(title ? { scorePath, recordingPath, title } : { scorePath, recordingPath }),
    );
  }

  /** Renames project `id`. */
  async rename(id: number, title: string): Promise<boolean> {
    const trimmed = title.trim();
    if (!trimmed) {
      this.#error = 'A project title cannot be empty.';
      return false;
    }
    return (await this.#run(async () => (await this.#api.project.rename(id, trimmed), true))) ?? false;
  }

  /** Duplicates project `id`; returns the copy. */
  async duplicate(id: number): Promise<ProjectSummary | null> {
    return this.#run(() => this.#api.project.duplicate(id));
  }

  /** Deletes project `id` (the caller has asked the user to confirm). */
  async remove(id: number): Promise<boolean> {
    return (await this.#run(async () => (await this.#api.project.delete(id), true))) ?? false;
  }

  /** Asks main for a file of `kind` (native dialog in the app, pre-answered in the test bridge); null when cancelled. */
  async chooseFile(kind: 'score' | 'recording'): Promise<string | null> {
    try {
      return await this.#api.dialog.open({
        kind,
        title: kind === 'score' ? 'Choose a score' : 'Choose a recording',
      });
    } catch (e) {
      this.#error = errorMessage(e);
      return null;
    }
  }

  /**
   * Opens a `.accord` project file (`droppedPath`, or asked for in the open dialog): a new project
   * in the list, or the one the list already holds; null when cancelled or failed (the error is shown).
   */
  async openProjectFile(droppedPath?: string): Promise<ProjectFileOpened | null> {
    try {
      const path =
        droppedPath ?? (await this.#api.dialog.open({ kind: 'project', title: 'Open a project file' }));
      if (path === null) return null;
      return await this.#run(() => this.#api.projectfile.open(path));
    } catch (e) {
      this.#error = errorMessage(e);
      return null;
    }
  }

  /** Clears the error message. */
  dismissError(): void {
    this.#error = null;
  }

  /** Stops listening to main. */
  destroy(): void {
    this.#unsubscribe();
  }

  async #run<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      const value = await fn();
      this.#error = null;
      await this.refresh();
      return value;
    } catch (e) {
      this.#error = errorMessage(e);
      return null;
    }
  }
}
