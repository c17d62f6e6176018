// The two checks behind `LEVEL_REFERENCE_DB` and `TRANSPOSITION_MARGIN` (docs/EVALUATION.md,
// "Recordings off the usual level or pitch", "One level for every recording"): for each case of
// the given eval data folders, the level of its loud frames (the `LEVEL_QUANTILE` of the frames'
// total pitch energy, dB, before `normaliseLevel`) and the transposition estimate as the engine
// makes it (the note network's pitch classes) with each candidate's distance relative to none's,
// and, where a candidate passes that test, its ordered distance relative to none's
// (`ORDERED_MARGIN`). Needs `npm run build`.
//
//   node scripts/level-pitch.mjs .eval/data .eval/probe .eval/probe-multi .eval/sustain .eval/robust
import { readFileSync } from 'node:fs';
import { decodeAudioFile } from '../dist/node/electron/engine/audio.js';
import { recordingFeatures, scoreNoteAwareFeatures } from '../dist/node/electron/engine/features.js';
import { loadScore } from '../dist/node/electron/engine/score.js';
import { audioPitchEnergy, recordingTuningCents, LEVEL_QUANTILE } from '../dist/node/shared/dsp/features.js';
import { NUM_PITCHES } from '../dist/node/shared/dsp/params.js';
import { estimateTransposition, MAX_TRANSPOSITION } from '../dist/node/shared/dsp/transpose.js';

for (const dir of process.argv.slice(2)) {
  const m = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8'));
  for (const c of m.cases) {
    const { samples } = await decodeAudioFile(`${dir}/${c.audio}`);
    const pe = audioPitchEnergy(samples, undefined, recordingTuningCents(samples));
    const totals = Array.from({ length: pe.frames }, (_, f) =>
      pe.energy.subarray(f * NUM_PITCHES, (f + 1) * NUM_PITCHES).reduce((a, b) => a + b, 0),
    ).sort((a, b) => a - b);
    const loud = 10 * Math.log10(Math.max(1e-20, totals[Math.floor(LEVEL_QUANTILE * (totals.length - 1))]));
    const { features } = await recordingFeatures(samples, {});
    const s = await loadScore(`${dir}/${c.score}`);
    const t = estimateTransposition(features, scoreNoteAwareFeatures(s.score.notes, s.score.duration));
    const rel = [];
    for (let k = -MAX_TRANSPOSITION; k <= MAX_TRANSPOSITION; k++)
      if (k !== 0) rel.push(`${k > 0 ? '+' : ''}${k}: ${(t.distances[k] / t.distances[0]).toFixed(3)}`);
    const ord = t.ordered ? `  ordered ${(t.ordered[1] / t.ordered[0]).toFixed(3)}` : '';
    console.log(`${c.id} loud ${loud.toFixed(1)} dB  move ${t.semitones}  ${rel.join('  ')}${ord}`);
  }
}
