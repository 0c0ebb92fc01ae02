/**
 * Issue 24 item 12: behind a proxy that stalls (keeps the sockets open, forwards nothing more), a
 * default client used to show `open` for ever with nothing arriving. The hub's first frame now
 * announces its heartbeat interval (`: ssekit heartbeat=…`) and a client without an
 * `inactivityTimeout` of its own takes three intervals without a byte as a dead line. A real hub
 * on 127.0.0.1, a real TCP proxy in front of it, a real `connect`.
 */
import {
  createServer as createTcpServer,
  connect as dial,
  type Server,
  type Socket,
} from 'node:net';
import { connect, type EventStream } from '@ssekit/client';
import { defineEvents, type } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { createTestServer, type TestServer } from '@ssekit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

const events = defineEvents({ tick: type<{ n: number }>() });

/**
 * A TCP proxy to `upstream`; `stall()` stops forwarding the server's bytes on the connections
 * open now (their sockets stay open); later connections flow.
 */
async function stallingProxy(upstream: string) {
  const { hostname, port } = new URL(upstream);
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const stalled = new Set<Socket>();
  let connections = 0;
  const server: Server = createTcpServer((client) => {
    connections++;
    clients.add(client);
    const up = dial(Number(port), hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk) => up.write(chunk));
    up.on('data', (chunk) => {
      if (!stalled.has(client)) client.write(chunk);
    });
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => connections,
    stall: () => {
      for (const c of clients) stalled.add(c);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Poll a condition; the deadline is only a failure bound. */
async function until(check: () => boolean, what: string, ms = 15_000) {
  for (const started = Date.now(); !check(); ) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('a default client behind a stalled proxy (issue 24 item 12)', () => {
  it('reconnects when the line goes silent for three announced heartbeats', async () => {
    const hub = createHub({ events, heartbeat: 100, retry: 20 });
    const http: TestServer = await createTestServer(createNodeHandler({ hub }));
    const proxy = await stallingProxy(http.url);
    cleanup.push(
      () => hub.close(),
      () => http.close(),
      () => proxy.close(),
    );
    const got: number[] = [];
    const errors: string[] = [];
    const stream: EventStream<typeof events> = connect(`${proxy.url}/`, {
      events,
      retry: { jitter: 0 },
    });
    cleanup.push(() => stream.close());
    stream.on('tick', (d) => got.push(d.n));
    stream.onError((e) => errors.push(e.message));
    await until(() => stream.status.state === 'open' && hub.stats().connections === 1, 'open');
    await hub.publish('tick', { n: 1 });
    await until(() => got.length === 1, 'the first event');
    proxy.stall();
    await hub.publish('tick', { n: 2 }); // written by the hub, held by the proxy
    await until(() => errors.length > 0, 'the dead line to be noticed');
    expect(errors[0]).toBe('No data for 300 ms');
    await until(() => got.length === 2, 'the held event, resumed from Last-Event-ID');
    expect(got).toEqual([1, 2]);
    expect(proxy.connections()).toBe(2);
  });
});
