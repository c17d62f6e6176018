// The robustness probe (docs/EVALUATION.md, "Recordings off the usual level or pitch"): three
// overall validation cases (ov03, ov05, ov08) each under conditions no validation set has, made
// with sox from the case's own audio: 30 and 40 dB quieter, a semitone higher and lower (pitch
// shift, timing kept: Chorton and Baroque pitch), one channel of a stereo pair inverted and
// delayed 0.7 ms, clipped (18 dB of gain), resampled to 11 025 Hz, and played at 0.75 × the
// tempo (pitch kept; the ground truth's times scaled). Needs `.eval/data` and sox; writes
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
];
const out = { ...man, cases: [] };
for (const id of ['ov03', 'ov05', 'ov08']) {
  const c = man.cases.find((x) => x.id === id);
  for (const v of conditions) {
    const nid = `${id}-${v.name}`;
    const dir = `${outDir}/cases/${nid}`;
    mkdirSync(dir, { recursive: true });
    const audio = `${dir}/audio.wav`;
    if (!existsSync(audio))
      // sox warns when clipping, as the clipped case means it to.
      execFileSync('sox', [`.eval/data/${c.audio}`, ...(v.channels ?? []), audio, ...v.fx], {
        stdio: 'ignore',
      });
    copyFileSync(`.eval/data/${c.score}`, `${dir}/score.mid`);
    const gt = readFileSync(`.eval/data/${c.gt}`, 'utf8').trim().split('\n');
    const k = v.timeScale ?? 1;
    const rows = gt.slice(1).map((line) => {
      const [perf, ...rest] = line.split(',');
      return [(Number(perf) * k).toFixed(6), ...rest].join(',');
    });
    writeFileSync(`${dir}/gt.csv`, [gt[0], ...rows].join('\n') + '\n');
    out.cases.push({
      ...c,
      id: nid,
      gt: `cases/${nid}/gt.csv`,
      audio: `cases/${nid}/audio.wav`,
      score: `cases/${nid}/score.mid`,
      durationSeconds: c.durationSeconds * k,
      condition: v.name,
      sourceCase: id,
    });
    console.log(nid);
  }
}
writeFileSync(`${outDir}/manifest.json`, JSON.stringify(out, null, 1));
