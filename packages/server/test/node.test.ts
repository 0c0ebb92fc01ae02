import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createHttp2Server, connect as http2Connect } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { connect as netConnect, type Socket } from 'node:net';
import { defineEvents, isSsekitError, type } from '@ssekit/core';
import { createTestServer, readSse, type TestServer } from '@ssekit/test-utils';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeHandler, createNodeStream, refuse } from '../src/adapters/node';
import type { EventStreamWriter } from '../src/index';
import { SAMPLE_EVENTS, tick, untilClosed } from './fixtures';

const events = defineEvents({
  notification: type<{ id: string; title: string; unread: number }>(),
  'sync.progress': type<{ page: number; totalPages: number }>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serve(handler: Parameters<typeof createTestServer>[0]): Promise<TestServer> {
  const server = await createTestServer(handler);
  cleanup.push(() => server.close());
  return server;
}

/** GET with node:http, resolving with the response once headers are in. */
function get(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, resolve);
    req.on('error', reject);
    req.end();
    cleanup.push(() => req.destroy());
  });
}

function firstChunk(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
}

describe('createNodeStream on node:http', () => {
  it('answers 200 with the exact SSE headers, keep-alive on HTTP/1.1', async () => {
    const server = await serve((req, res) => void createNodeStream(req, res));
    const res = await get(server.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    expect(res.headers.connection).toBe('keep-alive');
    expect(res.headers['x-accel-buffering']).toBe('no');
  });

  it('sends the first bytes before any event', async () => {
    const server = await serve((req, res) => void createNodeStream(req, res, { retry: 1500 }));
    const res = await get(server.url);
    expect(await firstChunk(res)).toBe('retry: 1500\n: ssekit heartbeat=15000\n\n');
  });

  it('frames parse to the same events with eventsource-parser and the eventsource package', async () => {
    const server = await serve((req, res) => {
      const stream = createNodeStream(req, res, { events });
      for (const e of SAMPLE_EVENTS) stream.send(e.type, e.data as never, { id: e.id });
    });
    const expected = SAMPLE_EVENTS.map((e) => ({ type: e.type, data: JSON.stringify(e.data) }));

    const sse = await readSse(server.url);
    cleanup.push(() => sse.close());
    const parsed = await sse.untilEvents(SAMPLE_EVENTS.length);
    expect(parsed.map((e) => ({ type: e.event, data: e.data }))).toEqual(expected);
    expect(parsed.map((e) => e.id)).toEqual(['1', '2', '3', undefined]);

    const es = new EventSource(server.url);
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
    expect(received.map(({ type, data }) => ({ type, data }))).toEqual(expected);
    // eventsource@4 reports '' for an event without id (the spec would repeat the last id).
    expect(received.map((e) => e.id)).toEqual(['1', '2', '3', '']);
    expect(received.map((e) => JSON.parse(e.data))).toEqual(SAMPLE_EVENTS.map((e) => e.data));
  });

  it('sends a heartbeat comment at each interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const server = await serve((req, res) => void createNodeStream(req, res));
    const sse = await readSse(server.url);
    cleanup.push(() => sse.close());
    await sse.until((r) => r.retries.length === 1);
    // The first frame announces the interval (a comment), then one empty comment per beat.
    expect(sse.comments).toEqual(['ssekit heartbeat=15000']);
    await vi.advanceTimersByTimeAsync(14_999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sse.comments).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await sse.until((r) => r.comments.length === 2);
    await vi.advanceTimersByTimeAsync(30_000);
    await sse.until((r) => r.comments.length === 4);
    expect(sse.events).toHaveLength(0);
  });

  it('aborts the signal and releases the heartbeat timer when the client disconnects', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let stream: EventStreamWriter | undefined;
    const server = await serve((req, res) => {
      stream = createNodeStream(req, res, { heartbeat: 12_345 });
    });
    const sse = await readSse(server.url);
    await sse.until((r) => r.retries.length === 1);
    expect(vi.getTimerCount()).toBe(1);
    const closed = untilClosed(stream!);
    sse.close();
    await closed;
    expect(isSsekitError(stream!.signal.reason, 'closed')).toBe(true);
    expect(stream!.send('notification', {})).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createNodeStream when the app ends the response itself', () => {
  it('closes the stream instead of crashing on the write-after-end error', async () => {
    let stream: EventStreamWriter | undefined;
    const server = await serve((req, res) => {
      stream = createNodeStream(req, res, { heartbeat: false });
      res.end();
      stream.comment('late');
    });
    const res = await get(server.url);
    res.resume();
    await new Promise((resolve) => res.on('end', resolve));
    await untilClosed(stream!);
    expect(stream!.comment('later')).toBe(false);
  });
});

describe('createNodeHandler', () => {
  it('refuses with 401 and a plain body when authenticate returns nothing', async () => {
    const onStream = vi.fn();
    const server = await serve(createNodeHandler({ authenticate: () => null, onStream }));
    const res = await fetch(server.url);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('Unauthorized');
    expect(onStream).not.toHaveBeenCalled();
  });

  it('refuses with 403 when authenticate says so', async () => {
    const onStream = vi.fn();
    const server = await serve(
      createNodeHandler({
        authenticate: async () => refuse(403, 'Not your tenant'),
        onStream,
      }),
    );
    const res = await fetch(server.url);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Not your tenant');
    expect(onStream).not.toHaveBeenCalled();
  });

  it('answers 500 and reports the error when authenticate throws', async () => {
    const onError = vi.fn();
    const server = await serve(
      createNodeHandler({
        authenticate: () => {
          throw new Error('db down');
        },
        onStream: vi.fn(),
        onError,
      }),
    );
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'db down' }));
  });

  it('passes requested topics and Last-Event-ID to authenticate and the granted identity to onStream', async () => {
    const seen: unknown[] = [];
    const server = await serve(
      createNodeHandler({
        events,
        authenticate: (_req, { topics, lastEventId }) => {
          seen.push({ topics, lastEventId });
          return { userId: 'u1', topics: topics.filter((t) => t !== 'admin') };
        },
        onStream: (stream, { userId, granted }) => {
          stream.send('notification', { id: userId ?? '', title: granted.join(','), unread: 0 });
        },
      }),
    );
    const sse = await readSse(`${server.url}/?topic=a&topic=admin&topic=b`, {
      headers: { 'Last-Event-ID': '42' },
    });
    cleanup.push(() => sse.close());
    const [event] = await sse.untilEvents(1);
    expect(seen).toEqual([{ topics: ['a', 'admin', 'b'], lastEventId: '42' }]);
    expect(JSON.parse(event!.data)).toEqual({ id: 'u1', title: 'a,b', unread: 0 });
    // the stand-alone stream ends when onStream returns
    await sse.until((r) => r.ended);
  });

  it('throws at construction without onStream', () => {
    expect(() => createNodeHandler({} as never)).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
  });
});

