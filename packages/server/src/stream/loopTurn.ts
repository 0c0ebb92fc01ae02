/**
 * A count of event-loop turns, advanced only while some stream asks for it. A stream past its
 * buffer limit needs to tell a reader that took nothing while it had the chance (stalled) from
 * one that simply has not had a chance yet: the writes of one synchronous burst (16 publishes of
 * 1 MiB in a row) all happen before the socket, or the HTTP/2 session, could send a byte, so no
 * reader can show progress within them. A turn of the loop runs the host's I/O in between.
 * `setImmediate` where the host has it (Node, Bun): it fires after the I/O of the current
 * iteration, without the 1 ms floor of `setTimeout(0)`; elsewhere `setTimeout(0)`.
 * @internal
 */

/** @internal */
let turn = 0;
/** @internal */
let armed = false;

/** @internal */
function advance(): void {
  armed = false;
  turn++;
}

/** @internal The current turn. */
export function currentTurn(): number {
  return turn;
}

/** @internal Have the count advance once the loop has turned (one timer, however many ask). */
export function watchTurn(): void {
  if (armed) return;
  armed = true;
  // Looked up per call, so fake timers installed by a test apply.
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') immediate(advance);
  else setTimeout(advance, 0);
}
