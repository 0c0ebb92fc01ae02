// biome-ignore-all lint/correctness/noComponentHookFactories: each test makes its own hooks over a fresh test stream
import { SsekitError } from '@ssekit/core';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type ConnectionStatus, createServerEventsHooks } from '../src/index';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

beforeEach(() => {
  vi.useFakeTimers({ now: 10_000 });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const tick = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));

function setup() {
  const stream = createTestStream(events);
  const hooks = createServerEventsHooks(events, { url: '/events', connect: stream.connect });
  const seen: ConnectionStatus[] = [];
  function Dot({ lostAfter }: { lostAfter?: number }) {
    const status = hooks.useConnectionStatus({ lostAfter });
    if (seen.at(-1) !== status) seen.push(status);
    return <p data-testid="dot">{status.state}</p>;
  }
  return { stream, seen, Dot };
}

describe('useConnectionStatus', () => {
  test('reports idle, connecting, open, reconnecting with attempt and retryAt, then closed', async () => {
    const { stream, seen, Dot } = setup();
    render(<Dot />);
    expect(seen[0]?.state).toBe('idle');
    await tick();
    expect(screen.getByTestId('dot').textContent).toBe('connecting');
    stream.open();
    await tick();
    const lost = new SsekitError('http-status', 'HTTP 502');
    stream.drop(lost, 4000);
    await tick();
    expect(seen.at(-1)).toMatchObject({
      state: 'reconnecting',
      attempt: 1,
      error: lost,
      retryAt: 14_000,
    });
    stream.drop(lost, 8000);
    await tick();
    expect(seen.at(-1)).toMatchObject({ attempt: 2, retryAt: 18_000 });
    stream.fail();
    await tick();
    expect(seen.map((s) => s.state)).toEqual([
      'idle',
      'connecting',
      'open',
      'reconnecting',
      'reconnecting',
      'closed',
    ]);
    expect(seen.at(-1)?.error?.code).toBe('retries-exhausted');
  });

  test('with lostAfter, a brief reconnect keeps reporting open', async () => {
    const { stream, seen, Dot } = setup();
    render(<Dot lostAfter={2000} />);
    await tick();
    stream.open();
    await tick();
    stream.drop();
    await tick(1500);
    expect(screen.getByTestId('dot').textContent).toBe('open');
    stream.reconnect();
    await tick(5000);
    expect(seen.map((s) => s.state)).toEqual(['idle', 'connecting', 'open', 'open']);
  });

  test('with lostAfter, a connection down for longer is reported lost once the time is up', async () => {
    const { stream, Dot } = setup();
    render(<Dot lostAfter={2000} />);
    await tick();
    stream.open();
    await tick();
    stream.drop();
    await tick(1999);
    expect(screen.getByTestId('dot').textContent).toBe('open');
    await tick(1);
    expect(screen.getByTestId('dot').textContent).toBe('reconnecting');
    stream.reconnect();
    await tick();
    expect(screen.getByTestId('dot').textContent).toBe('open');
  });
});
