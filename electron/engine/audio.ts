import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import decode from 'audio-decode';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import { AUDIO_EXTENSIONS } from '../../shared/media.js';

/** Decoded audio, mono at `FEATURE_PARAMS.sampleRate`. */
export interface DecodedAudio {
  /** Mono samples at `FEATURE_PARAMS.sampleRate` (channels averaged). */
  samples: Float32Array;
  /** Sample rate (Hz) of the file. */
  sourceSampleRate: number;
  /** Channel count of the file. */
  channels: number;
  /** Duration in seconds (samples.length / FEATURE_PARAMS.sampleRate). */
  durationSeconds: number;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
}

/** Why decoding failed. */
export type AudioDecodeErrorCode = 'not-found' | 'unreadable' | 'unsupported-format' | 'corrupt' | 'empty';

/** A decoding failure; the message names the file, what was expected and what was found. */
export class AudioDecodeError extends Error {
  /** Machine-readable reason. */
  readonly code: AudioDecodeErrorCode;
  constructor(code: AudioDecodeErrorCode, message: string) {
    super(message);
    this.name = 'AudioDecodeError';
    this.code = code;
  }
}

/** File extensions accepted (lower case, with dot): the engine's one list, `shared/media.ts`. */
export { AUDIO_EXTENSIONS };

/** Decodes an audio file to mono at `FEATURE_PARAMS.sampleRate`; `signal` aborts (throws its reason). */
export async function decodeAudioFile(path: string, opts?: { signal?: AbortSignal }): Promise<DecodedAudio> {
  const ext = extname(path).toLowerCase();
  if (!AUDIO_EXTENSIONS.includes(ext)) {
    throw new AudioDecodeError(
      'unsupported-format',
      `${path}: expected an audio file (${AUDIO_EXTENSIONS.join(', ')}), found extension '${ext || '(none)'}'`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path, { signal: opts?.signal });
  } catch (err) {
    opts?.signal?.throwIfAborted();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new AudioDecodeError('not-found', `${path}: expected an audio file, found no such file`);
    throw new AudioDecodeError(
      'unreadable',
      `${path}: expected a readable audio file, found ${code ?? String(err)}`,
    );
  }
  return decodeAudioBytes(bytes, path, opts);
}

/** Decodes audio file bytes (format from `nameForErrors`'s extension, checked against the bytes). */
export async function decodeAudioBytes(
  bytes: Uint8Array,
  nameForErrors: string,
  opts?: { signal?: AbortSignal },
): Promise<DecodedAudio> {
  const name = nameForErrors;
  // A name without an extension (a dropped blob, a stream) is typed by its magic bytes.
  const ext = extname(name).toLowerCase() || sniffExtension(bytes);
  if (!AUDIO_EXTENSIONS.includes(ext)) {
    throw new AudioDecodeError(
      'unsupported-format',
      `${name}: expected an audio file (${AUDIO_EXTENSIONS.join(', ')}), found extension '${ext || '(none)'}'`,
    );
  }
  if (bytes.length === 0)
    throw new AudioDecodeError('empty', `${name}: expected audio data, found an empty file (0 bytes)`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let mono: Float32Array;
  let sourceSampleRate: number;
  let channels: number;
  if (ext === '.wav' || ext === '.wave') {
    ({ mono, sampleRate: sourceSampleRate, channels } = readWav(bytes, name));
  } else {
    ({ mono, sampleRate: sourceSampleRate, channels } = await decodeCompressed(bytes, name, ext));
  }
  opts?.signal?.throwIfAborted();
  if (mono.length === 0)
    throw new AudioDecodeError('empty', `${name}: expected audio samples, found 0 samples`);
  const samples = await resampleToFeatureRate(mono, sourceSampleRate);
  opts?.signal?.throwIfAborted();
  return {
    samples,
    sourceSampleRate,
    channels,
    durationSeconds: samples.length / FEATURE_PARAMS.sampleRate,
    sha256,
  };
}

interface MonoAudio {
  mono: Float32Array;
  sampleRate: number;
  channels: number;
}

const MAGIC: Record<string, { test: (b: Uint8Array) => boolean; what: string }> = {
  '.flac': { test: (b) => ascii(b, 0, 4) === 'fLaC', what: "'fLaC'" },
  '.mp3': {
    test: (b) => ascii(b, 0, 3) === 'ID3' || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0),
    what: "'ID3' or an MPEG frame sync",
  },
  '.ogg': { test: (b) => ascii(b, 0, 4) === 'OggS', what: "'OggS'" },
  '.oga': { test: (b) => ascii(b, 0, 4) === 'OggS', what: "'OggS'" },
  '.opus': { test: (b) => ascii(b, 0, 4) === 'OggS', what: "'OggS'" },
};

