/**
 * @ssekit/client against a hub served by `@ssekit/server/node` over real `node:http2` (TLS, a
 * throwaway certificate made by the test). The client's `fetch` option carries its requests as
 * streams of one HTTP/2 session (Node's own fetch speaks HTTP/1.1 only): typed events, resume
 * with Last-Event-ID after a cut on the same session, the client's close() resetting its stream,
 * and a drain's GOAWAY sending the client to a new session on the next server.
 */
import { type ClientHttp2Session, connect as http2Connect } from 'node:http2';
import { connect, type EventStream } from '@ssekit/client';
import { defineEvents, type } from '@ssekit/core';
import { type Broker, createHub, createMemoryBroker, type Hub } from '@ssekit/server';
import { createNodeHandler, drainOnSignal } from '@ssekit/server/node';
import {
  createTestCertificate,
  createTestHttp2Server,
  http2Fetch,
  type TestHttp2Server,
} from '@ssekit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

const events = defineEvents({ message: type<{ n: number }>() });

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const until = async (check: () => boolean, what: string, timeout = 10_000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

interface Origin {
  hub: Hub<typeof events>;
  server: TestHttp2Server;
  /** Last-Event-ID of every request, in order. */
  resumedFrom: (string | undefined)[];
  /** The server side of every stream. */
  streams: { close(): void; signal: AbortSignal }[];
}

/** One certificate for every server here: a restarted server must be trusted as the first was. */
const certificate = createTestCertificate();

/** A hub behind createNodeHandler on an HTTP/2 server, requiring `Bearer good`. */
async function origin(broker?: Broker, port?: number): Promise<Origin> {
  const hub = createHub({ events, heartbeat: false, retry: 10, broker, closeBroker: !broker });
  const resumedFrom: Origin['resumedFrom'] = [];
  const streams: Origin['streams'] = [];
  const handler = createNodeHandler({
    hub,
    authenticate: (req, { lastEventId }) => {
      resumedFrom.push(lastEventId);
      return req.headers.authorization === 'Bearer good' ? { userId: 'u1' } : null;
    },
    onStream: (stream) => void streams.push(stream),
  });
  const server = await createTestHttp2Server((req, res) => void handler(req, res), {
    certificate,
    ...(port === undefined ? {} : { port }),
  });
  cleanup.push(
    () => server.close(),
    () => hub.close(),
  );
  return { hub, server, resumedFrom, streams };
}

/**
 * A `fetch` over one HTTP/2 session at a time, to `url`: a new session once the current one has
 * been told GOAWAY or has closed — what a browser does.
 */
function sessionFetch(url: string, ca: string) {
  const sessions: ClientHttp2Session[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    let current = sessions.at(-1);
    if (current === undefined || current.closed || current.destroyed || goingAway.has(current)) {
      current = http2Connect(url, { ca });
      const session = current;
      session.on('goaway', () => goingAway.add(session));
      session.on('error', () => {}); // surfaces as the request's failure
      sessions.push(session);
    }
    return http2Fetch(current)(input, init);
  };
  const goingAway = new WeakSet<ClientHttp2Session>();
  cleanup.push(() => {
    for (const session of sessions) session.destroy();
  });
  return { fetch, sessions };
}

function track<S extends EventStream<any>>(stream: S): S {
  cleanup.push(() => stream.close());
  return stream;
}

describe('@ssekit/client over node:http2', () => {
  it('resumes with Last-Event-ID on the same session after the server cuts its stream', async () => {
    const { hub, server, resumedFrom, streams } = await origin();
    const { fetch, sessions } = sessionFetch(server.url, server.cert);
    const stream = track(
      connect(`${server.url}/events`, {
        events,
        fetch,
        headers: { Authorization: 'Bearer good' },
        retry: { min: 10, jitter: 0 },
      }),
    );
    const got: [number, string | undefined][] = [];
    stream.on('message', (data, meta) => got.push([data.n, meta.id]));
    await until(() => hub.stats().connections === 1, 'the stream');
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push(await hub.publish('message', { n }, { to: 'u1' }));
    await until(() => got.length === 3, 'three events');

    streams[0]!.close(); // the server ends this stream (END_STREAM), the session stays
    for (let n = 3; n < 6; n++) ids.push(await hub.publish('message', { n }, { to: 'u1' }));
    await until(() => hub.stats().connections === 1 && got.length === 6, 'the replay');
    ids.push(await hub.publish('message', { n: 6 }, { to: 'u1' }));
    await until(() => got.length === 7, 'a live event');

    expect(got).toEqual(ids.map((id, n) => [n, id]));
    expect(resumedFrom).toEqual([undefined, ids[2]]);
    expect(sessions).toHaveLength(1); // the reconnect was a new stream on the same connection
  });

  it("resets its stream on close(), ending the server's stream but not the session", async () => {
    const { hub, server, streams } = await origin();
    const client = http2Connect(server.url, { ca: server.cert });
    cleanup.push(() => client.destroy());
    const options = {
      events,
      fetch: http2Fetch(client),
      headers: { Authorization: 'Bearer good' },
    };
    const leaving = connect(`${server.url}/events`, options);
    const staying = track(connect(`${server.url}/events`, options));
    await until(() => hub.stats().connections === 2, 'two streams');

    leaving.close();
    await until(() => streams[0]!.signal.aborted, "the server's stream to end");
    expect(hub.stats().connections).toBe(1);
    expect(client.closed).toBe(false);
    const got: number[] = [];
    staying.on('message', (data) => got.push(data.n));
    await hub.publish('message', { n: 1 });
    await until(() => got.length === 1, 'an event on the other stream');
  });

  it("follows a drain's GOAWAY to a new session on the next server and resumes there", async () => {
    // Two servers in turn on one port with one log: a rolling restart behind one address.
    const broker = createMemoryBroker();
    const first = await origin(broker);
    const { fetch, sessions } = sessionFetch(first.server.url, first.server.cert);
    const drain = drainOnSignal(first.server.server, { hub: first.hub, signals: [] });
    cleanup.push(() => drain.dispose());
    const stream = track(
      connect(`${first.server.url}/events`, {
        events,
        fetch,
        headers: { Authorization: 'Bearer good' },
        retry: { min: 10, jitter: 0 },
      }),
    );
    const got: [number, string | undefined][] = [];
    stream.on('message', (data, meta) => got.push([data.n, meta.id]));
    await until(() => first.hub.stats().connections === 1, 'the stream');
    const ids = [await first.hub.publish('message', { n: 0 }, { to: 'u1' })];
    await until(() => got.length === 1, 'the first event');

    expect(await drain.drain()).toEqual({ timedOut: false });
    const port = Number(new URL(first.server.url).port);
    // Published between the two servers: the next one replays it from the shared log.
    const gap = createHub({ events, broker, closeBroker: false, heartbeat: false });
    ids.push(await gap.publish('message', { n: 1 }, { to: 'u1' }));
    await gap.close();
    const next = await origin(broker, port);
    expect(next.server.url).toBe(first.server.url);
    await until(() => got.length === 2, 'the replayed event');
    ids.push(await next.hub.publish('message', { n: 2 }, { to: 'u1' }));
    await until(() => got.length === 3, 'a live event on the next server');

    expect(got).toEqual(ids.map((id, n) => [n, id]));
    expect(next.resumedFrom.at(-1)).toBe(ids[0]);
    expect(sessions.length).toBeGreaterThanOrEqual(2); // a new connection after GOAWAY
    expect(first.streams[0]!.signal.aborted).toBe(true);
  });
});
