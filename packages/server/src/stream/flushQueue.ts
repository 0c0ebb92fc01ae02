/**
 * Coalescing of writes, only when it pays. A frame for a stream with nothing queued is written
 * at once (the everyday case: one event per connection per tick, where waiting saves nothing
 * and adds latency). Once a stream gets a second frame in the same synchronous run (a burst of
 * publishes, a replay), the run is a burst: later frames queue and go out as one `write` per
 * stream at the end of the run, and the next run that writes anything starts coalesced too, so a
 * sustained burst pays one write per stream per run instead of one per frame. A run in which no
 * stream got two frames switches back to direct writes.
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
/** @internal The current run's number: a stream remembers the run of its last direct write. */
let run = 1;
/** @internal Some stream got a second frame in this run. */
let burstThisRun = false;
/** @internal The last run that wrote anything was a burst: queue instead of writing directly. */
let bursting = false;

/** @internal The end of a run: flush what was queued, decide how the next run writes. */
function endRun(): void {
  // Index loop over a live array: a flush can close a stream whose hooks queue more frames on
  // other streams; those are appended and flushed in this same pass.
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
  scheduled = false;
  bursting = burstThisRun;
  burstThisRun = false;
  run++;
}

/** @internal */
function scheduleEnd(): void {
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(endRun);
  }
}

/**
 * Whether a stream with nothing queued, whose last direct write was in run `lastRun`, may write
 * its next frame at once. When it may, the caller records the returned run; `0` means queue.
 * @internal
 */
export function directRun(lastRun: number): number {
  if (lastRun === run) {
    burstThisRun = true; // a second frame for this stream in this run
    return 0;
  }
  if (bursting) return 0;
  scheduleEnd();
  return run;
}

/** A stream queued a second frame in this run: the run is a burst. @internal */
export function noteBurst(): void {
  burstThisRun = true;
}

/**
 * Flush `target` at the end of the current synchronous run. The caller marks itself dirty and
 * calls this once until it has been flushed.
 * @internal
 */
export function scheduleFlush(target: Flushable): void {
  dirty.push(target);
  scheduleEnd();
}
