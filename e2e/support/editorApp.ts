/**
 * The editor under test, shared by a test file: `useEditorApp()` starts the app before the file's
 * tests and stops it after them; each test then sets up what it needs (a project, aligned or not,
 * a fresh page on the start screen or in the editor), so tests do not depend on their order.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunMethod } from '../../shared/ipc.js';
import { startApp } from './app.js';
import type { TestApp } from './app.js';
import { SAMPLE } from './paths.js';
import { StartPage } from '../pages/StartPage.js';
import { EditorPage } from '../pages/EditorPage.js';

/** A project's inputs. */
export interface ProjectFiles {
  score: string;
  recording: string;
}

/** The app and the page the current test drives. */
export interface EditorApp {
  readonly app: TestApp;
  readonly page: Page;
  readonly start: StartPage;
  readonly editor: EditorPage;
  /** Page and console errors so far, less the browser's missing-favicon 404. */
  pageErrors(): string[];
  /** A new page (the previous one closed) on the start screen. */
  openStart(): Promise<void>;
  /** A new page (the previous one closed) in the editor on project `title`. */
  openProject(title: string): Promise<void>;
  /** Id of project `title`, created from `files` (through the services, not the UI) if there is none. */
  ensureProject(title: string, files?: ProjectFiles): Promise<number>;
  /** Id of project `title` with at least one alignment (by `method`, run through the services if none). */
  ensureAligned(title: string, files?: ProjectFiles, method?: RunMethod): Promise<number>;
}

/** Starts the app (bridge, temp database, Chromium) for this file's tests; see `EditorApp`. */
export function useEditorApp(opts: { width?: number; height?: number; modelDir?: string } = {}): EditorApp {
  let app: TestApp | undefined;
  let page: Page | undefined;
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined)
      throw new Error(`useEditorApp: no ${what} yet (call openStart or openProject first)`);
    return x;
  };
  const projectId = (title: string): number | undefined =>
    need(app, 'app')
      .bridge.services.projects.list()
      .find((p) => p.title === title)?.id;
  const openPage = async (hash = ''): Promise<void> => {
    await page?.close();
    page = await need(app, 'app').newPage(hash);
  };

  beforeAll(async () => {
    for (const p of Object.values(SAMPLE))
      if (!existsSync(p)) throw new Error(`e2e fixture missing: expected ${p}`);
    app = await startApp({ width: opts.width ?? 1400, height: opts.height ?? 900, modelDir: opts.modelDir });
  });
  afterAll(async () => {
    await app?.close();
  });

  const h: EditorApp = {
    get app() {
      return need(app, 'app');
    },
    get page() {
      return need(page, 'page');
    },
    get start() {
      return new StartPage(need(page, 'page'), need(app, 'app').bridge);
    },
    get editor() {
      return new EditorPage(need(page, 'page'));
    },
    pageErrors: () => need(app, 'app').errors.filter((e) => !/favicon|Failed to load resource/.test(e)),
    async openStart() {
      await openPage();
      await h.start.waitReady();
    },
    async openProject(title) {
      const id = projectId(title);
      if (id === undefined) throw new Error(`openProject: expected a project titled "${title}", found none`);
      await openPage(`#/project/${id}`);
      await h.editor.waitOpen(title);
    },
    async ensureProject(title, files = { score: SAMPLE.musicxml, recording: SAMPLE.recording }) {
      const found = projectId(title);
      if (found !== undefined) return found;
      const p = await need(app, 'app').bridge.services.projects.create({
        scorePath: files.score,
        recordingPath: files.recording,
        title,
      });
      return p.id;
    },
    async ensureAligned(title, files, method = 'auto') {
      const id = await h.ensureProject(title, files);
      const s = need(app, 'app').bridge.services;
      if (s.projects.listAlignments(id).length === 0) {
        const { jobId } = await s.projects.runAlignment(id, method);
        await s.jobs.settled(jobId);
        if (s.projects.listAlignments(id).length === 0)
          throw new Error(`ensureAligned: the alignment of "${title}" stored no version`);
      }
      return id;
    },
  };
  return h;
}

/**
 * Steps of a serial fixture: tests that build on each other, in file order. A step fails at once,
 * saying which, when an earlier step failed or did not run (a `-t` filter, `.only`), instead of
 * timing out on state it lacks. Run such a file whole.
 */
export function serialSteps(): (name: string, fn: () => Promise<void>) => void {
  const names: string[] = [];
  const passed = new Set<string>();
  return (name, fn) => {
    const before = [...names];
    names.push(name);
    it(name, async () => {
      const missing = before.find((n) => !passed.has(n));
      if (missing !== undefined)
        throw new Error(
          `serial fixture: this step needs the earlier step "${missing}" to pass first; run the whole file`,
        );
      await fn();
      passed.add(name);
    });
  };
}
