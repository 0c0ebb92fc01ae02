/**
 * Issue #24, items 3–5 — the Redis broker on a real redis-server of this file's own, through a
 * hub served over HTTP on 127.0.0.1 and real clients: a Redis restored from an older snapshot,
 * an entry the broker cannot decode, an id Redis never issued. Every wait is for a count or an
 * event (bounded only as a failure timeout), never for a stretch of time.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSsekitError } from '@ssekit/core';
import { type RedisServer, startRedisServer } from '@ssekit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisCommand, redisHub } from '../fixtures/redisHubHarness';

let redis: RedisServer | undefined;
let streams = 0;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.close();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  if (redis && !redis.running) await redis.start();
});

async function open(options: { publishTimeout?: number } = {}) {
  const app = await redisHub({ url: redis!.url, stream: `issue24-${++streams}`, ...options });
  cleanup.push(() => app.close());
  return app;
}

/** Publish `from..to` in order; every one must be acknowledged. */
async function publishAll(app: Awaited<ReturnType<typeof open>>, from: number, to: number) {
  const ids: string[] = [];
  for (let n = from; n <= to; n++) {
    const result = await app.publish(n);
    if (!('id' in result)) throw result.error;
    ids.push(result.id);
  }
  return ids;
}

describe('#24 a Redis restored from an older snapshot', () => {
  it('resets a client resuming across acknowledged events the restore lost, then delivers new ones', {
    timeout: 60_000,
  }, async (t) => {
    if (!redis) return t.skip();
    const app = await open();
    const live = app.client();
    await live.opened();
    const saved = await publishAll(app, 1, 50);
    await live.until(() => live.events().length === 50, '50 events');
    await redisCommand(redis.url, ['SAVE']);
    const rdb = join(redis.dir, 'dump.rdb');
    copyFileSync(rdb, `${rdb}.old`);
    // 50 more, each acknowledged: then Redis comes back from the snapshot taken before them.
    const lost = await publishAll(app, 51, 100);
    await live.until(() => live.events().length === 100, '100 events');
    await redis.stop('SIGKILL'); // as SHUTDOWN NOSAVE: the RDB on disk is the old one
    copyFileSync(`${rdb}.old`, rdb);
    await redis.start();
    // Clients that were away: one at the last event the snapshot kept, one at a lost event.
    const away = app.client(saved.at(-1));
    const gone = app.client(lost.at(-1));
    await away.until(() => away.resets().length > 0, 'a reset for the one at the 50th id');
    await gone.until(() => gone.resets().length > 0, 'a reset for the one at the 100th id');
    expect(away.resets()[0]).toMatchObject({ lastEventId: saved.at(-1) });
    expect(away.events()).toEqual([]); // nothing replayed across the lost range
    const next = await publishAll(app, 101, 101);
    for (const c of [away, gone, live]) {
      await c.until(() => c.events().includes(101), 'the publish after the restore');
      expect(c.events().filter((n) => n === 101)).toHaveLength(1);
    }
    // the live client was told too, and nothing it holds was silently skipped
    expect(live.resets().length).toBeGreaterThan(0);
    expect(live.stream.lastEventId).toBe(next[0]);
  });
});

describe('#24 an entry the broker cannot decode', () => {
  it.for([
    ['garbage fields', ['foo', 'bar']],
    ['a recipient list that is not JSON', ['n', '1', 't', 'n', 'd', '{"n":0}', 'u', '[oops']],
    ['recipients that are not a list', ['n', '1', 't', 'n', 'd', '{"n":0}', 'u', '{"a":1}']],
  ] as const)(
    'skips it (%s) with one reported error and a reset; later events still arrive',
    async ([, fields], t) => {
      if (!redis) return t.skip();
      const app = await open();
      const c = app.client();
      await c.opened();
      await publishAll(app, 1, 3);
      await c.until(() => c.events().length === 3, '3 events');
      await redisCommand(redis.url, ['XADD', app.broker.stream, '*', ...fields]);
      await publishAll(app, 4, 6);
      await c.until(() => c.events().includes(6), 'the events after the bad entry');
      expect(c.events()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(c.resets()).toHaveLength(1);
      const reported = app.errors.filter((e) => String((e as Error).message).includes('Skipped'));
      expect(reported).toHaveLength(1);
      // a client resuming from before it gets a reset too, then the live events
      const third = c.seen.find((s) => s.kind === 'event' && s.n === 3);
      const before = app.client(third?.kind === 'event' ? third.id : undefined);
      await before.until(() => before.resets().length === 1, 'a reset for a resume across it');
      await publishAll(app, 7, 7);
      await before.until(() => before.events().includes(7), 'a live event after the reset');
      await c.until(() => c.events().includes(7), 'a live event');
      expect(
        app.errors.filter((e) => String((e as Error).message).includes('Skipped')),
      ).toHaveLength(1);
    },
  );
});

describe('#24 an id Redis never issued', () => {
  it.for([
    '99999999999999999999-0', // ms above 2^64 − 1
    '1-99999999999999999999', // seq above 2^64 − 1
    '18446744073709551616-0', // 2^64
    '01-0', // not how Redis writes an id
  ])('answers %s with a reset (reason unknown), then live events', async (id, t) => {
    if (!redis) return t.skip();
    const app = await open();
    await publishAll(app, 1, 2);
    const c = app.client(id);
    await c.until(() => c.resets().length === 1, 'a reset');
    expect(c.resets()[0]).toEqual({ reason: 'unknown', lastEventId: id });
    await publishAll(app, 3, 3);
    await c.until(() => c.events().includes(3), 'a live event');
    expect(c.events()).toEqual([3]);
    expect(app.errors.filter((e) => isSsekitError(e, 'broker-unavailable'))).toEqual([]);
  });
});
