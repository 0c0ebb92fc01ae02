/** @internal Listeners waiting for the end of the current task. */
const queue = new Set<() => void>();

/**
 * Call `notify` once at the end of the current task, however many times it was queued. A burst
 * of events parsed from one network chunk (or several chunks in one task) then costs each
 * component one render, without `flushSync` and without React having to batch anything.
 * @internal
 */
export function notifyLater(notify: () => void): void {
  if (queue.size === 0) setTimeout(flush, 0);
  queue.add(notify);
}

/** @internal */
function flush(): void {
  const listeners = [...queue];
  queue.clear();
  for (const notify of listeners) notify();
}
