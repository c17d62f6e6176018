import { describe, expect, it } from 'vitest';
import type { Score, ScoreMeasure, ScoreNote } from '../../score.js';
import { linkScanMeasures, measureContent, notatedMeasures } from './link.js';
import type { ScanDetection, ScanMeasureBox } from './model.js';

/** Notes per 4/4 measure of the synthetic score (even subdivisions of the measure). */
const DENSITY = [4, 8, 2, 4, 16, 4, 1, 8, 6, 3, 12, 4, 2, 8, 4, 16, 1, 4, 8, 2, 6, 4, 12, 3];

/** A 4/4 score at 120 bpm (a measure is 2 s) whose measure j holds DENSITY[j] evenly spaced notes. */
function syntheticScore(): Score {
  const measures: ScoreMeasure[] = DENSITY.map((_, j) => ({
    index: j,
    number: String(j + 1),
    start: 2 * j,
    end: 2 * j + 2,
    timeSignature: [4, 4],
  }));
  const notes: ScoreNote[] = DENSITY.flatMap((n, j) =>
    Array.from({ length: n }, (_, k) => ({
      pitch: 60 + (k % 12),
      onset: 2 * j + (2 * k) / n,
      duration: 2 / n,
      velocity: 0.8,
      measure: j,
    })),
  );
  const beats = measures.flatMap((m) =>
    [0, 1, 2, 3].map((b) => ({
      time: m.start + b * 0.5,
      measure: m.index,
      beat: b + 1,
      downbeat: b === 0,
      label: `${m.number}.${b + 1}`,
    })),
  );
  return { format: 'musicxml', duration: 48, notes, beats, measures, jumpPoints: [0, 48] };
}

/**
 * Two pages of three systems of four measures, engraved as the linker expects: each box as wide
 * as its measure's content at one spacing per system (varied by system, ±3 % per box), the first
 * of a system widened by the clef (4.5 staff spaces of 10 px), the piece's first by the time signature.
 */
function engrave(score: Score): ScanDetection[] {
  const content = measureContent(score, notatedMeasures(score));
  const jitter = [1, 0.97, 1.03, 0.99, 1.02, 0.98];
  const pages: ScanDetection[] = [];
  for (let page = 1; page <= 2; page++) {
    const measures: ScanMeasureBox[] = [];
    const systems = [0, 1, 2].map((system) => {
      const y = 100 + system * 300;
      const scale = 28 + 4 * ((page + system) % 3);
      let x = 60;
      for (let i = 0; i < 4; i++) {
        const j = (page - 1) * 12 + system * 4 + i;
        const w = (scale * content[j] + (i === 0 ? 45 + (j === 0 ? 25 : 0) : 0)) * jitter[(j * 7) % 6];
        measures.push({ page, system, box: [x, y, w, 40] });
        x += w;
      }
      return {
        box: [60, y, x - 60, 40] as [number, number, number, number],
        staves: 1,
        staffLines: [y, y + 10, y + 20, y + 30, y + 40],
      };
    });
    pages.push({ page, width: 1600, height: 1200, skewDegrees: 0, systems, measures });
  }
  return pages;
}

/** The pages with box `index` (of `page`'s boxes) merged into the next one: a missed bar line. */
function mergeBox(pages: ScanDetection[], page: number, index: number): ScanDetection[] {
  return pages.map((d) => {
    if (d.page !== page) return d;
    const ms = d.measures.map((m) => ({ ...m, box: [...m.box] as typeof m.box }));
    const [a, b] = [ms[index], ms[index + 1]];
    a.box[2] = b.box[0] + b.box[2] - a.box[0];
    ms.splice(index + 1, 1);
    return { ...d, measures: ms };
  });
}

/** The pages with box `index` of `page` split at `at` of its width: an extra bar line (a stem read as one). */
function splitBox(pages: ScanDetection[], page: number, index: number, at: number): ScanDetection[] {
  return pages.map((d) => {
    if (d.page !== page) return d;
    const ms = d.measures.map((m) => ({ ...m, box: [...m.box] as typeof m.box }));
    const a = ms[index];
    const w = a.box[2] * at;
    ms.splice(index + 1, 0, { ...a, box: [a.box[0] + w, a.box[1], a.box[2] - w, a.box[3]] });
    a.box[2] = w;
    return { ...d, measures: ms };
  });
}

/**
 * The pages with a narrow box of `width` px (staff space 10 px) inserted after box `index` of
 * `page`, in the same system: a courtesy signature after a system's last bar line, or an
 * arpeggio sign read as a bar line. Later boxes of the system move right by its width.
 */
function insertNarrowBox(
  pages: ScanDetection[],
  page: number,
  index: number,
  width: number,
): ScanDetection[] {
  return pages.map((d) => {
    if (d.page !== page) return d;
    const ms = d.measures.map((m) => ({ ...m, box: [...m.box] as typeof m.box }));
    const a = ms[index];
    for (const m of ms.slice(index + 1)) if (m.system === a.system) m.box[0] += width;
    ms.splice(index + 1, 0, { ...a, box: [a.box[0] + a.box[2], a.box[1], width, a.box[3]] });
    return { ...d, measures: ms };
  });
}

