/**
 * The public-domain pieces, written out by hand as data. Durations in sixteenths; pitches as
 * names (`F#4`, `Bb3`), `null` for a rest. Each measure lists its voices:
 * `{ staff, voice, events: [[pitch | pitch[] | null, sixteenths], ...] }`.
 */

/** J.S. Bach, Prelude in C major, BWV 846 (WTC I), bars 1–11: one five-note chord per bar. */
const PRELUDE_CHORDS = [
  ['C4', 'E4', 'G4', 'C5', 'E5'],
  ['C4', 'D4', 'A4', 'D5', 'F5'],
  ['B3', 'D4', 'G4', 'D5', 'F5'],
  ['C4', 'E4', 'G4', 'C5', 'E5'],
  ['C4', 'E4', 'A4', 'E5', 'A5'],
  ['C4', 'D4', 'F#4', 'A4', 'D5'],
  ['B3', 'D4', 'G4', 'D5', 'G5'],
  ['B3', 'C4', 'E4', 'G4', 'C5'],
  ['A3', 'C4', 'E4', 'G4', 'C5'],
  ['D3', 'A3', 'D4', 'F#4', 'C5'],
  ['G3', 'B3', 'D4', 'G4', 'B4'],
];

function preludeBar([a, b, c, d, e]) {
  const half = [
    [null, 2],
    [c, 1],
    [d, 1],
    [e, 1],
    [c, 1],
    [d, 1],
    [e, 1],
  ];
  return {
    voices: [
      { staff: 1, voice: 1, events: [...half, ...half] },
      {
        staff: 2,
        voice: 5,
        events: [
          [a, 8],
          [a, 8],
        ],
      },
      {
        staff: 2,
        voice: 6,
        events: [
          [null, 1],
          [b, 7],
          [null, 1],
          [b, 7],
        ],
      },
    ],
  };
}

/** Prelude in C major, BWV 846, bars 1–11. */
export const prelude = {
  id: 'prelude',
  title: 'Prelude in C major, BWV 846 (bars 1–11)',
  composer: 'Johann Sebastian Bach',
  bpm: 72,
  beats: 4,
  beatType: 4,
  fifths: 0,
  clefs: ['G', 'F'],
  measures: PRELUDE_CHORDS.map(preludeBar),
};

const MINUET_MELODY = [
  [
    ['D5', 4],
    ['G4', 2],
    ['A4', 2],
    ['B4', 2],
    ['C5', 2],
  ],
  [
    ['D5', 4],
    ['G4', 4],
    ['G4', 4],
  ],
  [
    ['E5', 4],
    ['C5', 2],
    ['D5', 2],
    ['E5', 2],
    ['F#5', 2],
  ],
  [
    ['G5', 4],
    ['G4', 4],
    ['G4', 4],
  ],
  [
    ['C5', 4],
    ['D5', 2],
    ['C5', 2],
    ['B4', 2],
    ['A4', 2],
  ],
  [
    ['B4', 4],
    ['C5', 2],
    ['B4', 2],
    ['A4', 2],
    ['G4', 2],
  ],
  [
    ['F#4', 4],
    ['G4', 2],
    ['A4', 2],
    ['B4', 2],
    ['G4', 2],
  ],
  [['A4', 12]],
  [
    ['B5', 4],
    ['G5', 2],
    ['A5', 2],
    ['B5', 2],
    ['G5', 2],
  ],
  [
    ['A5', 4],
    ['D5', 2],
    ['E5', 2],
    ['F#5', 2],
    ['D5', 2],
  ],
  [
    ['G5', 4],
    ['E5', 2],
    ['F#5', 2],
    ['G5', 2],
    ['D5', 2],
  ],
  [
    ['C#5', 4],
    ['B4', 2],
    ['C#5', 2],
    ['A4', 4],
  ],
  [
    ['A4', 2],
    ['B4', 2],
    ['C#5', 2],
    ['D5', 2],
    ['E5', 2],
    ['F#5', 2],
  ],
  [
    ['G5', 4],
    ['F#5', 4],
    ['E5', 4],
  ],
  [
    ['F#5', 4],
    ['A4', 4],
    ['C#5', 4],
  ],
  [['D5', 12]],
];
const MINUET_BASS = [
  'G3',
  'B3',
  'C4',
  'B3',
  'A3',
  'G3',
  'D3',
  'D3',
  'G3',
  'F#3',
  'E3',
  'A3',
  'F#3',
  'G3',
  'A3',
  'D3',
];

/**
 * Minuet in G major, BWV Anh. 114 (Christian Petzold): the opening phrase (bars 1–8) between
 * repeat signs, then the first phrase of the second part as bars 9–16; bass simplified to one
 * note a bar.
 */
export const minuet = {
  id: 'minuet',
  title: 'Minuet in G major, BWV Anh. 114 (abridged)',
  composer: 'Christian Petzold',
  bpm: 112,
  beats: 3,
  beatType: 4,
  fifths: 1,
  clefs: ['G', 'F'],
  repeat: { from: 0, to: 7 },
  measures: MINUET_MELODY.map((melody, i) => ({
    voices: [
      { staff: 1, voice: 1, events: melody },
      { staff: 2, voice: 5, events: [[MINUET_BASS[i], 12]] },
    ],
  })),
};
