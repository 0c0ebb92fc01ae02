/**
 * Events each `for await` loop may hold before the client stops reading the response body. The
 * reader pauses while any loop is this far behind, so a slow consumer holds back TCP (and the
 * server's buffer) instead of growing memory here.
 *
 * @example A slow loop holds back the connection, not memory
 * ```ts
 * const stream = connect('/api/logs', { events });
 * for await (const event of stream) {
 *   await new Promise((resolve) => setTimeout(resolve, 10)); // slow: past ITERATOR_HIGH_WATER_MARK events, reading pauses
 *   console.log(event.type);
 * }
 * ```
 */
export const ITERATOR_HIGH_WATER_MARK = 64;

/** @internal One `for await` loop's queue. */
interface Consumer<T> {
  queue: T[];
  wake?: (() => void) | undefined;
}

/**
 * The async iterators of one stream: every pushed event goes to every active iterator's bounded
 * queue; `full()` tells the reader to pause and `drained()` resolves when it may read again.
 * @internal
 */
export interface Fanout<T> {
  push(value: T): void;
  full(): boolean;
  drained(): Promise<void>;
  end(error?: unknown): void;
  iterator(onReturn: () => void): AsyncIterableIterator<T>;
}

/** @internal */
export function createFanout<T>(): Fanout<T> {
  const consumers = new Set<Consumer<T>>();
  let ended = false;
  let failure: unknown;
  let resume: (() => void) | undefined;

  const full = () => {
    for (const c of consumers) if (c.queue.length >= ITERATOR_HIGH_WATER_MARK) return true;
    return false;
  };

  return {
    full,
    push(value) {
      if (consumers.size === 0) return;
      for (const c of consumers) {
        c.queue.push(value);
        c.wake?.();
      }
    },
    drained: () =>
      new Promise<void>((resolve) => {
        resume = resolve;
      }),
    end(error) {
      ended = true;
      failure = error;
      for (const c of consumers) c.wake?.();
      resume?.();
    },
    iterator(onReturn) {
      const c: Consumer<T> = { queue: [] };
      consumers.add(c);
      const done = (): IteratorResult<T> => {
        consumers.delete(c);
        return { done: true, value: undefined };
      };
      return {
        async next() {
          while (!c.queue.length) {
            if (ended) {
              // Queued events first, then the final error (if any) ends the loop.
              done();
              if (failure) throw failure;
              return done();
            }
            await new Promise<void>((resolve) => {
              c.wake = resolve;
            });
          }
          const value = c.queue.shift()!;
          if (resume && !full()) {
            resume();
            resume = undefined;
          }
          return { done: false, value };
        },
        async return() {
          // `break` out of `for await` closes the stream, as the iterator owns no other resource.
          onReturn();
          return done();
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  };
}
