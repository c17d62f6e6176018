/**
 * The alignment path: for every performance feature frame, the score position being played.
 * The path may jump (repeat taken, skip, jump back); between jumps it is continuous.
 * Everything downstream (exports, the editor, the metric) uses this type.
 */

/** Alignment methods the engine offers. */
export type AlignMethod = 'auto' | 'dtw' | 'jump' | 'neural' | 'import' | 'manual';

/** An explicit discontinuity of the path. */
export interface Jump {
  /** First frame after the jump (frame `frame - 1` is the last before it). */
  frame: number;
  /** Performance time of `frame`, seconds. */
  perfTime: number;
  /** Score time at frame `frame - 1`. */
  fromScore: number;
  /** Score time at frame `frame`. */
  toScore: number;
}

/** A dense performance→score path. Perf time of frame f is `f * hopSeconds`. */
export interface AlignmentPath {
  /** Performance frame spacing in seconds (hop / sample rate, about 23.2 ms). */
  hopSeconds: number;
  /** Score time (seconds) of each performance frame. */
  scoreTime: Float64Array;
  /** Confidence of each frame, 0 (doubtful) .. 1 (sure). */
  confidence: Float32Array;
  /** Frames f where f-1 → f is a jump, sorted ascending, none at 0. */
  jumpFrames: number[];
  /** How the path was made. */
  method: AlignMethod;
  /** Version of the neural model that routed it, where one did. */
  modelVersion?: string;
}
