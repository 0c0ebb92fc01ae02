import { defineEvents, encodeComment, isSsekitError, RESET_EVENT, type } from '@ssekit/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  type Broker,
  type BrokerEvent,
  createHub,
  createMemoryBroker,
  type Hub,
  isRefusal,
} from '../src/index';
import { liveTimers, type MemorySink, memorySink, seededRandom, tick } from './fixtures';

const events = defineEvents({
  notification: type<{ n: number }>(),
  chat: type<{ text: string }>(),
});

const hubs: Hub<any>[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const hub of hubs.splice(0)) await hub.close();
});

function hubOf(options: Parameters<typeof createHub<typeof events>>[0] = {}) {
  const defaults = options.broker === undefined ? { epoch: 'e' } : {};
  const hub = createHub({ events, heartbeat: false, ...defaults, ...options });
  hubs.push(hub);
  return hub;
}

/** Connect an in-process client; returns its sink and a parse of what it received. */
function join(hub: Hub<any>, request: Parameters<Hub['accept']>[0] = {}) {
  const sink = memorySink();
  const stream = hub.accept(request, () => sink);
  if (isRefusal(stream)) throw new Error(`refused: ${stream.status}`);
  return { sink, stream, received: () => parse(sink) };
}

function parse(sink: MemorySink): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => out.push(e) });
  parser.feed(sink.text);
  return out;
}

describe('createHub targeting', () => {
  it('sends to everyone, to a topic, or to a user, with ordered ids', async () => {
    const hub = hubOf();
    const a = join(hub, { userId: 'ana', topics: ['fleet'] });
    const b = join(hub, { userId: 'bob' });
    const anon = join(hub);
    expect(await hub.publish('notification', { n: 1 })).toBe('e-1');
    expect(await hub.publish('notification', { n: 2 }, { topic: 'fleet' })).toBe('e-2');
    expect(await hub.publish('chat', { text: 'hi bob' }, { to: 'bob' })).toBe('e-3');
    await hub.publish('chat', { text: 'both' }, { to: ['ana', 'bob', 'ana'] });
    await hub.publish('chat', { text: 'ana on fleet' }, { to: 'bob', topic: 'fleet' });
    await tick();
    expect(a.received().map((e) => e.id)).toEqual(['e-1', 'e-2', 'e-4']);
    expect(b.received().map((e) => e.id)).toEqual(['e-1', 'e-3', 'e-4']);
    expect(anon.received().map((e) => e.id)).toEqual(['e-1']);
    expect(b.sink.text).toContain('event: chat\nid: e-3\ndata: {"text":"hi bob"}\n\n');
  });

  it('encodes once per publish and writes the same bytes to every recipient', async () => {
    const hub = hubOf();
    const clients = Array.from({ length: 5 }, () => join(hub));
    await hub.publish('notification', { n: 1 });
    await tick();
    const chunks = clients.map((c) => c.sink.chunks.at(-1));
    for (const chunk of chunks) expect(chunk).toBe(chunks[0]);
  });

  it('writes a lone event at once, before the current run ends', async () => {
    const hub = hubOf();
    const clients = Array.from({ length: 3 }, () => join(hub));
    // A run with one frame per connection: whatever ran before, this is not a burst.
    void hub.publish('notification', { n: 0 });
    await tick();
    const before = clients.map((c) => c.sink.chunks.length);
    void hub.publish('notification', { n: 1 });
    // No microtask has run yet: the frame is already in every sink.
    expect(clients.map((c) => c.sink.chunks.length)).toEqual(before.map((n) => n + 1));
    expect(clients[0]!.sink.text).toContain('id: e-2\ndata: {"n":1}\n\n');
  });

  it('coalesces a burst: the rest of a first burst as one chunk, a sustained burst one chunk per run', async () => {
    const hub = hubOf();
    const clients = Array.from({ length: 4 }, () => join(hub, { topics: ['t'] }));
    const other = join(hub);
    void hub.publish('notification', { n: 0 }); // a run that is not a burst
    await tick();
    const before = clients.map((c) => c.sink.chunks.length);
    void hub.publish('notification', { n: 1 }, { topic: 't' });
    void hub.publish('notification', { n: 2 }, { topic: 't' });
    void hub.publish('notification', { n: 3 });
    await tick();
    // The first frame went out at once (nothing told it a burst would follow); the rest of the
    // run's frames left together.
    expect(clients.map((c) => c.sink.chunks.length)).toEqual(before.map((n) => n + 2));
    let chunks = clients.map((c) => c.sink.chunks.at(-1));
    for (const chunk of chunks) expect(chunk).toBe(chunks[0]);
    // The next run follows a burst: all of its frames leave as one chunk per connection.
    void hub.publish('notification', { n: 4 }, { topic: 't' });
    void hub.publish('notification', { n: 5 }, { topic: 't' });
    await tick();
    expect(clients.map((c) => c.sink.chunks.length)).toEqual(before.map((n) => n + 3));
    chunks = clients.map((c) => c.sink.chunks.at(-1));
    for (const chunk of chunks) expect(chunk).toBe(chunks[0]);
    expect(clients[0]!.received().map((e) => e.id)).toEqual([
      'e-1',
      'e-2',
      'e-3',
      'e-4',
      'e-5',
      'e-6',
    ]);
    expect(other.received().map((e) => e.id)).toEqual(['e-1', 'e-4']);
    // A run with one frame per connection switches back to direct writes.
    void hub.publish('notification', { n: 6 });
    await tick();
    const settled = clients.map((c) => c.sink.chunks.length);
    void hub.publish('notification', { n: 7 });
    expect(clients.map((c) => c.sink.chunks.length)).toEqual(settled.map((n) => n + 1));
  });

  it('validates and serialises once per publish, never per recipient', async () => {
    const schema = z.object({ n: z.number() });
    const validate = vi.spyOn(schema['~standard'], 'validate');
    const strict = defineEvents({ notification: schema });
    const hub = createHub({ events: strict, heartbeat: false, validate: true });
    hubs.push(hub);
    for (let i = 0; i < 10; i++) join(hub);
    await hub.publish('notification', { n: 1 });
    expect(validate).toHaveBeenCalledTimes(1);
    await expect(hub.publish('notification', { n: 'x' } as never)).rejects.toMatchObject({
      code: 'schema-mismatch',
    });
  });
});

