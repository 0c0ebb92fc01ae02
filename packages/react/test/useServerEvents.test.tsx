// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import { act, cleanup, render, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, describe, expect, expectTypeOf, test } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

afterEach(cleanup);

/** Let the per-task notification run inside act. */
const flush = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

function setup(keep?: number) {
  const stream = createTestStream(events, { state: 'open' });
  const hooks = createServerEventsHooks(events, { url: '/events', connect: stream.connect });
  return { stream, hooks, keep };
}

describe('useServerEvents', () => {
  test('gives components the typed events and the status', async () => {
    const { stream, hooks } = setup();
    function Logs() {
      const { events: list, status } = hooks.useServerEvents({ types: ['log'] });
      expectTypeOf<(typeof list)[number]['data']>().toEqualTypeOf<{
        level: 'info' | 'error';
        message: string;
      }>();
      return (
        <ul data-testid="logs" data-state={status.state}>
          {list.map((e) => (
            <li key={e.id}>{e.data.message}</li>
          ))}
        </ul>
      );
    }
    render(<Logs />);
    await act(async () => {
      stream.push('log', { level: 'info', message: 'one' }, { id: '1' });
      stream.push('progress', { done: 1, total: 3 }, { id: '2' });
      stream.push('log', { level: 'error', message: 'two' }, { id: '3' });
    });
    await flush();
    expect(screen.getByTestId('logs').textContent).toBe('onetwo');
    expect(screen.getByTestId('logs').dataset.state).toBe('open');
  });

  test('keeps only the last N events', async () => {
    const { stream, hooks } = setup();
    function Last3() {
      const { events: list, version } = hooks.useServerEvents({ keep: 3 });
      return (
        <p>
          {version}:{list.map((e) => (e.type === 'progress' ? e.data.done : '')).join(',')}
        </p>
      );
    }
    render(<Last3 />);
    for (let i = 1; i <= 10; i++) {
      await act(async () => stream.push('progress', { done: i, total: 10 }));
      if (i % 4 === 0) await flush();
    }
    await flush();
    expect(screen.getByText(/^10:/).textContent).toBe('10:8,9,10');
  });

  test('folds a burst of 30 events into reducer state with one render per component', async () => {
    const { stream, hooks } = setup();
    const renders = { reduce: 0, keep: 0 };
    function Total() {
      const { state, events: list } = hooks.useServerEvents({
        types: ['progress'],
        // A new inline reducer every render: the latest one folds each event.
        reduce: (sum: number, e) => sum + e.data.done,
        initial: 0,
      });
      expectTypeOf(state).toEqualTypeOf<number>();
      return (
        <p data-testid="total" data-kept={list.length}>
          {state}
        </p>
      );
    }
    function Kept() {
      const { events: list } = hooks.useServerEvents({ keep: 100 });
      return <p data-testid="kept">{list.length}</p>;
    }
    render(
      <>
        <Profiler id="reduce" onRender={() => renders.reduce++}>
          <Total />
        </Profiler>
        <Profiler id="keep" onRender={() => renders.keep++}>
          <Kept />
        </Profiler>
      </>,
    );
    renders.reduce = renders.keep = 0;
    await act(async () => {
      for (let i = 1; i <= 30; i++) stream.push('progress', { done: i, total: 30 });
    });
    await flush();
    expect(screen.getByTestId('total').textContent).toBe(String((30 * 31) / 2));
    expect(screen.getByTestId('total').dataset.kept).toBe('0');
    expect(screen.getByTestId('kept').textContent).toBe('30');
    expect(renders.reduce).toBeLessThanOrEqual(2);
    expect(renders.keep).toBeLessThanOrEqual(2);
  });

  test('uses the latest reducer passed on render', async () => {
    const { stream, hooks } = setup();
    function Counter({ step }: { step: number }) {
      const { state } = hooks.useServerEvents({ reduce: (n: number) => n + step, initial: 0 });
      return <p data-testid="n">{state}</p>;
    }
    const view = render(<Counter step={1} />);
    await act(async () => stream.push('log', { level: 'info', message: 'a' }));
    view.rerender(<Counter step={10} />);
    await act(async () => stream.push('log', { level: 'info', message: 'b' }));
    await flush();
    expect(screen.getByTestId('n').textContent).toBe('11');
    expect(stream.connects).toBe(1);
  });

  test('throws a clear error without a URL from the factory or a provider', () => {
    const hooks = createServerEventsHooks(events);
    function Orphan() {
      hooks.useConnectionStatus();
      return null;
    }
    const spy = console.error;
    console.error = () => {};
    try {
      expect(() => render(<Orphan />)).toThrow(/ServerEventsProvider url>/);
    } finally {
      console.error = spy;
    }
  });
});
