import { serve as honoServe } from '@hono/node-server';
import { defineEvents, type } from '@ssekit/core';
import { createTestServer, listen, readSse } from '@ssekit/test-utils';
import compression from 'compression';
import { EventSource } from 'eventsource';
import express5 from 'express';
import express4 from 'express4';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createExpressHandler } from '../src/adapters/express';
import { createFetchHandler } from '../src/adapters/fetch';
import { createNodeHandler } from '../src/adapters/node';
import { type EventStreamWriter, type HandlerOptions, refuse } from '../src/index';
import { SAMPLE_EVENTS, untilClosed } from './fixtures';

const events = defineEvents({
  notification: type<{ id: string; title: string; unread: number }>(),
  'sync.progress': type<{ page: number; totalPages: number }>(),
});

type Options = HandlerOptions<any, typeof events>;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Each host, serving one handler at `/events` on 127.0.0.1; returns the URL. */
const hosts: [string, (options: Options) => Promise<string>][] = [
  [
    'node:http',
    async (options) => {
      const server = await createTestServer(createNodeHandler(options));
      cleanup.push(() => server.close());
      return `${server.url}/events`;
    },
  ],
  ...(
    [
      ['Express 4 + compression()', express4],
      ['Express 5 + compression()', express5],
    ] as const
  ).map(
    ([name, express]) =>
      [
        name,
        async (options: Options) => {
          const app = express();
          app.use(compression());
          app.get('/events', createExpressHandler(options));
          const server = await listen(app.listen(0, '127.0.0.1'));
          cleanup.push(() => server.close());
          return `${server.url}/events`;
        },
      ] as [string, (options: Options) => Promise<string>],
  ),
  [
    'Hono on @hono/node-server',
    async (options) => {
      const handler = createFetchHandler(options);
      const app = new Hono();
      app.get('/events', (c) => handler(c.req.raw));
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
      return `http://127.0.0.1:${(server.address() as { port: number }).port}/events`;
    },
  ],
];

describe.each(hosts)('%s', (_host, serve) => {
  const keepOpen = (stream: EventStreamWriter<typeof events>) => untilClosed(stream);

  it('answers 200 with the exact SSE headers', async () => {
    const sse = await readSse(await serve({ events, onStream: keepOpen }));
    cleanup.push(() => sse.close());
    const headers = sse.response.headers;
    expect(sse.response.status).toBe(200);
    expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(headers.get('x-accel-buffering')).toBe('no');
    expect(headers.get('connection')).toBe('keep-alive');
    expect(headers.get('content-encoding')).toBeNull();
  });

  it('sends the first bytes before any event', async () => {
    const sse = await readSse(await serve({ events, retry: 2500, onStream: keepOpen }));
    cleanup.push(() => sse.close());
    await sse.until((r) => r.text.length > 0);
    expect(sse.text).toBe('retry: 2500\n: ssekit heartbeat=15000\n\n');
  });

  it('frames parse to the same events with eventsource-parser and the eventsource package', async () => {
    const url = await serve({
      events,
      onStream: (stream) => {
        for (const e of SAMPLE_EVENTS) stream.send(e.type, e.data as never, { id: e.id });
        return untilClosed(stream);
      },
    });
    const sse = await readSse(url);
    cleanup.push(() => sse.close());
    const parsed = await sse.untilEvents(SAMPLE_EVENTS.length);
    const es = new EventSource(url);
    cleanup.push(() => es.close());
    const received: { type: string; data: string; id: string }[] = [];
    await new Promise<void>((resolve) => {
      for (const name of events.names) {
        es.addEventListener(name, (e) => {
          received.push({ type: e.type, data: e.data, id: e.lastEventId });
          if (received.length === SAMPLE_EVENTS.length) resolve();
        });
      }
    });
    expect(parsed.map((e) => ({ type: e.event, data: e.data }))).toEqual(
      received.map(({ type, data }) => ({ type, data })),
    );
    expect(parsed.map((e) => e.id ?? '')).toEqual(received.map((e) => e.id));
    expect(received.map((e) => JSON.parse(e.data))).toEqual(SAMPLE_EVENTS.map((e) => e.data));
  });

  it('sends a heartbeat comment at each 15 s interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const sse = await readSse(await serve({ events, onStream: keepOpen }));
    cleanup.push(() => sse.close());
    await sse.until((r) => r.retries.length === 1);
    // The first frame announces the interval (a comment), then one empty comment per beat.
    expect(sse.comments).toEqual(['ssekit heartbeat=15000']);
    await vi.advanceTimersByTimeAsync(14_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sse.comments).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await sse.until((r) => r.comments.length === 2);
    await vi.advanceTimersByTimeAsync(15_000);
    await sse.until((r) => r.comments.length === 3);
  });

  it('aborts the signal and releases the heartbeat timer when the client disconnects', async () => {
    // Only intervals are faked, so the count is exactly the heartbeat timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let opened: EventStreamWriter<typeof events> | undefined;
    const url = await serve({
      events,
      heartbeat: 12_345,
      onStream: (stream) => {
        opened = stream;
        return untilClosed(stream);
      },
    });
    expect(vi.getTimerCount()).toBe(0);
    const sse = await readSse(url);
    await sse.until((r) => r.retries.length === 1);
    expect(vi.getTimerCount()).toBe(1);
    sse.close();
    await untilClosed(opened!);
    expect(opened!.signal.reason).toMatchObject({ code: 'closed' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses with 401 or 403 and a plain body, and opens no stream', async () => {
    const onStream = vi.fn();
    const url = await serve({
      events,
      authenticate: (req: any) => {
        const auth = req.headers.get?.('authorization') ?? req.headers.authorization;
        return auth ? refuse(403, 'Forbidden') : null;
      },
      onStream,
    });
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await anonymous.text()).toBe('Unauthorized');
    const forbidden = await fetch(url, { headers: { authorization: 'x' } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toBe('Forbidden');
    expect(onStream).not.toHaveBeenCalled();
  });
});
