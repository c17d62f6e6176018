/**
 * JSON wire form for the bridge: typed arrays travel as `{ $typed: 'Float64Array', b64 }`
 * (Electron's structured clone carries them natively; JSON does not). The browser side of the
 * same encoding lives in `../../hosts/bridge/client.ts`.
 */
import { Buffer } from 'node:buffer';

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;

/** JSON text of `value` with typed arrays encoded. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name;
      if (name in TYPED) {
        return { $typed: name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      }
    }
    // Buffer.toJSON runs before the replacer: treat its output as bytes too.
    if (
      v &&
      typeof v === 'object' &&
      (v as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return { $typed: 'Uint8Array', b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

/** Parses wire JSON, turning `$typed` objects back into typed arrays. */
export function fromWireJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && typeof (v as { $typed?: unknown }).$typed === 'string') {
      const { $typed, b64 } = v as { $typed: string; b64: string };
      if (!($typed in TYPED) || typeof b64 !== 'string')
        throw new TypeError(`wire: expected a typed-array name and base64, got ${$typed}`);
      const bytes = Buffer.from(b64, 'base64');
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      const Ctor = TYPED[$typed as TypedName];
      return new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  });
}
