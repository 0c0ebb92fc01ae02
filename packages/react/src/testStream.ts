import {
  type ConnectOptions,
  createListeners,
  type EventMeta,
  type EventStream,
  type StreamStatus,
} from '@ssekit/client';
import {
  type EventData,
  type EventName,
  type EventOf,
  type EventSchema,
  type ResetNotice,
  SsekitError,
} from '@ssekit/core';

/**
 * Options of {@link createTestStream}.
 *
 * @example
 * ```ts
 * const options: TestStreamOptions = { state: 'open', now: () => 0 };
 * const stream = createTestStream(events, options);
 * ```
 */
export interface TestStreamOptions {
  /**
   * The state the stream starts in (and returns to when connected again after `close`).
   * @defaultValue `'connecting'`
   */
  state?: 'connecting' | 'open';
  /** Clock for `retryAt`. @defaultValue `Date.now` */
  now?: () => number;
}

/**
 * An in-memory {@link EventStream} you drive by hand: the test plays the server. Pass its
 * `connect` to `createServerEventsHooks` or a `ServerEventsProvider`, render, then `push` events
 * and `drop`/`reconnect`/`fail` the connection. Listeners run synchronously, like the real client.
 *
 * @example Driving the connection in a test
 * ```ts
 * import { act } from '@testing-library/react';
 *
 * const stream: TestStream<typeof events> = createTestStream(events);
 * // render(<ServerEventsProvider url="/api/events" connect={stream.connect}>…)
 * act(() => stream.push('notification', { id: '1', title: 'Hi', unread: 1 }));
 * act(() => stream.drop()); // the dot turns red
 * act(() => stream.open());
 * console.log(stream.connects, stream.url);
 * ```
 */
export interface TestStream<E extends EventSchema> extends EventStream<E> {
  /**
   * A stable `connect` function returning this stream. It records `url` and `options` and counts
   * `connects`; connecting again after `close` re-opens the stream as a new connection.
   */
  readonly connect: (url: string, options?: ConnectOptions<E>) => TestStream<E>;
  /** How many times `connect` was called. */
  readonly connects: number;
  /** The URL of the last `connect`. */
  readonly url: string | undefined;
  /** The options of the last `connect` (`headers`, `retry`, …). */
  readonly options: ConnectOptions<E> | undefined;
  /** Deliver a typed event to every listener (opens the stream if it is connecting). */
  push<K extends EventName<E>>(type: K, data: EventData<E, K>, options?: { id?: string }): void;
  /** The connection is established: state `open`, attempt 0, error cleared. */
  open(): void;
  /** The connection is lost: state `reconnecting`, `attempt` + 1, `retryAt` in `retryIn` ms. */
  drop(error?: SsekitError, retryIn?: number): void;
  /**
   * The reconnection succeeded: the same as {@link TestStream.open}. It is also the stream's
   * `EventStream.reconnect()`, so an app calling `useReconnect()` (or `stream.reconnect()`) sees
   * a test stream open at once; spy on it to assert the call.
   */
  reconnect(): void;
  /** The stream gives up for good: `error` reported through `onError`, then state `closed`. */
  fail(error?: SsekitError): void;
  /** Report a non-fatal error (an invalid payload, say) through `onError`; state is unchanged. */
  error(error: SsekitError): void;
  /** Deliver the hub's reset notice (`ssekit.reset`) to `onReset` listeners. */
  reset(notice?: ResetNotice): void;
}

/**
 * Make a {@link TestStream} for the schema `events`: typed `push`, no server needed.
 *
 * @example Testing a component that uses the hooks
 * ```tsx
 * import { act, render, screen } from '@testing-library/react';
 * import { expect } from 'vitest';
 * import { createTestStream } from '@ssekit/react/testing';
 *
 * const stream = createTestStream(events);
 * render(<ServerEventsProvider url="/events" connect={stream.connect}><Inbox /></ServerEventsProvider>);
 * await act(async () => stream.push('notification', { id: '1', title: 'Hi', unread: 1 }));
 * expect(screen.getByText('Hi')).toBeTruthy();
 * ```
 */
