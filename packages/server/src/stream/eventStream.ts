import type { EventInput, EventName, EventSchema, Serializer } from '@ssekit/core';

/**
 * Options of {@link createEventStream} and of the adapters' stream helpers.
 *
 * @example
 * ```ts
 * const options: EventStreamOptions<typeof events> = {
 *   events,
 *   heartbeat: 15_000, // a comment every 15 s keeps proxies from closing an idle line
 *   retry: 2000, // the client reconnects 2 s after a drop
 *   maxBufferedBytes: 1024 * 1024, // a client that stops reading is cut off past 1 MiB
 * };
 * const stream = createEventStream(sink, options);
 * ```
 */
export interface EventStreamOptions<E extends EventSchema = EventSchema> {
  /** The schema from `defineEvents`: types `send` and refuses unknown event names. */
  events?: E;
  /** How payloads become `data:` text. @defaultValue `jsonSerializer` */
  serializer?: Serializer;
  /**
   * Run the event's validator on every `send` / `publish` — once per publish, never per
   * recipient — so a bad payload throws where it is made instead of being dropped by every
   * client. Costs one validation per event (about a microsecond for a small zod object); turn it
   * off for hot paths you trust. An asynchronous validator is skipped by default and an error with
   * `validate: true`.
   * @defaultValue `true`, except when `NODE_ENV` is `production`
   */
  validate?: boolean;
  /**
   * Heartbeat interval in ms, or `false` for none. A stand-alone stream's heartbeat timer is its
   * own, set in the request that opened the stream (on Workers a timer dies with its request); a
   * hub's streams share the hub's one timer. @defaultValue `15000`
   */
  heartbeat?: number | false;
  /**
   * `retry:` sent as the first frame (the client's reconnection time), or `false` to send an
   * empty comment instead. Either way the first bytes go out at once. @defaultValue `3000`
   */
  retry?: number | false;
  /**
   * Unsent bytes past which a reader counts as slow. A stream that stays past it for
   * {@link maxBufferedMs} is torn down (`signal.reason.code === 'buffer-overflow'`; a hub client
   * resumes from the log), so a reader that stopped reading cannot grow memory without bound —
   * unless it took bytes in that time: a reader that is draining gets another `maxBufferedMs`, as
   * long as its backlog shrinks or stays within 4 × this. Past 4 × this a reader that took
   * nothing for a couple of turns of the event loop is torn down at once. A burst written in one go (16 events of 1 MiB)
   * never closes a reader by itself: no reader can take a byte before the burst is over. Over
   * HTTP/2 the bytes the stream holds for the client's flow-control window count too.
   * `Infinity` turns it off.
   * @defaultValue `1048576` (1 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * How long unsent bytes may stay past {@link maxBufferedBytes} before the stream is closed as a
   * slow consumer (the clock restarts once they drain below it, or while the reader takes bytes
   * and its backlog shrinks or stays under 4 × {@link maxBufferedBytes}).
   * @defaultValue `5000`
   */
  maxBufferedMs?: number;
  /**
   * Largest serialised payload that `send` or `publish` accepts, in UTF-8 bytes of its `data:`
   * text (the serialised payload itself: no `data: ` prefixes, no line ends); past it they throw
   * an `event-too-large` {@link @ssekit/core!SsekitError | SsekitError}. Bytes, like the buffer
   * limits: 1 Mi characters of CJK text are 3 MiB on the wire. Matches the client's default
   * `maxEventSize`, which would drop a larger event anyway.
   * @defaultValue `1048576` (1 MiB)
   */
  maxEventSize?: number;
  /** Unsent bytes from which {@link EventStreamWriter.backpressure} is `true`. @defaultValue `65536` */
  highWaterMark?: number;
  /** The request's `Last-Event-ID`, exposed as {@link EventStreamWriter.lastEventId}. */
  lastEventId?: string | undefined;
}

/**
 * Options of {@link EventStreamWriter.close}.
 *
 * @example
 * ```ts
 * const stream = createEventStream(sink, { events });
 * const done: CloseOptions = { reconnect: false };
 * stream.close(done); // the client's status becomes closed, reason 'ended-by-server'
 * ```
 */
