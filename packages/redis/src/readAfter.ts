import type { BrokerEvent, BrokerReadResult } from '@ssekit/server';
import { parseRange, type StreamEntry } from './streamEntry';
import { compareStreamIds, STREAM_ID } from './streamId';

/** @internal Entries per XRANGE page of a replay. */
const PAGE = 1000;

/**
 * @internal The replay of `broker.readAfter`: every event after `lastEventId`, read in XRANGE
 * pages, or a reset when any of them is gone. `read` runs one read command (bounded by the
 * caller's signal), `headId` answers the stream's newest id for a reset.
 *
 * No gap goes unnoticed: the first page includes `lastEventId` itself, since finding it proves
 * nothing after it was trimmed (Redis trims the oldest entries first), and each entry's `n` must
 * be its predecessor's + 1.
 */
export async function readAfter(
  read: (args: string[]) => Promise<unknown>,
  stream: string,
  lastEventId: string,
  headId: () => Promise<string>,
): Promise<BrokerReadResult> {
  if (!STREAM_ID.test(lastEventId)) return { reset: 'unknown', head: await headId() };
  // Inclusive of the id itself: its number anchors the check that none are missing.
  let page = parseRange(
    await read(['XRANGE', stream, lastEventId, '+', 'COUNT', String(PAGE + 1)]),
  );
  const first = page[0];
  if (first?.id !== lastEventId) {
    const older = first !== undefined && compareStreamIds(lastEventId, first.id) < 0;
    return { reset: older ? 'evicted' : 'unknown', head: await headId() };
  }
  const events: BrokerEvent[] = [];
  let previous: StreamEntry = first;
  let full = page.length === PAGE + 1;
  page = page.slice(1);
  for (;;) {
    for (const entry of page) {
      if (entry.n !== previous.n + 1) return { reset: 'evicted', head: await headId() };
      if (entry.event !== undefined) events.push(entry.event);
      previous = entry;
    }
    if (!full) return { events };
    page = parseRange(
      await read(['XRANGE', stream, `(${previous.id}`, '+', 'COUNT', String(PAGE)]),
    );
    full = page.length === PAGE;
  }
}
