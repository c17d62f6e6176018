import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import decode, { type StreamDecoder } from 'audio-decode';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';
import { MAX_RATIO, Resampler, resample } from '../../shared/dsp/resample.js';
import { AUDIO_EXTENSIONS } from '../../shared/media.js';
import { ensureMemory, heapStart, kernelInstance, type KernelExports } from '../../shared/wasm/instance.js';

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

/** Bytes read from the file per step: the file is never held whole (a 60-minute WAV is 635 MB). */
const READ_CHUNK_BYTES = 1 << 20;

/** Decodes an audio file to mono at `FEATURE_PARAMS.sampleRate`, streaming; `signal` aborts (throws its reason). */
export async function decodeAudioFile(path: string, opts?: { signal?: AbortSignal }): Promise<DecodedAudio> {
  const ext = extname(path).toLowerCase();
  if (!AUDIO_EXTENSIONS.includes(ext)) {
    throw new AudioDecodeError(
      'unsupported-format',
      `${path}: expected an audio file (${AUDIO_EXTENSIONS.join(', ')}), found extension '${ext || '(none)'}'`,
    );
  }
  const readError = (err: unknown): never => {
    opts?.signal?.throwIfAborted();
    if (err instanceof AudioDecodeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new AudioDecodeError('not-found', `${path}: expected an audio file, found no such file`);
    throw new AudioDecodeError(
      'unreadable',
      `${path}: expected a readable audio file, found ${code ?? String(err)}`,
    );
  };
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    return readError(err);
  }
  try {
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      // One buffer for every read: the readers copy what they keep (no garbage per megabyte).
      const buf = new Uint8Array(READ_CHUNK_BYTES);
      for (;;) {
        opts?.signal?.throwIfAborted();
        let n: number;
        try {
          ({ bytesRead: n } = await file.read(buf, 0, buf.length, null));
        } catch (err) {
          return readError(err);
        }
        if (n === 0) return;
        yield n === buf.length ? buf : buf.subarray(0, n);
      }
    };
    return await decodeAudioStream(chunks(), path, ext, opts);
  } finally {
    await file.close();
  }
}

/** Decodes audio file bytes (format from `nameForErrors`'s extension, checked against the bytes). */
export async function decodeAudioBytes(
  bytes: Uint8Array,
  nameForErrors: string,
  opts?: { signal?: AbortSignal; chunkBytes?: number },
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
  const step = Math.max(1, opts?.chunkBytes ?? READ_CHUNK_BYTES);
  const chunks = function* (): Generator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += step) yield bytes.subarray(i, Math.min(bytes.length, i + step));
  };
  return decodeAudioStream(chunks(), name, ext, opts);
}

/**
 * Decodes a stream of file bytes (`ext` known): hashes them, decodes and downmixes each chunk and
 * resamples it straight into the mono feature-rate buffer, so no whole-file or per-channel copy
 * is ever held.
 */
async function decodeAudioStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  name: string,
  ext: string,
  opts?: { signal?: AbortSignal },
): Promise<DecodedAudio> {
  const hash = createHash('sha256');
  const reader: ChunkDecoder =
    ext === '.wav' || ext === '.wave' ? new WavStreamReader(name) : new CompressedStreamReader(name, ext);
  let total = 0;
  let result: StreamedAudio;
  try {
    for await (const chunk of chunks) {
      opts?.signal?.throwIfAborted();
      if (chunk.length === 0) continue;
      total += chunk.length;
      hash.update(chunk);
      await reader.push(chunk);
    }
    if (total === 0)
      throw new AudioDecodeError('empty', `${name}: expected audio data, found an empty file (0 bytes)`);
    result = await reader.finish();
  } finally {
    reader.dispose();
  }
  const { samples, sampleRate: sourceSampleRate, channels, sourceFrames } = result;
  opts?.signal?.throwIfAborted();
  if (sourceFrames === 0)
    throw new AudioDecodeError('empty', `${name}: expected audio samples, found 0 samples`);
  return {
    samples,
    sourceSampleRate,
    channels,
    durationSeconds: samples.length / FEATURE_PARAMS.sampleRate,
    sha256: hash.digest('hex'),
  };
}

