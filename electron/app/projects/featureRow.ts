/** A `features` row of the database as stored, and its decoding (light: the edit worker decodes rows off the main thread). */
import { dequantiseNotes } from '../../../shared/dsp/notes.js';
import { blobToFloat32 } from '../db/pathCodec.js';
import type { Features } from '../../../shared/dsp/features.js';
import type { ChromaFeatures } from '../workers/protocol.js';

/** One row of the `features` table (blobs as SQLite returns them). */
export interface FeatureRow {
  sha256: string;
  feature_version: number;
  hop_seconds: number;
  frames: number;
  chroma: Uint8Array;
  onset: Uint8Array | null;
  energy: Uint8Array | null;
  notes: Uint8Array | null;
  /** `Features.attackRiseFrames`; null in rows cached before migration 10 (read as not measured). */
  attack_rise: number | null;
}

/** The features a stored row holds (onsets and energy only when both are there). */
export function featuresFromRow(c: FeatureRow): ChromaFeatures {
  const out: ChromaFeatures = {
    sha256: c.sha256,
    featureVersion: c.feature_version,
    hopSeconds: c.hop_seconds,
    frames: c.frames,
    chroma: blobToFloat32(c.chroma),
  };
  if (c.onset && c.energy) {
    out.onset = blobToFloat32(c.onset);
    out.energy = blobToFloat32(c.energy);
  }
  if (c.notes) out.notes = dequantiseNotes(c.notes);
  if (c.attack_rise !== null && c.attack_rise !== undefined) out.attackRiseFrames = c.attack_rise;
  return out;
}

/** The full features a stored row holds, as re-alignment takes them; throws when the row has chroma only (`what` names the row). */
export function fullFeaturesFromRow(row: FeatureRow, what: string): Features {
  const { onset, energy, notes, frames, hopSeconds, chroma, attackRiseFrames } = featuresFromRow(row);
  if (!onset || !energy)
    throw new Error(`${what}: expected recording features with onsets and energy, got chroma only`);
  return {
    frames,
    hopSeconds,
    chroma,
    onset,
    energy,
    ...(notes ? { notes } : {}),
    ...(attackRiseFrames !== undefined ? { attackRiseFrames } : {}),
  };
}
