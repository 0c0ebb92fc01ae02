// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import { act, cleanup, render, screen } from '@testing-library/react';
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

function setup() {
  const stream = createTestStream(events);
  const connect = vi.fn(stream.connect);
  const hooks = createServerEventsHooks(events, { url: '/events', connect, gracePeriod: 100 });
  function Logs({ enabled }: { enabled?: boolean }) {
    const { events: list, status } = hooks.useServerEvents({ types: ['log'], enabled });
    return <p data-testid="logs">{`${status.state}:${list.map((e) => e.data.message)}`}</p>;
  }
  function Dot({ id, enabled }: { id: string; enabled?: boolean }) {
    return <p data-testid={id}>{hooks.useConnectionStatus({ enabled }).state}</p>;
  }
  return { stream, connect, hooks, Logs, Dot };
}

describe('enabled', () => {
  test('false lets go of the connection (closed after the grace period), true opens it again', async () => {
    const { stream, connect, Dot } = setup();
    const view = render(<Dot id="dot" enabled />);
    await tick();
    act(() => stream.open());
    await tick();
    expect(screen.getByTestId('dot').textContent).toBe('open');
    view.rerender(<Dot id="dot" enabled={false} />);
    await tick();
    expect(screen.getByTestId('dot').textContent).toBe('idle');
    expect(stream.closed).toBe(false); // the grace period
    await tick(100);
    expect(stream.closed).toBe(true);
    view.rerender(<Dot id="dot" enabled />);
    await tick();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('dot').textContent).toBe('connecting');
  });

  test('a paused hook keeps a connection another hook still uses', async () => {
    const { stream, connect, Dot } = setup();
    const view = render(
      <>
        <Dot id="a" />
        <Dot id="b" />
      </>,
    );
    await tick();
    act(() => stream.open());
    view.rerender(
      <>
        <Dot id="a" enabled={false} />
        <Dot id="b" />
      </>,
    );
    await tick(500);
    expect(stream.closed).toBe(false);
    expect(screen.getByTestId('a').textContent).toBe('idle');
    expect(screen.getByTestId('b').textContent).toBe('open');
    expect(connect).toHaveBeenCalledTimes(1);
  });

  test('useServerEvents keeps its events while paused and takes new ones once resumed', async () => {
    const { stream, Logs } = setup();
    const view = render(<Logs />);
    await tick();
    act(() => stream.push('log', { level: 'info', message: 'a' }));
    await tick();
    expect(screen.getByTestId('logs').textContent).toBe('open:a');
    view.rerender(<Logs enabled={false} />);
    await tick();
    expect(screen.getByTestId('logs').textContent).toBe('idle:a');
    view.rerender(<Logs enabled />);
    await tick();
    act(() => stream.push('log', { level: 'info', message: 'b' }));
    await tick();
    expect(screen.getByTestId('logs').textContent).toBe('open:a,b');
  });

  test('a paused handler is not called', async () => {
    const { stream, hooks } = setup();
    const got = vi.fn();
    function Toast({ enabled }: { enabled: boolean }) {
      hooks.useServerEvent('notification', got, { enabled });
      hooks.useConnectionStatus(); // keeps the connection open meanwhile
      return null;
    }
    const view = render(<Toast enabled={false} />);
    await tick();
    act(() => stream.push('notification', { id: '1', title: 'no', unread: 1 }));
    view.rerender(<Toast enabled />);
    await tick();
    act(() => stream.push('notification', { id: '2', title: 'yes', unread: 2 }));
    expect(got).toHaveBeenCalledTimes(1);
    expect(got.mock.calls[0]![0]).toMatchObject({ title: 'yes' });
  });

  test('a provider with enabled={false} pauses every hook below it', async () => {
    const { stream, connect, hooks, Logs, Dot } = setup();
    const app = (enabled: boolean) => (
      <hooks.ServerEventsProvider enabled={enabled}>
        <Logs />
        <Dot id="dot" />
      </hooks.ServerEventsProvider>
    );
    const view = render(app(true));
    await tick();
    act(() => stream.push('log', { level: 'info', message: 'a' }));
    await tick();
    view.rerender(app(false));
    await tick(100);
    expect(stream.closed).toBe(true);
    expect(screen.getByTestId('dot').textContent).toBe('idle');
    expect(screen.getByTestId('logs').textContent).toBe('idle:a');
    view.rerender(app(true));
    await tick();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('dot').textContent).toBe('connecting');
    expect(screen.getByTestId('logs').textContent).toBe('connecting:a');
  });
});
