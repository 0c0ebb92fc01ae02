/** What {@link untilStream} listens to: the client's `EventStream` (structurally, no import). */
export interface WatchableStream {
  subscribe(listener: () => void): () => void;
  onEvent(handler: () => void): () => void;
  onReset(handler: () => void): () => void;
}

/**
 * Resolve once `check` holds: re-checked on every status change, event and reset, and every
 * 5 ms for what has no notification (an id-only block). It waits for a condition, never for a
 * time window; `timeoutMs` only bounds a test that would otherwise hang.
 */
export function untilStream(
  stream: WatchableStream,
  check: () => boolean,
  what = 'condition',
  timeoutMs = 15_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const stop = () => {
      clearTimeout(timer);
      clearInterval(poll);
      for (const off of offs.splice(0)) off();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const poll = setInterval(() => test(), 5);
    const test = () => {
      if (!check()) return;
      stop();
      resolve();
    };
    offs.push(stream.subscribe(test), stream.onEvent(test), stream.onReset(test));
    test();
  });
}
