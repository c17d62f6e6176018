import type { AccordApi, PracticeLoop, PracticeSettings } from '../lib/api';
import { errorMessage } from '../lib/api';
import { PRACTICE_SPEED_MAX, PRACTICE_SPEED_MIN } from '../../../shared/ipc';
import type { AlignmentPath } from '../../../shared/path';
import type { Score } from '../../../shared/score';
import { parseBarRange, perfRangesOf } from '../lib/barRange';
import { LoopRunner, passStart, rampedPercent, WRAP_EARLY_SECONDS, type WrapInfo } from '../lib/loop';
import { alignedBeats, ClickScheduler, countIn, WebAudioClicks, type Beat } from '../lib/metronome';
import { MediaElementStretcher, type TimeStretcher } from '../lib/timeStretch';

/** Settings of a piece never practised before. */
export const DEFAULT_PRACTICE: PracticeSettings = {
  loop: null,
  preRollSeconds: 0,
  loopCount: null,
  speedPercent: 100,
  ramp: null,
  metronome: { enabled: false, volume: 0.7, accent: true },
  countInBeats: 0,
};

/** Settings whose change starts the loop's pass count (and the ramp) again. */
const LOOP_KEYS: readonly (keyof PracticeSettings)[] = [
  'loop',
  'preRollSeconds',
  'loopCount',
  'speedPercent',
  'ramp',
];

/** How often the metronome looks ahead while playing, ms (frames also tick it). */
const SCHEDULER_INTERVAL_MS = 25;

/** What practice mode needs from the rest of the editor. */
export interface PracticeDeps {
  api: AccordApi;
  /** The player's media element. */
  media: HTMLMediaElement;
  /** The speed control (default: the media element's own `preservesPitch` stretch). */
  stretcher?: TimeStretcher;
  /** Makes the audio context of the metronome (default: a new `AudioContext`). */
  audioContext?: () => AudioContext;
  /** Saves wait this long after the last change, ms. */
  saveDelayMs?: number;
}

/**
 * Practice mode of the open piece: the A–B loop with pre-roll, pass count and tempo ramp, the
 * speed (pitch kept), the metronome on the performer's aligned beats and its count-in; the
 * settings are saved to main (`practice:save`) a moment after each change.
 */
export class PracticeState {
  #settings = $state<PracticeSettings>(structuredClone(DEFAULT_PRACTICE));
  #open = $state(false);
  #barsError = $state<string | null>(null);
  #saveError = $state<string | null>(null);
  #pending = $state(false);
  #pass = $state(0);
  #lastWrap = $state.raw<WrapInfo | null>(null);
  #countingIn = $state(false);
  #d: PracticeDeps;
  #stretcher: TimeStretcher;
  #runner: LoopRunner;
  #beats: Beat[] = [];
  #clicks: WebAudioClicks | null = null;
  #scheduler: ClickScheduler | null = null;
  #projectId: number | null = null;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #tickFrame = 0;
  #countInTimer: ReturnType<typeof setTimeout> | undefined;
  #cleanup: (() => void)[] = [];

