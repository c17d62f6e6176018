import { describe, expect, it } from 'vitest';
import { beatWholes, buildGrid, jumpPointsOf } from './grid.js';
import { keySigToSharps, scanMei } from './mei.js';

describe('beat grid', () => {
  it('beats compound meters in dotted units and simple meters in denominator units', () => {
    expect(beatWholes([6, 8])).toBe(3 / 8);
    expect(beatWholes([12, 16])).toBe(3 / 16);
    expect(beatWholes([6, 4])).toBe(3 / 4);
    expect(beatWholes([3, 8])).toBe(1 / 8);
    expect(beatWholes([3, 4])).toBe(1 / 4);
    expect(beatWholes([5, 8])).toBe(1 / 8);
  });

  it('places a pickup at the end of its bar, caps an over-full bar, and keeps beats inside the window', () => {
    const { beats, measures } = buildGrid(
      [
        { start: 0, end: 1, number: '0', timeSignature: [1, 4], nominal: [3, 4], align: 'right', key: -2 },
        { start: 1, end: 4, number: '1', timeSignature: [3, 4], nominal: [3, 4], align: 'full', key: -2 },
        { start: 4, end: 8.5, number: '2', timeSignature: [9, 8], nominal: [3, 4], align: 'left', key: 1 },
      ],
      4,
      (q) => q / 2,
      [0, 3.5],
    );
    expect(beats.map((b) => [b.time, b.label, b.downbeat])).toEqual([
      [0, '0.3', false],
      [0.5, '1.1', true],
      [1, '1.2', false],
      [1.5, '1.3', false],
      [2, '2.1', true],
      [2.5, '2.2', false],
      [3, '2.3', false],
    ]);
    expect(beats[1]).toMatchObject({ timeSignature: '3/4', key: -2 });
    expect(beats[4]).toMatchObject({ key: 1 });
    expect(beats[4].timeSignature).toBeUndefined();
    expect(jumpPointsOf(measures, 4.25, [2, 4.25])).toEqual([0, 0.5, 2, 4.25]);
  });
});

describe('scanMei', () => {
  it('reads measures with meter, key and barlines, pitches with accidentals and ties', () => {
    const summary =
      scanMei(`<mei><meiHead><fileDesc><titleStmt><title>Étude</title></titleStmt></fileDesc></meiHead>
<scoreDef><staffGrp><staffDef n="1" keysig="3s" meter.count="6" meter.unit="8"/></staffGrp></scoreDef>
<section><measure xml:id="m1" n="1" left="rptstart"><staff n="1"><layer n="1">
<note xml:id="a" pname="f" oct="4" accid.ges="s"/><note xml:id="b" pname="c" oct="5"><accid accid="n"/></note>
<note xml:id="c" pname="g" oct="3" accid="s" tie="i"/></layer></staff></measure>
<scoreDef><keySig sig="2f"/><meterSig count="3" unit="4"/></scoreDef>
<measure xml:id="m2" n="2" right="rptend"><staff n="2"><layer n="1"><note xml:id="d" pname="g" oct="3" accid.ges="s" tie="t"/></layer></staff></measure>
<tie startid="#x" endid="#e"/></section></mei>`);
    expect(summary.title).toBe('Étude');
    expect([...summary.measures.values()]).toEqual([
      { id: 'm1', number: '1', left: 'rptstart', meter: [6, 8], key: 3 },
      { id: 'm2', number: '2', right: 'rptend', meter: [3, 4], key: -2 },
    ]);
    expect(Object.fromEntries(summary.notePitch)).toEqual({ a: 66, b: 72, c: 56, d: 56 });
    expect(summary.noteStaff.get('d')).toBe(2);
    expect([...summary.tieContinuations].sort()).toEqual(['d', 'e']);
    expect(keySigToSharps('0')).toBe(0);
  });
});
