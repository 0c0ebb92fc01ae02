/**
 * Coalescing of writes: frames queued on a connection during one synchronous run (a burst of
 * publishes, a replay, a heartbeat tick) go out as one `write` per connection at the end of that
 * run. Under saturation that turns N syscalls into one; at low rates it adds no latency, since a
 * microtask runs before the event loop gets back to I/O.
 * @internal
 */

/** Something with queued bytes to hand to its sink. @internal */
export interface Flushable {
  flush(): void;
}

/** @internal */
const dirty: Flushable[] = [];
/** @internal */
let scheduled = false;

/** @internal */
function flushAll(): void {
  // Index loop over a live array: a flush can close a stream whose hooks queue more frames on
  // other streams; those are appended and flushed in this same pass.
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
  scheduled = false;
}

/**
 * Flush `target` at the end of the current synchronous run. The caller marks itself dirty and
 * calls this once until it has been flushed.
 * @internal
 */
export function scheduleFlush(target: Flushable): void {
  dirty.push(target);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flushAll);
  }
}
