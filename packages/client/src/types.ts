import type {
  EventData,
  EventName,
  EventOf,
  EventSchema,
  ResetNotice,
  Serializer,
  SsekitError,
} from '@ssekit/core';
import type { RetryOptions } from './transport/retryPolicy';

/**
 * What a `headers` or `onUnauthorized` function is given, once per attempt.
 *
 * @example Headers per attempt
 * ```ts
 * const stream = connect('/api/events', {
 *   events,
 *   headers: async ({ attempt, lastEventId }: AttemptContext) => ({
 *     Authorization: `Bearer ${await getToken()}`,
 *     'X-Attempt': String(attempt),
 *     'X-Resume-From': lastEventId ?? '',
 *   }),
 * });
 * ```
 */
export interface AttemptContext {
  /** `0` for the first request, then the number of reconnection attempts since the last open stream. */
  attempt: number;
  /** The id the request will resume from (sent as `Last-Event-ID`), if any. */
  lastEventId: string | undefined;
  /** Aborted when this attempt is abandoned (closed, timed out, tab hidden). */
  signal: AbortSignal;
}

/**
 * Options of {@link connect}. Every field is optional.
 *
 * @example
 * ```ts
 * const options: ConnectOptions<typeof events> = {
 *   events,
 *   headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 *   onUnauthorized: () => refreshToken(),
 *   retry: { maxAttempts: 20 },
 *   inactivityTimeout: 45_000,
 * };
 * const stream = connect('/api/events', options);
 * ```
 */
export interface ConnectOptions<E extends EventSchema = EventSchema> {
  /**
   * The event schema from `defineEvents`: handler payloads are typed and validated; an invalid
   * payload is reported to `onError` and skipped. Without it `type` is any string and `data` is
   * whatever the serializer parses.
   */
  events?: E;
  /**
   * Request headers (`Authorization` first of all), or a function called before every attempt,
   * so a refreshed token is used on reconnect. `Accept: text/event-stream` is added unless set,
   * and `Last-Event-ID` is set by the client.
   */
  headers?: HeadersInit | ((ctx: AttemptContext) => HeadersInit | Promise<HeadersInit>);
  /** @defaultValue `'GET'` */
  method?: string;
  /**
   * Request body. A value is read once and re-sent byte-identical on every reconnect (FormData
   * keeps its boundary); a function is called before every attempt instead.
   */
  body?: BodyInit | (() => BodyInit | Promise<BodyInit>);
  /** `fetch` credentials mode (`'include'` sends cookies cross-origin). */
  credentials?: RequestCredentials;
  /** A `fetch` to use instead of the global one (a wrapped, instrumented or test fetch). */
  fetch?: typeof fetch;
  /** Reconnection timing and limits. */
  retry?: RetryOptions;
  /**
   * A dead line: when no byte at all (heartbeat comments included) arrives for this many ms,
   * the request is aborted and the client reconnects with `Last-Event-ID`. Set it above the
   * server's heartbeat interval; `false` turns it off.
   * @defaultValue three times the heartbeat interval an ssekit server announces in its first
   * frame (`: ssekit heartbeat=15000` gives 45 s); off for a server that announces none
   */
  inactivityTimeout?: number | false;
  /** Resume point of the first request (sent as `Last-Event-ID`). */
  lastEventId?: string;
  /** Aborting it is the same as `close()`. */
  signal?: AbortSignal;
  /**
   * Most characters of one event's data, counted as the server's `maxEventSize` counts them: the
   * `data:` values joined with line breaks, without field names or the frame's own line breaks,
   * so every event a server with the same limit accepts arrives, however the chunks fall. A
   * longer event is not dispatched: the stream reports a `buffer-overflow` error and reconnects
   * (a hostile or broken server cannot grow memory past it; an unfinished line other than data
   * counts whole).
   * @defaultValue `1048576` (1 Mi characters)
   */
  maxEventSize?: number;
  /**
   * Called once after a 401 or 403 to refresh credentials before the one retry (the `headers`
   * function runs again too). A second refusal in a row is final.
   */
  onUnauthorized?: (ctx: AttemptContext) => void | Promise<void>;
  /**
   * Opt-in: disconnect while the page is hidden (`document.visibilityState`) and resume with
   * `Last-Event-ID` when it is visible again.
   * @defaultValue `false`
   */
  pauseWhenHidden?: boolean;
  /**
   * How `data:` text becomes a payload; use the same one as the server. Without `events`, text
   * the serializer cannot parse (a `[DONE]` terminator) reaches handlers as the raw string; with
   * `events` it is an `invalid-json` error and the event is skipped. @defaultValue JSON
   */
  serializer?: Serializer;
  /**
   * Close for good after dispatching this event (or any of these): the end of a job's stream,
   * such as `'sync.complete'`. The status becomes `closed` with reason `close-on-event`.
   */
  closeOn?: EventName<E> | readonly EventName<E>[];
  /**
   * When no byte (not even the response headers) has arrived this many ms after a request was
   * sent, report a `timeout` error naming the likely cause — a proxy buffering the stream — and
   * keep waiting. `false` turns the hint off. @defaultValue `10000`
   */
  firstByteTimeout?: number | false;
  /**
   * Share one connection among the tabs of this origin that open the same stream (same method,
   * URL and {@link ConnectOptions.shareKey}): a Web Locks leader connects and forwards over a
   * BroadcastChannel, and another tab resumes with the last event id when the leader's tab goes.
   * Needs `connect` from `@ssekit/client/tabs` (the plain `connect` refuses it, so apps that do
   * not share never ship the code); where Web Locks or BroadcastChannel are missing, each tab
   * connects on its own. `pauseWhenHidden` does not apply to a shared stream.
   * @defaultValue `false`
   */
  shareAcrossTabs?: boolean;
  /**
   * Whose credentials the stream carries (a user or session id): tabs share a stream only when
   * their keys are equal. Required with `shareAcrossTabs` when `headers` is given, since tabs may
   * hold different users' tokens; `''` says every tab of the origin is the same user.
   */
  shareKey?: string;
}

