// @vitest-environment happy-dom
// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks for its own hub
/**
 * @ssekit/react over the real @ssekit/client against a real @ssekit/server hub (node adapter) on
 * 127.0.0.1: typed events reach components, one hub connection for many components and for
 * StrictMode, the hub's reset makes the app refetch, the last unmount closes the hub connection.
 */
import { createServer } from 'node:http';
import { defineEvents, type } from '@ssekit/core';
import { createServerEventsHooks } from '@ssekit/react';
import { createHub, type Hub } from '@ssekit/server';
import { createNodeHandler, type NodeHandlerOptions } from '@ssekit/server/node';
import { listen, type TestServer } from '@ssekit/test-utils';
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode, useState } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';

const events = defineEvents({
  'user.created': type<{ id: string; name: string }>(),
  'user.deleted': type<{ id: string }>(),
});

let running: { hub: Hub<typeof events>; http: TestServer } | undefined;
afterEach(async () => {
  cleanup();
  if (running) {
    await running.hub.close();
    await running.http.close();
    running = undefined;
  }
});

/** A hub behind createNodeHandler, with the CORS headers a cross-origin page (happy-dom's) needs. */
async function startHub(
  maxEvents = 1000,
  authenticate?: NodeHandlerOptions<typeof events>['authenticate'],
) {
  const hub = createHub({ events, retry: 50, heartbeat: false, replay: { maxEvents } });
  const handler = createNodeHandler({ hub, ...(authenticate && { authenticate }) });
  let requests = 0;
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-headers', '*');
      res.end();
      return;
    }
    requests++;
    void handler(req, res);
  });
  const http = await listen(server);
  running = { hub, http };
  const fetches = vi.fn((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const hooks = createServerEventsHooks(events, {
    url: `${http.url}/events`,
    fetch: fetches,
    gracePeriod: 50,
    retry: { initial: 50, max: 100 },
  });
  return { hub, hooks, fetches, server, url: `${http.url}/events`, requests: () => requests };
}

const until = async (check: () => void, timeout = 5000) => {
  const started = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - started > timeout) throw error;
      await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    }
  }
};

