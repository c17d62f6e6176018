/**
 * The `alignments.path` BLOB: little-endian header `ACP1`, uint32 frames, float64 hopSeconds,
 * uint32 jump count, 4 reserved bytes; then Float64 score times [frames], Float32 confidence
 * [frames], Uint32 jump frames [jumps]. Method and model version live in their own columns.
 */
import type { AlignMethod, AlignmentPath } from '../../../shared/path.js';

const MAGIC = 0x31504341; // 'ACP1' read as a little-endian uint32
const HEADER_BYTES = 24;
/** On a little-endian host the arrays are copied as they are (an hour's path in ~1 ms instead of ~20 ms a value at a time). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes a path's arrays into the BLOB layout. */
export function encodePath(path: AlignmentPath): Uint8Array {
  const n = path.scoreTime.length;
  if (path.confidence.length !== n) {
    throw new RangeError(
      `path: expected ${n} confidence values (one per frame), got ${path.confidence.length}`,
    );
  }
  if (!(path.hopSeconds > 0)) throw new RangeError(`path: expected hopSeconds > 0, got ${path.hopSeconds}`);
  const j = path.jumpFrames.length;
  const out = new Uint8Array(HEADER_BYTES + n * 8 + n * 4 + j * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, n, true);
  view.setFloat64(8, path.hopSeconds, true);
  view.setUint32(16, j, true);
  let p = HEADER_BYTES;
  if (LITTLE_ENDIAN) {
    // Offsets 24, 24 + 8n and 24 + 12n are aligned for 8-, 4- and 4-byte elements.
    new Float64Array(out.buffer, p, n).set(path.scoreTime);
    new Float32Array(out.buffer, p + n * 8, n).set(path.confidence);
    new Uint32Array(out.buffer, p + n * 12, j).set(path.jumpFrames);
    return out;
  }
  for (let i = 0; i < n; i++, p += 8) view.setFloat64(p, path.scoreTime[i], true);
  for (let i = 0; i < n; i++, p += 4) view.setFloat32(p, path.confidence[i], true);
  for (let i = 0; i < j; i++, p += 4) view.setUint32(p, path.jumpFrames[i], true);
  return out;
}

/** Decodes a BLOB written by `encodePath`; throws saying what was expected when it is not one. */
export function decodePath(
  blob: Uint8Array,
  method: AlignMethod,
  modelVersion?: string | null,
): AlignmentPath {
  if (blob.byteLength < HEADER_BYTES)
    throw new RangeError(`path blob: expected ≥ ${HEADER_BYTES} bytes, got ${blob.byteLength}`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC) throw new RangeError(`path blob: expected magic ACP1, got 0x${magic.toString(16)}`);
  const n = view.getUint32(4, true);
  const hopSeconds = view.getFloat64(8, true);
  const j = view.getUint32(16, true);
  const expected = HEADER_BYTES + n * 12 + j * 4;
  if (blob.byteLength !== expected) {
    throw new RangeError(
      `path blob: expected ${expected} bytes for ${n} frames and ${j} jumps, got ${blob.byteLength}`,
    );
  }
  let scoreTime: Float64Array;
  let confidence: Float32Array;
  let jumpFrames: number[];
  let p = blob.byteOffset + HEADER_BYTES;
  if (LITTLE_ENDIAN) {
    // Copies (slice) land aligned whatever the blob's own offset.
    scoreTime = new Float64Array(blob.buffer.slice(p, p + n * 8));
    confidence = new Float32Array(blob.buffer.slice(p + n * 8, p + n * 12));
    jumpFrames = Array.from(new Uint32Array(blob.buffer.slice(p + n * 12, p + n * 12 + j * 4)));
  } else {
    scoreTime = new Float64Array(n);
    confidence = new Float32Array(n);
    jumpFrames = new Array<number>(j);
    p = HEADER_BYTES;
    for (let i = 0; i < n; i++, p += 8) scoreTime[i] = view.getFloat64(p, true);
    for (let i = 0; i < n; i++, p += 4) confidence[i] = view.getFloat32(p, true);
    for (let i = 0; i < j; i++, p += 4) jumpFrames[i] = view.getUint32(p, true);
  }
  const path: AlignmentPath = { hopSeconds, scoreTime, confidence, jumpFrames, method };
  if (modelVersion) path.modelVersion = modelVersion;
  return path;
}

/** Float32Array ↔ BLOB (little-endian hosts store the bytes as they are). */
export function float32ToBlob(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** A BLOB written by `float32ToBlob`, copied into an aligned Float32Array. */
export function blobToFloat32(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0)
    throw new RangeError(`float32 blob: expected a multiple of 4 bytes, got ${b.byteLength}`);
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}
