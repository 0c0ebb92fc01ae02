import { connect as netConnect } from 'node:net';
import { serve as honoServe } from '@hono/node-server';
import { defineEvents, RESET_EVENT, type } from '@ssekit/core';
import { createTestServer, listen, readSse, type TestServer } from '@ssekit/test-utils';
import { createParser } from 'eventsource-parser';
import express5 from 'express';
import express4 from 'express4';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createExpressHandler } from '../src/adapters/express';
import { createFetchHandler } from '../src/adapters/fetch';
import { createNodeHandler } from '../src/adapters/node';
import { createHub, createMemoryBroker, type Hub, type HubOptions } from '../src/index';
import { laggyBroker, seededRandom, tick } from './fixtures';

const events = defineEvents({
  tick: type<{ n: number }>(),
  end: type<null>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A hub behind createNodeHandler; the user is the `x-user` header, topics as requested. */
async function hubServer(options: HubOptions<typeof events> = {}) {
  const hub = createHub({ events, heartbeat: false, ...options });
  const server = await createTestServer(
    createNodeHandler({
      hub,
      authenticate: (req, { topics }) => {
        const user = req.headers['x-user'];
        return { userId: typeof user === 'string' ? user : undefined, topics };
      },
    }),
  );
  cleanup.push(
    () => server.close(),
    () => hub.close(),
  );
  return { hub, server };
}

function entitled(
  client: { userId?: string | undefined; topics: readonly string[] },
  p: { topic?: string | undefined; to?: readonly string[] | undefined },
): boolean {
  return (
    (p.to === undefined || (client.userId !== undefined && p.to.includes(client.userId))) &&
    (p.topic === undefined || client.topics.includes(p.topic))
  );
}

describe('hub over real HTTP', () => {
  it.each([
    ['the in-memory broker', () => createMemoryBroker({ replay: { maxEvents: 100_000 } })],
    [
      'an asynchronous, lagging broker',
      () => laggyBroker(createMemoryBroker({ replay: { maxEvents: 100_000 } })),
    ],
  ])(
    'resumes without gap or duplicate across 120 random cuts while publishing continues, on %s',
    async (_name, broker) => {
      const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
      const random = seededRandom(seed);
      const { hub, server } = await hubServer({ broker: broker() });
      const me = { userId: 'u1', topics: ['a'] };
      const targets = [
        {},
        { topic: 'a' },
        { topic: 'b' },
        { to: 'u1' },
        { to: 'u2' },
        { to: ['u1', 'u2'], topic: 'a' },
      ] as const;
      const expected: string[] = [];
      let publishing = true;
      let n = 0;
      const publisher = (async () => {
        while (publishing) {
          const count = 1 + Math.floor(random() * 3);
          for (let i = 0; i < count; i++) {
            const target = targets[Math.floor(random() * targets.length)]!;
            const to = 'to' in target ? target.to : undefined;
            const id = await hub.publish('tick', { n: n++ }, target);
            if (
              entitled(me, {
                topic: 'topic' in target ? target.topic : undefined,
                to: typeof to === 'string' ? [to] : to,
              })
            )
              expected.push(id);
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      const received: { id: string; type: string }[] = [];
      let lastId: string | undefined;
      /** One connection: read until `stop` says so (or the end event), then cut. */
      async function session(stop: (sinceConnect: number) => boolean, timeoutMs?: number) {
        const controller = new AbortController();
        const headers: Record<string, string> = { 'x-user': me.userId };
        if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
        const timer =
          timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(), timeoutMs);
        let count = 0;
        let done = false;
        const parser = createParser({
          onEvent: (e) => {
            if (done) return;
            received.push({ id: e.id!, type: e.event ?? 'message' });
            lastId = e.id;
            count++;
            if (e.event === 'end' || stop(count)) {
              done = true;
              controller.abort();
            }
          },
        });
        try {
          const res = await fetch(`${server.url}/?topic=a`, { headers, signal: controller.signal });
          const decoder = new TextDecoder();
          for await (const chunk of res.body!) parser.feed(decoder.decode(chunk, { stream: true }));
        } catch {
          // cut by the test
        } finally {
          clearTimeout(timer);
        }
      }

      // Driven by counts, not by how much fits in a time window: cut 120 times and keep going
      // until at least 150 entitled events were published, however slow the machine is.
      let cuts = 0;
      while (cuts < 120 || expected.length < 150) {
        const after = 1 + Math.floor(random() * 12);
        // cut after a random number of events, or at a random moment (once resumable)
        await session((count) => count >= after, lastId === undefined ? undefined : random() * 8);
        if (lastId !== undefined) cuts++;
      }
      publishing = false;
      await publisher;
      const endId = await hub.publish('end', null);
      expected.push(endId);
      while (received.at(-1)?.type !== 'end') await session(() => false);

      const ids = received.map((e) => e.id);
      expect(
        received.filter((e) => e.type === RESET_EVENT),
        `seed ${seed}`,
      ).toEqual([]);
      expect(new Set(ids).size, `seed ${seed}: duplicates`).toBe(ids.length);
      // entitled: everything from the first event published after the first connect
      const fromFirst = expected.slice(expected.indexOf(ids[0]!));
      expect(expected.indexOf(ids[0]!)).toBeGreaterThanOrEqual(0);
      expect(ids, `seed ${seed}`).toEqual(fromFirst);
      expect(ids.length).toBeGreaterThan(120);
    },
  );

  it('delivers to each connection exactly its own events and nothing else', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const { hub, server } = await hubServer();
    const users = ['u0', 'u1', 'u2', 'u3', 'u4'];
    const topics = ['a', 'b', 'c'];
    const clients = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const userId = i % 6 === 5 ? undefined : users[i % 5];
        const granted = topics.filter(() => random() < 0.5);
        const query = granted.map((t) => `topic=${t}`).join('&');
        const sse = await readSse(`${server.url}/?${query}`, {
          headers: userId ? { 'x-user': userId } : {},
        });
        cleanup.push(() => sse.close());
        await sse.until((r) => r.retries.length === 1);
        return { userId, topics: granted, sse };
      }),
    );
    const published: { id: string; topic?: string; to?: string[] }[] = [];
    for (let i = 0; i < 300; i++) {
      const topic = random() < 0.5 ? topics[Math.floor(random() * 3)] : undefined;
      const to = random() < 0.6 ? users.filter(() => random() < 0.3) : undefined;
      const options = { ...(topic && { topic }), ...(to && { to }) };
      if (to?.length === 0) {
        // A list that names nobody is refused, never widened to everyone.
        await expect(hub.publish('tick', { n: i }, options)).rejects.toMatchObject({
          code: 'invalid-target',
        });
        continue;
      }
      published.push({ id: await hub.publish('tick', { n: i }, options), topic, to });
      if (i % 50 === 0) await tick();
    }
    published.push({ id: await hub.publish('end', null) });
    for (const client of clients) {
      await client.sse.until((r) => r.events.at(-1)?.event === 'end');
      const want = published.filter((p) => entitled(client, p)).map((p) => p.id);
      expect(
        client.sse.events.map((e) => e.id),
        `seed ${seed}, ${client.userId} ${client.topics}`,
      ).toEqual(want);
    }
  });

  it('closes a stalled reader at maxBufferedBytes while the others receive everything', async () => {
    const onDisconnect = vi.fn();
    const { hub, server } = await hubServer({ maxBufferedBytes: 128 * 1024, onDisconnect });
    const readers = await Promise.all([readSse(server.url), readSse(server.url)]);
    for (const r of readers) cleanup.push(() => r.close());
    const { port } = new URL(server.url);
    const stalled = netConnect(Number(port), '127.0.0.1');
    cleanup.push(() => stalled.destroy());
    stalled.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nx-user: slow\r\n\r\n');
    await new Promise((resolve) => stalled.once('data', resolve));
    stalled.pause();
    expect(hub.stats().connections).toBe(3);

    let sent = 0;
    const payload = 'x'.repeat(8 * 1024);
    while (hub.stats().slowConsumers === 0) {
      await hub.publish('tick', { n: sent++, pad: payload } as never);
      await tick();
      expect(sent).toBeLessThan(20_000);
    }
    expect(onDisconnect).toHaveBeenCalledWith(
      expect.objectContaining({ userId: 'slow' }),
      'buffer-overflow',
    );
    expect(hub.stats().connections).toBe(2);
    await hub.publish('end', null);
    for (const r of readers) {
      await r.until((x) => x.events.at(-1)?.event === 'end', 10_000);
      expect(r.events).toHaveLength(sent + 1);
    }
  });

  it('sends the reset control event to a client resuming from another epoch', async () => {
    const { hub, server } = await hubServer({ epoch: 'now' });
    await hub.publish('tick', { n: 1 });
    const sse = await readSse(server.url, { headers: { 'Last-Event-ID': 'before-17' } });
    cleanup.push(() => sse.close());
    await hub.publish('tick', { n: 2 });
    const [reset, live] = await sse.untilEvents(2);
    expect(reset).toEqual({
      event: RESET_EVENT,
      id: 'now-1',
      data: JSON.stringify({ reason: 'epoch', lastEventId: 'before-17' }),
    });
    expect(live).toMatchObject({ event: 'tick', id: 'now-2' });
  });

  it('close() ends every client stream and answers new ones with 503', async () => {
    const { hub, server } = await hubServer();
    const readers = await Promise.all([1, 2, 3].map(() => readSse(server.url)));
    for (const r of readers) await r.until((x) => x.retries.length === 1);
    await hub.publish('tick', { n: 1 });
    await hub.close();
    for (const r of readers) {
      await r.until((x) => x.ended);
      expect(r.events.map((e) => e.event)).toEqual(['tick']);
    }
    const late = await fetch(server.url);
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('10');
    expect(late.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await late.text()).toMatch(/shutting down/);
  });

  it('answers 429 with Retry-After past the per-user cap', async () => {
    const { server } = await hubServer({ limits: { maxConnectionsPerUser: 1, retryAfter: 3 } });
    const first = await readSse(server.url, { headers: { 'x-user': 'ana' } });
    cleanup.push(() => first.close());
    const second = await fetch(server.url, { headers: { 'x-user': 'ana' } });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('3');
    const other = await readSse(server.url, { headers: { 'x-user': 'bob' } });
    cleanup.push(() => other.close());
    expect(other.response.status).toBe(200);
  });
});

describe('hub through each adapter', () => {
  /** Publish to ana after both clients connect, then check targeting and resume. */
  async function checkAdapter(url: string, hub: Hub<typeof events>) {
    const ana = await readSse(`${url}?topic=t`, { headers: { authorization: 'ana' } });
    const bob = await readSse(url, { headers: { authorization: 'bob' } });
    cleanup.push(
      () => ana.close(),
      () => bob.close(),
    );
    await ana.until((r) => r.retries.length === 1);
    await bob.until((r) => r.retries.length === 1);
    const first = await hub.publish('tick', { n: 1 }, { to: 'ana' });
    await hub.publish('tick', { n: 2 }, { topic: 't' });
    await hub.publish('end', null);
    await ana.until((r) => r.events.length === 3);
    await bob.until((r) => r.events.length === 1);
    expect(ana.events.map((e) => JSON.parse(e.data)?.n ?? 'end')).toEqual([1, 2, 'end']);
    expect(bob.events.map((e) => e.event)).toEqual(['end']);
    const resumed = await readSse(`${url}?topic=t`, {
      headers: { authorization: 'ana', 'Last-Event-ID': first },
    });
    cleanup.push(() => resumed.close());
    await resumed.until((r) => r.events.length === 2);
    expect(resumed.events.map((e) => e.event)).toEqual(['tick', 'end']);
    const refused = await fetch(url);
    expect(refused.status).toBe(401);
  }

  function newHub() {
    const hub = createHub({ events, heartbeat: false });
    cleanup.push(() => hub.close());
    return hub;
  }

  it.each([
    ['Express 4', express4],
    ['Express 5', express5],
  ] as const)('works with %s', async (_name, express) => {
    const hub = newHub();
    const app = express();
    app.get(
      '/events',
      createExpressHandler({
        hub,
        authenticate: (req, { topics }) =>
          req.headers.authorization ? { userId: req.headers.authorization, topics } : null,
      }),
    );
    const server: TestServer = await listen(app.listen(0, '127.0.0.1'));
    cleanup.push(() => server.close());
    await checkAdapter(`${server.url}/events`, hub);
  });

  it('works with the fetch adapter in Hono', async () => {
    const hub = newHub();
    const sse = createFetchHandler({
      hub,
      authenticate: (request, { topics }) => {
        const user = request.headers.get('authorization');
        return user ? { userId: user, topics } : null;
      },
    });
    const app = new Hono();
    app.get('/events', (c) => sse(c.req.raw));
    const server = await new Promise<ReturnType<typeof honoServe>>((resolve) => {
      const s = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as any).closeAllConnections?.();
        }),
    );
    const { port } = server.address() as { port: number };
    await checkAdapter(`http://127.0.0.1:${port}/events`, hub);
  });
});