describe('bytes on the wire over node:http', () => {
  /** A raw request; resolves with every byte the server sent once it ends the connection. */
  async function rawExchange(server: TestServer, version: '1.0' | '1.1'): Promise<string> {
    const { port } = new URL(server.url);
    const socket = netConnect(Number(port), '127.0.0.1');
    cleanup.push(() => socket.destroy());
    let got = '';
    const done = new Promise((resolve) => {
      socket.once('end', resolve);
      socket.on('data', (chunk: Buffer) => {
        got += chunk.toString('latin1');
        // HTTP/1.1 keeps the connection open after the last chunk (keep-alive).
        if (got.endsWith('\r\n0\r\n\r\n')) resolve(undefined);
      });
    });
    socket.write(`GET / HTTP/${version}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    await done;
    return got;
  }

  const serveTwoEvents = () =>
    serve((req, res) => {
      const stream = createNodeStream(req, res, { events, heartbeat: false });
      stream.send('sync.progress', { page: 1, totalPages: 2 }, { id: '1' });
      setTimeout(() => {
        stream.send('sync.progress', { page: 2, totalPages: 2 }, { id: '2' });
        stream.close();
      }, 10);
    });
  const body =
    'retry: 3000\n\n' +
    'event: sync.progress\nid: 1\ndata: {"page":1,"totalPages":2}\n\n' +
    'event: sync.progress\nid: 2\ndata: {"page":2,"totalPages":2}\n\n';

  it('frames HTTP/1.1 chunks exactly, each frame whole in its chunk, and ends with the last chunk', async () => {
    const got = await rawExchange(await serveTwoEvents(), '1.1');
    const [head, rest] = [
      got.slice(0, got.indexOf('\r\n\r\n')),
      got.slice(got.indexOf('\r\n\r\n') + 4),
    ];
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    // Decode the chunked body by hand: every size line must match its data exactly.
    const chunks: string[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      const size = Number.parseInt(rest.slice(at, eol), 16);
      expect(rest.slice(at, eol)).toMatch(/^[0-9a-f]+$/);
      if (size === 0) {
        expect(rest.slice(eol)).toBe('\r\n\r\n');
        break;
      }
      chunks.push(rest.slice(eol + 2, eol + 2 + size));
      expect(rest.slice(eol + 2 + size, eol + 4 + size)).toBe('\r\n');
      at = eol + 4 + size;
    }
    expect(chunks.join('')).toBe(body);
    for (const chunk of chunks) expect(chunk.endsWith('\n\n')).toBe(true);
  });

  it('sends an HTTP/1.0 body unframed, ended by closing the connection', async () => {
    const got = await rawExchange(await serveTwoEvents(), '1.0');
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(got.toLowerCase()).not.toContain('transfer-encoding');
    expect(got.slice(got.indexOf('\r\n\r\n') + 4)).toBe(body);
  });
});

describe('slow readers on node:http', () => {
  /** A raw client that sends the request, reads the head, then stops reading. */
  async function stalledClient(server: TestServer): Promise<Socket> {
    const { port } = new URL(server.url);
    const socket = netConnect(Number(port), '127.0.0.1');
    cleanup.push(() => socket.destroy());
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    return socket;
  }

  it('reports backpressure instead of buffering without bound, and drains when the client reads', async () => {
    let stream: EventStreamWriter | undefined;
    const server = await serve((req, res) => {
      stream = createNodeStream(req, res, { heartbeat: false, maxBufferedBytes: Infinity });
    });
    const socket = await stalledClient(server);
    const frame = 'x'.repeat(64 * 1024);
    let written = 0;
    while (!stream!.backpressure) {
      stream!.comment(frame);
      written += frame.length;
      await tick();
      expect(written).toBeLessThan(256 * 1024 * 1024); // the kernel buffers are finite
    }
    const buffered = stream!.bufferedBytes;
    expect(buffered).toBeGreaterThan(0);
    let drained: boolean | undefined;
    void stream!.drain().then((ok) => {
      drained = ok;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(drained).toBeUndefined();
    socket.resume();
    await vi.waitFor(() => expect(drained).toBe(true));
    expect(stream!.backpressure).toBe(false);
  });

  it('closes a stalled reader once unsent bytes pass four times maxBufferedBytes', async () => {
    let stream: EventStreamWriter | undefined;
    const server = await serve((req, res) => {
      stream = createNodeStream(req, res, { heartbeat: false, maxBufferedBytes: 256 * 1024 });
    });
    await stalledClient(server);
    const frame = 'x'.repeat(32 * 1024);
    let maxBuffered = 0;
    while (!stream!.closed) {
      stream!.comment(frame);
      await tick();
      maxBuffered = Math.max(maxBuffered, stream!.bufferedBytes);
    }
    expect(isSsekitError(stream!.signal.reason, 'buffer-overflow')).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(4 * 256 * 1024 + frame.length + 16);
  });
});

describe('node:http2 compatibility API', () => {
  it('streams without the Connection header, which HTTP/2 forbids', async () => {
    const server = createHttp2Server(
      createNodeHandler({ events, onStream: (stream) => untilClosed(stream) }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = http2Connect(`http://127.0.0.1:${port}`);
    cleanup.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => client.destroy(),
    );
    const req = client.request({ ':path': '/' });
    const headers = await new Promise<Record<string, unknown>>((resolve) =>
      req.once('response', resolve),
    );
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers.connection).toBeUndefined();
    const first = await new Promise<string>((resolve) =>
      req.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    expect(first).toBe('retry: 3000\n: ssekit heartbeat=15000\n\n');
    req.close();
  });
});
