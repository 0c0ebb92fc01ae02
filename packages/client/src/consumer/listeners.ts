/** Rethrow on a microtask: reported like an uncaught error in a DOM listener. @internal */
const rethrowLater = (error: unknown) =>
  queueMicrotask(() => {
    throw error;
  });

/**
 * One list of listeners: the primitive under every `on…`/`subscribe` of the client and of the
 * React stores. Copy-on-write, so `emit` walks a plain array (no iterator, nothing allocated per
 * call); like a DOM `EventTarget`, a listener added during an `emit` waits for the next one and a
 * listener removed during it is not called. Each `add` is its own subscription, also for the same
 * function twice. A throwing listener never stops the others: `report` gets its error.
 *
 * @example A status store for `useSyncExternalStore`
 * ```ts
 * const changes = new Listeners();
 * let count = 0;
 * const store = {
 *   subscribe: (fn: () => void) => changes.add(fn),
 *   getSnapshot: () => count,
 * };
 * count++;
 * changes.emit();
 * ```
 * @internal
 */
export class Listeners<A = void, B = void> {
  private list: { fn: ((a: A, b: B) => void) | undefined }[] = [];

  /** @param report - gets a listener's error (default: rethrown on a microtask) */
  constructor(private readonly report: (error: unknown) => void = rethrowLater) {}

  /** @returns the unsubscribe: `true` the first time, `false` once already removed */
  add(fn: (a: A, b: B) => void): () => boolean {
    const entry = { fn } as { fn: typeof fn | undefined };
    this.list = [...this.list, entry];
    return () => {
      if (!entry.fn) return false;
      entry.fn = undefined;
      this.list = this.list.filter((e) => e !== entry);
      return true;
    };
  }

  emit(a: A, b: B): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const fn = list[i]!.fn;
      try {
        fn?.(a, b);
      } catch (error) {
        this.report(error);
      }
    }
  }
}
