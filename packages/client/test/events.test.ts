/** Typed handlers, validation, the reset notice and handler isolation. */
import { defineEvents, type } from '@ssekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { connect } from '../src/index';
import { sseHandler, type TypedSseClient } from '../src/msw';
import { chunkedResponse, scriptedFetch, statusWhere, until, useMsw } from './fixtures';

const events = defineEvents({
  notification: z.object({ title: z.string(), unread: z.number() }),
  'user.deleted': type<{ id: string }>(),
});

const URL = 'http://api.test/events';
const server = useMsw();

/**
 * Connect to an msw `sse()` mock that runs `script` on each request and keeps
 * the stream open. `client.send` is typed and checked by the schema; `client.raw` writes anything.
 */
function play(
  script: (client: TypedSseClient<typeof events>) => void,
  options: Parameters<typeof connect>[1] = {},
) {
  server.use(sseHandler(events, URL, ({ client }) => script(client)));
  return connect(URL, options);
}

afterEach(() => {
  vi.restoreAllMocks();
});

const twoMessages = ({ raw }: TypedSseClient<typeof events>) => {
  raw.send({ data: '1' });
  raw.send({ data: '2' });
};

describe('typed events', () => {
  it('passes validated payloads and metadata to on(type) handlers', async () => {
    const stream = play(
      (client) => {
        client.send('notification', { title: 'Hi', unread: 2 }, { id: '1' });
        client.send('user.deleted', { id: 'u1' });
      },
      { events },
    );
    const got: unknown[] = [];
    stream.on('notification', (data, meta) => got.push([data.title, data.unread, meta]));
    stream.on('user.deleted', (data, meta) => got.push([data.id, meta]));
    await until(() => got.length === 2);
    stream.close();
    expect(got).toEqual([
      ['Hi', 2, expect.objectContaining({ type: 'notification', id: '1' })],
      ['u1', expect.objectContaining({ type: 'user.deleted', id: undefined })],
    ]);
  });

  it('reports bad JSON and schema failures as typed errors, skips them and goes on', async () => {
    const stream = play(
      ({ raw }) => {
        raw.send({ event: 'notification', data: '{"title":', id: '1' });
        raw.send({ event: 'notification', data: '{"title":"x","unread":"many"}', id: '2' });
        raw.send({ event: 'notification', data: '{"title":"ok","unread":1}', id: '3' });
      },
      { events },
    );
    const errors: any[] = [];
    const titles: string[] = [];
    stream.onError((e) => errors.push(e));
    stream.on('notification', (data) => titles.push(data.title));
    await until(() => titles.length === 1);
    stream.close();
    expect(titles).toEqual(['ok']);
    expect(errors.map((e) => [e.name, e.code, e.event, e.id])).toEqual([
      ['ValidationError', 'invalid-json', 'notification', '1'],
      ['ValidationError', 'schema-mismatch', 'notification', '2'],
    ]);
    expect(errors[1].issues[0].path).toEqual(['unread']);
    expect(stream.lastEventId).toBe('3');
  });

  it('drops events the schema does not know, with one warning per name', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stream = play(
      ({ raw }) => {
        raw.send({ event: 'legacy', data: '1' });
        raw.send({ event: 'legacy', data: '2' });
        raw.send({ data: '3' }); // the default type, `message`
        raw.send({ event: 'user.deleted', data: '{"id":"a"}' });
      },
      { events },
    );
    const seen: string[] = [];
    stream.onEvent((e) => seen.push(e.type));
    await until(() => seen.length === 1);
    stream.close();
    expect(seen).toEqual(['user.deleted']);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]![0])).toContain('"legacy"');
  });

  it('keeps arrival order across an async validator', async () => {
    const slow = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: async (value: unknown) => {
          await new Promise((r) => setTimeout(r, 20));
          return { value };
        },
      },
    };
    const mixed = defineEvents({ slow, fast: type<number>() });
    const stream = play(
      ({ raw }) => {
        for (const [event, data] of [
          ['fast', '1'],
          ['slow', '2'],
          ['fast', '3'],
          ['slow', '4'],
        ]) {
          raw.send({ event, data });
        }
      },
      { events: mixed },
    );
    const order: unknown[] = [];
    stream.onEvent((e) => order.push(e.data));
    await until(() => order.length === 4);
    stream.close();
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('surfaces the hub reset control event through onReset only', async () => {
    const stream = play(
      (client) => {
        client.reset({ lastEventId: '9' });
        client.send('user.deleted', { id: 'b' });
      },
      { events },
    );
    const resets: unknown[] = [];
    const all: string[] = [];
    stream.onReset((notice) => resets.push(notice));
    stream.onEvent((e) => all.push(e.type));
    await until(() => all.length === 1);
    stream.close();
    expect(resets).toEqual([{ reason: 'evicted', lastEventId: '9' }]);
    expect(all).toEqual(['user.deleted']);
  });

  it('parses untyped payloads with the serializer and names them by event', async () => {
    const stream = play(({ raw }) => {
      raw.send({ data: '{"a":1}' });
      raw.send({ event: 'tick', data: '2' });
    });
    const got: unknown[] = [];
    stream.onEvent((e) => got.push([e.type, e.data]));
    await until(() => got.length === 2);
    stream.close();
    expect(got).toEqual([
      ['message', { a: 1 }],
      ['tick', 2],
    ]);
  });

  it('uses a custom serializer', async () => {
    const serializer = { stringify: String, parse: (t: string) => t.toUpperCase() };
    const stream = play(({ raw }) => raw.send({ data: 'shout' }), { serializer });
    const data = await new Promise((resolve) => stream.on('message', resolve));
    stream.close();
    expect(data).toBe('SHOUT');
  });
});

