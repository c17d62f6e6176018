/**
 * Links the measure boxes found on scanned pages to the score's notated measures (issue 11,
 * route 2) by a sequence alignment that tolerates a missed bar line (one box, two measures), an
 * extra one (two boxes, one measure) and boxes or measures with no partner. Pure.
 */
import type { Score } from '../../score.js';
import type { LinkedScanMeasure, ScanDetection, ScanMeasureBox } from './model.js';

/** A notated measure of a score and the indices (into `Score.measures`, played order) of its passes. */
export interface NotatedMeasure {
  /** `ScoreMeasure.elementId` where the score has ids, else its printed number. */
  key: string;
  /** Printed number. */
  number: string;
  passes: number[];
}

/**
 * The score's notated measures in the order they are first played (which is the order they are
 * printed: repeats and jumps only revisit measures already met), each with all its passes. A
 * measure is identified by its `elementId` where present, else by its printed number.
 */
export function notatedMeasures(score: Score): NotatedMeasure[] {
  const byKey = new Map<string, NotatedMeasure>();
  const out: NotatedMeasure[] = [];
  score.measures.forEach((m, i) => {
    const key = m.elementId ?? `#${m.number}`;
    let n = byKey.get(key);
    if (!n) {
      n = { key, number: m.number, passes: [] };
      byKey.set(key, n);
      out.push(n);
    }
    n.passes.push(i);
  });
  return out;
}

/**
 * How much horizontal room each notated measure takes when engraved, in arbitrary units (about
 * quarter notes): engravers space each onset by a fixed amount plus its duration to the next onset
 * raised to a power below one (so a half note gets less than twice a quarter's room). Computed on
 * the measure's first pass; the quarter's length in score seconds is the median over nearby
 * measures, so a pickup or a short last measure gets its own, smaller content.
 */
export function measureContent(score: Score, notated: readonly NotatedMeasure[]): number[] {
  const ms = score.measures;
  const onsets: number[][] = ms.map(() => []);
  for (const n of score.notes) if (n.measure >= 0 && n.measure < ms.length) onsets[n.measure].push(n.onset);
  const nominal = ms.map((m) => {
    const quarters = (m.timeSignature[0] * 4) / m.timeSignature[1];
    return quarters > 0 && m.end > m.start ? (m.end - m.start) / quarters : NaN;
  });
  const quarterOf = (p: number): number => {
    const near = nominal.slice(Math.max(0, p - 3), p + 4).filter((v) => Number.isFinite(v));
    near.sort((a, b) => a - b);
    return near.length > 0 ? near[near.length >> 1] : 0.5;
  };
  return notated.map((n) => {
    const p = n.passes[0];
    const m = ms[p];
    const q = quarterOf(p);
    const points = [...new Set([m.start, ...onsets[p]].map((t) => Math.round(t * 1000)))]
      .map((t) => t / 1000)
      .filter((t) => t < m.end - 1e-3)
      .sort((a, b) => a - b);
    if (points.length === 0) points.push(m.start);
    let c = 0;
    points.forEach((t, i) => {
      const next = i + 1 < points.length ? points[i + 1] : m.end;
      c += ONSET_ROOM + Math.pow(Math.max(0.0625, (next - t) / q), SPACING_POWER);
    });
    return c;
  });
}

/** Room per onset in `measureContent`, in quarter-note units of spacing. */
const ONSET_ROOM = 0.15;
/** Power of the duration in `measureContent`'s spacing. */
const SPACING_POWER = 0.8;
/** Room the clef and key signature take at a system's start, in staff spaces, plus one per key accidental. */
const HEADER_SPACES = 4.5;
/** Room the first time signature takes, in staff spaces. */
const TIME_SIGNATURE_SPACES = 2.5;
/** Spread of ln(box width / expected width) for a right link. */
const WIDTH_SIGMA = 0.15;
/**
 * Most a box's width can cost: below half a merge and a split together, so that widths alone
 * (a score or an engraving spaced unlike `measureContent`) never trade a one-to-one link for them.
 */
const WIDTH_COST_CAP = 3.5;
/** Spread of ln(a system's spacing / the pages' typical spacing). */
const SCALE_SIGMA = 0.35;
/** Cost of one box covering 2 measures (3 measures: twice); of one measure split over 2 boxes (3: twice). */
const MERGE_COST = 4;
const SPLIT_COST = 4;
/** Cost of a box linked to no measure, and of a measure with no box. */
const SKIP_BOX_COST = 6;
const SKIP_MEASURE_COST = 6;
/**
 * A box narrower than this many staff spaces is rarely a measure: on the degraded validation
 * pages 1 of 4012 true measure boxes is, against 27 of the 59 boxes that match no measure
 * (courtesy key and time signatures after a system's last bar line, arpeggio signs and a
 * header taken for bar lines). Such a box costs `NARROW_SKIP_COST` to leave unlinked, so the
 * alignment drops it instead of splitting a measure over it and shifting every measure after.
 */
