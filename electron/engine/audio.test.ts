import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import decode from 'audio-decode';
import { describe, expect, it } from 'vitest';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import {
  AudioDecodeError,
  decodeAudioBytes,
  decodeAudioFile,
  readWav,
  resampleToFeatureRate,
} from './audio.js';

const fixture = (name: string): string => new URL(`./fixtures/audio/${name}`, import.meta.url).pathname;
const SR = FEATURE_PARAMS.sampleRate;

/** Max |decoded − expected| over the middle of the signal (edges carry resampler transients). */
function maxErrorVsTone(samples: Float32Array, tone: (t: number) => number): number {
  let worst = 0;
  for (let i = Math.round(0.05 * SR); i < samples.length - Math.round(0.05 * SR); i++) {
    worst = Math.max(worst, Math.abs(samples[i] - tone(i / SR)));
  }
  return worst;
}
const stereoMix = (t: number): number =>
  0.25 * (Math.sin(2 * Math.PI * 440 * t) + Math.sin(2 * Math.PI * 660 * t));

async function expectDecodeError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioDecodeError);
  expect((err as AudioDecodeError).code).toBe(code);
  expect((err as AudioDecodeError).message).toMatch(message);
}

describe('decodeAudioFile: formats', () => {
  const cases: Array<[string, number, number, number, number]> = [
    // file, source rate, channels, seconds, tolerance
    ['tone_s16.wav', 44100, 2, 0.4, 5e-3],
    ['tone_s24.wav', 44100, 2, 0.4, 5e-3],
    ['tone_s32.wav', 44100, 2, 0.4, 5e-3],
    ['tone_f32.wav', 44100, 2, 0.4, 5e-3],
    ['tone_f64_48k.wav', 48000, 2, 0.3, 5e-3],
    ['tone_u8.wav', 44100, 2, 0.4, 3e-2],
    ['tone.flac', 44100, 2, 0.4, 5e-3],
  ];
  for (const [name, rate, channels, seconds, tol] of cases) {
    it(`decodes ${name} to mono ${SR} Hz with the exact length`, async () => {
      const d = await decodeAudioFile(fixture(name));
      expect(d.sourceSampleRate).toBe(rate);
      expect(d.channels).toBe(channels);
      expect(d.samples.length).toBe(Math.round(seconds * SR));
      expect(d.durationSeconds).toBeCloseTo(seconds, 6);
      expect(d.sha256).toBe(
        createHash('sha256')
          .update(readFileSync(fixture(name)))
          .digest('hex'),
      );
      expect(maxErrorVsTone(d.samples, stereoMix)).toBeLessThan(tol);
    });
  }

  it('decodes ogg vorbis (lossy: compares the level, not the waveform)', async () => {
    const d = await decodeAudioFile(fixture('tone.ogg'));
    expect(d.channels).toBe(2);
    expect(d.sourceSampleRate).toBe(44100);
    expect(Math.abs(d.samples.length - Math.round(0.4 * SR))).toBeLessThanOrEqual(Math.round(0.01 * SR));
    let s = 0;
    for (const v of d.samples) s += v * v;
    // RMS of 0.25·(sin a + sin b) is 0.25.
    expect(Math.sqrt(s / d.samples.length)).toBeGreaterThan(0.2);
    expect(Math.sqrt(s / d.samples.length)).toBeLessThan(0.3);
  });

  it('decodes mp3 (lossy, encoder delay: compares the level and tone, not the waveform)', async () => {
    const d = await decodeAudioFile(fixture('tone.mp3'));
    expect(d.channels).toBe(2);
    expect(d.sourceSampleRate).toBe(44100);
    expect(d.durationSeconds).toBeGreaterThan(0.39);
    expect(d.durationSeconds).toBeLessThan(0.5);
    const mid = d.samples.subarray(Math.round(0.1 * SR), Math.round(0.3 * SR));
    let s = 0;
    for (const v of mid) s += v * v;
    expect(Math.sqrt(s / mid.length)).toBeGreaterThan(0.2);
    expect(Math.sqrt(s / mid.length)).toBeLessThan(0.3);
  });

  it('passes 22050 Hz mono through untouched', async () => {
    const d = await decodeAudioFile(fixture('tone_mono_22k.wav'));
    expect(d.channels).toBe(1);
    expect(d.samples.length).toBe(Math.round(0.4 * SR));
    expect(maxErrorVsTone(d.samples, (t) => 0.5 * Math.sin(2 * Math.PI * 440 * t))).toBeLessThan(5e-3);
  });

  it('decodeAudioBytes gives the same samples as decodeAudioFile', async () => {
    const a = await decodeAudioFile(fixture('tone_s24.wav'));
    const b = await decodeAudioBytes(new Uint8Array(readFileSync(fixture('tone_s24.wav'))), 'x.WAV');
    expect(b.samples).toEqual(a.samples);
    expect(b.sha256).toBe(a.sha256);
  });

  it('reads WAV data at any byte alignment', async () => {
    for (const name of ['tone_s16.wav', 'tone_f32.wav']) {
      const raw = new Uint8Array(readFileSync(fixture(name)));
      const shifted = new Uint8Array(raw.length + 1);
      shifted.set(raw, 1);
      const a = await decodeAudioBytes(raw.slice(), name);
      const b = await decodeAudioBytes(shifted.subarray(1), name);
      expect(b.samples).toEqual(a.samples);
    }
  });

  it('types a name without an extension by its magic bytes', async () => {
    for (const name of ['tone_s16.wav', 'tone.flac', 'tone.ogg', 'tone.mp3']) {
      const d = await decodeAudioBytes(new Uint8Array(readFileSync(fixture(name))), 'dropped-blob');
      expect(d.channels, name).toBe(2);
    }
    await expectDecodeError(
      decodeAudioBytes(new TextEncoder().encode('plain text'), 'blob'),
      'unsupported-format',
      /blob: expected an audio file .* found extension '\(none\)'/,
    );
  });

  it('downmixes any channel count (a hand-built 3-channel float WAV)', async () => {
    const frames = 4410;
    const bytes = new Uint8Array(44 + frames * 3 * 4);
    const v = new DataView(bytes.buffer);
    const str = (at: number, s: string): void =>
      s.split('').forEach((ch, i) => (bytes[at + i] = ch.charCodeAt(0)));
    str(0, 'RIFF');
    v.setUint32(4, bytes.length - 8, true);
    str(8, 'WAVE');
    str(12, 'fmt ');
    v.setUint32(16, 16, true);
    v.setUint16(20, 3, true);
    v.setUint16(22, 3, true);
    v.setUint32(24, 44100, true);
    v.setUint32(28, 44100 * 12, true);
    v.setUint16(32, 12, true);
    v.setUint16(34, 32, true);
    str(36, 'data');
    v.setUint32(40, frames * 12, true);
    for (let i = 0; i < frames; i++)
      [0.3, -0.6, 0.9].forEach((x, c) => v.setFloat32(44 + (i * 3 + c) * 4, x, true));
    const d = await decodeAudioBytes(bytes, 'three.wav');
    expect(d.channels).toBe(3);
    expect(d.samples.length).toBe(Math.round((frames * SR) / 44100));
    expect(d.samples[1000]).toBeCloseTo(0.2, 4);
  });
});

