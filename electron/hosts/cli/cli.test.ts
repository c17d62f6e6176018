/**
 * The `accord` command line end to end: the compiled CLI (`npm run build`) run as a user runs
 * it, on the committed fixtures, with real decoding, real score loading and real alignment.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseGtCsv, parsePredCsv, scoreCase } from '../../../shared/eval/metric.js';
import { loadScoreBytes } from '../../engine/score.js';
import { repoRoot } from '../../engine/repoRoot.js';

const root = repoRoot();
const bin = path.join(root, 'bin/accord.js');
const fx = (p: string): string => path.join(root, 'resources', p);

function accord(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function accuracy(gtFile: string, predFile: string): { acc50: number; acc100: number; acc200: number } {
  return scoreCase(parseGtCsv(readFileSync(gtFile, 'utf8')), parsePredCsv(readFileSync(predFile, 'utf8')));
}

let tmp = '';
beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/node/electron/hosts/cli/main.js'))) {
    throw new Error('the CLI is not built: run `npm run build` first (npm test does)');
  }
  tmp = mkdtempSync(path.join(tmpdir(), 'accord-cli-'));
});

describe('accord align', () => {
  it('writes the evaluation CSV contract for the sample and prints a summary', () => {
    const out = path.join(tmp, 'sample.csv');
    const r = accord(
      'align',
      fx('sample/performance.flac'),
      fx('sample/score.mid'),
      '-o',
      out,
      '--method',
      'dtw',
      '--progress',
    );
    expect(r.stderr).toMatch(/features \d+%/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/aligned performance\.flac .* by dtw .* → .*sample\.csv \(csv\)/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('perf_time,score_time,confidence');
    const perf = lines.slice(1).map((l) => Number(l.split(',')[0]));
    for (let i = 1; i < perf.length; i++) expect(perf[i]).toBeGreaterThan(perf[i - 1]);
    expect(perf[1] - perf[0]).toBeCloseTo(512 / 22050, 3);
    // A plain, monotone, synthesized performance: every beat within 50 ms is the expected outcome.
    expect(accuracy(fx('sample/gt.csv'), out).acc50).toBeGreaterThanOrEqual(95);
  });

  /** Aligns the prelude by DTW into `--format format`; returns the file's bytes. */
  function prelude(format: string): Buffer {
    const out = path.join(tmp, `prelude-${format}.out`);
    const r = accord(
      'align',
      fx('fixtures/prelude/performance.ogg'),
      fx('fixtures/prelude/score.mid'),
      '-o',
      out,
      '--format',
      format,
      '--method',
      'dtw',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return readFileSync(out);
  }

  it('writes --format midi and json', () => {
    expect(prelude('midi').subarray(0, 4).toString('latin1')).toBe('MThd');
    const json = JSON.parse(prelude('json').toString('utf8')) as { format: string; method: string };
    expect(json.format).toBe('accord-alignment');
    expect(json.method).toBe('dtw');
  });

  it('writes --format asap, audacity and svl: the performed beats, labelled, at the ground truth times', async () => {
    const { score } = await loadScoreBytes(readFileSync(fx('fixtures/prelude/score.mid')), 'score.mid');
    const files = {
      asap: prelude('asap').toString('utf8'),
      audacity: prelude('audacity').toString('utf8'),
      svl: prelude('svl').toString('utf8'),
    };
    // One line per ground-truth beat, in order, at its time.
    const gt = parseGtCsv(readFileSync(fx('fixtures/prelude/gt.csv'), 'utf8'));
    const rows = {
      asap: files.asap
        .trim()
        .split('\n')
        .map((l) => l.split('\t')),
      audacity: files.audacity
        .trim()
        .split('\n')
        .map((l) => l.split('\t')),
      svl: files.svl
        .trim()
        .split('\n')
        .map((l) => l.split(',')),
    };
    for (const [format, lines] of Object.entries(rows)) {
      expect(lines, format).toHaveLength(gt.length);
      const late = lines.filter((cells, i) => Math.abs(Number(cells[0]) - gt[i].perfTime) > 0.1);
      expect(late.length, `${format}: beats more than 100 ms off`).toBeLessThanOrEqual(1);
    }
    expect(rows.audacity.map((c) => c[2])).toEqual(score.beats.map((b) => b.label));
    expect(rows.svl.map((c) => c[1])).toEqual(score.beats.map((b) => b.label));
    for (const [i, cells] of rows.audacity.entries()) expect(cells[1], `line ${i + 1}`).toBe(cells[0]);
    // ASAP: start = end time, `db` on downbeats (with the time signature on the first), `b` elsewhere.
    expect(rows.asap[0][2]).toMatch(/^db,\d+\/\d+/);
    for (const [i, cells] of rows.asap.entries()) {
      expect(cells[1], `line ${i + 1}`).toBe(cells[0]);
      expect(cells[2].split(',')[0], `line ${i + 1}`).toBe(score.beats[i].downbeat ? 'db' : 'b');
    }
  });

  it('writes --format pages: the page images beside the JSON, each measure boxed with its times', () => {
    const out = path.join(tmp, 'minuet.json');
    const r = accord(
      'align',
      fx('fixtures/minuet-repeat/performance.ogg'),
      fx('fixtures/minuet-repeat/score.musicxml'),
      '-o',
      out,
      '--format',
      'pages',
      '--page-format',
      'svg',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/→ .*minuet\.json \(pages\)/);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      format: string;
      pages: { index: number; image: string; width: number; height: number }[];
      measures: { number: string; page: number; box: number[]; perfTimes: number[] }[];
    };
    expect(doc.format).toBe('accord-pages');
    expect(doc.pages.map((p) => p.image)).toEqual(['minuet.page-1.svg']);
    expect(readFileSync(path.join(tmp, 'minuet.page-1.svg'), 'utf8')).toMatch(
      /^<svg viewBox="0 0 2100 2970"/,
    );
    expect(doc.measures.map((m) => m.number)).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1)));
    // The repeat of bars 1–8 is played: two times each; bars 9–16 once.
    expect(doc.measures.map((m) => m.perfTimes.length)).toEqual([
      ...Array<number>(8).fill(2),
      ...Array<number>(8).fill(1),
    ]);
    const png = accord(
      'align',
      fx('sample/performance.flac'),
      fx('sample/score.musicxml'),
      '-o',
      path.join(tmp, 'sample-pages.json'),
      '--format',
      'pages',
      '--method',
      'dtw',
    );
    expect(png.code).toBe(0);
    expect(readFileSync(path.join(tmp, 'sample-pages.page-1.png')).subarray(1, 4).toString('latin1')).toBe(
      'PNG',
    );
  });

  it('writes --format pages for a scanned score (--scan): boxes found on the page, linked, timed', () => {
    type Doc = {
      pages: { index: number; image: string; width: number; height: number }[];
      measures: { number: string; page: number; box: number[]; perfTimes: number[] }[];
    };
    const perf = fx('fixtures/minuet-repeat/performance.ogg');
    const engraved = path.join(tmp, 'minuet-engraved.json');
    expect(
      accord('align', perf, fx('fixtures/minuet-repeat/score.musicxml'), '-o', engraved, '--format', 'pages')
        .code,
    ).toBe(0);
    const truth = JSON.parse(readFileSync(engraved, 'utf8')) as Doc;
    // The engraved page as a scan; the score of the same edition as MIDI, without its repeat written out.
    const page = path.join(tmp, 'minuet-engraved.page-1.png');
    const out = path.join(tmp, 'minuet-scan.json');
    const r = accord(
      'align',
      perf,
      fx('fixtures/minuet-repeat/score-norepeat.mid'),
      '-o',
      out,
      '--format',
      'pages',
      '--scan',
      page,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Doc;
    expect(doc.pages).toEqual([{ index: 1, image: 'minuet-scan.page-1.png', width: 2100, height: 2970 }]);
    expect(readFileSync(path.join(tmp, 'minuet-scan.page-1.png')).subarray(1, 4).toString('latin1')).toBe(
      'PNG',
    );
    expect(doc.measures.map((m) => m.number)).toEqual(truth.measures.map((m) => m.number));
    const iou = (a: number[], b: number[]): number => {
      const w = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
      const h = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
      return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
    };
    doc.measures.forEach((m, i) => {
      const t = truth.measures[i];
      expect(iou(m.box, t.box), `box of measure ${m.number}`).toBeGreaterThan(0.8);
      // The repeat is found in the audio (two passes of bars 1–8) and every pass is timed as the
      // engraved score's export times it.
      expect(m.perfTimes.length, `passes of measure ${m.number}`).toBe(t.perfTimes.length);
      m.perfTimes.forEach((p, k) => expect(Math.abs(p - t.perfTimes[k])).toBeLessThan(0.05));
    });
    // Misuse is refused before aligning.
    const misuse = (out: string, scanArg: string, ...more: string[]) =>
      accord(
        'align',
        perf,
        fx('fixtures/minuet-repeat/score.mid'),
        '-o',
        path.join(tmp, out),
        ...more,
        '--scan',
        scanArg,
      );
    const csv = misuse('x.csv', page);
    expect(csv.code).toBe(64);
    expect(csv.stderr).toMatch(/--scan: only with --format pages, the format is csv/);
    const text = misuse('x.json', fx('fixtures/minuet-repeat/gt.csv'), '--format', 'pages');
    expect(text.code).toBe(64);
    expect(text.stderr).toMatch(/--scan: gt\.csv: expected a PNG, JPEG or PDF file/);
    const folder = misuse('x.json', tmp, '--format', 'pages');
    expect(folder.code).toBe(64);
    expect(folder.stderr).toMatch(/--scan: .* is not a file/);
    expect(text.stdout).toBe('');
  });

  it('follows the repeat that the score does not write out (jump method)', () => {
    const out = path.join(tmp, 'minuet-jump.csv');
    const r = accord(
      'align',
      fx('fixtures/minuet-repeat/performance.ogg'),
      fx('fixtures/minuet-repeat/score-norepeat.mid'),
      '-o',
      out,
      '--method',
      'jump',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* jump\(s\)/);
    // The issue's target for `jump` on performances with repeats/skips is 85 % within 100 ms;
    // the fixture is a clean synthesized rendering, so anything below that target is a regression.
    expect(accuracy(fx('fixtures/minuet-repeat/gt.csv'), out).acc100).toBeGreaterThanOrEqual(85);
  });

  it('follows a repeated and a skipped passage (structure fixture, jump method)', () => {
    const out = path.join(tmp, 'structure-jump.csv');
    const r = accord(
      'align',
      fx('fixtures/structure/performance.ogg'),
      fx('fixtures/structure/score.mid'),
      '-o',
      out,
      '--method',
      'jump',
    );
    expect(r.code).toBe(0);
    expect(accuracy(fx('fixtures/structure/gt.csv'), out).acc100).toBeGreaterThanOrEqual(85);
  });
});

