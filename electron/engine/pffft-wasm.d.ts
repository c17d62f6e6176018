/** `@echogarden/pffft-wasm` ships no types: its SIMD build's Emscripten factory (`fft.ts` types what it uses). */
declare module '@echogarden/pffft-wasm/simd' {
  const factory: () => Promise<unknown>;
  export default factory;
}
