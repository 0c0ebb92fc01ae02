import type { StreamStatus } from '@ssekit/client';
import { SsekitError } from '@ssekit/core';
import { describe, expect, test, vi } from 'vitest';
import { createTestStream } from '../src/testing';
import { events } from './fixtures';

describe('createTestStream', () => {
  test('delivers pushed events to on, onEvent and for await, typed by the schema', async () => {
    const stream = createTestStream(events);
    const seen: string[] = [];
    stream.on('log', (data, meta) => seen.push(`on:${data.message}:${meta.id}`));
    stream.onEvent((e) => seen.push(`any:${e.type}`));
    const iterator = stream[Symbol.asyncIterator]();
    stream.push('log', { level: 'info', message: 'a' }, { id: '1' });
    stream.push('progress', { done: 1, total: 2 });
    expect(seen).toEqual(['on:a:1', 'any:log', 'any:progress']);
    expect(stream.lastEventId).toBe('1');
    expect(await iterator.next()).toEqual({
      done: false,
      value: { type: 'log', data: { level: 'info', message: 'a' }, id: '1' },
    });
    expect((await iterator.next()).value).toMatchObject({ type: 'progress' });
    const pending = iterator.next();
    stream.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  test('moves through connecting, open, reconnecting and closed with new snapshots', () => {
    const stream = createTestStream(events, { now: () => 1_000 });
    const snapshots: StreamStatus[] = [];
    stream.subscribe((status) => snapshots.push(status)); // at once, then on each change
    stream.open();
    const lost = new SsekitError('http-status', 'HTTP 503');
    stream.drop(lost, 4000);
    stream.reconnect();
    stream.fail();
    expect(snapshots.map((s) => s.state)).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'open',
      'closed',
    ]);
    expect(snapshots[2]).toMatchObject({ attempt: 1, error: lost, retryAt: 5000 });
    expect(snapshots[4]?.error?.code).toBe('retries-exhausted');
    expect(new Set(snapshots).size).toBe(snapshots.length);
    expect(Object.isFrozen(snapshots[1])).toBe(true);
    expect(stream.closed).toBe(true);
  });

  test('reports errors and resets to their listeners', () => {
    const stream = createTestStream(events);
    const onError = vi.fn();
    const onReset = vi.fn();
    stream.onError(onError);
    stream.onReset(onReset);
    const invalid = new SsekitError('schema-mismatch', 'bad payload');
    stream.error(invalid);
    stream.reset({ reason: 'epoch', lastEventId: '7' });
    expect(onError).toHaveBeenCalledWith(invalid);
    expect(onReset).toHaveBeenCalledWith({ reason: 'epoch', lastEventId: '7' });
    expect(stream.status.state).toBe('connecting');
  });

  test('refuses unknown event names and pushes after close', () => {
    const stream = createTestStream(events);
    // @ts-expect-error not an event of the schema
    expect(() => stream.push('nope', {})).toThrow(/not an event of this schema/);
    stream.close();
    expect(() => stream.push('log', { level: 'info', message: 'late' })).toThrow(/closed/);
  });

  test('records connect calls and re-opens when connected again after close', () => {
    const stream = createTestStream(events, { state: 'open' });
    expect(stream.connect('/a', { retry: { initial: 5 } })).toBe(stream);
    stream.close();
    stream.connect('/b');
    expect(stream.connects).toBe(2);
    expect(stream.url).toBe('/b');
    expect(stream.status.state).toBe('open');
    expect(stream.closed).toBe(false);
  });
});
