// The timbre ablation set (docs/EVALUATION.md, "Timbres the overall set does not have"): the
// overall validation cases shorter than 350 s, re-rendered from their performance MIDI with a
// General-MIDI program other than the acoustic piano (one program in turn per case, the three
// soundfonts in turn), dry, except the last program, the piano in a large hall (sox reverb). Needs
// `.eval/data` (node dist/node/electron/tools/eval/dataset.js) and ../shared/corpora/asap; writes
// `.eval/timbre/{manifest.json,cases/}` for `tune.js --data .eval/timbre --sets timbre`. Synthesis is
// the evaluation set's own (`synthesize` of electron/tools/eval/dataset.ts), so run `npm run build`
// first.
//
//   npm run build && node scripts/timbre-set.mjs
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SOUNDFONTS, synthesize } from '../dist/node/electron/tools/eval/dataset.js';

const { Midi } = createRequire(import.meta.url)('@tonejs/midi');
const CORPUS = join('..', 'shared', 'corpora', 'asap');
/** [GM program, name]; the last one is the piano with a hall's reverb. */
const PROGRAMS = [
  [4, 'epiano'],
  [6, 'harpsichord'],
  [2, 'electric grand'],
  [46, 'harp'],
  [11, 'vibraphone'],
  [24, 'nylon guitar'],
  [7, 'clavinet'],
  [1, 'bright piano'],
  [0, 'piano+hall'],
];

const manifest = JSON.parse(readFileSync('.eval/data/manifest.json', 'utf8'));
const out = { cases: [] };
const picked = manifest.cases.filter((c) => c.set === 'overall' && c.durationSeconds < 350);
picked.forEach((c, n) => {
  const [program, name] = PROGRAMS[n % PROGRAMS.length];
  const soundfont = SOUNDFONTS[n % SOUNDFONTS.length];
  const id = `tb${String(n + 1).padStart(2, '0')}`;
  const dir = join('.eval/timbre/cases', id);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'audio.wav'))) {
    const midi = new Midi(readFileSync(join(CORPUS, c.source.performanceMidi)));
    for (const track of midi.tracks) track.instrument.number = program;
    writeFileSync(join(dir, 'perf.mid'), Buffer.from(midi.toArray()));
    const hall = name === 'piano+hall' ? ['reverb', '80', '30', '100', '100', '20'] : [];
    synthesize(join(dir, 'perf.mid'), soundfont, false, join(dir, 'audio.wav'), hall);
  }
  copyFileSync(join('.eval/data', c.gt), join(dir, 'gt.csv'));
  copyFileSync(join('.eval/data', c.score), join(dir, 'score.mid'));
  out.cases.push({
    ...c,
    id,
    set: 'timbre',
    gt: `cases/${id}/gt.csv`,
    audio: `cases/${id}/audio.wav`,
    score: `cases/${id}/score.mid`,
    soundfont: soundfont.split('/').pop(),
    program,
    timbre: name,
    from: c.id,
  });
  console.log(id, c.id, name, soundfont.split('/').pop());
});
writeFileSync('.eval/timbre/manifest.json', JSON.stringify(out, null, 1));
