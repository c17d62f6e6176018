// The timbre ablation set (docs/EVALUATION.md, "Timbres the overall set does not have"): the
// overall validation cases shorter than 350 s, re-rendered from their performance MIDI with a
// General-MIDI program other than the acoustic piano (one program in turn per case, the three
// soundfonts in turn), dry, except the last program, the piano in a large hall (sox reverb). Needs
// `.eval/data` (node dist/node/electron/tools/eval/dataset.js) and ../shared/corpora/asap; writes
// `.eval/timbre/{manifest.json,cases/}` for `tune.js --data .eval/timbre --sets timbre`.
//
//   node scripts/timbre-set.mjs
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const { Midi } = createRequire(import.meta.url)('@tonejs/midi');
const CORPUS = join('..', 'shared', 'corpora', 'asap');
const SOUNDFONTS = [
  '/usr/share/sounds/sf2/FluidR3_GM.sf2',
  '/usr/share/sounds/sf2/TimGM6mb.sf2',
  '/usr/share/sounds/sf3/MuseScore_General_Lite.sf3',
];
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
    const raw = join(dir, 'raw.wav');
    execFileSync(
      'fluidsynth',
      [
        '-ni',
        '-g',
        '0.5',
        '-R',
        '0',
        '-C',
        '0',
        '-O',
        'float',
        '-T',
        'wav',
        '-F',
        raw,
        '-r',
        '44100',
        soundfont,
        join(dir, 'perf.mid'),
      ],
      { stdio: 'ignore' },
    );
    const hall = name === 'piano+hall' ? ['reverb', '80', '30', '100', '100', '20'] : [];
    execFileSync('sox', [raw, '-b', '16', join(dir, 'audio.wav'), ...hall, 'gain', '-n', '-1']);
    rmSync(raw);
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
