/**
 * Projects: a recording plus a score whose bytes live in the database, with versioned alignments
 * and editor state. The service is in `projects/service.ts`; the rest of `projects/` by job:
 * `store.ts` (the project tables in SQL), `versions.ts` (alignment versions), `files.ts` (the
 * recording on disk), `cache.ts` (parsed scores, peaks, features), `summary.ts` (the list's
 * summary), `export.ts` and `projectFile.ts` (`.accord` project files).
 */
export type { ProjectServiceDeps } from './projects/service.js';
export { ProjectService } from './projects/service.js';
export { sha256File } from './projects/files.js';
export { coveredFraction } from './projects/summary.js';
