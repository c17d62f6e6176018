import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type {
  AlignmentRecord,
  CorrectionsState,
  ProjectFileOpened,
  Result,
  ScanPageImage,
  ScanState,
} from '../../../shared/ipc.js';
import { parseProjectFile } from '../../../shared/projectFile.js';
import type { Box } from '../../../shared/pages/scan/model.js';
import type { ScanTaskPage } from '../workers/protocol.js';
import { encodeGrayPng } from '../../engine/png.js';
import { createHandlers, createServices, dispatch, type AppServices, type Handlers } from '../ipc/handle.js';
import { PathGrants } from '../ipc/grants.js';
import { makeFixtureDir } from '../ipc/fixtures.testutil.js';
import { realigned } from '../edits.testutil.js';

const fx = makeFixtureDir();
/** Answers of the scripted dialogs, taken in order. */
const dialogAnswers: (string | null)[] = [];

interface Library {
  s: AppServices;
  h: Handlers;
  grants: PathGrants;
}

function library(dbPath: string): Library {
  const s = createServices({
    dbPath,
    emit: () => undefined,
    mediaUrl: (id) => `accord-media://recording/${id}`,
  });
  const grants = new PathGrants();
  const h = createHandlers(
    s,
    {
      info: { version: 'test', host: 'bridge', platform: process.platform },
      openDialog: () => Promise.resolve(dialogAnswers.shift() ?? null),
      saveDialog: () => Promise.resolve(dialogAnswers.shift() ?? null),
    },
    grants,
  );
  return { s, h, grants };
}

