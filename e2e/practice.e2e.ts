/**
 * Practice mode end to end on the sample (Bach, bars 1–7, aligned by the real pipeline) in
 * Chromium: the A–B loop never runs past B, the speed reaches the media element with its pitch
 * kept, the metronome clicks on the exported beats, a bar starts playback there, and the
 * settings survive reopening the project.
 *
 * What is measured is observed from outside the app: an init script wraps the media element's
 * `currentTime` setter and `play()`, Web Audio's `start()`/`stop()` (each click's audio time,
 * and each looping source of the loop with its buffer), and samples the media and audio clocks
 * and the playhead the UI shows. The loop's wraps are measured on the audio clock it really
 * uses: from the sources' start/stop times and loop points, the samples played just before each
 * seam are found in the recording (decoded independently), which says where in the recording
 * the audio thread was when it went back.
 *
 * A serial fixture (`serialSteps`): the steps share one page and build on each other (the
 * practice panel opened, the loop set, the settings saved); run the file whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp } from './support/app.js';
import type { TestApp } from './support/app.js';
import { serialSteps } from './support/editorApp.js';
import { SAMPLE } from './support/paths.js';
import { EditorPage } from './pages/EditorPage.js';
import { PracticePage } from './pages/PracticePage.js';

/** One audio frame of the alignment (512 samples at 22.05 kHz): the loop's overshoot budget. */
const FRAME_SECONDS = 512 / 22050;

/** What the init script records. */
interface Probe {
  sets: { before: number; to: number; paused: boolean; rate: number }[];
  /** Heard audio time of each media play() call. */
  plays: number[];
  /** Every non-looping source started (the metronome's clicks): its audio time, and whether stopped before it. */
  clicks: { when: number; cancelled: boolean }[];
  samples: { audio: number; media: number }[];
  /** The playhead the UI shows (`data-playhead`) while the loop plays, sampled with the clocks. */
  playheads: number[];
  sampling: boolean;
}

/** A looping source as the probe saw it (in the page). */
interface SourceRecord {
  node: AudioBufferSourceNode;
  when: number;
  offset: number;
  /** Context currentTime when start() was called (a start in the past begins then). */
  calledAt: number;
  stops: { when: number; calledAt: number }[];
}

/** One seam of the loop measured from the audio: where the recording was just before it. */
interface Seam {
  kind: 'wrap' | 'stop';
  /** How many times the audio thread went through this seam (wraps of one buffer are identical). */
  count: number;
  /** Context time of the (first) seam. */
  at: number;
  /** Recording seconds the audio had reached at the seam. */
  reached: number;
  /** Normalised correlation of the match (1 = the same samples). */
  score: number;
  /** Recording seconds the audio went back to (wraps), and that match's correlation. */
  restart: number | null;
  restartScore: number | null;
  /** Playback rate of the buffer (the speed is in the rendering, so 1). */
  rate: number;
  /** Buffer seconds of one pass. */
  passSeconds: number;
}