/**
 * Metadata passed with every payload to an `on(type, …)` handler.
 *
 * @example
 * ```ts
 * const stream = connect('/api/events', { events });
 * stream.on('notification', (data, meta: EventMeta) => showBadge(data.unread, meta.id));
 * ```
 */
export interface EventMeta {
  /** The event name (`message` when the server sent no `event:` field). */
  type: string;
  /** The event's `id:`, or `undefined` when the server sent none with it. */
  id: string | undefined;
}

/**
 * Connection state: `connecting` (a request is in flight: the first, or with `attempt` > 0 a
 * retry), `open` (stream flowing), `reconnecting` (waiting until `retryAt` after a loss),
 * `closed` (for good, see {@link StreamStatus.reason}).
 *
 * @example
 * ```ts
 * const stream = connect('/api/events', { events });
 * const colour: Record<StreamState, string> = {
 *   connecting: 'grey',
 *   open: 'green',
 *   reconnecting: 'orange',
 *   closed: 'red',
 * };
 * stream.subscribe(() => setDot(colour[stream.status.state]));
 * ```
 */
export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * Why a stream is closed: `closed-by-client` (`close()`, the signal, `break`), `ended-by-server`
 * (the server's final close or a 204), `close-on-event` (a `closeOn` event arrived), `failed` (a
 * final error: see `error`).
 *
 * @example
 * ```ts
 * const stream = connect('/api/jobs/42', { events, closeOn: 'sync.complete' });
 * stream.subscribe(() => {
 *   const reason: CloseReason | undefined = stream.status.reason;
 *   if (reason === 'failed') console.error(stream.status.error);
 * });
 * ```
 */
export type CloseReason = 'closed-by-client' | 'ended-by-server' | 'close-on-event' | 'failed';

/**
 * An immutable snapshot of the connection; a new object on every state change.
 *
 * @example "Retrying in 4 s"
 * ```ts
 * const stream = connect('/api/events', { events });
 * stream.subscribe(() => {
 *   const status: StreamStatus = stream.getSnapshot();
 *   if (status.state === 'reconnecting' && status.retryAt) {
 *     console.info(`retrying in ${Math.ceil((status.retryAt - Date.now()) / 1000)} s`);
 *   }
 * });
 * ```
 */
