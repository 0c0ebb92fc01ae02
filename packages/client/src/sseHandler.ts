import {
  assertFieldValue,
  assertRetry,
  CLOSE_EVENT,
  type EventInput,
  type EventName,
  type EventSchema,
  jsonSerializer,
  RESET_EVENT,
  type ResetNotice,
  type Serializer,
  SsekitError,
  validateEvent,
} from '@ssekit/core';
import {
  type HttpHandler,
  type Path,
  type PathParams,
  type ServerSentEventResolver,
  sse,
} from 'msw';

/**
 * The part of msw's `sse()` client that {@link createSseClient} uses, typed loosely: any event
 * name, any `data` (a string is written as it is, an object as JSON).
 *
 * @example A malformed frame on purpose
 * ```ts
 * import { setupServer } from 'msw/node';
 *
 * const server = setupServer(
 *   sseHandler(events, 'https://api.test/events', ({ client }) => {
 *     const raw: RawSseClient = client.raw;
 *     raw.send({ event: 'notification', data: 'not json' }); // the client reports invalid-json
 *   }),
 * );
 * ```
 */
export interface RawSseClient {
  /** Write one event (`id:`, `event:`, `data:` lines), or a `retry:` line. */
  send(frame: { event?: string; data?: unknown; id?: string } | { retry: number }): void;
  /** End the response. */
  close(): void;
  /** Fail the response (the reader sees a network error). */
  error(): void;
}

/**
 * msw's `sse()` client typed by an ssekit schema: every payload is checked against its event's
 * Standard Schema before it is written, so a mock cannot send what the real server never would.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 *
 * const server = setupServer(
 *   sseHandler(events, 'https://api.test/events', ({ client }: { client: TypedSseClient<typeof events> }) => {
 *     client.send('notification', { id: '1', title: 'Hi', unread: 1 }, { id: '1' });
 *     client.reset(); // the app's onReset runs
 *     client.end(); // closed for good, reason 'ended-by-server'
 *   }),
 * );
 * ```
 */
export interface TypedSseClient<E extends EventSchema> {
  /**
   * Validate `data` against the schema's `type` entry, then send it as one SSE event
   * (`event: type`, `data:` its JSON, `id:` when given).
   *
   * @throws {@link @ssekit/core!ValidationError | ValidationError} (`schema-mismatch`) for a payload the schema refuses, and a
   * `TypeError` for a name the schema does not have, synchronously, so the test fails where the
   * mock is wrong. A refusal by an async validator comes later, as an uncaught exception (which
   * fails the test run); events stay in the order they were sent either way.
   */
  send<K extends EventName<E>>(type: K, data: EventInput<E, K>, options?: { id?: string }): void;
  /**
   * Send the hub's reset notice (`ssekit.reset`): the client's `onReset` / `useResetEvent` runs.
   * @defaultValue `{ reason: 'evicted', lastEventId: <the request's Last-Event-ID or ''> }`
   */
  reset(notice?: Partial<ResetNotice>): void;
  /** Send `retry: ms`: the client's reconnection time from now on. */
  retry(ms: number): void;
  /** End the response cleanly: the client reconnects, sending `Last-Event-ID`. */
  close(): void;
  /**
   * End the stream for good, as the server's `close({ reconnect: false })` does: send the final
   * `ssekit.close` event, then end the response. The client closes with reason `ended-by-server`.
   */
  end(): void;
  /** Fail the response mid-stream (a cut connection): the client reports `network` and retries. */
  error(): void;
  /** msw's own client, unchecked: for malformed frames on purpose (testing `onError`). */
  readonly raw: RawSseClient;
}

/**
 * Options of {@link sseHandler} and {@link createSseClient}.
 *
 * @example
 * ```ts
 * import { jsonSerializer } from '@ssekit/core';
 *
 * const options: SseHandlerOptions = { serializer: jsonSerializer };
 * const handler = sseHandler(events, '/api/events', ({ client }) => client.close(), options);
 * ```
 */
export interface SseHandlerOptions {
  /** How payloads become `data:` text; use the app's serializer. @defaultValue JSON */
  serializer?: Serializer;
}

/**
 * Options of {@link createSseClient}.
 *
 * @example
 * ```ts
 * import { sse } from 'msw';
 *
 * const handler = sse('/api/events', ({ client, request }) => {
 *   const options: SseClientOptions = { lastEventId: request.headers.get('last-event-id') ?? undefined };
 *   createSseClient(events, client, options).send('log', { message: 'hi' });
 * });
 * ```
 */
export interface SseClientOptions extends SseHandlerOptions {
  /** The request's `Last-Event-ID`: the default `lastEventId` of `reset()`. */
  lastEventId?: string | undefined;
}

/**
 * What an {@link sseHandler} resolver gets: msw's resolver info with a typed `client`.
 *
 * @example Resuming in a mock
 * ```ts
 * const handler = sseHandler(events, '/api/events', (info: SseHandlerInfo<typeof events, {}>) => {
 *   if (info.lastEventId) info.client.reset({ lastEventId: info.lastEventId });
 *   else info.client.send('log', { message: 'first connect' });
 * });
 * ```
 */
export type SseHandlerInfo<E extends EventSchema, Params extends PathParams> = Omit<
  Parameters<ServerSentEventResolver<any, Params>>[0],
  'client'
