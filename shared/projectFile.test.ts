import { describe, expect, it } from 'vitest';
import { AccordError } from './ipc.js';
import {
  PROJECT_FILE_FORMAT,
  PROJECT_FILE_VERSION,
  PROJECT_FILE_VERSION_PLAIN,
  parseProjectFile,
  projectFileVersionOf,
  serializeProjectFile,
  type ProjectFile,
} from './projectFile.js';

function doc(): ProjectFile {
  const anchor = { id: 'a1', perfTime: 1.5, scoreTime: 2, source: 'drag' as const };
  return {
    format: PROJECT_FILE_FORMAT,
    version: PROJECT_FILE_VERSION,
    projectId: '0f8c2a4e-6b1d-4c3e-9a7f-1234567890ab',
    title: 'Minuet',
    savedAt: 1_700_000_000_000,
    recording: {
      path: '/music/minuet/performance.wav',
      relativePath: 'performance.wav',
      name: 'performance.wav',
      sha256: 'a'.repeat(64),
      sizeBytes: 1234,
      durationSeconds: 4.5,
      sampleRate: 44100,
      channels: 2,
    },
    score: {
      path: '/music/minuet/score.mid',
      relativePath: 'score.mid',
      name: 'score.mid',
      format: 'midi',
      sha256: 'b'.repeat(64),
      bytesBase64: 'TVRoZA==',
    },
    alignment: {
      version: 3,
      kind: 'edited',
      method: 'dtw',
      createdAt: 1_700_000_000_001,
      hopSeconds: 0.0232,
      scoreTime: [0, 0.1, 0.30000000000000004, 0.2],
      confidence: [1, 0.5, 0.25, 0.125],
      jumpFrames: [3],
      corrections: { anchors: [anchor], jumps: [], regions: [] },
    },
    edits: {
      entries: [
        {
          op: { type: 'add-anchor', anchor },
          inverse: { type: 'delete-anchor', anchor },
          createdAt: 1_700_000_000_002,
        },
        {
          op: {
            type: 'restore-version',
            fromVersion: 2,
            toVersion: 1,
            before: { anchors: [anchor], jumps: [], regions: [] },
            after: { anchors: [], jumps: [], regions: [] },
          },
          inverse: {
            type: 'restore-version',
            fromVersion: 1,
            toVersion: 2,
            before: { anchors: [], jumps: [], regions: [] },
            after: { anchors: [anchor], jumps: [], regions: [] },
          },
          createdAt: 1_700_000_000_003,
        },
      ],
      cursor: 1,
    },
    viewState: { playheadSeconds: 1, pixelsPerSecond: 100, scrollSeconds: 0, selectedView: 'score' },
    practice: null,
  };
}

/** `doc()` with a one-page scan of two boxes and a span still to re-align (version 2). */
function scanned(): ProjectFile {
  return {
    ...doc(),
    realignPending: [{ perfTime: 1.5 }, { perfStart: 2, perfEnd: 3 }, null],
    scan: {
      pages: [
        {
          page: 1,
          width: 100,
          height: 80,
          sourceName: 'minuet.pdf',
          sourcePage: 1,
          skewDegrees: -0.5,
          systems: [{ box: [5, 10, 90, 30], staves: 1, staffLines: [10, 17.5, 25, 32.5, 40] }],
          pngBase64: 'iVBORw0KGgo=',
        },
      ],
      boxes: [
        { page: 1, system: 0, box: [5, 10, 45, 30], number: '1' },
        { page: 1, system: 0, box: [50, 10, 45.5, 30], number: null },
      ],
    },
  };
}

/** The document `doc()` with `change` applied to its parsed JSON, as text. */
function edited(change: (o: ProjectFile) => void): string {
  const o = JSON.parse(serializeProjectFile(doc())) as ProjectFile;
  change(o);
  return JSON.stringify(o);
}

function errorOf(text: string): AccordError {
  try {
    parseProjectFile(text);
  } catch (err) {
    if (err instanceof AccordError) return err;
    throw err;
  }
  throw new Error('expected parseProjectFile to throw');
}

