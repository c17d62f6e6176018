/**
 * Engraved pages of a notated score: verovio lays the score out on pages and renders each to
 * SVG; the boxes of every system, measure and note are read from the SVG (`./svg.ts`), and each
 * notated measure is linked to its passes in played order (the measures of the engine's `Score`,
 * repeats unfolded), so that a position in the score, and through the alignment a moment of the
 * recording, has a place on a page.
 */
import { verovioToolkit, type NotatedFormat } from '../scoreio/verovio.js';
import { inQuarterOrder, notatedId } from '../scoreio/notated.js';
import { cleanPageSvg, readPageGeometry } from './svg.js';

import {
  DEFAULT_PAGE_LAYOUT,
  PagesError,
  checkPageLayout,
  type EngravedMeasure,
  type EngravedNote,
  type EngravedPage,
  type Engraving,
  type PageLayout,
} from './model.js';

const INPUT_FROM: Record<NotatedFormat, string> = {
  musicxml: 'musicxml',
  mei: 'mei',
  kern: 'humdrum',
  abc: 'abc',
};

/**
 * Lays `text` out on pages with verovio and reads every page's geometry. `name` names the file
 * in messages. Throws `PagesError` ('render-failed' where verovio cannot read or lay it out).
 */
export async function engraveScore(
  text: string,
  format: NotatedFormat,
  name: string,
  layout: PageLayout = DEFAULT_PAGE_LAYOUT,
): Promise<Engraving> {
  const checked = checkPageLayout(layout);
  const tk = await verovioToolkit(format === 'kern');
  tk.resetOptions();
  // The same ids as the score's load (`parseNotatedScore`): checksum-seeded, so the same file gets the same ids.
  tk.setOptions({
    inputFrom: INPUT_FROM[format],
    xmlIdChecksum: true,
    breaks: 'auto',
    pageWidth: checked.pageWidth,
    pageHeight: checked.pageHeight,
    scale: checked.scale,
    svgBoundingBoxes: true,
    svgAdditionalAttribute: ['measure@n'],
  });
  tk.getLog();
  if (!tk.loadData(text)) {
    const log = tk.getLog().trim();
    throw new PagesError(
      'render-failed',
      `${name}: expected a score verovio can lay out, loading failed${log ? `: ${log.split('\n').slice(0, 3).join(' | ')}` : ''}`,
    );
  }
  // In quarter order, as the score's measures are (`inQuarterOrder`).
  const playedOrder = inQuarterOrder(tk.renderToTimemap({ includeMeasures: true }))
    .filter((e) => e.measureOn !== undefined)
    .map((e) => notatedId(e.measureOn!));
  const count = tk.getPageCount();
  if (count < 1)
    throw new PagesError('render-failed', `${name}: expected at least one page, verovio laid out none`);
  const pages: EngravedPage[] = [];
  const systems: Engraving['systems'] = [];
  const measures: EngravedMeasure[] = [];
  const notes: EngravedNote[] = [];
  const seen = new Set<string>();
  for (let index = 1; index <= count; index++) {
    const raw = tk.renderToSVG(index);
    let geometry;
    try {
      geometry = readPageGeometry(raw);
    } catch (err) {
      throw new PagesError('render-failed', `${name}, page ${index}: ${(err as Error).message}`);
    }
    pages.push({ index, svg: cleanPageSvg(raw), width: geometry.width, height: geometry.height });
    const base = systems.length;
    for (const s of geometry.systems) systems.push({ page: index, box: s.box });
    for (const m of geometry.measures) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      measures.push({
        id: m.id,
        number: m.n ?? '',
        page: index,
        system: base + m.system,
        box: m.box,
        passes: [],
      });
    }
    for (const n of geometry.notes) notes.push({ id: n.id, measure: n.measure, page: index, box: n.box });
  }
  if (measures.length === 0) {
    throw new PagesError(
      'render-failed',
      `${name}: expected measures on the pages, verovio laid out none (${count} empty page(s))`,
    );
  }
  const byId = new Map(measures.map((m) => [m.id, m]));
  playedOrder.forEach((id, i) => {
    const m = byId.get(id);
    if (!m) {
      throw new PagesError(
        'render-failed',
        `${name}: measure ${id} (played ${i + 1}th) is in the score but on no page (${measures.length} measures engraved)`,
      );
    }
    m.passes.push(i);
  });
  return { layout: checked, pages, systems, measures, notes, playedOrder };
}
