/**
 * Editor benchmark over the bridge, printed as JSON:
 *  - first paint of a project with a 60-minute recording (peaks already cached by a first open):
 *    time from navigation to the waveform and the score view being drawn (performance marks);
 *  - pan/zoom frames per second of the matrix/path view (draws per second while wheel-zooming
 *    and dragging, from the `accord:matrix-draw` performance measures).
 * Run: `npx jiti e2e/bench.ts [--minutes 60] [--seconds 3] [--align-long]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import midiPkg from '@tonejs/midi';
import type { Page } from 'playwright-core';
import { startBridge, type Bridge } from '../electron/hosts/bridge/server.js';
import { launchBrowser } from './support/browser.js';
import { buildRenderer } from './support/build.js';
import { RENDERER_DIST, ROOT, SAMPLE } from './support/paths.js';

const { Midi } = midiPkg;

/** What the benchmark prints. */
export interface EditorBenchResult {
  firstPaint: {
    recordingMinutes: number;
    peaksCached: true;
    /** Navigation → waveform and score view both drawn, ms. */
    firstPaintMs: number;
    waveformMs: number;
    scoreViewMs: number;
    /** Chromium's first-contentful-paint, ms. */
    firstContentfulPaintMs: number | null;
    /** Navigation → the renderer asked main for the project, ms. */
    openStartMs: number;
    /** `project:get` answered, ms. */
    detailLoadedMs: number;
    /** Peaks arrived, ms. */
    peaksLoadedMs: number;
    /**
     * With `--align-long`: the same first paint once the long recording is aligned (the project
     * then carries its path and features), ms: waveform / score view both drawn, and `project:get`.
     */
    aligned?: { firstPaintMs: number; detailLoadedMs: number };
  };
  matrix: {
    project: string;
    recordingSeconds: number;
    pathFrames: number;
    seconds: number;
    /** Redraws per second while panning/zooming continuously. */
    fps: number;
    drawMsMean: number;
    drawMsP95: number;
  };
}

/** A long piece made by looping the sample: the recording with sox, the score with @tonejs/midi. */
function makeLongPiece(minutes: number): { recording: string; score: string } {
  const dir = join(ROOT, '.cache', 'bench-editor');
  mkdirSync(dir, { recursive: true });
  const recording = join(dir, `sample-${minutes}min.flac`);
  const score = join(dir, `sample-${minutes}min.mid`);
  const pieceSeconds = Number(execFileSync('soxi', ['-D', SAMPLE.recording]).toString().trim());
  const loops = Math.ceil((minutes * 60) / pieceSeconds);
  if (!existsSync(recording)) {
    execFileSync('sox', [
      SAMPLE.recording,
      recording,
      'repeat',
      String(loops - 1),
      'trim',
      '0',
      String(minutes * 60),
    ]);
  }
  if (!existsSync(score)) {
    const src = new Midi(readFileSync(SAMPLE.midi));
    const len = src.duration;
    const out = new Midi();
    out.header.setTempo(src.header.tempos[0]?.bpm ?? 120);
    const track = out.addTrack();
    for (let k = 0; k < loops; k++) {
      for (const t of src.tracks)
        for (const n of t.notes)
          track.addNote({ midi: n.midi, time: k * len + n.time, duration: n.duration, velocity: n.velocity });
    }
    writeFileSync(score, out.toArray());
  }
  return { recording, score };
}

async function createProject(
  page: Page,
  bridge: Bridge,
  scorePath: string,
  recordingPath: string,
  title: string,
): Promise<number> {
  // As a drop of the two files would: project:create takes only granted paths.
  bridge.grant(scorePath);
  bridge.grant(recordingPath);
  return page.evaluate(async (a) => (await window.accord.project.create(a)).id, {
    scorePath,
    recordingPath,
    title,
  });
}

async function align(page: Page, projectId: number, timeoutMs: number): Promise<void> {
  await page.evaluate(
    ({ id, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`alignment of project ${id} took over ${timeoutMs} ms`)),
          timeoutMs,
        );
        const offDone = window.accord.on('job:done', (e) => {
          if (e.projectId !== id) return;
          clearTimeout(timer);
          offDone();
          resolve();
        });
        window.accord.on('job:failed', (e) => {
          if (e.projectId === id) reject(new Error(`alignment failed: ${e.error.message}`));
        });
        void window.accord.alignment.run(id);
      }),
    { id: projectId, timeoutMs },
  );
}

