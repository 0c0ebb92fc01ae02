// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import { SsekitError } from '@ssekit/core';
import { act, cleanup, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

afterEach(cleanup);

function setup() {
  const stream = createTestStream(events);
  const connect = vi.fn(stream.connect);
  const hooks = createServerEventsHooks(events, { url: '/events', connect });
  let reconnect!: () => void;
  const identities = new Set<() => void>();
  const onLog = vi.fn();
  function App() {
    const [, setN] = useState(0);
    hooks.useServerEvent('log', onLog);
    reconnect = hooks.useReconnect();
    identities.add(reconnect);
    const { state } = hooks.useConnectionStatus();
    return (
      <button type="button" data-testid="dot" onClick={() => setN((n) => n + 1)}>
        {state}
      </button>
    );
  }
  return { stream, connect, hooks, App, reconnect: () => reconnect(), identities, onLog };
}

const tasks = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('useReconnect', () => {
  test('reconnects the shared connection now, with a stable function', async () => {
    const { stream, connect, App, reconnect, identities } = setup();
    const spy = vi.spyOn(stream, 'reconnect');
    render(<App />);
    act(() => stream.drop());
    await tasks();
    expect(screen.getByTestId('dot').textContent).toBe('reconnecting');
    act(() => screen.getByTestId('dot').click()); // a re-render
    act(reconnect);
    await tasks();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('dot').textContent).toBe('open');
    expect(connect).toHaveBeenCalledTimes(1);
    expect(identities.size).toBe(1);
  });

  test('opens a fresh connection when the old one gave up for good', async () => {
    const { stream, connect, App, reconnect, onLog } = setup();
    render(<App />);
    act(() => stream.fail(new SsekitError('http-status', 'HTTP 401')));
    await tasks();
    expect(screen.getByTestId('dot').textContent).toBe('closed');
    act(reconnect);
    await tasks();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('dot').textContent).toBe('connecting');
    // The fresh stream reaches the components, once each: no listener left over from the old one.
    act(() => stream.push('log', { level: 'info', message: 'back' }));
    await tasks();
    expect(screen.getByTestId('dot').textContent).toBe('open');
    expect(onLog).toHaveBeenCalledTimes(1);
  });

  test('does nothing while no hook listens', () => {
    const { connect, hooks } = setup();
    let reconnect!: () => void;
    function Idle() {
      reconnect = hooks.useReconnect();
      return null;
    }
    render(<Idle />);
    act(reconnect);
    expect(connect).not.toHaveBeenCalled();
  });
});
