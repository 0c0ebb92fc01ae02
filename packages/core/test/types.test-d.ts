import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  defineEvents,
  type EventData,
  type EventInput,
  type EventName,
  type EventOf,
  type,
  validateEvent,
} from '../src/index';

const events = defineEvents({
  notification: z.object({ id: z.string(), title: z.string(), unread: z.number() }),
  'sync.progress': z.object({ page: z.number(), totalPages: z.number() }),
  'user.deleted': type<{ id: string }>(),
  parsed: z.string().transform((s) => s.length),
});
type Events = typeof events;

/** What a publish function typed from the schema looks like (the server's `publish`). */
declare function publish<K extends EventName<Events>>(name: K, data: EventInput<Events, K>): void;

describe('schema types', () => {
  it('infers the exact event names', () => {
    expectTypeOf<EventName<Events>>().toEqualTypeOf<
      'notification' | 'sync.progress' | 'user.deleted' | 'parsed'
    >();
  });

  it('infers exact payload types, input and output', () => {
    expectTypeOf<EventData<Events, 'notification'>>().toEqualTypeOf<{
      id: string;
      title: string;
      unread: number;
    }>();
    expectTypeOf<EventData<Events, 'user.deleted'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<EventInput<Events, 'parsed'>>().toEqualTypeOf<string>();
    expectTypeOf<EventData<Events, 'parsed'>>().toEqualTypeOf<number>();
  });

  it('makes a wrong event name a compile error', () => {
    // @ts-expect-error — not an event of the schema
    publish('notifications', { id: 'x', title: 't', unread: 1 });
    // @ts-expect-error — not an event of the schema
    expectTypeOf<EventData<Events, 'nope'>>();
  });

  it('makes a wrong payload a compile error', () => {
    publish('notification', { id: 'x', title: 't', unread: 1 });
    // @ts-expect-error — unread must be a number
    publish('notification', { id: 'x', title: 't', unread: '1' });
    // @ts-expect-error — title is missing
    publish('notification', { id: 'x', unread: 1 });
    // @ts-expect-error — payload of another event
    publish('user.deleted', { page: 1, totalPages: 2 });
  });

  it('narrows the event union on type', () => {
    const e = {} as EventOf<Events>;
    if (e.type === 'sync.progress')
      expectTypeOf(e.data).toEqualTypeOf<{ page: number; totalPages: number }>();
    if (e.type === 'user.deleted') expectTypeOf(e.data).toEqualTypeOf<{ id: string }>();
    expectTypeOf(e.id).toEqualTypeOf<string | undefined>();
  });

  it('types the validated value', () => {
    const result = validateEvent(events, 'parsed', 'abc');
    if (!(result instanceof Promise) && result.ok)
      expectTypeOf(result.value).toEqualTypeOf<number>();
  });
});
