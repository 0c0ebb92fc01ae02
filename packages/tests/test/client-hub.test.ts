/**
 * @ssekit/client against a real @ssekit/server hub over node:http on 127.0.0.1: auth, token
 * refresh, resume without loss or duplicates, backoff, dead-line detection and shutdown.
 */
import { createServer, type Server } from 'node:http';
import { connect, type EventStream } from '@ssekit/client';
import { defineEvents, type SsekitError, type } from '@ssekit/core';
import { createHub, type Hub, type HubOptions } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { listen, type TestServer } from '@ssekit/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

const events = defineEvents({
  message: type<{ n: number }>(),
  notification: type<{ title: string }>(),
});

interface Setup {
  hub: Hub<typeof events>;
  server: Server;
  http: TestServer;
  /** Every request the handler saw: authorization and Last-Event-ID headers. */
  seen: { authorization: string | undefined; lastEventId: string | undefined }[];
  /** Tokens the server accepts. */
  tokens: Set<string>;
}

const open: { setup: Setup; streams: EventStream<any>[] }[] = [];

/** A hub behind createNodeHandler, accepting `Bearer <token>` for tokens in `tokens`. */
async function startHub(options: HubOptions<typeof events> = {}): Promise<Setup> {
  const hub = createHub({ events, retry: 20, heartbeat: false, ...options });
  const tokens = new Set(['good']);
  const seen: Setup['seen'] = [];
  const handler = createNodeHandler({
    hub,
    authenticate: (req) => {
      const auth = req.headers.authorization;
      const token = auth?.replace(/^Bearer /, '');
      return token && tokens.has(token) ? { userId: 'u1' } : null;
    },
  });
  const server = createServer((req, res) => {
    const header = req.headers['last-event-id'];
    seen.push({
      authorization: req.headers.authorization,
      lastEventId: typeof header === 'string' ? header : undefined,
    });
    void handler(req, res);
  });
  const http = await listen(server);
  const setup = { hub, server, http, seen, tokens };
  open.push({ setup, streams: [] });
  return setup;
}

/** connect() tracked for cleanup. */
function track<S extends EventStream<any>>(stream: S): S {
  open.at(-1)!.streams.push(stream);
  return stream;
}

const until = async (check: () => boolean, timeout = 5000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeout) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

afterEach(async () => {
  vi.useRealTimers();
  for (const { setup, streams } of open.splice(0)) {
    for (const s of streams) s.close();
    await setup.hub.close();
    await setup.http.close();
  }
});

