/**
 * The scan service through the IPC dispatch on a real SQLite file and the committed minuet (16
 * notated bars, the first eight under a repeat, so 24 played): boxes stored and linked in reading order, edits saved
 * at once and kept after the database is closed and opened again, warnings when boxes and
 * measures do not add up, and every input checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, createServices, dispatch, type AppServices, type Handlers } from '../ipc/handle.js';
import { PathGrants } from '../ipc/grants.js';
import type { EventChannel, EventChannels, Result, ScanPageImage, ScanState } from '../../../shared/ipc.js';
import { loadScore } from '../../engine/score.js';
import { engraveLoadedScore, rasterizePage } from '../../engine/pages.js';
import type { Box, ScanDetection } from '../../../shared/pages/scan/model.js';
import type { ScanTaskPage } from '../workers/protocol.js';
import { encodeGrayPng } from '../../engine/png.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../../../resources/${p}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'accord-scan-ipc-'));
const dbPath = join(dir, 'accord.db');
const NUMBERS = Array.from({ length: 16 }, (_, i) => String(i + 1));
const W = 400;
const H = 300;
let s: AppServices;
let h: Handlers;
let grants: PathGrants;
let id = 0;
/** Events the services sent, in order. */
const events: { event: EventChannel; payload: unknown }[] = [];

/** What the next several-files dialog answers. */
const picked: string[] = [];
/** Called on each event (a test that reacts to one sets it). */
let onEvent: ((event: EventChannel, payload: unknown) => void) | null = null;

function open(): void {
  s = createServices({
    dbPath,
    emit: (event, payload) => {
      events.push({ event, payload });
      onEvent?.(event, payload);
    },
    mediaUrl: (p) => `x://${p}`,
  });
  grants = new PathGrants();
  h = createHandlers(
    s,
    {
      info: { version: 'test', host: 'bridge', platform: process.platform },
      openDialog: () => Promise.resolve(null),
      openFiles: () => Promise.resolve(picked.splice(0)),
      saveDialog: () => Promise.resolve(null),
    },
    grants,
  );
}

/** A page of `systems` systems of four measures each, 80 × 40 px, as the detector would report it. */
function page(n: number, systems: number, measures = 4): ScanTaskPage {
  const detection: ScanDetection = {
    page: n,
    width: W,
    height: H,
    skewDegrees: 0.5,
    systems: Array.from({ length: systems }, (_, i) => ({
      box: [20, 20 + i * 100, 320, 40] as Box,
      staves: 1,
      staffLines: [0, 1, 2, 3, 4].map((k) => 20 + i * 100 + k * 10),
    })),
    // Listed right to left, to show the service orders them.
    measures: Array.from({ length: systems * measures }, (_, k) => {
      const i = Math.floor(k / measures);
      const j = measures - 1 - (k % measures);
      return { page: n, system: i, box: [20 + j * 80, 20 + i * 100, 80, 40] as Box };
    }),
  };
  const data = new Uint8Array(W * H).fill(255 - n);
  return {
    sourceName: 'minuet.pdf',
    sourcePage: n,
    width: W,
    height: H,
    png: encodeGrayPng({ width: W, height: H, data }),
    detection,
  };
}

async function call<T>(channel: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(h, channel, args)) as Result<T>;
  if (!r.ok) throw new Error(`[${r.error.code}] ${r.error.message}`);
  return r.value;
}

async function refused(channel: string, ...args: unknown[]): Promise<{ code: string; message: string }> {
  const r = await dispatch(h, channel, args);
  if (r.ok) throw new Error(`${channel} accepted ${JSON.stringify(args)}`);
  return r.error;
}

