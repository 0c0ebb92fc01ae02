// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks for its own server
import { act, cleanup, render, screen } from '@testing-library/react';
import { Profiler, StrictMode, useState } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { events, eventually, startSseServer } from './fixtures';

/**
 * The hooks over the real `@ssekit/client` against a real SSE endpoint on 127.0.0.1: connections
 * are counted on the server, fetches on the client.
 */
let server: Awaited<ReturnType<typeof startSseServer>> | undefined;
afterEach(async () => {
  cleanup();
  await server?.close();
  server = undefined;
});

async function setup() {
  server = await startSseServer();
  const fetches = vi.fn((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const hooks = createServerEventsHooks(events, {
    url: server.url,
    fetch: fetches,
    gracePeriod: 50,
    retry: { initial: 20, max: 50 },
  });
  return { server, fetches, hooks };
}

describe('hooks over the real client', () => {
  test('typed events reach five components over one connection', async () => {
    const { server, fetches, hooks } = await setup();
    function Logs({ id }: { id: string }) {
      const { events: list, status } = hooks.useServerEvents({ types: ['log'] });
      return (
        <p data-testid={id} data-state={status.state}>
          {list.map((e) => e.data.message).join(',')}
        </p>
      );
    }
    function Badge() {
      const [title, setTitle] = useState('');
      hooks.useServerEvent('notification', (data) => setTitle(`${data.title}:${data.unread}`));
      return <p data-testid="badge">{title}</p>;
    }
    function Dot() {
      return <p data-testid="dot">{hooks.useConnectionStatus().state}</p>;
    }
    render(
      <>
        <Logs id="a" />
        <Logs id="b" />
        <Logs id="c" />
        <Badge />
        <Dot />
      </>,
    );
    await eventually(() => expect(screen.getByTestId('dot').textContent).toBe('open'));
    server.send([
      { event: 'log', data: { level: 'info', message: 'one' }, id: '1' },
      { event: 'notification', data: { id: 'n', title: 'Hi', unread: 3 }, id: '2' },
      { event: 'log', data: { level: 'error', message: 'two' }, id: '3' },
    ]);
    await eventually(() => expect(screen.getByTestId('c').textContent).toBe('one,two'));
    expect(screen.getByTestId('a').textContent).toBe('one,two');
    expect(screen.getByTestId('badge').textContent).toBe('Hi:3');
    expect(server.connections).toHaveLength(1);
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  test('StrictMode builds exactly one connection', async () => {
    const { server, fetches, hooks } = await setup();
    function Dot() {
      return <p data-testid="dot">{hooks.useConnectionStatus().state}</p>;
    }
    render(
      <StrictMode>
        <Dot />
        <Dot />
      </StrictMode>,
    );
    await eventually(() => expect(screen.getAllByTestId('dot')[0]!.textContent).toBe('open'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.connections).toHaveLength(1);
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  test('an inline handler re-created every render causes no reconnect', async () => {
    const { server, fetches, hooks } = await setup();
    let bump!: () => void;
    const seen: number[] = [];
    function Counter() {
      const [n, setN] = useState(0);
      bump = () => setN((x) => x + 1);
      hooks.useServerEvent('progress', (data) => seen.push(data.done * 1000 + n));
      return <p data-testid="n">{n}</p>;
    }
    render(<Counter />);
    await eventually(() => expect(server.open()).toHaveLength(1));
    for (let i = 0; i < 100; i++) act(() => bump());
    server.send([{ event: 'progress', data: { done: 1, total: 1 } }]);
    await eventually(() => expect(seen).toEqual([1100]));
    expect(server.connections).toHaveLength(1);
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  test('30 events in one burst all reach keep and reduce state in a handful of renders', async () => {
    const { server, hooks } = await setup();
    const renders = { keep: 0, reduce: 0 };
    function Kept() {
      const { events: list } = hooks.useServerEvents({ types: ['progress'], keep: 100 });
      return <p data-testid="kept">{list.map((e) => e.data.done).join(',')}</p>;
    }
    function Sum() {
      const { state } = hooks.useServerEvents({
        types: ['progress'],
        reduce: (sum: number, e) => sum + e.data.done,
        initial: 0,
      });
      return <p data-testid="sum">{state}</p>;
    }
    render(
      <>
        <Profiler id="keep" onRender={() => renders.keep++}>
          <Kept />
        </Profiler>
        <Profiler id="reduce" onRender={() => renders.reduce++}>
          <Sum />
        </Profiler>
      </>,
    );
    await eventually(() => expect(server.open()).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    renders.keep = renders.reduce = 0;
    server.send(
      Array.from({ length: 30 }, (_, i) => ({
        event: 'progress',
        data: { done: i + 1, total: 30 },
      })),
    );
    await eventually(() => expect(screen.getByTestId('sum').textContent).toBe('465'));
    expect(screen.getByTestId('kept').textContent).toBe(
      Array.from({ length: 30 }, (_, i) => i + 1).join(','),
    );
    expect(renders.keep).toBeLessThanOrEqual(3);
    expect(renders.reduce).toBeLessThanOrEqual(3);
  });

  test('unmounting the last consumer closes the connection on the server', async () => {
    const { server, hooks } = await setup();
    function Dot() {
      return <p data-testid="dot">{hooks.useConnectionStatus().state}</p>;
    }
    const view = render(
      <>
        <Dot />
        <Dot />
      </>,
    );
    await eventually(() => expect(server.open()).toHaveLength(1));
    view.rerender(<Dot />);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.open()).toHaveLength(1);
    view.unmount();
    await eventually(() => expect(server.open()).toHaveLength(0));
    expect(server.connections).toHaveLength(1);
  });

  test('unmounting during a pending reconnect stops retrying', async () => {
    const { server, fetches, hooks } = await setup();
    function Dot() {
      const s = hooks.useConnectionStatus();
      return <p data-testid="dot">{`${s.state}:${s.attempt}`}</p>;
    }
    const view = render(<Dot />);
    await eventually(() => expect(server.open()).toHaveLength(1));
    // Refuse every reconnect from now on with a retryable status, slowly.
    server.refuse(503);
    server.open()[0]!.res.end();
    await eventually(() => expect(screen.getByTestId('dot').textContent).toMatch(/^reconnecting/));
    view.unmount();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const settled = fetches.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fetches.mock.calls.length).toBe(settled);
    expect(server.open()).toHaveLength(0);
  });

  test('unmounting while a request is pending aborts it', async () => {
    const { server, fetches, hooks } = await setup();
    server.refuse('hang');
    function Dot() {
      return <p data-testid="dot">{hooks.useConnectionStatus().state}</p>;
    }
    const view = render(<Dot />);
    await eventually(() => expect(server.open()).toHaveLength(1));
    expect(screen.getByTestId('dot').textContent).toBe('connecting');
    view.unmount();
    // The grace period (50 ms) passes, the stream closes and its fetch is aborted.
    await eventually(() => expect(server.open()).toHaveLength(0));
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  test('enabled={false} closes the connection on the server; true opens a new one', async () => {
    const { server, hooks } = await setup();
    function Dot({ enabled }: { enabled: boolean }) {
      return <p data-testid="dot">{hooks.useConnectionStatus({ enabled }).state}</p>;
    }
    const view = render(<Dot enabled />);
    await eventually(() => expect(screen.getByTestId('dot').textContent).toBe('open'));
    view.rerender(<Dot enabled={false} />);
    expect(screen.getByTestId('dot').textContent).toBe('idle');
    await eventually(() => expect(server.open()).toHaveLength(0));
    view.rerender(<Dot enabled />);
    await eventually(() => expect(screen.getByTestId('dot').textContent).toBe('open'));
    expect(server.open()).toHaveLength(1);
    expect(server.connections).toHaveLength(2);
  });

  test('useReconnect after a token change makes a new request with the new token', async () => {
    const { server, hooks } = await setup();
    let reconnect!: () => void;
    function App({ token }: { token: string }) {
      return (
        <hooks.ServerEventsProvider headers={{ authorization: `Bearer ${token}` }}>
          <Logs />
        </hooks.ServerEventsProvider>
      );
    }
    function Logs() {
      reconnect = hooks.useReconnect();
      const { events: list, status } = hooks.useServerEvents({ types: ['log'] });
      return <p data-testid="logs">{`${status.state}:${list.map((e) => e.data.message)}`}</p>;
    }
    const view = render(<App token="old" />);
    await eventually(() => expect(server.open()).toHaveLength(1));
    server.send([{ event: 'log', data: { level: 'info', message: 'a' }, id: '1' }]);
    await eventually(() => expect(screen.getByTestId('logs').textContent).toBe('open:a'));
    view.rerender(<App token="new" />);
    act(() => reconnect());
    await eventually(() => expect(server.connections).toHaveLength(2));
    await eventually(() => expect(server.open()).toHaveLength(1));
    expect(server.connections.map((c) => c.req.headers.authorization)).toEqual([
      'Bearer old',
      'Bearer new',
    ]);
    expect(server.connections[1]!.req.headers['last-event-id']).toBe('1');
    server.send([{ event: 'log', data: { level: 'info', message: 'b' } }]);
    await eventually(() => expect(screen.getByTestId('logs').textContent).toBe('open:a,b'));
  });

  test('transport and event errors land in their own useStreamError', async () => {
    const { server, hooks } = await setup();
    const transport: string[] = [];
    const event: string[] = [];
    function Watcher() {
      hooks.useStreamError((e) => transport.push(e.code), { kind: 'transport' });
      hooks.useStreamError((e) => event.push(e.code), { kind: 'event' });
      return null;
    }
    render(<Watcher />);
    await eventually(() => expect(server.open()).toHaveLength(1));
    server.open()[0]!.res.write('event: log\ndata: {not json\n\n');
    await eventually(() => expect(event).toEqual(['invalid-json']));
    server.refuse(503);
    server.open()[0]!.res.end();
    await eventually(() => expect(transport).toContain('http-status'));
    expect(transport.every((code) => code === 'http-status')).toBe(true);
    expect(event).toEqual(['invalid-json']);
  });

  test('hooks with two URLs open two connections, each with its own events', async () => {
    const { server, hooks } = await setup();
    const other = server.url.replace(/\/events$/, '/jobs');
    function Logs({ id, url }: { id: string; url?: string }) {
      const { events: list } = hooks.useServerEvents({ url, types: ['log'] });
      return <p data-testid={id}>{list.map((e) => e.data.message).join(',')}</p>;
    }
    render(
      <>
        <Logs id="a" />
        <Logs id="b" url={other} />
        <Logs id="c" url={other} />
      </>,
    );
    await eventually(() => expect(server.open()).toHaveLength(2));
    expect(server.connections.map((c) => c.req.url).sort()).toEqual(['/events', '/jobs']);
    for (const c of server.open()) {
      c.res.write(`event: log\ndata: {"level":"info","message":"${c.req.url}"}\n\n`);
    }
    await eventually(() => expect(screen.getByTestId('c').textContent).toBe('/jobs'));
    expect(screen.getByTestId('a').textContent).toBe('/events');
    expect(screen.getByTestId('b').textContent).toBe('/jobs');
  });
});
