// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
/** `shareAcrossTabs` on the factory and the provider: what reaches `connect`, and the key. */
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { createServerEventsHooks as createTabHooks } from '../src/tabs';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const tick = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

function setup(options: Parameters<typeof createTabHooks<typeof events>>[1] = {}) {
  const stream = createTestStream(events);
  const connect = vi.fn(stream.connect);
  // The plain factory with a test stream: what reaches `connect` (its types refuse sharing).
  const hooks = createServerEventsHooks(events, {
    url: '/events',
    connect,
    ...options,
  }) as never as ReturnType<typeof createTabHooks<typeof events>>;
  function Status() {
    return <p>{hooks.useConnectionStatus().state}</p>;
  }
  return { connect, hooks, Status };
}

/** Sharing without a credentialsKey: a type error, tried here for what happens at run time. */
const withoutKey = { shareAcrossTabs: true } as object;

describe('shareAcrossTabs', () => {
  test('the factory option reaches connect, with the credentialsKey as shareKey', async () => {
    const { connect, Status } = setup({ shareAcrossTabs: true, credentialsKey: 'user-1' });
    render(<Status />);
    await tick();
    expect(connect).toHaveBeenCalledTimes(1);
    expect(connect.mock.calls[0]![1]).toMatchObject({ shareAcrossTabs: true, shareKey: 'user-1' });
  });

  test('a provider turns it on, and the shared connection is another connection', async () => {
    const { connect, hooks, Status } = setup();
    const view = render(
      <hooks.ServerEventsProvider>
        <Status />
      </hooks.ServerEventsProvider>,
    );
    await tick();
    expect(connect.mock.calls[0]![1]).toMatchObject({ shareAcrossTabs: false });
    view.rerender(
      <hooks.ServerEventsProvider {...withoutKey}>
        <Status />
      </hooks.ServerEventsProvider>,
    );
    await tick();
    expect(connect).toHaveBeenCalledTimes(2);
    expect(connect.mock.calls[1]![1]).toMatchObject({ shareAcrossTabs: true });
    expect(connect.mock.calls[1]![1]!.shareKey).toBeUndefined();
  });

  test.each([
    [
      'the plain @ssekit/react provider',
      createServerEventsHooks,
      'user-1',
      /@ssekit\/client\/tabs/,
    ],
    ['no credentialsKey', createTabHooks, undefined, /needs a shareKey \(React: credentialsKey\)/],
  ])(
    'a sharing mistake (%s) shows in the status; the tree stays mounted',
    async (_, make, key, message) => {
      // Issue 23 item 6: these threw from the store's subscribe, which unmounted the whole app.
      const fetch = vi.fn(() => new Promise<Response>(() => {}));
      const hooks = (make as typeof createTabHooks)(events, { url: 'http://127.0.0.1:9/e', fetch });
      function Status() {
        const { state, error } = hooks.useConnectionStatus();
        return <p>{`${state} ${error?.code ?? ''}: ${error?.message ?? ''}`}</p>;
      }
      const props = { shareAcrossTabs: true, credentialsKey: key } as object;
      const view = render(
        <main>
          <h1>app</h1>
          <hooks.ServerEventsProvider {...props}>
            <Status />
          </hooks.ServerEventsProvider>
        </main>,
      );
      await tick();
      expect(view.getByRole('heading').textContent).toBe('app');
      const text = view.getByText(/^closed invalid-option/).textContent!;
      expect(text).toMatch(message);
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  test('without a credentialsKey, no shareKey: the client refuses to share', async () => {
    const { connect, hooks, Status } = setup();
    render(
      <hooks.ServerEventsProvider {...withoutKey} headers={{ authorization: 'Bearer t' }}>
        <Status />
      </hooks.ServerEventsProvider>,
    );
    await tick();
    expect(connect.mock.calls[0]![1]).toMatchObject({ shareAcrossTabs: true });
    expect(connect.mock.calls[0]![1]!.shareKey).toBeUndefined();
  });

  test('the hooks of @ssekit/react/tabs open streams with the tab-sharing connect', async () => {
    // Node has no Web Locks: the tab-sharing connect falls back to a plain connection, which
    // the fetch below sees; with the plain connect, shareAcrossTabs would throw instead.
    const fetch = vi.fn(() => new Promise<Response>(() => {}));
    const hooks = createTabHooks(events, {
      url: 'http://127.0.0.1:9/e',
      shareAcrossTabs: true,
      credentialsKey: 'user-1',
      fetch,
    });
    function Status() {
      return <p>{hooks.useConnectionStatus().state}</p>;
    }
    render(<Status />);
    await tick();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