export function createTestStream<E extends EventSchema>(
  events: E,
  options: TestStreamOptions = {},
): TestStream<E> {
  const now = options.now ?? Date.now;
  const initial = options.state ?? 'connecting';
  // A throwing listener throws out of `push` (and the other calls): a test sees its own bug.
  const rethrow = (error: unknown) => {
    throw error;
  };
  const listeners = {
    event: createListeners<EventOf<E>>(rethrow),
    reset: createListeners<ResetNotice>(rethrow),
    error: createListeners<SsekitError>(rethrow),
    status: createListeners<StreamStatus>(rethrow),
  };
  let status: StreamStatus = {
    state: initial,
    error: undefined,
    attempt: 0,
    retryAt: undefined,
    lastEventId: undefined,
  };
  let connects = 0;
  let url: string | undefined;
  let connectOptions: ConnectOptions<E> | undefined;

  const setStatus = (next: Partial<StreamStatus>) => {
    status = Object.freeze({ ...status, ...next });
    listeners.status.emit(status);
  };
  const assertOpen = (what: string) => {
    if (status.state === 'closed') {
      throw new Error(
        `TestStream.${what}: the stream is closed. Components close their connection when the last consumer unmounts (after the grace period); connect again or use a new stream.`,
      );
    }
  };
  const reportError = (error: SsekitError) => {
    listeners.error.emit(error);
  };

  const stream: TestStream<E> = {
    connect(to, opts) {
      connects++;
      url = to;
      connectOptions = opts;
      if (status.state === 'closed') setStatus({ state: initial, error: undefined, attempt: 0 });
      return stream;
    },
    get connects() {
      return connects;
    },
    get url() {
      return url;
    },
    get options() {
      return connectOptions;
    },
    push(type, data, opts = {}) {
      assertOpen('push');
      if (!events.has(type)) {
        throw new TypeError(`TestStream.push: "${type}" is not an event of this schema.`);
      }
      if (status.state !== 'open') this.open();
      if (opts.id !== undefined) setStatus({ lastEventId: opts.id });
      const event = { type, data, id: opts.id } as EventOf<E>;
      listeners.event.emit(event);
    },
    open() {
      assertOpen('open');
      setStatus({ state: 'open', attempt: 0, error: undefined, retryAt: undefined });
    },
    drop(error, retryIn = 1000) {
      assertOpen('drop');
      setStatus({
        state: 'reconnecting',
        attempt: status.attempt + 1,
        error,
        retryAt: now() + retryIn,
      });
    },
    reconnect() {
      this.open();
    },
    fail(error = new SsekitError('retries-exhausted', 'The test stream gave up.')) {
      assertOpen('fail');
      reportError(error);
      setStatus({ state: 'closed', error, retryAt: undefined });
    },
    error(error) {
      reportError(error);
    },
    reset(notice = { reason: 'evicted', lastEventId: status.lastEventId ?? '' }) {
      assertOpen('reset');
      listeners.reset.emit(notice);
    },
    on(type, handler) {
      return listeners.event.add((event) => {
        if (event.type === type) handler(event.data as never, event as EventMeta);
      });
    },
    onEvent: (handler) => listeners.event.add(handler),
    onReset: (handler) => listeners.reset.add(handler),
    onError: (handler) => listeners.error.add(handler),
    subscribe: (listener) => {
      const off = listeners.status.add(listener);
      listener(status);
      return off;
    },
    getSnapshot: () => status,
    get status() {
      return status;
    },
    get lastEventId() {
      return status.lastEventId;
    },
    get closed() {
      return status.state === 'closed';
    },
    close() {
      if (status.state !== 'closed') setStatus({ state: 'closed', retryAt: undefined });
    },
    [Symbol.asyncIterator]() {
      return iterate(stream);
    },
  };
  return stream;
}

/**
 * `for await` over a stream's events until it closes, buffering events the loop has not taken.
 * @internal
 */
function iterate<E extends EventSchema>(stream: EventStream<E>): AsyncIterator<EventOf<E>> {
  const queue: EventOf<E>[] = [];
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const offEvent = stream.onEvent((event) => {
    queue.push(event);
    poke();
  });
  const offStatus = stream.subscribe(poke);
  const stop = (): IteratorReturnResult<undefined> => {
    offEvent();
    offStatus();
    return { done: true, value: undefined };
  };
  return {
    async next() {
      for (;;) {
        const event = queue.shift();
        if (event) return { done: false, value: event };
        if (stream.closed) return stop();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async return() {
      return stop();
    },
  };
}