describe('the .accord project file', () => {
  it('round-trips a document value for value (float64 score times included)', () => {
    const d = doc();
    const text = serializeProjectFile(d);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseProjectFile(text)).toEqual(d);
    expect(serializeProjectFile(parseProjectFile(text))).toBe(text);
    // The per-frame arrays stay on one line each.
    expect(text).toContain('"scoreTime": [0,0.1,0.30000000000000004,0.2],');
  });

  it('keeps a title that spells a placeholder of the arrays', () => {
    const d = doc();
    d.title = '"scoreTime": ""';
    expect(parseProjectFile(serializeProjectFile(d))).toEqual(d);
  });

  it('keeps an optional model version and an alignment-less project', () => {
    const d = doc();
    d.alignment!.modelVersion = 'jump-v5';
    expect(parseProjectFile(serializeProjectFile(d)).alignment?.modelVersion).toBe('jump-v5');
    d.alignment = null;
    expect(parseProjectFile(serializeProjectFile(d)).alignment).toBeNull();
  });

  it('round-trips a scan and the spans still to re-align, which make it version 2', () => {
    const d = scanned();
    expect(projectFileVersionOf(d)).toBe(2);
    expect(projectFileVersionOf(doc())).toBe(PROJECT_FILE_VERSION_PLAIN);
    expect(projectFileVersionOf({ ...doc(), realignPending: [] })).toBe(PROJECT_FILE_VERSION_PLAIN);
    d.version = 2;
    expect(parseProjectFile(serializeProjectFile(d))).toEqual(d);
    // A version 1 document (no scan, nothing pending) parses without them.
    const plain = parseProjectFile(serializeProjectFile({ ...doc(), version: 1 }));
    expect(plain.version).toBe(1);
    expect('scan' in plain || 'realignPending' in plain).toBe(false);
  });

  it.each([
    [
      'scan.pages',
      (o: ProjectFile) => (o.scan!.pages = []),
      'scan.pages: expected an array of 1..200 pages, got an array of 0',
    ],
    [
      'scan.pages[0].page',
      (o: ProjectFile) => (o.scan!.pages[0].page = 2),
      'scan.pages[0].page: expected an integer in [1, 1], got number 2',
    ],
    [
      'scan.pages[0].pngBase64',
      (o: ProjectFile) => (o.scan!.pages[0].pngBase64 = 'not base64!'),
      'scan.pages[0].pngBase64: expected base64 text',
    ],
    [
      'scan.pages[0].systems[0].staffLines',
      (o: ProjectFile) => (o.scan!.pages[0].systems[0].staffLines[1] = -3),
      'scan.pages[0].systems[0].staffLines[1]: expected a number in [0, 100000], got number -3',
    ],
    [
      'scan.boxes[0].page',
      (o: ProjectFile) => (o.scan!.boxes[0].page = 2),
      'scan.boxes[0].page: expected an integer in [1, 1], got number 2',
    ],
    [
      'scan.boxes[1].box',
      (o: ProjectFile) => (o.scan!.boxes[1].box = [50, 10, 60, 30]),
      'scan.boxes[1].box: expected a box within page 1 (100 × 80 px), got an array of 4',
    ],
    [
      'scan.boxes[0].system',
      (o: ProjectFile) => (o.scan!.boxes[0].system = 1),
      'scan.boxes[0].system: expected an integer in [0, 0], got number 1',
    ],
    [
      'scan.boxes[0].number',
      (o: ProjectFile) => (o.scan!.boxes[0].number = 7 as never),
      'scan.boxes[0].number: expected a printed measure number (1..32 characters) or null, got number 7',
    ],
    [
      'realignPending',
      (o: ProjectFile) => (o.realignPending = [{ perfTime: 1, perfEnd: 2 }]),
      'realignPending[0]: expected null, { perfTime } or { perfStart, perfEnd }',
    ],
    [
      'realignPending span',
      (o: ProjectFile) => (o.realignPending = [{ perfStart: 3, perfEnd: 2 }]),
      'realignPending[0].perfEnd: expected a number in [3, 1000000], got number 2',
    ],
  ])('refuses a malformed %s in a version 2 file, naming the field', (_name, change, message) => {
    const o = JSON.parse(serializeProjectFile({ ...scanned(), version: 2 })) as ProjectFile;
    change(o);
    const e = errorOf(JSON.stringify(o));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toContain(`project file: ${message}`);
  });

  it('refuses text that is not JSON without quoting it', () => {
    const e = errorOf('secret line {');
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toMatch(/^project file: expected JSON, got text that does not parse/);
    expect(e.message).not.toContain('secret');
  });

  it('refuses another format id, saying which was expected and which came', () => {
    const e = errorOf(edited((o) => (o.format = 'sonic-visualiser' as never)));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toBe(
      'project file: format: expected "accord-project", got the string "sonic-visualiser"',
    );
    expect(errorOf('[1, 2]').message).toBe(
      'project file: the document: expected an object, got an array of 2',
    );
  });

  it('refuses a newer version with an update hint', () => {
    const e = errorOf(edited((o) => (o.version = PROJECT_FILE_VERSION + 1)));
    expect(e.code).toBe('unsupported');
    expect(e.message).toContain(
      `expected version ${PROJECT_FILE_VERSION} or older, got version ${PROJECT_FILE_VERSION + 1}`,
    );
    expect(errorOf(edited((o) => (o.version = '1' as never))).message).toBe(
      'project file: version: expected an integer in [1, 9007199254740991], got the string "1"',
    );
  });

  it.each([
    [
      'projectId',
      (o: ProjectFile) => (o.projectId = 'nope'),
      'projectId: expected a lower-case UUID, got the string "nope"',
    ],
    [
      'recording',
      (o: ProjectFile) => delete (o as Partial<ProjectFile>).recording,
      'recording: expected an object, got nothing',
    ],
    [
      'recording.sha256',
      (o: ProjectFile) => (o.recording.sha256 = 'xyz'),
      'recording.sha256: expected 64 hex digits',
    ],
    [
      'recording.relativePath',
      (o: ProjectFile) => (o.recording.relativePath = ''),
      'recording.relativePath: expected a non-empty string',
    ],
    [
      'score.bytesBase64',
      (o: ProjectFile) => (o.score.bytesBase64 = 'not base64!'),
      'score.bytesBase64: expected base64 text',
    ],
    [
      'alignment.scoreTime',
      (o: ProjectFile) => (o.alignment!.scoreTime[2] = 'x' as never),
      'alignment.scoreTime[2]: expected a number in [0, 1000000], got the string "x"',
    ],
    [
      'alignment.confidence',
      (o: ProjectFile) => o.alignment!.confidence.pop(),
      'alignment.confidence: expected 4 values (one per frame of scoreTime), got an array of 3',
    ],
    [
      'alignment.jumpFrames',
      (o: ProjectFile) => (o.alignment!.jumpFrames = [0]),
      'alignment.jumpFrames[0]: expected an integer in [1, 3], got number 0',
    ],
    [
      'alignment.kind',
      (o: ProjectFile) => (o.alignment!.kind = 'guessed' as never),
      'alignment.kind: expected one of automatic | edited | reviewed | imported',
    ],
    [
      'alignment.corrections',
      (o: ProjectFile) => (o.alignment!.corrections!.anchors[0].perfTime = -1),
      'alignment.corrections.anchors[0].perfTime: expected a number in [0, 1000000], got the number -1',
    ],
    [
      'edits.entries op',
      (o: ProjectFile) => (o.edits.entries[0].op.type = 'erase-all' as never),
      'edits.entries[0].op.type: expected one of',
    ],
    [
      'edits.cursor',
      (o: ProjectFile) => (o.edits.cursor = 3),
      'edits.cursor: expected an integer in [0, 2], got number 3',
    ],
    [
      'viewState',
      (o: ProjectFile) => (o.viewState!.selectedView = 'radar' as never),
      'viewState.selectedView: expected one of',
    ],
  ])('refuses a malformed %s, naming the field', (_name, change, message) => {
    const e = errorOf(edited(change));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toContain(`project file: ${message}`);
  });
});