export interface CloseOptions {
  /**
   * `false`: the stream is finished for good; tell the client not to reconnect.
   * @defaultValue `true`
   */
  reconnect?: boolean;
}

/**
 * Options of {@link EventStreamWriter.send}.
 *
 * @example
 * ```ts
 * const stream = createEventStream(sink, { events });
 * const options: SendOptions = { id: 'page-3' }; // comes back as Last-Event-ID
 * stream.send('sync.progress', { page: 3, totalPages: 10 }, options);
 * ```
 */
export interface SendOptions {
  /** The SSE `id:`; the client sends it back as `Last-Event-ID` when it reconnects. */
  id?: string | undefined;
}

/**
 * One open SSE response. Writes never throw on a closed stream: they return `false`.
 *
 * @example A job that stops when the client leaves
 * ```ts
 * const stream: EventStreamWriter<typeof events> = createEventStream(sink, { events });
 * const result = await syncProducts({
 *   signal: stream.signal, // aborted when the client goes away
 *   onPageProgress: (progress) => stream.send('sync.progress', progress),
 * });
 * stream.send('sync.complete', result);
 * stream.close({ reconnect: false });
 * ```
 */
export interface EventStreamWriter<E extends EventSchema = EventSchema> {
  /**
   * Send one typed event. Returns `true` when queued, `false` when the stream is closed.
   * @throws {@link @ssekit/core!ValidationError | ValidationError} for an event name outside the schema, (with `validate`) a
   * failing payload, or a payload the serializer cannot turn into text (`invalid-json`);
   * {@link @ssekit/core!InvalidFieldError | InvalidFieldError} for an `id` that could not come back as `Last-Event-ID` or a
   * reserved `ssekit.` name; `event-too-large` past `maxEventSize`.
   */
  send<K extends EventName<E>>(type: K, data: EventInput<E, K>, options?: SendOptions): boolean;
  /** Send a comment (`: text`), which clients do not dispatch. */
  comment(text?: string): boolean;
  /** Change the client's reconnection time (`retry:`). */
  retry(ms: number): boolean;
  /**
   * End the response once queued bytes are out. Idempotent. By default the client reconnects
   * (and resumes); `close({ reconnect: false })` ends it for good — a job that finished — with a
   * final `ssekit.close` control event that `@ssekit/client` honours (status `closed`, reason
   * `ended-by-server`). Native `EventSource` ignores it: answer its reconnect with 204.
   *
   * @example The end of a job's stream
   * ```ts
   * const stream = createEventStream(sink, { events });
   * const result = await syncProducts({
   *   signal: stream.signal,
   *   onPageProgress: (progress) => stream.send('sync.progress', progress),
   * });
   * stream.send('sync.complete', result);
   * stream.close({ reconnect: false }); // the client does not reconnect
   * ```
   */
  close(options?: CloseOptions): void;
  /** Aborts when the client disconnects or the stream closes; `reason` is an `SsekitError`. */
  readonly signal: AbortSignal;
  /** True once closed, by either side. */
  readonly closed: boolean;
  /** Bytes queued or buffered by the transport that the client has not read yet. */
  readonly bufferedBytes: number;
  /** True while unsent bytes are past the high-water mark: wait for {@link drain}. */
  readonly backpressure: boolean;
  /** Resolves `true` once backpressure clears, or `false` if the stream closes first. */
  drain(): Promise<boolean>;
  /** The `Last-Event-ID` the client sent, if any. */
  readonly lastEventId: string | undefined;
}

/**
 * Why a stream finished: closed by the server, the client disconnected, or the client stopped
 * reading and its unsent bytes passed `maxBufferedBytes`.
 *
 * @example
 * ```ts
 * const hub = createHub({
 *   events,
 *   onDisconnect: (info, reason: FinishReason) => {
 *     if (reason === 'buffer-overflow') console.warn('slow consumer cut off', info.userId);
 *   },
 * });
 * ```
 */
export type FinishReason = 'closed' | 'disconnected' | 'buffer-overflow';