describe('the default method', () => {
  it('uses the shipped model and follows a repeated and a skipped passage: each jump within 200 ms of the truth', () => {
    const out = path.join(tmp, 'structure.alignment.json');
    const r = accord(
      'align',
      fx('fixtures/structure/performance.ogg'),
      fx('fixtures/structure/score.mid'),
      '-o',
      out,
    );
    expect(r.code).toBe(0);
    const shipped = JSON.parse(readFileSync(path.join(root, 'models/accord-ca/config.json'), 'utf8')) as {
      version: string;
    };
    expect(r.stdout).toContain(` by auto (model ${shipped.version}) `);
    expect(r.stderr).not.toMatch(/warning/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      method: string;
      modelVersion?: string;
      jumps: { perfTime: number }[];
    };
    expect(json.method).toBe('auto');
    expect(json.modelVersion).toBe(shipped.version);
    // The GT's passes: a new segment starts exactly at a jump (its first beat is the cut).
    const gt = parseGtCsv(readFileSync(fx('fixtures/structure/gt.csv'), 'utf8'));
    const cuts = gt.filter((row, i) => i > 0 && row.segment !== gt[i - 1].segment).map((row) => row.perfTime);
    expect(cuts).toHaveLength(2);
    expect(json.jumps).toHaveLength(cuts.length);
    for (const cut of cuts)
      expect(Math.min(...json.jumps.map((j) => Math.abs(j.perfTime - cut)))).toBeLessThan(0.2);
    const csv = path.join(tmp, 'structure-auto.csv');
    expect(
      accord('align', fx('fixtures/structure/performance.ogg'), fx('fixtures/structure/score.mid'), '-o', csv)
        .code,
    ).toBe(0);
    // 85 % within 100 ms is the issue's target for structure sets; this clean rendering must meet it.
    expect(accuracy(fx('fixtures/structure/gt.csv'), csv).acc100).toBeGreaterThanOrEqual(85);
  });
});

