import { describe, expect, it } from 'vitest';
import { parseTimeInput } from './timeInput';

describe('parseTimeInput', () => {
  it('reads m:ss, m:ss.t and plain seconds', () => {
    expect(parseTimeInput('1:05.5', 300)).toEqual({ ok: true, seconds: 65.5 });
    expect(parseTimeInput(' 0:59 ', 300)).toEqual({ ok: true, seconds: 59 });
    expect(parseTimeInput('65.5', 300)).toEqual({ ok: true, seconds: 65.5 });
    expect(parseTimeInput('90', 300)).toEqual({ ok: true, seconds: 90 });
    expect(parseTimeInput('.5', 300)).toEqual({ ok: true, seconds: 0.5 });
  });

  it('refuses seconds of 60 or more after a colon, saying what was expected and what came', () => {
    const r = parseTimeInput('1:99', 300);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('m:ss (seconds under 60');
      expect(r.message).toContain('“1:99”');
      expect(r.message).toContain('(99) are 60 or more');
    }
    expect(parseTimeInput('2:60', 300).ok).toBe(false);
  });

  it('refuses text that is not a time, and an empty field', () => {
    for (const bad of ['abc', '1:2:3', '-5', '1,5', '1:', ':30']) {
      const r = parseTimeInput(bad, 300);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toContain(`got “${bad}”`);
    }
    const empty = parseTimeInput('  ', 300);
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.message).toContain('the field is empty');
  });

  it('refuses a time past the end of the recording, naming the end', () => {
    const r = parseTimeInput('5:01', 300);
    expect(r).toEqual({
      ok: false,
      message: 'Expected a time within the recording (0:00.0 to 5:00.0); got “5:01”.',
    });
  });
});
