// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over fresh test streams
import type { ConnectOptions } from '@ssekit/client';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type ConnectFn, createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

afterEach(cleanup);

const tasks = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

/** One test stream per URL behind one stable `connect`. */
function setup() {
  const streams = new Map<string, ReturnType<typeof createTestStream<typeof events>>>();
  const connect = vi.fn<ConnectFn<typeof events>>((url, options) => {
    if (!streams.has(url)) streams.set(url, createTestStream(events));
    return streams.get(url)!.connect(url, options);
  });
  const hooks = createServerEventsHooks(events, { connect });
  function Logs({ id, url }: { id: string; url?: string }) {
    const { events: list } = hooks.useServerEvents({ url, types: ['log'] });
    return <p data-testid={id}>{list.map((e) => e.data.message).join(',')}</p>;
  }
  return { streams, connect, hooks, Logs };
}

describe('a hook with its own url', () => {
  test('two URLs get two connections, each shared by its own hooks', async () => {
    const { streams, connect, hooks, Logs } = setup();
    render(
      <hooks.ServerEventsProvider url="/main">
        <Logs id="main" />
        <Logs id="main-too" url="/main" />
        <Logs id="jobs" url="/jobs" />
        <Logs id="jobs-too" url={new URL('http://x.test/jobs').pathname} />
      </hooks.ServerEventsProvider>,
    );
    await tasks();
    expect(connect.mock.calls.map(([url]) => url)).toEqual(['/main', '/jobs']);
    act(() => {
      streams.get('/main')!.push('log', { level: 'info', message: 'm' });
      streams.get('/jobs')!.push('log', { level: 'info', message: 'j' });
    });
    await tasks();
    expect(screen.getByTestId('main').textContent).toBe('m');
    expect(screen.getByTestId('main-too').textContent).toBe('m');
    expect(screen.getByTestId('jobs').textContent).toBe('j');
    expect(screen.getByTestId('jobs-too').textContent).toBe('j');
  });

  test("uses the provider's latest headers and options and opens on its credentials key", async () => {
    const { streams, connect, hooks, Logs } = setup();
    const app = (token: string, user: string) => (
      <hooks.ServerEventsProvider
        url="/main"
        credentialsKey={user}
        headers={{ authorization: token }}
        options={{ inactivityTimeout: 45_000 }}
      >
        <Logs id="jobs" url="/jobs" />
      </hooks.ServerEventsProvider>
    );
    const view = render(app('t1', 'ann'));
    await tasks();
    const opened = connect.mock.calls[0]![1] as ConnectOptions<typeof events>;
    expect(opened.inactivityTimeout).toBe(45_000);
    const headers = opened.headers as (ctx: never) => HeadersInit;
    expect(headers({} as never)).toEqual({ authorization: 't1' });
    view.rerender(app('t2', 'ann')); // new headers: read on the next attempt, no reconnect
    await tasks();
    expect(headers({} as never)).toEqual({ authorization: 't2' });
    expect(connect).toHaveBeenCalledTimes(1);
    view.rerender(app('t3', 'bob')); // new credentials key: a new connection
    await tasks();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(streams.size).toBe(1); // the same URL, a new connection
  });

  test('works without a provider or a factory URL', async () => {
    const { connect, Logs } = setup();
    render(<Logs id="jobs" url="/jobs" />);
    await tasks();
    expect(connect.mock.calls.map(([url]) => url)).toEqual(['/jobs']);
  });
});
