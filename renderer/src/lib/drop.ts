/** Sorting files dropped on the start screen into the score and the recording of a new project. */
import type { PageFile } from '../../../shared/ipc';
import { AUDIO_EXTENSIONS, SCORE_EXTENSIONS } from '../../../shared/media';
import { PROJECT_FILE_EXTENSION } from '../../../shared/projectFile';

/** What a drop fills in, and why a dropped file was not used. */
export interface DropOutcome {
  /** Path of the last dropped score, absent when none. */
  scorePath?: string;
  /** Path of the last dropped recording, absent when none. */
  recordingPath?: string;
  /** Path of the last dropped `.accord` project file, absent when none (it is opened, not made a project of). */
  projectFilePath?: string;
  /** One message per file not used (no path on disk, or not a score or a recording). */
  problems: string[];
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

/** Sorts `files` by extension; `pathFor` is the host's `accord.files.pathFor` ('' when a file has no path). */
export function sortDroppedFiles(
  files: readonly PageFile[],
  pathFor: (file: PageFile) => string,
): DropOutcome {
  const out: DropOutcome = { problems: [] };
  for (const file of files) {
    const ext = extensionOf(file.name);
    const isScore = ext in SCORE_EXTENSIONS;
    const isAudio = AUDIO_EXTENSIONS.includes(ext);
    const isProject = ext === PROJECT_FILE_EXTENSION;
    if (!isScore && !isAudio && !isProject) {
      out.problems.push(
        `“${file.name}” is neither a score (${Object.keys(SCORE_EXTENSIONS).join(' ')}), a recording (${AUDIO_EXTENSIONS.join(' ')}) nor a project file (${PROJECT_FILE_EXTENSION}).`,
      );
      continue;
    }
    const path = pathFor(file);
    if (!path) {
      out.problems.push(`“${file.name}” has no file path here: use Choose… instead.`);
      continue;
    }
    if (isProject) out.projectFilePath = path;
    else if (isScore) out.scorePath = path;
    else out.recordingPath = path;
  }
  return out;
}
