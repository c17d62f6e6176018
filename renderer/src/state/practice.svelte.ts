import type { AccordApi, PracticeLoop, PracticeSettings } from '../lib/api';
import { errorMessage } from '../lib/api';
import { PRACTICE_SPEED_MAX, PRACTICE_SPEED_MIN } from '../../../shared/ipc';
import type { AlignmentPath } from '../../../shared/path';
import type { Score } from '../../../shared/score';
import { parseBarRange, perfRangesOf } from '../lib/barRange';
import { passStart, rampedPercent, type WrapInfo } from '../lib/loop';
import type { LoopTimeline } from '../lib/loopSchedule';
import { LoopPlayer } from '../lib/loopPlayer';
import {
  alignedBeats,
  ClickScheduler,
  countIn,
  heardTime,
  LATE_SECONDS,
  LOOKAHEAD_SECONDS,
  WebAudioClicks,
  type Beat,
} from '../lib/metronome';
import {
  MediaElementStretcher,
  WsolaStretcher,
  type BufferStretcher,
  type TimeStretcher,
} from '../lib/timeStretch';
import type { ExternalPlayback, PlayerState } from './player.svelte';

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

/** The loop in force, performance seconds (the settings' loop with its pre-roll and passes). */
interface LoopInForce {
  start: number;
  end: number;
  preRoll: number;
  count: number | null;
}

/** Settings whose change starts the loop's pass count (and the ramp) again. */
const LOOP_KEYS: readonly (keyof PracticeSettings)[] = [
  'loop',
  'preRollSeconds',
  'loopCount',
  'speedPercent',
  'ramp',
];

/** How often the metronome and the loop look ahead while playing, ms (frames also tick them). */
const SCHEDULER_INTERVAL_MS = 25;

/** What practice mode needs from the rest of the editor. */
export interface PracticeDeps {
  api: AccordApi;
  /** The player: its media element plays outside the loop, the loop takes over from it. */
  player: PlayerState;
  /** The speed control of the media element (default: its own `preservesPitch` stretch). */
  stretcher?: TimeStretcher;
  /** Renders the loop at the pass's speed with the pitch kept (default: WSOLA). */
  loopStretcher?: BufferStretcher;
  /** Makes the audio context of the loop and the metronome (default: a new `AudioContext`). */
  audioContext?: () => AudioContext;
  /** Decodes the recording at `url` for the loop (default: `decodeRecording`). */
  decode?: (url: string, context: AudioContext) => Promise<AudioBuffer>;
  /** Saves wait this long after the last change, ms. */
  saveDelayMs?: number;
}

/**
 * The recording at `url` (the media element's own: `accord-media:` in the app, the bridge's in
 * tests, both allowed by the CSP's connect-src) decoded at the context's sample rate.
 */
export async function decodeRecording(url: string, context: AudioContext): Promise<AudioBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`expected the recording, got HTTP ${res.status} ${res.statusText}`.trim());
  return context.decodeAudioData(await res.arrayBuffer());
}