describe('client ↔ hub', () => {
  it('sends its auth header and receives typed events for its user', async () => {
    const setup = await startHub();
    const stream = track(
      connect(setup.http.url, { events, headers: { Authorization: 'Bearer good' } }),
    );
    const got: unknown[] = [];
    stream.on('notification', (data, meta) => got.push([data.title, meta.id !== undefined]));
    await until(() => stream.status.state === 'open' && setup.hub.stats().connections === 1);
    await setup.hub.publish('notification', { title: 'hello' }, { to: 'u1' });
    await setup.hub.publish('notification', { title: 'not yours' }, { to: 'u2' });
    await setup.hub.publish('notification', { title: 'all' });
    await until(() => got.length === 2);
    expect(got).toEqual([
      ['hello', true],
      ['all', true],
    ]);
    expect(setup.seen[0]!.authorization).toBe('Bearer good');
  });

  it('refreshes an expired token on 401 and retries once', async () => {
    const setup = await startHub();
    let token = 'expired';
    const onUnauthorized = vi.fn(async () => {
      token = 'good';
    });
    const stream = track(
      connect(setup.http.url, {
        events,
        headers: () => ({ Authorization: `Bearer ${token}` }),
        onUnauthorized,
      }),
    );
    await until(() => stream.status.state === 'open');
    expect(setup.seen.map((r) => r.authorization)).toEqual(['Bearer expired', 'Bearer good']);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('stops with an HttpError 401 when the refreshed token is refused too', async () => {
    const setup = await startHub();
    const stream = track(
      connect(setup.http.url, { events, headers: { Authorization: 'Bearer nope' } }),
    );
    await until(() => stream.closed);
    expect(stream.status.error).toMatchObject({ name: 'HttpError', status: 401 });
    expect(setup.seen).toHaveLength(2);
  });

  it('resumes after the server drops the connection, delivering every event once, in order', async () => {
    const setup = await startHub();
    const stream = track(
      connect(setup.http.url, {
        events,
        headers: { Authorization: 'Bearer good' },
        retry: { min: 10, jitter: 0 },
      }),
    );
    const got: number[] = [];
    stream.on('message', (data) => got.push(data.n));
    await until(() => setup.hub.stats().connections === 1);
    const total = 300;
    for (let n = 0; n < total; n++) {
      await setup.hub.publish('message', { n });
      // Drop every connection a few times while publishing: the client must resume exactly.
      if (n % 75 === 40) {
        await until(() => setup.hub.stats().connections === 1);
        setup.server.closeAllConnections();
      }
      if (n % 10 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => got.length >= total);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(Array.from({ length: total }, (_, n) => n));
    const resumed = setup.seen.slice(1).map((r) => r.lastEventId);
    expect(resumed.length).toBe(4);
    expect(resumed.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
  });

  it('surfaces a reset when its resume point is from an earlier epoch', async () => {
    const setup = await startHub();
    const stream = track(
      connect(setup.http.url, {
        events,
        headers: { Authorization: 'Bearer good' },
        lastEventId: 'old-epoch:123',
      }),
    );
    const notice = await new Promise((resolve) => stream.onReset(resolve));
    expect(notice).toMatchObject({ lastEventId: 'old-epoch:123' });
  });

  it('waits out the hub Retry-After on 429 and never sooner (fake timers)', async () => {
    const setup = await startHub({ limits: { maxConnectionsPerUser: 1, retryAfter: 7 } });
    const first = track(
      connect(setup.http.url, { events, headers: { Authorization: 'Bearer good' } }),
    );
    await until(() => first.status.state === 'open' && setup.hub.stats().connections === 1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const second = track(
      connect(setup.http.url, {
        events,
        headers: { Authorization: 'Bearer good' },
        retry: { jitter: 0 },
      }),
    );
    // Real I/O still runs under these fake timers; poll with setImmediate and bound the wait
    // with performance.now(), neither of which is faked.
    const tick = () => new Promise((r) => setImmediate(r));
    const poll = async (done: () => boolean) => {
      for (const started = performance.now(); !done() && performance.now() - started < 5000; ) {
        await tick();
      }
    };
    const before = setup.seen.length;
    await poll(() => second.status.state === 'reconnecting');
    expect(second.status.error).toMatchObject({ status: 429 });
    expect(second.status.retryAt! - Date.now()).toBe(7000);
    first.close();
    await vi.advanceTimersByTimeAsync(6999);
    for (let i = 0; i < 50; i++) await tick();
    expect(setup.seen.length).toBe(before + 1);
    await vi.advanceTimersByTimeAsync(1);
    await poll(() => second.status.state === 'open');
    expect(second.status.state).toBe('open');
    expect(setup.seen.length).toBe(before + 2);
  });

  it('detects a dead line with inactivityTimeout and resumes with Last-Event-ID', async () => {
    const setup = await startHub({ heartbeat: false });
    const stream = track(
      connect(setup.http.url, {
        events,
        headers: { Authorization: 'Bearer good' },
        inactivityTimeout: 300,
        retry: { min: 10, jitter: 0 },
      }),
    );
    const errors: SsekitError[] = [];
    stream.onError((e) => errors.push(e));
    await until(() => setup.hub.stats().connections === 1);
    const id = await setup.hub.publish('message', { n: 1 });
    await until(() => setup.seen.length === 2, 3000);
    expect(errors[0]).toMatchObject({ code: 'timeout' });
    expect(setup.seen[1]!.lastEventId).toBe(id);
  });

  it('keeps a quiet line open when heartbeats arrive within the timeout', async () => {
    const setup = await startHub({ heartbeat: 50 });
    const stream = track(
      connect(setup.http.url, {
        events,
        headers: { Authorization: 'Bearer good' },
        inactivityTimeout: 800,
      }),
    );
    await until(() => stream.status.state === 'open');
    await new Promise((r) => setTimeout(r, 1500));
    expect(setup.seen).toHaveLength(1);
    expect(stream.status.state).toBe('open');
  });

  it('stops every retry once closed, and an aborted signal ends the connection', async () => {
    const setup = await startHub({ retry: 200 });
    const ac = new AbortController();
    const stream = track(
      connect(setup.http.url, {
        events,
        headers: { Authorization: 'Bearer good' },
        signal: ac.signal,
        inactivityTimeout: 10_000,
        retry: { jitter: 0 },
      }),
    );
    await until(() => setup.hub.stats().connections === 1);
    setup.server.closeAllConnections();
    await until(
      () => stream.status.state === 'reconnecting' && stream.status.retryAt !== undefined,
    );
    ac.abort();
    expect(stream.status.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 500));
    expect(setup.seen).toHaveLength(1);

    const other = track(
      connect(setup.http.url, { events, headers: { Authorization: 'Bearer good' } }),
    );
    await until(() => setup.hub.stats().connections === 1);
    other.close();
    await until(() => setup.hub.stats().connections === 0);
    expect(other.status).toMatchObject({ state: 'closed', error: undefined });
  });
});
