/**
 * A project's scanned pages (issue 11, route 2): importing PDF/PNG/JPEG files (a `scan` job: read
 * and detected in a worker thread, with progress and cancel), the pages and their measure boxes in SQLite, and the user's box edits
 * (move, resize, re-link, add, remove), each one transaction, so an edit is saved at once and a
 * reopen shows it.
 */
import { basename } from 'node:path';
import {
  AccordError,
  MAX_SCAN_PAGES,
  type ScanBox,
  type ScanBoxRect,
  type ScanPageImage,
  type ScanJobResult,
  type ScanPageInfo,
  type ScanState,
} from '../../../shared/ipc.js';
import type { Score } from '../../../shared/score.js';
import type { ScanSystem } from '../../../shared/pages/scan/model.js';
import { linkScanMeasures, notatedMeasures } from '../../../shared/pages/scan/link.js';
import {
  linkInOrder,
  linkWarnings,
  passesOf,
  readingOrder,
  type NotatedMeasureRef,
} from '../../../shared/pages/scan/links.js';
import type { Db } from '../db/database.js';
import type { JobService, TaskRunner } from '../jobs.js';
import type { ScanTaskPage } from '../workers/protocol.js';

/** What the scan service needs. */
export interface ScanDeps {
  db: Db;
  /** Runs the `scan` worker task (reading and detecting pages off the main thread). */
  runner: Pick<TaskRunner, 'run'>;
  /** Where imports run as `scan` jobs. */
  jobs: Pick<JobService, 'start'>;
  /** The parsed score of a project (`not-found` for no such project). */
  score(projectId: number): Promise<Score>;
}

/** A `scan_pages` row without its image. */
export interface ScanPageRow {
  page: number;
  width: number;
  height: number;
  source_name: string;
  source_page: number;
  skew_degrees: number;
  systems: string;
}

/** A `scan_boxes` row. */
export interface ScanBoxRow {
  id: number;
  page: number;
  system: number;
  x: number;
  y: number;
  w: number;
  h: number;
  number: string | null;
}

/** How far (page pixels) a box may reach past its page's edge (rounding of a drag). */
const EDGE_SLACK = 0.5;

/** The scans of the projects. */
export class ScanService {
  readonly #d: ScanDeps;

  constructor(deps: ScanDeps) {
    this.#d = deps;
  }

