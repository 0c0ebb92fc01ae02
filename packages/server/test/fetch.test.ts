import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve as honoServe } from '@hono/node-server';
import { defineEvents, encodeComment, isSsekitError, type } from '@ssekit/core';
import { readSse } from '@ssekit/test-utils';
import { EventSource } from 'eventsource';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createFetchHandler,
  createFetchStream,
  type EventStreamWriter,
  refuse,
} from '../src/adapters/fetch';
import { createHub } from '../src/index';
import { SAMPLE_EVENTS, tick, untilClosed } from './fixtures';

const events = defineEvents({
  notification: type<{ id: string; title: string; unread: number }>(),
  'sync.progress': type<{ page: number; totalPages: number }>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const decoder = new TextDecoder();

/** Read `response.body` directly, without a server. */
function bodyReader(response: Response) {
  const reader = response.body!.getReader();
  const parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => parsed.push(e) });
  return {
    parsed,
    reader,
    async read(): Promise<string | undefined> {
      const { value, done } = await reader.read();
      if (done) return undefined;
      const text = decoder.decode(value);
      parser.feed(text);
      return text;
    },
  };
}

describe('createFetchStream, consumed through response.body without a server', () => {
  it('returns a 200 Response with the SSE headers and no Connection header', () => {
    const { stream, response } = createFetchStream(new Request('http://local/events'));
    cleanup.push(() => stream.close());
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
  });

  it('has the first frame ready before any event and delivers typed events in order', async () => {
    const request = new Request('http://local/events', { headers: { 'Last-Event-ID': 'e-5' } });
    const { stream, response } = createFetchStream(request, { events });
    expect(stream.lastEventId).toBe('e-5');
    const body = bodyReader(response);
    expect(await body.read()).toBe('retry: 3000\n: ssekit heartbeat=15000\n\n');
    for (const e of SAMPLE_EVENTS) stream.send(e.type, e.data as never, { id: e.id });
    stream.close();
    while ((await body.read()) !== undefined);
    expect(body.parsed.map((e) => [e.event, JSON.parse(e.data), e.id])).toEqual(
      SAMPLE_EVENTS.map((e) => [e.type, e.data, e.id]),
    );
  });

  it('aborts the signal when the reader cancels the body', async () => {
    const { stream, response } = createFetchStream(new Request('http://local/'));
    await response.body!.cancel();
    expect(stream.signal.aborted).toBe(true);
    expect(isSsekitError(stream.signal.reason, 'closed')).toBe(true);
    expect(stream.send('x', 1)).toBe(false);
  });

  it('closes when request.signal aborts', async () => {
    const controller = new AbortController();
    const request = new Request('http://local/', { signal: controller.signal });
    const { stream, response } = createFetchStream(request, { heartbeat: false });
    const body = bodyReader(response);
    await body.read();
    controller.abort();
    expect(stream.closed).toBe(true);
    expect(await body.read()).toBeUndefined(); // the body ends too
  });

  it("uses the stream's desiredSize for backpressure while the body is not read", async () => {
    const { stream, response } = createFetchStream(new Request('http://local/'), {
      heartbeat: false,
      highWaterMark: 4096,
      maxBufferedBytes: Infinity,
    });
    const frame = 'x'.repeat(1000);
    while (!stream.backpressure) {
      stream.comment(frame);
      await tick();
    }
    expect(stream.bufferedBytes).toBeGreaterThanOrEqual(4096);
    let drained: boolean | undefined;
    void stream.drain().then((ok) => {
      drained = ok;
    });
    await tick();
    expect(drained).toBeUndefined();
    const body = bodyReader(response);
    while (drained === undefined) {
      await body.read();
      await tick();
    }
    expect(drained).toBe(true);
    stream.close();
  });

  it('errors the body and closes the stream when unread bytes pass maxBufferedBytes', async () => {
    const { stream, response } = createFetchStream(new Request('http://local/'), {
      heartbeat: false,
      maxBufferedBytes: 10_000,
    });
    // Nobody reads: past 4 × maxBufferedBytes the stream is closed at once.
    for (let i = 0; i < 60 && !stream.closed; i++) {
      stream.comment('y'.repeat(1000));
      await tick();
    }
    expect(stream.closed).toBe(true);
    expect(isSsekitError(stream.signal.reason, 'buffer-overflow')).toBe(true);
    await expect(response.body!.getReader().read()).rejects.toMatchObject({
      code: 'buffer-overflow',
    });
  });
});