describe('decodeAudioFile: errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-audio-'));
  const wav = new Uint8Array(readFileSync(fixture('tone_s16.wav')));

  it('missing file', async () => {
    await expectDecodeError(decodeAudioFile(join(dir, 'nope.wav')), 'not-found', /nope\.wav.*no such file/);
  });
  it('unknown extension', async () => {
    writeFileSync(join(dir, 'a.txt'), 'hello');
    await expectDecodeError(
      decodeAudioFile(join(dir, 'a.txt')),
      'unsupported-format',
      /a\.txt.*expected an audio file.*'\.txt'/,
    );
  });
  it('empty file', async () => {
    writeFileSync(join(dir, 'empty.wav'), '');
    await expectDecodeError(decodeAudioFile(join(dir, 'empty.wav')), 'empty', /empty\.wav.*0 bytes/);
  });
  it('truncated wav', async () => {
    await expectDecodeError(
      decodeAudioBytes(wav.subarray(0, 5000), 'cut.wav'),
      'corrupt',
      /cut\.wav: expected \d+ bytes of audio data, found \d+ \(file truncated\)/,
    );
    await expectDecodeError(
      decodeAudioBytes(wav.subarray(0, 30), 'head.wav'),
      'corrupt',
      /head\.wav: expected a 'fmt ' chunk of ≥ 16 bytes, found \d+ \(file truncated\?\)/,
    );
  });
  it('not a wav', async () => {
    await expectDecodeError(
      decodeAudioBytes(new TextEncoder().encode('just some text, not audio'), 'fake.wav'),
      'corrupt',
      /fake\.wav: expected a RIFF\/WAVE header, found 'just'/,
    );
  });
  it('wav with zero samples', async () => {
    const head = new Uint8Array(wav.subarray(0, 44));
    new DataView(head.buffer).setUint32(40, 0, true);
    await expectDecodeError(
      decodeAudioBytes(head, 'zero.wav'),
      'empty',
      /zero\.wav: expected audio samples, found 0/,
    );
  });
  it('RF64 wav', async () => {
    const rf64 = new Uint8Array(wav);
    rf64.set([0x52, 0x46, 0x36, 0x34]);
    await expectDecodeError(
      decodeAudioBytes(rf64, 'big.wav'),
      'unsupported-format',
      /big\.wav: expected a little-endian RIFF WAV .* found a 'RF64' file/,
    );
  });
  it('unsupported wav encoding', async () => {
    const alaw = new Uint8Array(wav);
    new DataView(alaw.buffer).setUint16(20, 6, true);
    await expectDecodeError(
      decodeAudioBytes(alaw, 'alaw.wav'),
      'unsupported-format',
      /alaw\.wav: expected PCM .* found format 6/,
    );
  });
  it('a sample rate the resampler cannot convert', async () => {
    const odd = new Uint8Array(wav);
    new DataView(odd.buffer).setUint32(24, 50, true);
    await expectDecodeError(
      decodeAudioBytes(odd, 'fifty.wav'),
      'unsupported-format',
      /fifty\.wav: expected a whole sample rate from 87 to 5644800 Hz, found 50 Hz/,
    );
  });
  it('flac with a wrong header or cut short', async () => {
    await expectDecodeError(
      decodeAudioBytes(wav, 'wrong.flac'),
      'corrupt',
      /wrong\.flac: expected a flac header \('fLaC'\), found 'RIFF'/,
    );
    const flac = new Uint8Array(readFileSync(fixture('tone.flac')));
    await expectDecodeError(
      decodeAudioBytes(flac.subarray(0, 40), 'head.flac'),
      'corrupt',
      /head\.flac: expected decodable flac audio, found 0 samples/,
    );
    await expectDecodeError(
      decodeAudioBytes(flac.subarray(0, 20000), 'cut.flac'),
      'corrupt',
      /cut\.flac: expected 17640 samples per channel \(FLAC STREAMINFO\), found \d+ \(file truncated\)/,
    );
  });
  it('ogg that is garbage after the magic', async () => {
    const bytes = new Uint8Array(2000).map((_, i) => (i * 37) & 255);
    bytes.set([0x4f, 0x67, 0x67, 0x53]);
    await expectDecodeError(
      decodeAudioBytes(bytes, 'junk.ogg'),
      'corrupt',
      /junk\.ogg: expected decodable ogg audio, found 0 samples/,
    );
  });
  it('aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(decodeAudioFile(fixture('tone_s16.wav'), { signal: ac.signal })).rejects.toThrow(/abort/i);
  });
});