describe('linkScanMeasures', () => {
  const score = syntheticScore();

  it('links every box one to one when each measure has its box, with no warning', () => {
    const { measures, warnings } = linkScanMeasures(engrave(score), score);
    expect(warnings).toEqual([]);
    expect(measures.map((m) => m.number)).toEqual(DENSITY.map((_, j) => String(j + 1)));
    expect(measures.map((m) => m.passes)).toEqual(DENSITY.map((_, j) => [j]));
  });

  it('gives a box two measures where a bar line mid-page was missed, and links every later box right', () => {
    // Page 1, system 2: measures 6 and 7 in one box.
    const { measures, warnings } = linkScanMeasures(mergeBox(engrave(score), 1, 5), score);
    expect(measures).toHaveLength(23);
    expect(measures[5].number).toBe('6');
    expect(measures[5].alsoCovers).toEqual([{ number: '7', passes: [6] }]);
    expect(measures.slice(6).map((m) => m.number)).toEqual(DENSITY.slice(7).map((_, j) => String(j + 8)));
    expect(measures.filter((m, i) => i !== 5).every((m) => m.alsoCovers === undefined)).toBe(true);
    expect(warnings).toEqual([
      "expected 24 notated measures (the score's), found 23 measure boxes on 2 pages: 1 box covers more than one measure, a bar line missed (6–7 on page 1, system 2)",
    ]);
  });

  it('links both halves of a measure split by an extra bar line to it, and every later box right', () => {
    // Page 1, system 3: measure 10 cut at 45 % of its width.
    const { measures, warnings } = linkScanMeasures(splitBox(engrave(score), 1, 9, 0.45), score);
    expect(measures).toHaveLength(25);
    expect(measures.slice(9, 11).map((m) => [m.number, m.passes])).toEqual([
      ['10', [9]],
      ['10', [9]],
    ]);
    expect(measures.slice(11).map((m) => m.number)).toEqual(DENSITY.slice(10).map((_, j) => String(j + 11)));
    expect(warnings).toEqual([
      "expected 24 notated measures (the score's), found 25 measure boxes on 2 pages: 1 measure is split over more than one box, an extra bar line (10 on page 1, system 3)",
    ]);
  });

  it('leaves narrow boxes (a courtesy signature, arpeggio signs) unlinked and links every measure right', () => {
    // After page 1's first system (measure 4), and twice inside page 2's second system.
    let pages = insertNarrowBox(engrave(score), 1, 3, 55);
    pages = insertNarrowBox(insertNarrowBox(pages, 2, 5, 45), 2, 4, 50);
    const { measures, warnings } = linkScanMeasures(pages, score);
    expect(measures).toHaveLength(27);
    const narrow = [4, 18, 20];
    expect(narrow.map((i) => [measures[i].number, measures[i].box[2]])).toEqual([
      [null, 55],
      [null, 50],
      [null, 45],
    ]);
    expect(measures.filter((_, i) => !narrow.includes(i)).map((m) => m.number)).toEqual(
      DENSITY.map((_, j) => String(j + 1)),
    );
    expect(warnings[0]).toMatch(/found 27 measure boxes on 2 pages: 3 boxes are not linked/);
  });

  it('recovers after both a missed and an extra bar line on the same page, counts equal', () => {
    const pages = splitBox(mergeBox(engrave(score), 2, 1), 2, 8, 0.5);
    const { measures, warnings } = linkScanMeasures(pages, score);
    expect(measures).toHaveLength(24);
    expect(measures.slice(0, 13).map((m) => m.number)).toEqual(
      DENSITY.slice(0, 13).map((_, j) => String(j + 1)),
    );
    expect(measures[13].alsoCovers?.map((m) => m.number)).toEqual(['15']);
    expect(measures.slice(14).map((m) => m.number)).toEqual([
      '16',
      '17',
      '18',
      '19',
      '20',
      '21',
      '22',
      '22',
      '23',
      '24',
    ]);
    expect(warnings[0]).toMatch(/^24 measure boxes for 24 notated measures, but not one to one: /);
  });
});

describe('measureContent', () => {
  it('gives a measure of many short notes more room than one of few long ones, and a pickup less than a full measure', () => {
    const score = syntheticScore();
    const c = measureContent(score, notatedMeasures(score));
    expect(c[4]).toBeGreaterThan(c[0]); // 16 notes vs 4
    expect(c[0]).toBeGreaterThan(c[6]); // 4 notes vs 1
    const pickup: Score = {
      ...score,
      measures: score.measures.map((m, j) => (j === 0 ? { ...m, start: 1.5 } : m)),
      notes: score.notes.filter((n) => n.measure !== 0 || n.onset >= 1.5),
    };
    expect(measureContent(pickup, notatedMeasures(pickup))[0]).toBeLessThan(c[0]);
  });
});