/** Opens `hash` in a fresh page and waits for the waveform and score-view marks; returns their times. */
interface PaintMarks {
  waveform: number;
  score: number;
  fcp: number | null;
  openStart: number;
  detail: number;
  peaks: number;
}

async function measureFirstPaint(page: Page, url: string): Promise<PaintMarks> {
  await page.goto(url);
  const marks = await page.evaluate(
    () =>
      new Promise<PaintMarks>((resolve) => {
        const find = (n: string) => performance.getEntriesByName(n, 'mark')[0]?.startTime;
        const poll = () => {
          const w = find('accord:waveform-drawn');
          const s = find('accord:pianoroll-drawn') ?? find('accord:sheet-drawn');
          if (w !== undefined && s !== undefined) {
            const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
            resolve({
              waveform: w,
              score: s,
              fcp,
              openStart: find('accord:open-start') ?? -1,
              detail: find('accord:detail-loaded') ?? -1,
              peaks: find('accord:peaks-loaded') ?? -1,
            });
          } else setTimeout(poll, 20);
        };
        poll();
      }),
  );
  return marks;
}

/** Wheel-zooms and drags the matrix for `seconds`; returns redraw statistics. */
async function measureMatrix(
  page: Page,
  seconds: number,
): Promise<{ fps: number; mean: number; p95: number }> {
  await page.getByRole('tab', { name: 'Matrix' }).click();
  const canvas = page.getByTestId('matrix');
  await canvas.waitFor();
  // the image arrives after the project opens (main may still be computing it): measure the view with it
  await page.waitForFunction(
    () => document.querySelector('[data-testid="matrix"]')?.getAttribute('data-has-image') === 'true',
    undefined,
    { timeout: 120_000 },
  );
  return page.evaluate(async (seconds) => {
    const c = document.querySelector('[data-testid="matrix"]') as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const cx = r.left + r.width / 2;
    const cy = r.top + r.height / 2;
    performance.clearMeasures('accord:matrix-draw');
    const t0 = performance.now();
    let frame = 0;
    c.dispatchEvent(
      new PointerEvent('pointerdown', { clientX: cx, clientY: cy, button: 0, pointerId: 1, bubbles: true }),
    );
    await new Promise<void>((resolve) => {
      const step = () => {
        frame++;
        // zoom in for a second, then pan back and forth while zoomed, zoom out at the end
        const phase = (performance.now() - t0) / 1000;
        if (phase < seconds / 3) {
          c.dispatchEvent(
            new WheelEvent('wheel', {
              deltaY: -40,
              clientX: cx,
              clientY: cy,
              bubbles: true,
              cancelable: true,
            }),
          );
        } else if (phase < (2 * seconds) / 3) {
          const dx = Math.sin(frame / 10) * 200;
          c.dispatchEvent(
            new PointerEvent('pointermove', {
              clientX: cx + dx,
              clientY: cy + dx / 3,
              pointerId: 1,
              bubbles: true,
            }),
          );
        } else {
          c.dispatchEvent(
            new WheelEvent('wheel', {
              deltaY: 40,
              clientX: cx,
              clientY: cy,
              bubbles: true,
              cancelable: true,
            }),
          );
        }
        if (phase < seconds) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    c.dispatchEvent(
      new PointerEvent('pointerup', { clientX: cx, clientY: cy, button: 0, pointerId: 1, bubbles: true }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const draws = performance
      .getEntriesByName('accord:matrix-draw', 'measure')
      .map((m) => m.duration)
      .sort((a, b) => a - b);
    const mean = draws.reduce((a, b) => a + b, 0) / Math.max(1, draws.length);
    return { fps: draws.length / elapsed, mean, p95: draws[Math.floor(draws.length * 0.95)] ?? 0 };
  }, seconds);
}

/** Runs the benchmark; see the file comment. */
export async function runEditorBench(opts: {
  minutes: number;
  seconds: number;
  alignLong: boolean;
}): Promise<EditorBenchResult> {
  await buildRenderer();
  const long = makeLongPiece(opts.minutes);
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-'));
  const bridge = await startBridge({ dbPath: join(dir, 'bench.sqlite'), rendererDir: RENDERER_DIST });
  const browser = await launchBrowser({ width: 1400, height: 900 });
  try {
    const setup = await browser.context.newPage();
    await setup.goto(bridge.url);
    const longId = await createProject(
      setup,
      bridge,
      long.score,
      long.recording,
      `${opts.minutes}-minute sample`,
    );
    // first open computes and caches the peaks; the measured open reads them from the cache
    const warm = await browser.context.newPage();
    await measureFirstPaint(warm, `${bridge.url}#/project/${longId}`);
    await warm.close();
    const cold = await browser.context.newPage();
    const fp = await measureFirstPaint(cold, `${bridge.url}#/project/${longId}`);
    await cold.close();
    console.error(
      `[bench] first paint (${opts.minutes} min, peaks cached): waveform ${Math.round(fp.waveform)} ms, score view ${Math.round(fp.score)} ms (open ${Math.round(fp.openStart)}, detail ${Math.round(fp.detail)}, peaks ${Math.round(fp.peaks)})`,
    );

    let matrixId = longId;
    let matrixTitle = `${opts.minutes}-minute sample`;
    let aligned: EditorBenchResult['firstPaint']['aligned'];
    if (opts.alignLong) {
      await align(setup, longId, 20 * 60_000);
      const again = await browser.context.newPage();
      const fa = await measureFirstPaint(again, `${bridge.url}#/project/${longId}`);
      await again.close();
      aligned = {
        firstPaintMs: Math.round(Math.max(fa.waveform, fa.score)),
        detailLoadedMs: Math.round(fa.detail),
      };
      console.error(
        `[bench] first paint (${opts.minutes} min, aligned): waveform ${Math.round(fa.waveform)} ms, score view ${Math.round(fa.score)} ms (detail ${Math.round(fa.detail)})`,
      );
    } else {
      matrixTitle = 'sample';
      matrixId = await createProject(setup, bridge, SAMPLE.musicxml, SAMPLE.recording, matrixTitle);
      await align(setup, matrixId, 5 * 60_000);
    }
    const detail = await setup.evaluate(async (id) => {
      const d = await window.accord.project.get(id);
      return { frames: d.alignment?.path.scoreTime.length ?? 0, seconds: d.recording.durationSeconds };
    }, matrixId);
    const mp = await browser.context.newPage();
    await mp.goto(`${bridge.url}#/project/${matrixId}`);
    await mp.getByRole('heading', { name: matrixTitle, level: 1 }).waitFor({ timeout: 120_000 });
    const m = await measureMatrix(mp, opts.seconds);
    return {
      firstPaint: {
        recordingMinutes: opts.minutes,
        peaksCached: true,
        firstPaintMs: Math.round(Math.max(fp.waveform, fp.score)),
        waveformMs: Math.round(fp.waveform),
        scoreViewMs: Math.round(fp.score),
        firstContentfulPaintMs: fp.fcp === null ? null : Math.round(fp.fcp),
        openStartMs: Math.round(fp.openStart),
        detailLoadedMs: Math.round(fp.detail),
        peaksLoadedMs: Math.round(fp.peaks),
        ...(aligned ? { aligned } : {}),
      },
      matrix: {
        project: matrixTitle,
        recordingSeconds: detail.seconds,
        pathFrames: detail.frames,
        seconds: opts.seconds,
        fps: Math.round(m.fps * 10) / 10,
        drawMsMean: Math.round(m.mean * 100) / 100,
        drawMsP95: Math.round(m.p95 * 100) / 100,
      },
    };
  } finally {
    await browser.close();
    await bridge.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && /bench\.ts$/.test(process.argv[1]);
if (isMain) {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '60' },
      seconds: { type: 'string', default: '3' },
      'align-long': { type: 'boolean', default: false },
    },
  });
  runEditorBench({
    minutes: Number(values.minutes),
    seconds: Number(values.seconds),
    alignLong: values['align-long'] ?? false,
  })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
