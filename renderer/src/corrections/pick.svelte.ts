/** "Choose a score position by clicking a note": the score views offer their note clicks here first. */
class ScorePick {
  #armed = $state(false);
  #onPick: ((scoreSeconds: number, perfSeconds?: number) => void) | null = null;

  /** True while the next note click picks a score position. */
  get armed(): boolean {
    return this.#armed;
  }

  /** The next note click calls `onPick` with the note's score time (a matrix click adds its performance time) instead of seeking. */
  arm(onPick: (scoreSeconds: number, perfSeconds?: number) => void): void {
    this.#onPick = onPick;
    this.#armed = true;
  }

  /** Stops waiting for a click. */
  cancel(): void {
    this.#onPick = null;
    this.#armed = false;
  }

  /** Called by a view on a note click with the note's score times; true when the click was taken. */
  offer(scoreSeconds: readonly number[]): boolean {
    const fn = this.#onPick;
    if (!this.#armed || !fn || scoreSeconds.length === 0) return false;
    this.cancel();
    fn(scoreSeconds[0]);
    return true;
  }

  /** Called by the matrix view on a click at (perfSeconds, scoreSeconds); true when the click was taken. */
  offerPoint(perfSeconds: number, scoreSeconds: number): boolean {
    const fn = this.#onPick;
    if (!this.#armed || !fn) return false;
    this.cancel();
    fn(scoreSeconds, perfSeconds);
    return true;
  }
}

/** The one score-position picker of the window. */
export const scorePick = new ScorePick();