beforeAll(async () => {
  open();
  id = (
    await s.projects.create({
      recordingPath: fixture('fixtures/minuet-repeat/performance.ogg'),
      scorePath: fixture('fixtures/minuet-repeat/score.musicxml'),
    })
  ).id;
}, 60_000);

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scan service', () => {
  it('has no scan until one is imported', async () => {
    const state = await call<ScanState>('scan:get', id);
    expect(state.pages).toEqual([]);
    expect(state.boxes).toEqual([]);
    expect(state.warnings).toEqual([]);
    expect(state.measures.map((m) => m.number)).toEqual(NUMBERS);
    expect(state.measures[0].passes).toEqual([0, 8]);
    expect(state.measures[8].passes).toEqual([16]);
  });

  it('stores two pages of eight boxes linked in reading order, each to every pass of its bar', async () => {
    const score = await s.projects.score(id);
    s.scans.replace(id, [page(1, 2), page(2, 2)], score);
    const state = await call<ScanState>('scan:get', id);
    expect(state.pages.map((p) => [p.page, p.width, p.height, p.sourcePage, p.systems.length])).toEqual([
      [1, W, H, 1, 2],
      [2, W, H, 2, 2],
    ]);
    expect(state.boxes.map((b) => b.number)).toEqual(NUMBERS);
    expect(state.boxes.slice(0, 9).map((b) => [b.page, b.system, b.box[0]])).toEqual([
      [1, 0, 20],
      [1, 0, 100],
      [1, 0, 180],
      [1, 0, 260],
      [1, 1, 20],
      [1, 1, 100],
      [1, 1, 180],
      [1, 1, 260],
      [2, 0, 20],
    ]);
    expect(state.boxes[4].passes).toEqual([4, 12]);
    expect(state.boxes[12].passes).toEqual([20]);
    expect(state.warnings).toEqual([]);
    const img = await call<ScanPageImage>('scan:page', id, 2);
    expect([img.page, img.width, img.height]).toEqual([2, W, H]);
    expect([...img.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  });

  it('moves, re-links, adds and removes boxes, each saved at once, all kept after a reopen', async () => {
    let state = await call<ScanState>('scan:get', id);
    const [first, second] = state.boxes;
    state = await call<ScanState>('scan:place', id, first.id, [30, 25, 60, 35]);
    expect(state.boxes.find((b) => b.id === first.id)?.box).toEqual([30, 25, 60, 35]);
    state = await call<ScanState>('scan:link', id, second.id, '5');
    const relinked = state.boxes.find((b) => b.id === second.id)!;
    expect(relinked.number).toBe('5');
    expect(relinked.passes).toEqual([4, 12]);
    expect(state.warnings).toEqual(['No box for measure 2.', 'More than one box for measure 5.']);
    state = await call<ScanState>('scan:add', id, 1, [20, 200, 80, 40]);
    expect(state.boxes.length).toBe(17);
    expect(state.warnings[0]).toBe(
      'The scan has 17 measure boxes, the score 16 measures: add, remove or re-link boxes so that each measure has one.',
    );
    expect(state.warnings).toContain('1 box is linked to no measure.');
    const added = state.boxes.find((b) => b.number === null)!;
    state = await call<ScanState>('scan:remove', id, added.id);
    expect(state.boxes.length).toBe(16);

    await s.close();
    open();
    const again = await call<ScanState>('scan:get', id);
    expect(again.boxes).toEqual(state.boxes);
    expect(again.boxes.find((b) => b.id === first.id)?.box).toEqual([30, 25, 60, 35]);
    expect(again.boxes.find((b) => b.id === second.id)?.number).toBe('5');
  });

  it('re-links every box in reading order', async () => {
    const state = await call<ScanState>('scan:relink', id);
    expect(state.boxes.map((b) => b.number)).toEqual(NUMBERS);
    expect(state.warnings).toEqual([]);
  });

  it('a box dragged into another system moves to its place in reading order', async () => {
    const score = await s.projects.score(id);
    s.scans.replace(id, [page(1, 2)], score);
    let state = await call<ScanState>('scan:get', id);
    expect(state.warnings).toEqual([
      'The scan has 8 measure boxes, the score 16 measures: add, remove or re-link boxes so that each measure has one.',
      'No box for measures 9, 10, 11, 12, 13, 14, 15, 16.',
    ]);
    const last = state.boxes[7];
    // Bar 8's box, dragged up to the first system's start.
    state = await call<ScanState>('scan:place', id, last.id, [0, 20, 18, 40]);
    expect(state.boxes[0].id).toBe(last.id);
    expect(state.boxes[0].system).toBe(0);
    expect(state.boxes[0].number).toBe('8');
  });

  it('a duplicated project has the scan too: its own copy of every page and box, edits kept apart', async () => {
    const original = await call<ScanState>('scan:get', id);
    expect(original.pages.length).toBeGreaterThan(0);
    const copy = (await call<{ id: number }>('project:duplicate', id)).id;
    const dup = await call<ScanState>('scan:get', copy);
    const shape = (st: ScanState): unknown => ({
      pages: st.pages,
      boxes: st.boxes.map(({ id: _id, ...b }) => b),
      warnings: st.warnings,
    });
    expect(shape(dup)).toEqual(shape(original));
    for (const p of original.pages)
      expect((await call<ScanPageImage>('scan:page', copy, p.page)).png).toEqual(
        (await call<ScanPageImage>('scan:page', id, p.page)).png,
      );
    // The copy's boxes are its own: moving one leaves the original's where it was.
    const moved = await call<ScanState>('scan:place', copy, dup.boxes[0].id, [30, 25, 60, 35]);
    expect(moved.boxes.find((b) => b.id === dup.boxes[0].id)?.box).toEqual([30, 25, 60, 35]);
    expect((await call<ScanState>('scan:get', id)).boxes).toEqual(original.boxes);
    await call('project:delete', copy);
    expect((await call<ScanState>('scan:get', id)).boxes).toEqual(original.boxes);
  });

  it('refuses bad input, saying what it expected and what came', async () => {
    const state = await call<ScanState>('scan:get', id);
    const box = state.boxes[0].id;
    const cases: [string, unknown[], RegExp][] = [
      [
        'scan:place',
        [id, box, [0, 0, 0, 10]],
        /box\[2\] \(width\): expected a number in \[1, 100000\], got the number 0/,
      ],
      ['scan:place', [id, box, [0, 0, 10]], /box: expected a box \[x, y, width, height\], got an array of 3/],
      ['scan:place', [id, box, [-1, 0, 10, 10]], /box\[0\] \(x\): expected a number in \[0, 100000\]/],
      [
        'scan:place',
        [id, box, [350, 0, 60, 10]],
        /expected a box within page 1 \(400 × 300 px\).*reaches to \(410, 10\)/,
      ],
      ['scan:place', [id, 99999, [0, 0, 10, 10]], /expected a scan box with id 99999/],
      [
        'scan:link',
        [id, box, '99'],
        /expected one of the score's measures \(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, …\), got "99"/,
      ],
      ['scan:link', [id, box, 5], /number: expected a printed measure number/],
      ['scan:add', [id, 3, [0, 0, 10, 10]], /expected a scanned page 3, found none/],
      ['scan:page', [id, 2], /expected a scanned page in 1..1, got page 2/],
      ['scan:page', [id, 0], /page: expected an integer in \[1, 200\]/],
      ['scan:get', [999], /expected an existing project id, got 999/],
      ['scan:import', [id, []], /The scan files: expected an array of 1..200 file paths, got an array of 0/],
      ['scan:import', [id, ['relative.png']], /The scan files\[0\]: expected an absolute path/],
    ];
    for (const [channel, args, message] of cases)
      expect((await refused(channel, ...args)).message).toMatch(message);
  });

  it('imports only granted PDF, PNG and JPEG files', async () => {
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'not a scan');
    expect((await refused('scan:import', id, [txt])).message).toMatch(
      /The scan files\[0\]: expected a .pdf \| .png \| .jpg \| .jpeg file/,
    );
    const png = join(dir, 'page.png');
    copyFileSync(txt, png);
    expect((await refused('scan:import', id, [png])).message).toMatch(
      /the scan: expected a file chosen in a dialog or dropped on the window/,
    );
    // Nothing changed.
    expect((await call<ScanState>('scan:get', id)).pages.length).toBe(1);
  });
});

