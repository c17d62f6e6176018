/** Page object of the start screen (recent projects, new project). */
import type { Locator, Page } from 'playwright-core';
import type { Bridge } from '../../electron/hosts/bridge/server.js';

/** The start screen. */
export class StartPage {
  /** `bridge` answers the file dialogs (main takes only paths a dialog or a drop gave). */
  constructor(
    readonly page: Page,
    readonly bridge: Pick<Bridge, 'queueDialog'>,
  ) {}

  /** The "Recent projects" table. */
  get table(): Locator {
    return this.page.getByRole('table', { name: 'Recent projects' });
  }

  /** The error banner(s). */
  get alert(): Locator {
    return this.page.getByRole('alert');
  }

  /** The row of project `title`. */
  row(title: string): Locator {
    return this.table.getByRole('row', { name: title, exact: true });
  }

  /** Goes back to the start screen from wherever the app is. */
  async ensure(): Promise<void> {
    const back = this.page.getByRole('button', { name: '← Projects' });
    if (await back.isVisible()) await back.click();
    await this.waitReady();
  }

  /** Waits until the start screen is shown. */
  async waitReady(): Promise<void> {
    await this.page.getByRole('heading', { name: 'New project' }).waitFor();
  }

  /** Chooses the score and the recording in the file dialogs (answered with these paths) and creates the project. */
  async create(scorePath: string, recordingPath: string, title?: string): Promise<void> {
    await this.choose('score', scorePath);
    await this.choose('recording', recordingPath);
    if (title) await this.page.getByLabel('Title', { exact: true }).fill(title);
    await this.page.getByRole('button', { name: 'Create project' }).click();
    await this.settled();
  }

  /** Clicks "Choose score…" or "Choose recording…" with the dialog answering `path`, and waits for its answer. */
  async choose(kind: 'score' | 'recording', path: string): Promise<void> {
    this.bridge.queueDialog(path);
    const answered = this.page.waitForResponse((r) =>
      decodeURIComponent(r.url()).includes('/invoke/dialog:open'),
    );
    await this.page.getByRole('button', { name: `Choose ${kind}…` }).click();
    await answered;
    const id = kind === 'score' ? 'score-path' : 'recording-path';
    await this.page.waitForFunction(
      ({ id, path }) => (document.getElementById(id) as HTMLInputElement | null)?.value === path,
      { id, path },
    );
  }

  /** Waits until a create request has finished (the form is idle again). */
  async settled(): Promise<void> {
    await this.page
      .getByRole('button', { name: 'Creating…' })
      .waitFor({ state: 'detached', timeout: 180_000 });
  }

  /** Picks the score and the recording through main's file dialog (`dialog:open`), then creates. */
  async createViaDialogs(title?: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Choose score…' }).click();
    await this.page.getByRole('button', { name: 'Choose recording…' }).click();
    await this.page.waitForFunction(
      () =>
        (document.getElementById('score-path') as HTMLInputElement | null)?.value !== '' &&
        (document.getElementById('recording-path') as HTMLInputElement | null)?.value !== '',
    );
    if (title) await this.page.getByLabel('Title', { exact: true }).fill(title);
    await this.page.getByRole('button', { name: 'Create project' }).click();
    await this.settled();
  }

  /**
   * Drops files on the start screen: `paths` as files the host knows on disk (the bridge's
   * `accordBridge.fileAt`, as Electron gives for a desktop drop), `made` as files made in the page (no path).
   */
  async drop(files: { paths?: string[]; made?: string[] }): Promise<void> {
    await this.page.evaluate(
      ({ paths, made }) => {
        const host = (window as unknown as { accordBridge: { fileAt(p: string): File } }).accordBridge;
        const dt = new DataTransfer();
        for (const p of paths) dt.items.add(host.fileAt(p));
        for (const n of made) dt.items.add(new File(['x'], n));
        const target = document.querySelector('main.start');
        if (!target) throw new Error('drop: expected the start screen, found none');
        for (const type of ['dragover', 'drop'])
          target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { paths: files.paths ?? [], made: files.made ?? [] },
    );
  }

  /** Opens project `title`. */
  async open(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open ${title}`, exact: true }).click();
  }

  /** Clicks "Open project file…" with the open dialog answering `path`, and waits for main's answer. */
  async openProjectFile(path: string): Promise<void> {
    this.bridge.queueDialog(path);
    const opened = this.page.waitForResponse((r) =>
      decodeURIComponent(r.url()).includes('/invoke/projectfile:open'),
    );
    await this.page.getByRole('button', { name: 'Open project file…' }).click();
    await opened;
  }

  /** Renames project `title` to `to`. */
  async rename(title: string, to: string): Promise<void> {
    await this.page.getByRole('button', { name: `Rename ${title}`, exact: true }).click();
    const box = this.page.getByRole('textbox', { name: 'New title' });
    await box.fill(to);
    await box.press('Enter');
    await this.row(to).waitFor();
  }

  /** Duplicates project `title`. */
  async duplicate(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Duplicate ${title}`, exact: true }).click();
  }

  /** Deletes project `title`, answering the confirmation with `confirm`. */
  async delete(title: string, confirm: boolean): Promise<void> {
    await this.page.getByRole('button', { name: `Delete ${title}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Delete project?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: confirm ? 'Delete' : 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  /** Titles of the listed projects, in order. */
  async titles(): Promise<string[]> {
    if ((await this.table.count()) === 0) return [];
    return this.table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
  }
}