describe('createFetchHandler', () => {
  it('answers a refusal with its status and a plain body, and no stream', async () => {
    const onStream = vi.fn();
    const handler = createFetchHandler({
      authenticate: (request) =>
        request.headers.get('authorization') === null ? undefined : refuse(403),
      onStream,
    });
    const anonymous = await handler(new Request('http://local/'));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await anonymous.text()).toBe('Unauthorized');
    const forbidden = await handler(
      new Request('http://local/', { headers: { Authorization: 'x' } }),
    );
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toBe('Forbidden');
    expect(onStream).not.toHaveBeenCalled();
  });

  it('answers 500 when authenticate throws', async () => {
    const onError = vi.fn();
    const handler = createFetchHandler({
      authenticate: () => {
        throw new Error('nope');
      },
      onStream: vi.fn(),
      onError,
    });
    expect((await handler(new Request('http://local/'))).status).toBe(500);
    expect(onError).toHaveBeenCalledOnce();
  });

  it("rethrows the host's prerender bail-out from reading request.url, unreported", async () => {
    // What Next.js 16 throws when a prerender (cacheComponents) reads the request.
    const bailout = Object.assign(
      new Error('Route /api/events needs to bail out of prerendering'),
      {
        digest: 'NEXT_PRERENDER_INTERRUPTED',
      },
    );
    const request = new Request('http://local/');
    Object.defineProperty(request, 'url', {
      get() {
        throw bailout;
      },
    });
    const hub = createHub({ events, heartbeat: false });
    cleanup.push(() => hub.close());
    const onError = vi.fn();
    const handler = createFetchHandler({ hub, onError });
    await expect(handler(request)).rejects.toBe(bailout);
    expect(onError).not.toHaveBeenCalled();
  });

  it('rethrows control-flow errors from authenticate (a digest, a cause, a postpone), unreported', async () => {
    const redirect = Object.assign(new Error('NEXT_REDIRECT'), {
      digest: 'NEXT_REDIRECT;replace;/login;307;',
    });
    const dynamicUsage = Object.assign(new Error('Dynamic server usage: headers'), {
      digest: 'DYNAMIC_SERVER_USAGE',
    });
    const postpone = { $$typeof: Symbol.for('react.postpone'), message: 'postponed' };
    const cases: [thrown: unknown, rethrown: unknown][] = [
      [redirect, redirect],
      [new Error('session lookup failed', { cause: dynamicUsage }), dynamicUsage],
      [postpone, postpone],
    ];
    for (const [thrown, rethrown] of cases) {
      const hub = createHub({ events, heartbeat: false });
      cleanup.push(() => hub.close());
      const onError = vi.fn();
      const handler = createFetchHandler({
        hub,
        authenticate: () => {
          throw thrown;
        },
        onError,
      });
      await expect(handler(new Request('http://local/'))).rejects.toBe(rethrown);
      expect(onError).not.toHaveBeenCalled();
      expect(hub.stats().connections).toBe(0);
    }
  });

  it('with a hub, keeps the stream open after onStream and delivers hub events', async () => {
    const hub = createHub({ events, heartbeat: false });
    cleanup.push(() => hub.close());
    const handler = createFetchHandler({
      hub,
      authenticate: () => ({ userId: 'ana' }),
      onStream: (stream, { userId }) => {
        stream.send('notification', { id: 'welcome', title: userId ?? '', unread: 0 });
      },
    });
    const response = await handler(new Request('http://local/'));
    const body = bodyReader(response);
    await body.read();
    await hub.publish('sync.progress', { page: 1, totalPages: 2 }, { to: 'ana' });
    while (body.parsed.length < 2) await body.read();
    expect(body.parsed.map((e) => [e.event, JSON.parse(e.data)])).toEqual([
      ['notification', { id: 'welcome', title: 'ana', unread: 0 }],
      ['sync.progress', { page: 1, totalPages: 2 }],
    ]);
    expect(hub.stats().connections).toBe(1);
    await body.reader.cancel();
    expect(hub.stats().connections).toBe(0);
  });

  it('ends the stand-alone stream when onStream resolves', async () => {
    const handler = createFetchHandler({
      events,
      onStream: async (stream) => {
        stream.send('sync.progress', { page: 1, totalPages: 1 });
      },
    });
    const response = await handler(new Request('http://local/?topic=a'));
    const body = bodyReader(response);
    while ((await body.read()) !== undefined);
    expect(body.parsed.map((e) => e.event)).toEqual(['sync.progress']);
  });
});

