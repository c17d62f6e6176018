// Minimal typings for the parts of verovio 6 (which ships no .d.ts) that scoreio uses.
declare module 'verovio/wasm' {
  /** The emscripten module the toolkit runs on. */
  export interface VerovioModule {
    cwrap: unknown;
  }
  /** Instantiates the WebAssembly module (slow: about 1–2 s). */
  export default function createVerovioModule(): Promise<VerovioModule>;
}

declare module 'verovio/wasm-hum' {
  import type { VerovioModule } from 'verovio/wasm';
  /** Instantiates the WebAssembly module built with Humdrum support. */
  export default function createVerovioHumdrumModule(): Promise<VerovioModule>;
}

declare module 'verovio/esm' {
  import type { VerovioModule } from 'verovio/wasm';

  /** One entry of `renderToTimemap()`. */
  export interface TimemapEntry {
    /** Milliseconds (rounded). */
    tstamp: number;
    /** Quarter notes from the start. */
    qstamp: number;
    /** Quarter-note bpm, on entries where the tempo is set or changes. */
    tempo?: number;
    on?: string[];
    off?: string[];
    restsOn?: string[];
    restsOff?: string[];
    measureOn?: string;
  }

  export const LOG_OFF: number;
  export const LOG_ERROR: number;
  export const LOG_WARNING: number;
  export function enableLog(level: number, module: VerovioModule): void;
  export function enableLogToBuffer(value: number | boolean, module: VerovioModule): void;

  export class VerovioToolkit {
    constructor(module: VerovioModule);
    destroy(): void;
    getVersion(): string;
    getLog(): string;
    setOptions(options: Record<string, unknown>): void;
    resetOptions(): void;
    loadData(data: string): boolean;
    getMEI(options?: Record<string, unknown>): string;
    renderToMIDI(): string;
    /** Number of pages of the current layout. */
    getPageCount(): number;
    /** SVG of 1-based page `pageNo` of the current layout. */
    renderToSVG(pageNo?: number, xmlDeclaration?: boolean): string;
    renderToTimemap(options?: { includeMeasures?: boolean; includeRests?: boolean }): TimemapEntry[];
    getMIDIValuesForElement(xmlId: string): { pitch?: number; time?: number; duration?: number };
    getNotatedIdForElement(xmlId: string): string;
    getExpansionIdsForElement(xmlId: string): string[];
  }
}