export interface StreamStatus {
  /** Where the connection is. */
  state: StreamState;
  /**
   * What happened last: why it is reconnecting (a network cut, the server ending the stream —
   * code `closed`), why it closed, or a hint while connecting; `undefined` when open.
   */
  error: SsekitError | undefined;
  /** Why the stream closed, once `state` is `closed`. */
  reason?: CloseReason | undefined;
  /** Reconnection attempts since the stream was last open (`0` while open). */
  attempt: number;
  /** When the next attempt starts (epoch ms) while waiting to reconnect. */
  retryAt: number | undefined;
  /**
   * The resume point. Updated in the snapshot lazily: an id alone does not notify subscribers
   * (that would re-render on every event); read `stream.lastEventId` for the live value.
   */
  lastEventId: string | undefined;
}

/**
 * A live, reconnecting event stream made by {@link connect}. Handlers run synchronously in
 * arrival order, after validation. Iterate it with `for await` (with backpressure) or subscribe
 * to its status for a UI.
 *
 * @example
 * ```ts
 * const stream: EventStream<typeof events> = connect('/api/events', { events });
 * const off = stream.on('notification', (data) => setBadge(data.unread));
 * stream.onReset(() => refetchEverything());
 * stream.onError((error) => console.warn(error.code));
 * off(); // one handler less
 * stream.close(); // for good
 * ```
 */
export interface EventStream<E extends EventSchema = EventSchema>
  extends AsyncIterable<EventOf<E>> {
  /** Handle one event type. Returns an unsubscribe function. */
  on<K extends EventName<E>>(
    type: K,
    handler: (data: EventData<E, K>, meta: EventMeta) => void,
  ): () => void;
  /** Handle every (valid) event, in order. Returns an unsubscribe function. */
  onEvent(handler: (event: EventOf<E>) => void): () => void;
  /** Handle the hub's `ssekit.reset` notice: events were lost, refetch state. */
  onReset(handler: (notice: ResetNotice) => void): () => void;
  /** Handle every error: invalid payloads (skipped), failed attempts, the final error. */
  onError(handler: (error: SsekitError) => void): () => void;
  /**
   * Listen to the status: `listener` is called at once with the current {@link StreamStatus},
   * then with each new one. Returns an unsubscribe function. This is the Svelte store contract,
   * so `{$stream.state}` works in a Svelte template, and what `useSyncExternalStore` needs.
   * The first call comes before `subscribe` returns: a listener that unsubscribes itself must
   * not read the returned function on that call.
   */
  subscribe(listener: (status: StreamStatus) => void): () => void;
  /** The current {@link StreamStatus}; the same object until something changes. */
  getSnapshot(): StreamStatus;
  /** Same as `getSnapshot()`. */
  readonly status: StreamStatus;
  /** The live resume point: the last committed event id. */
  readonly lastEventId: string | undefined;
  /** Stop for good: aborts the request and clears every timer. Idempotent. */
  close(): void;
  /**
   * Reconnect now instead of at the next drop: abort the open stream (or the request in flight,
   * or cut short the wait before the next retry) and send a new request at once. The `headers`
   * function runs again (so a refreshed token is used) and `Last-Event-ID` is sent as usual, so
   * nothing is missed. The backoff starts over (`attempt` 0, `maxAttempts` and `maxElapsed`
   * counted afresh), no error is reported, and the status is `connecting` (a request in flight)
   * until the new stream opens. Does nothing on a closed stream: `closed` is for good.
   *
   * @example Use a new token at once
   * ```ts
   * const stream = connect('/api/events', { headers: () => ({ Authorization: `Bearer ${token}` }) });
   * auth.onTokenRefreshed((next) => {
   *   token = next;
   *   stream.reconnect();
   * });
   * ```
   */
  reconnect(): void;
  /** True once closed, by `close()`, the signal, a 204 or a final error. */
  readonly closed: boolean;
}
