/** The engine side of hand corrections: constrained re-alignment, undo/redo log, tap-to-sync, review. */
export type { Anchor, Corrections, ManualJump, RegionKind, RegionMark } from './types.js';
export { emptyCorrections } from './types.js';
export type { EditSpan, RealignOptions, StretchSnap } from './realign.js';
export { RealignCache, realignAll, realignLocal } from './realign.js';
export type { AnchorPlace, EditHistory, EditOp, HistoryEntry, HistoryState, JumpPlace } from './history.js';
export {
  apply,
  createHistory,
  editSpan,
  inverseOf,
  parseHistory,
  record,
  redo,
  serializeHistory,
  undo,
} from './history.js';
export type { TapOptions, TapResult } from './tap.js';
export { tapsToAnchors } from './tap.js';
export type { ReviewOptions, ReviewRegion } from './review.js';
export { checkedFraction, lowConfidenceRegions, regionsToReview } from './review.js';