/**
 * Practice mode of the open piece: the A–B loop with pre-roll, pass count and tempo ramp, the
 * speed (pitch kept), the metronome on the performer's aligned beats and its count-in; the
 * settings are saved to main (`practice:save`) a moment after each change. While a loop plays,
 * the Web Audio loop player has taken over from the media element (`LoopPlayer`): the wrap at B
 * is the audio thread's, and the playhead, the passes and the clicks follow its clock.
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
  #loopError = $state<string | null>(null);
  #d: PracticeDeps;
  #media: HTMLMediaElement;
  #stretcher: TimeStretcher;
  #loopStretcher: BufferStretcher;
  #context: AudioContext | null = null;
  #loopPlayer: LoopPlayer | null = null;
  #timeline = $state.raw<LoopTimeline | null>(null);
  /** What the playing loop was started with (a change restarts it). */
  #loopKey = '';
  #clicksUntil = Number.NEGATIVE_INFINITY;
  #audio: { url: string; buffer: Promise<AudioBuffer> } | null = null;
  /** Bumped by every start and stop: an awaited start that is no longer the latest gives up. */
  #serial = 0;
  #beats: Beat[] = [];
  #clicks: WebAudioClicks | null = null;
  #scheduler: ClickScheduler | null = null;
  #projectId: number | null = null;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #tickFrame = 0;
  #countInTimer: ReturnType<typeof setTimeout> | undefined;
  #loopTimer: ReturnType<typeof setInterval> | undefined;
  #loopFrame = 0;
  #cleanup: (() => void)[] = [];

  constructor(deps: PracticeDeps) {
    this.#d = deps;
    const media = deps.player.media;
    this.#media = media;
    this.#stretcher = deps.stretcher ?? new MediaElementStretcher(media);
    this.#loopStretcher = deps.loopStretcher ?? new WsolaStretcher();
    const listen = (type: string, fn: () => void) => {
      media.addEventListener(type, fn);
      this.#cleanup.push(() => media.removeEventListener(type, fn));
    };
    listen('play', () => {
      // the media element started with a loop in force (e.g. a play from a bar): the loop takes over
      if (this.#loopSpec() && !this.#timeline) {
        media.pause();
        void this.#startLoop(media.currentTime);
      } else this.#startTicking();
    });
    listen('pause', () => {
      if (!this.#timeline) this.#stopTicking();
    });
    listen('ratechange', () => this.#scheduler?.reset());
    listen('seeked', () => this.#scheduler?.reset());
    // a new recording (or the same one reloaded): decode again when a loop needs it
    listen('emptied', () => {
      this.#audio = null;
    });
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
  /** Why the loop could not play (the recording could not be decoded); null otherwise. */
  get loopError(): string | null {
    return this.#loopError;
  }
  /** True while the loop plays on the audio clock. */
  get looping(): boolean {
    return this.#timeline !== null;
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
    this.#loopError = null;
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
   * Starts playback as practice mode does it: into the loop's pass on the audio clock when a
   * loop is set, after the count-in when one is set (clicks at the performer's beat spacing,
   * then the recording, started on the same clock).
   */
  async play(): Promise<void> {
    const media = this.#media;
    this.#pass = 0;
    this.#applySpeed();
    const loop = this.#loopSpec();
    const from = loop ? enterPass(loop, this.#d.player.time) : media.currentTime;
    const n = this.#open ? this.#settings.countInBeats : 0;
    if (n > 0 && this.#beats.length > 1) {
      const serial = ++this.#serial;
      const clicks = this.#ensureClicks();
      const plan = countIn(this.#beats, from, n, this.#stretcher.rate);
      await clicks.context.resume();
      if (serial !== this.#serial) return;
      const t0 = clicks.now();
      plan.clicks.forEach((c, k) => clicks.click(t0 + c, k === 0));
      this.#countingIn = true;
      if (loop) {
        // the loop starts on the audio clock exactly a beat after the last click
        await this.#startLoop(from, t0 + plan.startAfter);
        this.#countingIn = false;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#countInTimer = setTimeout(resolve, Math.max(0, (t0 + plan.startAfter - clicks.now()) * 1000));
      });
      if (!this.#countingIn) return;
      this.#countingIn = false;
    } else if (loop) return this.#startLoop(from);
    await media.play();
  }

  /** Stops playback (the loop's too) and a count-in in progress. */
  stop(): void {
    this.#serial++;
    clearTimeout(this.#countInTimer);
    this.#countingIn = false;
    this.#clicks?.cancel();
    if (this.#timeline) this.#stopLoop();
    this.#media.pause();
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
    this.#audio = null;
    this.#loopPlayer?.destroy();
    this.#apply();
  }

  /** Stops everything, gives the media back at speed 1 and closes the audio context. */
  destroy(): void {
    clearTimeout(this.#saveTimer);
    this.stop();
    this.#stopTicking();
    this.#loopPlayer?.destroy();
    for (const fn of this.#cleanup.splice(0)) fn();
    this.#stretcher.release();
    this.#loopStretcher.release();
    this.#clicks?.cancel();
    void this.#context?.close().catch(() => undefined);
  }

  #update(patch: Partial<PracticeSettings>): void {
    this.#settings = { ...this.#settings, ...patch };
    // a new loop, speed or ramp starts the pass count again; the metronome's settings do not
    if (LOOP_KEYS.some((k) => k in patch)) this.#pass = 0;
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
    const loop = this.#loopSpec();
    if (this.#timeline) {
      // a playing loop follows its settings: restarted where it is, or left for the media element
      if (!loop) this.#stopLoop(true);
      else if (this.#keyOf(loop) !== this.#loopKey) void this.#startLoop(this.#d.player.time);
    } else if (loop && !this.#media.paused) {
      this.#media.pause();
      void this.#startLoop(this.#media.currentTime);
    }
    if (this.#clicks) {
      this.#clicks.setVolume(s.metronome.volume);
      this.#clicks.setAccent(s.metronome.accent);
    }
    // the audio context is made when clicks are first due (playing), not when switched on
    if (this.#metronomeOn()) {
      if (!this.#media.paused || this.#timeline) this.#startTicking();
    } else this.#stopTicking();
    // decode ahead, so that the first play of a loop starts at once
    if (loop && !this.#audio && this.#canMakeContext()) void this.#decoded().catch(() => undefined);
  }

  /** The loop in force: practice mode open with a loop set. */
  #loopSpec(): LoopInForce | null {
    const s = this.#settings;
    const loop = this.#open ? s.loop : null;
    return loop
      ? { start: loop.startSeconds, end: loop.endSeconds, preRoll: s.preRollSeconds, count: s.loopCount }
      : null;
  }

  /** What a playing loop depends on: a change of any restarts it. */
  #keyOf(loop: LoopInForce): string {
    const s = this.#settings;
    return JSON.stringify([loop, s.speedPercent, s.ramp]);
  }

  #canMakeContext(): boolean {
    return (
      this.#context !== null || this.#d.audioContext !== undefined || typeof AudioContext !== 'undefined'
    );
  }

  #ensureContext(): AudioContext {
    this.#context ??= this.#d.audioContext?.() ?? new AudioContext({ latencyHint: 'interactive' });
    return this.#context;
  }

  /** The recording the media element plays, decoded (once per URL). */
  async #decoded(): Promise<AudioBuffer> {
    const media = this.#media;
    const url = media.currentSrc || media.src;
    if (!url) throw new Error('no recording is loaded');
    if (this.#audio?.url !== url) {
      const decode = this.#d.decode ?? decodeRecording;
      this.#audio = { url, buffer: decode(url, this.#ensureContext()) };
    }
    const pending = this.#audio;
    try {
      return await pending.buffer;
    } catch (e) {
      if (this.#audio === pending) this.#audio = null;
      throw e;
    }
  }

  /**
   * Plays the loop on the audio clock from recording time `from` (entered into the pass), its
   * first pass sounding at context time `when` (default: at once); the player hands over to it.
   */
  async #startLoop(from: number, when?: number): Promise<void> {
    const serial = ++this.#serial;
    const ctx = this.#ensureContext();
    let audio: AudioBuffer;
    try {
      const resumed = ctx.resume();
      audio = await this.#decoded();
      await resumed;
    } catch (e) {
      if (serial === this.#serial)
        this.#loopError = `The loop cannot play: the recording could not be decoded (${errorMessage(e)}).`;
      return;
    }
    const loop = this.#loopSpec();
    if (serial !== this.#serial || !loop) return;
    this.#loopError = null;
    const restarting = this.#timeline !== null;
    const player = (this.#loopPlayer ??= new LoopPlayer(ctx, this.#loopStretcher));
    player.setAudio(audio);
    const s = this.#settings;
    const ramp = this.#open ? s.ramp : null;
    const p = passStart(loop);
    this.#timeline = player.start({
      passStart: p,
      end: loop.end,
      from: enterPass(loop, from),
      rateOf: (k) => rampedPercent(s.speedPercent, ramp, k) / 100,
      count: loop.count,
      when,
    });
    this.#loopKey = this.#keyOf(loop);
    this.#pass = 0;
    this.#applySpeed();
    // a restarted loop drops the old one's clicks (a count-in's clicks before a first start stay)
    if (restarting) this.#clicks?.cancel();
    this.#clicksUntil = this.#timeline.spec.startAt;
    this.#d.player.takeOver(this.#external);
    this.#startLoopTicking();
    this.#startTicking();
  }

  /** The loop as the player sees it. */
  #external: ExternalPlayback = {
    now: () => {
      const tl = this.#timeline;
      return tl && this.#context ? tl.recordingTimeAt(heardTime(this.#context)) : this.#d.player.time;
    },
    seek: (seconds) => void this.#startLoop(seconds),
    stop: () => this.#stopLoop(),
  };

  /**
   * Stops the loop and hands playback back to the media element where the loop was heard (or at
   * `at`); `resume` plays on from there (leaving the loop while playing).
   */
  #stopLoop(resume = false, at?: number): void {
    const t = at ?? this.#external.now();
    this.#serial++;
    this.#loopPlayer?.stop();
    this.#timeline = null;
    this.#stopLoopTicking();
    this.#clicks?.cancel();
    this.#d.player.handBack(t);
    if (resume) void this.#d.player.play();
    else this.#stopTicking();
  }

  /** Follows the loop's clock: schedules the passes due, counts wraps, stops after the last pass. */
  #loopTick = (): void => {
    const tl = this.#timeline;
    const ctx = this.#context;
    if (!tl || !ctx) return;
    this.#loopPlayer?.pump();
    const heard = heardTime(ctx);
    const p = tl.passAt(heard);
    const finish = tl.finishAt;
    if (finish !== null && heard >= finish) {
      this.#onWrap({ pass: tl.spec.count ?? 0, ...this.#wrapOf(tl, p.endAt), finished: true });
      this.#stopLoop(false, tl.spec.passStart);
      return;
    }
    if (p.index > this.#pass && heard >= p.startAt) {
      this.#onWrap({ pass: p.index, ...this.#wrapOf(tl, p.startAt), finished: false });
    }
  };

  /** Where the audio clock says the loop was one sample before the wrap at `atContext`. */
  #wrapOf(tl: LoopTimeline, atContext: number): { atSeconds: number; overshootSeconds: number } {
    const at = tl.recordingTimeAt(atContext - 1 / tl.spec.sampleRate);
    return { atSeconds: at, overshootSeconds: at - tl.spec.end };
  }

  #startLoopTicking(): void {
    this.#stopLoopTicking();
    this.#loopTimer = setInterval(this.#loopTick, SCHEDULER_INTERVAL_MS);
    const frame = () => {
      this.#loopTick();
      this.#loopFrame = requestAnimationFrame(frame);
    };
    this.#loopFrame = requestAnimationFrame(frame);
  }

  #stopLoopTicking(): void {
    clearInterval(this.#loopTimer);
    this.#loopTimer = undefined;
    cancelAnimationFrame(this.#loopFrame);
  }

  /** Schedules the metronome's clicks of the loop's passes due in the next `LOOKAHEAD_SECONDS`. */
  #tickLoopClicks(): void {
    const tl = this.#timeline;
    const clicks = this.#clicks;
    if (!tl || !clicks) return;
    const now = clicks.now();
    const from = Math.max(this.#clicksUntil, now - LATE_SECONDS);
    const to = now + LOOKAHEAD_SECONDS;
    if (to <= from) return;
    for (const c of tl.clicksBetween(this.#beats, from, to)) clicks.click(c.when, c.beat.downbeat);
    this.#clicksUntil = to;
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
      this.#clicks = new WebAudioClicks(this.#ensureContext());
      this.#clicks.setVolume(this.#settings.metronome.volume);
      this.#clicks.setAccent(this.#settings.metronome.accent);
      this.#scheduler = new ClickScheduler(this.#clicks, this.#media);
      this.#scheduler.setBeats(this.#beats);
    }
    return this.#clicks;
  }

  #onWrap(w: WrapInfo): void {
    this.#lastWrap = w;
    this.#pass = w.finished ? 0 : w.pass;
    this.#applySpeed();
  }

  #startTicking(): void {
    if (!this.#metronomeOn() || this.#tickTimer !== undefined) return;
    const clicks = this.#ensureClicks();
    void clicks.context.resume().catch(() => undefined);
    const tick = () => {
      if (this.#timeline) this.#tickLoopClicks();
      else this.#scheduler?.tick();
    };
    this.#tickTimer = setInterval(tick, SCHEDULER_INTERVAL_MS);
    const frame = () => {
      tick();
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

/** Where a loop entered at `t` starts: `t` inside the pass [P, B), else the pass start P. */
function enterPass(loop: LoopInForce, t: number): number {
  const p = passStart(loop);
  return t >= p && t < loop.end ? t : p;
}

/** Seconds of the pass start of `loop` with `preRollSeconds` (for the UI). */
export function loopPassStart(loop: PracticeLoop, preRollSeconds: number): number {
  return passStart({ start: loop.startSeconds, end: loop.endSeconds, preRoll: preRollSeconds, count: null });
}

function clamp(v: number, min: number, max: number, fallback: number): number {
  if (!Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, v));
}
