/**
 * Channel-wise RIFF/WAVE reading (the header parsed by the engine's decoder) and a 16-bit writer
 * for building evaluation audio (no resampling).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseWavHeader } from '../../engine/audio.js';

/** Decoded PCM: one Float32Array per channel, samples in [-1, 1]. */
export interface PcmAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** Parses a WAV buffer channel by channel: integer PCM (16/24/32-bit) or 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE. */
export function parseWav(buf: Buffer, name = 'WAV'): PcmAudio {
  const { fmt, body, declared } = parseWavHeader(buf, name, true)!;
  const bytes = fmt.bits / 8;
  const end = Math.min(buf.length, body + declared);
  const frames = Math.floor((end - body) / (bytes * fmt.channels));
  const channels = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
  const read = sampleReader(buf, fmt.format, fmt.bits, name);
  for (let i = 0, o = body; i < frames; i++) {
    for (let c = 0; c < fmt.channels; c++, o += bytes) channels[c][i] = read(o);
  }
  return { sampleRate: fmt.sampleRate, channels };
}

function sampleReader(buf: Buffer, format: number, bits: number, name: string): (offset: number) => number {
  if (format === 1 && bits === 16) return (o) => buf.readInt16LE(o) / 32768;
  if (format === 1 && bits === 24) return (o) => buf.readIntLE(o, 3) / 8388608;
  if (format === 1 && bits === 32) return (o) => buf.readInt32LE(o) / 2147483648;
  if (format === 3 && bits === 32) return (o) => buf.readFloatLE(o);
  throw new Error(
    `${name}: expected PCM 16/24/32-bit or float 32-bit, got format ${format} with ${bits} bits`,
  );
}

/** Reads a WAV file. */
export function readWav(path: string): PcmAudio {
  return parseWav(readFileSync(path), path);
}

/** Encodes 16-bit PCM WAV (TPDF-free rounding, clipped to full scale). */
export function encodeWav16(audio: PcmAudio): Buffer {
  const nch = audio.channels.length;
  const frames = audio.channels[0]?.length ?? 0;
  const dataBytes = frames * nch * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(nch, 22);
  buf.writeUInt32LE(audio.sampleRate, 24);
  buf.writeUInt32LE(audio.sampleRate * nch * 2, 28);
  buf.writeUInt16LE(nch * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0, o = 44; i < frames; i++) {
    for (let c = 0; c < nch; c++, o += 2) {
      const v = Math.round(audio.channels[c][i] * 32768);
      buf.writeInt16LE(v > 32767 ? 32767 : v < -32768 ? -32768 : v, o);
    }
  }
  return buf;
}

/** Writes 16-bit PCM WAV. */
export function writeWav16(path: string, audio: PcmAudio): void {
  writeFileSync(path, encodeWav16(audio));
}

/** Duration in seconds from a WAV file's header (`buf`: the file's first bytes, through the data chunk's header). */
export function wavDurationSeconds(buf: Buffer, name = 'WAV'): number {
  const { fmt, declared } = parseWavHeader(buf, name, true)!;
  return Math.floor(declared / fmt.blockAlign) / fmt.sampleRate;
}
