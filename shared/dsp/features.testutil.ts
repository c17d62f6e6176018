/** Test helpers for shared/dsp (no Node APIs: callers pass bytes). */

/** Reads a 16-bit PCM mono RIFF/WAVE file's samples as floats in [−1, 1). */
export function parseWav16Mono(bytes: Uint8Array): { sampleRate: number; samples: Float32Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  let sampleRate = 0;
  while (pos + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      const channels = view.getUint16(pos + 10, true);
      const bits = view.getUint16(pos + 22, true);
      if (channels !== 1 || bits !== 16)
        throw new Error(`expected mono 16-bit WAV, found ${channels} channels ${bits} bits`);
      sampleRate = view.getUint32(pos + 12, true);
    } else if (id === 'data') {
      const n = Math.floor(Math.min(size, bytes.length - pos - 8) / 2);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = view.getInt16(pos + 8 + 2 * i, true) / 32768;
      return { sampleRate, samples };
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error('expected a data chunk, found none');
}

/** Cosine distance 1 − a·b between rows i of a and j of b ([frames × 12], unit rows). */
export function cosineCost(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let s = 0;
  for (let c = 0; c < 12; c++) s += a[i * 12 + c] * b[j * 12 + c];
  return 1 - s;
}
