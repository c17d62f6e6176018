/** Minimal typed event emitter for view adapters: `on()` returns its own unsubscribe. */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  #listeners = new Map<keyof E, Set<(...args: unknown[]) => void>>();

  /** Subscribes to `event`; returns a function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const fn = listener as unknown as (...args: unknown[]) => void;
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  /** Calls every listener of `event` with `args`. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) fn(...args);
  }

  /** Drops every listener. */
  protected clearListeners(): void {
    this.#listeners.clear();
  }
}