  constructor(deps: PracticeDeps) {
    this.#d = deps;
    this.#stretcher = deps.stretcher ?? new MediaElementStretcher(deps.media);
    this.#runner = new LoopRunner(deps.media);
    this.#cleanup.push(this.#runner.on('wrap', (w) => this.#onWrap(w)));
    const media = deps.media;
    const listen = (type: string, fn: () => void) => {
      media.addEventListener(type, fn);
      this.#cleanup.push(() => media.removeEventListener(type, fn));
    };
    listen('play', () => {
      if (this.#open) this.#runner.enter();
      this.#runner.start();
      this.#startTicking();
    });
    listen('pause', () => {
      this.#runner.stop();
      this.#stopTicking();
    });
    listen('ratechange', () => this.#scheduler?.reset());
    listen('seeked', () => this.#scheduler?.reset());
  }

  /** The settings in force. */
  get settings(): PracticeSettings {
    return this.#settings;
  }
  /** Whether practice mode (loop, metronome) is on. */
  get open(): boolean {
    return this.#open;
  }
  /** Why the typed bars were refused; null when they were taken. */
  get barsError(): string | null {
    return this.#barsError;
  }
  /** Why the last save failed; null after a successful one. */
  get saveError(): string | null {
    return this.#saveError;
  }
  /** True from a change until main has stored it. */
  get pending(): boolean {
    return this.#pending;
  }
  /** Loop passes completed since playback entered the loop. */
  get pass(): number {
    return this.#pass;
  }
  /** The last wrap from B (its measured overshoot), null before the first. */
  get lastWrap(): WrapInfo | null {
    return this.#lastWrap;
  }
  /** True while the count-in clicks before playback. */
  get countingIn(): boolean {
    return this.#countingIn;
  }
  /** The speed of the current pass, percent (the ramp raises it pass by pass). */
  get currentSpeedPercent(): number {
    return rampedPercent(this.#settings.speedPercent, this.#open ? this.#settings.ramp : null, this.#pass);
  }
  /** The aligned beats the metronome clicks on (empty before alignment). */
  get beats(): readonly Beat[] {
    return this.#beats;
  }

  /** Takes the saved settings of project `projectId` (or the defaults) and applies them. */
  restore(projectId: number, settings: PracticeSettings | null): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    this.#pending = false;
    this.#projectId = projectId;
    this.#settings = structuredClone(settings ?? DEFAULT_PRACTICE);
    this.#barsError = null;
    this.#pass = 0;
    this.#lastWrap = null;
    this.#apply();
  }

  /** The aligned beats of `path` (null before alignment). */
  setAlignment(path: AlignmentPath | null, score: Score | null): void {
    this.#beats = path && score ? alignedBeats(path, score) : [];
    this.#scheduler?.setBeats(this.#beats);
  }

  /** Turns practice mode on or off (the speed stays either way). */
  setOpen(open: boolean): void {
    this.#open = open;
    this.#pass = 0;
    this.#apply();
  }

  /** Loops typed bars (`12-16`) of `score`, the pass nearest `nearSeconds`; false (and `barsError`) when refused. */
  setLoopFromBars(text: string, score: Score, path: AlignmentPath | null, nearSeconds: number): boolean {
    const r = parseBarRange(score, text);
    if (!r.ok) {
      this.#barsError = r.error;
      return false;
    }
    if (!path) {
      this.#barsError = 'Align the recording first: bars are found in it through the alignment.';
      return false;
    }
    const [pass] = perfRangesOf(path, r.range.startScore, r.range.endScore, nearSeconds);
    if (!pass) {
      this.#barsError = `Bars ${r.range.first}–${r.range.last} are not played in this recording.`;
      return false;
    }
    const bars = r.range.first === r.range.last ? r.range.first : `${r.range.first}-${r.range.last}`;
    this.setLoop({ startSeconds: pass.startSeconds, endSeconds: pass.endSeconds, bars });
    return true;
  }

  /** Sets the loop (a waveform selection, typed bars) or clears it with null. */
  setLoop(loop: PracticeLoop | null): void {
    if (loop && !(loop.endSeconds > loop.startSeconds)) {
      this.#barsError = `The loop must end after it starts (A ${loop.startSeconds.toFixed(2)} s, B ${loop.endSeconds.toFixed(2)} s).`;
      return;
    }
    this.#barsError = null;
    this.#update({ loop: loop ? { ...loop } : null });
  }

  /** Seconds before A played on every pass (0..10). */
  setPreRoll(seconds: number): void {
    this.#update({ preRollSeconds: clamp(seconds, 0, 10, 0) });
  }

  /** Passes before stopping (1..999), null to loop until stopped. */
  setLoopCount(count: number | null): void {
    this.#update({ loopCount: count === null ? null : Math.round(clamp(count, 1, 999, 1)) });
  }

  /** Playback speed, percent (25..150); the pitch is kept. */
  setSpeed(percent: number): void {
    this.#update({ speedPercent: clamp(percent, PRACTICE_SPEED_MIN, PRACTICE_SPEED_MAX, 100) });
  }

  /** Tempo ramp: +`stepPercent` each pass up to `targetPercent`; null turns it off. */
  setRamp(ramp: { stepPercent: number; targetPercent: number } | null): void {
    this.#update({
      ramp: ramp && {
        stepPercent: clamp(ramp.stepPercent, 1, 50, 5),
        targetPercent: clamp(ramp.targetPercent, PRACTICE_SPEED_MIN, PRACTICE_SPEED_MAX, 100),
      },
    });
  }

  /** Metronome on/off, volume 0..1, downbeat accent. */
  setMetronome(patch: Partial<PracticeSettings['metronome']>): void {
    const m = { ...this.#settings.metronome, ...patch };
    m.volume = clamp(m.volume, 0, 1, 0.7);
    this.#update({ metronome: m });
  }

  /** Count-in clicks before playback (0..16). */
  setCountIn(beats: number): void {
    this.#update({ countInBeats: Math.round(clamp(beats, 0, 16, 0)) });
  }

  /**
   * Starts playback as practice mode does it: into the loop's pass, after the count-in when
   * one is set (clicks at the performer's beat spacing, then the recording).
   */
  async play(): Promise<void> {
    const media = this.#d.media;
    this.#pass = 0;
    this.#runner.resetPasses();
    this.#applySpeed();
    if (this.#open) this.#runner.enter();
    const n = this.#open ? this.#settings.countInBeats : 0;
    if (n > 0 && this.#beats.length > 1) {
      const clicks = this.#ensureClicks();
      const plan = countIn(this.#beats, media.currentTime, n, this.#stretcher.rate);
      await clicks.context.resume();
      const t0 = clicks.now();
      plan.clicks.forEach((c, k) => clicks.click(t0 + c, k === 0));
      this.#countingIn = true;
      await new Promise<void>((resolve) => {
        this.#countInTimer = setTimeout(resolve, Math.max(0, (t0 + plan.startAfter - clicks.now()) * 1000));
      });
      if (!this.#countingIn) return;
      this.#countingIn = false;
    }
    await media.play();
  }

  /** Stops playback and a count-in in progress. */
  stop(): void {
    clearTimeout(this.#countInTimer);
    this.#countingIn = false;
    this.#clicks?.cancel();
    this.#d.media.pause();
  }

  /** Saves now. */
  async flush(): Promise<void> {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    if (this.#projectId === null) return;
    try {
      await this.#d.api.practice.save(this.#projectId, $state.snapshot(this.#settings));
      this.#saveError = null;
    } catch (e) {
      this.#saveError = `Practice settings not saved: ${errorMessage(e)}`;
    } finally {
      if (this.#saveTimer === undefined) this.#pending = false;
    }
  }

  /** Saves pending changes, stops practice mode and detaches from the project. */
  async close(): Promise<void> {
    if (this.#saveTimer !== undefined) await this.flush();
    this.stop();
    this.#projectId = null;
    this.#open = false;
    this.#apply();
  }

  /** Stops everything, gives the media back at speed 1 and closes the audio context. */
  destroy(): void {
    clearTimeout(this.#saveTimer);
    this.stop();
    this.#stopTicking();
    this.#runner.destroy();
    for (const fn of this.#cleanup.splice(0)) fn();
    this.#stretcher.release();
    void this.#clicks?.close().catch(() => undefined);
  }

  #update(patch: Partial<PracticeSettings>): void {
    this.#settings = { ...this.#settings, ...patch };
    // a new loop, speed or ramp starts the pass count again; the metronome's settings do not
    if (LOOP_KEYS.some((k) => k in patch)) {
      this.#pass = 0;
      this.#runner.resetPasses();
    }
    this.#apply();
    this.#scheduleSave();
  }

  #scheduleSave(): void {
    if (this.#projectId === null) return;
    clearTimeout(this.#saveTimer);
    this.#pending = true;
    this.#saveTimer = setTimeout(() => void this.flush(), this.#d.saveDelayMs ?? 400);
  }

  /** Puts the settings into force: speed, loop, metronome. */
  #apply(): void {
    this.#applySpeed();
    const s = this.#settings;
    const loop = this.#open ? s.loop : null;
    const spec = loop
      ? { start: loop.startSeconds, end: loop.endSeconds, preRoll: s.preRollSeconds, count: s.loopCount }
      : null;
    const cur = this.#runner.spec;
    const same =
      spec === null
        ? cur === null
        : cur !== null &&
          cur.start === spec.start &&
          cur.end === spec.end &&
          cur.preRoll === spec.preRoll &&
          cur.count === spec.count;
    if (!same) this.#runner.setSpec(spec);
    if (this.#scheduler) this.#scheduler.stopBefore = loop ? loop.endSeconds - WRAP_EARLY_SECONDS : Infinity;
    if (this.#clicks) {
      this.#clicks.setVolume(s.metronome.volume);
      this.#clicks.setAccent(s.metronome.accent);
    }
    // the audio context is made when clicks are first due (playing), not when switched on
    if (this.#metronomeOn()) {
      if (!this.#d.media.paused) this.#startTicking();
    } else this.#stopTicking();
  }

  #applySpeed(): void {
    const pct = this.currentSpeedPercent;
    if (Math.abs(this.#stretcher.rate * 100 - pct) > 1e-9) this.#stretcher.setRate(pct / 100);
  }

  #metronomeOn(): boolean {
    return this.#open && this.#settings.metronome.enabled;
  }

  #ensureClicks(): WebAudioClicks {
    if (!this.#clicks) {
      const ctx = this.#d.audioContext?.() ?? new AudioContext({ latencyHint: 'interactive' });
      this.#clicks = new WebAudioClicks(ctx);
      this.#clicks.setVolume(this.#settings.metronome.volume);
      this.#clicks.setAccent(this.#settings.metronome.accent);
      this.#scheduler = new ClickScheduler(this.#clicks, this.#d.media);
      this.#scheduler.setBeats(this.#beats);
      const loop = this.#open ? this.#settings.loop : null;
      this.#scheduler.stopBefore = loop ? loop.endSeconds - WRAP_EARLY_SECONDS : Infinity;
    }
    return this.#clicks;
  }

  #onWrap(w: WrapInfo): void {
    this.#lastWrap = w;
    this.#pass = w.finished ? 0 : w.pass;
    this.#scheduler?.reset();
    this.#applySpeed();
  }

  #startTicking(): void {
    if (!this.#metronomeOn() || this.#tickTimer !== undefined) return;
    const clicks = this.#ensureClicks();
    void clicks.context.resume().catch(() => undefined);
    this.#tickTimer = setInterval(() => this.#scheduler?.tick(), SCHEDULER_INTERVAL_MS);
    const frame = () => {
      this.#scheduler?.tick();
      this.#tickFrame = requestAnimationFrame(frame);
    };
    this.#tickFrame = requestAnimationFrame(frame);
  }

  #stopTicking(): void {
    clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    cancelAnimationFrame(this.#tickFrame);
    this.#scheduler?.reset();
  }
}

/** Seconds of the pass start of `loop` with `preRollSeconds` (for the UI). */
export function loopPassStart(loop: PracticeLoop, preRollSeconds: number): number {
  return passStart({ start: loop.startSeconds, end: loop.endSeconds, preRoll: preRollSeconds, count: null });
}

function clamp(v: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, v));
}
