/**
 * The engine's FFT: PFFFT compiled to WebAssembly with SIMD (`@echogarden/pffft-wasm`), about six
 * times as fast as fft.js on the feature frames, in single precision (the pitch energy it feeds is
 * stored in single precision anyway). Loaded once per thread (`loadWasmFft`: this thread before
 * its first features, each helper as it starts); where it cannot load, `frameFft` gives the
 * JavaScript one, so the features are made either way.
 */
import { jsFrameFft, type FrameFft } from '../../shared/dsp/features.js';
import { FEATURE_PARAMS } from '../../shared/dsp/params.js';

/** What this module uses of the Emscripten module. */
interface Pffft {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, transform: number): number;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_transform_ordered(
    setup: number,
    input: number,
    output: number,
    work: number,
    direction: number,
  ): void;
}

/** `pffft_transform` enums (pffft.h). */
const PFFFT_REAL = 0;
const PFFFT_FORWARD = 0;

let loading: Promise<FrameFft | undefined> | undefined;
let loaded: FrameFft | undefined;

/** A `FrameFft` over buffers of the module's heap: input, ordered output and work area. */
function pffftFrameFft(m: Pffft): FrameFft {
  const n = FEATURE_PARAMS.frameLength;
  const setup = m._pffft_new_setup(n, PFFFT_REAL);
  const inP = m._pffft_aligned_malloc(4 * n);
  const outP = m._pffft_aligned_malloc(4 * n);
  const work = m._pffft_aligned_malloc(4 * n);
  if (!setup || !inP || !outP || !work) throw new Error('PFFFT: no memory for a frame');
  const view = (p: number): Float32Array => new Float32Array(m.HEAPF32.buffer, p, n);
  const fft: FrameFft = {
    input: view(inP),
    // Ordered real output: [DC, Nyquist, re 1, im 1, …]; bins 1 … n/2 − 1 where `FrameFft` reads them.
    out: view(outP),
    run(): void {
      // Nothing else allocates in this module after the buffers, but a grown heap would detach them.
      if (fft.input.buffer !== m.HEAPF32.buffer)
        throw new Error('PFFFT: the module heap moved under the frame buffers');
      m._pffft_transform_ordered(setup, inP, outP, work, PFFFT_FORWARD);
    },
  };
  return fft;
}

/**
 * Loads the WebAssembly FFT on this thread (once; later calls return the same promise); true when
 * it loaded. Never rejects: without WebAssembly SIMD the JavaScript FFT is used.
 */
export function loadWasmFft(): Promise<boolean> {
  loading ??= import('@echogarden/pffft-wasm/simd')
    .then(async ({ default: factory }) => {
      const fft = pffftFrameFft((await factory()) as Pffft);
      loaded = fft;
      return fft;
    })
    .catch(() => undefined);
  return loading.then((f) => f !== undefined);
}

/** Whether this thread's WebAssembly FFT has loaded (`loadWasmFft`). */
export function wasmFftLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * This thread's FFT: the WebAssembly one once loaded, else a JavaScript one. The WebAssembly one
 * is the same object every call, so one user at a time (every user runs it to the end without
 * awaiting in between).
 */
export function frameFft(wasm = true): FrameFft {
  return wasm && loaded ? loaded : jsFrameFft();
}