/** What a format reader returns once the stream has ended. */
interface StreamedAudio {
  /** Mono at the feature rate. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
  /** Frames per channel decoded at the source rate. */
  sourceFrames: number;
}

/** A push decoder for one container: bytes in, mono feature-rate samples out at the end (the WAV reader answers at once, a compressed format's after its decoder). */
interface ChunkDecoder {
  push(chunk: Uint8Array): void | Promise<void>;
  finish(): StreamedAudio | Promise<StreamedAudio>;
  /** Frees the decoder (idempotent; after `finish` or a failure). */
  dispose(): void;
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

/** Decoder names of `audio-decode` for a compressed container, from its first bytes. */
function decoderFormat(ext: string, head: Uint8Array): 'flac' | 'mp3' | 'opus' | 'oga' {
  if (ext === '.flac') return 'flac';
  if (ext === '.mp3') return 'mp3';
  // Ogg: the codec's identification packet opens the first page's body (offset 28).
  if (ascii(head, 28, 8) === 'OpusHead') return 'opus';
  if (head[28] === 0x7f && ascii(head, 29, 4) === 'FLAC') return 'flac';
  return 'oga';
}

/** FLAC, mp3 and Ogg (Vorbis, Opus, FLAC) through `audio-decode`'s stream decoders, chunk by chunk. */
class CompressedStreamReader implements ChunkDecoder {
  private head: Uint8Array = new Uint8Array(0);
  private dec: StreamDecoder | undefined;
  private sink: FeatureRateSink | undefined;
  private sampleRate = 0;
  private channels = 0;
  private frames = 0;
  private flacTotal = 0;
  /** Native FLAC: chunks are cut where no frame header can straddle the cut (see `cutFlac`). */
  private flacCut = false;
  private flacTail: Uint8Array = new Uint8Array(0);
  constructor(
    private readonly name: string,
    private readonly ext: string,
  ) {}

  /**
   * The bytes of `tail + chunk` up to a cut with no possible frame sync (0xFF 0xF8/0xF9) in the 16
   * bytes before it, the rest kept for the next call. The decoder's frame scanner never sees a
   * header that starts before one chunk ends and finishes in the next, and silently drops that
   * frame (about one cut in 500 on a 5-minute file, measured).
   */
  private cutFlac(chunk: Uint8Array): Uint8Array {
    const b = concatBytes(this.flacTail, chunk);
    const HEADER_MAX = 16;
    let p = b.length - 1;
    for (let i = p - 1; i >= 0 && i >= p - HEADER_MAX; i--) {
      if (b[i] === 0xff && (b[i + 1] & 0xfe) === 0xf8) {
        p = i; // restart the window before this possible header
        if (p === 0) break;
      }
    }
    if (p <= 0) {
      this.flacTail = b.slice();
      return new Uint8Array(0);
    }
    this.flacTail = b.slice(p);
    return b.slice(0, p);
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.dec) return this.feed(chunk);
    // Enough bytes to check the magic and read FLAC's STREAMINFO / Ogg's first packet.
    this.head = concatBytes(this.head, chunk.slice());
    if (this.head.length >= 64) await this.start();
  }

  private async start(): Promise<void> {
    const { head, name, ext } = this;
    const magic = MAGIC[ext];
    if (magic && !magic.test(head)) {
      throw new AudioDecodeError(
        'corrupt',
        `${name}: expected a ${ext.slice(1)} header (${magic.what}), found ${describeBytes(head, 0, 4)}`,
      );
    }
    if (ext === '.flac') this.flacTotal = flacTotalSamples(head);
    this.flacCut = decoderFormat(ext, head) === 'flac' && ascii(head, 0, 4) === 'fLaC';
    this.dec = await decode[decoderFormat(ext, head)]();
    this.head = new Uint8Array(0);
    await this.feed(head);
  }

  private async feed(bytes: Uint8Array): Promise<void> {
    // A copy: the decoders keep references to their input, and the caller reuses its buffer.
    const chunk = this.flacCut ? this.cutFlac(bytes) : bytes.slice();
    if (chunk.length === 0) return;
    let data: { channelData: Float32Array[]; sampleRate: number };
    try {
      data = await this.dec!(chunk);
    } catch (err) {
      this.dec = undefined; // the stream decoder frees itself when it throws
      throw this.decodeError(err);
    }
    this.consume(data);
  }

