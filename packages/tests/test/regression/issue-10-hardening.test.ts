/**
 * Issue #10 — hardening: nothing lost, nothing forged, nothing unbounded. One test (or more) per
 * defect, through the public API, against real servers on 127.0.0.1 (node:http, Express, Hono on
 * @hono/node-server for the Fetch adapter) and the real client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as honoServe } from '@hono/node-server';
import { connect } from '@ssekit/client';
import { defineEvents, RESET_EVENT, type ResetNotice, type SsekitError, type } from '@ssekit/core';
import {
  type Broker,
  createEventStream,
  createHub,
  createMemoryBroker,
  type Hub,
  type HubOptions,
  type StreamSink,
} from '@ssekit/server';
import { createExpressHandler } from '@ssekit/server/express';
import { createFetchHandler } from '@ssekit/server/fetch';
import { createNodeHandler } from '@ssekit/server/node';
import { readSse, untilStream } from '@ssekit/test-utils';
import express from 'express';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';

const events = defineEvents({
  m: type<string>(),
  n: type<{ n: number }>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

type Adapter = 'node' | 'express' | 'fetch';
const ADAPTERS: Adapter[] = ['node', 'express', 'fetch'];

interface Served {
  url: string;
  /** Drop every open socket from the server side (a proxy restart, a network cut). */
  cut(): void;
}

