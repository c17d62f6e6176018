// The conditions probe (docs/EVALUATION.md, "Timbres the overall set does not have"): 12 overall
// validation cases re-rendered from their performance MIDI with a timbre or a recording condition
// none of the validation sets has: phone codecs (AMR-NB, GSM at 8 kHz), Ogg Vorbis at its lowest
// quality in a cathedral's reverb, a compressor with a narrow EQ, a lo-fi band, an organ, among
// other General-MIDI programs. Needs `.eval/data` and ../shared/corpora/asap, fluidsynth and sox;
// writes `.eval/probe/{manifest.json,cases/}` for
// `node dist/node/electron/tools/eval/run.js --data .eval/probe --methods auto --sets overall`.
// With `--multi`, the 42 multi-operation cases instead, the same twelve conditions in turn: each
// case's whole performance re-rendered, then cut and rejoined as the case was (its pieces, 40 ms
// crossfades; its ground truth and true jumps unchanged), written to `.eval/probe-multi` for
// `run.js --data .eval/probe-multi --methods jump,auto --sets multi`. With `--sustain`, the twelve
// overall cases instead in six programs whose notes swell and hold (docs/EVALUATION.md, "Sustained
// timbres": string ensemble, accordion, church organ, choir, drawbar organ, warm pad; FluidR3,
// dry) to `.eval/sustain` (ids su01…), for `run.js --data .eval/sustain --methods auto --sets
// overall`. Needs `npm run build`.
//
//   node scripts/conditions-set.mjs [--multi | --sustain]
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, existsSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import pkg from '@tonejs/midi';
const { Midi } = pkg;
import { readWav, writeWav16 } from '../dist/node/electron/tools/eval/wav.js';
import { spliceSeconds } from '../dist/node/electron/tools/eval/gt.js';
import { MULTI } from '../dist/node/electron/tools/eval/multi.js';
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
/** The sustained timbres of `--sustain`, one in turn per case. */
const SUSTAINED = [
  [48, 'strings'],
  [21, 'accordion'],
  [19, 'organ'],
  [52, 'choir'],
  [16, 'drawbar'],
  [89, 'pad'],
].map(([program, name]) => ({ name, program, sf: '/usr/share/sounds/sf2/FluidR3_GM.sf2', fx: [] }));
const ids = ['ov01', 'ov03', 'ov05', 'ov07', 'ov08', 'ov10', 'ov11', 'ov17', 'ov20', 'ov22', 'ov24', 'ov28'];

/** Renders `midiPath` with variant `v` (its program, soundfont, effects, codec) to the 16-bit WAV `final`. */
function render(midiPath, v, work, final) {
  const midi = new Midi(readFileSync(midiPath));
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
}

const multi = process.argv.includes('--multi');
const sustain = process.argv.includes('--sustain');
const variants = sustain ? SUSTAINED : V;
const outDir = multi ? '.eval/probe-multi' : sustain ? '.eval/sustain' : '.eval/probe';
const out = { ...man, cases: [] };
const work = `${outDir}/work`;
mkdirSync(work, { recursive: true });
const sources = multi ? man.cases.filter((c) => c.set === 'multi').map((c) => c.id) : ids;
for (const [k, id] of sources.entries()) {
  const c = man.cases.find((x) => x.id === id);
  const v = variants[k % variants.length];
  const nid = `${multi ? 'pm' : sustain ? 'su' : 'tb'}${String(k + 1).padStart(2, '0')}`;
  const dir = `${outDir}/cases/${nid}`;
  mkdirSync(dir, { recursive: true });
  const final = `${dir}/audio.wav`;
  if (!existsSync(final)) {
    if (multi) {
      // The whole performance in the new timbre, then the case's own cuts (its pieces, 40 ms crossfades).
      render(`${asap}/${c.source.performanceMidi}`, v, work, `${work}/full.wav`);
      const pcm = readWav(`${work}/full.wav`);
      const channels = spliceSeconds(pcm, c.multi.pieces, MULTI.crossfadeSeconds);
      writeWav16(`${work}/cut.wav`, { sampleRate: pcm.sampleRate, channels });
      renameSync(`${work}/cut.wav`, final);
    } else {
      render(`${asap}/${c.source.performanceMidi}`, v, work, `${work}/one.wav`);
      renameSync(`${work}/one.wav`, final);
    }
  }
  copyFileSync(`.eval/data/${c.gt}`, `${dir}/gt.csv`);
  copyFileSync(`.eval/data/${c.score}`, `${dir}/score.mid`);
  // The old-recording degradation of the source case is not applied here: its record goes.
  const { old: _old, ...rest } = c;
  out.cases.push({
    ...(multi ? rest : c),
    id: nid,
    gt: `cases/${nid}/gt.csv`,
    audio: `cases/${nid}/audio.wav`,
    score: `cases/${nid}/score.mid`,
    soundfont: v.sf.split('/').pop(),
    condition: v.name,
    sourceCase: id,
  });
  console.log(nid, id, v.name);
}
writeFileSync(`${outDir}/manifest.json`, JSON.stringify(out, null, 1));
