import { createClient } from '@redis/client';
import { isSsekitError } from '@ssekit/core';
import { type BrokerEvent, type BrokerGap, createHub } from '@ssekit/server';
import { type RedisServer, startRedisServer } from '@ssekit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  compareStreamIds,
  createRedisBroker,
  type RedisBroker,
  RedisBrokerError,
  type RedisBrokerOptions,
} from '../src/index';

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

/** A broker on a stream of its own (each test gets a fresh key). */
function brokerOf(options: Partial<RedisBrokerOptions> = {}, stream = `s${++streams}`) {
  const broker = createRedisBroker({
    url: redis!.url,
    stream,
    onError: () => {},
    ...options,
  } as RedisBrokerOptions);
  cleanup.push(() => broker.close());
  return broker;
}

/** Subscribe, recording events and gaps. */
function record(broker: RedisBroker) {
  const events: BrokerEvent[] = [];
  const gaps: BrokerGap[] = [];
  cleanup.push(broker.subscribe((e) => events.push(e), { onGap: (g) => gaps.push(g) }));
  return { events, gaps };
}

/** Resolve once `check` holds (polled); a failure timeout only, never a pacing wait. */
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function admin() {
  const client = createClient({ url: redis!.url });
  client.on('error', () => {});
  await client.connect();
  cleanup.push(() => client.destroy());
  return client;
}

const ev = (n: number, extra: { topic?: string; to?: string[] } = {}) => ({
  type: 'n',
  data: JSON.stringify({ n }),
  topic: extra.topic,
  to: extra.to,
});

