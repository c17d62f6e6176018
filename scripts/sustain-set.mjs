// The sustained-timbres probe (docs/EVALUATION.md, "Sustained timbres"): the twelve overall
// validation cases of the conditions probe re-rendered from their performance MIDI with a
// General-MIDI program whose notes swell and hold instead of striking and decaying: string
// ensemble, accordion, church organ, choir, drawbar organ, warm pad (FluidR3, dry, one program
// in turn). Needs `.eval/data` and ../shared/corpora/asap, fluidsynth and sox; writes
// `.eval/sustain/{manifest.json,cases/}` for
// `node dist/node/electron/tools/eval/run.js --data .eval/sustain --methods auto --sets overall`.
//
//   node scripts/sustain-set.mjs
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, existsSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import pkg from '@tonejs/midi';
const { Midi } = pkg;

const man = JSON.parse(readFileSync('.eval/data/manifest.json', 'utf8'));
const asap = '../shared/corpora/asap';
const sf = '/usr/share/sounds/sf2/FluidR3_GM.sf2';
/** [GM program, name], one in turn per case. */
const PROGRAMS = [
  [48, 'strings'],
  [21, 'accordion'],
  [19, 'organ'],
  [52, 'choir'],
  [16, 'drawbar'],
  [89, 'pad'],
];
const ids = ['ov01', 'ov03', 'ov05', 'ov07', 'ov08', 'ov10', 'ov11', 'ov17', 'ov20', 'ov22', 'ov24', 'ov28'];
const outDir = '.eval/sustain';
const work = `${outDir}/work`;
mkdirSync(work, { recursive: true });
const out = { ...man, cases: [] };
for (const [k, id] of ids.entries()) {
  const c = man.cases.find((x) => x.id === id);
  const [program, name] = PROGRAMS[k % PROGRAMS.length];
  const nid = `su${String(k + 1).padStart(2, '0')}`;
  const dir = `${outDir}/cases/${nid}`;
  mkdirSync(dir, { recursive: true });
  const final = `${dir}/audio.wav`;
  if (!existsSync(final)) {
    const midi = new Midi(readFileSync(`${asap}/${c.source.performanceMidi}`));
    for (const t of midi.tracks) t.instrument.number = program;
    writeFileSync(`${work}/perf.mid`, Buffer.from(midi.toArray()));
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
        '-F',
        `${work}/raw.wav`,
        '-r',
        '44100',
        sf,
        `${work}/perf.mid`,
      ],
      { maxBuffer: 1 << 26 },
    );
    execFileSync('sox', [`${work}/raw.wav`, '-b', '16', `${work}/one.wav`, 'gain', '-n', '-1']);
    renameSync(`${work}/one.wav`, final);
  }
  copyFileSync(`.eval/data/${c.gt}`, `${dir}/gt.csv`);
  copyFileSync(`.eval/data/${c.score}`, `${dir}/score.mid`);
  // The old-recording degradation of the source case is not applied here: its record goes.
  const { old: _old, ...rest } = c;
  out.cases.push({
    ...rest,
    id: nid,
    gt: `cases/${nid}/gt.csv`,
    audio: `cases/${nid}/audio.wav`,
    score: `cases/${nid}/score.mid`,
    soundfont: 'FluidR3_GM.sf2',
    condition: name,
    sourceCase: id,
  });
  console.log(nid, id, name);
}
writeFileSync(`${outDir}/manifest.json`, JSON.stringify(out, null, 1));