const NARROW_SPACES = 7;
const NARROW_SKIP_COST = 1;
/** Spread of ln(box width) below which the widths carry no evidence and boxes link in reading order. */
const UNIFORM_SPREAD = 0.02;
/** Alignments costlier than the best so far by this much are not extended. */
const BEAM = 40;

/** The boxes of one system: indices into the flat box list, their widths, the staff space. */
interface Line {
  first: number;
  widths: number[];
  space: number;
  /** Cost of leaving each box unlinked (`SKIP_BOX_COST`, or `NARROW_SKIP_COST` for a narrow box). */
  skips: number[];
}

/** How one run of boxes is linked: boxes [box, box + boxes) to measures [measure, measure + measures). */
interface Step {
  box: number;
  boxes: number;
  measure: number;
  measures: number;
}

/** Box-to-measure groups tried within a system: [boxes, measures, cost]. */
const GROUPS: [number, number, number][] = [
  [1, 1, 0],
  [1, 2, MERGE_COST],
  [1, 3, 2 * MERGE_COST],
  [2, 1, SPLIT_COST],
  [3, 1, 2 * SPLIT_COST],
  [1, 0, NaN], // a box linked to no measure: its `Line.skips` cost
];

/**
 * Aligns the systems' boxes with the notated measures: each system takes a contiguous run of
 * measures whose expected widths (content × the system's spacing, the first measure with the
 * header) best fit its boxes, the system's spacing is held near the pages' typical one, and
 * system breaks are where the runs start and end. Returns the steps, boxes and measures in order.
 */
function align(lines: Line[], content: number[], header: number[], typical: number): Step[] {
  const N = content.length;
  const S = lines.length;
  const prefix = [0];
  for (const c of content) prefix.push(prefix[prefix.length - 1] + c);
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let s = 0; s <= S; s++) {
    best.push(new Float64Array(N + 1).fill(Infinity));
    from.push(new Int32Array(N + 1).fill(-2));
  }
  best[0][0] = 0;
  /** Cost and steps of system s taking measures [j0, j0 + L). */
  const lineFit = (s: number, j0: number, L: number, steps?: Step[]): number => {
    const { widths, space, first, skips } = lines[s];
    const k = widths.length;
    const W = widths.reduce((a, b) => a + b, 0);
    const h = header[j0] * space;
    const scale = Math.max(W * 0.1, W - h) / Math.max(1e-6, prefix[j0 + L] - prefix[j0]);
    const scaleCost = (Math.log(scale / typical) / SCALE_SIGMA) ** 2;
    const dp = new Float64Array((k + 1) * (L + 1)).fill(Infinity);
    const back = new Int32Array((k + 1) * (L + 1)).fill(-1);
    dp[0] = 0;
    for (let a = 0; a <= k; a++) {
      for (let b = 0; b <= L; b++) {
        const here = dp[a * (L + 1) + b];
        if (here === Infinity) continue;
        GROUPS.forEach(([da, db, pen], g) => {
          if (a + da > k || b + db > L) return;
          let cost = db === 0 ? skips[a] : pen;
          if (db > 0) {
            let actual = 0;
            for (let i = a; i < a + da; i++) actual += widths[i];
            const expected = scale * (prefix[j0 + b + db] - prefix[j0 + b]) + (b === 0 ? h : 0);
            cost += Math.min(
              WIDTH_COST_CAP,
              (Math.log(Math.max(1, actual) / Math.max(1, expected)) / WIDTH_SIGMA) ** 2,
            );
          }
          const at = (a + da) * (L + 1) + b + db;
          if (here + cost < dp[at]) {
            dp[at] = here + cost;
            back[at] = g;
          }
        });
      }
    }
    if (steps) {
      const out: Step[] = [];
      let a = k;
      let b = L;
      while (a > 0 || b > 0) {
        const [da, db] = GROUPS[back[a * (L + 1) + b]];
        a -= da;
        b -= db;
        out.push({ box: first + a, boxes: da, measure: j0 + b, measures: db });
      }
      steps.push(...out.reverse());
    }
    return dp[k * (L + 1) + L] + scaleCost;
  };
  const relaxSkips = (s: number): void => {
    for (let j = 0; j < N; j++) {
      if (best[s][j] + SKIP_MEASURE_COST < best[s][j + 1]) {
        best[s][j + 1] = best[s][j] + SKIP_MEASURE_COST;
        from[s][j + 1] = -1;
      }
    }
  };
  relaxSkips(0);
  for (let s = 0; s < S; s++) {
    const k = lines[s].widths.length;
    const floor = Math.min(...best[s]);
    for (let j = 0; j <= N; j++) {
      const here = best[s][j];
      if (here > floor + BEAM) continue;
      const unlinked = here + lines[s].skips.reduce((x, y) => x + y, 0);
      if (unlinked < best[s + 1][j]) {
        best[s + 1][j] = unlinked;
        from[s + 1][j] = j;
      }
      for (let L = 1; L <= Math.min(3 * k, N - j); L++) {
        const c = here + lineFit(s, j, L);
        if (c < best[s + 1][j + L]) {
          best[s + 1][j + L] = c;
          from[s + 1][j + L] = j;
        }
      }
    }
    relaxSkips(s + 1);
  }
  const steps: Step[] = [];
  let j = N;
  for (let s = S; s > 0;) {
    const f = from[s][j];
    if (f === -1) {
      j--;
      continue;
    }
    const part: Step[] = [];
    if (f === j) {
      const { first, widths } = lines[s - 1];
      widths.forEach((_, i) => part.push({ box: first + i, boxes: 1, measure: j, measures: 0 }));
    } else {
      lineFit(s - 1, f, j - f, part);
    }
    steps.unshift(...part);
    j = f;
    s--;
  }
  return steps;
}

