import { describe, expect, it } from 'vitest';
import { sortDroppedFiles } from './drop';

const known = new Map<object, string>();
const file = (name: string, path = ''): { name: string } => {
  const f = { name };
  if (path) known.set(f, path);
  return f;
};
const pathFor = (f: object): string => known.get(f) ?? '';

describe('sortDroppedFiles', () => {
  it('puts a score and a recording in their fields, whatever the order and case', () => {
    const out = sortDroppedFiles(
      [file('take.FLAC', '/music/take.FLAC'), file('score.musicxml', '/music/score.musicxml')],
      pathFor,
    );
    expect(out).toEqual({
      scorePath: '/music/score.musicxml',
      recordingPath: '/music/take.FLAC',
      problems: [],
    });
  });

  it('says which file has no path on disk instead of filling a field with nothing', () => {
    const out = sortDroppedFiles([file('score.mid'), file('take.wav', '/a/take.wav')], pathFor);
    expect(out.scorePath).toBeUndefined();
    expect(out.recordingPath).toBe('/a/take.wav');
    expect(out.problems).toEqual(['“score.mid” has no file path here: use Choose… instead.']);
  });

  it('refuses a file that is neither a score nor a recording, naming what is accepted', () => {
    const out = sortDroppedFiles([file('notes.txt', '/a/notes.txt')], pathFor);
    expect(out.scorePath).toBeUndefined();
    expect(out.recordingPath).toBeUndefined();
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]).toMatch(
      /^“notes\.txt” is neither a score \(.*\.mid.*\), a recording \(.*\.flac.*\) nor a project file \(\.accord\)\.$/,
    );
  });

  it('sets a dropped .accord project file apart, to be opened', () => {
    const out = sortDroppedFiles(
      [file('Minuet.ACCORD', '/a/Minuet.ACCORD'), file('take.wav', '/a/take.wav')],
      pathFor,
    );
    expect(out).toEqual({ projectFilePath: '/a/Minuet.ACCORD', recordingPath: '/a/take.wav', problems: [] });
  });
});