describe('createHub replay', () => {
  it('replays exactly the missed events the connection is entitled to, then live ones', async () => {
    const hub = hubOf();
    await hub.publish('notification', { n: 1 }); // e-1 everyone
    await hub.publish('notification', { n: 2 }, { to: 'bob' }); // e-2
    await hub.publish('notification', { n: 3 }, { topic: 'fleet' }); // e-3
    await hub.publish('notification', { n: 4 }, { to: 'ana' }); // e-4
    await hub.publish('notification', { n: 5 }, { topic: 'other' }); // e-5
    const ana = join(hub, { userId: 'ana', topics: ['fleet'], lastEventId: 'e-1' });
    await hub.publish('notification', { n: 6 }); // e-6 live
    await tick();
    expect(ana.received().map((e) => e.id)).toEqual(['e-3', 'e-4', 'e-6']);
    expect(ana.stream.lastEventId).toBe('e-1');
  });

  it('sends a reset with a data line and the head id when the id was evicted by count', async () => {
    const hub = hubOf({ replay: { maxEvents: 2 } });
    for (let n = 1; n <= 5; n++) await hub.publish('notification', { n });
    const client = join(hub, { lastEventId: 'e-1' });
    await hub.publish('notification', { n: 6 });
    await tick();
    const [reset, live] = client.received();
    expect(reset).toEqual({
      event: RESET_EVENT,
      id: 'e-5',
      data: JSON.stringify({ reason: 'evicted', lastEventId: 'e-1' }),
    });
    expect(live?.id).toBe('e-6');
    expect(client.received()).toHaveLength(2);
  });

  it('still replays when the id is the oldest the log can continue from', async () => {
    const hub = hubOf({ replay: { maxEvents: 2 } });
    for (let n = 1; n <= 5; n++) await hub.publish('notification', { n });
    const client = join(hub, { lastEventId: 'e-3' });
    await tick();
    expect(client.received().map((e) => e.id)).toEqual(['e-4', 'e-5']);
  });

  it('sends a reset when the missed events aged out of the log', async () => {
    let now = 0;
    const hub = hubOf({ replay: { maxAge: 1000 }, now: () => now });
    await hub.publish('notification', { n: 1 });
    await hub.publish('notification', { n: 2 });
    now = 5000;
    const client = join(hub, { lastEventId: 'e-1' });
    await tick();
    expect(client.received()).toEqual([expect.objectContaining({ event: RESET_EVENT, id: 'e-2' })]);
    expect(JSON.parse(client.received()[0]!.data)).toEqual({
      reason: 'evicted',
      lastEventId: 'e-1',
    });
  });

  it('sends a reset when the id comes from another epoch (a restart)', async () => {
    const before = hubOf({ epoch: 'old' });
    await before.publish('notification', { n: 1 });
    const after = hubOf({ epoch: 'new' });
    const client = join(after, { lastEventId: 'old-1' });
    await after.publish('notification', { n: 2 });
    await tick();
    const [reset, live] = client.received();
    // The head of the new log (nothing published yet) is the client's next resume point.
    expect(reset).toMatchObject({ event: RESET_EVENT, id: 'new-0' });
    expect(JSON.parse(reset!.data)).toEqual({ reason: 'epoch', lastEventId: 'old-1' });
    expect(live?.id).toBe('new-1');
  });

  it('sends a reset for an id it never issued', async () => {
    const hub = hubOf();
    await hub.publish('notification', { n: 1 });
    for (const lastEventId of ['garbage', 'e-99', 'e-1x']) {
      const client = join(hub, { lastEventId });
      await tick();
      expect(JSON.parse(client.received()[0]!.data)).toEqual({ reason: 'unknown', lastEventId });
    }
  });

  it('treats an empty Last-Event-ID as a fresh connection, not a reset', async () => {
    const hub = hubOf();
    await hub.publish('notification', { n: 1 });
    const client = join(hub, { lastEventId: '' });
    await hub.publish('notification', { n: 2 });
    await tick();
    expect(client.received().map((e) => e.id)).toEqual(['e-2']);
    expect(client.stream.lastEventId).toBeUndefined();
  });

  it('with replay off, resumes only from the newest id', async () => {
    const hub = hubOf({ replay: false });
    await hub.publish('notification', { n: 1 });
    await hub.publish('notification', { n: 2 });
    const current = join(hub, { lastEventId: 'e-2' });
    const behind = join(hub, { lastEventId: 'e-1' });
    await tick();
    expect(current.received()).toEqual([]);
    expect(behind.received()[0]).toMatchObject({ event: RESET_EVENT, id: 'e-2' });
  });

  it('has no gap and no duplicate when publishes race an asynchronous broker', async () => {
    // A remote-like broker: reads resolve later, fan-out lags behind the log.
    const inner = createMemoryBroker({ epoch: 'r' });
    const deliveries: BrokerEvent[] = [];
    let listener: ((e: BrokerEvent) => void) | undefined;
    inner.subscribe((e) => deliveries.push(e));
    const flushDeliveries = () => {
      for (const e of deliveries.splice(0)) listener?.(e);
    };
    const laggy: Broker = {
      append: async (e) => inner.append(e),
      subscribe: (fn) => {
        listener = fn;
        return () => {
          listener = undefined;
        };
      },
      readAfter: async (id) => {
        await tick();
        return inner.readAfter(id);
      },
      compare: inner.compare,
    };
    const hub = hubOf({ broker: laggy });
    for (let n = 1; n <= 3; n++) await hub.publish('notification', { n });
    flushDeliveries();
    const client = join(hub, { lastEventId: 'r-1' });
    // published while the read is in flight: some delivered before it resolves, some after
    await hub.publish('notification', { n: 4 });
    flushDeliveries();
    await hub.publish('notification', { n: 5 });
    await tick(); // the read resolves, e-5 is in the log but not yet delivered
    await hub.publish('notification', { n: 6 });
    await tick();
    flushDeliveries(); // late fan-out of e-5 and e-6
    await hub.publish('notification', { n: 7 });
    flushDeliveries();
    await tick();
    expect(client.received().map((e) => e.id)).toEqual(['r-2', 'r-3', 'r-4', 'r-5', 'r-6', 'r-7']);
  });
});