/** Lists at most `max` items, then how many more. */
function list(items: string[], max = 6): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Runs of consecutive indices as `a–b` (or `a`) of their printed numbers. */
function runs(indices: number[], notated: NotatedMeasure[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < indices.length) {
    let e = i;
    while (e + 1 < indices.length && indices[e + 1] === indices[e] + 1) e++;
    out.push(
      e > i ? `${notated[indices[i]].number}–${notated[indices[e]].number}` : notated[indices[i]].number,
    );
    i = e + 1;
  }
  return out;
}

/**
 * Links the boxes of `detections` (pages in page order, each page's boxes in reading order) to
 * the score's notated measures by aligning the two sequences: a box's width is compared with
 * its measure's expected width (`measureContent` × the system's spacing, the system's first
 * measure widened by the clef and key), system breaks are free points, and the alignment may
 * give one box two or three measures (a missed bar line: `alsoCovers`), two or three boxes one
 * measure (an extra bar line: each box linked to it), leave a box unlinked (`number` null, no
 * passes) or a measure without a box. Warnings say where boxes and measures do not add up one to
 * one, starting with the counts where they differ (expected N notated measures, found M boxes).
 */
export function linkScanMeasures(
  detections: ScanDetection[],
  score: Score,
): { measures: LinkedScanMeasure[]; warnings: string[] } {
  const notated = notatedMeasures(score);
  const sorted = [...detections].sort((a, b) => a.page - b.page);
  const boxes: ScanMeasureBox[] = sorted.flatMap((d) => d.measures);
  const lines: Line[] = [];
  for (const d of sorted) {
    d.measures.forEach((b, i) => {
      const last = lines[lines.length - 1];
      const prev = i > 0 ? d.measures[i - 1] : undefined;
      if (last && prev && prev.system === b.system) {
        last.widths.push(Math.max(1, b.box[2]));
        return;
      }
      const staff = d.systems[b.system]?.staffLines;
      const space = staff && staff.length >= 5 ? (staff[4] - staff[0]) / 4 : b.box[3] / 4;
      lines.push({
        first: lines.reduce((a, l) => a + l.widths.length, 0),
        widths: [Math.max(1, b.box[2])],
        space,
        skips: [],
      });
    });
  }
  for (const l of lines)
    l.skips = l.widths.map((w) => (w < NARROW_SPACES * l.space ? NARROW_SKIP_COST : SKIP_BOX_COST));
  const content = measureContent(score, notated);
  const keyOf = new Array<number>(score.measures.length).fill(0);
  let key = 0;
  let bi = 0;
  for (let p = 0; p < score.measures.length; p++) {
    while (bi < score.beats.length && score.beats[bi].measure <= p) {
      if (score.beats[bi].key !== undefined) key = score.beats[bi].key!;
      bi++;
    }
    keyOf[p] = key;
  }
  const header = notated.map(
    (n, j) => HEADER_SPACES + Math.abs(keyOf[n.passes[0]]) + (j === 0 ? TIME_SIGNATURE_SPACES : 0),
  );
  const total = content.reduce((a, b) => a + b, 0);
  const room = lines.reduce((a, l) => a + l.widths.reduce((x, y) => x + y, 0) - HEADER_SPACES * l.space, 0);
  let steps: Step[] = [];
  const logs = boxes.map((b) => Math.log(Math.max(1, b.box[2])));
  const mean = logs.reduce((a, b) => a + b, 0) / Math.max(1, logs.length);
  const spread = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, logs.length));
  if (spread < UNIFORM_SPREAD) {
    // Boxes all of one width (drawn on a grid, not found on a page) say nothing of their measures: reading order.
    steps = boxes.map((_, i) => ({ box: i, boxes: 1, measure: i, measures: i < notated.length ? 1 : 0 }));
  } else if (lines.length > 0 && notated.length > 0) {
    // The typical spacing: first from all systems together, then the median system's of that alignment.
    const first = align(lines, content, header, Math.max(1e-6, room / Math.max(1e-6, total)));
    const scales: number[] = [];
    lines.forEach((l) => {
      const mine = first.filter(
        (st) => st.box >= l.first && st.box < l.first + l.widths.length && st.measures > 0,
      );
      if (mine.length === 0) return;
      const j0 = mine[0].measure;
      const j1 = mine[mine.length - 1].measure + mine[mine.length - 1].measures;
      let c = 0;
      for (let j = j0; j < j1; j++) c += content[j];
      const W = l.widths.reduce((a, b) => a + b, 0) - header[j0] * l.space;
      if (c > 0 && W > 0) scales.push(W / c);
    });
    scales.sort((a, b) => a - b);
    steps = scales.length > 0 ? align(lines, content, header, scales[scales.length >> 1]) : first;
  }
  const linkOf: (Step | undefined)[] = boxes.map(() => undefined);
  for (const st of steps) for (let i = st.box; i < st.box + st.boxes; i++) linkOf[i] = st;
  const measures: LinkedScanMeasure[] = boxes.map((b, i) => {
    const st = linkOf[i];
    const out: LinkedScanMeasure = {
      page: b.page,
      system: b.system,
      box: [...b.box],
      number: null,
      passes: [],
    };
    if (!st || st.measures === 0) return out;
    const n = notated[st.measure];
    out.number = n.number;
    out.passes = [...n.passes];
    if (st.measures > 1) {
      out.alsoCovers = notated
        .slice(st.measure + 1, st.measure + st.measures)
        .map((m) => ({ number: m.number, passes: [...m.passes] }));
    }
    return out;
  });
  return { measures, warnings: warningsOf(detections.length, boxes, notated, steps) };
}

