// The conditions probe (docs/EVALUATION.md, "Timbres the overall set does not have"): 12 overall
// validation cases re-rendered from their performance MIDI with a timbre or a recording condition
// none of the validation sets has: phone codecs (AMR-NB, GSM at 8 kHz), Ogg Vorbis at its lowest
// quality in a cathedral's reverb, a compressor with a narrow EQ, a lo-fi band, an organ, among
// other General-MIDI programs. Needs `.eval/data` and ../shared/corpora/asap, fluidsynth and sox;
// writes `.eval/probe/{manifest.json,cases/}` for
// `node dist/node/electron/tools/eval/run.js --data .eval/probe --methods auto --sets overall`.
//
//   node scripts/conditions-set.mjs
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import pkg from '@tonejs/midi';
const { Midi } = pkg;
const man = JSON.parse(readFileSync('.eval/data/manifest.json', 'utf8'));
const asap = '../shared/corpora/asap';
const V = [
  { name: 'epiano', program: 4, sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2', fx: [] },
  {
    name: 'harpsichord-room',
    program: 6,
    sf: '/usr/share/sounds/sf3/MuseScore_General.sf3',
    fx: ['reverb', '50'],
  },
  { name: 'phone-amr', program: 0, sf: '/usr/share/sounds/sf2/TimGM6mb.sf2', fx: [], codec: 'amr' },
  {
    name: 'ogg-q0-cathedral',
    program: 0,
    sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2',
    fx: ['reverb', '95', '30', '100', '100', '40'],
    codec: 'ogg',
  },
  { name: 'harp', program: 46, sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2', fx: [] },
  {
    name: 'compand-eq',
    program: 1,
    sf: '/usr/share/sounds/sf3/MuseScore_General.sf3',
    fx: ['compand', '0.01,0.2', '-60,-60,-30,-12,0,-6', '-3', 'equalizer', '800', '1q', '9', 'treble', '-8'],
  },
  { name: 'vibraphone', program: 11, sf: '/usr/share/sounds/sf2/TimGM6mb.sf2', fx: ['reverb', '30'] },
  { name: 'organ', program: 19, sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2', fx: [] },
  {
    name: 'honkytonk-lofi',
    program: 3,
    sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2',
    fx: ['highpass', '200', 'lowpass', '3000'],
  },
  {
    name: 'epiano2-room',
    program: 5,
    sf: '/usr/share/sounds/sf3/MuseScore_General.sf3',
    fx: ['reverb', '60'],
  },
  { name: 'piano-gsm', program: 0, sf: '/usr/share/sounds/sf3/MuseScore_General.sf3', fx: [], codec: 'gsm' },
  { name: 'guitar-nylon', program: 24, sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2', fx: [] },
];
const ids = ['ov01', 'ov03', 'ov05', 'ov07', 'ov08', 'ov10', 'ov11', 'ov17', 'ov20', 'ov22', 'ov24', 'ov28'];
const out = { ...man, cases: [] };
const work = '.eval/probe/work';
mkdirSync(work, { recursive: true });
ids.forEach((id, k) => {
  const c = man.cases.find((x) => x.id === id);
  const v = V[k % V.length];
  const nid = `tb${String(k + 1).padStart(2, '0')}`;
  const dir = `.eval/probe/cases/${nid}`;
  mkdirSync(dir, { recursive: true });
  const midi = new Midi(readFileSync(`${asap}/${c.source.performanceMidi}`));
  for (const t of midi.tracks) t.instrument.number = v.program;
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
      v.sf,
      `${work}/perf.mid`,
    ],
    { maxBuffer: 1 << 26 },
  );
  const final = `${dir}/audio.wav`;
  if (v.codec === 'amr' || v.codec === 'gsm') {
    // A phone line: mono at 8 kHz through the codec, then back to 44.1 kHz.
    const coded = `${work}/x.${v.codec === 'amr' ? 'amr-nb' : 'gsm'}`;
    execFileSync('sox', [`${work}/raw.wav`, '-c', '1', '-r', '8000', coded, ...v.fx, 'gain', '-n', '-3']);
    const raw = v.codec === 'gsm' ? ['-r', '8000', '-c', '1'] : [];
    execFileSync('sox', [...raw, coded, '-r', '44100', '-b', '16', final]);
  } else if (v.codec === 'ogg') {
    execFileSync('sox', [`${work}/raw.wav`, '-C', '-1', `${work}/x.ogg`, ...v.fx, 'gain', '-n', '-1']);
    execFileSync('sox', [`${work}/x.ogg`, '-b', '16', final]);
  } else execFileSync('sox', [`${work}/raw.wav`, '-b', '16', final, ...v.fx, 'gain', '-n', '-1']);
  copyFileSync(`.eval/data/${c.gt}`, `${dir}/gt.csv`);
  copyFileSync(`.eval/data/${c.score}`, `${dir}/score.mid`);
  out.cases.push({
    ...c,
    id: nid,
    gt: `cases/${nid}/gt.csv`,
    audio: `cases/${nid}/audio.wav`,
    score: `cases/${nid}/score.mid`,
    soundfont: v.sf.split('/').pop(),
    condition: v.name,
    sourceCase: id,
  });
  console.log(nid, id, v.name);
});
writeFileSync('.eval/probe/manifest.json', JSON.stringify(out, null, 1));