/** The `job:*` events of job `jobId`. */
function jobEvents(jobId: string): { event: EventChannel; payload: Record<string, unknown> }[] {
  return events.filter((e) => (e.payload as { jobId?: string }).jobId === jobId) as {
    event: EventChannel;
    payload: Record<string, unknown>;
  }[];
}

/** The page images of the minuet, engraved at notation size `scale` % on A4 and rasterized, as PNG files. */
async function minuetPages(scale: number): Promise<string[]> {
  const path = fixture('fixtures/minuet-repeat/score.musicxml');
  const engraving = await engraveLoadedScore(await loadScore(path), 'score.musicxml', {
    pageWidth: Math.round(210000 / scale),
    pageHeight: Math.round(297000 / scale),
    scale,
  });
  return engraving.pages.map((p) => {
    const file = join(dir, `minuet-page-${p.index}.png`);
    writeFileSync(file, rasterizePage(p));
    return file;
  });
}

describe('scan import as a job (real worker)', () => {
  let pages: string[] = [];
  beforeAll(async () => {
    pages = await minuetPages(250);
    for (const p of pages) grants.grant(p);
  }, 60_000);

  it('answers a job id at once; reading and detecting report progress; job:done says what was stored', async () => {
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const { jobId } = await call<{ jobId: string }>('scan:import', id, pages);
    expect(s.jobs.list()).toMatchObject([{ jobId, projectId: id, kind: 'scan' }]);
    expect((await refused('scan:import', id, pages)).code).toBe('busy');
    await s.jobs.settled(jobId);
    const seen = jobEvents(jobId);
    const progress = seen.filter((e) => e.event === 'job:progress').map((e) => e.payload);
    expect(progress.every((p) => p.kind === 'scan')).toBe(true);
    expect(new Set(progress.map((p) => p.stage))).toEqual(new Set(['read', 'detect']));
    const fractions = progress.map((p) => p.fraction as number);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBeCloseTo(1, 6);
    const done = seen.at(-1)!;
    expect(done.event).toBe('job:done');
    const state = await call<ScanState>('scan:get', id);
    expect(done.payload).toMatchObject({
      kind: 'scan',
      projectId: id,
      result: { pages: pages.length, boxes: state.boxes.length, warnings: state.warnings },
    });
    expect(state.pages.map((p) => p.sourceName)).toEqual(pages.map((p) => p.split('/').at(-1)));
    expect(state.boxes.length).toBeGreaterThan(8);
  }, 120_000);

  it('the dialog picks several pages, in page order, and grants each of them (only for scans)', async () => {
    const names = ['p10.png', 'p2.png', 'P1.png'].map((n) => join(dir, 'picked', n));
    mkdirSync(join(dir, 'picked'), { recursive: true });
    names.forEach((n, i) => copyFileSync(pages[i % pages.length], n));
    expect((await refused('scan:import', id, names)).message).toMatch(/expected a file chosen in a dialog/);
    picked.push(...names);
    const chosen = await call<string[]>('dialog:pages', { kind: 'scan', title: 'Pages' });
    expect(chosen.map((p) => p.split('/').at(-1))).toEqual(['P1.png', 'p2.png', 'p10.png']);
    const { jobId } = await call<{ jobId: string }>('scan:import', id, chosen);
    await s.jobs.settled(jobId);
    expect(jobEvents(jobId).at(-1)?.event).toBe('job:done');
    expect((await call<ScanState>('scan:get', id)).pages.map((p) => p.sourceName)).toEqual([
      'P1.png',
      'p2.png',
      'p10.png',
    ]);
    expect(await call<string[]>('dialog:pages', { kind: 'scan' })).toEqual([]);
    expect((await refused('dialog:pages', { kind: 'score' })).message).toMatch(
      /kind: expected one of scan, got the string "score"/,
    );
  }, 120_000);

  it('cancels: job:failed with code cancelled, and the scan stays as it was', async () => {
    const before = await call<ScanState>('scan:get', id);
    let cancelled = false;
    onEvent = (event, payload) => {
      const p = payload as EventChannels['job:progress'];
      if (event === 'job:progress' && p.kind === 'scan' && !cancelled) cancelled = s.jobs.cancel(p.jobId);
    };
    try {
      const { jobId } = await call<{ jobId: string }>('scan:import', id, [...pages].reverse());
      await s.jobs.settled(jobId);
      expect(cancelled).toBe(true);
      const last = jobEvents(jobId).at(-1)!;
      expect(last.event).toBe('job:failed');
      expect(last.payload).toMatchObject({ kind: 'scan', error: { code: 'cancelled' } });
    } finally {
      onEvent = null;
    }
    expect(await call<ScanState>('scan:get', id)).toEqual(before);
  }, 120_000);

  it('a file that is no image fails the job as data, naming the file, and the scan stays', async () => {
    const before = await call<ScanState>('scan:get', id);
    const bad = join(dir, 'not-an-image.png');
    writeFileSync(bad, 'these are words, not pixels');
    grants.grant(bad);
    const { jobId } = await call<{ jobId: string }>('scan:import', id, [pages[0], bad]);
    await s.jobs.settled(jobId);
    const last = jobEvents(jobId).at(-1)!;
    expect(last.event).toBe('job:failed');
    const error = (last.payload as EventChannels['job:failed']).error;
    expect(error.code).toBe('unsupported');
    expect(error.message).toMatch(/not-an-image\.png: expected a PNG, JPEG or PDF file/);
    expect(await call<ScanState>('scan:get', id)).toEqual(before);
  }, 120_000);
});