describe('handlers', () => {
  it('unsubscribes with the function on() returns', async () => {
    const stream = play(twoMessages);
    const a = vi.fn();
    const b = vi.fn();
    const offA = stream.on('message', a);
    stream.on('message', b);
    offA();
    await until(() => b.mock.calls.length === 2);
    stream.close();
    expect(a).not.toHaveBeenCalled();
  });

  it('isolates a throwing handler: others still run and the stream goes on', async () => {
    const thrown: unknown[] = [];
    const onUncaught = (e: unknown) => thrown.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const stream = play(twoMessages);
      const seen: unknown[] = [];
      stream.on('message', () => {
        throw new Error('handler bug');
      });
      stream.on('message', (d) => seen.push(d));
      await until(() => seen.length === 2 && thrown.length === 2);
      expect(stream.status.state).toBe('open');
      stream.close();
      expect(thrown).toEqual([new Error('handler bug'), new Error('handler bug')]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('does not dispatch events parsed after close()', async () => {
    const { fetch } = scriptedFetch(
      () => chunkedResponse(['data: 1\n\ndata: 2\n\n']), // one chunk: both parsed before any dispatch
    );
    const stream = connect('http://x.test/', { fetch });
    const seen: unknown[] = [];
    stream.on('message', (d) => {
      seen.push(d);
      stream.close();
    });
    await statusWhere(stream, (s) => s.state === 'closed');
    expect(seen).toEqual([1]);
  });
});

describe('options', () => {
  it('refuses a lastEventId that would inject header lines', () => {
    expect(() => connect('http://x.test/', { lastEventId: 'a\nb' })).toThrow(
      expect.objectContaining({ code: 'invalid-field' }),
    );
  });

  it.each([{ maxEventSize: 0 }, { inactivityTimeout: -1 }])('refuses %o', (options) => {
    expect(() => connect('http://x.test/', options)).toThrow(
      expect.objectContaining({ code: 'invalid-option' }),
    );
  });
});

describe('the status store', () => {
  /** Svelte's `get(store)` (svelte/store): subscribe, take the value given at once, unsubscribe. */
  function get<T>(store: { subscribe(fn: (value: T) => void): () => void }): T | undefined {
    let value: T | undefined;
    store.subscribe((v) => (value = v))();
    return value;
  }

  it('follows the Svelte store contract: the status at once, then each new one', async () => {
    const stream = play(twoMessages);
    expect(get(stream)).toBe(stream.getSnapshot());
    const seen: string[] = [];
    const off = stream.subscribe((status) => seen.push(status.state));
    expect(seen).toEqual([stream.status.state]);
    await until(() => seen.includes('open'));
    stream.close();
    expect(seen.at(-1)).toBe('closed');
    expect(get(stream)?.state).toBe('closed');
    off();
  });
});
