import { defineEvents, type } from '@ssekit/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createFetchHandler, createFetchStream } from '../src/adapters/fetch';
import {
  createEventStream,
  createHub,
  type EventStreamWriter,
  type StreamSink,
} from '../src/index';

const events = defineEvents({
  notification: type<{ id: string; unread: number }>(),
  'user.deleted': type<{ id: string }>(),
});

declare const sink: StreamSink;

describe('types', () => {
  it('types send and publish from the schema', () => {
    const stream = createEventStream(sink, { events });
    stream.send('notification', { id: 'a', unread: 1 });
    // @ts-expect-error unknown event name
    stream.send('nope', {});
    // @ts-expect-error wrong payload
    stream.send('user.deleted', { id: 1 });

    const hub = createHub({ events });
    expectTypeOf(hub.publish('user.deleted', { id: 'u' }, { to: ['a', 'b'] })).toEqualTypeOf<
      Promise<string>
    >();
    // @ts-expect-error missing field
    void hub.publish('notification', { id: 'a' });
  });

  it('accepts any event without a schema', () => {
    const stream = createEventStream(sink);
    expectTypeOf(stream.send('anything', { x: 1 })).toEqualTypeOf<boolean>();
  });

  it('hands onStream a stream typed by the handler schema', () => {
    createFetchHandler({
      events,
      onStream: (stream) => {
        expectTypeOf(stream).toEqualTypeOf<EventStreamWriter<typeof events>>();
      },
    });
    const { stream } = createFetchStream(new Request('http://x'), { events });
    expectTypeOf(stream).toEqualTypeOf<EventStreamWriter<typeof events>>();
  });
});