describe('React hooks ↔ hub', () => {
  test('typed events reach five components over one hub connection', async () => {
    const { hub, hooks, fetches, requests } = await startHub();
    function Users({ id }: { id: string }) {
      const { state: names } = hooks.useServerEvents({
        types: ['user.created', 'user.deleted'],
        reduce: (map: Record<string, string>, e) => {
          if (e.type === 'user.created') return { ...map, [e.data.id]: e.data.name };
          const { [e.data.id]: _, ...rest } = map;
          return rest;
        },
        initial: {},
      });
      return <p data-testid={id}>{Object.values(names).join(',')}</p>;
    }
    function Dot() {
      return <p data-testid="dot">{hooks.useConnectionStatus().state}</p>;
    }
    render(
      <StrictMode>
        <Users id="a" />
        <Users id="b" />
        <Users id="c" />
        <Users id="d" />
        <Dot />
      </StrictMode>,
    );
    await until(() => expect(screen.getByTestId('dot').textContent).toBe('open'));
    await hub.publish('user.created', { id: '1', name: 'Ada' });
    await hub.publish('user.created', { id: '2', name: 'Grace' });
    await hub.publish('user.deleted', { id: '1' });
    await until(() => expect(screen.getByTestId('d').textContent).toBe('Grace'));
    expect(screen.getByTestId('a').textContent).toBe('Grace');
    expect(hub.stats().connections).toBe(1);
    expect(requests()).toBe(1);
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  test("the hub's reset after missed events makes the app refetch", async () => {
    const { hub, hooks, server } = await startHub(2);
    const refetch = vi.fn();
    function List() {
      const [lastId, setLastId] = useState('');
      hooks.useServerEvent('user.created', (_, meta) => setLastId(meta.id ?? ''));
      hooks.useResetEvent(refetch);
      return <p data-testid="last">{lastId}</p>;
    }
    render(<List />);
    await until(() => expect(hub.stats().connections).toBe(1));
    const seenId = await hub.publish('user.created', { id: '1', name: 'Ada' });
    await until(() => expect(screen.getByTestId('last').textContent).toBe(seenId));
    expect(refetch).not.toHaveBeenCalled();
    // Drop the line, then publish more than the replay log holds before the client is back
    // (it waits at least the hub's 50 ms retry).
    server.closeAllConnections();
    for (let i = 2; i <= 5; i++) await hub.publish('user.created', { id: String(i), name: 'x' });
    await until(() => expect(refetch).toHaveBeenCalledTimes(1));
    expect(refetch).toHaveBeenCalledWith({ reason: 'evicted', lastEventId: seenId });
    expect(hub.stats().connections).toBe(1);
  });

  test('unmounting the last consumer closes the hub connection', async () => {
    const { hub, hooks } = await startHub();
    function Dot() {
      return <p>{hooks.useConnectionStatus().state}</p>;
    }
    const view = render(<Dot />);
    await until(() => expect(hub.stats().connections).toBe(1));
    view.unmount();
    await until(() => expect(hub.stats().connections).toBe(0));
  });

  test('enabled={false} leaves the hub and true joins it again, without unmounting', async () => {
    const { hub, hooks } = await startHub();
    function Dot({ enabled }: { enabled: boolean }) {
      return <p data-testid="dot">{hooks.useConnectionStatus({ enabled }).state}</p>;
    }
    const view = render(<Dot enabled />);
    await until(() => expect(hub.stats().connections).toBe(1));
    view.rerender(<Dot enabled={false} />);
    await until(() => expect(hub.stats().connections).toBe(0));
    expect(screen.getByTestId('dot').textContent).toBe('idle');
    view.rerender(<Dot enabled />);
    await until(() => expect(hub.stats().connections).toBe(1));
    await until(() => expect(screen.getByTestId('dot').textContent).toBe('open'));
  });

  test('useReconnect after a token refresh rejoins with the new token and misses nothing', async () => {
    const tokens: (string | undefined)[] = [];
    const { hub, hooks } = await startHub(1000, (req) => {
      tokens.push(req.headers.authorization);
      return { userId: 'ann' };
    });
    let reconnect!: () => void;
    function Names() {
      reconnect = hooks.useReconnect();
      const { events: list } = hooks.useServerEvents({ types: ['user.created'] });
      return <p data-testid="names">{list.map((e) => e.data.name).join(',')}</p>;
    }
    const app = (token: string) => (
      <hooks.ServerEventsProvider headers={() => ({ authorization: `Bearer ${token}` })}>
        <Names />
      </hooks.ServerEventsProvider>
    );
    const view = render(app('t1'));
    await until(() => expect(hub.stats().connections).toBe(1));
    await hub.publish('user.created', { id: '1', name: 'Ada' }, { to: 'ann' });
    await until(() => expect(screen.getByTestId('names').textContent).toBe('Ada'));
    view.rerender(app('t2'));
    act(() => reconnect());
    // Published while the client is between connections: replayed from the log on resume.
    await hub.publish('user.created', { id: '2', name: 'Grace' }, { to: 'ann' });
    await until(() => expect(tokens).toEqual(['Bearer t1', 'Bearer t2']));
    await until(() => expect(screen.getByTestId('names').textContent).toBe('Ada,Grace'));
    await until(() => expect(hub.stats().connections).toBe(1));
    await hub.publish('user.created', { id: '3', name: 'Edsger' }, { to: 'ann' });
    await until(() => expect(screen.getByTestId('names').textContent).toBe('Ada,Grace,Edsger'));
  });

  test('hooks with two URLs hold two hub connections, each with its own events', async () => {
    const { hub, hooks, url } = await startHub(1000, (_req, { topics }) => ({ topics }));
    function Topic({ topic }: { topic: string }) {
      const { events: list } = hooks.useServerEvents({ url: `${url}?topic=${topic}` });
      return <p data-testid={topic}>{list.map((e) => e.data.id).join(',')}</p>;
    }
    render(
      <>
        <Topic topic="a" />
        <Topic topic="b" />
      </>,
    );
    await until(() => expect(hub.stats().connections).toBe(2));
    await hub.publish('user.deleted', { id: 'for-a' }, { topic: 'a' });
    await hub.publish('user.deleted', { id: 'for-b' }, { topic: 'b' });
    await until(() => expect(screen.getByTestId('b').textContent).toBe('for-b'));
    expect(screen.getByTestId('a').textContent).toBe('for-a');
  });
});