  /**
   * Starts a `scan` job importing `paths` (pages in this order) as project `projectId`'s scan and
   * returns its id at once; its progress, result and error arrive as `job:*` events. A project
   * reads one scan at a time (`busy`); a cancelled or failed import leaves the old scan as it was.
   */
  start(projectId: number, paths: string[]): { jobId: string } {
    this.#requireProject(projectId);
    const jobId = this.#d.jobs.start(
      projectId,
      async (signal, onProgress): Promise<ScanJobResult> => {
        const state = await this.import(projectId, paths, { signal, onProgress });
        return { pages: state.pages.length, boxes: state.boxes.length, warnings: state.warnings };
      },
      'scan',
    );
    return { jobId };
  }

  /** Replaces project `projectId`'s scan with the pages of `paths`, read and detected in a worker, boxes linked in reading order. */
  async import(
    projectId: number,
    paths: string[],
    opts: { signal?: AbortSignal; onProgress?: (stage: string, fraction: number) => void } = {},
  ): Promise<ScanState> {
    const score = await this.#d.score(projectId);
    const pages = await this.#d.runner.run(
      {
        task: 'scan',
        files: paths.map((path) => ({ path, name: basename(path) })),
        maxPages: MAX_SCAN_PAGES,
      },
      opts,
    );
    // Cancelled after the worker answered: the old scan stays.
    opts.signal?.throwIfAborted();
    if (pages.length === 0)
      throw new AccordError(
        'invalid-argument',
        `The scan: expected at least one page in ${paths.map((p) => basename(p)).join(', ')}, found none`,
      );
    this.replace(projectId, pages, score);
    return this.get(projectId);
  }

  /**
   * Stores `pages` as project `projectId`'s scan in one transaction (the old scan and its boxes
   * go), every detected box linked, in reading order, to the notated measures in notated order.
   */
  replace(projectId: number, pages: readonly ScanTaskPage[], score: Score): void {
    const { measures: linked } = linkScanMeasures(
      pages.map((p, i) => ({
        ...p.detection,
        page: i + 1,
        measures: readingOrder(p.detection.measures.map((m) => ({ ...m, page: i + 1 }))),
      })),
      score,
    );
    const db = this.#d.db;
    db.transaction(() => {
      this.#requireProject(projectId);
      db.prepare('DELETE FROM scan_pages WHERE project_id = ?').run(projectId);
      const insPage = db.prepare(
        `INSERT INTO scan_pages (project_id, page, width, height, source_name, source_page, skew_degrees, systems, png)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      pages.forEach((p, i) =>
        insPage.run(
          projectId,
          i + 1,
          p.width,
          p.height,
          p.sourceName,
          p.sourcePage,
          p.detection.skewDegrees,
          JSON.stringify(p.detection.systems),
          p.png,
        ),
      );
      const insBox = db.prepare(
        'INSERT INTO scan_boxes (project_id, page, system, x, y, w, h, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const b of linked) insBox.run(projectId, b.page, b.system, ...b.box, b.number);
      this.#touch(projectId);
    })();
  }

  /** Project `projectId`'s scan: pages, boxes in reading order with their passes, the score's measures and the warnings. */
  async get(projectId: number): Promise<ScanState> {
    const score = await this.#d.score(projectId);
    return this.#state(projectId, notatedMeasures(score));
  }

  /** The image of page `page`. */
  page(projectId: number, page: number): ScanPageImage {
    const row = this.#d.db
      .prepare('SELECT width, height, png FROM scan_pages WHERE project_id = ? AND page = ?')
      .get(projectId, page) as { width: number; height: number; png: Uint8Array } | undefined;
    if (!row) {
      const n = this.#pageCount(projectId);
      throw new AccordError(
        'not-found',
        `project ${projectId}: expected a scanned page in 1..${n}, got page ${page}${n === 0 ? ' (the project has no scan)' : ''}`,
      );
    }
    return { page, width: row.width, height: row.height, png: new Uint8Array(row.png) };
  }

  /** Moves / resizes box `boxId` to `box`, which must lie within its page (its system follows its centre). */
  async setBox(projectId: number, boxId: number, box: ScanBoxRect): Promise<ScanState> {
    const measures = notatedMeasures(await this.#d.score(projectId));
    const db = this.#d.db;
    db.transaction(() => {
      const b = this.#box(projectId, boxId);
      const p = this.#checkOnPage(projectId, b.page, box);
      const system = systemAt(JSON.parse(p.systems) as ScanSystem[], box);
      db.prepare('UPDATE scan_boxes SET system = ?, x = ?, y = ?, w = ?, h = ? WHERE id = ?').run(
        system,
        ...box,
        boxId,
      );
      this.#touch(projectId);
    })();
    return this.#state(projectId, measures);
  }

  /** Links box `boxId` to the notated measure printed `number` (one of the score's), or unlinks it. */
  async link(projectId: number, boxId: number, number: string | null): Promise<ScanState> {
    const measures = notatedMeasures(await this.#d.score(projectId));
    if (number !== null && !measures.some((m) => m.number === number)) {
      const numbers = measures.map((m) => m.number);
      throw new AccordError(
        'invalid-argument',
        `measure number: expected one of the score's measures (${numbers.slice(0, 12).join(', ')}${numbers.length > 12 ? ', …' : ''}), got ${JSON.stringify(number)}`,
      );
    }
    const db = this.#d.db;
    db.transaction(() => {
      this.#box(projectId, boxId);
      db.prepare('UPDATE scan_boxes SET number = ? WHERE id = ?').run(number, boxId);
      this.#touch(projectId);
    })();
    return this.#state(projectId, measures);
  }

  /** Adds an unlinked box on page `page`, in the system whose box its centre lies in (else the nearest). */
  async addBox(projectId: number, page: number, box: ScanBoxRect): Promise<ScanState> {
    const measures = notatedMeasures(await this.#d.score(projectId));
    const db = this.#d.db;
    db.transaction(() => {
      this.#requireProject(projectId);
      const p = this.#checkOnPage(projectId, page, box);
      db.prepare(
        'INSERT INTO scan_boxes (project_id, page, system, x, y, w, h, number) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)',
      ).run(projectId, page, systemAt(JSON.parse(p.systems) as ScanSystem[], box), ...box);
      this.#touch(projectId);
    })();
    return this.#state(projectId, measures);
  }

  /** Removes box `boxId`. */
  async removeBox(projectId: number, boxId: number): Promise<ScanState> {
    const measures = notatedMeasures(await this.#d.score(projectId));
    const db = this.#d.db;
    db.transaction(() => {
      this.#box(projectId, boxId);
      db.prepare('DELETE FROM scan_boxes WHERE id = ?').run(boxId);
      this.#touch(projectId);
    })();
    return this.#state(projectId, measures);
  }

  /** Links every box, in reading order, to the notated measures in notated order. */
  async relinkAll(projectId: number): Promise<ScanState> {
    const measures = notatedMeasures(await this.#d.score(projectId));
    const db = this.#d.db;
    db.transaction(() => {
      this.#requireProject(projectId);
      const rows = this.#boxRows(projectId);
      const linked = linkInOrder(
        rows.map((r) => ({ id: r.id, page: r.page, system: r.system, box: [r.x, r.y, r.w, r.h] })),
        measures,
      ) as (ReturnType<typeof linkInOrder>[number] & { id: number })[];
      const upd = db.prepare('UPDATE scan_boxes SET number = ? WHERE id = ?');
      for (const b of linked) upd.run(b.number, b.id);
      this.#touch(projectId);
    })();
    return this.#state(projectId, measures);
  }

  #state(projectId: number, measures: NotatedMeasureRef[]): ScanState {
    const pages: ScanPageInfo[] = (
      this.#d.db
        .prepare(
          'SELECT page, width, height, source_name, source_page, skew_degrees, systems FROM scan_pages WHERE project_id = ? ORDER BY page',
        )
        .all(projectId) as ScanPageRow[]
    ).map((r) => ({
      page: r.page,
      width: r.width,
      height: r.height,
      sourceName: r.source_name,
      sourcePage: r.source_page,
      skewDegrees: r.skew_degrees,
      systems: JSON.parse(r.systems) as ScanSystem[],
    }));
    const boxes: ScanBox[] = readingOrder(
      this.#boxRows(projectId).map((r) => ({
        id: r.id,
        page: r.page,
        system: r.system,
        box: [r.x, r.y, r.w, r.h] as ScanBoxRect,
        number: r.number,
        passes: passesOf(measures, r.number),
      })),
    );
    return { pages, boxes, measures, warnings: linkWarnings(boxes, measures) };
  }

  #boxRows(projectId: number): ScanBoxRow[] {
    return this.#d.db
      .prepare('SELECT id, page, system, x, y, w, h, number FROM scan_boxes WHERE project_id = ? ORDER BY id')
      .all(projectId) as ScanBoxRow[];
  }

  #pageCount(projectId: number): number {
    return (
      this.#d.db.prepare('SELECT COUNT(*) AS n FROM scan_pages WHERE project_id = ?').get(projectId) as {
        n: number;
      }
    ).n;
  }

  #requireProject(projectId: number): void {
    if (!this.#d.db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId))
      throw new AccordError('not-found', `project ${projectId}: expected an existing project, found none`);
  }

  #box(projectId: number, boxId: number): ScanBoxRow {
    const b = this.#d.db
      .prepare('SELECT id, page, system, x, y, w, h, number FROM scan_boxes WHERE id = ? AND project_id = ?')
      .get(boxId, projectId) as ScanBoxRow | undefined;
    if (!b)
      throw new AccordError(
        'not-found',
        `project ${projectId}: expected a scan box with id ${boxId}, found none`,
      );
    return b;
  }

  /** The page row of `page`, after checking that `box` lies within it. */
  #checkOnPage(projectId: number, page: number, box: ScanBoxRect): ScanPageRow {
    const p = this.#d.db
      .prepare(
        'SELECT page, width, height, source_name, source_page, skew_degrees, systems FROM scan_pages WHERE project_id = ? AND page = ?',
      )
      .get(projectId, page) as ScanPageRow | undefined;
    if (!p)
      throw new AccordError('not-found', `project ${projectId}: expected a scanned page ${page}, found none`);
    const [x, y, w, h] = box;
    if (x + w > p.width + EDGE_SLACK || y + h > p.height + EDGE_SLACK)
      throw new AccordError(
        'invalid-argument',
        `box: expected a box within page ${page} (${p.width} × ${p.height} px), got [${box.join(', ')}], which reaches to (${x + w}, ${y + h})`,
      );
    return p;
  }

  #touch(projectId: number): void {
    this.#d.db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(Date.now(), projectId);
  }
}

/** Index of the system of `systems` whose box holds the centre of `box`, else the one nearest it vertically (0 when none). */
export function systemAt(systems: readonly ScanSystem[], box: ScanBoxRect): number {
  const cy = box[1] + box[3] / 2;
  let best = 0;
  let bestDistance = Infinity;
  systems.forEach((s, i) => {
    const [, top, , height] = s.box;
    const d = cy < top ? top - cy : cy > top + height ? cy - top - height : 0;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}
