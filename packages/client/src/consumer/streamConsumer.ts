import type { EventOf, EventSchema, ResetNotice, SsekitError } from '@ssekit/core';
import type { CloseReason, EventStream, StreamState, StreamStatus } from '../types';
import { createFanout } from './fanout';
import { createListeners, type Listeners } from './listeners';

/**
 * What feeds a consumer: the source of its events, status and resume point. `connect` is one (its
 * transport, its own connection), a `/tabs` follower another (the leader's connection, over a
 * BroadcastChannel).
 * @internal
 */
export interface ConsumerSource {
  /** Events whose type closes the stream once delivered (`closeOn`). */
  readonly closeOn: string | readonly string[] | undefined;
  /** The app's `signal`: its abort closes the stream. */
  readonly signal: AbortSignal | undefined;
  /** The resume point now: read by every `getSnapshot`, so a status is never behind it. */
  lastEventId(): string | undefined;
  /** `stream.reconnect()` on an open stream. */
  reconnect(): void;
  /** The stream closes (any reason, once): stop the source. Runs before the final status. */
  stop(reason: CloseReason): void;
}

/**
 * The consumer side of one stream: what the app sees. It holds the listeners (`on`, `onEvent`,
 * `onReset`, `onError`, `subscribe`), the status store, the `for await` iterators, and the
 * {@link EventStream} object itself; its source pushes into it and never reads it back.
 *
 * Guarantees its source relies on:
 * - events reach `on(type)` handlers, then `onEvent` listeners, then the iterators, in the order
 *   {@link StreamConsumer.dispatch} is called; nothing is delivered after the stream closed;
 * - a throwing listener never stops the others or the source (its error is rethrown on its own
 *   microtask);
 * - {@link StreamConsumer.finish} runs once: `stop`, then one `closed` status, then the iterators end
 *   (with the error when the stream failed);
 * - {@link StreamConsumer.behind} says when the iterators are full, so the source stops reading.
 * @internal
 */
export interface StreamConsumer<E extends EventSchema> {
  readonly stream: EventStream<E>;
  readonly status: StreamStatus;
  dispatch(event: EventOf<E>): void;
  reset(notice: ResetNotice): void;
  error(error: SsekitError): void;
  setStatus(
    state: StreamState,
    error?: SsekitError,
    attempt?: number,
    retryAt?: number,
    reason?: CloseReason,
  ): void;
  finish(error?: SsekitError, reason?: CloseReason, attempt?: number): void;
  /** A promise while a `for await` loop is full: the source waits for it before reading on. */
  behind(): Promise<void> | undefined;
}

/** @internal */
export function createStreamConsumer<E extends EventSchema>(
  source: ConsumerSource,
): StreamConsumer<E> {
  const closeOn = ([] as string[]).concat(source.closeOn ?? []);
  const events = createListeners<EventOf<E>>();
  const resets = createListeners<ResetNotice>();
  const errors = createListeners<SsekitError>();
  const statuses = createListeners<StreamStatus>();
  const typed = new Map<string, Listeners<EventOf<E>>>(); // on(type)
  const fanout = createFanout<EventOf<E>>();
  let closed = false;
  let snapshot: StreamStatus;

  const setStatus = (
    state: StreamState,
    error?: SsekitError,
    attempt = 0,
    retryAt?: number,
    reason?: CloseReason,
  ) => {
    snapshot = { state, error, attempt, retryAt, lastEventId: source.lastEventId(), reason };
    statuses.emit(snapshot);
  };
  const finish = (
    error?: SsekitError,
    reason: CloseReason = error ? 'failed' : 'closed-by-client',
    attempt = snapshot.attempt,
  ) => {
    if (closed) return;
    closed = true;
    source.signal?.removeEventListener('abort', close);
    source.stop(reason);
    setStatus('closed', error, attempt, undefined, reason);
    fanout.end(reason === 'failed' ? error : undefined);
  };
  const close = () => finish();

  setStatus('connecting');
  // An already aborted signal never fires: the caller closes such a stream before it starts.
  source.signal?.addEventListener('abort', close);
  const stream: EventStream<E> = {
    on: (type, handler) => {
      const list = typed.get(type) ?? createListeners();
      typed.set(type, list);
      // The event itself is the meta: it has `type` and `id`, so no object per call.
      return list.add((event) => handler(event.data as never, event));
    },
    onEvent: (fn) => events.add(fn),
    onReset: (fn) => resets.add(fn),
    onError: (fn) => errors.add(fn),
    // The Svelte store contract (`$stream` in a template): called at once with the status, then
    // on every change. Harmless for useSyncExternalStore, which compares snapshots.
    subscribe: (fn) => {
      const off = statuses.add(fn);
      fn(snapshot);
      return off;
    },
    getSnapshot: () => {
      const lastEventId = source.lastEventId();
      if (snapshot.lastEventId !== lastEventId) snapshot = { ...snapshot, lastEventId };
      return snapshot;
    },
    get status() {
      return stream.getSnapshot();
    },
    get lastEventId() {
      return source.lastEventId();
    },
    get closed() {
      return closed;
    },
    close,
    reconnect: () => {
      if (!closed) source.reconnect();
    },
    [Symbol.asyncIterator]: () => fanout.iterator(close),
  };
  return {
    stream,
    get status() {
      return snapshot;
    },
    // Hot path: no closure per event, and no iteration when nobody listens.
    dispatch: (event) => {
      if (closed) return;
      // Hashing a fresh event-name string is not free: skip it when no on(type) handler exists.
      if (typed.size) typed.get(event.type)?.emit(event);
      events.emit(event);
      fanout.push(event);
      if (closeOn.includes(event.type)) finish(undefined, 'close-on-event');
    },
    reset: resets.emit,
    error: errors.emit,
    setStatus,
    finish,
    behind: () => (fanout.full() ? fanout.drained() : undefined),
  };
}
