/** `score:pages` through the IPC dispatch, on projects made from the committed fixtures (real verovio, real database). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, createServices, dispatch, type AppServices, type Handlers } from './ipc/handle.js';
import type { Result, ScorePages } from '../../shared/ipc.js';
import { linkEngraving } from '../../shared/pages/model.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../../resources/${p}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-pages-ipc-'));
let s: AppServices;
let h: Handlers;
let notated = 0;
let midi = 0;
const A4 = { pageWidth: 2100, pageHeight: 2970, scale: 100 };

beforeAll(async () => {
  s = createServices({ dbPath: join(dir, 'accord.db'), emit: () => undefined, mediaUrl: (p) => `x://${p}` });
  h = createHandlers(s, {
    info: { version: 'test', host: 'bridge', platform: process.platform },
    openDialog: () => Promise.resolve(null),
    saveDialog: () => Promise.resolve(null),
  });
  const recordingPath = fixture('fixtures/minuet-repeat/performance.ogg');
  notated = (
    await s.projects.create({ recordingPath, scorePath: fixture('fixtures/minuet-repeat/score.musicxml') })
  ).id;
  midi = (await s.projects.create({ recordingPath, scorePath: fixture('fixtures/minuet-repeat/score.mid') }))
    .id;
}, 60_000);

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(...args: unknown[]): Promise<Result<ScorePages>> {
  return (await dispatch(h, 'score:pages', args)) as Result<ScorePages>;
}

describe('score:pages', () => {
  it('engraves the project’s stored score; the measures link to the score the editor holds', async () => {
    const r = await call(notated, A4);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.pages.length).toBe(1);
    expect(r.value.layout).toEqual(A4);
    const detail = await s.projects.get(notated);
    const linked = linkEngraving(r.value, detail.score, 'score.musicxml');
    expect(linked.measures.slice(0, 8).every((m) => m.passes.length === 2)).toBe(true);
    // A larger notation size on a smaller page: more pages.
    const big = await call(notated, { pageWidth: 1050, pageHeight: 1485, scale: 200 });
    if (!big.ok) throw new Error(big.error.message);
    expect(big.value.pages.length).toBeGreaterThan(1);
    expect([big.value.pages[0].width, big.value.pages[0].height]).toEqual([2100, 2970]);
  }, 60_000);

  it('validates the layout and says what it expected', async () => {
    for (const [args, message] of [
      [
        [notated, { pageWidth: 50, pageHeight: 2970, scale: 100 }],
        /pageWidth: expected an integer in \[300, 10000\], got the number 50/,
      ],
      [[notated, { pageWidth: 2100, pageHeight: 2970 }], /scale: expected an integer/],
      [[notated, { ...A4, extra: 1 }], /page layout: expected only the keys pageWidth, pageHeight, scale/],
      [[notated], /score:pages arguments: expected 2 argument/],
      [['x', A4], /projectId/],
    ] as const) {
      const r = await call(...args);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid-argument');
        expect(r.error.message).toMatch(message);
      }
    }
  });

  it('answers unsupported for a MIDI score and not-found for no project', async () => {
    const r = await call(midi, A4);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('unsupported');
      expect(r.error.message).toMatch(/score\.mid: pages need an engraved score/);
    }
    const none = await call(9999, A4);
    expect(none.ok ? '' : none.error.code).toBe('not-found');
  });
});