/** A hub behind one adapter; the user is the `x-user` header. */
async function serve(
  adapter: Adapter,
  hub: Hub<any>,
  extra: { address?: (req: any) => string | undefined } = {},
): Promise<Served> {
  const authenticate = (user: string | null | undefined, topics: readonly string[]) => ({
    userId: user ?? undefined,
    topics,
  });
  let server: Server;
  if (adapter === 'fetch') {
    const sse = createFetchHandler({
      hub,
      authenticate: (request, { topics }) => authenticate(request.headers.get('x-user'), topics),
      ...extra,
    });
    const app = new Hono().get('/events', (c) => sse(c.req.raw));
    server = await new Promise<Server>((resolve) => {
      const s = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(s as Server),
      );
    });
  } else {
    const options = {
      hub,
      authenticate: (
        req: { headers: IncomingMessage['headers'] },
        { topics }: { topics: readonly string[] },
      ) => authenticate(req.headers['x-user'] as string | undefined, topics),
      ...extra,
    };
    const handler =
      adapter === 'node'
        ? createNodeHandler(options)
        : express().get('/events', createExpressHandler(options));
    server = createServer((req, res) => void handler(req as any, res as any, () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  cleanup.push(
    () => hub.close(),
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/events`, cut: () => server.closeAllConnections() };
}

function hubOf(options: HubOptions<typeof events> = {}): Hub<typeof events> {
  return createHub({ events, heartbeat: false, retry: 10, onError: () => {}, ...options });
}

/** A real client, recording everything it is told. */
function client(url: string, options: Parameters<typeof connect>[1] = {}) {
  const stream = connect(url, { events, retry: { initial: 10 }, ...options });
  const got: { type: string; data: unknown; id: string | undefined }[] = [];
  const resets: ResetNotice[] = [];
  const errors: SsekitError[] = [];
  stream.onEvent((e) => got.push(e));
  stream.onReset((notice) => resets.push(notice));
  stream.onError((error) => errors.push(error));
  cleanup.push(() => stream.close());
  return { stream, got, resets, errors };
}

const until = untilStream;

const opened = (c: ReturnType<typeof client>) =>
  until(
    c.stream,
    () => c.stream.status.state === 'open' && c.stream.lastEventId !== undefined,
    'open with a resume point',
  );

describe('#10.1 fast readers are never closed as slow consumers', () => {
  it.each(ADAPTERS)('a burst of 140 × 8 kB reaches every reader on %s', async (adapter) => {
    const hub = hubOf();
    const { url } = await serve(adapter, hub);
    const readers = [client(url), client(url), client(url)];
    await Promise.all(readers.map(opened));
    for (let i = 0; i < 140; i++) await hub.publish('m', 'x'.repeat(8000));
    for (const r of readers) await until(r.stream, () => r.got.length >= 140, '140 events');
    for (const r of readers) {
      expect(r.got).toHaveLength(140);
      expect(r.resets).toEqual([]);
    }
    expect(hub.stats().slowConsumers).toBe(0);
  });
});

describe('#10.2 every hub stream begins with its resume point', () => {
  it.each(ADAPTERS)(
    'a client cut before its first event gets what was published meanwhile (%s)',
    async (adapter) => {
      const hub = hubOf();
      const { url, cut } = await serve(adapter, hub);
      const c = client(url);
      await opened(c);
      expect(c.got).toEqual([]); // the id-only block dispatched nothing
      cut();
      const ids = [await hub.publish('n', { n: 1 }), await hub.publish('n', { n: 2 })];
      await until(c.stream, () => c.got.length >= 2, 'the two events');
      expect(c.got.map((e) => e.id)).toEqual(ids);
      expect(c.resets).toEqual([]);
    },
  );

  it('starts the wire with retry and the id of the newest event, nothing dispatched', async () => {
    const hub = hubOf({ epoch: 'ep' });
    await hub.publish('n', { n: 1 });
    const { url } = await serve('node', hub);
    const sse = await readSse(url);
    cleanup.push(() => sse.close());
    await sse.until((r) => r.text.length > 0);
    expect(sse.text).toBe('retry: 10\nid: ep-1\n\n');
    expect(sse.events).toEqual([]);
  });

  it('a client whose history is gone gets a reset, not silence', async () => {
    const hub = hubOf({ replay: { maxEvents: 1 } });
    const { url, cut } = await serve('node', hub);
    const c = client(url);
    await opened(c);
    cut();
    await hub.publish('n', { n: 1 });
    await hub.publish('n', { n: 2 });
    await until(c.stream, () => c.resets.length === 1, 'a reset');
    expect(c.resets[0]?.reason).toBe('evicted');
  });
});

describe('#10.3 a payload that cannot be serialised poisons nothing', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    ['undefined', undefined],
    ['a BigInt', { n: 1n }],
    ['a cycle', cyclic],
    ['a function', () => 1],
  ])('rejects %s, logs nothing, and resuming clients still get what follows', async (_, bad) => {
    const hub = hubOf();
    const { url, cut } = await serve('node', hub);
    const c = client(url);
    await opened(c);
    cut();
    const publish = hub.publish('m', bad as never);
    await expect(publish).rejects.toMatchObject({ code: 'invalid-json', event: 'm' });
    const good = await hub.publish('n', { n: 1 });
    await until(c.stream, () => c.got.length >= 1, 'the next event');
    expect(c.got.map((e) => e.id)).toEqual([good]);
    expect(hub.stats().published).toBe(1);
  });

  it('a stream that fails after opening leaves no ghost connection (Fetch adapter)', async () => {
    const hub = hubOf();
    // A hub wrapper that opens the stream, then fails: the adapter answers 500 and must end it.
    const failing = Object.create(hub, {
      accept: {
        value: (request: any, open: () => StreamSink) => {
          hub.accept(request, open);
          throw new Error('boom after open');
        },
      },
    }) as Hub<any>;
    const sse = createFetchHandler({ hub: failing, onError: () => {} });
    for (let i = 0; i < 50; i++) {
      const res = await sse(new Request('http://local/events'));
      expect(res.status).toBe(500);
    }
    expect(hub.stats().connections).toBe(0);
    await hub.close();
  });

  it('a broker entry that cannot be encoded ends the resuming stream instead of hanging it', async () => {
    const inner = createMemoryBroker({ epoch: 'p' });
    const broker: Broker = {
      ...inner,
      readAfter: () => ({ events: [{ id: 'p-1\nforged: x', type: 'm', data: '"x"' }] }),
    };
    const hub = createHub({ events, heartbeat: false, broker, onError: () => {} });
    const { url } = await serve('fetch', hub);
    for (let i = 0; i < 10; i++) {
      const sse = await readSse(url, { headers: { 'Last-Event-ID': 'p-0' } });
      await sse.until((r) => r.ended);
      expect(sse.text).not.toContain('forged');
    }
    expect(hub.stats().connections).toBe(0);
  });
});

describe('#10.4 a stalled broker cannot hang clients or grow memory', () => {
  function stalledBroker(signals: AbortSignal[]): Broker {
    const inner = createMemoryBroker({ epoch: 's' });
    return {
      ...inner,
      append: (e) => inner.append(e),
      subscribe: (l) => inner.subscribe(l),
      readAfter: (_id, options) => {
        if (options?.signal) signals.push(options.signal);
        return new Promise(() => {}); // never settles
      },
    };
  }

  it('ends a resuming stream after readTimeout and aborts the read', async () => {
    const signals: AbortSignal[] = [];
    const hub = createHub({
      events,
      heartbeat: false,
      broker: stalledBroker(signals),
      readTimeout: 50,
      onError: () => {},
    });
    const { url } = await serve('node', hub);
    const sse = await readSse(url, { headers: { 'Last-Event-ID': 's-0' } });
    await sse.until((r) => r.ended);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect((signals[0]!.reason as SsekitError).code).toBe('timeout');
    expect(hub.stats().connections).toBe(0);
  });

  it('ends a waiting stream once held live events pass maxBufferedBytes', async () => {
    const signals: AbortSignal[] = [];
    const hub = createHub({
      events,
      heartbeat: false,
      broker: stalledBroker(signals),
      readTimeout: 600_000,
      maxBufferedBytes: 64 * 1024,
      onError: () => {},
    });
    const { url } = await serve('node', hub);
    const sse = await readSse(url, { headers: { 'Last-Event-ID': 's-0' } });
    await sse.until((r) => r.text.length > 0);
    let published = 0;
    while (hub.stats().connections > 0 && published < 100) {
      await hub.publish('m', 'y'.repeat(10_000));
      published++;
    }
    expect(published).toBeLessThanOrEqual(7); // 64 KiB / 10 kB
    await sse.until((r) => r.ended);
    expect(signals[0]!.aborted).toBe(true); // the read is released too
  });
});

describe('#10.5 replay memory is bounded in bytes and evicted exactly', () => {
  it('keeps no more than maxEvents alive (heap), not up to the next compaction', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const hub = hubOf({ replay: { maxEvents: 10 } });
    cleanup.push(() => hub.close());
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) await hub.publish('m', `${i}`.padEnd(512 * 1024, 'z'));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 10 events of 0.5 MB kept; before the fix all 200 (100 MB) stayed referenced.
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });

  it('evicts by maxBytes: resumes inside the bound, resets outside it', async () => {
    const hub = hubOf({ epoch: 'b', replay: { maxBytes: 1024 * 1024 } });
    const { url } = await serve('node', hub);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await hub.publish('m', 'q'.repeat(100_000)));
    // each event is ~100 kB: the 10 newest fit in 1 MiB
    const inside = await readSse(url, { headers: { 'Last-Event-ID': ids[9]! } });
    cleanup.push(() => inside.close());
    await inside.untilEvents(10);
    expect(inside.events.map((e) => e.id)).toEqual(ids.slice(10));
    const outside = await readSse(url, { headers: { 'Last-Event-ID': ids[8]! } });
    cleanup.push(() => outside.close());
    await outside.untilEvents(1);
    expect(outside.events[0]).toMatchObject({ event: RESET_EVENT, id: ids[19] });
    expect(JSON.parse(outside.events[0]!.data)).toMatchObject({ reason: 'evicted' });
  });

  it('refuses an event over maxEventSize on publish and on send', async () => {
    const hub = hubOf({ maxEventSize: 1000 });
    cleanup.push(() => hub.close());
    await expect(hub.publish('m', 'x'.repeat(1000))).rejects.toMatchObject({
      code: 'event-too-large',
    });
    await expect(hub.publish('m', 'x'.repeat(998))).resolves.toBeTypeOf('string');
    const sink: StreamSink = { bufferedBytes: 0, bind() {}, write: () => true, close() {} };
    const stream = createEventStream(sink, { heartbeat: false });
    expect(() => stream.send('big', 'x'.repeat(2 * 1024 * 1024))).toThrow(
      expect.objectContaining({ code: 'event-too-large' }),
    );
    stream.close();
  });
});

describe('#10.6 an id can never brick a client', () => {
  it.each([
    ['a control character', 'a\u0007b'],
    ['a leading space', ' a'],
    ['2,000 characters', 'i'.repeat(2000)],
  ])('the server refuses an id with %s', (_, id) => {
    const sink: StreamSink = { bufferedBytes: 0, bind() {}, write: () => true, close() {} };
    const stream = createEventStream(sink, { heartbeat: false });
    expect(() => stream.send('m', 'x', { id })).toThrow(
      expect.objectContaining({ code: 'invalid-field' }),
    );
    stream.close();
  });

  /** A hand-rolled server that sends `firstId` on its first stream, then plain events. */
  async function rawServer(firstId: string, options: { maxHeaderSize?: number } = {}) {
    const seen: (string | undefined)[] = [];
    const server = createServer(options, (req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (seen.length === 1) res.end(`retry: 10\nid: ${firstId}\ndata: "first"\n\n`);
      else res.write(`id: ok-${seen.length}\ndata: "again"\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
  }

  it('a control character in an id: reported, reconnects without it, surfaced as a reset', async () => {
    const { url, seen } = await rawServer('bad\u0001id');
    const c = client(url, { events: undefined });
    await until(c.stream, () => c.got.length >= 2, 'an event after reconnecting');
    expect(seen).toEqual([undefined, undefined]);
    expect(c.errors.map((e) => e.code)).toContain('invalid-field');
    expect(c.resets).toEqual([{ reason: 'unsendable-id', lastEventId: 'bad\u0001id' }]);
    expect(c.stream.status.state).toBe('open');
  });

  it('an id the server refuses with 431 is dropped and the client carries on', async () => {
    const longId = 'L'.repeat(3000);
    const { url, seen } = await rawServer(longId, { maxHeaderSize: 2048 });
    const c = client(url, { events: undefined });
    await until(c.stream, () => c.got.length >= 2, 'an event after the 431');
    // the attempt that sent the id was answered 431 before the handler ran
    expect(seen).toEqual([undefined, undefined]);
    expect(c.errors.some((e) => (e as { status?: number }).status === 431)).toBe(true);
    expect(c.resets).toEqual([{ reason: 'unsendable-id', lastEventId: longId }]);
  });
});

describe('#10.7 control events cannot be forged', () => {
  it('refuses the ssekit. prefix in publish, send and defineEvents', async () => {
    const hub = createHub({ heartbeat: false });
    cleanup.push(() => hub.close());
    await expect(
      hub.publish('ssekit.reset', { reason: 'epoch', lastEventId: 'x' }),
    ).rejects.toMatchObject({ code: 'invalid-field' });
    const sink: StreamSink = { bufferedBytes: 0, bind() {}, write: () => true, close() {} };
    const stream = createEventStream(sink, { heartbeat: false });
    expect(() => stream.send('ssekit.reset', {})).toThrow(
      expect.objectContaining({ code: 'invalid-field' }),
    );
    stream.close();
    expect(() => defineEvents({ 'ssekit.reset': type<unknown>() })).toThrow(
      expect.objectContaining({ code: 'invalid-field' }),
    );
  });

  it('a client sees no reset when the app tries to publish one', async () => {
    const hub = createHub({ heartbeat: false, onError: () => {} });
    const { url } = await serve('node', hub);
    const c = client(url, { events: undefined });
    await opened(c);
    await hub.publish('ssekit.reset', {}).catch(() => {});
    const after = await hub.publish('m', 'after');
    await until(c.stream, () => c.got.length === 1, 'the next event');
    expect(c.got[0]?.id).toBe(after);
    expect(c.resets).toEqual([]);
  });
});

describe('#10.8 targeting fails closed', () => {
  it.each([
    ['to: undefined', { to: undefined }],
    ['to: ""', { to: '' }],
    ['to: []', { to: [] }],
    ['to: [""]', { to: [''] }],
    ['to: null', { to: null }],
    ['topic: undefined', { topic: undefined }],
    ['topic: ""', { topic: '' }],
    ['to with topic: undefined', { to: 'u1', topic: undefined }],
  ])('refuses %s and no connection receives anything', async (_, target) => {
    const hub = hubOf();
    const { url } = await serve('node', hub);
    const alice = client(url, { headers: { 'x-user': 'u1' } });
    const bob = client(url, { headers: { 'x-user': 'u2' } });
    await Promise.all([opened(alice), opened(bob)]);
    await expect(hub.publish('m', 'balance: 1,000,000', target as never)).rejects.toMatchObject({
      code: 'invalid-target',
    });
    const fence = await hub.publish('m', 'fence');
    await until(alice.stream, () => alice.got.length >= 1, 'the fence');
    await until(bob.stream, () => bob.got.length >= 1, 'the fence');
    expect(alice.got.map((e) => e.id)).toEqual([fence]);
    expect(bob.got.map((e) => e.id)).toEqual([fence]);
  });

  it('still broadcasts when the caller passes no target', async () => {
    const hub = hubOf();
    cleanup.push(() => hub.close());
    await expect(hub.publish('m', 'all')).resolves.toBeTypeOf('string');
    await expect(hub.publish('m', 'all', {})).resolves.toBeTypeOf('string');
  });
});

describe('#10.9 publish never throws synchronously', () => {
  it('rejects for a closed hub, a bad name, a bad target and a bad payload', async () => {
    const hub = createHub({ events, heartbeat: false });
    const failures = [
      () => hub.publish('nope' as never, 1 as never),
      () => hub.publish('m', undefined as never),
      () => hub.publish('m', 'x', { to: undefined as never }),
    ];
    for (const call of failures) {
      let promise: Promise<string> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(Error);
    }
    await hub.close();
    const closed = vi.fn();
    expect(() => hub.publish('m', 'x').catch(closed)).not.toThrow();
    await vi.waitFor(() =>
      expect(closed).toHaveBeenCalledWith(expect.objectContaining({ code: 'closed' })),
    );
  });
});

describe('#10.10 anonymous connections are capped too', () => {
  it.each(['node', 'express'] as const)(
    'caps anonymous streams per address on %s',
    async (adapter) => {
      const hub = hubOf({ limits: { maxConnectionsPerUser: 2 } });
      const { url } = await serve(adapter, hub);
      const statuses: number[] = [];
      const open: AbortController[] = [];
      for (let i = 0; i < 20; i++) {
        const controller = new AbortController();
        open.push(controller);
        const res = await fetch(url, { signal: controller.signal });
        statuses.push(res.status);
        if (res.status !== 200) await res.text();
      }
      cleanup.push(() => {
        for (const c of open) c.abort();
      });
      expect(statuses.filter((s) => s === 200)).toHaveLength(2);
      expect(statuses.filter((s) => s === 429)).toHaveLength(18);
      // a logged-in user has its own budget
      const user = await fetch(url, { headers: { 'x-user': 'u1' }, signal: open[0]!.signal });
      expect(user.status).toBe(200);
    },
  );

  it('on Fetch hosts, keys by the address option, or one shared budget without it', async () => {
    for (const [address, accepted] of [
      [(req: Request) => req.headers.get('x-test-address') ?? undefined, 4],
      [undefined, 2],
    ] as const) {
      const hub = hubOf({ limits: { maxConnectionsPerUser: 2 } });
      const sse = createFetchHandler({ hub, ...(address && { address }) });
      const statuses: number[] = [];
      const controller = new AbortController();
      for (const from of ['1.1.1.1', '2.2.2.2']) {
        for (let i = 0; i < 3; i++) {
          const res = await sse(
            new Request('http://local/events', {
              headers: { 'x-test-address': from },
              signal: controller.signal,
            }),
          );
          statuses.push(res.status);
        }
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(accepted);
      controller.abort();
      await hub.close();
    }
  });
});

describe('#10.11 unknown event names cost the client nothing that grows', () => {
  it('warns about at most 64 distinct names, however many arrive', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let body = '';
      for (let i = 0; i < 5000; i++) body += `event: unknown-${i}\ndata: 1\n\n`;
      res.write(`${body}event: m\ndata: "known"\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const c = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await until(c.stream, () => c.got.length === 1, 'the known event');
    expect(c.got[0]?.data).toBe('known');
    expect(warn.mock.calls.length).toBeLessThanOrEqual(64);
    expect(warn.mock.calls.length).toBeGreaterThan(0);
  });
});
