/**
 * Notated scores (MusicXML, MEI, Humdrum, ABC) → `Score`, through the verovio toolkit.
 *
 * Why verovio rather than a hand-written MusicXML interpreter: the played order of a score
 * (repeats, first/second endings, D.C./D.S. al Fine/Coda), ties across barlines and voices,
 * backup/forward, tuplets, octave shifts and transposing staves are each a source of subtle
 * bugs, and four input formats would need four interpreters. Verovio reads all four into one
 * model, expands repeats for its timemap and MIDI output, and keeps element ids stable, so the
 * ids we attach are the ones a sheet view can highlight.
 *
 * Why the notes come from the timemap and not from `renderToMIDI()`: the timemap lists every
 * note id in played order on the notated quarter axis; the MIDI has no ids and its timeline
 * drifts where grace notes take time. Ties are merged from the MEI's `<tie>`s; pitches come from
 * the MEI verovio writes (name, gestural octave and accidental, so octave-shift lines and key
 * signatures are resolved, plus the staff's transposition), checked against the pitches of
 * verovio's MIDI (`stats.writtenPitchMismatch`); `getMIDIValuesForElement` (about 1 ms a call)
 * is asked only for notes the MEI gives no pitch for.
 */
import type { VerovioToolkit } from 'verovio/esm';
import pkg from '@tonejs/midi';
import type { Score } from '../score.js';
import { ScoreLoadError } from './errors.js';
import { scanMei } from './mei.js';
import { assembleNotatedScore, checkTimeline, type NotatedStats } from './notated.js';

const { Midi } = pkg;

/** Notated formats verovio reads, with its `inputFrom` name. */
export type NotatedFormat = 'musicxml' | 'mei' | 'kern' | 'abc';

const INPUT_FROM: Record<NotatedFormat, string> = {
  musicxml: 'musicxml',
  mei: 'mei',
  kern: 'humdrum',
  abc: 'abc',
};

const toolkits = new Map<'plain' | 'humdrum', Promise<VerovioToolkit>>();

/**
 * The shared toolkit, instantiated once on first use (the Humdrum build, larger, only for `.krn`);
 * log output goes to a buffer. Verovio is imported here, not at the top: compiling its WebAssembly
 * takes 0.3–0.4 s per build, which a MIDI score never needs.
 */
export function verovioToolkit(humdrum = false): Promise<VerovioToolkit> {
  const kind = humdrum ? 'humdrum' : 'plain';
  let toolkit = toolkits.get(kind);
  if (!toolkit) {
    toolkit = (async () => {
      const [{ VerovioToolkit: Toolkit, enableLogToBuffer }, module] = await Promise.all([
        import('verovio/esm'),
        humdrum
          ? import('verovio/wasm-hum').then((m) => m.default())
          : import('verovio/wasm').then((m) => m.default()),
      ]);
      enableLogToBuffer(1, module);
      return new Toolkit(module);
    })();
    toolkits.set(kind, toolkit);
  }
  return toolkit;
}

function base64ToBytes(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** A notated score and how its note ids were matched. */
export interface NotatedResult {
  score: Score;
  stats: NotatedStats;
}

/** Parses notated text with verovio (throws `ScoreLoadError` 'corrupt' or 'empty'); `name` is used in messages. */
export async function parseNotatedScore(
  text: string,
  format: NotatedFormat,
  name: string,
): Promise<NotatedResult> {
  const tk = await verovioToolkit(format === 'kern');
  tk.resetOptions();
  // Checksum-seeded ids: the same file gets the same ids on every load.
  tk.setOptions({ inputFrom: INPUT_FROM[format], xmlIdChecksum: true, breaks: 'none' });
  tk.getLog();
  const ok = tk.loadData(text);
  const log = tk.getLog().trim();
  if (!ok) {
    throw new ScoreLoadError(
      'corrupt',
      `${name}: expected ${format === 'musicxml' ? 'MusicXML' : format.toUpperCase()} that verovio can read, it failed${log ? `: ${log.split('\n').slice(0, 3).join(' | ')}` : ''}`,
    );
  }
  const timemap = tk.renderToTimemap({ includeMeasures: true, includeRests: true });
  checkTimeline(timemap, name);
  const midi = new Midi(base64ToBytes(tk.renderToMIDI()));
  const midiPitches = midi.tracks.flatMap((track) => track.notes.map((n) => n.midi));
  if (!timemap.some((e) => e.on?.length)) {
    throw new ScoreLoadError(
      'empty',
      `${name}: expected a score with notes, verovio found ${timemap.filter((e) => e.measureOn).length} measures and no notes${log ? ` (${log.split('\n')[0]})` : ''}`,
    );
  }
  const mei = scanMei(tk.getMEI({}));
  return assembleNotatedScore({
    format,
    timemap,
    midiPitches,
    mei,
    pitchOf: (id) => tk.getMIDIValuesForElement(id).pitch,
  });
}
