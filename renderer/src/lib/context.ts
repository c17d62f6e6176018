import { getContext, hasContext, setContext } from 'svelte';

/** A typed Svelte context: `get()` throws when no ancestor called `set()`. */
export interface TypedContext<T> {
  /** Reads the value an ancestor provided; throws when none did. */
  get(): T;
  /** Provides the value to descendants; returns it. */
  set(value: T): T;
}

/** Creates a typed context named `name` (the name appears in the error when it is missing). */
export function createContext<T>(name: string): TypedContext<T> {
  const key = Symbol(name);
  return {
    get() {
      if (!hasContext(key)) {
        throw new Error(`Context "${name}" is missing: expected an ancestor component to provide it.`);
      }
      return getContext<T>(key);
    },
    set(value: T) {
      return setContext(key, value);
    },
  };
}
