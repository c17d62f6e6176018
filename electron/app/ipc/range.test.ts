import { describe, expect, it } from 'vitest';
import { audioContentType, parseRange } from './range.js';
import { fromWireJson, toWireJson } from './wire.js';

describe('parseRange', () => {
  it('reads the Range forms browsers send', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-30', 100)).toEqual({ start: 70, end: 99 });
    expect(parseRange('bytes=-300', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=5-9, 20-29', 100)).toEqual({ start: 5, end: 9 });
  });

  it('flags unsatisfiable or malformed ranges', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=20-10', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-', 100)).toBe('unsatisfiable');
    expect(parseRange('items=0-1', 100)).toBe('unsatisfiable');
  });

  it('names audio content types', () => {
    expect(audioContentType('a.WAV')).toBe('audio/wav');
    expect(audioContentType('b.flac')).toBe('audio/flac');
    expect(audioContentType('c.mp3')).toBe('audio/mpeg');
    expect(audioContentType('d.bin')).toBe('application/octet-stream');
  });
});

describe('wire JSON', () => {
  it('round-trips typed arrays (including views into a larger buffer) and plain values', () => {
    const big = new Float64Array([9, 1.5, -2.25, 1e-300, 9]);
    const value = {
      a: big.subarray(1, 4),
      b: new Float32Array([0.5, NaN]),
      c: new Uint8Array([0, 255]),
      d: { n: 1, s: 'x', list: [1, null] },
      e: Buffer.from([1, 2, 3]),
    };
    const back = fromWireJson(toWireJson(value)) as typeof value;
    expect(back.a).toBeInstanceOf(Float64Array);
    expect(Array.from(back.a)).toEqual([1.5, -2.25, 1e-300]);
    expect(back.b).toBeInstanceOf(Float32Array);
    expect(back.b[0]).toBe(0.5);
    expect(Number.isNaN(back.b[1])).toBe(true);
    expect(Array.from(back.c)).toEqual([0, 255]);
    expect(back.d).toEqual({ n: 1, s: 'x', list: [1, null] });
    expect(back.e).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.e)).toEqual([1, 2, 3]);
  });

  it('refuses an unknown typed-array name', () => {
    expect(() => fromWireJson('{"$typed":"BigInt64Array","b64":""}')).toThrow(/expected a typed-array name/);
  });
});