describe('in Hono on @hono/node-server', () => {
  async function serveHono(app: Hono): Promise<string> {
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
    const address = server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  it('streams the same events to eventsource-parser and the eventsource package', async () => {
    const app = new Hono();
    const sse = createFetchHandler({
      events,
      onStream: (stream) => {
        for (const e of SAMPLE_EVENTS) stream.send(e.type, e.data as never, { id: e.id });
        return untilClosed(stream);
      },
    });
    app.get('/events', (c) => sse(c.req.raw));
    const url = `${await serveHono(app)}/events`;

    const reader = await readSse(url);
    cleanup.push(() => reader.close());
    expect(reader.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(reader.response.headers.get('x-accel-buffering')).toBe('no');
    const parsed = await reader.untilEvents(SAMPLE_EVENTS.length);

    const es = new EventSource(url);
    cleanup.push(() => es.close());
    const received: { type: string; data: string }[] = [];
    await new Promise<void>((resolve) => {
      for (const name of events.names) {
        es.addEventListener(name, (e) => {
          received.push({ type: e.type, data: e.data });
          if (received.length === SAMPLE_EVENTS.length) resolve();
        });
      }
    });
    expect(parsed.map((e) => ({ type: e.event, data: e.data }))).toEqual(received);
    expect(received.map((e) => JSON.parse(e.data))).toEqual(SAMPLE_EVENTS.map((e) => e.data));
  });

  it('sends the first bytes at once and heartbeats at the interval', async () => {
    const app = new Hono();
    app.get('/events', (c) => createFetchStream(c.req.raw, { heartbeat: 30 }).response);
    const reader = await readSse(`${await serveHono(app)}/events`);
    cleanup.push(() => reader.close());
    await reader.until((r) => r.retries.length === 1);
    await reader.until((r) => r.comments.length >= 3);
    expect(reader.text.startsWith(`retry: 3000\n: ssekit heartbeat=30\n\n${encodeComment()}`)).toBe(
      true,
    );
    expect(reader.events).toHaveLength(0);
  });

  it('aborts the signal when the client disconnects', async () => {
    let opened: EventStreamWriter | undefined;
    const app = new Hono();
    app.get('/events', (c) => {
      const { stream, response } = createFetchStream(c.req.raw);
      opened = stream;
      return response;
    });
    const reader = await readSse(`${await serveHono(app)}/events`);
    await reader.until((r) => r.retries.length === 1);
    reader.close();
    await untilClosed(opened!);
    expect(opened!.closed).toBe(true);
  });

  it('refuses with 401 through Hono without opening a stream', async () => {
    const app = new Hono();
    const sse = createFetchHandler({ authenticate: () => false, onStream: vi.fn() });
    app.get('/events', (c) => sse(c.req.raw));
    const res = await fetch(`${await serveHono(app)}/events`);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('Unauthorized');
  });
});

describe('the fetch entry', () => {
  it('imports nothing from node: in its whole module graph', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // statements only (line-start import/export), not TSDoc examples
      for (const [, spec] of source.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)) {
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^node:/);
        if (spec!.startsWith('.')) visit(resolve(dirname(file), `${spec}.ts`));
      }
    };
    visit(resolve(root, 'adapters/fetch.ts'));
    expect(seen.size).toBeGreaterThan(3);
  });
});