async function decodeCompressed(bytes: Uint8Array, name: string, ext: string): Promise<MonoAudio> {
  const magic = MAGIC[ext];
  if (magic && !magic.test(bytes)) {
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected a ${ext.slice(1)} header (${magic.what}), found ${describeBytes(bytes, 0, 4)}`,
    );
  }
  let data: { channelData: Float32Array[]; sampleRate: number };
  try {
    data = await decode(bytes);
  } catch (err) {
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected a decodable ${ext.slice(1)} stream, found: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const chans = data.channelData ?? [];
  const len = chans.length > 0 ? chans[0].length : 0;
  if (len === 0 || !(data.sampleRate > 0)) {
    // The decoder returns nothing (rather than throwing) for streams it cannot parse.
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected decodable ${ext.slice(1)} audio, found ${len} samples in ${chans.length} channels at ${data.sampleRate} Hz (corrupt or truncated)`,
    );
  }
  if (ext === '.flac') {
    const total = flacTotalSamples(bytes);
    if (total > 0 && len < total) {
      throw new AudioDecodeError(
        'corrupt',
        `${name}: expected ${total} samples per channel (FLAC STREAMINFO), found ${len} (file truncated)`,
      );
    }
  }
  const mono = new Float32Array(len);
  if (chans.length === 1) mono.set(chans[0]);
  else {
    const inv = 1 / chans.length;
    for (const ch of chans) for (let i = 0; i < len; i++) mono[i] += ch[i] * inv;
  }
  return { mono, sampleRate: data.sampleRate, channels: chans.length };
}

/** Extension for the container the magic bytes announce ('' when unknown). */
function sniffExtension(b: Uint8Array): string {
  if (ascii(b, 0, 4) === 'RIFF' || ascii(b, 0, 4) === 'RF64' || ascii(b, 0, 4) === 'RIFX') return '.wav';
  for (const [ext, m] of Object.entries(MAGIC)) if (m.test(b)) return ext;
  return '';
}

/** Total samples per channel from a FLAC STREAMINFO block (0 when unknown or absent). */
function flacTotalSamples(b: Uint8Array): number {
  if (b.length < 26 || (b[4] & 0x7f) !== 0) return 0;
  // 36-bit field: low 4 bits of byte 21, then bytes 22..25.
  return (b[21] & 0x0f) * 2 ** 32 + ((b[22] << 24) >>> 0) + (b[23] << 16) + (b[24] << 8) + b[25];
}

function ascii(b: Uint8Array, at: number, len: number): string {
  let s = '';
  for (let i = at; i < Math.min(b.length, at + len); i++) s += String.fromCharCode(b[i]);
  return s;
}

function describeBytes(b: Uint8Array, at: number, len: number): string {
  const s = ascii(b, at, len);
  return /^[\x20-\x7e]*$/.test(s) && s.length > 0
    ? `'${s}'`
    : `bytes ${Array.from(b.subarray(at, at + len), (x) => x.toString(16).padStart(2, '0')).join(' ') || '(none)'}`;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Reads a RIFF/WAVE file (PCM 8/16/24/32-bit int, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE) straight to mono. */
export function readWav(bytes: Uint8Array, name: string): MonoAudio {
  const riff = ascii(bytes, 0, 4);
  if (riff === 'RF64' || riff === 'RIFX') {
    throw new AudioDecodeError(
      'unsupported-format',
      `${name}: expected a little-endian RIFF WAV (< 4 GiB), found a '${riff}' file; convert it to FLAC or RIFF WAV`,
    );
  }
  if (bytes.length < 12 || riff !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') {
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected a RIFF/WAVE header, found ${describeBytes(bytes, 0, 4)}${bytes.length >= 12 ? ` / ${describeBytes(bytes, 8, 4)}` : ` (${bytes.length} bytes)`}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  let fmt:
    { format: number; channels: number; sampleRate: number; bits: number; blockAlign: number } | undefined;
  while (pos + 8 <= bytes.length) {
    const id = ascii(bytes, pos, 4);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length)
        throw new AudioDecodeError(
          'corrupt',
          `${name}: expected a 'fmt ' chunk of ≥ 16 bytes, found ${Math.min(size, bytes.length - body)} (file truncated?)`,
        );
      let format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bits = view.getUint16(body + 14, true);
      if (format === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 26 > bytes.length)
          throw new AudioDecodeError(
            'corrupt',
            `${name}: expected a 40-byte WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk, found ${size} bytes`,
          );
        format = view.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      fmt = { format, channels, sampleRate, bits, blockAlign };
    } else if (id === 'data') {
      if (!fmt)
        throw new AudioDecodeError('corrupt', `${name}: expected a 'fmt ' chunk before 'data', found none`);
      return readWavData(bytes, view, body, size, fmt, name);
    }
    pos = body + size + (size & 1);
  }
  throw new AudioDecodeError(
    'corrupt',
    `${name}: expected a 'data' chunk, found ${fmt ? 'none' : "neither 'fmt ' nor 'data'"} (file truncated?)`,
  );
}

