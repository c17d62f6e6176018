/**
 * The time ruler's ticks (pure): labelled major ticks in m:ss whose spacing follows the zoom (at
 * least `minLabelPx` apart), and unlabelled minor ticks between them.
 */

/** One tick of the ruler. */
export interface RulerTick {
  /** Recording time, seconds. */
  seconds: number;
  /** Major ticks carry a label. */
  major: boolean;
  /** `m:ss` (or `m:ss.t` below one-second spacing, `h:mm:ss` past an hour); '' on minor ticks. */
  label: string;
}

/** The ticks of a window and their spacing. */
export interface RulerTicks {
  /** Seconds between labelled ticks. */
  majorStep: number;
  /** Seconds between all ticks (divides `majorStep`). */
  minorStep: number;
  ticks: RulerTick[];
}

/** Spacings between labels, seconds, with the minor spacing each is divided into. */
const STEPS: readonly (readonly [major: number, minor: number])[] = [
  [0.1, 0.05],
  [0.2, 0.05],
  [0.5, 0.1],
  [1, 0.25],
  [2, 0.5],
  [5, 1],
  [10, 2],
  [15, 5],
  [30, 10],
  [60, 15],
  [120, 30],
  [300, 60],
  [600, 120],
  [900, 300],
  [1800, 600],
  [3600, 900],
];
/** Minor ticks closer than this are left out (only the majors are drawn). */
const MIN_MINOR_PX = 6;

/** `seconds` as `m:ss` (`h:mm:ss` from an hour on), with tenths when `step` is under a second. */
export function formatRulerTime(seconds: number, step: number): string {
  const tenths = step < 1;
  // round to the label's precision first, so 59.96 s reads 1:00.0, not 0:60.0
  const t = tenths ? Math.round(seconds * 10) / 10 : Math.round(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = tenths ? s.toFixed(1).padStart(4, '0') : String(Math.round(s)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The ticks in [`startSeconds`, `endSeconds`] at `pxPerSec`: the smallest label spacing at least
 * `minLabelPx` wide, its minor ticks when they are at least 6 px apart.
 */
export function rulerTicks(
  startSeconds: number,
  endSeconds: number,
  pxPerSec: number,
  minLabelPx = 56,
): RulerTicks {
  if (!(pxPerSec > 0) || !Number.isFinite(pxPerSec))
    throw new Error(`rulerTicks: expected a positive finite zoom (px per second), got ${pxPerSec}`);
  if (!Number.isFinite(startSeconds) || !Number.isFinite(endSeconds))
    throw new Error(`rulerTicks: expected a finite window, got [${startSeconds}, ${endSeconds}]`);
  const last = STEPS[STEPS.length - 1];
  const [majorStep, minor] = STEPS.find(([major]) => major * pxPerSec >= minLabelPx) ?? last;
  const minorStep = minor * pxPerSec >= MIN_MINOR_PX ? minor : majorStep;
  const perMajor = Math.round(majorStep / minorStep);
  const ticks: RulerTick[] = [];
  const from = Math.max(0, Math.ceil(startSeconds / minorStep - 1e-9));
  const to = Math.floor(endSeconds / minorStep + 1e-9);
  for (let k = from; k <= to; k++) {
    // integer tick counts, so 0.1-second steps do not drift (0.30000000000000004)
    const seconds = Math.round(k * minorStep * 1000) / 1000;
    const major = k % perMajor === 0;
    ticks.push({ seconds, major, label: major ? formatRulerTime(seconds, majorStep) : '' });
  }
  return { majorStep, minorStep, ticks };
}
