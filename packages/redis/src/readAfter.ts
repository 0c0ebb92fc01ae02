import type { BrokerEvent, BrokerReadResult } from '@ssekit/server';
import { parseRange } from './streamEntry';
import { compareStreamIds, isStreamId } from './streamId';

/** @internal Entries per XRANGE page of a replay. */
const PAGE = 1000;

/**
 * @internal The replay of `broker.readAfter`: every event after `lastEventId`, read in XRANGE
 * pages, or a reset when any of them is gone. `read` runs one read command (bounded by the
 * caller's signal); `head` is the stream's newest id, read (by the head script, which marks a
 * rewound stream with a new numbering) before the replay.
 *
 * No gap goes unnoticed: the first page includes `lastEventId` itself, since finding it proves
 * nothing after it was trimmed (Redis trims the oldest entries first); each entry's `n` must be
 * its predecessor's + 1; a position marker after it begins a new numbering (what lay between was
 * lost: a restart, a restore from an older snapshot); and an entry the broker cannot decode may
 * have been this client's, so it resets too (the subscription reports it, once).
 */
export async function readAfter(
  read: (args: string[]) => Promise<unknown>,
  stream: string,
  lastEventId: string,
  head: string,
): Promise<BrokerReadResult> {
  // Only an id Redis can issue: any other (a part past 2^64) would make XRANGE fail every time.
  if (!isStreamId(lastEventId)) return { reset: 'unknown', head };
  // Inclusive of the id itself: its number anchors the check that none are missing.
  let page = parseRange(
    await read(['XRANGE', stream, lastEventId, '+', 'COUNT', String(PAGE + 1)]),
  );
  const first = page[0];
  if (first?.id !== lastEventId) {
    const older = first !== undefined && compareStreamIds(lastEventId, first.id) < 0;
    return { reset: older ? 'evicted' : 'unknown', head };
  }
  const events: BrokerEvent[] = [];
  // A bad entry without a number (a place a reset pointed at): the next entry sets the count.
  let n = first.n;
  let previous = first.id;
  let full = page.length === PAGE + 1;
  page = page.slice(1);
  for (;;) {
    for (const entry of page) {
      if (entry.bad !== undefined) return { reset: 'unknown', head };
      if (entry.event === undefined) return { reset: 'epoch', head };
      if (Number.isNaN(n)) n = entry.n - 1;
      if (entry.n !== n + 1) return { reset: 'evicted', head };
      events.push(entry.event);
      n = entry.n;
      previous = entry.id;
    }
    if (!full) return { events };
    page = parseRange(await read(['XRANGE', stream, `(${previous}`, '+', 'COUNT', String(PAGE)]));
    full = page.length === PAGE;
  }
}