describe('resampleToFeatureRate', () => {
  it('keeps a 1 kHz tone and the exact length for 44.1 and 48 kHz', () => {
    for (const rate of [44100, 48000, 96000]) {
      const n = rate; // 1 s
      const x = new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate));
      const y = resampleToFeatureRate(x, rate);
      expect(y.length).toBe(SR);
      expect(maxErrorVsTone(y, (t) => 0.5 * Math.sin(2 * Math.PI * 1000 * t))).toBeLessThan(2e-3);
    }
  });
  it('streams long input in chunks without seams (60 s at 44.1 kHz, 96 s at 8 kHz upsampled)', () => {
    for (const [rate, seconds] of [
      [44100, 60],
      [8000, 96],
    ]) {
      const x = new Float32Array(rate * seconds).map(
        (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate),
      );
      const y = resampleToFeatureRate(x, rate);
      expect(y.length).toBe(SR * seconds);
      expect(maxErrorVsTone(y, (t) => 0.5 * Math.sin(2 * Math.PI * 1000 * t))).toBeLessThan(2e-3);
      let zeros = 0;
      while (y[y.length - 1 - zeros] === 0) zeros++;
      expect(zeros).toBeLessThan(0.02 * SR);
    }
  });
  it('removes content above the new Nyquist (no aliasing)', () => {
    const rate = 44100;
    const x = new Float32Array(rate).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 15000 * i) / rate));
    const y = resampleToFeatureRate(x, rate);
    let s = 0;
    for (let i = 2000; i < y.length - 2000; i++) s += y[i] * y[i];
    expect(Math.sqrt(s / (y.length - 4000))).toBeLessThan(1e-3);
  });
});

