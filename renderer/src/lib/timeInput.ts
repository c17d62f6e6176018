/** Reading a performance time typed by the user ("Go to time"). */
import { formatTime } from './timeline';

/** A typed time read: seconds, or a message saying what was expected and what came. */
export type TimeInput = { ok: true; seconds: number } | { ok: false; message: string };

const EXPECTED = 'a time as m:ss (seconds under 60, e.g. 1:05.5) or as seconds (e.g. 65.5)';

/** Reads `text` as `m:ss[.t]` or `s[.t]`, within [0, `durationSeconds`]. */
export function parseTimeInput(text: string, durationSeconds: number): TimeInput {
  const t = text.trim();
  const shown = t.length > 24 ? `${t.slice(0, 24)}…` : t;
  if (t === '') return { ok: false, message: `Expected ${EXPECTED}; the field is empty.` };
  const m = /^(?:(\d+):)?(\d+(?:\.\d*)?|\.\d+)$/.exec(t);
  if (!m) return { ok: false, message: `Expected ${EXPECTED}; got “${shown}”.` };
  const secs = Number(m[2]);
  if (m[1] !== undefined && secs >= 60)
    return {
      ok: false,
      message: `Expected ${EXPECTED}; got “${shown}”, whose seconds (${m[2]}) are 60 or more.`,
    };
  const seconds = Number(m[1] ?? 0) * 60 + secs;
  if (seconds > durationSeconds)
    return {
      ok: false,
      message: `Expected a time within the recording (0:00.0 to ${formatTime(durationSeconds)}); got “${shown}”.`,
    };
  return { ok: true, seconds };
}