describe('bad input gets one clear line and a non-zero exit', () => {
  const prelude = fx('fixtures/prelude/performance.ogg');
  const score = fx('fixtures/prelude/score.mid');
  it('missing recording', () => {
    const r = accord('align', path.join(tmp, 'nope.wav'), score, '-o', path.join(tmp, 'x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nope\.wav/);
    expect(existsSync(path.join(tmp, 'x.csv'))).toBe(false);
  });
  it('unknown audio extension', () => {
    const f = path.join(tmp, 'notes.txt');
    writeFileSync(f, 'hello');
    const r = accord('align', f, score, '-o', path.join(tmp, 'x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/notes\.txt/);
  });
  it('corrupt audio', () => {
    const f = path.join(tmp, 'corrupt.wav');
    writeFileSync(f, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunkjunkjunk', 'latin1'));
    const r = accord('align', f, score, '-o', path.join(tmp, 'x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/corrupt\.wav/);
  });
  it('corrupt MIDI score', () => {
    const f = path.join(tmp, 'corrupt.mid');
    writeFileSync(f, Buffer.from('MThd garbage that is not a midi file'));
    const r = accord('align', prelude, f, '-o', path.join(tmp, 'x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/corrupt\.mid/);
  });
  it('an output folder that does not exist', () => {
    const r = accord('align', prelude, score, '-o', path.join(tmp, 'no/such/dir/x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/does not exist/);
  });
  it('missing score', () => {
    const r = accord('align', prelude, path.join(tmp, 'missing.mid'), '-o', path.join(tmp, 'x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/missing\.mid/);
  });
  it('a recording and a score of wildly different length', () => {
    const long = path.join(tmp, 'long.mid');
    // The sample's score played 16 times over is far longer than the prelude's recording (an excerpt may be 1/12).
    const gen = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import pkg from '@tonejs/midi'; import fs from 'node:fs';
      const { Midi } = pkg; const src = new Midi(fs.readFileSync(${JSON.stringify(score)}));
      const out = new Midi(); const t = out.addTrack(); const len = src.duration + 1;
      for (let k = 0; k < 16; k++) for (const tr of src.tracks) for (const n of tr.notes) t.addNote({ midi: n.midi, time: n.time + k * len, duration: n.duration, velocity: n.velocity });
      fs.writeFileSync(${JSON.stringify(long)}, out.toArray());`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(gen.status).toBe(0);
    const r2 = accord('align', prelude, long, '-o', path.join(tmp, 'x.csv'));
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/differ in length/);
  });
  it('a silent recording', () => {
    const f = path.join(tmp, 'silence.wav');
    const n = 22050 * 20;
    const b = Buffer.alloc(44 + 2 * n);
    b.write('RIFF', 0, 'latin1');
    b.writeUInt32LE(36 + 2 * n, 4);
    b.write('WAVEfmt ', 8, 'latin1');
    b.writeUInt32LE(16, 16);
    b.writeUInt16LE(1, 20);
    b.writeUInt16LE(1, 22);
    b.writeUInt32LE(22050, 24);
    b.writeUInt32LE(44100, 28);
    b.writeUInt16LE(2, 32);
    b.writeUInt16LE(16, 34);
    b.write('data', 36, 'latin1');
    b.writeUInt32LE(2 * n, 40);
    writeFileSync(f, b);
    const r = accord('align', f, score, '-o', path.join(tmp, 'x.csv'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/silence\.wav.*silent/);
  });
  it('pages of a MIDI score, or a page format without pages, are refused before aligning', () => {
    const midi = accord(
      'align',
      fx('sample/performance.flac'),
      fx('sample/score.mid'),
      '-o',
      path.join(tmp, 'p.json'),
      '--format',
      'pages',
    );
    expect(midi.code).toBe(1);
    expect(midi.stderr).toMatch(/score\.mid: pages need an engraved score .*score\.musicxml is beside it/);
    expect(midi.stdout).toBe('');
    const misuse = accord('align', prelude, score, '-o', path.join(tmp, 'x.csv'), '--page-format', 'png');
    expect(misuse.code).toBe(64);
    expect(misuse.stderr).toMatch(/--page-format: only with --format pages, the format is csv/);
    const gif = accord(
      'align',
      prelude,
      fx('fixtures/prelude/score.musicxml'),
      '-o',
      path.join(tmp, 'x.json'),
      '--format',
      'pages',
      '--page-format',
      'gif',
    );
    expect(gif.code).toBe(64);
    expect(gif.stderr).toMatch(/--page-format: expected one of png, svg, got 'gif'/);
  });
  it('--help after a command prints the usage and aligns nothing', () => {
    const out = path.join(tmp, 'help.csv');
    for (const args of [
      ['align', '--help'],
      ['align', prelude, score, '-o', out, '-h'],
      ['batch', '--help'],
    ]) {
      const r = accord(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage:\n {2}accord align/);
      expect(r.stderr).toBe('');
    }
    expect(existsSync(out)).toBe(false);
  });
  it('unknown method and format are usage errors', () => {
    expect(
      accord('align', prelude, score, '-o', path.join(tmp, 'x.csv'), '--method', 'magic').stderr,
    ).toMatch(/--method: expected one of/);
    expect(accord('align', prelude, score, '-o', path.join(tmp, 'x.csv'), '--format', 'xls').stderr).toMatch(
      /--format: expected one of/,
    );
  });
});

describe('accord batch', () => {
  it('aligns a folder of pairs in worker processes, goes on past a bad pair, writes a summary', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'accord-batch-'));
    copyFileSync(fx('fixtures/prelude/performance.ogg'), path.join(dir, 'prelude.ogg'));
    copyFileSync(fx('fixtures/prelude/score.mid'), path.join(dir, 'prelude.mid'));
    copyFileSync(fx('fixtures/structure/performance.ogg'), path.join(dir, 'structure.ogg'));
    copyFileSync(fx('fixtures/structure/score.mid'), path.join(dir, 'structure.mid'));
    writeFileSync(path.join(dir, 'broken.wav'), 'not audio');
    copyFileSync(fx('fixtures/prelude/score.mid'), path.join(dir, 'broken.mid'));
    const out = path.join(dir, 'out');
    const r = accord('batch', dir, '-o', out, '--jobs', '2', '--method', 'dtw');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/2 aligned, 1 failed of 3/);
    const summary = readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe('audio,score,out,status,error,seconds,audio_seconds,mean_confidence,jumps');
    const broken = summary.find((l) => l.includes('broken.wav'))!;
    expect(broken).toMatch(/,failed,.*broken\.wav/);
    expect(readdirSync(out).sort()).toEqual(['prelude.csv', 'structure.csv', 'summary.csv']);
  });

  it('splits a manifest into shards', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'accord-shard-'));
    const rows = [
      'audio,score',
      ...['prelude', 'structure', 'minuet-repeat'].map(
        (p) => `${fx(`fixtures/${p}/performance.ogg`)},${fx(`fixtures/${p}/score.mid`)}`,
      ),
    ];
    writeFileSync(path.join(dir, 'manifest.csv'), rows.join('\n'));
    const r = accord(
      'batch',
      path.join(dir, 'manifest.csv'),
      '-o',
      path.join(dir, 'out'),
      '--shard',
      '1/2',
      '--method',
      'dtw',
      '--jobs',
      '1',
    );
    expect(r.code).toBe(0);
    const summary = readFileSync(path.join(dir, 'out', 'summary-1of2.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(summary).toHaveLength(2);
    expect(summary[1]).toMatch(/structure/);
    expect(
      accord('batch', path.join(dir, 'manifest.csv'), '-o', path.join(dir, 'out'), '--shard', '2/2').stderr,
    ).toMatch(/--shard: expected i\/n/);
  });
});

describe('start-up', () => {
  it('loads no engraver, ONNX runtime, rasterizer or database until a run needs them', () => {
    // A resolve hook reports every package module the CLI's import graph pulls in.
    const hook = path.join(tmp, 'hook.mjs');
    writeFileSync(
      hook,
      `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/node_modules/')) process.stderr.write('loaded ' + r.url + '\\n');
  return r;
}\n`,
    );
    const runner = path.join(tmp, 'import-cli.mjs');
    writeFileSync(
      runner,
      `import { register, createRequire } from 'node:module';
register(${JSON.stringify(new URL(`file://${hook}`).href)});
await import(${JSON.stringify(path.join(root, 'dist/node/electron/hosts/cli/main.js'))});
for (const k of Object.keys(createRequire(import.meta.url).cache)) process.stderr.write('loaded ' + k + '\\n');\n`,
    );
    const r = spawnSync(process.execPath, [runner], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('loaded '));
    // The probe works: the MIDI reader is part of the graph.
    expect(loaded.some((l) => l.includes('@tonejs/midi'))).toBe(true);
    for (const heavy of ['verovio', 'onnxruntime-node', '@resvg', 'better-sqlite3'])
      expect(loaded.filter((l) => l.includes(`/node_modules/${heavy}`))).toEqual([]);
  });
});
