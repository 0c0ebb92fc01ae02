/**
 * Issue #24 — hardening, round two: the hub's share. Targets are the hub's own copies (a caller
 * that reuses an array cannot change who a logged event is for), `authenticate` cannot return a
 * refusal by accident, and connections are capped by default. Through the public API, against a
 * real node:http server on 127.0.0.1 and real readers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineEvents, type } from '@ssekit/core';
import {
  type AuthResult,
  createHub,
  createMemoryBroker,
  type Hub,
  type HubLimits,
  type HubOptions,
  isRefusal,
  type StreamRequest,
  type StreamSink,
} from '@ssekit/server';
import { createNodeHandler, type NodeRequest } from '@ssekit/server/node';
import { readSse, type SseReader } from '@ssekit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

const events = defineEvents({
  m: type<string>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function hubOf(options: HubOptions<typeof events> = {}): Hub<typeof events> {
  const hub = createHub({ events, epoch: 'ep', heartbeat: false, retry: 10, ...options });
  cleanup.push(() => hub.close());
  return hub;
}

type Authenticate = (req: NodeRequest, request: StreamRequest) => AuthResult;

/** The user is the `x-user` header, with no topics, unless `authenticate` says otherwise. */
const byHeader: Authenticate = (req) => ({ userId: req.headers['x-user'] as string | undefined });

async function serve(hub: Hub<any>, authenticate: Authenticate = byHeader): Promise<string> {
  const handler = createNodeHandler({ hub, authenticate, onError: () => {} });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
}

/** A reader of `url` as `user`, resuming after `lastEventId` if given. */
async function reader(url: string, user?: string, lastEventId?: string): Promise<SseReader> {
  const headers: Record<string, string> = {};
  if (user !== undefined) headers['x-user'] = user;
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const sse = await readSse(url, { headers });
  cleanup.push(() => sse.close());
  return sse;
}

/** The data of the events `sse` got up to and including the `'end'` marker. */
async function untilEnd(sse: SseReader): Promise<string[]> {
  await sse.until((r) => r.events.some((e) => e.data === '"end"'));
  return sse.events.map((e) => JSON.parse(e.data) as string);
}

describe('#24.1 targets are the hub’s own copies', () => {
  it('a `to` array changed after publish does not change who the logged event is for', async () => {
    const hub = hubOf();
    const url = await serve(hub);
    const to = ['alice'];
    await hub.publish('m', 'for alice', { to });
    to[0] = 'bob'; // an app reusing one array for the next publish
    await hub.publish('m', 'end');
    // Both resume from before alice's event (`ep-0`, the head before the first publish).
    expect(await untilEnd(await reader(url, 'bob', 'ep-0'))).toEqual(['end']);
    expect(await untilEnd(await reader(url, 'alice', 'ep-0'))).toEqual(['for alice', 'end']);
  });

  it('an event handed to onPublish cannot be retargeted by the hook', async () => {
    const hub = hubOf({
      onPublish: (event) => {
        try {
          (event.to as string[] | undefined)?.splice(0, 1, 'bob');
        } catch {
          // frozen: the hook cannot change it
        }
      },
    });
    const url = await serve(hub);
    await hub.publish('m', 'for alice', { to: 'alice' });
    await hub.publish('m', 'end');
    expect(await untilEnd(await reader(url, 'bob', 'ep-0'))).toEqual(['end']);
    expect(await untilEnd(await reader(url, 'alice', 'ep-0'))).toEqual(['for alice', 'end']);
  });

  it('the memory broker keeps its own copy of an appended `to`', async () => {
    const broker = createMemoryBroker({ epoch: 'b' });
    const to = ['alice'];
    broker.append({ type: 'm', data: '"x"', to });
    to[0] = 'bob';
    const read = broker.readAfter('b-0');
    expect('events' in read && read.events[0]?.to).toEqual(['alice']);
  });

  it('a granted topic list changed after authenticate does not move the connection', async () => {
    const hub = hubOf();
    const grants = ['fleet-7']; // e.g. a cached user row's list, reused and changed later
    const url = await serve(hub, (req) => ({
      userId: req.headers['x-user'] as string,
      topics: grants,
    }));
    const live = await reader(url, 'ada');
    await live.until((r) => r.text.includes('id: '));
    grants[0] = 'fleet-9';
    await hub.publish('m', 'fleet 9 only', { to: 'ada', topic: 'fleet-9' });
    await hub.publish('m', 'fleet 7', { topic: 'fleet-7' });
    await hub.publish('m', 'end');
    expect(await untilEnd(live)).toEqual(['fleet 7', 'end']);
    // The resume filters by the same topics.
    grants[0] = 'fleet-7';
    const resumed = await reader(url, 'ada', 'ep-0');
    grants[0] = 'fleet-9';
    expect(await untilEnd(resumed)).toEqual(['fleet 7', 'end']);
  });

  it('limits changed after createHub do not change the hub’s caps', async () => {
    const limits: HubLimits = { maxConnectionsPerUser: 1 };
    const hub = hubOf({ limits });
    const url = await serve(hub);
    limits.maxConnectionsPerUser = 100;
    const first = await reader(url, 'ada');
    expect(first.response.status).toBe(200);
    const second = await reader(url, 'ada');
    expect(second.response.status).toBe(429);
  });
});

