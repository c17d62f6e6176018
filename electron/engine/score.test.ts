import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pkg from '@tonejs/midi';
import { loadScore, loadScoreBytes, ScoreLoadError } from './score.js';

const { Midi } = pkg;
const dir = mkdtempSync(join(tmpdir(), 'accord-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function twoNoteMidi(): Uint8Array {
  const midi = new Midi();
  const track = midi.addTrack();
  track.addNote({ midi: 60, ticks: 0, durationTicks: 480 });
  track.addNote({ midi: 64, ticks: 480, durationTicks: 480 });
  return midi.toArray();
}

async function errorOf(p: Promise<unknown>): Promise<ScoreLoadError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScoreLoadError) return err;
    throw err;
  }
  throw new Error('expected a ScoreLoadError, the load succeeded');
}

describe('loadScore (notated)', () => {
  it('loads MusicXML with its text, and says corrupt for a truncated file naming it', async () => {
    const path = fileURLToPath(new URL('../../shared/scoreio/fixtures/volta.musicxml', import.meta.url));
    const loaded = await loadScore(path);
    expect(loaded.score.format).toBe('musicxml');
    expect(loaded.score.measures.map((m) => m.number)).toEqual(['1', '2', '1', '3', '4']);
    expect(loaded.musicxml).toBe(readFileSync(path, 'utf8'));
    const cut = join(dir, 'cut.musicxml');
    writeFileSync(cut, readFileSync(path, 'utf8').slice(0, 900));
    const err = await errorOf(loadScore(cut));
    expect(err.code).toBe('corrupt');
    expect(err.message).toContain('cut.musicxml');
  });
});

describe('loadScore (MIDI)', () => {
  it('loads a MIDI file with its sha256 and bytes', async () => {
    const bytes = twoNoteMidi();
    const path = join(dir, 'two.mid');
    writeFileSync(path, bytes);
    const loaded = await loadScore(path);
    expect(loaded.score.notes.map((n) => n.pitch)).toEqual([60, 64]);
    expect(loaded.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Array.from(loaded.bytes)).toEqual(Array.from(bytes));
    expect(loaded.musicxml).toBeUndefined();
  });

  it('says not-found for a missing file', async () => {
    const err = await errorOf(loadScore(join(dir, 'missing.mid')));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain('missing.mid');
  });

  it('says unknown-format for an unknown extension', async () => {
    const err = await errorOf(loadScoreBytes(twoNoteMidi(), 'song.wav'));
    expect(err.code).toBe('unknown-format');
    expect(err.message).toMatch(/song\.wav: expected .*\.mid.*found extension '\.wav'/);
  });

  it('says corrupt for random bytes and truncated MIDI, empty for a file without notes', async () => {
    const random = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) % 256);
    expect((await errorOf(loadScoreBytes(random, 'noise.mid'))).code).toBe('corrupt');
    expect((await errorOf(loadScoreBytes(twoNoteMidi().slice(0, 40), 'cut.midi'))).code).toBe('corrupt');
    const empty = new Midi();
    empty.addTrack();
    expect((await errorOf(loadScoreBytes(empty.toArray(), 'empty.mid'))).code).toBe('empty');
  });
});