async function call<T>(lib: Library, channel: string, ...args: unknown[]): Promise<T> {
  const r = (await dispatch(lib.h, channel, args)) as Result<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** Saves project `id` of `lib` to `dest` as the user would: the save dialog answers `dest`. */
async function saveAs(lib: Library, id: number, dest: string): Promise<{ path: string; bytes: number }> {
  dialogAnswers.push(dest);
  const chosen = await call<string>(lib, 'dialog:save', {
    format: 'accord-project',
    defaultName: 'p.accord',
  });
  return call(lib, 'projectfile:save', id, chosen);
}

/** Opens `path` in `lib` as the user would: the open dialog answers it. */
async function openAs(lib: Library, path: string): Promise<ProjectFileOpened> {
  dialogAnswers.push(path);
  const chosen = await call<string>(lib, 'dialog:open', { kind: 'project' });
  return call(lib, 'projectfile:open', chosen);
}

/** Page `n` of a made-up scan, 300 × 200 px: two systems of three measures each, as the detector reports them. */
function scanPage(n: number): ScanTaskPage {
  const data = new Uint8Array(300 * 200).fill(250 - n);
  return {
    sourceName: 'pages.pdf',
    sourcePage: n,
    width: 300,
    height: 200,
    png: encodeGrayPng({ width: 300, height: 200, data }),
    detection: {
      page: n,
      width: 300,
      height: 200,
      skewDegrees: 0.25 * n,
      systems: [0, 1].map((i) => ({
        box: [10, 20 + i * 90, 270, 50] as Box,
        staves: 1,
        staffLines: [0, 1, 2, 3, 4].map((k) => 20 + i * 90 + k * 12.5),
      })),
      measures: [0, 1].flatMap((i) =>
        [0, 1, 2].map((j) => ({ page: n, system: i, box: [10 + j * 90, 20 + i * 90, 90, 50] as Box })),
      ),
    },
  };
}

/** A scan state without its box ids (each library gives its own). */
function withoutIds(st: ScanState): unknown {
  return { ...st, boxes: st.boxes.map(({ id: _id, ...b }) => b) };
}

const libs: Library[] = [];
let a: Library;
let projectId = 0;
let latest: AlignmentRecord;
let state: CorrectionsState;
const saved = join(fx.dir, 'minuet.accord');

beforeAll(async () => {
  a = library(fx.dbPath);
  libs.push(a);
  projectId = (await a.s.projects.create({ recordingPath: fx.wav, scorePath: fx.mid })).id;
  const { jobId } = await a.s.projects.runAlignment(projectId, 'dtw');
  await a.s.jobs.settled(jobId);
  // Two corrections, then one undone: the file must carry the log and where its cursor stands.
  const first = await a.s.corrections.apply(projectId, {
    type: 'add-anchor',
    anchor: { id: 'a1', perfTime: 1.2, scoreTime: 1.0, source: 'drag' },
  });
  await realigned(a.s, first);
  const second = await a.s.corrections.apply(projectId, {
    type: 'mark-region',
    region: { id: 'r1', perfStart: 2, perfEnd: 3, kind: 'checked' },
  });
  await realigned(a.s, second);
  const third = await a.s.corrections.apply(projectId, {
    type: 'insert-jump',
    jump: { id: 'j1', perfTime: 4, toScoreTime: 3 },
  });
  await realigned(a.s, third);
  await realigned(a.s, await a.s.corrections.undo(projectId));
  a.s.projects.saveView(projectId, {
    playheadSeconds: 2.5,
    pixelsPerSecond: 120,
    scrollSeconds: 1,
    selectedView: 'pianoroll',
  });
  latest = a.s.projects.getAlignment(a.s.projects.listAlignments(projectId)[0].id);
  state = a.s.corrections.get(projectId);
}, 180_000);

afterAll(async () => {
  for (const l of libs) await l.s.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

describe('.accord project files against real SQLite libraries', () => {
  it('the project under test holds an edited alignment, two applied corrections and one undone', () => {
    expect(latest.kind).toBe('edited');
    expect(state).toMatchObject({ entries: 3, cursor: 2, canRedo: true });
    expect(state.corrections.anchors.map((x) => x.id)).toEqual(['a1']);
    expect(state.corrections.regions.map((x) => x.id)).toEqual(['r1']);
  });

  it('saves atomically to the dialog-chosen path a versioned document with both media paths', async () => {
    const out = await saveAs(a, projectId, saved);
    expect(out.path).toBe(saved);
    const text = readFileSync(saved, 'utf8');
    expect(out.bytes).toBe(Buffer.byteLength(text));
    const doc = parseProjectFile(text);
    expect(doc).toMatchObject({
      format: 'accord-project',
      version: 1,
      recording: { path: fx.wav, relativePath: 'performance.wav' },
      score: { path: fx.mid, relativePath: 'score.mid' },
    });
    expect(doc.edits.entries).toHaveLength(3);
    expect(doc.edits.cursor).toBe(2);
  });

  it('opens into a fresh library with the same alignment, corrections, undo log and view', async () => {
    const b = library(join(fx.dir, 'fresh.db'));
    libs.push(b);
    const opened = await openAs(b, saved);
    expect(opened).toMatchObject({ existing: false, recordingMissing: false });
    const id = opened.project.id;
    const detail = await b.s.projects.get(id);
    const original = await a.s.projects.get(projectId);
    expect(detail.recording).toMatchObject({
      path: fx.wav,
      available: true,
      sha256: original.recording.sha256,
    });
    expect(detail.scoreInfo.sha256).toBe(original.scoreInfo.sha256);
    expect(detail.project.title).toBe(a.s.projects.summary(projectId).title);
    const got = detail.alignment!;
    expect({ kind: got.kind, method: got.method, version: got.version }).toEqual({
      kind: latest.kind,
      method: latest.method,
      version: latest.version,
    });
    expect(got.path.hopSeconds).toBe(latest.path.hopSeconds);
    expect(got.path.scoreTime).toEqual(latest.path.scoreTime);
    expect(got.path.confidence).toEqual(latest.path.confidence);
    expect(got.path.jumpFrames).toEqual(latest.path.jumpFrames);
    expect(b.s.projects.alignmentCorrections(got.id)).toEqual(a.s.projects.alignmentCorrections(latest.id));
    expect(b.s.corrections.get(id)).toEqual(state);
    expect(detail.viewState).toEqual({
      playheadSeconds: 2.5,
      pixelsPerSecond: 120,
      scrollSeconds: 1,
      selectedView: 'pianoroll',
    });
    expect(detail.score.notes.length).toBeGreaterThan(0);
    // The undone op is still there to redo, in the opened project too.
    const redone = await b.s.corrections.redo(id);
    expect(redone.state.corrections.jumps.map((j) => j.id)).toEqual(['j1']);
  });

  it('focuses the project the library already holds, and changes nothing in it', async () => {
    const before = a.s.projects.list();
    const opened = await openAs(a, saved);
    expect(opened).toMatchObject({ existing: true, recordingMissing: false, project: { id: projectId } });
    expect(a.s.projects.list()).toEqual(before);
    expect(a.s.corrections.get(projectId)).toEqual(state);
  });

  it('finds the media through the relative paths after the folder moved', async () => {
    const moved = join(fx.dir, 'moved');
    mkdirSync(moved);
    for (const f of ['performance.wav', 'score.mid', 'minuet.accord'])
      copyFileSync(join(fx.dir, f), join(moved, f));
    renameSync(fx.wav, `${fx.wav}.away`);
    try {
      const c = library(join(fx.dir, 'moved.db'));
      libs.push(c);
      const opened = await openAs(c, join(moved, 'minuet.accord'));
      expect(opened.recordingMissing).toBe(false);
      const detail = await c.s.projects.get(opened.project.id);
      expect(detail.recording).toMatchObject({ path: join(moved, 'performance.wav'), available: true });
      expect(detail.scoreInfo.originalPath).toBe(join(moved, 'score.mid'));
    } finally {
      renameSync(`${fx.wav}.away`, fx.wav);
    }
  });

  it('marks a recording found nowhere missing, and the app relinks it', async () => {
    const alone = join(fx.dir, 'alone');
    mkdirSync(alone);
    copyFileSync(saved, join(alone, 'minuet.accord'));
    renameSync(fx.wav, `${fx.wav}.away`);
    try {
      const d = library(join(fx.dir, 'alone.db'));
      libs.push(d);
      const opened = await openAs(d, join(alone, 'minuet.accord'));
      expect(opened).toMatchObject({ existing: false, recordingMissing: true });
      expect(opened.project.status).toBe('needs-relink');
      // The work came along even without the recording.
      expect(d.s.corrections.get(opened.project.id)).toEqual(state);
      dialogAnswers.push(`${fx.wav}.away.wav`);
      copyFileSync(`${fx.wav}.away`, `${fx.wav}.away.wav`);
      const chosen = await call<string>(d, 'dialog:open', { kind: 'recording' });
      const relinked = await call<{ status: string }>(d, 'project:relink', opened.project.id, chosen);
      expect(relinked.status).not.toBe('needs-relink');
    } finally {
      renameSync(`${fx.wav}.away`, fx.wav);
    }
  });

  it('refuses typed paths that no dialog or drop gave, writing and adding nothing', async () => {
    const typed = join(fx.dir, 'typed.accord');
    const save = await dispatch(a.h, 'projectfile:save', [projectId, typed]);
    expect(save).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(!save.ok && save.error.message).toMatch(
      /expected a file chosen in a dialog or dropped on the window/,
    );
    expect(existsSync(typed)).toBe(false);
    const e = library(join(fx.dir, 'typed.db'));
    libs.push(e);
    const open = await dispatch(e.h, 'projectfile:open', [saved]);
    expect(open).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(e.s.projects.list()).toEqual([]);
  });

  it('gives a duplicated project an identity of its own', async () => {
    const copy = a.s.projects.duplicate(projectId);
    dialogAnswers.push(join(fx.dir, 'copy.accord'));
    const dest = await call<string>(a, 'dialog:save', { format: 'accord-project' });
    await call(a, 'projectfile:save', copy.id, dest);
    const ids = [saved, dest].map((p) => parseProjectFile(readFileSync(p, 'utf8')).projectId);
    expect(ids[0]).not.toBe(ids[1]);
    a.s.projects.delete(copy.id);
  });

  it('refuses a recording path that is not audio, adding nothing', async () => {
    const odd = join(fx.dir, 'odd.accord');
    const doc = JSON.parse(readFileSync(saved, 'utf8')) as { projectId: string; recording: { path: string } };
    doc.projectId = '11111111-2222-4333-8444-555555555555';
    doc.recording.path = '/etc/passwd';
    writeFileSync(odd, JSON.stringify(doc));
    const g = library(join(fx.dir, 'odd.db'));
    libs.push(g);
    g.grants.grant(odd);
    const r = await dispatch(g.h, 'projectfile:open', [odd]);
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect(g.s.projects.list()).toEqual([]);
  });

  it('refuses a damaged file naming it and the field, and adds nothing', async () => {
    const bad = join(fx.dir, 'bad.accord');
    const doc = JSON.parse(readFileSync(saved, 'utf8')) as { recording: { sha256: string } };
    doc.recording.sha256 = 'not a hash';
    writeFileSync(bad, JSON.stringify(doc));
    const f = library(join(fx.dir, 'bad.db'));
    libs.push(f);
    f.grants.grant(bad);
    const r = await dispatch(f.h, 'projectfile:open', [bad]);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(!r.ok && r.error.message).toBe(
      `${bad}: project file: recording.sha256: expected 64 hex digits, got the string "not a hash"`,
    );
    expect(f.s.projects.list()).toEqual([]);
  });

  it('carries the scan: pages, boxes and their links, as edited, into a fresh library', async () => {
    const copy = a.s.projects.duplicate(projectId).id;
    a.s.scans.replace(copy, [scanPage(1), scanPage(2)], await a.s.projects.score(copy));
    // Edits the detector would not redo: a box moved, one unlinked, one added on page 2.
    let st = await call<ScanState>(a, 'scan:get', copy);
    st = await call<ScanState>(a, 'scan:place', copy, st.boxes[1].id, [105, 22, 80, 45.5]);
    st = await call<ScanState>(a, 'scan:link', copy, st.boxes[2].id, null);
    st = await call<ScanState>(a, 'scan:add', copy, 2, [200, 120, 60, 40]);
    const dest = join(fx.dir, 'scanned.accord');
    await saveAs(a, copy, dest);
    const doc = parseProjectFile(readFileSync(dest, 'utf8'));
    expect(doc.version).toBe(2);
    expect(doc.scan?.pages.map((p) => [p.page, p.width, p.height, p.sourcePage])).toEqual([
      [1, 300, 200, 1],
      [2, 300, 200, 2],
    ]);
    expect(doc.scan?.boxes).toHaveLength(st.boxes.length);

    const c = library(join(fx.dir, 'scan-fresh.db'));
    libs.push(c);
    const opened = await openAs(c, dest);
    const got = await call<ScanState>(c, 'scan:get', opened.project.id);
    expect(withoutIds(got)).toEqual(withoutIds(st));
    expect(got.warnings.length).toBeGreaterThan(0);
    for (const p of [1, 2])
      expect((await call<ScanPageImage>(c, 'scan:page', opened.project.id, p)).png).toEqual(
        (await call<ScanPageImage>(a, 'scan:page', copy, p)).png,
      );
  });

  it('writes version 1 for a project with no scan and nothing pending, and opens a version 1 file without them', async () => {
    const doc = parseProjectFile(readFileSync(saved, 'utf8'));
    expect(doc.version).toBe(1);
    expect(doc.scan).toBeUndefined();
    expect(doc.realignPending).toBeUndefined();
    const d = library(join(fx.dir, 'v1.db'));
    libs.push(d);
    const opened = await openAs(d, saved);
    expect((await call<ScanState>(d, 'scan:get', opened.project.id)).pages).toEqual([]);
    expect(d.s.corrections.get(opened.project.id).realignJobId).toBeNull();
  });

  it('a project saved before its re-alignment finished re-aligns on its first opening elsewhere', async () => {
    const copy = a.s.projects.duplicate(projectId).id;
    const before = a.s.projects.listAlignments(copy)[0];
    const out = await a.s.corrections.apply(copy, {
      type: 'add-anchor',
      anchor: { id: 'a2', perfTime: 3.1, scoreTime: 2.6, source: 'drag' },
    });
    expect(out.jobId).not.toBeNull();
    // Saved in the same turn as the edit: its re-alignment cannot have stored its version yet.
    const dest = join(fx.dir, 'stale.accord');
    const saving = a.s.projects.saveFile(copy, dest);
    const want = await realigned(a.s, out);
    await saving;
    const doc = parseProjectFile(readFileSync(dest, 'utf8'));
    expect(doc.version).toBe(2);
    expect(doc.realignPending).toEqual([{ perfTime: 3.1 }]);
    expect(doc.alignment?.version).toBe(before.version);

    const e = library(join(fx.dir, 'stale.db'));
    libs.push(e);
    e.grants.grant(dest);
    const id = (await call<ProjectFileOpened>(e, 'projectfile:open', dest)).project.id;
    expect(e.s.projects.listAlignments(id)[0].version).toBe(before.version);
    await call(e, 'project:get', id);
    const job = e.s.corrections.get(id).realignJobId;
    expect(job).not.toBeNull();
    await e.s.jobs.settled(job!);
    const now = e.s.projects.getAlignment(e.s.projects.listAlignments(id)[0].id);
    expect(now.kind).toBe('edited');
    expect(e.s.projects.alignmentCorrections(now.id)?.anchors.map((x) => x.id)).toEqual(['a1', 'a2']);
    expect(Array.from(now.path.scoreTime)).toEqual(Array.from(want!.path.scoreTime));
    expect(
      (e.s.db.prepare('SELECT realign_pending AS p FROM projects WHERE id = ?').get(id) as { p: unknown }).p,
    ).toBeNull();
  });

  it('refuses a scan whose image is not the PNG its page says, adding nothing', async () => {
    const odd = join(fx.dir, 'odd-scan.accord');
    const doc = JSON.parse(readFileSync(join(fx.dir, 'scanned.accord'), 'utf8')) as {
      projectId: string;
      scan: { pages: { pngBase64: string }[] };
    };
    doc.projectId = '21111111-2222-4333-8444-555555555555';
    doc.scan.pages[1].pngBase64 = Buffer.from('not a png').toString('base64');
    writeFileSync(odd, JSON.stringify(doc));
    const g = library(join(fx.dir, 'odd-scan.db'));
    libs.push(g);
    g.grants.grant(odd);
    const r = await dispatch(g.h, 'projectfile:open', [odd]);
    expect(!r.ok && r.error.message).toBe(
      `${odd}: project file: scan.pages[1].pngBase64: expected a PNG of 300 × 200 pixels, got bytes that are not a PNG`,
    );
    expect(g.s.projects.list()).toEqual([]);
  });
});
