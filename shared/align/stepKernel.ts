/**
 * The coarse jump search's steps in WebAssembly (`step_row` of `kernels.c`, bit-identical to
 * `searchCoarse`'s JavaScript with `maxAdvance` 4): the previous and current rows, the best steps
 * and the row's cell costs live in the kernel's memory (`../wasm/instance.ts`, one instance per thread,
 * grown to the widest row asked for). One search at a time per thread: a search runs to its end
 * without awaiting.
 */
import { ensureMemory, heapStart, kernelInstance, type KernelExports } from '../wasm/instance.js';

/** The rows of one search, as views of the kernel's memory. */
export interface StepRows {
  /** The previous row's values (its four columns before 0 read as +Infinity). */
  prev: Float64Array;
  /** The row being made. */
  cur: Float64Array;
  /** The cheapest step into each column of the row, before its cell cost. */
  stepBest: Float64Array;
  /** The row's cell costs, filled before `step`. */
  cost: Float64Array;
  /** The row's steps: `stepBest`, `cur`, and each column's step code into codes[at + j]. */
  step(codes: Uint8Array, at: number, tp: number, a2: number, a3: number, a4: number): void;
  /** The current row becomes the previous one. */
  swap(): void;
}

let ex: KernelExports | null | undefined;

/** The rows of a search over `M` columns, or undefined where the kernel cannot run. */
export function stepRows(M: number): StepRows | undefined {
  if (ex === undefined) ex = kernelInstance() ?? null;
  if (!ex) return undefined;
  const k = ex;
  const padded = 8 * (M + 4);
  let prevAt = heapStart(k);
  let curAt = prevAt + padded;
  const bestAt = curAt + padded;
  const costAt = bestAt + 8 * M;
  const codeAt = costAt + 8 * M;
  ensureMemory(k, codeAt + M);
  const buf = k.memory.buffer;
  new Float64Array(buf, prevAt, 4).fill(Infinity);
  new Float64Array(buf, curAt, 4).fill(Infinity);
  const codes = new Uint8Array(buf, codeAt, M);
  const rows: StepRows = {
    prev: new Float64Array(buf, prevAt + 32, M),
    cur: new Float64Array(buf, curAt + 32, M),
    stepBest: new Float64Array(buf, bestAt, M),
    cost: new Float64Array(buf, costAt, M),
    step(out, at, tp, a2, a3, a4) {
      k.stepRow(prevAt + 32, curAt + 32, bestAt, costAt, codeAt, M, tp, a2, a3, a4);
      out.set(codes, at);
    },
    swap() {
      [prevAt, curAt] = [curAt, prevAt];
      [rows.prev, rows.cur] = [rows.cur, rows.prev];
    },
  };
  return rows;
}