describe('createRedisBroker on a real redis-server', () => {
  it('appends with ids Redis assigns, ordered, and replays after any of them', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf();
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++)
      ids.push(await broker.append(ev(n, n === 3 ? { to: ['ana'] } : {})));
    expect([...ids].sort(compareStreamIds)).toEqual(ids);
    expect(await broker.head()).toBe(ids[4]);
    const result = await broker.readAfter(ids[1]!);
    expect(result).toEqual({
      events: [
        { id: ids[2], type: 'n', data: '{"n":3}', topic: undefined, to: ['ana'] },
        { id: ids[3], type: 'n', data: '{"n":4}', topic: undefined, to: undefined },
        { id: ids[4], type: 'n', data: '{"n":5}', topic: undefined, to: undefined },
      ],
    });
    expect(await broker.readAfter(ids[4]!)).toEqual({ events: [] });
  });

  it('gives an empty stream a real head, and resuming from it replays everything after', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf();
    const start = await broker.head();
    expect(start).toMatch(/^\d+-\d+$/);
    expect(await broker.head()).toBe(start); // the marker is written once
    const a = await broker.append(ev(1));
    const b = await broker.append(ev(2));
    const result = await broker.readAfter(start);
    expect('events' in result && result.events.map((e) => e.id)).toEqual([a, b]);
  });

  it('replays more than one page in order', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf();
    const from = await broker.head();
    const ids = await Promise.all(Array.from({ length: 2500 }, (_, n) => broker.append(ev(n))));
    const result = await broker.readAfter(from);
    expect('events' in result && result.events.map((e) => e.id)).toEqual(ids);
  });

  it('resets an id older than the trimmed history, with the newest id as the new place', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf({ maxLen: 100 });
    const ids: string[] = [];
    for (let n = 0; n < 1000; n++) ids.push(await broker.append(ev(n)));
    expect(await broker.readAfter(ids[0]!)).toEqual({ reset: 'evicted', head: ids[999] });
    for (const id of ['garbage', '99999999999999-0']) {
      expect(await broker.readAfter(id)).toEqual({ reset: 'unknown', head: ids[999] });
    }
    // the newest ones are still there
    const recent = await broker.readAfter(ids[949]!);
    expect('events' in recent && recent.events).toHaveLength(50);
  });

  it('trims by age on Redis time', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf({ maxAge: 1, maxLen: false });
    const first = await broker.append(ev(1));
    // MINID ~ trims whole stream nodes: fill one past its 100 entries, a few ms later.
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let n = 0; n < 250; n++) await broker.append(ev(n));
    expect(await broker.readAfter(first)).toMatchObject({ reset: 'evicted' });
  });

  it('delivers what any process appends, once, in order', async (t) => {
    if (!redis) return t.skip();
    const stream = `shared${++streams}`;
    const a = brokerOf({}, stream);
    const b = brokerOf({}, stream);
    const seenA = record(a);
    const seenB = record(b);
    await Promise.all([a.head(), b.head()]); // both subscriptions live
    const ids: string[] = [];
    for (let n = 0; n < 200; n++) ids.push(await (n % 2 ? a : b).append(ev(n, { topic: 't' })));
    await until(() => seenA.events.length >= 200 && seenB.events.length >= 200, '200 events');
    expect(seenA.events.map((e) => e.id)).toEqual(ids);
    expect(seenB.events.map((e) => e.id)).toEqual(ids);
    expect(seenA.events[0]).toMatchObject({ topic: 't', type: 'n' });
    expect(seenA.gaps).toEqual([]);
  });

  it('answers a read only once the subscription covers its answer', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf();
    const seen = record(broker);
    // A fresh process hands out a place at once; published elsewhere right after, the event
    // must come: the subscription was live before the place was answered.
    const place = await broker.head();
    const id = await brokerOf({}, broker.stream).append(ev(1));
    await until(() => seen.events.length === 1, 'the event published elsewhere');
    expect(seen.events[0]?.id).toBe(id);
    expect(compareStreamIds(id, place)).toBeGreaterThan(0);
  });

  it('reports a gap when entries vanish under a lagging reader, at the first entry after', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf();
    const seen = record(broker);
    await broker.head();
    const a = await broker.append(ev(1));
    await until(() => seen.events.length === 1, 'the first event');
    // Another writer's entries were trimmed before this reader saw them: numbering jumps by 5.
    const raw = await admin();
    const last = (await raw.sendCommand(['XRANGE', broker.stream, a, a])) as [string, string[]][];
    const n = Number(last[0]![1][1]);
    const jumped = (await raw.sendCommand([
      'XADD',
      broker.stream,
      '*',
      'n',
      String(n + 5),
      't',
      'n',
      'd',
      '{"n":6}',
    ])) as string;
    const after = await broker.append(ev(7));
    await until(() => seen.events.length === 2, 'the event after the gap');
    expect(seen.gaps).toEqual([{ reason: 'evicted', after: a, position: jumped }]);
    expect(seen.events.map((e) => e.id)).toEqual([a, after]);
  });

  it('a restart without persistence: reports a gap, goes on from the new head, delivers nothing twice', async (t) => {
    if (!redis) return t.skip();
    const errors: unknown[] = [];
    const broker = brokerOf({ onError: (e) => errors.push(e) });
    const seen = record(broker);
    await broker.head();
    const before = await broker.append(ev(1));
    await until(() => seen.events.length === 1, 'the first event');
    await redis.stop();
    await redis.start();
    await until(() => seen.gaps.length === 1, 'the gap');
    expect(seen.gaps[0]).toMatchObject({ reason: 'epoch', after: before });
    const position = seen.gaps[0]!.position;
    const next = await broker.append(ev(2));
    await until(() => seen.events.length === 2, 'the event after the restart');
    expect(seen.events.map((e) => e.id)).toEqual([before, next]);
    expect(compareStreamIds(next, position)).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThanOrEqual(1); // the outage was reported
    // a client holding the lost id gets a reset to a real place
    expect(await broker.readAfter(before)).toMatchObject({ reset: 'evicted', head: next });
  });

  it('publishes reject with a typed error while Redis is down, and work again after', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf({ publishTimeout: 300 });
    await broker.append(ev(0));
    await redis.stop();
    const started = Date.now();
    const error = await broker.append(ev(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisBrokerError);
    expect(isSsekitError(error, 'broker-unavailable')).toBe(true);
    expect((error as RedisBrokerError).maybePublished).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    // reads fail fast instead of waiting
    await expect(broker.readAfter('1-0')).rejects.toBeInstanceOf(RedisBrokerError);
    await redis.start();
    let id: string | undefined;
    const deadline = Date.now() + 15_000;
    while (id === undefined && Date.now() < deadline) {
      id = await broker.append(ev(2)).catch(() => undefined);
    }
    expect(id).toMatch(/^\d+-\d+$/);
  });

  it('aborts a read when the hub gives up on it', async (t) => {
    if (!redis) return t.skip();
    const broker = brokerOf();
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(broker.head({ signal: controller.signal })).rejects.toThrow('gave up');
  });

  it('closes the connections it made, once (hub.close() too); leaves a client it was given open', async (t) => {
    if (!redis) return t.skip();
    const raw = await admin();
    const count = async () =>
      String(await raw.sendCommand(['CLIENT', 'LIST']))
        .trim()
        .split('\n').length;
    /** Redis sees a closed connection a moment after the client closed it. */
    const settles = async (n: number) => {
      const deadline = Date.now() + 5000;
      while ((await count()) !== n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      expect(await count()).toBe(n);
    };
    const base = await count();
    const own = brokerOf();
    record(own);
    await own.head();
    await settles(base + 2); // commands + blocking reads
    await Promise.all([own.close(), own.close()]);
    await expect(own.append(ev(1))).rejects.toMatchObject({ code: 'closed' });
    await settles(base);

    const mine = createClient({ url: redis.url });
    mine.on('error', () => {});
    await mine.connect();
    cleanup.push(() => mine.destroy());
    const lent = brokerOf({ client: mine, url: undefined });
    record(lent);
    await lent.head();
    await settles(base + 2);
    await lent.close();
    await settles(base + 1);
    expect(await mine.sendCommand(['PING'])).toBe('PONG');

    // the common path: the hub closes the broker it was given, and with it every connection
    const hub = createHub({ heartbeat: false, broker: brokerOf() });
    await hub.publish('n', { n: 1 });
    await settles(base + 3);
    await hub.close();
    await settles(base + 1);
  });
});

describe('createRedisBroker options', () => {
  it.each([
    [{}, /either `url`/],
    [{ url: 'redis://x', client: {} }, /either `url`/],
    [{ url: 'redis://x', maxLen: 0 }, /maxLen/],
    [{ url: 'redis://x', maxAge: -1 }, /maxAge/],
    [{ url: 'redis://x', maxLen: false, maxAge: false }, /without bound/],
    [{ url: 'redis://x', stream: '' }, /stream/],
    [{ url: 'redis://x', publishTimeout: 0 }, /publishTimeout/],
  ])('refuses %o at construction', (options, message) => {
    expect(() => createRedisBroker(options as RedisBrokerOptions)).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringMatching(message) }),
    );
  });
});

describe('compareStreamIds', () => {
  it('orders ids by time, then sequence, past 2^53', () => {
    const ids = ['1-0', '1-1', '1-10', '2-0', '10-0', '18446744073709551615-18446744073709551614'];
    expect([...ids].reverse().sort(compareStreamIds)).toEqual(ids);
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
    expect(compareStreamIds('garbage', '1-0')).toBeLessThan(0);
  });
});
