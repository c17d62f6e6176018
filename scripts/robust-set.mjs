// The robustness probe (docs/EVALUATION.md, "Recordings off the usual level or pitch"): three
// overall validation cases (ov03, ov05, ov08) each under conditions no validation set has, made
// with sox from the case's own audio: 30 and 40 dB quieter, a semitone higher and lower (pitch
// shift, timing kept: Chorton and Baroque pitch), one channel of a stereo pair inverted and
// delayed 0.7 ms, clipped (18 dB of gain), resampled to 11 025 Hz, played at 0.75 and 1.4 × the
// tempo (pitch kept; the ground truth's times scaled), in a large hall's reverb, with 15 s of a
// faint noise before the music and 8 s after it, and its middle only (the first 20 s and the
// last 15 s cut off). Needs `.eval/data` and sox; writes
// `.eval/robust/{manifest.json,cases/}` for
// `node dist/node/electron/tools/eval/run.js --data .eval/robust --methods auto --sets overall`.
//
//   node scripts/robust-set.mjs
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const man = JSON.parse(readFileSync('.eval/data/manifest.json', 'utf8'));
const outDir = '.eval/robust';
const conditions = [
  { name: 'quiet30', fx: ['gain', '-30'] },
  { name: 'quiet40', fx: ['gain', '-40'] },
  { name: 'up1', fx: ['pitch', '100'] },
  { name: 'down1', fx: ['pitch', '-100'] },
  { name: 'phase', channels: ['-c', '2'], fx: ['remix', '1', '1i', 'delay', '0', '0.0007'] },
  { name: 'clip', fx: ['gain', '18'] },
  { name: 'sr11k', fx: ['rate', '11025'] },
  { name: 'slow', fx: ['tempo', '-m', '0.75'], timeScale: 1 / 0.75 },
  { name: 'fast', fx: ['tempo', '-m', '1.4'], timeScale: 1 / 1.4 },
  { name: 'hall', fx: ['reverb', '90', '50', '100', '100', '20', 'gain', '-n', '-1'] },
  // The recording padded with 15 s before and 8 s after, all of it under pink noise 60 dB down.
  { name: 'lead', pad: [15, 8] },
  // The middle of the piece only.
  { name: 'excerpt', trim: [20, 15] },
];
const out = { ...man, cases: [] };
for (const id of ['ov03', 'ov05', 'ov08']) {
  const c = man.cases.find((x) => x.id === id);
  for (const v of conditions) {
    const nid = `${id}-${v.name}`;
    const dir = `${outDir}/cases/${nid}`;
    mkdirSync(dir, { recursive: true });
    const audio = `${dir}/audio.wav`;
    const src = `.eval/data/${c.audio}`;
    if (!existsSync(audio)) {
      if (v.trim) execFileSync('sox', [src, audio, 'trim', String(v.trim[0]), `-${v.trim[1]}`]);
      else if (v.pad) {
        execFileSync('sox', [src, `${dir}/padded.wav`, 'pad', String(v.pad[0]), String(v.pad[1])]);
        execFileSync('sox', [`${dir}/padded.wav`, `${dir}/noise.wav`, 'synth', 'pinknoise', 'vol', '0.001']);
        execFileSync('sox', ['-m', `${dir}/padded.wav`, `${dir}/noise.wav`, audio]);
      } else
        // sox warns when clipping, as the clipped case means it to.
        execFileSync('sox', [src, ...(v.channels ?? []), audio, ...v.fx], { stdio: 'ignore' });
    }
    copyFileSync(`.eval/data/${c.score}`, `${dir}/score.mid`);
    // The ground truth's times as the condition moved them; beats cut off are dropped.
    const k = v.timeScale ?? 1;
    const shift = (v.pad?.[0] ?? 0) - (v.trim?.[0] ?? 0);
    const seconds = v.trim
      ? c.durationSeconds - v.trim[0] - v.trim[1]
      : c.durationSeconds * k + (v.pad ? v.pad[0] + v.pad[1] : 0);
    const gt = readFileSync(`.eval/data/${c.gt}`, 'utf8').trim().split('\n');
    const rows = gt
      .slice(1)
      .map((line) => {
        const [perf, ...rest] = line.split(',');
        return [Number(perf) * k + shift, ...rest];
      })
      .filter(([t]) => t >= 0 && t <= seconds)
      .map(([t, ...rest]) => [t.toFixed(6), ...rest].join(','));
    writeFileSync(`${dir}/gt.csv`, [gt[0], ...rows].join('\n') + '\n');
    out.cases.push({
      ...c,
      id: nid,
      gt: `cases/${nid}/gt.csv`,
      audio: `cases/${nid}/audio.wav`,
      score: `cases/${nid}/score.mid`,
      durationSeconds: seconds,
      nBeats: rows.length,
      condition: v.name,
      sourceCase: id,
    });
    console.log(nid);
  }
}
writeFileSync(`${outDir}/manifest.json`, JSON.stringify(out, null, 1));
