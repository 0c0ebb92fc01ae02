/**
 * Issue #12, item 2 — Next.js: one hub per process, wherever it is imported. "Next loads route
 * handlers and server actions in separate module graphs (and dev reloads modules), so
 * `createHub()` in `lib/hub.ts` made two hubs: publishes from a server action reached 0
 * connections, with no error." Here test/fixtures/appHub.ts (the app's lib/hub.ts, route
 * handler and server action) is loaded in two module graphs, each with its own copy of
 * @ssekit/server; the route handler serves the real client over HTTP on 127.0.0.1.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { connect } from '@ssekit/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

type AppModule = typeof import('../fixtures/appHub');

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Load the app module in a module graph of its own, as Next.js does per bundle layer. */
async function loadGraph(): Promise<AppModule> {
  vi.resetModules();
  const app = await import('../fixtures/appHub');
  cleanup.push(
    () => app.hub.close(),
    () => app.unnamedHub.close(),
  );
  return app;
}

/** Serve a Fetch route handler on 127.0.0.1, as `next start` does. */
async function route(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
}

/** The real client, with the titles it receives. */
async function client(url: string, app: AppModule) {
  const stream = connect(url, { events: app.events });
  cleanup.push(() => stream.close());
  const titles: string[] = [];
  const waiters = new Set<() => void>();
  stream.on('notification', ({ title }) => {
    titles.push(title);
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve) => {
    const off = stream.subscribe(() => {
      if (stream.status.state !== 'open') return;
      off();
      resolve();
    });
  });
  /** Resolves once `count` titles have arrived. */
  const received = (count: number) =>
    new Promise<string[]>((resolve) => {
      const check = () => {
        if (titles.length < count) return;
        waiters.delete(check);
        resolve(titles.slice());
      };
      waiters.add(check);
      check();
    });
  return { received };
}

describe('#12.2 a named hub is one hub per process, however many module graphs load it', () => {
  it('a server action in one module graph reaches a client of the route handler in another', async () => {
    const routes = await loadGraph();
    const actions = await loadGraph();
    // Two module graphs, each with its own copy of @ssekit/server…
    expect(actions.createHub).not.toBe(routes.createHub);
    // …and one hub.
    expect(actions.hub).toBe(routes.hub);

    const c = await client(await route(routes.GET), routes);
    await actions.notify('from a server action');
    expect(await c.received(1)).toEqual(['from a server action']);
    expect(routes.hub.stats().connections).toBe(1);
  });

  it('warns once in development when an unnamed hub publishes to nobody while its twin has connections', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const routes = await loadGraph();
    const actions = await loadGraph();
    expect(actions.unnamedHub).not.toBe(routes.unnamedHub); // what the user met: two hubs

    const c = await client(await route(routes.unnamedGET), routes);
    await actions.notify('lost', 'unnamed');
    await actions.notify('lost again', 'unnamed');
    expect(actions.unnamedHub.stats().connections).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(
      /publish\('notification'\) reached no connection, but another hub with the same events in this process has 1: .*Next\.js.* createHub\(\{ name: 'app'/,
    );
    // The lost events never arrived: the first one the client gets is the one its own hub sent.
    await routes.notify('reached', 'unnamed');
    expect(await c.received(1)).toEqual(['reached']);
  });

  it('stays silent in production', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const routes = await loadGraph();
    const actions = await loadGraph();
    await client(await route(routes.unnamedGET), routes);
    await actions.notify('lost', 'unnamed');
    expect(warn).not.toHaveBeenCalled();
  });
});
