import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccordError } from '../../shared/ipc.js';
import { readAsapTimes } from '../../shared/formats/asap.js';
import { decodeAudioFile } from '../engine/audio.js';
import { loadScore } from '../engine/score.js';
import { checkAlignable } from '../engine/pipeline.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { DatabaseLockedError } from './db/database.js';
import { isBusy, toIpcError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'accord-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `fn` throws (or rejects with). */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, got none');
}

describe('toIpcError: one mapping for handlers, jobs and workers', () => {
  it('keeps an AccordError, and reads the code tag of an error that crossed the contextBridge', () => {
    expect(toIpcError(new AccordError('not-found', 'project 3: none'))).toEqual({
      code: 'not-found',
      message: 'project 3: none',
    });
    expect(toIpcError(new Error('[accord:hash-mismatch] the bytes differ'))).toEqual({
      code: 'hash-mismatch',
      message: 'the bytes differ',
    });
  });

  it('says cancelled once the signal is aborted, whatever was thrown', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(toIpcError(new Error('decoder stopped'), ac.signal)).toEqual({
      code: 'cancelled',
      message: 'the job was cancelled',
    });
    const superseded = new AbortController();
    superseded.abort(new AccordError('cancelled', 'a newer edit superseded this re-alignment'));
    expect(toIpcError(new Error('stopped'), superseded.signal)).toEqual({
      code: 'cancelled',
      message: 'a newer edit superseded this re-alignment',
    });
    const abort = await caught(() => AbortSignal.abort().throwIfAborted());
    expect(toIpcError(abort).code).toBe('cancelled');
  });

  it('a missing file is file-missing from the decoder, the score loader and Node alike', async () => {
    const missing = join(dir, 'gone');
    for (const err of [
      await caught(() => decodeAudioFile(`${missing}.wav`)),
      await caught(() => loadScore(`${missing}.mid`)),
      await caught(() => readFileSync(missing)),
    ]) {
      expect(toIpcError(err)).toEqual({ code: 'file-missing', message: (err as Error).message });
    }
  });

  it('a file that reads but holds no usable audio or score is unsupported; so is a recording that cannot be aligned', async () => {
    const wav = join(dir, 'noise.wav');
    const mid = join(dir, 'noise.mid');
    writeFileSync(wav, 'not a riff header at all');
    writeFileSync(mid, 'not a midi header at all');
    const silent = { frames: 100, energy: new Float32Array(100).fill(-100) };
    for (const err of [
      await caught(() => decodeAudioFile(wav)),
      await caught(() => loadScore(mid)),
      await caught(() =>
        checkAlignable(
          silent as Parameters<typeof checkAlignable>[0],
          { name: 'a.wav', durationSeconds: 1 },
          { name: 's.mid', durationSeconds: 1 },
        ),
      ),
    ]) {
      expect(toIpcError(err)).toEqual({ code: 'unsupported', message: (err as Error).message });
    }
  });

  it('other file-system errors and output errors are io', async () => {
    for (const err of [
      await caught(() => readFileSync(dir)),
      await caught(() => writeFileAtomic(join(dir, 'no-such-folder', 'out.csv'), 'x')),
    ]) {
      expect(toIpcError(err)).toEqual({ code: 'io', message: (err as Error).message });
    }
  });

  it('a held database is busy, and malformed import data an invalid argument', async () => {
    const held = new DatabaseLockedError('open in another window');
    expect(toIpcError(held)).toEqual({
      code: 'busy',
      message: 'the project database is busy (open in another window or process): open in another window',
    });
    expect(isBusy(Object.assign(new Error('locked'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isBusy(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(false);
    const bad = await caught(() => readAsapTimes('abc\tdef', 'x.txt'));
    expect(toIpcError(bad)).toEqual({ code: 'invalid-argument', message: (bad as Error).message });
  });

  it('anything else is internal, with its message', () => {
    expect(toIpcError(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'x is undefined',
    });
    expect(toIpcError('a string')).toEqual({ code: 'internal', message: 'a string' });
  });
});