describe('createHub limits, hooks and lifecycle', () => {
  it('reads the peer address only when anonymous connections are capped by it', () => {
    let reads = 0;
    const request = {
      get address() {
        reads++;
        return '10.0.0.1';
      },
    };
    // A per-address cap is on by default (1,000): only one turned off skips the read.
    const open = hubOf({ limits: { maxConnectionsPerAddress: Number.POSITIVE_INFINITY } });
    expect(isRefusal(open.accept(request, memorySink))).toBe(false);
    expect(reads).toBe(0);
    const capped = hubOf({ limits: { maxConnectionsPerAddress: 1 } });
    expect(isRefusal(capped.accept(request, memorySink))).toBe(false);
    const second = capped.accept(request, memorySink);
    expect(isRefusal(second) && second.status).toBe(429);
    expect(reads).toBeGreaterThan(0);
  });

  it('refuses past the per-user and total caps with 429/503 and Retry-After', () => {
    const hub = hubOf({ limits: { maxConnections: 3, maxConnectionsPerUser: 2, retryAfter: 7 } });
    join(hub, { userId: 'ana' });
    const second = join(hub, { userId: 'ana' });
    const openSink = vi.fn(() => memorySink());
    const third = hub.accept({ userId: 'ana' }, openSink);
    expect(third).toEqual({
      status: 429,
      message: expect.any(String),
      headers: { 'Retry-After': '7' },
    });
    expect(openSink).not.toHaveBeenCalled();
    join(hub, { userId: 'bob' });
    expect(hub.accept({ userId: 'cy' }, openSink)).toMatchObject({ status: 503 });
    second.sink.disconnect();
    expect(isRefusal(hub.accept({ userId: 'ana' }, openSink))).toBe(false);
  });

  it('reports connections, users, topics, buffered bytes and events in stats()', async () => {
    const hub = hubOf();
    const a = join(hub, { userId: 'ana', topics: ['x', 'y'] });
    join(hub, { userId: 'ana', topics: ['y'] });
    join(hub, { userId: 'bob' });
    const stalled = memorySink({ buffer: true });
    hub.accept({}, () => stalled);
    await hub.publish('notification', { n: 1 });
    expect(hub.stats()).toMatchObject({ connections: 4, users: 2, topics: 2, published: 1 });
    expect(hub.stats().bufferedBytes).toBe(stalled.bufferedBytes);
    expect(stalled.bufferedBytes).toBeGreaterThan(0);
    a.sink.disconnect();
    expect(hub.stats()).toMatchObject({ connections: 3, users: 2, topics: 1 });
  });

  it('calls connect, disconnect and publish hooks', async () => {
    const onConnect = vi.fn();
    const onDisconnect = vi.fn();
    const onPublish = vi.fn();
    const hub = hubOf({ onConnect, onDisconnect, onPublish });
    const client = join(hub, { userId: 'ana', topics: ['t'] });
    expect(onConnect).toHaveBeenCalledWith(
      expect.objectContaining({ userId: 'ana', topics: ['t'], lastEventId: undefined }),
    );
    await hub.publish('notification', { n: 1 }, { to: ['ana', 'zed'] });
    expect(onPublish).toHaveBeenCalledWith(expect.objectContaining({ id: 'e-1' }), 1);
    client.sink.disconnect();
    expect(onDisconnect).toHaveBeenCalledWith(
      expect.objectContaining({ userId: 'ana' }),
      'disconnected',
    );
  });

  it('closes slow consumers at maxBufferedBytes while the others keep receiving', async () => {
    let evicted!: () => void;
    const gone = new Promise<void>((resolve) => {
      evicted = resolve;
    });
    const hub = hubOf({
      maxBufferedBytes: 2000,
      maxBufferedMs: 20,
      onDisconnect: (_, reason) => reason === 'buffer-overflow' && evicted(),
    });
    const slow = memorySink({ buffer: true });
    hub.accept({}, () => slow);
    const fast = join(hub);
    slow.accept = false;
    for (let n = 0; n < 30; n++) {
      await hub.publish('chat', { text: 'x'.repeat(200) });
      await tick();
    }
    await gone;
    expect(slow.closedWith).toBe('abort');
    expect(hub.stats()).toMatchObject({ connections: 1, slowConsumers: 1 });
    expect(fast.received()).toHaveLength(30);
  });

  it('runs one heartbeat timer for all of its connections', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const hub = hubOf({ heartbeat: 15_000 });
    const clients = Array.from({ length: 1000 }, (_, i) => join(hub, { userId: `u${i % 10}` }));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(15_000);
    await tick();
    for (const c of clients) expect(c.sink.text.endsWith(encodeComment())).toBe(true);
    for (const c of clients) c.sink.disconnect();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() ends every stream, refuses new ones with 503 and stops publishing', async () => {
    const hub = hubOf({ heartbeat: 1000 });
    const clients = [join(hub), join(hub, { userId: 'u' })];
    await hub.close();
    for (const c of clients) {
      expect(c.sink.closedWith).toBe('graceful');
      expect(c.stream.closed).toBe(true);
    }
    expect(hub.closed).toBe(true);
    expect(hub.accept({}, () => memorySink())).toMatchObject({ status: 503 });
    await expect(hub.publish('notification', { n: 1 })).rejects.toMatchObject({ code: 'closed' });
    expect(hub.stats().connections).toBe(0);
  });

  it('leaves nothing behind after 10,000 connect/disconnect cycles', async () => {
    const { gc, heap } = await gcAndHeap();
    const timersBefore = liveTimers();
    const hub = hubOf({ heartbeat: 15_000 });
    const warm = join(hub, { userId: 'u', topics: ['t'], lastEventId: 'e-1' });
    expect(liveTimers()).toBe(timersBefore + 1); // the hub's one heartbeat timer
    warm.sink.disconnect();
    gc();
    const start = heap();
    for (let i = 0; i < 10_000; i++) {
      const client = join(hub, {
        userId: `user-${i % 100}`,
        topics: [`topic-${i % 7}`, 'all'],
        lastEventId: i % 3 === 0 ? 'e-1' : undefined,
      });
      if (i % 10 === 0) await hub.publish('notification', { n: i }, { topic: 'all' });
      if (i % 2 === 0) client.sink.disconnect();
      else client.stream.close();
      if (i % 1000 === 0) await tick();
    }
    await tick();
    expect(hub.stats()).toMatchObject({ connections: 0, users: 0, topics: 0, bufferedBytes: 0 });
    expect(liveTimers()).toBeLessThanOrEqual(timersBefore);
    gc();
    // the replay log holds the 1,000 newest events; everything per connection is gone
    expect(heap() - start).toBeLessThan(4 * 1024 * 1024);
  });

  it('every connection receives exactly its own events (seeded isolation fuzz)', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', undefined];
    const topics = ['a', 'b', 'c', 'd'];
    const hub = hubOf();
    const clients = Array.from({ length: 60 }, () => {
      const userId = pick(users);
      const granted = topics.filter(() => random() < 0.4);
      return { userId, granted, ...join(hub, { userId, topics: granted }) };
    });
    const published: { id: string; topic?: string; to?: string[] }[] = [];
    for (let i = 0; i < 400; i++) {
      const topic = random() < 0.5 ? pick(topics) : undefined;
      const to = random() < 0.5 ? [pick(users.slice(0, -1)), pick(users.slice(0, -1))] : undefined;
      const id = await hub.publish(
        'notification',
        { n: i },
        {
          ...(topic === undefined ? {} : { topic }),
          ...(to === undefined ? {} : { to: to as string[] }),
        },
      );
      published.push({ id, topic, to: to as string[] | undefined });
    }
    await tick();
    for (const c of clients) {
      const expected = published
        .filter(
          (p) =>
            (p.to === undefined || (c.userId !== undefined && p.to.includes(c.userId))) &&
            (p.topic === undefined || c.granted.includes(p.topic)),
        )
        .map((p) => p.id);
      expect(
        c.received().map((e) => e.id),
        `seed ${seed}`,
      ).toEqual(expected);
    }
  });

  it('throws at construction for options that would be ignored or cannot work', () => {
    const broker = createMemoryBroker();
    expect(() => createHub({ broker, replay: { maxEvents: 5 } })).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringMatching(/replay/) }),
    );
    expect(() => createHub({ limits: { maxConnections: -1 } })).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    expect(() => createHub({ heartbeat: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
    expect(() => createHub({ replay: { maxEvents: 1.5 } })).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
  });

  it('refuses an invalid event name without a schema', async () => {
    const hub = createHub({ heartbeat: false });
    hubs.push(hub);
    await expect(hub.publish('a\nb', {})).rejects.toMatchObject({ code: 'invalid-field' });
    expect(isSsekitError(new Error('x'))).toBe(false);
  });
});

/** A callable gc (via v8 flags) and a heap reading. */
async function gcAndHeap() {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return { gc: () => gc(), heap: () => process.memoryUsage().heapUsed };
}
