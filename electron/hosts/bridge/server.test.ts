import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { isLoopback, startBridge, type Bridge } from './server.js';
import { fromWireJson, toWireJson } from '../../app/ipc/wire.js';
import { makeFixtureDir } from '../../app/ipc/fixtures.testutil.js';
import type { Peaks, ProjectDetail, ProjectSummary, Result } from '../../../shared/ipc.js';

const fx = makeFixtureDir();
const rendererDir = join(fx.dir, 'renderer');
mkdirSync(rendererDir);
writeFileSync(
  join(rendererDir, 'index.html'),
  '<!doctype html><html><head><title>t</title><script type="module" src="./app.js"></script></head><body></body></html>',
);
writeFileSync(join(rendererDir, 'app.js'), 'window.appStarted = typeof window.accord;');
writeFileSync(join(fx.dir, 'secret.txt'), 'not for the browser');

let bridge: Bridge;
beforeAll(async () => {
  bridge = await startBridge({ dbPath: fx.dbPath, rendererDir });
});
afterAll(async () => {
  await bridge?.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function http(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      bridge.origin + path,
      { method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function invoke<T>(channel: string, args: unknown[]): Promise<Result<T>> {
  const r = await http(`/__accord/invoke/${channel}`, {
    method: 'POST',
    headers: { 'x-accord-token': bridge.token, 'content-type': 'application/json' },
    body: toWireJson(args),
  });
  expect(r.status).toBe(200);
  return fromWireJson(r.body.toString('utf8')) as Result<T>;
}

describe('bridge over real HTTP', () => {
  it('listens on loopback with a random port and a long random token', () => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.url).toBe(`${bridge.origin}/?token=${bridge.token}`);
    expect(bridge.token.length).toBeGreaterThanOrEqual(32);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('192.168.1.5')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await http('/')).status).toBe(401);
    expect((await http('/?token=wrong')).status).toBe(401);
    const r = await http('/__accord/invoke/project:list', {
      method: 'POST',
      body: '[]',
      headers: { 'x-accord-token': bridge.token.slice(1) + 'x' },
    });
    expect(r.status).toBe(401);
    expect(r.body.toString()).toMatch(/expected the per-run token/);
    expect((await http('/media/1')).status).toBe(401);
    expect((await http('/__accord/events')).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await http(`/?token=${bridge.token}`, { headers: { host: 'evil.example:80' } });
    expect(r.status).toBe(403);
  });

  it('serves the renderer with the bridge script injected first, a CSP and no token cookie', async () => {
    const r = await http(`/?token=${bridge.token}`);
    expect(r.status).toBe(200);
    const html = r.body.toString();
    expect(html.indexOf(`/__accord/bridge.js?token=${bridge.token}`)).toBeGreaterThan(0);
    expect(html.indexOf('/__accord/bridge.js')).toBeLessThan(html.indexOf('./app.js'));
    expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
    // A cookie for 127.0.0.1 would go to every port on it.
    expect(r.headers['set-cookie']).toBeUndefined();
    const asset = await http('/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const escape = await http('/..%2Fsecret.txt');
    expect([403, 404]).toContain(escape.status);
    expect(escape.body.toString()).not.toMatch(/not for the browser/);
    expect((await http('/__accord/bridge.js')).status).toBe(401);
  });

  it('does not follow symbolic links out of the renderer folder', async () => {
    symlinkSync(join(fx.dir, 'secret.txt'), join(rendererDir, 'linked.txt'));
    mkdirSync(join(fx.dir, 'outside'));
    writeFileSync(join(fx.dir, 'outside', 'inner.txt'), 'not for the browser either');
    symlinkSync(join(fx.dir, 'outside'), join(rendererDir, 'linkdir'));
    writeFileSync(join(rendererDir, 'real.txt'), 'fine');
    symlinkSync(join(rendererDir, 'real.txt'), join(rendererDir, 'inside-link.txt'));
    for (const path of ['/linked.txt', '/linkdir/inner.txt']) {
      const r = await http(path, { headers: { 'x-accord-token': bridge.token } });
      expect(r.status).toBe(403);
      expect(r.body.toString()).toMatch(/outside the served folder \(symbolic link\)/);
      expect(r.body.toString()).not.toMatch(/not for the browser/);
    }
    const inside = await http('/inside-link.txt');
    expect(inside.status).toBe(200);
    expect(inside.body.toString()).toBe('fine');
  });

  it('refuses requests from another origin, another 127.0.0.1 port included, even with the token', async () => {
    const other = `http://127.0.0.1:${Number(new URL(bridge.origin).port) === 9 ? 10 : 9}`;
    const before = ((await invoke<ProjectSummary[]>('project:list', [])) as { value: ProjectSummary[] })
      .value;
    const create = (headers: Record<string, string>): Promise<Reply> =>
      http('/__accord/invoke/project:create', {
        method: 'POST',
        headers: { 'x-accord-token': bridge.token, 'content-type': 'application/json', ...headers },
        body: toWireJson([{ recordingPath: fx.wav, scorePath: fx.mid }]),
      });
    const byOrigin = await create({ origin: other });
    expect(byOrigin.status).toBe(403);
    expect(byOrigin.body.toString()).toMatch(new RegExp(`expected Origin ${bridge.origin}, got ${other}`));
    const bySite = await create({ 'sec-fetch-site': 'same-site' });
    expect(bySite.status).toBe(403);
    expect(bySite.body.toString()).toMatch(/got Sec-Fetch-Site same-site/);
    expect((await create({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const script = await http(`/__accord/bridge.js?token=${bridge.token}`, {
      headers: { 'sec-fetch-site': 'same-site' },
    });
    expect(script.status).toBe(403);
    expect(script.body.toString()).not.toContain(bridge.token);
    const after = ((await invoke<ProjectSummary[]>('project:list', [])) as { value: ProjectSummary[] }).value;
    expect(after.length).toBe(before.length);
    // The bridge's own page is still served.
    const own = await http('/__accord/invoke/project:list', {
      method: 'POST',
      headers: { 'x-accord-token': bridge.token, origin: bridge.origin, 'sec-fetch-site': 'same-origin' },
      body: '[]',
    });
    expect(own.status).toBe(200);
  });

  it('validates arguments at the edge and returns errors as data', async () => {
    const bad = await invoke('project:get', ['7']);
    expect(bad).toEqual({
      ok: false,
      error: {
        code: 'invalid-argument',
        message: 'projectId: expected a positive integer id, got the string "7"',
      },
    });
    const missing = await invoke('project:create', [
      { recordingPath: join(fx.dir, 'nope.wav'), scorePath: fx.mid },
    ]);
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.error.message).toMatch(/^The recording: expected an existing file, got the string "/);
    const unknown = await invoke('project:explode', []);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toMatch(/expected one of the channels/);
    const notFound = await invoke('project:get', [999]);
    expect(notFound).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('creates and opens a project, returns peaks as a Float32Array, streams the recording with Range', async () => {
    // As the desktop's open dialog answers them (project:create takes only granted paths).
    for (const path of [fx.wav, fx.mid]) {
      bridge.queueDialog(path);
      expect(await invoke('dialog:open', [{ kind: 'recording' }])).toEqual({ ok: true, value: path });
    }
    const created = await invoke<ProjectSummary>('project:create', [
      { recordingPath: fx.wav, scorePath: fx.mid, title: 'Scale' },
    ]);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const id = created.value.id;
    expect(created.value).toMatchObject({
      title: 'Scale',
      recordingName: 'performance.wav',
      scoreName: 'score.mid',
      status: 'new',
      checkedFraction: 0,
    });

    const list = await invoke<ProjectSummary[]>('project:list', []);
    expect(list.ok && list.value.map((p) => p.id)).toEqual([id]);

    const detail = await invoke<ProjectDetail>('project:get', [id]);
    expect(detail.ok).toBe(true);
    if (!detail.ok) return;
    expect(detail.value.score.notes.length).toBe(13);
    expect(detail.value.recording.mediaUrl).toBe(`${bridge.origin}/media/${id}?token=${bridge.token}`);

    const peaks = await invoke<Peaks>('recording:peaks', [id, { pointsPerSecond: 20 }]);
    expect(peaks.ok).toBe(true);
    if (!peaks.ok) return;
    expect(peaks.value.max).toBeInstanceOf(Float32Array);
    expect(peaks.value.max.length).toBe(Math.ceil(peaks.value.durationSeconds * 20));

    const bytes = readFileSync(fx.wav);
    const whole = await http(`/media/${id}`, { headers: { 'x-accord-token': bridge.token } });
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await http(`/media/${id}`, {
      headers: { 'x-accord-token': bridge.token, range: 'bytes=100-199' },
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await http(`/media/${id}`, {
      headers: { 'x-accord-token': bridge.token, range: 'bytes=-10' },
    });
    expect(tail.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const beyond = await http(`/media/${id}`, {
      headers: { 'x-accord-token': bridge.token, range: `bytes=${bytes.length}-` },
    });
    expect(beyond.status).toBe(416);
  });

  it('streams events over SSE', async () => {
    const list = await invoke<ProjectSummary[]>('project:list', []);
    const id = list.ok ? list.value[0].id : 0;
    const got = new Promise<string>((resolve, reject) => {
      const req = request(
        `${bridge.origin}/__accord/events`,
        { headers: { 'x-accord-token': bridge.token } },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            const m = /event: project:changed\ndata: (.*)\n\n/.exec(buf);
            if (m) {
              resolve(m[1]);
              req.destroy();
            }
          });
        },
      );
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end();
      // Relinking to the same file emits project:changed once the stream is open.
      setTimeout(() => void invoke('project:relink', [id, fx.wav]), 200);
    });
    expect(JSON.parse(await got)).toEqual({ projectId: id });
  });
});

describe('alignment job over the bridge', () => {
  it('runs alignment:run, streams job:progress then job:done over SSE, and returns the path as typed arrays', async () => {
    const list = await invoke<ProjectSummary[]>('project:list', []);
    const id = list.ok ? list.value[0].id : 0;
    const seen: string[] = [];
    const done = new Promise<{ alignmentId: number }>((resolve, reject) => {
      const req = request(
        `${bridge.origin}/__accord/events`,
        { headers: { 'x-accord-token': bridge.token } },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            let cut: number;
            while ((cut = buf.indexOf('\n\n')) >= 0) {
              const frame = buf.slice(0, cut);
              buf = buf.slice(cut + 2);
              const ev = /^event: (.*)$/m.exec(frame)?.[1];
              const data = /^data: (.*)$/m.exec(frame)?.[1];
              if (!ev || !data) continue;
              seen.push(ev);
              if (ev === 'job:done') {
                resolve((JSON.parse(data) as { result: { alignmentId: number } }).result);
                req.destroy();
              } else if (ev === 'job:failed') reject(new Error(data));
            }
          });
        },
      );
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end();
      setTimeout(() => void invoke('alignment:run', [id, 'dtw']), 200);
    });
    const result = await done;
    expect(seen).toContain('job:progress');
    const got = await invoke<{ path: { scoreTime: Float64Array; confidence: Float32Array } }>(
      'alignment:get',
      [result.alignmentId],
    );
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.path.scoreTime).toBeInstanceOf(Float64Array);
    expect(got.value.path.confidence).toBeInstanceOf(Float32Array);
    expect(got.value.path.scoreTime.length).toBeGreaterThan(100);
  });
});

describe.skipIf(!existsSync('/usr/bin/chromium'))('window.accord in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('exposes the typed API before the app runs, decodes typed arrays, rejects with tagged errors, delivers events', async () => {
    const page = await browser.newPage();
    await page.goto(bridge.url);
    await page.waitForFunction(() => (window as unknown as { appStarted?: string }).appStarted !== undefined);
    const out = await page.evaluate(async (wav) => {
      type Api = {
        project: Record<string, (...a: unknown[]) => Promise<unknown>>;
        recording: Record<string, (...a: unknown[]) => Promise<unknown>>;
        on(e: string, fn: (p: unknown) => void): () => void;
      };
      const w = window as unknown as { accord: Api; appStarted: string };
      const accord = w.accord;
      const list = (await accord.project.list()) as { id: number }[];
      const id = list[0].id;
      const peaks = (await accord.recording.peaks(id, { pointsPerSecond: 10 })) as { max: Float32Array };
      let error = '';
      try {
        await accord.project.rename(id, '');
      } catch (e) {
        error = (e as Error).message;
      }
      const event = new Promise((resolve) => {
        const off = accord.on('project:changed', (p) => {
          off();
          resolve(p);
        });
      });
      await accord.project.relink(id, wav);
      // the drop path: a file the host made knows where it lies, a file made in the page does not
      const files = (window as unknown as { accord: { files: { pathFor(f: File): string } } }).accord.files;
      const host = (window as unknown as { accordBridge: { fileAt(p: string): File } }).accordBridge;
      const dropped = host.fileAt('/music/take 1.flac');
      const windows = host.fileAt('C:\\music\\score.mid');
      return {
        dropped: [dropped.name, files.pathFor(dropped)],
        windows: [windows.name, files.pathFor(windows)],
        pageMade: files.pathFor(new File(['x'], 'take 1.flac')),
        appSaw: w.appStarted,
        domains: Object.keys(accord).sort(),
        isFloat32: peaks.max instanceof Float32Array,
        peaksLength: peaks.max.length,
        error,
        event: await event,
        frozen: Object.isFrozen(accord),
      };
    }, fx.wav);
    expect(out.appSaw).toBe('object');
    expect(out.domains).toEqual([
      'alignment',
      'app',
      'corrections',
      'dialog',
      'export',
      'files',
      'job',
      'on',
      'practice',
      'project',
      'projectfile',
      'recording',
      'review',
      'scan',
      'score',
      'view',
    ]);
    expect(out.dropped).toEqual(['take 1.flac', '/music/take 1.flac']);
    expect(out.windows).toEqual(['score.mid', 'C:\\music\\score.mid']);
    expect(out.pageMade).toBe('');
    expect(out.isFloat32).toBe(true);
    expect(out.peaksLength).toBeGreaterThan(50);
    expect(out.error).toMatch(/^\[accord:invalid-argument\] The title: expected a non-empty string/);
    expect(out.event).toMatchObject({ projectId: expect.any(Number) as unknown });
    expect(out.frozen).toBe(true);
    await page.close();
  });
  it('a page on another 127.0.0.1 port gets neither the token nor the API, and cannot make the bridge act', async () => {
    const context = await browser.newContext();
    const seen: string[] = [];
    const evil = createServer((req, res) => {
      seen.push(`${req.url ?? ''} ${req.headers.cookie ?? ''}`);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html><body>
<script src="${bridge.origin}/__accord/bridge.js"></script>
<script>
  window.result = (async () => {
    const out = { api: typeof window.accord, posted: 'no' };
    try {
      await fetch('${bridge.origin}/__accord/invoke/project:rename', {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'text/plain' }, body: '[1, "pwned"]',
      });
      out.posted = 'sent';
    } catch (e) { out.posted = String(e); }
    return out;
  })();
</script></body></html>`);
    });
    await new Promise<void>((ok) => evil.listen(0, '127.0.0.1', () => ok()));
    const evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    try {
      const page = await context.newPage();
      await page.goto(bridge.url);
      await page.waitForFunction(
        () => (window as unknown as { appStarted?: string }).appStarted !== undefined,
      );
      const titles = async (): Promise<string[]> =>
        ((await invoke<ProjectSummary[]>('project:list', [])) as { value: ProjectSummary[] }).value.map(
          (p) => p.title,
        );
      const before = await titles();
      await page.goto(`${evilOrigin}/?from=bridge`);
      const out = await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);
      expect(out).toMatchObject({ api: 'undefined' });
      expect(await titles()).toEqual(before);
      expect(await titles()).not.toContain('pwned');
      expect(seen.length).toBeGreaterThan(0);
      for (const line of seen) expect(line).not.toContain(bridge.token);
    } finally {
      await context.close();
      evil.closeAllConnections();
      await new Promise<void>((ok) => evil.close(() => ok()));
    }
  });
});
