/**
 * `@ssekit/client` under msw's `sse()` and the typed `sseHandler` of `@ssekit/client/msw`:
 * matching, resume, cuts, `reconnect()` with a new token, and the helper's schema checks.
 */
import { defineEvents, isSsekitError, type } from '@ssekit/core';
import { sse } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connect } from '../src/index';
import { createSseClient, sseHandler } from '../src/msw';
import { statusWhere, until, useMsw } from './fixtures';

const events = defineEvents({
  notification: z.object({ title: z.string(), unread: z.number().int() }),
  'user.deleted': type<{ id: string }>(),
});

const URL = 'http://api.test/events';
const server = useMsw();

describe('the client under msw', () => {
  it('is matched by sse(): it sends Accept: text/event-stream and gets typed events', async () => {
    const seen: { accept: string | null; method: string }[] = [];
    server.use(
      sseHandler(events, URL, ({ client, request }) => {
        seen.push({ accept: request.headers.get('accept'), method: request.method });
        client.send('notification', { title: 'Hi', unread: 1 }, { id: '1' });
      }),
    );
    const stream = connect(URL, { events });
    const got = await new Promise((resolve) => stream.on('notification', resolve));
    stream.close();
    expect(got).toEqual({ title: 'Hi', unread: 1 });
    expect(seen).toEqual([{ accept: 'text/event-stream', method: 'GET' }]);
  });

  it('resumes with Last-Event-ID after the mock ends the response', async () => {
    const resumedFrom: (string | undefined)[] = [];
    server.use(
      sseHandler(events, URL, ({ client, lastEventId }) => {
        resumedFrom.push(lastEventId);
        if (lastEventId) return client.send('user.deleted', { id: 'after' }, { id: 'é-2' });
        client.retry(10);
        client.send('user.deleted', { id: 'before' }, { id: 'é-1' });
        client.close();
      }),
    );
    const stream = connect(URL, { events, retry: { jitter: 0, min: 0 } });
    const ids: string[] = [];
    stream.on('user.deleted', (data) => ids.push(data.id));
    await until(() => ids.length === 2);
    stream.close();
    expect(ids).toEqual(['before', 'after']);
    // The id went out as UTF-8 and came back decoded.
    expect(resumedFrom).toEqual([undefined, 'é-1']);
  });

  it('reports a cut from client.error() as a network error and retries', async () => {
    let requests = 0;
    server.use(
      sseHandler(events, URL, ({ client }) => {
        if (++requests === 1) {
          client.retry(10);
          setTimeout(() => client.error(), 5);
        }
      }),
    );
    const stream = connect(URL, { events, retry: { jitter: 0, min: 0 } });
    const errors: string[] = [];
    stream.onError((e) => errors.push(e.code));
    await until(() => requests === 2);
    await statusWhere(stream, (s) => s.state === 'open');
    stream.close();
    expect(errors).toEqual(['network']);
  });

  it("closes for good on client.end(), as on the server's final close", async () => {
    let requests = 0;
    server.use(
      sseHandler(events, URL, ({ client }) => {
        requests++;
        client.send('user.deleted', { id: 'last' });
        client.end();
      }),
    );
    const stream = connect(URL, { events, retry: { min: 0, initial: 10 } });
    const ids: string[] = [];
    stream.on('user.deleted', (data) => ids.push(data.id));
    const status = await statusWhere(stream, (s) => s.state === 'closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(status).toMatchObject({ reason: 'ended-by-server', error: undefined });
    expect(ids).toEqual(['last']);
    expect(requests).toBe(1);
  });

  it('reconnect() sends a new request at once with the new token and the Last-Event-ID', async () => {
    const seen: { auth: string | null; lastEventId: string | undefined }[] = [];
    const signals: AbortSignal[] = [];
    server.use(
      sseHandler(events, URL, ({ client, request, lastEventId }) => {
        seen.push({ auth: request.headers.get('authorization'), lastEventId });
        signals.push(request.signal);
        client.send('user.deleted', { id: String(seen.length) }, { id: `e${seen.length}` });
      }),
    );
    let token = 'old';
    const stream = connect(URL, {
      events,
      headers: () => ({ Authorization: `Bearer ${token}` }),
      retry: { initial: 60_000 }, // a drop alone would not reconnect within the test
    });
    const ids: string[] = [];
    const errors: unknown[] = [];
    stream.on('user.deleted', (data) => ids.push(data.id));
    stream.onError((e) => errors.push(e));
    await until(() => ids.length === 1);
    token = 'new';
    stream.reconnect();
    await until(() => ids.length === 2);
    expect(stream.status).toMatchObject({ state: 'open', attempt: 0, error: undefined });
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]); // the old one is gone
    stream.close();
    expect(seen).toEqual([
      { auth: 'Bearer old', lastEventId: undefined },
      { auth: 'Bearer new', lastEventId: 'e1' },
    ]);
    expect(errors).toEqual([]);
  });
});

