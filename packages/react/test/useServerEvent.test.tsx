// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import { InvalidFieldError, SsekitError, ValidationError } from '@ssekit/core';
import { act, cleanup, render } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import { createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

afterEach(cleanup);

function setup() {
  const stream = createTestStream(events, { state: 'open' });
  const onEvent = vi.spyOn(stream, 'onEvent');
  const connect = vi.fn(stream.connect);
  const hooks = createServerEventsHooks(events, { url: '/events', connect });
  return { stream, connect, onEvent, hooks };
}

describe('useServerEvent', () => {
  test('calls the latest inline handler without reconnecting or resubscribing', async () => {
    const { stream, connect, onEvent, hooks } = setup();
    const calls: string[] = [];
    let rerender!: (n: number) => void;
    function Toasts() {
      const [n, setN] = useState(0);
      rerender = setN;
      // A new closure every render, capturing the render's `n`.
      hooks.useServerEvent('notification', (data, meta) => {
        expectTypeOf(data).toEqualTypeOf<{ id: string; title: string; unread: number }>();
        calls.push(`${n}:${data.title}:${meta.id}`);
      });
      return null;
    }
    render(<Toasts />);
    for (let i = 1; i <= 50; i++) act(() => rerender(i));
    await act(async () =>
      stream.push('notification', { id: 'x', title: 'hi', unread: 1 }, { id: '9' }),
    );
    act(() => rerender(51));
    await act(async () => stream.push('notification', { id: 'y', title: 'yo', unread: 2 }));
    expect(calls).toEqual(['50:hi:9', '51:yo:undefined']);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(onEvent).toHaveBeenCalledTimes(1);
  });

  test('calls the handler only for its own event type', async () => {
    const { stream, hooks } = setup();
    const got = vi.fn();
    function Progress() {
      hooks.useServerEvent('progress', got);
      return null;
    }
    render(<Progress />);
    await act(async () => {
      stream.push('log', { level: 'info', message: 'x' });
      stream.push('progress', { done: 1, total: 2 }, { id: '3' });
    });
    expect(got).toHaveBeenCalledTimes(1);
    expect(got).toHaveBeenCalledWith(
      { done: 1, total: 2 },
      expect.objectContaining({ type: 'progress', id: '3' }),
    );
  });

  test('a throwing handler does not keep the event from other components', async () => {
    const { stream, hooks } = setup();
    const other = vi.fn();
    const boom = new Error('handler bug');
    function Bad() {
      hooks.useServerEvent('log', () => {
        throw boom;
      });
      return null;
    }
    function Good() {
      hooks.useServerEvent('log', other);
      return null;
    }
    render(
      <>
        <Bad />
        <Good />
      </>,
    );
    vi.useFakeTimers();
    try {
      await act(async () => stream.push('log', { level: 'info', message: 'x' }));
      expect(other).toHaveBeenCalledTimes(1);
      // The error is rethrown on its own task, like an uncaught error in a DOM listener.
      expect(() => vi.runOnlyPendingTimers()).toThrow(boom);
    } finally {
      vi.useRealTimers();
    }
  });

  test('useResetEvent and useStreamError receive the hub reset and stream errors', async () => {
    const { stream, hooks } = setup();
    const resets = vi.fn();
    const errors = vi.fn();
    function Watcher() {
      hooks.useResetEvent(resets);
      hooks.useStreamError(errors);
      return null;
    }
    render(<Watcher />);
    const invalid = new SsekitError('schema-mismatch', 'bad payload');
    await act(async () => {
      stream.reset({ reason: 'evicted', lastEventId: '41' });
      stream.error(invalid);
    });
    expect(resets).toHaveBeenCalledWith({ reason: 'evicted', lastEventId: '41' });
    expect(errors).toHaveBeenCalledWith(invalid);
  });

  test('useStreamError with kind splits transport errors from event errors', async () => {
    const { stream, hooks } = setup();
    const transport = vi.fn();
    const event = vi.fn();
    const all = vi.fn();
    function Watcher() {
      hooks.useStreamError(transport, { kind: 'transport' });
      hooks.useStreamError(event, { kind: 'event' });
      hooks.useStreamError(all);
      return null;
    }
    render(<Watcher />);
    const eventErrors = [
      new ValidationError('schema-mismatch', 'notification', 'bad payload'),
      new ValidationError('invalid-json', 'log', 'bad JSON'),
      new InvalidFieldError('id', 'a\u0007', 'cannot be sent back'),
    ];
    const transportErrors = [
      new SsekitError('network', 'cut'),
      new SsekitError('timeout', 'silent'),
      new SsekitError('buffer-overflow', 'too big'),
    ];
    await act(async () => {
      for (const error of [...eventErrors, ...transportErrors]) stream.error(error);
      stream.drop(new SsekitError('http-status', 'HTTP 503'));
      stream.fail(new SsekitError('retries-exhausted', 'gave up'));
    });
    expect(event.mock.calls.map(([e]) => e)).toEqual(eventErrors);
    expect(transport.mock.calls.map(([e]) => e.code)).toEqual([
      'network',
      'timeout',
      'buffer-overflow',
      'retries-exhausted',
    ]);
    expect(all).toHaveBeenCalledTimes(7);
  });
});
