import type { ServerResponse } from 'node:http';
import { defineEvents, type } from '@ssekit/core';
import { listen, readSse, type TestServer } from '@ssekit/test-utils';
import compression from 'compression';
import express5 from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createExpressHandler,
  createExpressStream,
  type EventStreamWriter,
  refuse,
} from '../src/adapters/express';
import { untilClosed } from './fixtures';

const events = defineEvents({
  'sync.progress': type<{ page: number; totalPages: number }>(),
  'sync.complete': type<{ ok: boolean }>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/**
 * Test-only middleware: strip `no-transform` so `compression()` really gzips the stream. Then
 * events only arrive live if every write is flushed through `res.flush()`.
 */
function forceCompression(_req: unknown, res: ServerResponse, next: () => void) {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, headers?: any) {
    if (headers?.['Cache-Control']) headers = { ...headers, 'Cache-Control': 'no-cache' };
    return writeHead.call(this, status, headers);
  } as typeof res.writeHead;
  next();
}

const variants = [
  ['Express 4', express4],
  ['Express 5', express5],
] as const;

describe.each(variants)('%s', (_name, express) => {
  async function serve(setup: (app: ReturnType<typeof express>) => void): Promise<TestServer> {
    const app = express();
    setup(app);
    const server = await listen(app.listen(0, '127.0.0.1'));
    cleanup.push(() => server.close());
    return server;
  }

  it('streams with the exact SSE headers behind compression()', async () => {
    const server = await serve((app) => {
      app.use(compression());
      app.get('/events', (req, res) => void createExpressStream(req, res));
    });
    const sse = await readSse(`${server.url}/events`);
    cleanup.push(() => sse.close());
    expect(sse.response.status).toBe(200);
    expect(sse.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(sse.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(sse.response.headers.get('x-accel-buffering')).toBe('no');
    expect(sse.response.headers.get('connection')).toBe('keep-alive');
    // no-transform keeps compression() away from the stream
    expect(sse.response.headers.get('content-encoding')).toBeNull();
    await sse.until((r) => r.retries.length === 1);
  });

  it('delivers each event live even when compression() gzips the stream', async () => {
    let stream: EventStreamWriter<typeof events> | undefined;
    const server = await serve((app) => {
      app.use(compression({ threshold: 0 }));
      // after compression(), so its writeHead patch sees the header first
      app.use(forceCompression as never);
      app.get('/events', (req, res) => {
        stream = createExpressStream(req, res, { events });
      });
    });
    const sse = await readSse(`${server.url}/events`, { headers: { 'Accept-Encoding': 'gzip' } });
    cleanup.push(() => sse.close());
    expect(sse.response.headers.get('content-encoding')).toBe('gzip');
    await sse.until((r) => r.retries.length === 1);
    for (let page = 1; page <= 3; page++) {
      stream!.send('sync.progress', { page, totalPages: 3 });
      await sse.until((r) => r.events.length === page);
    }
    stream!.send('sync.complete', { ok: true });
    stream!.close();
    await sse.until((r) => r.ended);
    expect(sse.events.map((e) => e.event)).toEqual([
      'sync.progress',
      'sync.progress',
      'sync.progress',
      'sync.complete',
    ]);
  });

  it('refuses with 401/403 and a plain body from the handler, without a stream', async () => {
    const onStream = vi.fn();
    const server = await serve((app) => {
      app.use(compression());
      app.get(
        '/events',
        createExpressHandler({
          authenticate: (req) =>
            req.headers.authorization === undefined
              ? null
              : req.headers.authorization === 'Bearer ok'
                ? { userId: 'u1' }
                : refuse(403, 'Forbidden'),
          onStream,
        }),
      );
    });
    const anonymous = await fetch(`${server.url}/events`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await anonymous.text()).toBe('Unauthorized');
    const wrong = await fetch(`${server.url}/events`, { headers: { Authorization: 'Bearer no' } });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toBe('Forbidden');
    expect(onStream).not.toHaveBeenCalled();
  });

  it('opens the stream for an accepted client and aborts its signal on disconnect', async () => {
    let opened: EventStreamWriter | undefined;
    const server = await serve((app) => {
      app.get(
        '/events',
        createExpressHandler({
          events,
          authenticate: (req) =>
            req.headers.authorization === 'Bearer ok' ? { userId: 'u1' } : null,
          onStream: (stream, { userId }) => {
            opened = stream;
            stream.send('sync.complete', { ok: userId === 'u1' });
            return untilClosed(stream);
          },
        }),
      );
    });
    const sse = await readSse(`${server.url}/events`, {
      headers: { Authorization: 'Bearer ok' },
    });
    const [event] = await sse.untilEvents(1);
    expect(event).toMatchObject({ event: 'sync.complete', data: '{"ok":true}' });
    sse.close();
    await untilClosed(opened!);
    expect(opened!.closed).toBe(true);
  });

  it('hands authenticate the response, so it reads what earlier middleware left in res.locals', async () => {
    let context: { userId: string | undefined; locals: unknown } | undefined;
    const server = await serve((app) => {
      app.use((_req, res, next) => {
        res.locals.userId = 'ada';
        next();
      });
      app.get(
        '/events',
        createExpressHandler({
          events,
          authenticate: (_req, { res }) => ({ userId: res.locals.userId }),
          onStream: (stream, { userId, res }) => {
            context = { userId, locals: res.locals };
            stream.send('sync.complete', { ok: true });
          },
        }),
      );
    });
    const sse = await readSse(`${server.url}/events`);
    cleanup.push(() => sse.close());
    await sse.untilEvents(1);
    expect(context).toEqual({ userId: 'ada', locals: { userId: 'ada' } });
  });

  it('passes a throwing authenticate to next(err)', async () => {
    const server = await serve((app) => {
      app.get(
        '/events',
        createExpressHandler({
          authenticate: () => Promise.reject(new Error('boom')),
          onStream: vi.fn(),
        }),
      );
      app.use((err: Error, _req: unknown, res: ServerResponse, _next: unknown) => {
        res.statusCode = 502;
        res.end(`handled: ${err.message}`);
      });
    });
    const res = await fetch(`${server.url}/events`);
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('handled: boom');
  });
});
