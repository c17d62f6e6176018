/**
 * The editor's engraved pages: the project's stored score laid out on pages by verovio
 * (`shared/pages`), kept for the few layouts last asked for. Linking the measures to the score's
 * played order is the renderer's (`linkEngraving`), which holds the parsed score.
 */
import { AccordError, type ScorePages } from '../../shared/ipc.js';
import { readScoreSource } from '../../shared/scoreio/load.js';
import { engraveScore } from '../../shared/pages/engrave.js';
import { PagesError, type PageLayout } from '../../shared/pages/model.js';
import { ScoreLoadError } from '../../shared/scoreio/errors.js';
import type { Db } from './db/database.js';

/** Engravings kept in memory (a layout change re-engraves; going back to the last one does not). */
const CACHE_SIZE = 4;

/** Pages of the projects' scores. */
export class PageService {
  readonly #db: Db;
  readonly #cache = new Map<string, Promise<ScorePages>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** Project `projectId`'s score on pages of `layout`; `not-found` for no such project, `unsupported` for MIDI or a score verovio cannot lay out. */
  async get(projectId: number, layout: PageLayout): Promise<ScorePages> {
    const row = this.#db
      .prepare('SELECT name, sha256, bytes FROM scores WHERE project_id = ?')
      .get(projectId) as { name: string; sha256: string; bytes: Uint8Array } | undefined;
    if (!row)
      throw new AccordError('not-found', `project ${projectId}: expected a project with a score, found none`);
    const key = `${row.sha256}:${row.name}:${layout.pageWidth}x${layout.pageHeight}@${layout.scale}`;
    let pages = this.#cache.get(key);
    if (pages) this.#cache.delete(key);
    else {
      pages = this.#engrave(row.name, new Uint8Array(row.bytes), layout);
      pages.catch(() => this.#cache.delete(key));
    }
    this.#cache.set(key, pages);
    while (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    return pages;
  }

  async #engrave(name: string, bytes: Uint8Array, layout: PageLayout): Promise<ScorePages> {
    try {
      const source = readScoreSource(bytes, name);
      if (source.format === 'midi') {
        throw new AccordError(
          'unsupported',
          `${name}: pages need an engraved score (MusicXML, MEI, Humdrum **kern or ABC); a MIDI file has no notation to lay out`,
        );
      }
      return await engraveScore(source.text, source.format, name, layout);
    } catch (err) {
      if (err instanceof PagesError || err instanceof ScoreLoadError)
        throw new AccordError(
          err instanceof PagesError && err.code === 'invalid-options' ? 'invalid-argument' : 'unsupported',
          err.message,
        );
      throw err;
    }
  }
}
