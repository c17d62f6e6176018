import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AccordError,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  VALIDATORS,
  isAbsolutePath,
  validateArgs,
  type AccordApi,
  type InvokeChannel,
  type ProjectDetail,
  type ValidationEnv,
} from './ipc.js';

const FILES = new Set(['/music/take1.wav', '/music/score.mid', 'C:\\music\\take.flac']);
const DIRS = new Set(['/music', '/', 'C:\\music']);
const env: ValidationEnv = { isFile: (p) => FILES.has(p), isDirectory: (p) => DIRS.has(p) };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AccordError);
    expect((e as AccordError).code).toBe('invalid-argument');
    return (e as Error).message;
  }
  throw new Error('expected a validation error, got none');
}

describe('channel lists', () => {
  it('name every channel once, as domain:verb, with a validator each', () => {
    expect(new Set(INVOKE_CHANNELS).size).toBe(INVOKE_CHANNELS.length);
    for (const c of [...INVOKE_CHANNELS, ...EVENT_CHANNELS]) expect(c).toMatch(/^[a-z]+:[a-z-]+$/);
    expect(Object.keys(VALIDATORS).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('types window.accord as one method per channel grouped by domain', () => {
    expectTypeOf<AccordApi['project']['get']>().toEqualTypeOf<
      (projectId: number) => Promise<ProjectDetail>
    >();
    expectTypeOf<AccordApi['alignment']['run']>().parameters.toEqualTypeOf<
      [projectId: number, method?: 'auto' | 'dtw' | 'jump' | 'neural']
    >();
    expectTypeOf<keyof AccordApi['job']>().toEqualTypeOf<'cancel' | 'list'>();
    expectTypeOf<(typeof INVOKE_CHANNELS)[number]>().toEqualTypeOf<InvokeChannel>();
  });
});

describe('validators', () => {
  it('accept well-formed arguments and return them typed', () => {
    expect(validateArgs('project:get', [3], env)).toEqual([3]);
    expect(
      validateArgs(
        'project:create',
        [{ recordingPath: '/music/take1.wav', scorePath: '/music/score.mid', title: '  Take 1 ' }],
        env,
      ),
    ).toEqual([{ recordingPath: '/music/take1.wav', scorePath: '/music/score.mid', title: 'Take 1' }]);
    expect(validateArgs('alignment:run', [3], env)).toEqual([3]);
    expect(validateArgs('alignment:run', [3, 'jump'], env)).toEqual([3, 'jump']);
    expect(validateArgs('export:alignment', [1, 'csv', '/music/out.csv'], env)).toEqual([
      1,
      'csv',
      '/music/out.csv',
    ]);
    expect(validateArgs('export:alignment', [1, 'midi', 'C:\\music\\out.mid', 4], env)).toEqual([
      1,
      'midi',
      'C:\\music\\out.mid',
      4,
    ]);
    expect(validateArgs('recording:peaks', [1, { pointsPerSecond: 50 }], env)).toEqual([
      1,
      { pointsPerSecond: 50 },
    ]);
    expect(
      validateArgs(
        'view:save',
        [1, { playheadSeconds: 1.5, pixelsPerSecond: 100, scrollSeconds: 0, selectedView: 'matrix' }],
        env,
      ),
    ).toHaveLength(2);
    expect(validateArgs('job:cancel', ['5f0c6d1e-1b2a-4c3d-9e8f-0a1b2c3d4e5f'], env)).toHaveLength(1);
  });

  it('say what was expected and what came', () => {
    expect(message(() => validateArgs('project:get', ['3'], env))).toBe(
      'projectId: expected a positive integer id, got the string "3"',
    );
    expect(message(() => validateArgs('project:get', [0], env))).toBe(
      'projectId: expected a positive integer id, got the number 0',
    );
    expect(message(() => validateArgs('project:get', [1.5], env))).toMatch(/got the number 1.5/);
    expect(message(() => validateArgs('project:get', [], env))).toBe(
      'project:get arguments: expected 1 argument(s), got an array of 0',
    );
    expect(message(() => validateArgs('project:get', 'x', env))).toMatch(
      /expected 1 argument\(s\), got the string "x"/,
    );
    expect(
      message(() =>
        validateArgs('project:create', [{ recordingPath: 'take1.wav', scorePath: '/music/score.mid' }], env),
      ),
    ).toBe('The recording: expected an absolute path, got the string "take1.wav"');
    expect(
      message(() =>
        validateArgs(
          'project:create',
          [{ recordingPath: '/music/gone.wav', scorePath: '/music/score.mid' }],
          env,
        ),
      ),
    ).toBe('The recording: expected an existing file, got the string "/music/gone.wav"');
    expect(
      message(() =>
        validateArgs(
          'project:create',
          [{ recordingPath: '/music/take1.wav', scorePath: '/music/score.mid', extra: 1 }],
          env,
        ),
      ),
    ).toMatch(
      /expected only the keys recordingPath, scorePath, title, got an object with keys \[recordingPath, scorePath, extra\]/,
    );
    expect(message(() => validateArgs('alignment:run', [1, 'magic'], env))).toBe(
      'method: expected one of auto | dtw | jump | neural, got the string "magic"',
    );
    expect(message(() => validateArgs('export:alignment', [1, 'pdf', '/music/x.pdf'], env))).toMatch(
      /format: expected one of csv \| json \| asap \| audacity \| svl \| midi/,
    );
    expect(message(() => validateArgs('export:alignment', [1, 'csv', '/nowhere/x.csv'], env))).toBe(
      'The export destination\'s folder: expected an existing folder, got the string "/nowhere"',
    );
    expect(message(() => validateArgs('export:alignment', [1, 'csv', '/music'], env))).toMatch(
      /expected a file path, not a directory/,
    );
    expect(message(() => validateArgs('recording:peaks', [1, { pointsPerSecond: 0 }], env))).toBe(
      'pointsPerSecond: expected an integer in [1, 1000], got the number 0',
    );
    expect(message(() => validateArgs('alignment:matrix', [1, { width: 10 }], env))).toMatch(
      /height: expected an integer in \[1, 4096\], got undefined/,
    );
    expect(
      message(() =>
        validateArgs(
          'view:save',
          [1, { playheadSeconds: -1, pixelsPerSecond: 1, scrollSeconds: 0, selectedView: 'score' }],
          env,
        ),
      ),
    ).toMatch(/state.playheadSeconds: expected a number in \[0, 1000000\], got the number -1/);
    expect(message(() => validateArgs('project:rename', [1, '   '], env))).toMatch(
      /title: expected a non-empty string/,
    );
    expect(message(() => validateArgs('job:cancel', ['../../etc'], env))).toMatch(
      /jobId: expected a job id string/,
    );
    expect(message(() => validateArgs('project:list', [1], env))).toMatch(/expected 0 argument\(s\)/);
  });

  it('recognises absolute paths of both platforms and rejects NUL bytes', () => {
    expect(isAbsolutePath('/a/b')).toBe(true);
    expect(isAbsolutePath('C:\\a')).toBe(true);
    expect(isAbsolutePath('\\\\server\\share')).toBe(true);
    expect(isAbsolutePath('a/b')).toBe(false);
    expect(isAbsolutePath('C:a')).toBe(false);
    expect(message(() => validateArgs('project:relink', [1, '/music/take1.wav\0x'], env))).toMatch(
      /expected an absolute path/,
    );
  });
});

describe('projectfile:save and projectfile:open', () => {
  it('take a project id and a writable path, and an existing file', () => {
    expect(validateArgs('projectfile:save', [3, '/music/minuet.accord'], env)).toEqual([
      3,
      '/music/minuet.accord',
    ]);
    expect(validateArgs('projectfile:open', ['/music/score.mid'], env)).toEqual(['/music/score.mid']);
    expect(validateArgs('dialog:open', [{ kind: 'project' }], env)).toEqual([{ kind: 'project' }]);
    expect(validateArgs('dialog:save', [{ format: 'accord-project' }], env)).toEqual([
      { format: 'accord-project' },
    ]);
  });

  it('refuse relative, missing and malformed paths, saying what was expected', () => {
    expect(message(() => validateArgs('projectfile:open', ['minuet.accord'], env))).toBe(
      'The project file: expected an absolute path, got the string "minuet.accord"',
    );
    expect(message(() => validateArgs('projectfile:open', ['/music/gone.accord'], env))).toBe(
      'The project file: expected an existing file, got the string "/music/gone.accord"',
    );
    expect(message(() => validateArgs('projectfile:save', [3, '/nowhere/x.accord'], env))).toBe(
      'The project file destination\'s folder: expected an existing folder, got the string "/nowhere"',
    );
    expect(message(() => validateArgs('projectfile:save', [0, '/music/x.accord'], env))).toMatch(
      /projectId: expected a positive integer id/,
    );
    expect(message(() => validateArgs('projectfile:open', ['/music/score.mid', 'x'], env))).toMatch(
      /expected 1 argument\(s\)/,
    );
  });
});

describe('practice:save', () => {
  const ok = {
    loop: { startSeconds: 2.5, endSeconds: 8, bars: '2-3' },
    preRollSeconds: 1,
    loopCount: null,
    speedPercent: 75,
    ramp: { stepPercent: 5, targetPercent: 100 },
    metronome: { enabled: true, volume: 0.6, accent: true },
    countInBeats: 4,
  };

  it('passes complete settings through unchanged', () => {
    expect(validateArgs('practice:save', [3, ok], env)).toEqual([3, ok]);
    const plain = { ...ok, loop: null, ramp: null, loopCount: 3 };
    expect(validateArgs('practice:save', [3, plain], env)).toEqual([3, plain]);
  });

  it('names the field, what was expected and what came', () => {
    const bad = (patch: Record<string, unknown>) =>
      message(() => validateArgs('practice:save', [3, { ...ok, ...patch }], env));
    expect(bad({ speedPercent: 200 })).toBe(
      'settings.speedPercent: expected a number in [25, 150], got the number 200',
    );
    expect(bad({ loop: { startSeconds: 8, endSeconds: 2.5 } })).toBe(
      'settings.loop.endSeconds: expected a time > startSeconds (8), got the number 2.5',
    );
    expect(bad({ loopCount: 0 })).toBe(
      'settings.loopCount: expected an integer in [1, 999], got the number 0',
    );
    expect(bad({ loopCount: undefined })).toBe(
      'settings.loopCount: expected an integer in [1, 999] or null, got undefined',
    );
    expect(bad({ ramp: { stepPercent: 5, targetPercent: 10 } })).toBe(
      'settings.ramp.targetPercent: expected a number in [25, 150], got the number 10',
    );
    expect(bad({ metronome: { enabled: 'yes', volume: 1, accent: false } })).toBe(
      'settings.metronome.enabled: expected true or false, got the string "yes"',
    );
    expect(bad({ countInBeats: 2.5 })).toBe(
      'settings.countInBeats: expected an integer in [0, 16], got the number 2.5',
    );
    expect(bad({ tempo: 1 })).toMatch(/^settings: expected only the keys loop, preRollSeconds, /);
    expect(message(() => validateArgs('practice:save', [3], env))).toBe(
      'practice:save arguments: expected 2 argument(s), got an array of 1',
    );
  });
});

describe('AccordError', () => {
  it('round-trips the code through a contextBridge-style message', () => {
    const e = new AccordError('hash-mismatch', 'the file differs');
    const crossed = new Error(e.toWireMessage());
    const back = AccordError.from(crossed);
    expect(back.code).toBe('hash-mismatch');
    expect(back.message).toBe('the file differs');
    // Electron may prefix the message of a rejected invoke.
    const prefixed = AccordError.from(
      new Error("Error invoking remote method 'x': Error: [accord:not-found] no project 3"),
    );
    expect([prefixed.code, prefixed.message]).toEqual(['not-found', 'no project 3']);
    expect(AccordError.from({ code: 'busy', message: 'running' }).code).toBe('busy');
    expect(AccordError.from(new Error('[accord:bogus] x')).code).toBe('internal');
    expect(AccordError.from('plain').message).toBe('plain');
  });
});
