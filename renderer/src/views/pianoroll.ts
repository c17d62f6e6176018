import type { Score } from '../../../shared/score';
import { Emitter } from '../lib/emitter';
import { lastAtOrBefore } from '../lib/timeline';
import { prepareCanvas } from './canvas.js';

/** Notes longer than this may be clipped at the left edge of the roll (a bound for the visible-range search). */
const LONGEST_NOTE_SECONDS = 30;

/** Options of the piano-roll view (MIDI scores). */
export interface PianoRollOptions {
  /** Canvas to draw on; its CSS size sets the drawing size. */
  canvas: HTMLCanvasElement;
  score: Score;
  /** Score seconds visible across the width. */
  windowSeconds?: number;
}

/** Events of the piano-roll view. */
export interface PianoRollEvents {
  /** The user clicked at score time `scoreSeconds` (a note's onset when one was hit). */
  noteClick: [scoreSeconds: number[]];
}

/** Performance-timeline mark set when the roll is first drawn (read by e2e/bench.ts). */
export const PIANO_ROLL_DRAWN_MARK = 'accord:pianoroll-drawn';

/** Background colour of the roll (tests count pixels that differ from it). */
export const PIANO_ROLL_BACKGROUND = '#fbfbf8';

/** The score's notes as a piano roll with a playhead at the current score time. */
export class PianoRollView extends Emitter<PianoRollEvents> {
  #canvas: HTMLCanvasElement;
  #score: Score;
  #window: number;
  #time = 0;
  #lowPitch: number;
  #highPitch: number;
  #unsubs: (() => void)[] = [];

  constructor(opts: PianoRollOptions) {
    super();
    this.#canvas = opts.canvas;
    this.#score = opts.score;
    this.#window = opts.windowSeconds ?? 12;
    let lo = Infinity;
    let hi = -Infinity;
    for (const n of opts.score.notes) {
      lo = Math.min(lo, n.pitch);
      hi = Math.max(hi, n.pitch);
    }
    this.#lowPitch = Number.isFinite(lo) ? lo - 2 : 48;
    this.#highPitch = Number.isFinite(hi) ? hi + 2 : 84;
    const onClick = (e: MouseEvent) => this.#onClick(e);
    opts.canvas.addEventListener('click', onClick);
    this.#unsubs.push(() => opts.canvas.removeEventListener('click', onClick));
    this.draw();
    performance.mark(PIANO_ROLL_DRAWN_MARK);
  }

  /** Centres the roll on `scoreSeconds` and redraws. */
  showScoreTime(scoreSeconds: number): void {
    this.#time = scoreSeconds;
    this.draw();
  }

  /** Redraws at the canvas's current CSS size. */
  draw(): void {
    const frame = prepareCanvas(this.#canvas, PIANO_ROLL_BACKGROUND);
    if (!frame) return;
    const { ctx, w, h } = frame;
    const t0 = this.#t0();
    const pxPerSec = w / this.#window;
    const rowH = h / (this.#highPitch - this.#lowPitch + 1);
    ctx.fillStyle = '#eceae2';
    for (let p = this.#lowPitch; p <= this.#highPitch; p++) {
      if ([1, 3, 6, 8, 10].includes(p % 12)) ctx.fillRect(0, this.#y(p, h, rowH), w, rowH);
    }
    ctx.strokeStyle = '#d5d2c8';
    ctx.lineWidth = 1;
    for (const m of this.#score.measures) {
      if (m.start < t0 || m.start > t0 + this.#window) continue;
      const x = (m.start - t0) * pxPerSec;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h);
      ctx.stroke();
    }
    // notes are sorted by onset: start a little before the window (long notes) and stop after it
    const notes = this.#score.notes;
    let i = lastAtOrBefore(notes, t0 - LONGEST_NOTE_SECONDS, (n) => n.onset);
    for (i = Math.max(0, i); i < notes.length; i++) {
      const n = notes[i];
      if (n.onset > t0 + this.#window) break;
      if (n.onset + n.duration < t0) continue;
      const playing = n.onset <= this.#time && this.#time < n.onset + n.duration;
      ctx.fillStyle = playing ? '#dd6b20' : '#2c5282';
      ctx.fillRect(
        (n.onset - t0) * pxPerSec,
        this.#y(n.pitch, h, rowH),
        Math.max(2, n.duration * pxPerSec - 1),
        Math.max(2, rowH - 1),
      );
    }
    const x = (this.#time - t0) * pxPerSec;
    ctx.strokeStyle = '#e53e3e';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h);
    ctx.stroke();
  }

  /** Removes listeners. */
  destroy(): void {
    for (const fn of this.#unsubs.splice(0)) fn();
    this.clearListeners();
  }

  #t0(): number {
    return Math.max(0, this.#time - this.#window / 3);
  }

  #y(pitch: number, h: number, rowH: number): number {
    return h - (pitch - this.#lowPitch + 1) * rowH;
  }

  #onClick(e: MouseEvent): void {
    const rect = this.#canvas.getBoundingClientRect();
    const w = rect.width;
    const h = rect.height;
    const t = this.#t0() + ((e.clientX - rect.left) / w) * this.#window;
    const rowH = h / (this.#highPitch - this.#lowPitch + 1);
    const pitch = this.#lowPitch - 1 + Math.ceil((h - (e.clientY - rect.top)) / rowH);
    const hit = this.#score.notes.find((n) => n.pitch === pitch && n.onset <= t && t < n.onset + n.duration);
    this.emit('noteClick', [hit ? hit.onset : t]);
  }
}