function readWavData(
  bytes: Uint8Array,
  view: DataView,
  body: number,
  declared: number,
  fmt: { format: number; channels: number; sampleRate: number; bits: number; blockAlign: number },
  name: string,
): MonoAudio {
  const { format, channels, sampleRate, bits } = fmt;
  const bytesPerSample = bits / 8;
  const supported =
    (format === WAVE_FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) ||
    (format === WAVE_FORMAT_IEEE_FLOAT && (bits === 32 || bits === 64));
  if (!supported) {
    throw new AudioDecodeError(
      'unsupported-format',
      `${name}: expected PCM 8/16/24/32-bit or float 32/64-bit WAV, found format ${format} with ${bits} bits`,
    );
  }
  if (channels < 1 || !(sampleRate > 0))
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected ≥ 1 channel and a sample rate > 0, found ${channels} channels at ${sampleRate} Hz`,
    );
  const blockAlign = channels * bytesPerSample;
  const available = bytes.length - body;
  // Streaming writers leave the size at 0 or 0xFFFFFFFF: then read to the end of the file.
  const streaming = declared === 0xffffffff || (declared === 0 && available > 0);
  if (!streaming && declared > available) {
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected ${declared} bytes of audio data, found ${available} (file truncated)`,
    );
  }
  const dataBytes = streaming ? available : declared;
  const frames = Math.floor(dataBytes / blockAlign);
  const mono = new Float32Array(frames);
  const inv = 1 / channels;
  let p = body;
  if (format === WAVE_FORMAT_PCM && bits === 16) {
    const scale = inv / 32768;
    // Typed-array view (little-endian hosts; copy when the data is not 2-byte aligned): ~5× DataView.
    const at = bytes.byteOffset + body;
    const pcm =
      at % 2 === 0
        ? new Int16Array(bytes.buffer, at, frames * channels)
        : new Int16Array(bytes.slice(body, body + frames * blockAlign).buffer);
    if (channels === 1) for (let i = 0; i < frames; i++) mono[i] = pcm[i] * scale;
    else if (channels === 2) for (let i = 0; i < frames; i++) mono[i] = (pcm[2 * i] + pcm[2 * i + 1]) * scale;
    else {
      for (let i = 0, q = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += pcm[q++];
        mono[i] = s * scale;
      }
    }
  } else if (format === WAVE_FORMAT_IEEE_FLOAT && bits === 32 && (bytes.byteOffset + body) % 4 === 0) {
    const pcm = new Float32Array(bytes.buffer, bytes.byteOffset + body, frames * channels);
    for (let i = 0, q = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++) s += pcm[q++];
      mono[i] = s * inv;
    }
  } else if (format === WAVE_FORMAT_PCM && bits === 24) {
    const scale = inv / 8388608;
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++, p += 3)
        s += ((bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)) << 8) >> 8;
      mono[i] = s * scale;
    }
  } else if (format === WAVE_FORMAT_PCM && bits === 32) {
    const scale = inv / 2147483648;
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++, p += 4) s += view.getInt32(p, true);
      mono[i] = s * scale;
    }
  } else if (format === WAVE_FORMAT_PCM && bits === 8) {
    const scale = inv / 128;
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++, p += 1) s += bytes[p] - 128;
      mono[i] = s * scale;
    }
  } else if (bits === 32) {
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++, p += 4) s += view.getFloat32(p, true);
      mono[i] = s * inv;
    }
  } else {
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels; c++, p += 8) s += view.getFloat64(p, true);
      mono[i] = s * inv;
    }
  }
  return { mono, sampleRate, channels };
}

/** Resamples mono audio to `FEATURE_PARAMS.sampleRate` (libsamplerate SINC_FASTEST), padded/trimmed to round(len·ratio). */
export async function resampleToFeatureRate(
  mono: Float32Array,
  sourceSampleRate: number,
): Promise<Float32Array> {
  const target = FEATURE_PARAMS.sampleRate;
  if (sourceSampleRate === target) return mono;
  const expected = Math.round((mono.length * target) / sourceSampleRate);
  // CommonJS package: Node's ESM loader only exposes its default export.
  const { create, ConverterType } = libsamplerate;
  const src = await create(1, sourceSampleRate, target, { converterType: ConverterType.SRC_SINC_FASTEST });
  try {
    // Stream big chunks through the stateful `full` API straight into the output: `simple` would
    // cut 0.1 s chunks and concatenate them (twice the output memory). Chunks stay under the
    // library's 1,008,000-sample buffer; the unflushed tail (a few hundred samples) stays zero.
    const ratio = target / sourceSampleRate;
    const chunk = Math.floor(1_000_000 / Math.max(1, ratio));
    const out = new Float32Array(expected);
    const produced = { frames: 0 };
    let scratch: Float32Array | undefined;
    let pos = 0;
    for (let i = 0; i < mono.length && pos < expected; i += chunk) {
      const input = mono.subarray(i, Math.min(mono.length, i + chunk));
      const room = Math.ceil(ratio * input.length) + 1;
      if (expected - pos >= room) {
        src.full(input, out.subarray(pos), produced);
        pos += produced.frames;
      } else {
        scratch ??= new Float32Array(Math.ceil(ratio * chunk) + 1);
        src.full(input, scratch, produced);
        const n = Math.min(produced.frames, expected - pos);
        out.set(scratch.subarray(0, n), pos);
        pos += n;
      }
    }
    return out;
  } finally {
    src.destroy();
  }
}
