/** Rethrow on a microtask: reported like an uncaught error in a DOM listener. @internal */
const rethrowLater = (error: unknown) =>
  queueMicrotask(() => {
    throw error;
  });

/**
 * What {@link createListeners} returns.
 *
 * @example
 * ```ts
 * const errors: Listeners<Error> = createListeners<Error>();
 * const off = errors.add((error) => console.error(error));
 * errors.emit(new Error('boom'));
 * off();
 * ```
 * @internal
 */
export interface Listeners<T = void> {
  /** @returns the unsubscribe: `true` the first time, `false` once already removed */
  add(fn: (value: T) => void): () => boolean;
  /** Call every listener (subscribed when `emit` began and not removed since) with `value`. */
  emit(value: T): void;
}

/**
 * One list of listeners: the primitive under every `on…`/`subscribe` of the client and of the
 * React stores. Copy-on-write, so `emit` walks a plain array (no iterator, nothing allocated per
 * call); like a DOM `EventTarget`, a listener added during an `emit` waits for the next one and a
 * listener removed during it is not called. Each `add` is its own subscription, also for the same
 * function twice. A throwing listener never stops the others: `report` gets its error.
 *
 * @example A status store for useSyncExternalStore
 * ```ts
 * const changes = createListeners();
 * let count = 0;
 * const store = {
 *   subscribe: (fn: () => void) => changes.add(fn),
 *   getSnapshot: () => count,
 * };
 * count++;
 * changes.emit();
 * ```
 * @param report - gets a listener's error (default: rethrown on a microtask)
 * @internal
 */
export function createListeners<T = void>(
  report: (error: unknown) => void = rethrowLater,
): Listeners<T> {
  let list: { fn: ((value: T) => void) | undefined }[] = [];
  return {
    add(fn) {
      const entry = { fn } as (typeof list)[number];
      list = [...list, entry];
      return () => {
        if (!entry.fn) return false;
        entry.fn = undefined;
        list = list.filter((e) => e !== entry);
        return true;
      };
    },
    emit(value) {
      const now = list;
      for (let i = 0; i < now.length; i++) {
        try {
          now[i]!.fn?.(value);
        } catch (error) {
          report(error);
        }
      }
    },
  };
}