> & {
  /** The typed client: `send(type, data)` validated against the schema. */
  client: TypedSseClient<E>;
  /** The request's `Last-Event-ID` (decoded as UTF-8), when it resumes. */
  lastEventId: string | undefined;
};

/** @internal A header value holds one char per byte: the client sends `Last-Event-ID` as UTF-8. */
function decodeHeader(value: string | null): string | undefined {
  if (value === null) return undefined;
  return new TextDecoder().decode(Uint8Array.from(value, (c) => c.charCodeAt(0)));
}

/**
 * Wrap msw's `sse()` client in a {@link TypedSseClient} for `events`. Use it inside your own
 * `sse()` handler; {@link sseHandler} does it for you.
 *
 * @example Inside a plain msw handler
 * ```ts
 * import { sse } from 'msw';
 * import { createSseClient } from '@ssekit/client/msw';
 *
 * sse('/api/events', ({ client }) => {
 *   createSseClient(events, client).send('notification', { id: '1', title: 'Hi', unread: 1 });
 * });
 * ```
 */
export function createSseClient<E extends EventSchema>(
  events: E,
  client: RawSseClient,
  options: SseClientOptions = {},
): TypedSseClient<E> {
  const { serializer = jsonSerializer } = options;
  // Set once an async validator has run: later writes queue behind it, so order is kept.
  let pending: Promise<void> | undefined;
  const queue = (write: () => void) => {
    if (pending) pending = pending.then(write);
    else write();
  };
  return {
    send(type, data, opts = {}) {
      if (!events.has(type)) {
        throw new TypeError(
          `createSseClient: "${type}" is not an event of this schema (${events.names.join(', ')}).`,
        );
      }
      const { id } = opts;
      if (id !== undefined) assertFieldValue('id', id);
      const frame = { event: type, data: serializer.stringify(data), ...(id && { id }) };
      const result = validateEvent(events, type, data, { id });
      if (!(result instanceof Promise)) {
        if (!result.ok) throw result.error;
        return queue(() => client.send(frame));
      }
      pending = (pending ?? Promise.resolve())
        .then(() => result)
        .then((r) => {
          if (!r.ok) throw r.error;
          client.send(frame);
        })
        .catch((error) => {
          // Report it like an uncaught exception: the test run fails with the validator's message.
          setTimeout(() => {
            throw error;
          });
        });
    },
    reset(notice = {}) {
      const full: ResetNotice = {
        reason: 'evicted',
        lastEventId: options.lastEventId ?? '',
        ...notice,
      };
      // The hub writes its control events as JSON, whatever the app's serializer.
      queue(() => client.send({ event: RESET_EVENT, data: JSON.stringify(full) }));
    },
    retry(ms) {
      assertRetry(ms);
      queue(() => client.send({ retry: ms }));
    },
    close: () => queue(() => client.close()),
    end: () =>
      queue(() => {
        client.send({ event: CLOSE_EVENT, data: '{}' });
        client.close();
      }),
    error: () => queue(() => client.error()),
    raw: client,
  };
}

/**
 * An msw request handler for an ssekit stream: msw's `sse()` with a {@link TypedSseClient}, so
 * the mock sends only events the schema accepts, typed by it. Works with `@ssekit/client` (and
 * the React hooks over it) as they are: the client sends `Accept: text/event-stream`, which
 * `sse()` matches on. Streams over GET only (msw's `sse()` matches no other method).
 *
 * msw's `sse()` needs a global `EventSource` to exist (Node 20 has none, nor does happy-dom or
 * jsdom): install one in the test setup, e.g. `globalThis.EventSource ??= (await
 * import('eventsource')).EventSource`.
 *
 * @example A component test with msw
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { afterAll, afterEach, beforeAll, expect } from 'vitest';
 * import { sseHandler } from '@ssekit/client/msw';
 * import { events } from './events';
 *
 * const server = setupServer(
 *   sseHandler(events, 'https://api.test/events', ({ client, request }) => {
 *     expect(request.headers.get('authorization')).toBe('Bearer t1');
 *     client.send('notification', { id: '1', title: 'Hi', unread: 1 }, { id: '1' });
 *   }),
 * );
 * beforeAll(() => server.listen());
 * afterEach(() => server.resetHandlers());
 * afterAll(() => server.close());
 * ```
 */
export function sseHandler<E extends EventSchema, Params extends PathParams = PathParams>(
  events: E,
  path: Path,
  resolver: (info: SseHandlerInfo<E, Params>) => unknown,
  options: SseHandlerOptions = {},
): HttpHandler {
  if (typeof (globalThis as { EventSource?: unknown }).EventSource === 'undefined') {
    throw new SsekitError(
      'invalid-option',
      "msw's sse() needs a global EventSource, and this runtime has none: install one in the test setup, e.g. `globalThis.EventSource ??= (await import('eventsource')).EventSource`.",
    );
  }
  return sse<any, Params>(path, (info) => {
    const lastEventId = decodeHeader(info.request.headers.get('last-event-id'));
    const client = createSseClient(events, info.client, { ...options, lastEventId });
    // Assigned, not spread: spreading msw's info would run its lazy `finalize` getter.
    return resolver(Object.assign(info, { client, lastEventId }) as never) as never;
  });
}
