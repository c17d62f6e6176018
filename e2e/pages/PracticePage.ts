/** Page object of practice mode (loop, speed, metronome) in the editor. */
import type { Locator, Page } from 'playwright-core';

/** The practice panel and the transport's speed field. */
export class PracticePage {
  constructor(readonly page: Page) {}

  get toggle(): Locator {
    return this.page.getByRole('button', { name: 'Practice', exact: true });
  }
  get panel(): Locator {
    return this.page.getByRole('region', { name: 'Practice' });
  }
  get bars(): Locator {
    return this.page.getByLabel('Loop bars');
  }
  get barsError(): Locator {
    return this.panel.getByRole('alert');
  }
  get speed(): Locator {
    return this.page.getByLabel('Speed percent');
  }
  get preRoll(): Locator {
    return this.page.getByLabel('Pre-roll seconds');
  }
  get passes(): Locator {
    return this.page.getByLabel('Loop passes');
  }
  get ramp(): Locator {
    return this.panel.getByRole('checkbox', { name: 'Tempo ramp' });
  }
  get metronome(): Locator {
    return this.panel.getByRole('checkbox', { name: 'Metronome' });
  }
  get volume(): Locator {
    return this.page.getByLabel('Metronome volume');
  }
  get countIn(): Locator {
    return this.page.getByLabel('Count-in beats');
  }

  /** Turns practice mode on (no-op when on). */
  async open(): Promise<void> {
    if ((await this.toggle.getAttribute('aria-pressed')) !== 'true') await this.toggle.click();
    await this.panel.waitFor();
  }

  /** Types bars (`2-3`) and sets the loop. */
  async loopBars(text: string): Promise<void> {
    await this.bars.fill(text);
    await this.panel.getByRole('button', { name: 'Set loop' }).click();
  }

  /** Fills a number field and commits it (change event). */
  async setNumber(field: Locator, value: number | string): Promise<void> {
    await field.fill(String(value));
    await field.press('Enter');
    await field.blur();
  }

  /** The loop [A, B] shown by the panel, seconds (NaN when none). */
  async loop(): Promise<{ a: number; b: number }> {
    const a = await this.panel.getAttribute('data-loop-start');
    const b = await this.panel.getAttribute('data-loop-end');
    return { a: a ? Number(a) : Number.NaN, b: b ? Number(b) : Number.NaN };
  }

  /** Waits until the settings reached main. */
  async waitSaved(): Promise<void> {
    await this.panel.getByText('Practice saved', { exact: true }).waitFor();
  }

  /** Clicks bar `bar` of the bar list (plays from there). */
  async playBar(bar: string): Promise<void> {
    await this.page
      .getByRole('group', { name: 'Play from bar' })
      .getByRole('button', { name: bar, exact: true })
      .click();
  }
}
