/**
 * The node adapter over real `node:http2` servers (TLS, a throwaway certificate made by the test)
 * on 127.0.0.1, read by `node:http2` clients: many streams on one session, the headers HTTP/2
 * forbids, backpressure per stream, resets, the session's end, the peer address, and
 * `drainOnSignal` closing sessions with GOAWAY. The browser side (ten streams on one origin vs the
 * six-connection limit of HTTP/1.1) is packages/tests/test/http2-browser.test.ts.
 */

import {
  type ClientHttp2Session,
  connect as http2Connect,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { Agent, request as httpsRequest } from 'node:https';
import { defineEvents, isSsekitError, type SsekitError, type } from '@ssekit/core';
import {
  createTestHttp2Server,
  http2Fetch,
  readSse,
  type SseReader,
  type TestHttp2Server,
} from '@ssekit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHandler, createNodeStream, drainOnSignal, refuse } from '../src/adapters/node';
import { createHub, type EventStreamWriter, type Hub, type HubOptions } from '../src/index';
import { tick, untilClosed } from './fixtures';

const events = defineEvents({ tick: type<{ n: number; pad?: string }>() });

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const FAR = 60_000;
/** Headers RFC 9113 §8.2.2 forbids on HTTP/2. */
const FORBIDDEN = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

interface Setup {
  hub: Hub<typeof events>;
  server: TestHttp2Server;
  /** Every stream the hub opened, in order. */
  streams: EventStreamWriter<typeof events>[];
  /** `request.address` as `authenticate` saw it, per request. */
  addresses: (string | undefined)[];
  /** Sessions the server accepted. */
  sessions: number;
}

/** A hub behind `createNodeHandler` on an HTTP/2 server; other paths answer `ok`. */
async function hubServer(
  hubOptions: HubOptions<typeof events> = {},
  serverOptions: { allowHTTP1?: boolean } = {},
): Promise<Setup> {
  const hub = createHub({ events, heartbeat: false, retry: 20, ...hubOptions });
  const setup: Setup = { hub, server: undefined!, streams: [], addresses: [], sessions: 0 };
  const handler = createNodeHandler({
    hub,
    authenticate: (_req, { address }) => {
      setup.addresses.push(address);
      return {};
    },
    onStream: (stream) => void setup.streams.push(stream),
  });
  setup.server = await createTestHttp2Server((req, res) => {
    if (req.url.startsWith('/events')) void handler(req, res);
    else res.end('ok');
  }, serverOptions);
  setup.server.server.on('session', () => setup.sessions++);
  cleanup.push(
    () => setup.server.close(),
    () => hub.close(),
  );
  return setup;
}

/** One client session to `server`, with a large connection window, closed in cleanup. */
function session(server: TestHttp2Server): ClientHttp2Session {
  const client = http2Connect(server.url, { ca: server.cert });
  // A paused stream keeps its share of the connection window: with 64 KiB (the default) one
  // stalled stream would stall its siblings. Browsers open with megabytes.
  client.on('connect', () => client.setLocalWindowSize(16 * 1024 * 1024));
  client.on('error', () => {}); // a test that ends the session reads the outcome elsewhere
  cleanup.push(() => client.destroy());
  return client;
}

async function read(
  client: ClientHttp2Session,
  server: TestHttp2Server,
  path = '/events',
  headers: Record<string, string> = {},
): Promise<SseReader> {
  const reader = await readSse(`${server.url}${path}`, { headers }, http2Fetch(client));
  cleanup.push(() => reader.close());
  return reader;
}

/** Resolve once `predicate` holds, checked on every turn of the event loop. */
async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

/** Raw response headers of one request on `client`. */
function responseHeaders(client: ClientHttp2Session, path: string): Promise<IncomingHttpHeaders> {
  const req = client.request({ ':path': path });
  cleanup.push(() => req.close());
  return new Promise((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
}

describe('createNodeHandler on node:http2 (compatibility API, TLS)', () => {
  it('serves 100 streams on one session, each receiving every event in order', async () => {
    const setup = await hubServer();
    const { hub, server, addresses } = setup;
    const client = session(server);
    const readers = await Promise.all(Array.from({ length: 100 }, () => read(client, server)));
    expect(hub.stats().connections).toBe(100);

    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await hub.publish('tick', { n }));
    for (const reader of readers) {
      const got = await reader.untilEvents(5);
      expect(got.map((e) => [e.id, JSON.parse(e.data).n])).toEqual(ids.map((id, n) => [id, n]));
    }
    const [reader] = readers;
    expect(reader!.response.status).toBe(200);
    expect(reader!.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader!.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(reader!.response.headers.get('x-accel-buffering')).toBe('no');
    for (const name of FORBIDDEN) expect(reader!.response.headers.has(name)).toBe(false);
    // All on one connection, and the peer address is the session socket's.
    expect(setup.sessions).toBe(1);
    expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
  });

  it('sends each frame as it is published, not when a buffer fills', async () => {
    const { hub, server } = await hubServer();
    const reader = await read(session(server), server);
    await until(() => hub.stats().connections === 1, 'the stream');
    for (let n = 0; n < 3; n++) {
      await hub.publish('tick', { n });
      // the n-th event arrives before the next is published
      expect((await reader.untilEvents(n + 1)).at(-1)!.data).toBe(JSON.stringify({ n }));
    }
  });

  it('opens streams whose response already holds connection-specific headers', async () => {
    const hub = createHub({ events, heartbeat: false });
    cleanup.push(() => hub.close());
    const handler = createNodeHandler({
      hub,
      authenticate: (req) =>
        req.url === '/refused'
          ? refuse(503, 'Busy', { Connection: 'close', 'Retry-After': '1' })
          : {},
    });
    const server = await createTestHttp2Server((req, res) => {
      // What an HTTP/1.1-minded middleware or framework default leaves on the response: Node's
      // writeHead throws ERR_HTTP2_INVALID_CONNECTION_HEADERS for these on HTTP/2.
      res.setHeader('Keep-Alive', 'timeout=5');
      res.setHeader('Transfer-Encoding', 'chunked');
      res.setHeader('X-App', 'kept');
      void handler(req, res);
    });
    cleanup.push(() => server.close());
    const client = session(server);

    const stream = await responseHeaders(client, '/events');
    expect(stream[':status']).toBe(200);
    expect(stream['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream['x-app']).toBe('kept');
    for (const name of FORBIDDEN) expect(stream[name]).toBeUndefined();

    const refused = await responseHeaders(client, '/refused');
    expect(refused[':status']).toBe(503);
    expect(refused['retry-after']).toBe('1');
    for (const name of FORBIDDEN) expect(refused[name]).toBeUndefined();
  });

  it('answers HTTP/1.1 on an allowHTTP1 server with keep-alive, HTTP/2 without', async () => {
    const { server } = await hubServer({}, { allowHTTP1: true });
    const http1 = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(`${server.url}/events`, { ca: server.cert }, resolve);
      req.on('error', reject).end();
      cleanup.push(() => req.destroy());
    });
    expect(http1.httpVersion).toBe('1.1');
    expect(http1.headers.connection).toBe('keep-alive');
    const http2 = await responseHeaders(session(server), '/events');
    expect(http2[':status']).toBe(200);
    expect(http2.connection).toBeUndefined();
  });

  it("ends the server's stream when the client resets it, and only that stream", async () => {
    const { hub, server, streams } = await hubServer();
    const client = session(server);
    const [gone, stays] = [await read(client, server), await read(client, server)];
    await until(() => streams.length === 2, 'two streams');

    gone.close(); // RST_STREAM (CANCEL)
    await untilClosed(streams[0]!);
    expect(hub.stats().connections).toBe(1);
    expect(streams[1]!.closed).toBe(false);
    const id = await hub.publish('tick', { n: 1 });
    expect((await stays.untilEvents(1))[0]!.id).toBe(id);
  });

  it('ends every stream of a session when the session goes away', async () => {
    const { hub, server, streams } = await hubServer();
    const client = session(server);
    for (let i = 0; i < 3; i++) await read(client, server);
    await until(() => hub.stats().connections === 3, 'three streams');

    client.destroy(); // the tab closed, the network dropped: the whole connection ends
    await Promise.all(streams.map(untilClosed));
    expect(hub.stats().connections).toBe(0);
  });

  it('closes a stalled stream past maxBufferedBytes while its sibling on the session reads on', async () => {
    const maxBufferedBytes = 64 * 1024;
    const { hub, server, streams } = await hubServer({ maxBufferedBytes });
    const client = session(server);
    const reader = await read(client, server);
    // A stream whose body is never read: the client stops granting it window, as a frozen tab.
    const stalled = await http2Fetch(client)(`${server.url}/events`);
    cleanup.push(() => stalled.body?.cancel());
    await until(() => streams.length === 2, 'two streams');

    const pad = 'x'.repeat(4096);
    let published = 0;
    while (!streams[1]!.closed) {
      if (published === 2000) throw new Error('the stalled stream was never closed');
      await hub.publish('tick', { n: published++, pad });
      await tick();
    }
    expect(hub.stats().slowConsumers).toBe(1);
    expect(isSsekitError(streams[1]!.signal.reason, 'buffer-overflow')).toBe(true);
    // The stalled stream passed the cap once its own window (64 KiB by default) was full, not
    // before; the reading one got everything.
    expect(published * pad.length).toBeGreaterThan(maxBufferedBytes);
    expect((await reader.untilEvents(published)).length).toBe(published);
    expect(streams[0]!.closed).toBe(false);
  });

  it('caps anonymous streams per address, read from the session socket', async () => {
    const { server, addresses } = await hubServer({ limits: { maxConnectionsPerAddress: 2 } });
    const client = session(server);
    await read(client, server);
    await read(client, server);
    const third = await http2Fetch(client)(`${server.url}/events`);
    expect(third.status).toBe(429);
    expect(addresses).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });
});

describe("the node:http2 core API ('stream' event)", () => {
  it('is refused by createNodeHandler with a typed error and a 500 on the stream', async () => {
    const errors: unknown[] = [];
    const handler = createNodeHandler({
      events,
      onStream: () => {},
      onError: (e) => errors.push(e),
    });
    const server = await createTestHttp2Server();
    server.server.on('stream', handler as unknown as (s: ServerHttp2Stream) => void);
    cleanup.push(() => server.close());
    const headers = await responseHeaders(session(server), '/events');
    expect(headers[':status']).toBe(500);
    expect(errors).toHaveLength(1);
    const error = errors[0] as SsekitError;
    expect(isSsekitError(error, 'invalid-option')).toBe(true);
    expect(error.message).toContain("server.on('request', handler)");
  });

  it('is refused by createNodeStream with a typed error', async () => {
    const server = await createTestHttp2Server();
    const thrown = new Promise<unknown>((resolve) => {
      server.server.on('stream', (stream, headers) => {
        try {
          createNodeStream(stream as never, headers as never);
        } catch (error) {
          resolve(error);
        }
        stream.respond({ ':status': 500 });
        stream.end();
      });
    });
    cleanup.push(() => server.close());
    await responseHeaders(session(server), '/events');
    expect(isSsekitError(await thrown, 'invalid-option')).toBe(true);
  });
});

describe('drainOnSignal on node:http2', () => {
  it('sends GOAWAY, ends the streams cleanly and closes the server, HTTP/1.1 included', async () => {
    const { hub, server, streams } = await hubServer({}, { allowHTTP1: true });
    const { drain, dispose } = drainOnSignal(server.server, { hub, signals: [], timeout: FAR });
    cleanup.push(dispose);
    const client = session(server);
    const readers = await Promise.all([1, 2, 3].map(() => read(client, server)));
    const goaway = new Promise<number>((resolve) => client.once('goaway', resolve));
    // An HTTP/1.1 connection on the same port, kept alive after its request: it must not hold
    // the server open (the h2 server's close() does not close idle connections by itself).
    const agent = new Agent({ keepAlive: true, ca: server.cert });
    cleanup.push(() => agent.destroy());
    const plain = await new Promise<string>((resolve, reject) => {
      httpsRequest(`${server.url}/plain`, { agent }, (res) => {
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (chunk) => (body += chunk)).on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    expect(plain).toBe('ok');
    await until(() => streams.length === 3, 'three streams');
    const id = await hub.publish('tick', { n: 1 });
    for (const reader of readers) await reader.untilEvents(1);

    expect(await drain()).toEqual({ timedOut: false });
    expect(await goaway).toBe(0); // NGHTTP2_NO_ERROR: a graceful close, not an error
    expect(server.server.listening).toBe(false);
    for (const reader of readers) {
      await reader.until((r) => r.ended);
      // a clean end of a complete stream: the client reconnects, with the last id it saw
      expect(reader.text.endsWith('\n\n')).toBe(true);
      expect(reader.events.at(-1)!.id).toBe(id);
    }
    expect(client.closed || client.destroyed).toBe(true);
  });

  it('destroys sessions still open at the timeout', async () => {
    const { server } = await hubServer();
    const hold = createNodeHandler({ events, onStream: () => new Promise(() => {}) }); // never ends
    server.server.removeAllListeners('request');
    server.server.on('request', (req, res) => void hold(req, res));
    const { drain, dispose } = drainOnSignal(server.server, { signals: [], timeout: 50 });
    cleanup.push(dispose);
    const client = session(server);
    const reader = await read(client, server);
    const closed = new Promise<void>((resolve) => client.once('close', resolve));

    expect(await drain()).toEqual({ timedOut: true });
    await closed;
    await reader.until((r) => r.ended);
  });
});
