/**
 * A single forward scan of the MEI that verovio writes (`getMEI()`): measures with their printed
 * number, barlines, meter and key in force, and the written pitch of each note. Regular
 * expressions suffice because verovio's output is machine-written, one tag per match.
 */
import type { TimeSignature } from './grid.js';

/** A notated measure (not expanded). */
export interface MeiMeasure {
  /** `xml:id`. */
  id: string;
  /** Printed number/label (`@n`), or the 1-based position where absent. */
  number: string;
  /** Left barline (`rptstart`, `rptboth`, …), where given. */
  left?: string;
  /** Right barline (`rptend`, `end`, `dbl`, …), where given. */
  right?: string;
  /** Meter in force. */
  meter: TimeSignature;
  /** Key in force: sharps > 0, flats < 0 (undefined where none is written). */
  key?: number;
}

/** What `scanMei` finds. */
export interface MeiSummary {
  /** Measures in document order. */
  measures: Map<string, MeiMeasure>;
  /** Sounding MIDI pitch of each note from its written name, (gestural) octave and accidental, and its staff's `trans.semi`. */
  notePitch: Map<string, number>;
  /** Staff number (`@n` of the enclosing staff) of each note. */
  noteStaff: Map<string, number>;
  /** Notes that continue a tie (a `<tie>` ends on them, or `@tie` is `m`/`t`). */
  tieContinuations: Set<string>;
  /** Title, where the header has one. */
  title?: string;
}

const STEP: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
const ACCID: Record<string, number> = {
  s: 1,
  f: -1,
  ss: 2,
  x: 2,
  ff: -2,
  n: 0,
  xs: 3,
  sx: 3,
  ts: 3,
  tf: -3,
  nf: -1,
  ns: 1,
  su: 1,
  sd: 1,
  fu: -1,
  fd: -1,
  nu: 0,
  nd: 0,
};

function attrsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:.-]+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

/** `3s` → 3, `2f` → −2, `0` → 0. */
export function keySigToSharps(sig: string): number | undefined {
  const m = /^(\d+)([sf]?)$/.exec(sig.trim());
  if (!m) return undefined;
  return m[2] === 'f' ? -Number(m[1]) : Number(m[1]);
}

function meterOf(
  a: Record<string, string>,
  countKey: string,
  unitKey: string,
  symKey: string,
): TimeSignature | undefined {
  const count = Number.parseInt(a[countKey] ?? '', 10);
  const unit = Number.parseInt(a[unitKey] ?? '', 10);
  if (count > 0 && unit > 0) return [count, unit];
  if (a[symKey] === 'common') return [4, 4];
  if (a[symKey] === 'cut') return [2, 2];
  return undefined;
}

/** Scans verovio MEI for measures, meters, keys and written note pitches. */
export function scanMei(mei: string): MeiSummary {
  const measures = new Map<string, MeiMeasure>();
  const notePitch = new Map<string, number>();
  const noteStaff = new Map<string, number>();
  const tieContinuations = new Set<string>();
  let staff = 1;
  let meter: TimeSignature = [4, 4];
  let key: number | undefined;
  let note: { id: string; base: number; accid?: number; accidGes?: number } | undefined;
  const transSemi = new Map<number, number>();
  let title: string | undefined;
  let inTitle = false;
  const flush = (): void => {
    if (note) notePitch.set(note.id, note.base + (note.accid ?? note.accidGes ?? 0));
    note = undefined;
  };
  for (const m of mei.matchAll(/<(\/?)([A-Za-z]+)((?:[^>"]|"[^"]*")*?)(\/?)>|([^<]+)/g)) {
    if (m[5] !== undefined) {
      if (inTitle && title === undefined && m[5].trim()) title = m[5].trim();
      continue;
    }
    const closing = m[1] === '/';
    const tag = m[2];
    const selfClosing = m[4] === '/';
    if (tag === 'title') inTitle = !closing && !selfClosing;
    if (closing) {
      if (tag === 'note') flush();
      continue;
    }
    const a = attrsOf(m[3]);
    switch (tag) {
      case 'scoreDef':
      case 'staffDef': {
        if (tag === 'staffDef' && a.n !== undefined && a['trans.semi'] !== undefined) {
          transSemi.set(Number.parseInt(a.n, 10), Number.parseInt(a['trans.semi'], 10) || 0);
        }
        meter = meterOf(a, 'meter.count', 'meter.unit', 'meter.sym') ?? meter;
        const sig = a.keysig ?? a['key.sig'];
        const k = sig !== undefined ? keySigToSharps(sig) : undefined;
        if (k !== undefined) key = k;
        break;
      }
      case 'meterSig':
        meter = meterOf(a, 'count', 'unit', 'sym') ?? meter;
        break;
      case 'keySig': {
        const k = a.sig !== undefined ? keySigToSharps(a.sig) : undefined;
        if (k !== undefined) key = k;
        break;
      }
      case 'measure': {
        const id = a['xml:id'];
        if (id) {
          measures.set(id, {
            id,
            number: a.n ?? String(measures.size + 1),
            ...(a.left ? { left: a.left } : {}),
            ...(a.right ? { right: a.right } : {}),
            meter,
            ...(key !== undefined ? { key } : {}),
          });
        }
        break;
      }
      case 'staff':
        staff = Number.parseInt(a.n ?? '1', 10) || 1;
        break;
      case 'tie':
        if (a.endid) tieContinuations.add(a.endid.replace(/^#/, ''));
        break;
      case 'note': {
        flush();
        if (a['xml:id']) noteStaff.set(a['xml:id'], staff);
        if (a['xml:id'] && (a.tie === 'm' || a.tie === 't')) tieContinuations.add(a['xml:id']);
        const pname = (a['pname.ges'] ?? a.pname ?? '').toLowerCase();
        const oct = Number.parseInt(a['oct.ges'] ?? a.oct ?? '', 10);
        if (a['xml:id'] && pname in STEP && Number.isFinite(oct)) {
          note = { id: a['xml:id'], base: 12 * (oct + 1) + STEP[pname] + (transSemi.get(staff) ?? 0) };
          if (a.accid !== undefined) note.accid = ACCID[a.accid];
          if (a['accid.ges'] !== undefined) note.accidGes = ACCID[a['accid.ges']];
          if (selfClosing) flush();
        }
        break;
      }
      case 'accid':
        if (note) {
          if (a.accid !== undefined) note.accid = ACCID[a.accid];
          if (a['accid.ges'] !== undefined) note.accidGes = ACCID[a['accid.ges']];
        }
        break;
      default:
        break;
    }
  }
  flush();
  return { measures, notePitch, noteStaff, tieContinuations, ...(title ? { title } : {}) };
}
