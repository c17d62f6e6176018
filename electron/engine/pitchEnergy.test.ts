/**
 * The recording's pitch energy on several threads (`parallelPitchEnergy`): real worker threads,
 * bit for bit the single-thread STFT (the engine's FFT), and the shared-block runner's fallbacks.
 */
import { describe, expect, it } from 'vitest';
import { audioPitchEnergy } from '../../shared/dsp/features.js';
import { FEATURE_PARAMS, frameCount } from '../../shared/dsp/params.js';
import { xorshift32 } from '../../shared/random.js';
import { frameFft, loadWasmFft } from './fft.js';
import { BLOCK_FRAMES, parallelPitchEnergy } from './pitchEnergy.js';
import { HelperPool } from './helpers.js';
import { claimBlocks, runSharedBlocks, sharedBlocks } from './sharedBlocks.js';

/** 40 s of three drifting partials in noise at the feature rate. */
function testAudio(): Float32Array {
  const sr = FEATURE_PARAMS.sampleRate;
  const out = new Float32Array(40 * sr);
  const rand = xorshift32(7);
  for (let n = 0; n < out.length; n++) {
    const t = n / sr;
    out[n] =
      0.3 * Math.sin(2 * Math.PI * (220 + 2 * t) * t) +
      0.2 * Math.sin(2 * Math.PI * 330 * t) * (Math.floor(t * 2) % 2) +
      0.1 * Math.sin(2 * Math.PI * 1760 * t) +
      0.01 * (rand() - 0.5);
  }
  return out;
}

const audio = testAudio();
const frames = frameCount(audio.length);
// The engine's FFT, which the helpers load as they start (`fft.ts`).
const serial = audioPitchEnergy(audio, undefined, 12, (await loadWasmFft(), frameFft()));

describe('parallelPitchEnergy', () => {
  it('a worker thread computes every frame as this thread does, bit for bit', async () => {
    let perThread: number[] = [];
    const pe = await parallelPitchEnergy(audio, 12, 1, {
      minParallelFrames: 0,
      thisThread: false,
      onBlocks: (p) => (perThread = p),
    });
    expect(pe.frames).toBe(frames);
    expect(Buffer.from(pe.energy.buffer).equals(Buffer.from(serial.energy.buffer))).toBe(true);
    expect(perThread).toEqual([0, Math.ceil(frames / BLOCK_FRAMES)]);
  });

  it('stays on this thread below the size that repays a worker, with progress to 1', async () => {
    let perThread: number[] = [];
    const progress: number[] = [];
    const pe = await parallelPitchEnergy(audio, 12, 1, {
      onBlocks: (p) => (perThread = p),
      onProgress: (f) => progress.push(f),
    });
    expect(perThread).toEqual([Math.ceil(frames / BLOCK_FRAMES)]);
    expect(Buffer.from(pe.energy.buffer).equals(Buffer.from(serial.energy.buffer))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    for (let k = 1; k < progress.length; k++) expect(progress[k]).toBeGreaterThanOrEqual(progress[k - 1]);
  });

  it('ends its helpers after a job whose audio they should not keep, and keeps them after a small one', async () => {
    const pool = new HelperPool();
    const run = (helperKeepsMaxBytes: number): Promise<unknown> =>
      parallelPitchEnergy(audio, 12, 1, {
        minParallelFrames: 0,
        thisThread: false,
        helpers: pool,
        helperKeepsMaxBytes,
      });
    await run(4 * audio.length + 1);
    expect(pool.size).toBe(1);
    await run(4 * audio.length);
    // Ended: a later job starts a new helper.
    expect(pool.size).toBe(0);
    await pool.close();
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(parallelPitchEnergy(audio, 0, 1, { signal: ac.signal })).rejects.toThrow('stop');
  });
});

describe('runSharedBlocks', () => {
  it('computes the blocks of a helper that cannot start on this thread', async () => {
    const pool = new HelperPool(() => ({
      url: new URL('./fixtures/helpers/no-such-entry.mjs', import.meta.url),
      workerData: {},
    }));
    const job = sharedBlocks(5);
    const ran: number[] = [];
    const perThread = await runSharedBlocks(job, {
      helpers: 1,
      part: (thread) => pool.run(thread, 'pitchEnergy', { job, thread }),
      run: (b) => {
        ran.push(b);
      },
      thisThread: false,
    });
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(perThread).toEqual([5, 0]);
  });

  it('lets the helpers work while this thread awaits other work, then shares what is left', async () => {
    const pool = new HelperPool();
    let perThread: number[] = [];
    let waited = false;
    // This thread claims nothing until the helper has had time to start and compute.
    const meanwhile = new Promise<void>((resolve) => setTimeout(resolve, 1500)).then(() => {
      waited = true;
    });
    const pe = await parallelPitchEnergy(audio, 12, 1, {
      minParallelFrames: 0,
      helpers: pool,
      meanwhile,
      onBlocks: (p) => (perThread = p),
    });
    await pool.close();
    expect(waited).toBe(true);
    expect(perThread[1]).toBeGreaterThan(0);
    expect(perThread[0] + perThread[1]).toBe(Math.ceil(frames / BLOCK_FRAMES));
    expect(Buffer.from(pe.energy.buffer).equals(Buffer.from(serial.energy.buffer))).toBe(true);
  });

  it('withdraws the unclaimed blocks when aborted, so the helpers stop', async () => {
    const job = sharedBlocks(1000);
    const ac = new AbortController();
    const ran: number[] = [];
    await expect(
      runSharedBlocks(job, {
        helpers: 0,
        part: () => Promise.resolve(),
        run: (b) => {
          ran.push(b);
          if (ran.length === 3) ac.abort(new Error('stop'));
        },
        signal: ac.signal,
      }),
    ).rejects.toThrow('stop');
    expect(ran).toEqual([0, 1, 2]);
    // Nothing left to claim for a helper still running.
    expect(claimBlocks(job, 1, () => undefined)).toBe(false);
  });
});
