/** Anchors, jumps and review marks must lie within the project's recording and score (issue 9, defect 5). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, createServices, dispatch, type AppServices, type Handlers } from './ipc/handle.js';
import type { CorrectionsState, Result } from '../../shared/ipc.js';
import type { AlignmentPath } from '../../shared/path.js';

const fixture = fileURLToPath(new URL('../../resources/fixtures/minuet-repeat/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-bounds-'));
let s: AppServices;
let h: Handlers;
let id = 0;
let recordingEnd = 0;
let scoreEnd = 0;

beforeAll(async () => {
  s = createServices({ dbPath: join(dir, 'accord.db'), emit: () => undefined, mediaUrl: (p) => `x://${p}` });
  h = createHandlers(s, {
    info: { version: 'test', host: 'bridge', platform: process.platform },
    openDialog: () => Promise.resolve(null),
    saveDialog: () => Promise.resolve(null),
  });
  const p = await s.projects.create({
    recordingPath: join(fixture, 'performance.ogg'),
    scorePath: join(fixture, 'score.mid'),
  });
  id = p.id;
  recordingEnd = p.durationSeconds;
  scoreEnd = (await s.projects.score(id)).duration;
  const hop = 0.0232;
  const n = Math.floor(recordingEnd / hop);
  const path: AlignmentPath = {
    hopSeconds: hop,
    scoreTime: Float64Array.from({ length: n }, (_, k) => Math.min(scoreEnd, k * hop)),
    confidence: new Float32Array(n).fill(0.9),
    jumpFrames: [],
    method: 'dtw',
  };
  s.projects.addAlignment(id, path, 'automatic');
}, 60_000);

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refused(channel: string, ...args: unknown[]): Promise<string> {
  const r = await dispatch(h, channel, args);
  expect(r.ok).toBe(false);
  if (r.ok) return '';
  expect(r.error.code).toBe('invalid-argument');
  return r.error.message;
}

describe('times bounded by the project', () => {
  it('has a recording and a score of a few tens of seconds', () => {
    expect(recordingEnd).toBeGreaterThan(5);
    expect(recordingEnd).toBeLessThan(120);
    expect(scoreEnd).toBeGreaterThan(5);
  });

  it('refuses an anchor at 1,000,000 s or past the score, saying the range and what came', async () => {
    const far = await refused('corrections:apply', id, {
      type: 'add-anchor',
      anchor: { id: 'a1', perfTime: 1_000_000, scoreTime: 1, source: 'drag' },
    });
    expect(far).toBe(
      `anchor.perfTime: expected a time within the recording (0–${recordingEnd.toFixed(3)} s), got 1000000`,
    );
    const pastScore = await refused('corrections:apply', id, {
      type: 'add-anchor',
      anchor: { id: 'a2', perfTime: 1, scoreTime: scoreEnd + 5, source: 'drag' },
    });
    expect(pastScore).toMatch(
      new RegExp(
        `^anchor\\.scoreTime: expected a time within the score \\(0–${scoreEnd.toFixed(3)} s\\), got `,
      ),
    );
  });

  it('refuses a jump outside the recording or to a score time past the score', async () => {
    expect(
      await refused('corrections:apply', id, {
        type: 'insert-jump',
        jump: { id: 'j1', perfTime: recordingEnd + 1, toScoreTime: 1 },
      }),
    ).toMatch(/^jump\.perfTime: expected a time within the recording/);
    expect(
      await refused('corrections:apply', id, {
        type: 'insert-jump',
        jump: { id: 'j2', perfTime: 1, toScoreTime: 1_000_000 },
      }),
    ).toMatch(/^jump\.toScoreTime: expected a time within the score .* got 1000000$/);
  });

  it('refuses a review mark past the recording, keeps one inside it', async () => {
    expect(await refused('review:mark', id, 1, 1_000_000)).toMatch(
      /^region\.perfEnd: expected a time within the recording .* got 1000000$/,
    );
    expect(await refused('review:mark', id, 999_999, 1_000_000)).toMatch(/^region\.perfStart/);
    const ok = (await dispatch(h, 'review:mark', [id, 1, recordingEnd])) as Result<CorrectionsState>;
    expect(ok.ok).toBe(true);
    const st = s.corrections.get(id);
    expect(st.entries).toBe(1);
    expect(st.corrections.anchors).toEqual([]);
    expect(st.corrections.jumps).toEqual([]);
  });
});