describe('#24.11 only refuse() makes a refusal', () => {
  it.each([
    ['a text status', { userId: 'u1', status: 'active' }],
    ['a numeric status', { userId: 'u1', status: 403, message: 'row message' }],
  ])('a user row with %s opens a stream for that user', async (_, row) => {
    const hub = hubOf();
    const url = await serve(hub, () => row as AuthResult);
    const sse = await reader(url);
    expect(sse.response.status).toBe(200);
    await sse.until((r) => r.text.includes('id: '));
    await hub.publish('m', 'for u1', { to: 'u1' });
    await hub.publish('m', 'end');
    expect(await untilEnd(sse)).toEqual(['for u1', 'end']);
  });

  it('a refusal from another copy of the package is still a refusal', async () => {
    const hub = hubOf();
    const copy = { status: 403, message: 'Not yours' };
    Object.defineProperty(copy, Symbol.for('@ssekit/refusal'), { value: true });
    const url = await serve(hub, () => copy);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Not yours');
    expect(hub.stats().connections).toBe(0);
  });

  it('a hand-made { status } without a user fails closed with 500, never opens', async () => {
    const hub = hubOf();
    const errors: unknown[] = [];
    const handler = createNodeHandler({
      hub,
      authenticate: () => ({ status: 401, message: 'no' }) as AuthResult,
      onError: (error) => errors.push(error),
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(res.status).toBe(500);
    await res.text();
    expect(String(errors[0])).toMatch(/refuse\(/);
    expect(hub.stats().connections).toBe(0);
  });
});

describe('#24 known gap: connections are capped by default', () => {
  /** A sink that takes everything: the hub's API alone, for counts HTTP would make slow. */
  const sink = (): StreamSink => ({ bufferedBytes: 0, bind() {}, write: () => true, close() {} });
  const refusalOf = (result: unknown) =>
    isRefusal(result)
      ? { status: result.status, retryAfter: result.headers?.['Retry-After'] }
      : 'open';

  it('a user past 100 streams gets 429 with Retry-After; Infinity turns the cap off', async () => {
    const capped = await serve(hubOf());
    const open = await Promise.all(Array.from({ length: 100 }, () => reader(capped, 'ada')));
    expect(open.map((r) => r.response.status)).toEqual(Array(100).fill(200));
    const refused = await fetch(capped, { headers: { 'x-user': 'ada' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    await refused.text();
    expect((await reader(capped, 'bob')).response.status).toBe(200); // others have their own

    const uncapped = await serve(
      hubOf({ limits: { maxConnectionsPerUser: Number.POSITIVE_INFINITY } }),
    );
    await Promise.all(Array.from({ length: 100 }, () => reader(uncapped, 'ada')));
    expect((await reader(uncapped, 'ada')).response.status).toBe(200);
  });

  it('past 50,000 streams in the process, new ones get 503 with Retry-After', () => {
    const hub = hubOf();
    for (let i = 0; i < 50_000; i++) {
      const result = hub.accept({ userId: `u${i}` }, sink);
      if (isRefusal(result)) throw new Error(`refused at ${i}: ${result.status}`);
    }
    expect(hub.stats().connections).toBe(50_000);
    expect(refusalOf(hub.accept({ userId: 'one-more' }, sink))).toEqual({
      status: 503,
      retryAfter: '10',
    });
  });

  it('anonymous streams get 1,000 per known address; an unknown one is not capped by default', () => {
    const hub = hubOf();
    for (let i = 0; i < 1000; i++) hub.accept({ address: '203.0.113.7' }, sink);
    expect(refusalOf(hub.accept({ address: '203.0.113.7' }, sink))).toEqual({
      status: 429,
      retryAfter: '10',
    });
    expect(refusalOf(hub.accept({ address: '203.0.113.8' }, sink))).toBe('open');
    for (let i = 0; i < 1001; i++) expect(refusalOf(hub.accept({}, sink))).toBe('open');
    // A cap the app sets also binds the unknown address (fail closed), as before.
    const strict = hubOf({ limits: { maxConnectionsPerAddress: 2 } });
    const results = [1, 2, 3].map(() => refusalOf(strict.accept({}, sink)));
    expect(results).toEqual(['open', 'open', { status: 429, retryAfter: '10' }]);
  });
});
