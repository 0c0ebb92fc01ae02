// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import { act } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

afterEach(() => {
  document.body.innerHTML = '';
});

function setup() {
  const stream = createTestStream(events, { state: 'open' });
  const connect = vi.fn(stream.connect);
  const hooks = createServerEventsHooks(events, { url: '/events', connect });
  function App() {
    const status = hooks.useConnectionStatus();
    const { events: list, state } = hooks.useServerEvents({
      reduce: (n: number) => n + 1,
      initial: 0,
      keep: 5,
    });
    hooks.useServerEvent('log', () => {});
    hooks.useResetEvent(() => {});
    return (
      <p>
        {status.state}|{list.length}|{state}
      </p>
    );
  }
  return { stream, connect, hooks, App };
}

describe('server rendering', () => {
  test('renderToString opens no connection and renders the idle state', () => {
    const { connect, hooks, App } = setup();
    const html = renderToString(
      <hooks.ServerEventsProvider url="/other" headers={{ authorization: 'Bearer x' }}>
        <App />
      </hooks.ServerEventsProvider>,
    );
    expect(html).toBe('<p>idle<!-- -->|<!-- -->0<!-- -->|<!-- -->0</p>');
    expect(renderToString(<App />)).toBe(html);
    expect(connect).not.toHaveBeenCalled();
  });

  test('hydrates the server HTML without a mismatch, then connects', async () => {
    const { stream, connect, App } = setup();
    const container = document.createElement('div');
    container.innerHTML = renderToString(<App />);
    document.body.append(container);
    const recoverable = vi.fn();
    const consoleError = vi.spyOn(console, 'error');
    let root!: ReturnType<typeof hydrateRoot>;
    await act(async () => {
      root = hydrateRoot(container, <App />, { onRecoverableError: recoverable });
    });
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(recoverable).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
    expect(connect).toHaveBeenCalledTimes(1);
    expect(container.textContent).toBe('open|0|0');
    await act(async () => stream.push('log', { level: 'info', message: 'x' }));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(container.textContent).toBe('open|1|1');
    consoleError.mockRestore();
    act(() => root.unmount());
  });
});