describe('streamed decoding (chunk by chunk into the feature-rate buffer)', () => {
  /** Today's whole-file path: every channel decoded at once, downmixed, then resampled. */
  async function wholeFileReference(bytes: Uint8Array, name: string): Promise<Float32Array> {
    if (name.endsWith('.wav')) {
      const { mono, sampleRate } = readWav(bytes, name);
      return resampleToFeatureRate(mono, sampleRate);
    }
    const { channelData, sampleRate } = await decode(bytes.slice());
    const mono = new Float32Array(channelData[0].length);
    for (const ch of channelData) for (let i = 0; i < mono.length; i++) mono[i] += ch[i] / channelData.length;
    return resampleToFeatureRate(mono, sampleRate);
  }
  function maxAbsDiff(a: Float32Array, b: Float32Array): number {
    expect(b.length).toBe(a.length);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  }

  const files = [
    'tone_s16.wav',
    'tone_s24.wav',
    'tone_u8.wav',
    'tone_f64_48k.wav',
    'tone.flac',
    'tone.mp3',
    'tone.ogg',
  ];
  for (const name of files) {
    it(`${name}: the streamed decode equals the whole-file decode, whatever the chunk size`, async () => {
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      const reference = await wholeFileReference(bytes, name);
      expect(maxAbsDiff(reference, (await decodeAudioFile(fixture(name))).samples)).toBeLessThan(1e-6);
      for (const chunkBytes of [997, 4099]) {
        const d = await decodeAudioBytes(bytes, name, { chunkBytes });
        expect(maxAbsDiff(reference, d.samples), `${chunkBytes}-byte chunks`).toBeLessThan(1e-6);
      }
    });
  }

  it('FLAC: no frame is lost when a chunk ends inside a frame header (26 s in 1037- to 4515-byte chunks)', async () => {
    // The decoder's frame scanner drops a frame whose header straddles two chunks: fed as is,
    // each of these chunk sizes loses one or two frames of this file.
    const path = new URL('../../resources/sample/performance.flac', import.meta.url).pathname;
    const bytes = new Uint8Array(readFileSync(path));
    const reference = await wholeFileReference(bytes, path);
    for (const chunkBytes of [1037, 1518, 4515]) {
      const d = await decodeAudioBytes(bytes, path, { chunkBytes });
      expect(maxAbsDiff(reference, d.samples), `${chunkBytes}-byte chunks`).toBeLessThan(1e-6);
    }
  });

  it('mp3: a stream of many frames decodes the same in small chunks', async () => {
    const one = new Uint8Array(readFileSync(fixture('tone.mp3')));
    const bytes = new Uint8Array(one.length * 40);
    for (let k = 0; k < 40; k++) bytes.set(one, k * one.length);
    const reference = await wholeFileReference(bytes, 'long.mp3');
    expect(
      maxAbsDiff(reference, (await decodeAudioBytes(bytes, 'long.mp3', { chunkBytes: 997 })).samples),
    ).toBe(0);
  });

  it('WAV: trailing chunks after the data are not audio; a streaming size (0) reads to the end', async () => {
    const wav = new Uint8Array(readFileSync(fixture('tone_s16.wav')));
    const plain = await decodeAudioBytes(wav, 'a.wav', { chunkBytes: 1001 });
    const withList = new Uint8Array(wav.length + 20);
    withList.set(wav);
    withList.set(new TextEncoder().encode('LIST'), wav.length);
    new DataView(withList.buffer).setUint32(wav.length + 4, 12, true);
    expect((await decodeAudioBytes(withList, 'b.wav', { chunkBytes: 1001 })).samples).toEqual(plain.samples);
    const streaming = new Uint8Array(wav);
    new DataView(streaming.buffer).setUint32(40, 0, true);
    expect((await decodeAudioBytes(streaming, 'c.wav', { chunkBytes: 1001 })).samples).toEqual(plain.samples);
  });

  it('never holds the whole file or a source-rate copy: 10 minutes of stereo WAV add < 0.75× the file to peak memory', () => {
    // 10 min 44.1 kHz stereo 16-bit: 106 MB on disk, 53 MB of mono at 22.05 kHz. Whole-file
    // decoding held the file and a 44.1 kHz mono copy (2× the file); streaming holds the output.
    const dir = mkdtempSync(join(tmpdir(), 'accord-long-'));
    const frames = 600 * 44100;
    const big = join(dir, 'long.wav');
    const head = new Uint8Array(readFileSync(fixture('tone_s16.wav')).subarray(0, 44));
    const v = new DataView(head.buffer);
    v.setUint32(4, 36 + frames * 4, true);
    v.setUint32(40, frames * 4, true);
    const body = new Int16Array(frames * 2);
    for (let i = 0; i < body.length; i++) body[i] = Math.round(8000 * Math.sin(i * 0.01));
    writeFileSync(big, head);
    appendFileSync(big, new Uint8Array(body.buffer));
    const script = new URL('./audio.js', import.meta.url).pathname.replace(
      '/electron/',
      '/dist/node/electron/',
    );
    const peak = (file: string): number => {
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { decodeAudioFile } = await import(${JSON.stringify(script)});
           const d = await decodeAudioFile(${JSON.stringify(file)});
           process.stdout.write(JSON.stringify({ n: d.samples.length, rss: process.resourceUsage().maxRSS * 1024 }));`,
        ],
        { encoding: 'utf8' },
      );
      return (JSON.parse(out) as { n: number; rss: number }).rss;
    };
    const base = peak(fixture('tone_s16.wav'));
    const long = peak(big);
    expect(long - base).toBeLessThan(0.75 * frames * 4);
  }, 60_000);
});
