import { defineEvents, type ResetNotice, type SsekitError, type } from '@ssekit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { connect, type EventMeta, type StreamStatus } from '../src/index';
import { sseHandler } from '../src/msw';
import { connect as connectShared } from '../src/tabs';

const events = defineEvents({
  notification: z.object({ title: z.string(), unread: z.number() }),
  'user.deleted': type<{ id: string }>(),
});

describe('connect() types', () => {
  it('types handler payloads from the schema', () => {
    const stream = connect('/events', { events });
    stream.on('notification', (data, meta) => {
      expectTypeOf(data).toEqualTypeOf<{ title: string; unread: number }>();
      expectTypeOf(meta).toEqualTypeOf<EventMeta>();
    });
    stream.on('user.deleted', (data) => expectTypeOf(data).toEqualTypeOf<{ id: string }>());
    // @ts-expect-error not an event of the schema
    stream.on('nope', () => {});
    stream.onReset((notice) => expectTypeOf(notice).toEqualTypeOf<ResetNotice>());
    stream.onError((error) => expectTypeOf(error).toEqualTypeOf<SsekitError>());
    expectTypeOf(stream.on('notification', () => {})).toEqualTypeOf<() => void>();
  });

  it('makes for-await and onEvent a discriminated union', () => {
    const stream = connect('/events', { events });
    stream.onEvent((e) => {
      if (e.type === 'user.deleted') expectTypeOf(e.data).toEqualTypeOf<{ id: string }>();
      else expectTypeOf(e.data).toEqualTypeOf<{ title: string; unread: number }>();
      expectTypeOf(e.id).toEqualTypeOf<string | undefined>();
    });
  });

  it('leaves untyped streams open: any name, any data', () => {
    const stream = connect('/events');
    stream.on('anything', (data, meta) => {
      expectTypeOf(data).toBeAny();
      expectTypeOf(meta.type).toBeString();
    });
  });

  it('exposes an immutable-looking status snapshot and a typed headers context', () => {
    const stream = connect('/events', {
      headers: ({ attempt, lastEventId, signal }) => {
        expectTypeOf(attempt).toBeNumber();
        expectTypeOf(lastEventId).toEqualTypeOf<string | undefined>();
        expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
        return { Authorization: 'Bearer x' };
      },
    });
    expectTypeOf(stream.getSnapshot()).toEqualTypeOf<StreamStatus>();
    expectTypeOf(stream.status.state).toEqualTypeOf<
      'connecting' | 'open' | 'reconnecting' | 'closed'
    >();
  });
});

describe('reconnect() and the msw helper', () => {
  it('has reconnect(): void', () => {
    expectTypeOf(connect('/events').reconnect).toEqualTypeOf<() => void>();
  });

  it('types sseHandler sends by the schema, taking the input type', () => {
    sseHandler(events, '/events', ({ client, lastEventId, request }) => {
      expectTypeOf(lastEventId).toEqualTypeOf<string | undefined>();
      expectTypeOf(request).toExtend<Request>();
      client.send('notification', { title: 't', unread: 1 }, { id: '1' });
      // @ts-expect-error wrong payload for the event
      client.send('notification', { title: 't' });
      // @ts-expect-error not an event of the schema
      client.send('nope', {});
      client.reset({ reason: 'epoch' });
      client.raw.send({ event: 'anything', data: 'raw text' });
    });
  });
});

describe('connect of @ssekit/client/tabs', () => {
  it('takes shareAcrossTabs and shareKey and returns the same typed stream', () => {
    const stream = connectShared('/events', { events, shareAcrossTabs: true, shareKey: 'u1' });
    expectTypeOf(stream).toEqualTypeOf<ReturnType<typeof connect<typeof events>>>();
    stream.on('notification', (data) => {
      expectTypeOf(data).toEqualTypeOf<{ title: string; unread: number }>();
    });
    // @ts-expect-error shareKey is a string (a user or session id)
    connectShared('/events', { shareAcrossTabs: true, shareKey: 1 });
  });
});
