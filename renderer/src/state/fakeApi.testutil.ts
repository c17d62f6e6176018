/** A scripted stand-in for `window.accord` in jsdom unit tests (main does not run there). */
import type { AccordApi, EventChannel, EventChannels } from '../../../shared/ipc';

type Listener = (payload: unknown) => void;

/** A fake of one API method: it may answer at once; the fake API still answers with a promise. */
type Fake<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => R | Promise<R> : F;

/** Partial implementations of the API's domains. */
export type FakeDomains = {
  [D in Exclude<keyof AccordApi, 'on'>]?: { [V in keyof AccordApi[D]]?: Fake<AccordApi[D][V]> };
};

/** A fake API whose `emit()` plays main's events, and which records every call as `domain.verb`. */
export function fakeApi(domains: FakeDomains): {
  api: AccordApi;
  emit: <E extends EventChannel>(e: E, p: EventChannels[E]) => void;
  calls: string[];
} {
  const listeners = new Map<string, Set<Listener>>();
  const calls: string[] = [];
  const api: Record<string, unknown> = {
    on(event: string, fn: Listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(fn);
      listeners.set(event, set);
      return () => set.delete(fn);
    },
  };
  for (const [domain, verbs] of Object.entries(domains)) {
    const wrapped: Record<string, unknown> = {};
    for (const [verb, fn] of Object.entries(verbs as Record<string, (...a: unknown[]) => unknown>)) {
      // The host's file helpers answer in the page; every other call crosses to main, so it is
      // asynchronous (a throw rejects) whether or not the fake answers at once.
      wrapped[verb] =
        domain === 'files'
          ? (...args: unknown[]) => {
              calls.push(`${domain}.${verb}`);
              return fn(...args);
            }
          : async (...args: unknown[]) => {
              calls.push(`${domain}.${verb}`);
              return await fn(...args);
            };
    }
    api[domain] = wrapped;
  }
  return {
    api: api as unknown as AccordApi,
    emit: (e, p) => {
      for (const fn of listeners.get(e) ?? []) fn(p);
    },
    calls,
  };
}