/** Installed before the app's scripts: wraps the observed APIs (behaviour unchanged) and samples clocks on demand. */
function installProbe(): void {
  const probe: Probe & {
    media: HTMLMediaElement[];
    contexts: AudioContext[];
    sources: SourceRecord[];
    clickNodes: AudioScheduledSourceNode[];
  } = {
    clickNodes: [],
    sets: [],
    plays: [],
    clicks: [],
    samples: [],
    playheads: [],
    sampling: false,
    media: [],
    contexts: [],
    sources: [],
  };
  (window as unknown as { __probe: typeof probe }).__probe = probe;
  const ct = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'currentTime');
  if (!ct?.get || !ct.set) throw new Error('HTMLMediaElement.currentTime has no accessor');
  // The original accessors, typed for the media element they are called on.
  const { get, set } = ct as {
    get: (this: HTMLMediaElement) => number;
    set: (this: HTMLMediaElement, v: number) => void;
  };
  Object.defineProperty(HTMLMediaElement.prototype, 'currentTime', {
    configurable: true,
    get(this: HTMLMediaElement) {
      return get.call(this);
    },
    set(this: HTMLMediaElement, v: number) {
      if (!probe.media.includes(this)) probe.media.push(this);
      probe.sets.push({
        before: get.call(this),
        to: v,
        paused: this.paused,
        rate: this.playbackRate,
      });
      set.call(this, v);
    },
  });
  /** The audio clock as heard now (the app schedules against the same). */
  const heard = (c: AudioContext): number => {
    const ts = c.getOutputTimestamp();
    return ts.contextTime && ts.performanceTime
      ? ts.contextTime + (performance.now() - ts.performanceTime) / 1000
      : c.currentTime;
  };
  const proto: { play: (this: HTMLMediaElement) => Promise<void> } = HTMLMediaElement.prototype;
  const play = proto.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    if (!probe.media.includes(this)) probe.media.push(this);
    probe.plays.push(probe.contexts[0] ? heard(probe.contexts[0]) : Number.NaN);
    return play.call(this);
  };
  const Ctx = window.AudioContext;
  window.AudioContext = class extends Ctx {
    constructor(o?: AudioContextOptions) {
      super(o);
      probe.contexts.push(this);
    }
  };
  // AudioBufferSourceNode declares its own start(when, offset, duration)
  for (const proto of [AudioScheduledSourceNode.prototype, AudioBufferSourceNode.prototype]) {
    const start = Object.getOwnPropertyDescriptor(proto, 'start')?.value as
      ((this: AudioScheduledSourceNode, ...a: number[]) => void) | undefined;
    if (start) {
      Object.defineProperty(proto, 'start', {
        configurable: true,
        writable: true,
        value: function (this: AudioScheduledSourceNode, when = 0, ...rest: number[]) {
          if (this instanceof AudioBufferSourceNode && this.loop) {
            probe.sources.push({
              node: this,
              when,
              offset: rest[0] ?? 0,
              calledAt: this.context.currentTime,
              stops: [],
            });
          } else {
            probe.clicks.push({ when, cancelled: false });
            probe.clickNodes.push(this);
          }
          return start.call(this, when, ...rest);
        },
      });
    }
    const stop = Object.getOwnPropertyDescriptor(proto, 'stop')?.value as
      ((this: AudioScheduledSourceNode, when?: number) => void) | undefined;
    if (stop) {
      Object.defineProperty(proto, 'stop', {
        configurable: true,
        writable: true,
        value: function (this: AudioScheduledSourceNode, when = 0) {
          const click = probe.clickNodes.indexOf(this);
          if (click >= 0 && Math.max(when, this.context.currentTime) < probe.clicks[click].when)
            probe.clicks[click].cancelled = true;
          probe.sources
            .find((s) => s.node === this)
            ?.stops.push({ when, calledAt: this.context.currentTime });
          return stop.call(this, when);
        },
      });
    }
  }
  const sample = () => {
    const m = probe.media[0];
    const c = probe.contexts[0];
    if (!probe.sampling) return;
    if (m && !m.paused && !m.seeking) {
      probe.samples.push({ audio: c ? heard(c) : Number.NaN, media: m.currentTime });
    }
    // while the loop plays on the audio clock (before it starts the playhead is wherever it was)
    const looping =
      document.querySelector('[data-testid="practice"]')?.getAttribute('data-looping') === 'true';
    const shown = document.querySelector('main.editor')?.getAttribute('data-playhead');
    if (looping && shown) probe.playheads.push(Number(shown));
  };
  setInterval(sample, 2);
  const frame = () => {
    sample();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

let app: TestApp;
let page: Page;
let editor: EditorPage;
let practice: PracticePage;
let projectId = 0;
let title = '';
/** The exported beats (ASAP annotations): time and whether a downbeat. */
let beats: { time: number; downbeat: boolean }[] = [];

const probe = <T>(fn: (p: Probe & { media: HTMLMediaElement[] }) => T): Promise<T> =>
  page.evaluate<T>(`(${fn.toString()})(window.__probe)`);

/**
 * The loop's seams as the audio thread plays them, measured in the page: for each looping
 * source, its wraps (where its position reaches `loopEnd`, from its start time and offset) and
 * its scheduled stop (a stop from the user's pause after context time `until` is not a seam);
 * the 10 ms played just before each seam (3 ms before it, clear of the seam fade) are found in
 * the recording decoded independently, near B (`end`), and the 10 ms after a wrap near P
 * (`passStart`).
 */
async function seamsInPage(
  p: { media: HTMLMediaElement[]; contexts: AudioContext[]; sources: SourceRecord[] },
  passStart: number,
  end: number,
  until: number,
): Promise<Seam[]> {
  const sr = p.contexts[0].sampleRate;
  const m = p.media[0];
  const res = await fetch(m.currentSrc || m.src);
  const ref = (
    await new OfflineAudioContext(1, 1, sr).decodeAudioData(await res.arrayBuffer())
  ).getChannelData(0);
  const W = Math.round(0.01 * sr);
  const guard = Math.round(0.003 * sr);
  const search = Math.round(0.5 * sr);
  /** The start in ref[from, to) where `seg` matches best, by normalised correlation. */
  const locate = (seg: Float32Array, around: number) => {
    let segEnergy = 1e-20;
    for (const v of seg) segEnergy += v * v;
    let at = -1;
    let score = -Infinity;
    const from = Math.max(0, Math.round(around * sr) - search);
    const to = Math.min(ref.length - seg.length, Math.round(around * sr) + search);
    for (let lag = from; lag <= to; lag++) {
      let dot = 0;
      let e = 1e-20;
      for (let i = 0; i < seg.length; i++) {
        const r = ref[lag + i];
        dot += r * seg[i];
        e += r * r;
      }
      const sc = dot / Math.sqrt(e * segEnergy);
      if (sc > score) {
        score = sc;
        at = lag;
      }
    }
    return { at, score };
  };
  const out: Seam[] = [];
  for (const s of p.sources) {
    const buf = s.node.buffer;
    if (!buf) continue;
    const data = buf.getChannelData(0);
    const ls = s.node.loopStart;
    const le = s.node.loopEnd > 0 ? s.node.loopEnd : buf.duration;
    const len = le - ls;
    const lenS = Math.round(len * sr);
    const rate = s.node.playbackRate.value;
    const begin = Math.max(s.when, s.calledAt);
    const ends = s.stops.map((st) => ({
      at: Math.max(st.when, st.calledAt),
      pause: st.when === 0 && st.calledAt >= until,
    }));
    const stop = ends.reduce<{ at: number; pause: boolean } | null>(
      (x, e) => (x && x.at <= e.at ? x : e),
      null,
    );
    const stopAt = stop ? stop.at : Number.POSITIVE_INFINITY;
    // the audio played every wrap up to the stop (the user's pause included)
    const last = stop ? stop.at : until;
    /** Where the recording was at the seam ending buffer sample `endSample`. */
    const before = (endSample: number) => {
      const f = locate(data.subarray(endSample - guard - W, endSample - guard), end);
      return { reached: (f.at + W + guard) / sr, score: f.score };
    };
    const firstWrap = begin + (le - s.offset) / rate;
    const count = firstWrap < last ? Math.floor((last - firstWrap) / (len / rate)) + 1 : 0;
    const lsS = Math.round(ls * sr);
    if (count > 0) {
      const b = before(lsS + lenS);
      const r = locate(data.subarray(lsS + guard, lsS + guard + W), passStart);
      out.push({
        kind: 'wrap',
        count,
        at: firstWrap,
        ...b,
        restart: (r.at - guard) / sr,
        restartScore: r.score,
        rate,
        passSeconds: len,
      });
    }
    if (stop && !stop.pause) {
      const pos = s.offset + (stopAt - begin) * rate;
      let relS = Math.round(((((pos - ls) % len) + len) % len) * sr);
      if (relS <= 1 || relS >= lenS - 1) relS = lenS;
      const b = relS > guard + W ? before(lsS + relS) : { reached: passStart + relS / sr, score: 1 };
      out.push({
        kind: 'stop',
        count: 1,
        at: stopAt,
        ...b,
        restart: null,
        restartScore: null,
        rate,
        passSeconds: len,
      });
    }
  }
  return out;
}

/** The loop's seams measured from the audio (see `seamsInPage`). */
const measureSeams = (passStart: number, end: number, until: number): Promise<Seam[]> =>
  page.evaluate<Seam[]>(`(${seamsInPage.toString()})(window.__probe, ${passStart}, ${end}, ${until})`);

/** The app's audio context's currentTime now. */
const contextTime = (): Promise<number> =>
  probe((p) => (p as unknown as { contexts: AudioContext[] }).contexts[0].currentTime);

const pageErrors = (): string[] => app.errors.filter((e) => !/favicon|Failed to load resource/.test(e));

beforeAll(async () => {
  app = await startApp({ width: 1400, height: 900 });
  const s = app.bridge.services;
  const p = await s.projects.create({
    recordingPath: SAMPLE.recording,
    scorePath: SAMPLE.musicxml,
    title: 'Sample (practice)',
  });
  projectId = p.id;
  title = p.title;
  const { jobId } = await s.projects.runAlignment(projectId, 'dtw');
  await s.jobs.settled(jobId);
  const dest = join(app.dir, 'beats.txt');
  await s.projects.exportAlignment(projectId, 'asap', dest);
  beats = readFileSync(dest, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
    .map((c) => ({ time: Number(c[0]), downbeat: c[2].startsWith('db') }));
  await app.browser.context.addInitScript(installProbe);
  page = await app.newPage(`#/project/${projectId}`);
  editor = new EditorPage(page);
  practice = new PracticePage(page);
  await editor.waitOpen(title);
});

afterAll(async () => {
  await app?.close();
});

/** Start of bar `n` (1-based) in the performance, from the exported downbeats. */
const barStart = (n: number): number => beats.filter((b) => b.downbeat)[n - 1].time;

const step = serialSteps();

describe('practice mode', () => {
  step('sets the loop from a drag across the waveform', async () => {
    await practice.open();
    await editor.waveform.locator('div').first().waitFor();
    const box = await editor.waveform.boundingBox();
    if (!box) throw new Error('the waveform is not visible');
    const zoom = Number((await editor.zoom.innerText()).replace(/[^\d.]/g, ''));
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 100, y);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + 100 + 20 * k, y);
    await page.mouse.up();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="practice"]')?.getAttribute('data-loop-end'),
    );
    const { a, b } = await practice.loop();
    // 200 px at the waveform's zoom
    expect(b - a).toBeGreaterThan((200 / zoom) * 0.9);
    expect(b - a).toBeLessThan((200 / zoom) * 1.1);
    expect(await practice.bars.inputValue()).toBe('');
    expect(await page.getByLabel('Loop', { exact: true }).innerText()).toMatch(/^A 0:0\d\.\d – B 0:0\d\.\d/);
  });

  step('refuses bad typed bars with a message and loops good ones on the exported bar lines', async () => {
    await practice.open();
    const dragged = await practice.loop();
    await practice.loopBars('5-3');
    expect(await practice.barsError.innerText()).toBe('Bar 3 comes before bar 5: type the first bar first.');
    await practice.loopBars('2-99');
    expect(await practice.barsError.innerText()).toBe('This score has no bar 99 (bars 1–7).');
    await practice.loopBars('two');
    expect(await practice.barsError.innerText()).toContain('Expected bars as first–last (e.g. 2-4)');
    // refused bars leave the loop as it was
    expect(await practice.loop()).toEqual(dragged);
    await practice.loopBars('3–3');
    await practice.barsError.waitFor({ state: 'detached' });
    const { a, b } = await practice.loop();
    expect(Math.abs(a - barStart(3))).toBeLessThan(0.03);
    expect(Math.abs(b - barStart(4))).toBeLessThan(0.03);
  });

  step('never runs past B by more than one audio frame over 10 passes at 150 %', async () => {
    await practice.setNumber(practice.speed, 150);
    await practice.setNumber(practice.preRoll, 0.5);
    const { a, b } = await practice.loop();
    const p0 = a - 0.5;
    await probe((p) => {
      const q = p as unknown as { sources: unknown[] };
      q.sources.length = 0;
      p.plays.length = 0;
      p.playheads.length = 0;
      p.sampling = true;
    });
    await editor.playButton.click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="practice"]')?.getAttribute('data-pass')) >= 10,
      undefined,
      { timeout: 60_000 },
    );
    const until = await contextTime();
    await editor.pauseButton.click();
    const { playheads, plays, mediaPaused } = await probe((p) => {
      p.sampling = false;
      return { playheads: p.playheads.slice(), plays: p.plays.slice(), mediaPaused: p.media[0].paused };
    });
    const seams = await measureSeams(p0, b, until);
    // the loop plays on the audio clock: a looping source, the media element never started
    expect(plays).toEqual([]);
    expect(mediaPaused).toBe(true);
    const wraps = seams.filter((s) => s.kind === 'wrap');
    console.log(
      `loop seams on the audio clock (${wraps.reduce((n, s) => n + s.count, 0)} wraps), overshoot ms:`,
      seams
        .map((s) => `${s.kind}×${s.count} ${((s.reached - b) * 1000).toFixed(2)} (r ${s.score.toFixed(3)})`)
        .join(', '),
    );
    for (const s of seams) {
      // the samples before the seam are the recording's: found there, not past B by a frame
      expect(s.score).toBeGreaterThan(0.9);
      expect(s.reached - b).toBeLessThanOrEqual(FRAME_SECONDS);
      // and not cut short
      expect(s.reached - b).toBeGreaterThan(-0.01);
      // the speed is in the rendering (pitch kept), not in the source's playback rate
      expect(s.rate).toBe(1);
      // one pass lasts (B − P) at 150 %
      expect(Math.abs(s.passSeconds - (b - p0) / 1.5)).toBeLessThan(0.002);
    }
    expect(wraps.reduce((n, s) => n + s.count, 0)).toBeGreaterThanOrEqual(10);
    for (const w of wraps) {
      // back to the pass start (the stretcher may start a few ms off P)
      expect(w.restartScore).toBeGreaterThan(0.9);
      expect(Math.abs((w.restart ?? Number.NaN) - p0)).toBeLessThan(0.02);
    }
    // the playhead the views follow, sampled every 2 ms, never showed a time past B + one frame
    expect(playheads.length).toBeGreaterThan(100);
    expect(Math.max(...playheads)).toBeLessThanOrEqual(b + FRAME_SECONDS);
    expect(Math.min(...playheads)).toBeGreaterThanOrEqual(p0 - 0.001);
    expect(Math.max(...playheads) - Math.min(...playheads)).toBeGreaterThan(0.8 * (b - p0));
    expect(pageErrors()).toEqual([]);
  });

  step('leaving the loop while it plays goes on with the media element from where the loop was', async () => {
    const { a, b } = await practice.loop();
    const p0 = a - 0.5;
    await probe((p) => {
      p.plays.length = 0;
      p.sets.length = 0;
    });
    await editor.playButton.click();
    await page.waitForFunction(
      (t) =>
        document.querySelector('[data-testid="practice"]')?.getAttribute('data-looping') === 'true' &&
        Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) > t,
      p0 + 0.3,
    );
    const shown = await editor.playhead();
    // practice mode off: the loop is no longer in force
    await practice.toggle.click();
    await page.waitForFunction(() => (window as unknown as { __probe: Probe }).__probe.plays.length > 0);
    const { plays, handed } = await probe((p) => ({
      plays: p.plays.length,
      handed: p.sets[p.sets.length - 1].to,
    }));
    expect(plays).toBe(1);
    // from where the loop was heard (a moment of playback at 150 % after the playhead was read)
    expect(handed - shown).toBeGreaterThanOrEqual(0);
    expect(handed - shown).toBeLessThan(0.5);
    expect(handed).toBeLessThan(b);
    // and on past B: nothing holds it in the loop any more
    await page.waitForFunction(
      (t) => Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) > t,
      b + 0.2,
    );
    await editor.pauseButton.click();
    await practice.open();
    expect(pageErrors()).toEqual([]);
  });

  step('puts the speed and the kept pitch on the media element', async () => {
    await practice.setNumber(practice.speed, 75);
    const m = await probe((p) => ({
      n: p.media.length,
      rate: p.media[0].playbackRate,
      pitch: p.media[0].preservesPitch,
      def: p.media[0].defaultPlaybackRate,
    }));
    expect(m).toEqual({ n: 1, rate: 0.75, pitch: true, def: 0.75 });
    await practice.setNumber(practice.speed, 10);
    expect(await practice.speed.inputValue()).toBe('25');
    expect(await probe((p) => p.media[0].playbackRate)).toBe(0.25);
    await practice.setNumber(practice.speed, 75);
  });

  step('clicks the metronome within 30 ms of the exported beats at 75 %', async () => {
    await page.getByRole('button', { name: 'Clear loop' }).click();
    await practice.metronome.check();
    await practice.setNumber(practice.speed, 75);
    await probe((p) => {
      p.clicks.length = 0;
      (p as unknown as { clickNodes: unknown[] }).clickNodes.length = 0;
      p.samples.length = 0;
      p.sampling = true;
    });
    await practice.playBar('2');
    await page.waitForFunction(
      (t) => Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) > t,
      barStart(5),
      { timeout: 30_000 },
    );
    await editor.pauseButton.click();
    const { clicks, samples, rate } = await probe((p) => {
      p.sampling = false;
      return { clicks: p.clicks.slice(), samples: p.samples.slice(), rate: p.media[0].playbackRate };
    });
    expect(rate).toBe(0.75);
    expect(samples.length).toBeGreaterThan(100);
    expect(samples.every((s) => Number.isFinite(s.audio))).toBe(true);
    // the media time heard at an audio time: interpolated between the clock samples around it
    const mediaAt = (audio: number): number | null => {
      const i = samples.findIndex((s) => s.audio >= audio);
      if (i <= 0) return null;
      const x = samples[i - 1];
      const y = samples[i];
      if (y.audio - x.audio > 0.1) return null;
      return x.media + ((audio - x.audio) * (y.media - x.media)) / (y.audio - x.audio);
    };
    const heard = clicks.map((c) => mediaAt(c.when)).filter((t): t is number => t !== null);
    expect(heard.length).toBeGreaterThanOrEqual(8);
    const errors = heard.map((h) => Math.min(...beats.map((b) => Math.abs(b.time - h))));
    console.log(
      'metronome click error vs exported beats, ms:',
      errors.map((e) => (e * 1000).toFixed(1)).join(' '),
    );
    for (const e of errors) expect(e).toBeLessThan(0.03);
    // every exported beat played in the sampled stretch got its click
    const first = samples[0].media + 0.3;
    const last = samples[samples.length - 1].media - 0.3;
    for (const b of beats.filter((x) => x.time > first && x.time < last)) {
      expect(Math.min(...heard.map((h) => Math.abs(h - b.time)))).toBeLessThan(0.03);
    }
  });

  step(
    "counts in on the performer's beat, ramps the speed each pass and stops after the passes set",
    async () => {
      await practice.loopBars('3');
      await practice.setNumber(practice.preRoll, 0);
      await practice.setNumber(practice.passes, 3);
      await practice.ramp.check();
      await practice.setNumber(practice.speed, 90);
      await practice.setNumber(practice.countIn, 2);
      const { a, b } = await practice.loop();
      await probe((p) => {
        (p as unknown as { sources: unknown[] }).sources.length = 0;
        p.clicks.length = 0;
        (p as unknown as { clickNodes: unknown[] }).clickNodes.length = 0;
        p.plays.length = 0;
      });
      await editor.playButton.click();
      await editor.pauseButton.waitFor();
      await editor.playButton.waitFor({ timeout: 30_000 });
      const until = await contextTime();
      const { clicks, plays, time, sources } = await probe((p) => ({
        clicks: p.clicks.slice(),
        plays: p.plays.slice(),
        time: p.media[0].currentTime,
        sources: (p as unknown as { sources: SourceRecord[] }).sources.map((s) => ({
          when: s.when,
          offset: s.offset,
          seconds: s.node.buffer?.duration ?? Number.NaN,
        })),
      }));
      const starts = sources.map((s) => s.when);
      const seams = await measureSeams(a, b, until);
      // one source per speed of the ramp, each stopped at B after its pass, the next starting there
      const stops = seams.filter((s) => s.kind === 'stop');
      console.log(
        'ramp passes on the audio clock, speed and overshoot ms:',
        stops
          .map((s) => `${((b - a) / s.passSeconds).toFixed(3)} ${((s.reached - b) * 1000).toFixed(2)}`)
          .join(', '),
      );
      expect(stops.map((s) => Number(((b - a) / s.passSeconds).toFixed(3)))).toEqual([0.9, 0.95, 1]);
      expect(seams.filter((s) => s.kind === 'wrap')).toEqual([]);
      for (const s of stops) {
        expect(s.score).toBeGreaterThan(0.9);
        expect(s.reached - b).toBeLessThanOrEqual(FRAME_SECONDS);
        expect(s.reached - b).toBeGreaterThan(-0.01);
      }
      expect(starts.slice(1)).toEqual(stops.slice(0, 2).map((s) => s.at));
      // stopped at the pass start, on the media element, after the last pass
      expect(plays).toEqual([]);
      expect(Math.abs(time - a)).toBeLessThan(0.001);
      // two count-in clicks a performer's beat apart (at 90 %), then playback a beat later
      const gaps = beats
        .filter((b) => b.time >= a - 0.01)
        .slice(0, 5)
        .map((b, i, xs) => (i > 0 ? b.time - xs[i - 1].time : 0))
        .slice(1)
        .sort((x, y) => x - y);
      const period = gaps[gaps.length >> 1] / 0.9;
      const countIn = clicks.filter((c) => c.when < starts[0]);
      expect(countIn).toHaveLength(2);
      expect(Math.abs(countIn[1].when - countIn[0].when - period)).toBeLessThan(0.03);
      expect(Math.abs(starts[0] - countIn[1].when - period)).toBeLessThan(0.03);
      expect(countIn.map((c) => c.cancelled)).toEqual([false, false]);
      // the metronome during the passes: each click, mapped through the source then playing
      // (its start, offset and pass length) to the recording, on an exported beat of [A, B)
      const recordingAt = (t: number): number | null => {
        const k = sources.filter((s) => s.when <= t).length - 1;
        if (k < 0 || k >= stops.length || t >= stops[k].at) return null;
        const s = sources[k];
        return a + ((s.offset + (t - s.when)) / s.seconds) * (b - a);
      };
      const loopClicks = clicks
        .filter((c) => c.when >= starts[0] && !c.cancelled)
        .map((c) => recordingAt(c.when));
      const inLoop = beats.filter((x) => x.time >= a - 0.001 && x.time < b - 0.001);
      const clickErrors = loopClicks.map((r) =>
        r === null ? Number.POSITIVE_INFINITY : Math.min(...inLoop.map((x) => Math.abs(x.time - r))),
      );
      console.log(
        'loop click error vs exported beats, ms:',
        clickErrors.map((e) => (e * 1000).toFixed(1)).join(' '),
      );
      expect(loopClicks).toHaveLength(3 * inLoop.length);
      for (const e of clickErrors) expect(e).toBeLessThan(0.03);
      await practice.ramp.uncheck();
      await practice.setNumber(practice.countIn, 0);
      await practice.setNumber(practice.passes, '');
    },
  );

  step('plays from a bar clicked in the bar list and from a note clicked in the sheet', async () => {
    await practice.metronome.uncheck();
    // with a loop set, playback stays in it: clear it to play from anywhere
    await page.getByRole('button', { name: 'Clear loop' }).click();
    await practice.playBar('4');
    await editor.pauseButton.waitFor();
    const started = await probe((p) => p.sets[p.sets.length - 1].to);
    expect(Math.abs(started - barStart(4))).toBeLessThan(0.03);
    await editor.pauseButton.click();
    await editor.playButton.waitFor();
    const before = await editor.playhead();
    await editor.clickNote(60);
    await editor.pauseButton.waitFor();
    const seekTo = await probe((p) => p.sets[p.sets.length - 1].to);
    expect(Math.abs(seekTo - before)).toBeGreaterThan(0.1);
    await page.waitForFunction(
      (t) => Number(document.querySelector('main.editor')?.getAttribute('data-playhead')) > t + 0.3,
      seekTo,
    );
    await editor.pauseButton.click();
  });

  step('keeps the practice settings across a reopen of the project', async () => {
    await practice.loopBars('2-3');
    await practice.setNumber(practice.preRoll, 1);
    await practice.setNumber(practice.passes, 4);
    await practice.ramp.check();
    await practice.metronome.check();
    await practice.volume.fill('0.35');
    await practice.setNumber(practice.countIn, 2);
    await practice.setNumber(practice.speed, 80);
    await practice.waitSaved();
    const { a, b } = await practice.loop();
    const stored = (await app.bridge.services.projects.get(projectId)).practice;
    expect(stored).toEqual({
      loop: { startSeconds: a, endSeconds: b, bars: '2-3' },
      preRollSeconds: 1,
      loopCount: 4,
      speedPercent: 80,
      ramp: { stepPercent: 5, targetPercent: 100 },
      metronome: { enabled: true, volume: 0.35, accent: true },
      countInBeats: 2,
    });
    await page.close();
    page = await app.newPage(`#/project/${projectId}`);
    editor = new EditorPage(page);
    practice = new PracticePage(page);
    await editor.waitOpen(title);
    expect(await practice.speed.inputValue()).toBe('80');
    await practice.open();
    expect(await practice.bars.inputValue()).toBe('2-3');
    expect(await practice.loop()).toEqual({ a, b });
    expect(await practice.preRoll.inputValue()).toBe('1');
    expect(await practice.passes.inputValue()).toBe('4');
    expect(await practice.ramp.isChecked()).toBe(true);
    expect(await practice.metronome.isChecked()).toBe(true);
    expect(await practice.volume.inputValue()).toBe('0.35');
    expect(await practice.countIn.inputValue()).toBe('2');
    expect(pageErrors()).toEqual([]);
  });
});