  private decodeError(err: unknown): AudioDecodeError {
    return new AudioDecodeError(
      'corrupt',
      `${this.name}: expected a decodable ${this.ext.slice(1)} stream, found: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  private consume(data: { channelData: Float32Array[]; sampleRate: number }): void {
    const chans = data.channelData ?? [];
    const len = chans.length > 0 ? chans[0].length : 0;
    if (len === 0) return;
    if (!(data.sampleRate > 0) || (this.sampleRate > 0 && data.sampleRate !== this.sampleRate)) {
      throw new AudioDecodeError(
        'corrupt',
        `${this.name}: expected one sample rate throughout, found ${this.sampleRate} Hz then ${data.sampleRate} Hz`,
      );
    }
    if (!this.sink) {
      this.sampleRate = data.sampleRate;
      this.sink = featureRateSink(data.sampleRate, this.name, this.flacTotal || undefined);
    }
    this.channels = Math.max(this.channels, chans.length);
    this.frames += len;
    downmixInto(this.sink, chans, len);
  }

  async finish(): Promise<StreamedAudio> {
    if (!this.dec) await this.start();
    if (this.flacTail.length > 0) {
      const tail = this.flacTail;
      this.flacTail = new Uint8Array(0);
      this.flacCut = false;
      await this.feed(tail);
    }
    const dec = this.dec!;
    this.dec = undefined;
    let flushed: { channelData: Float32Array[]; sampleRate: number };
    try {
      flushed = await dec();
    } catch (err) {
      throw this.decodeError(err);
    }
    this.consume(flushed);
    const { name, ext, frames } = this;
    if (frames === 0 || !this.sink) {
      // The decoder returns nothing (rather than throwing) for streams it cannot parse.
      throw new AudioDecodeError(
        'corrupt',
        `${name}: expected decodable ${ext.slice(1)} audio, found 0 samples in ${this.channels} channels at ${this.sampleRate} Hz (corrupt or truncated)`,
      );
    }
    if (this.flacTotal > 0 && frames < this.flacTotal) {
      throw new AudioDecodeError(
        'corrupt',
        `${name}: expected ${this.flacTotal} samples per channel (FLAC STREAMINFO), found ${frames} (file truncated)`,
      );
    }
    const samples = this.sink.finish();
    return { samples, sampleRate: this.sampleRate, channels: this.channels, sourceFrames: frames };
  }

  dispose(): void {
    this.dec?.free();
    this.dec = undefined;
  }
}

/** Averages `len` frames of planar channels into the sink (the same float operations as a whole-file downmix). */
function downmixInto(sink: FeatureRateSink, chans: Float32Array[], len: number): void {
  const n = chans.length;
  const inv = 1 / n;
  for (let i = 0; i < len;) {
    const dst = sink.reserve(len - i);
    const m = dst.length;
    if (n === 1) dst.set(chans[0].subarray(i, i + m));
    else if (n === 2) {
      const a = chans[0];
      const b = chans[1];
      for (let k = 0; k < m; k++) dst[k] = (a[i + k] + b[i + k]) * 0.5;
    } else {
      for (let k = 0; k < m; k++) {
        let s = Math.fround(chans[0][i + k] * inv);
        for (let c = 1; c < n; c++) s = Math.fround(s + chans[c][i + k] * inv);
        dst[k] = s;
      }
    }
    sink.commit(m);
    i += m;
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
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

/** A WAV file's format: what `wavFramesToMono` needs. */
export interface WavFormat {
  format: number;
  channels: number;
  sampleRate: number;
  bits: number;
  blockAlign: number;
}

/** Where a WAV file's samples are: the format, the data chunk's offset and its declared size. */
export interface WavHeader {
  fmt: WavFormat;
  body: number;
  declared: number;
}

/**
 * Parses the RIFF/WAVE header in `bytes` up to the 'data' chunk. With `complete` false (a file's
 * first bytes) returns undefined when more bytes are needed; with `complete` true `bytes` is the
 * whole file and a missing piece is an error.
 */
export function parseWavHeader(bytes: Uint8Array, name: string, complete: boolean): WavHeader | undefined {
  if (!complete && bytes.length < 12) return undefined;
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
  let fmt: WavFormat | undefined;
  while (pos + 8 <= bytes.length) {
    const id = ascii(bytes, pos, 4);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (!complete && body + Math.min(size, 40) > bytes.length) return undefined;
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
      checkWavFormat(fmt, name);
      return { fmt, body, declared: size };
    }
    pos = body + size + (size & 1);
  }
  if (!complete) return undefined;
  throw new AudioDecodeError(
    'corrupt',
    `${name}: expected a 'data' chunk, found ${fmt ? 'none' : "neither 'fmt ' nor 'data'"} (file truncated?)`,
  );
}

function checkWavFormat(fmt: WavFormat, name: string): void {
  const { format, channels, sampleRate, bits } = fmt;
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
}

/** Bytes per frame (all channels) of a checked format. */
const wavFrameBytes = (fmt: WavFormat): number => (fmt.channels * fmt.bits) / 8;

/** The streaming writers' data sizes (0 or 0xFFFFFFFF): the data runs to the end of the file. */
const wavStreamingSize = (declared: number, available: number): boolean =>
  declared === 0xffffffff || (declared === 0 && available > 0);

/** Reads a whole RIFF/WAVE file (PCM 8/16/24/32-bit int, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE) straight to mono. */
export function readWav(bytes: Uint8Array, name: string): MonoAudio {
  const { fmt, body, declared } = parseWavHeader(bytes, name, true)!;
  const available = bytes.length - body;
  const streaming = wavStreamingSize(declared, available);
  if (!streaming && declared > available) {
    throw new AudioDecodeError(
      'corrupt',
      `${name}: expected ${declared} bytes of audio data, found ${available} (file truncated)`,
    );
  }
  const frames = Math.floor((streaming ? available : declared) / wavFrameBytes(fmt));
  const mono = new Float32Array(frames);
  wavFramesToMono(bytes.subarray(body, body + frames * wavFrameBytes(fmt)), fmt, mono);
  return { mono, sampleRate: fmt.sampleRate, channels: fmt.channels };
}

/** A WAV file's bytes chunk by chunk: header first, then whole frames straight into the sink. */
class WavStreamReader implements ChunkDecoder {
  private head: Uint8Array = new Uint8Array(0);
  private header: WavHeader | undefined;
  private sink: FeatureRateSink | undefined;
  /** Bytes of a frame cut by the chunk boundary. */
  private carry: Uint8Array = new Uint8Array(0);
  /** Data bytes taken so far (at most the declared size). */
  private received = 0;
  constructor(private readonly name: string) {}

  push(chunk: Uint8Array): void {
    if (this.header) return this.take(chunk);
    this.head = concatBytes(this.head, chunk.slice());
    const header = parseWavHeader(this.head, this.name, false);
    if (header) this.begin(header);
  }

  private begin(header: WavHeader): void {
    this.header = header;
    const { fmt, declared } = header;
    const streaming = declared === 0xffffffff || declared === 0;
    const frames = streaming ? undefined : Math.floor(declared / wavFrameBytes(fmt));
    this.sink = featureRateSink(fmt.sampleRate, this.name, frames);
    const rest = this.head.subarray(header.body);
    this.head = new Uint8Array(0);
    this.take(rest);
  }

  private take(chunk: Uint8Array): void {
    const { fmt, declared } = this.header!;
    const limited = !(declared === 0xffffffff || declared === 0);
    const n = limited ? Math.min(chunk.length, declared - this.received) : chunk.length;
    if (n <= 0) return; // chunks after 'data' (LIST, id3): not audio
    this.received += n;
    const bytes = concatBytes(this.carry, chunk.subarray(0, n));
    const frameBytes = wavFrameBytes(fmt);
    const frames = Math.floor(bytes.length / frameBytes);
    const sink = this.sink!;
    for (let i = 0; i < frames;) {
      const dst = sink.reserve(frames - i);
      wavFramesToMono(bytes.subarray(i * frameBytes, (i + dst.length) * frameBytes), fmt, dst);
      sink.commit(dst.length);
      i += dst.length;
    }
    // A copy: the chunk's buffer is not ours to keep.
    this.carry = bytes.slice(frames * frameBytes);
  }

  finish(): StreamedAudio {
    if (!this.header) this.begin(parseWavHeader(this.head, this.name, true)!);
    const { fmt, declared } = this.header!;
    if (!wavStreamingSize(declared, this.received) && declared > this.received) {
      throw new AudioDecodeError(
        'corrupt',
        `${this.name}: expected ${declared} bytes of audio data, found ${this.received} (file truncated)`,
      );
    }
    const sink = this.sink!;
    const sourceFrames = sink.sourceFrames;
    return { samples: sink.finish(), sampleRate: fmt.sampleRate, channels: fmt.channels, sourceFrames };
  }

  dispose(): void {
    // Nothing native to free: the resampler is plain arrays.
  }
}

let pcm16Kernel: KernelExports | null | undefined;

/**
 * One- or two-channel 16-bit frames to mono by `pcm16_mono` of shared/wasm/kernels.c (the values
 * of the JavaScript below, bit for bit, about ten times as fast); false where the kernel cannot
 * run, and the JavaScript does it.
 */
function pcm16InWasm(
  bytes: Uint8Array,
  frames: number,
  channels: number,
  scale: number,
  out: Float32Array,
): boolean {
  if (pcm16Kernel === undefined) pcm16Kernel = kernelInstance() ?? null;
  const ex = pcm16Kernel;
  if (!ex) return false;
  const n = 2 * frames * channels;
  const inAt = heapStart(ex);
  const outAt = inAt + Math.ceil(n / 16) * 16;
  ensureMemory(ex, outAt + 4 * frames);
  new Uint8Array(ex.memory.buffer, inAt, n).set(bytes.subarray(0, n));
  ex.pcm16Mono(inAt, outAt, frames, channels, scale);
  out.set(new Float32Array(ex.memory.buffer, outAt, frames));
  return true;
}

/** Converts whole interleaved frames (`bytes.length` = frames · frame size) to mono in `out[0..frames)`. */
function wavFramesToMono(bytes: Uint8Array, fmt: WavFormat, out: Float32Array): void {
  const { format, channels, bits } = fmt;
  const frames = Math.floor(bytes.length / wavFrameBytes(fmt));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mono = out;
  const inv = 1 / channels;
  let p = 0;
  if (format === WAVE_FORMAT_PCM && bits === 16) {
    const scale = inv / 32768;
    if ((channels === 1 || channels === 2) && pcm16InWasm(bytes, frames, channels, scale, mono)) return;
    // Typed-array view (little-endian hosts; copy when the data is not 2-byte aligned): ~5× DataView.
    const pcm =
      bytes.byteOffset % 2 === 0
        ? new Int16Array(bytes.buffer, bytes.byteOffset, frames * channels)
        : new Int16Array(bytes.slice(0, frames * channels * 2).buffer);
    if (channels === 1) for (let i = 0; i < frames; i++) mono[i] = pcm[i] * scale;
    else if (channels === 2) for (let i = 0; i < frames; i++) mono[i] = (pcm[2 * i] + pcm[2 * i + 1]) * scale;
    else {
      for (let i = 0, q = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += pcm[q++];
        mono[i] = s * scale;
      }
    }
  } else if (format === WAVE_FORMAT_IEEE_FLOAT && bits === 32 && bytes.byteOffset % 4 === 0) {
    const pcm = new Float32Array(bytes.buffer, bytes.byteOffset, frames * channels);
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
}

/** Source samples buffered before they go through the resampler. */
const SINK_STAGE = 1 << 16;
/** Output block size when the final length is not known in advance. */
const SINK_BLOCK = 1 << 20;

/**
 * Mono source-rate samples in, mono `FEATURE_PARAMS.sampleRate` samples out, in one buffer: the
 * producer fills `reserve(n)` and calls `commit(count)`; each full stage goes through the
 * streaming resampler (`shared/dsp/resample.ts`), so the result is the same as resampling the
 * whole signal at once (`resampleToFeatureRate`): round(frames · ratio) samples.
 */
export class FeatureRateSink {
  /** Source frames committed so far. */
  sourceFrames = 0;
  private readonly stage = new Float32Array(SINK_STAGE);
  private filled = 0;
  private readonly resampler: Resampler | undefined;
  private readonly blocks: Float32Array[] = [];
  private block: Float32Array;
  private blockPos = 0;
  private readonly emit = (samples: Float32Array): void => {
    for (let i = 0; i < samples.length;) {
      if (this.blockPos === this.block.length) {
        this.blocks.push(this.block);
        this.block = new Float32Array(SINK_BLOCK);
        this.blockPos = 0;
      }
      const n = Math.min(samples.length - i, this.block.length - this.blockPos);
      this.block.set(samples.subarray(i, i + n), this.blockPos);
      this.blockPos += n;
      i += n;
    }
  };

  /**
   * A sink from `sourceSampleRate` (an integer number of Hz within a factor `MAX_RATIO` of the
   * feature rate); `expectedSourceFrames` (when the header says) sizes the output once.
   */
  constructor(
    readonly sourceSampleRate: number,
    expectedSourceFrames?: number,
  ) {
    const target = FEATURE_PARAMS.sampleRate;
    if (sourceSampleRate !== target) this.resampler = new Resampler(sourceSampleRate, target);
    // With a known length the output is allocated once, at its final size; otherwise in blocks.
    const first = expectedSourceFrames ? Math.round((expectedSourceFrames * target) / sourceSampleRate) : 0;
    this.block = new Float32Array(first > 0 ? first : SINK_BLOCK);
  }

  /** Room for up to `max` source samples (at least one): fill it, then `commit`. */
  reserve(max: number): Float32Array {
    return this.stage.subarray(this.filled, Math.min(this.stage.length, this.filled + max));
  }

  /** Takes `count` samples written into the last `reserve`. */
  commit(count: number): void {
    this.filled += count;
    this.sourceFrames += count;
    if (this.filled === this.stage.length) this.drain();
  }

  private drain(): void {
    if (this.filled === 0) return;
    const input = this.stage.subarray(0, this.filled);
    this.filled = 0;
    if (this.resampler) this.resampler.push(input, this.emit);
    else this.emit(input);
  }

  /** The feature-rate samples, round(sourceFrames · ratio) of them. */
  finish(): Float32Array {
    this.drain();
    this.resampler?.end(this.emit);
    const expected = Math.round((this.sourceFrames * FEATURE_PARAMS.sampleRate) / this.sourceSampleRate);
    if (this.blocks.length === 0 && this.block.length === expected) return this.block;
    const out = new Float32Array(expected);
    let pos = 0;
    for (const b of [...this.blocks, this.block.subarray(0, this.blockPos)]) {
      if (pos >= expected) break;
      const n = Math.min(b.length, expected - pos);
      out.set(b.subarray(0, n), pos);
      pos += n;
    }
    this.blocks.length = 0;
    return out;
  }
}

/** A sink for `sampleRate`, or the error that names the file when the rate cannot be converted. */
function featureRateSink(sampleRate: number, name: string, expectedSourceFrames?: number): FeatureRateSink {
  const target = FEATURE_PARAMS.sampleRate;
  if (!Number.isInteger(sampleRate) || sampleRate * MAX_RATIO < target || sampleRate > MAX_RATIO * target) {
    throw new AudioDecodeError(
      'unsupported-format',
      `${name}: expected a whole sample rate from ${Math.ceil(target / MAX_RATIO)} to ${MAX_RATIO * target} Hz, found ${sampleRate} Hz`,
    );
  }
  return new FeatureRateSink(sampleRate, expectedSourceFrames);
}

/** Resamples mono audio to `FEATURE_PARAMS.sampleRate`: round(len · ratio) samples (`shared/dsp/resample.ts`). */
export function resampleToFeatureRate(mono: Float32Array, sourceSampleRate: number): Float32Array {
  if (sourceSampleRate === FEATURE_PARAMS.sampleRate) return mono;
  return resample(mono, sourceSampleRate, FEATURE_PARAMS.sampleRate);
}