/** What does not add up one to one between boxes and measures, in words (see `linkScanMeasures`). */
function warningsOf(
  pages: number,
  boxes: ScanMeasureBox[],
  notated: NotatedMeasure[],
  steps: Step[],
): string[] {
  const where = (b: ScanMeasureBox): string => `page ${b.page}, system ${b.system + 1}`;
  const covered = new Uint8Array(notated.length);
  for (const st of steps) for (let j = st.measure; j < st.measure + st.measures; j++) covered[j] = 1;
  const noBox = notated.map((_, j) => j).filter((j) => !covered[j]);
  const unlinked = steps.filter((st) => st.measures === 0).map((st) => st.box);
  for (let i = 0; i < boxes.length; i++)
    if (!steps.some((st) => i >= st.box && i < st.box + st.boxes)) unlinked.push(i);
  unlinked.sort((a, b) => a - b);
  const merged = steps.filter((st) => st.measures > 1);
  const split = steps.filter((st) => st.boxes > 1);
  const parts: string[] = [];
  if (noBox.length > 0) parts.push(`measures ${list(runs(noBox, notated))} (${noBox.length}) have no box`);
  if (unlinked.length > 0) {
    const trailing = unlinked.every((b, i) => b === boxes.length - unlinked.length + i);
    const first = boxes[unlinked[0]];
    parts.push(
      trailing
        ? `the last ${unlinked.length} boxes (from ${where(first)}) are not linked`
        : `${unlinked.length} box${unlinked.length === 1 ? ' is' : 'es are'} not linked (${list(unlinked.map((i) => where(boxes[i])))})`,
    );
  }
  if (merged.length > 0)
    parts.push(
      `${merged.length} box${merged.length === 1 ? ' covers' : 'es cover'} more than one measure, a bar line missed (${list(
        merged.map(
          (st) =>
            `${notated[st.measure].number}–${notated[st.measure + st.measures - 1].number} on ${where(boxes[st.box])}`,
        ),
      )})`,
    );
  if (split.length > 0)
    parts.push(
      `${split.length} measure${split.length === 1 ? ' is' : 's are'} split over more than one box, an extra bar line (${list(
        split.map((st) => `${notated[st.measure].number} on ${where(boxes[st.box])}`),
      )})`,
    );
  if (boxes.length === notated.length && parts.length === 0) return [];
  const head =
    boxes.length !== notated.length
      ? `expected ${notated.length} notated measures (the score's), found ${boxes.length} measure boxes on ${pages} page${pages === 1 ? '' : 's'}`
      : `${boxes.length} measure boxes for ${notated.length} notated measures, but not one to one`;
  return [parts.length > 0 ? `${head}: ${parts.join('; ')}` : head];
}
