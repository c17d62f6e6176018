// @vitest-environment node
/**
 * The themes' colours meet WCAG 2.1 AA: 4.5:1 for text on the backgrounds it is set on, 3:1 for
 * the focus ring and the accent against the page (non-text contrast). Read from app.css itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('./app.css', import.meta.url), 'utf8');

/** The custom properties of the first rule whose selector is exactly `selector`. */
function tokens(selector: string): Record<string, string> {
  const at = css.indexOf(`${selector} {`);
  if (at < 0) throw new Error(`app.css: expected a rule "${selector} {", found none`);
  const body = css.slice(at, css.indexOf('}', at));
  return Object.fromEntries(
    [...body.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1], m[2]]),
  );
}

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Text colour on background colour, by token name. */
const TEXT_PAIRS: [string, string][] = [
  ['--ink', '--bg'],
  ['--ink', '--panel'],
  ['--ink', '--chip-bg'],
  ['--muted', '--bg'],
  ['--muted', '--panel'],
  ['--accent-ink', '--accent'],
  ['--danger', '--panel'],
  ['--error-ink', '--error-bg'],
  ['--notice-ink', '--notice-bg'],
  ['--warn-ink', '--warn-bg'],
  ['--ok-ink', '--ok-bg'],
];
/** Non-text pairs (3:1): the focus ring and the selected tab against the page and the panels. */
const UI_PAIRS: [string, string][] = [
  ['--focus', '--bg'],
  ['--focus', '--panel'],
  ['--accent', '--bg'],
  ['--accent', '--panel'],
  ['--wave-progress', '--panel'],
];

describe.each([
  ['light', ':root'],
  ['dark', ":root[data-theme='dark']"],
])('the %s theme', (_name, selector) => {
  const light = tokens(':root');
  const t = { ...light, ...tokens(selector) };

  it('defines every colour the light theme defines', () => {
    expect(Object.keys(tokens(selector)).sort()).toEqual(Object.keys(light).sort());
  });

  it.each(TEXT_PAIRS)('%s on %s reaches 4.5:1', (fg, bg) => {
    expect(contrast(t[fg], t[bg])).toBeGreaterThanOrEqual(4.5);
  });

  it.each(UI_PAIRS)('%s against %s reaches 3:1', (fg, bg) => {
    expect(contrast(t[fg], t[bg])).toBeGreaterThanOrEqual(3);
  });
});