describe('sseHandler', () => {
  it('refuses a payload the schema refuses, where the mock sends it', () => {
    const sent: unknown[] = [];
    const raw = { send: (frame: unknown) => sent.push(frame) } as never;
    const client = createSseClient(events, raw);
    // @ts-expect-error unread must be a number
    expect(() => client.send('notification', { title: 'x', unread: '1' })).toThrow(
      expect.objectContaining({ name: 'ValidationError', code: 'schema-mismatch' }),
    );
    expect(() => client.send('notification', { title: 'x', unread: 1.5 })).toThrow(/unread/);
    // @ts-expect-error not an event of the schema
    expect(() => client.send('user.created', {})).toThrow(TypeError);
    expect(() => client.send('user.deleted', { id: 'a' }, { id: 'a\nb' })).toThrow(
      expect.objectContaining({ code: 'invalid-field' }),
    );
    expect(sent).toEqual([]);
    client.send('user.deleted', { id: 'a' }, { id: '7' });
    expect(sent).toEqual([{ event: 'user.deleted', data: '{"id":"a"}', id: '7' }]);
  });

  it('keeps send order across an async validator and reports its refusal', async () => {
    const slowlyChecked = defineEvents({
      slow: {
        '~standard': {
          version: 1 as const,
          vendor: 'test',
          validate: async (value: unknown) =>
            value === 'bad' ? { issues: [{ message: 'bad' }] } : { value },
        },
      },
      fast: type<number>(),
    });
    const sent: unknown[] = [];
    const client = createSseClient(slowlyChecked, {
      send: (frame: { data: string }) => sent.push(frame.data),
    } as never);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      client.send('fast', 1);
      client.send('slow', 'ok' as never);
      client.send('fast', 2);
      client.send('slow', 'bad' as never);
      client.send('fast', 3);
      await until(() => sent.length === 4 && uncaught.length === 1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(sent).toEqual(['1', '"ok"', '2', '3']);
    expect(isSsekitError(uncaught[0], 'schema-mismatch')).toBe(true);
  });

  it('works inside a plain sse() handler through createSseClient', async () => {
    server.use(
      sse(URL, ({ client }) => {
        createSseClient(events, client).send('notification', { title: 'plain', unread: 0 });
      }),
    );
    const stream = connect(URL, { events });
    const got = await new Promise((resolve) => stream.on('notification', resolve));
    stream.close();
    expect(got).toEqual({ title: 'plain', unread: 0 });
  });

  it('says how to fix a runtime without a global EventSource', () => {
    const saved = globalThis.EventSource;
    delete (globalThis as { EventSource?: unknown }).EventSource;
    try {
      expect(() => sseHandler(events, URL, () => {})).toThrow(/globalThis.EventSource/);
    } finally {
      globalThis.EventSource = saved;
    }
  });
});
