/**
 * Issue #24.7 — publishing to large `to` lists keeps memory bounded. The hub's frame cache used to
 * hold every recent event with its recipient list whatever `replay` said (100 publishes to 100k
 * users: +400 MB with `replay: false`), and the replay log's byte bound did not count recipients.
 * Measured as the heap after a full GC, so the figure is what stays reachable, not timing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defineEvents, type } from '@ssekit/core';
import { createHub, type Hub, type HubOptions } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { readSse } from '@ssekit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const events = defineEvents({ m: type<string>() });
const USERS = 100_000;
const PUBLISHES = 50;
/** Distinct recipient ids, made once: what stays reachable is only what the hub keeps. */
const everyone = Array.from({ length: USERS }, (_, i) => `user-${i}`);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function hubOf(options: HubOptions<typeof events>): Hub<typeof events> {
  const hub = createHub({ events, epoch: 'ep', heartbeat: false, ...options });
  cleanup.push(() => hub.close());
  return hub;
}

/** Heap growth, in MB, of `PUBLISHES` publishes to every user; the ids of the publishes. */
async function publishToEveryone(hub: Hub<typeof events>) {
  const before = heap();
  const ids: string[] = [];
  for (let i = 0; i < PUBLISHES; i++) ids.push(await hub.publish('m', `n${i}`, { to: everyone }));
  const grown = (heap() - before) / 1e6;
  console.info(`+${grown.toFixed(1)} MB after ${PUBLISHES} publishes to ${USERS} users`);
  return { grown, ids };
}

// 100k-user publishes cost ~40 ms each (the hub deduplicates every list): a bound for slow runs.
describe('#24.7 large `to` lists cost memory only while replay needs them', {
  timeout: 60_000,
}, () => {
  it('with replay: false nothing keeps the recipient lists after delivery', async () => {
    const hub = hubOf({ replay: false });
    const { grown } = await publishToEveryone(hub);
    // 50 lists of 100k ids held would be ~40 MB (8 bytes a slot).
    expect(grown).toBeLessThan(4);
  });

  it('the replay log’s byte bound counts recipients, and the newest event still replays', async () => {
    const hub = hubOf({ replay: { maxBytes: 4 << 20 } });
    const { grown, ids } = await publishToEveryone(hub);
    expect(grown).toBeLessThan(4);
    const handler = createNodeHandler({
      hub,
      authenticate: (req) => ({ userId: req.headers['x-user'] as string }),
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const { port } = server.address() as AddressInfo;
    const sse = await readSse(`http://127.0.0.1:${port}/events`, {
      headers: { 'x-user': 'user-99999', 'last-event-id': ids.at(-2)! },
    });
    cleanup.push(() => sse.close());
    const [event] = await sse.untilEvents(1);
    expect(event).toMatchObject({ id: ids.at(-1), data: `"n${PUBLISHES - 1}"` });
  });
});
