/**
 * `drainOnSignal` over real node:http servers on 127.0.0.1. Kept-alive connections linger for
 * `keepAliveTimeout` and the drain's own cut-off is `timeout`: both are set far past the test
 * timeout, so a drain that resolves proves the connections were released, not waited out. The
 * process-level test (SIGTERM, 100 streams, the exit) is
 * packages/tests/test/regression/issue-12-graceful-shutdown.test.ts.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHandler, drainOnSignal } from '../src/adapters/node';
import { createHub, type Hub } from '../src/index';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const FAR = 60_000;

/** A server on 127.0.0.1 whose kept-alive connections would linger for a minute. */
async function start(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.keepAliveTimeout = FAR;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A hub at /events, `ok` at any other path. */
async function hubServer(): Promise<{ hub: Hub; server: Server; url: string }> {
  const hub = createHub({ heartbeat: false });
  cleanup.push(() => hub.close());
  const sse = createNodeHandler({ hub });
  const { server, url } = await start((req, res) => {
    if (req.url === '/events') void sse(req, res);
    else res.end('ok');
  });
  return { hub, server, url };
}

describe('drainOnSignal', () => {
  it("ends the hub's streams cleanly and closes the server, kept-alive connections included", async () => {
    const { hub, server, url } = await hubServer();
    const { drain, dispose } = drainOnSignal(server, { hub, signals: [], timeout: FAR });
    cleanup.push(dispose);
    expect(await (await fetch(`${url}/plain`)).text()).toBe('ok'); // its connection stays alive
    const streams = await Promise.all([1, 2, 3].map(() => fetch(`${url}/events`)));
    // text() resolves only on a complete body: a connection cut mid-stream rejects it.
    const bodies = streams.map((res) => res.text());
    expect(hub.stats().connections).toBe(3);

    expect(await drain()).toEqual({ timedOut: false });
    expect(server.listening).toBe(false);
    expect(hub.closed).toBe(true);
    for (const body of await Promise.all(bodies)) expect(body).toMatch(/^retry: \d+\n/);
    await expect(fetch(`${url}/events`)).rejects.toThrow(); // refused: clients go elsewhere
  });

  it('lets a request in flight finish, then closes its connection', async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    let respond!: () => void;
    const { server, url } = await start((_req, res) => {
      arrived();
      respond = () => res.end('done');
    });
    const { drain, dispose } = drainOnSignal(server, { signals: [], timeout: FAR });
    cleanup.push(dispose);
    const response = fetch(url);
    await arrival;
    const drained = drain();
    respond();
    const res = await response;
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.text()).toBe('done');
    expect(await drained).toEqual({ timedOut: false });
  });

  it('destroys the connections still open at timeout', async () => {
    // A response that never ends and belongs to no hub: only the cut-off can end it.
    const { server, url } = await start((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': open\n\n');
    });
    const { drain, dispose } = drainOnSignal(server, { signals: [], timeout: 0 });
    cleanup.push(dispose);
    const res = await fetch(url);
    const body = res.text();
    expect(await drain()).toEqual({ timedOut: true });
    await expect(body).rejects.toThrow();
  });

  it('starts on the first signal, once, then leaves the next one to Node', async () => {
    const { hub, server } = await hubServer();
    const before = process.listenerCount('SIGUSR2');
    const { drain, dispose } = drainOnSignal(server, { hub, signals: ['SIGUSR2'] });
    cleanup.push(dispose);
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(process.listenerCount('SIGUSR2')).toBe(before);
    expect(hub.closed).toBe(true);
    expect(drain()).toBe(drain()); // the drain the signal started
    expect(await drain()).toEqual({ timedOut: false });
  });

  it('removes its listeners on dispose, without draining', async () => {
    const { hub, server } = await hubServer();
    const signals = process.listenerCount('SIGUSR2');
    const requests = server.listenerCount('request');
    drainOnSignal(server, { hub, signals: ['SIGUSR2'] }).dispose();
    expect(process.listenerCount('SIGUSR2')).toBe(signals);
    expect(server.listenerCount('request')).toBe(requests);
    expect(server.listening).toBe(true);
    expect(hub.closed).toBe(false);
  });

  it('refuses a timeout that is not a number of ms', async () => {
    const { server } = await start((_req, res) => res.end());
    for (const timeout of [-1, Number.NaN, 2 ** 31]) {
      expect(() => drainOnSignal(server, { timeout })).toThrow(
        expect.objectContaining({ code: 'invalid-option' }),
      );
    }
  });
});
