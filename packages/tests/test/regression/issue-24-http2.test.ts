/**
 * Issue #24, items 6 and 8 on HTTP/2: streams reset during an async `authenticate` leave no
 * ghost, a session cannot open streams without bound, `authenticate` has a time bound. Real
 * `node:http2` servers (TLS) on 127.0.0.1 and real `node:http2` clients.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import { defineEvents, isSsekitError, type } from '@ssekit/core';
import { createHub, type Hub, type HubOptions } from '@ssekit/server';
import { createNodeHandler, type NodeHandlerOptions } from '@ssekit/server/node';
import { createTestHttp2Server, type TestHttp2Server } from '@ssekit/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

const events = defineEvents({ m: type<string>() });

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Pending {
  user: string;
  signal: AbortSignal | undefined;
  resolve: (identity: { userId: string }) => void;
}

interface Setup {
  hub: Hub<typeof events>;
  server: TestHttp2Server;
  /** `authenticate` calls not answered yet, in order. */
  pending: Pending[];
  /** Requests whose response the server saw close. */
  closed: number;
  /** Requests the handler has finished with. */
  settled: number;
  errors: unknown[];
}

/** A hub behind createNodeHandler whose authenticate waits for the test to answer it. */
async function serve(
  hubOptions: HubOptions<typeof events> = {},
  handlerOptions: Partial<NodeHandlerOptions<typeof events>> = {},
): Promise<Setup> {
  const hub = createHub({ events, heartbeat: false, retry: 10, ...hubOptions });
  const setup: Setup = { hub, server: undefined!, pending: [], closed: 0, settled: 0, errors: [] };
  const handler = createNodeHandler({
    hub,
    authenticate: (req, { signal }) =>
      new Promise((resolve) =>
        setup.pending.push({ user: String(req.headers['x-user']), signal, resolve }),
      ),
    onError: (error) => setup.errors.push(error),
    ...handlerOptions,
  });
  setup.server = await createTestHttp2Server((req, res) => {
    res.once('close', () => setup.closed++);
    void handler(req, res).finally(() => setup.settled++);
  });
  cleanup.push(
    () => setup.server.close(),
    () => hub.close(),
  );
  return setup;
}

function session(server: TestHttp2Server): ClientHttp2Session {
  const client = connect(server.url, { ca: server.cert });
  client.on('error', () => {});
  cleanup.push(() => client.destroy());
  return client;
}

/** Resolve once `predicate` holds, checked on every turn of the event loop. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !predicate(); turns++) {
    if (turns > 200_000) throw new Error(`never saw ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The status of a request, once its response head arrives. */
function statusOf(stream: ClientHttp2Stream): Promise<number> {
  return new Promise((resolve, reject) => {
    stream.once('response', (headers) => resolve(Number(headers[':status'])));
    stream.once('error', reject);
  });
}

describe('#24.6 HTTP/2 streams reset during authenticate', () => {
  it('leave no connection behind, and the user can still connect under maxConnectionsPerUser', async () => {
    const setup = await serve({ limits: { maxConnectionsPerUser: 2 } });
    const client = session(setup.server);
    const resets = 50;
    for (let i = 0; i < resets; i++) {
      const stream = client.request({ ':path': '/events', 'x-user': 'ada' });
      stream.on('error', () => {});
      await until(() => setup.pending.length === 1, 'authenticate called');
      stream.close(constants.NGHTTP2_CANCEL); // RST_STREAM while authenticate is pending
      await until(() => setup.closed === i + 1, 'the reset on the server');
      setup.pending.shift()!.resolve({ userId: 'ada' });
      await until(() => setup.settled === i + 1, 'the handler done');
    }
    expect(setup.hub.stats().connections).toBe(0);

    // Not locked out: two streams of ada's open (the cap), a third is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const stream = client.request({ ':path': '/events', 'x-user': 'ada' });
      cleanup.push(() => stream.close());
      const status = statusOf(stream);
      await until(() => setup.pending.length === 1, 'authenticate called');
      setup.pending.shift()!.resolve({ userId: 'ada' });
      statuses.push(await status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(setup.hub.stats().connections).toBe(2);
    expect(setup.errors).toEqual([]);
  });
});

describe('#24.6 streams per HTTP/2 session', () => {
  it('refuses SSE streams past maxStreamsPerSession (100 by default) with 429, per session', async () => {
    const setup = await serve({}, { authenticate: () => ({}) });
    const client = session(setup.server);
    const open: ClientHttp2Stream[] = [];
    for (let i = 0; i < 100; i++) {
      const stream = client.request({ ':path': '/events' });
      cleanup.push(() => stream.close());
      expect(await statusOf(stream)).toBe(200);
      open.push(stream);
    }
    const refused = client.request({ ':path': '/events' });
    expect(await statusOf(refused)).toBe(429);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      refused.setEncoding('utf8');
      refused.on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
    });
    expect(body).toContain('maxStreamsPerSession');
    expect(setup.hub.stats().connections).toBe(100);

    // Another connection is not affected, and a stream that ends frees its place.
    const second = session(setup.server).request({ ':path': '/events' });
    cleanup.push(() => second.close());
    expect(await statusOf(second)).toBe(200);
    open[0]!.close(constants.NGHTTP2_CANCEL);
    await until(() => setup.hub.stats().connections === 100, 'the reset stream gone');
    const again = client.request({ ':path': '/events' });
    cleanup.push(() => again.close());
    expect(await statusOf(again)).toBe(200);
  });
});

describe('#24.6 authenticate has a time bound', () => {
  it('answers 503 past authenticateTimeout (10 s by default), aborts its signal and reports a timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    cleanup.push(() => vi.useRealTimers());
    const setup = await serve();
    const client = session(setup.server);
    const stream = client.request({ ':path': '/events', 'x-user': 'ada' });
    cleanup.push(() => stream.close());
    const status = statusOf(stream);
    await until(() => setup.pending.length === 1, 'authenticate called');
    const [pending] = setup.pending;
    expect(pending!.signal?.aborted).toBe(false);

    await vi.advanceTimersByTimeAsync(9_999);
    expect(setup.settled).toBe(0); // still within its time
    await vi.advanceTimersByTimeAsync(1);
    expect(await status).toBe(503);
    expect(pending!.signal?.aborted).toBe(true);
    expect(setup.errors).toHaveLength(1);
    expect(isSsekitError(setup.errors[0], 'timeout')).toBe(true);
    expect(String((setup.errors[0] as Error).message)).toContain('authenticateTimeout');

    // An answer that comes too late opens nothing.
    pending!.resolve({ userId: 'ada' });
    await until(() => setup.settled === 1, 'the handler done');
    expect(setup.hub.stats().connections).toBe(0);
  });
});
