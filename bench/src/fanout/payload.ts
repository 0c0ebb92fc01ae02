import { nowMicros } from '../clock';
import type { TickPayload } from '../contender';

/** The bytes the load generator searches for: every payload's JSON starts with them. */
export const MARKER = '{"t":';

// Sized so that `JSON.stringify(payload)` is ~100 bytes with a 16-digit timestamp.
const PAD = 'x'.repeat(60);

/** A tick payload stamped with the current time on the shared clock. */
export function tick(seq: number): TickPayload {
  return { t: nowMicros(), seq, pad: PAD };
}
