// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import type { EventStream } from '@ssekit/client';
import type { EventOf } from '@ssekit/core';
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** Run the per-task notifications (and any due timer) inside act. */
const tick = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

function setup(gracePeriod = 1000) {
  const stream = createTestStream(events);
  const connect = vi.fn(stream.connect);
  const hooks = createServerEventsHooks(events, { url: '/events', connect, gracePeriod });
  function Status({ id }: { id: string }) {
    return <p data-testid={id}>{hooks.useConnectionStatus().state}</p>;
  }
  return { stream, connect, hooks, Status };
}

describe('shared connections', () => {
  test('five components share one connection', async () => {
    const { stream, connect, hooks, Status } = setup();
    function Logs() {
      return <p>{hooks.useServerEvents().events.length}</p>;
    }
    function Toast() {
      hooks.useServerEvent('notification', () => {});
      return null;
    }
    render(
      <>
        <Status id="a" />
        <Status id="b" />
        <Logs />
        <Logs />
        <Toast />
      </>,
    );
    await tick();
    expect(connect).toHaveBeenCalledTimes(1);
    stream.open();
    await tick();
    expect(screen.getByTestId('a').textContent).toBe('open');
    expect(screen.getByTestId('b').textContent).toBe('open');
  });

  test('StrictMode mounts, unmounts and remounts on one connection', async () => {
    const { stream, connect, Status } = setup();
    render(
      <StrictMode>
        <Status id="a" />
      </StrictMode>,
    );
    await tick(5000);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(stream.closed).toBe(false);
  });

  test('closes the connection a grace period after the last consumer unmounts', async () => {
    const { stream, connect, Status } = setup(1000);
    const view = render(
      <>
        <Status id="a" />
        <Status id="b" />
      </>,
    );
    view.rerender(<Status id="a" />);
    await tick(5000);
    expect(stream.closed).toBe(false);
    view.unmount();
    await tick(999);
    expect(stream.closed).toBe(false);
    await tick(1);
    expect(stream.closed).toBe(true);
    expect(connect).toHaveBeenCalledTimes(1);
  });

  test('a consumer that remounts within the grace period keeps the connection', async () => {
    const { stream, connect, Status } = setup(1000);
    const first = render(<Status id="a" />);
    await tick();
    stream.open();
    first.unmount();
    await tick(500);
    render(<Status id="a" />);
    await tick(5000);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('a').textContent).toBe('open');
  });

  test('unmounting during a pending reconnect closes the stream, stopping its retry', async () => {
    const { stream, Status } = setup(1000);
    const view = render(<Status id="a" />);
    stream.open();
    stream.drop(undefined, 30_000);
    await tick();
    expect(screen.getByTestId('a').textContent).toBe('reconnecting');
    view.unmount();
    await tick(1000);
    expect(stream.closed).toBe(true);
  });

  test('keys connections on URL and credentials key, not on option objects', async () => {
    const stream = createTestStream(events);
    const connect = vi.fn(stream.connect);
    const hooks = createServerEventsHooks(events, { connect });
    function App({ user, token }: { user: string; token: string }) {
      return (
        <hooks.ServerEventsProvider
          url="/events"
          credentialsKey={user}
          headers={{ authorization: `Bearer ${token}` }}
          options={{ retry: { initial: 100 } }}
        >
          <Count />
        </hooks.ServerEventsProvider>
      );
    }
    function Count() {
      return <p>{hooks.useServerEvents().version}</p>;
    }
    const view = render(<App user="ada" token="t1" />);
    await tick();
    for (let i = 2; i <= 20; i++) view.rerender(<App user="ada" token={`t${i}`} />);
    await tick();
    expect(connect).toHaveBeenCalledTimes(1);
    expect(connect.mock.calls[0]?.[0]).toBe('/events');
    // Headers are read on every (re)connect: the latest render's token is used.
    const headers = stream.options?.headers as (ctx: unknown) => HeadersInit;
    expect(headers({})).toEqual({ authorization: 'Bearer t20' });
    expect(stream.options?.retry).toEqual({ initial: 100 });
    expect(stream.options?.events).toBe(events);
    view.rerender(<App user="grace" token="g1" />);
    await tick();
    expect(connect).toHaveBeenCalledTimes(2);
    await tick(1000);
  });

  test('ignores events from a connection after it was closed', async () => {
    // A stream that keeps emitting after close() (a late chunk already in flight).
    const emitters: ((e: EventOf<typeof events>) => void)[] = [];
    const real = createTestStream(events);
    const leaky = (): EventStream<typeof events> => ({
      ...real,
      onEvent(handler) {
        emitters.push(handler);
        return () => {};
      },
      subscribe: real.subscribe,
      getSnapshot: real.getSnapshot,
      close: real.close,
    });
    const hooks = createServerEventsHooks(events, { url: '/e', connect: leaky, gracePeriod: 0 });
    const seen: string[] = [];
    function Listener() {
      hooks.useServerEvent('log', (data) => seen.push(data.message));
      return null;
    }
    const first = render(<Listener />);
    await tick();
    const old = emitters[0]!;
    old({ type: 'log', data: { level: 'info', message: 'live' }, id: undefined });
    first.unmount();
    await tick(10);
    render(<Listener />);
    await tick();
    old({ type: 'log', data: { level: 'info', message: 'stale' }, id: undefined });
    emitters[1]!({ type: 'log', data: { level: 'info', message: 'new' }, id: undefined });
    expect(emitters).toHaveLength(2);
    expect(seen).toEqual(['live', 'new']);
  });
});
