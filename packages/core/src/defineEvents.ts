import type { StandardSchemaV1, StandardTypedV1 } from '@standard-schema/spec';
import { assertEventName } from './encode';

/**
 * What an event's schema may be: any Standard Schema validator (zod, valibot, arktype, …), or a
 * type-only marker from {@link type} that validates nothing at run time.
 *
 * @example Any Standard Schema, or a type only
 * ```ts
 * import { z } from 'zod';
 *
 * const validated: EventSchemaEntry = z.object({ unread: z.number() });
 * const typedOnly: EventSchemaEntry = type<{ unread: number }>();
 * ```
 */
export type EventSchemaEntry = StandardTypedV1<any, any>;

/**
 * A map from event name (the SSE `event:` field) to its schema.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 *
 * const map = { notification: z.object({ unread: z.number() }) } satisfies EventSchemaMap;
 * export const events = defineEvents(map);
 * ```
 */
export type EventSchemaMap = Record<string, EventSchemaEntry>;

/**
 * The typed event schema shared by server and client, made by {@link defineEvents}.
 * Pass it as `events` to `createHub`, `createEventStream`, `connect` and the React hooks.
 *
 * @example Accepting any schema in your own helper
 * ```ts
 * function eventNames(schema: EventSchema): readonly string[] {
 *   return schema.names; // in declaration order
 * }
 * eventNames(events); // ['notification', 'sync.progress', …]
 * events.has('notification'); // true
 * ```
 */
export interface EventSchema<M extends EventSchemaMap = EventSchemaMap> {
  /** The schemas by event name, as given to {@link defineEvents}. */
  readonly schemas: Readonly<M>;
  /** The event names, in declaration order. */
  readonly names: readonly (keyof M & string)[];
  /** True when `name` is one of this schema's events (own keys only, never `toString` & co). */
  has(name: string): name is keyof M & string;
}

/**
 * Event names of a schema: `EventName<typeof events>` is `'notification' | 'sync.progress' | …`.
 *
 * @example
 * ```ts
 * type Name = EventName<typeof events>; // 'notification' | 'sync.progress' | …
 * const subscribed: Name[] = ['notification', 'user.deleted'];
 * ```
 */
export type EventName<E extends EventSchema> = E['names'][number];

/** @internal The map behind a schema. */
type MapOf<E extends EventSchema> = E extends EventSchema<infer M> ? M : never;

/**
 * What `publish`/`send` accept for an event: the schema's input type.
 *
 * @example A typed publish helper
 * ```ts
 * async function notify(to: string, data: EventInput<typeof events, 'notification'>) {
 *   await hub.publish('notification', data, { to });
 * }
 * ```
 */
export type EventInput<E extends EventSchema, K extends EventName<E>> = StandardTypedV1.InferInput<
  MapOf<E>[K]
>;

/**
 * What handlers receive for an event: the schema's output type.
 *
 * @example A typed handler, declared apart
 * ```ts
 * function onNotification(data: EventData<typeof events, 'notification'>) {
 *   setBadge(data.unread);
 * }
 * ```
 */
export type EventData<E extends EventSchema, K extends EventName<E>> = StandardTypedV1.InferOutput<
  MapOf<E>[K]
>;

/**
 * One received event as a discriminated union on `type`, as yielded by `for await` on a client
 * stream: narrowing on `e.type` types `e.data`.
 *
 * @example Narrowing on the event name
 * ```ts
 * function describe(event: EventOf<typeof events>): string {
 *   if (event.type === 'notification') return event.data.title; // data typed by the narrowing
 *   return event.type;
 * }
 * ```
 */
export type EventOf<E extends EventSchema> = {
  [K in EventName<E>]: {
    /** The event name. */
    type: K;
    /** The (validated) payload. */
    data: EventData<E, K>;
    /** The SSE `id:` of the event, or `undefined` when the server sent none. */
    id: string | undefined;
  };
}[EventName<E>];

/**
 * Define the events a stream carries, once, for server and client alike. Each key is an SSE
 * `event:` name; each value is a Standard Schema validator describing the JSON payload, or
 * {@link type} for a payload that is typed but not validated at run time.
 *
 * @throws {@link InvalidFieldError} when an event name holds CR, LF or NUL, or starts with the
 * reserved `ssekit.` prefix.
 *
 * @example Defining a schema
 * ```ts
 * import { defineEvents, type } from '@ssekit/core';
 * import { z } from 'zod';
 *
 * export const events = defineEvents({
 *   notification: z.object({ id: z.string(), title: z.string(), unread: z.number() }),
 *   'sync.progress': z.object({ page: z.number(), totalPages: z.number() }),
 *   'user.deleted': type<{ id: string }>(),
 * });
 * ```
 */
export function defineEvents<const M extends EventSchemaMap>(schemas: M): EventSchema<M> {
  const names = Object.keys(schemas) as (keyof M & string)[];
  for (const name of names) {
    assertEventName(name);
    const entry = schemas[name] as { '~standard'?: { version?: unknown } } | undefined;
    if (typeof entry?.['~standard'] !== 'object') {
      throw new TypeError(
        `defineEvents: "${name}" is not a Standard Schema; use zod/valibot/arktype or type<T>()`,
      );
    }
  }
  const own = new Set<string>(names);
  return {
    schemas: { ...schemas },
    names,
    has: (name: string): name is keyof M & string => own.has(name),
  };
}

/**
 * A type-only schema: gives the payload type `T` to both sides and validates nothing at run time
 * (a Standard Typed value with no `validate`). Use it for trusted, hot or internal events.
 *
 * @example
 * ```ts
 * const events = defineEvents({ 'user.deleted': type<{ id: string }>() });
 * ```
 */
export function type<T>(): StandardTypedV1<T, T> {
  return { '~standard': { version: 1, vendor: 'ssekit' } } as StandardTypedV1<T, T>;
}

/** True when `schema` can validate at run time (it has a `validate` function). @internal */
export function canValidate(schema: EventSchemaEntry): schema is StandardSchemaV1 {
  return typeof (schema as Partial<StandardSchemaV1>)['~standard']?.validate === 'function';
}
