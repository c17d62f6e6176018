/**
 * The WebAssembly kernels (`kernels.c`, built into `kernelsWasm.ts`): the module, compiled once
 * per thread on first use, and instances of it, each with a memory of its own (one for the cell
 * costs, `align/costKernel.ts`, one for the coarse search's steps, `align/stepKernel.ts`, one per
 * half-band resampling stage, `dsp/resample.ts`). Where WebAssembly with SIMD cannot run, there is
 * none and the JavaScript computes the same values.
 */
import { KERNELS_WASM } from './kernelsWasm.js';

/** What this module uses of WebAssembly (shared/ compiles without the DOM's declarations of it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** An instance's exports: its memory, where its free memory starts, and the kernels. */
export interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  __heap_base: { value: number };
  rowCosts(...args: number[]): void;
  stepRow(...args: number[]): void;
  halfBand(...args: number[]): void;
  pcm16Mono(...args: number[]): void;
}

let module: object | null | undefined;

/** A new instance of the kernels with its own memory, or undefined where WebAssembly SIMD is missing. */
export function kernelInstance(): KernelExports | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (module === undefined) {
    try {
      if (!wasm) throw new Error('no WebAssembly');
      module = new wasm.Module(Uint8Array.from(atob(KERNELS_WASM), (ch) => ch.charCodeAt(0)));
    } catch {
      module = null;
    }
  }
  if (!module || !wasm) return undefined;
  try {
    return new wasm.Instance(module, {}).exports as KernelExports;
  } catch {
    return undefined;
  }
}

/** Byte offset of an instance's free memory, 16-aligned. */
export function heapStart(ex: KernelExports): number {
  return Math.ceil(ex.__heap_base.value / 16) * 16;
}

/** Grows an instance's memory to hold `end` bytes; true when it grew (views of it must be made again). */
export function ensureMemory(ex: KernelExports, end: number): boolean {
  const have = ex.memory.buffer.byteLength;
  if (end <= have) return false;
  ex.memory.grow(Math.ceil((end - have) / 65536));
  return true;
}
