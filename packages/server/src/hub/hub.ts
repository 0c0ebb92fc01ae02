import type { EventInput, EventName, EventSchema } from '@ssekit/core';
import type { Broker, BrokerEvent } from '../broker/broker';
import type { ReplayOptions } from '../broker/replayLog';
import type { EventStreamOptions, EventStreamWriter, FinishReason } from '../stream/eventStream';
import type { StreamSink } from '../stream/streamSink';
import type { Refusal } from './refusal';

/**
 * Connection caps; refusals carry `Retry-After`. On by default, set so that ordinary apps never
 * meet them (a user with a dozen tabs on a few devices, tens of thousands of streams a process)
 * while one client, or one stolen token, cannot take a process's descriptors and memory. Raise
 * or lower each to fit; `Infinity` turns one off.
 *
 * @example
 * ```ts
 * const limits: HubLimits = { maxConnections: 10_000, maxConnectionsPerUser: 5, retryAfter: 10 };
 * const hub = createHub({ events, limits });
 * const loadTest = createHub({ events, limits: { maxConnectionsPerAddress: Infinity } });
 * ```
 */
export interface HubLimits {
  /** Open streams in total; past it new ones get 503. @defaultValue `50000` */
  maxConnections?: number;
  /** Open streams per user; past it that user's new ones get 429. @defaultValue `100` */
  maxConnectionsPerUser?: number;
  /**
   * Open anonymous streams (no `userId`) per remote address; past it new ones from that address
   * get 429. The address is the socket's peer address on Node (`req.ip` on Express, which honours
   * its `trust proxy` setting); Fetch hosts do not expose it, so pass the handler's `address`
   * option. Anonymous streams whose address is unknown share one budget of this cap when the app
   * sets it (or `maxConnectionsPerUser`), so a cap can never be skipped; under the default they
   * are bounded by `maxConnections` alone.
   * @defaultValue `maxConnectionsPerUser` if set, else `1000` (clients behind one NAT or proxy
   * share an address)
   */
  maxConnectionsPerAddress?: number;
  /** `Retry-After` of limit refusals, in seconds. @defaultValue `10` */
  retryAfter?: number;
}

/**
 * Who a connection is, as passed to hooks.
 *
 * @example Logging connections
 * ```ts
 * const log = (what: string, info: ConnectionInfo) => console.info(what, info.userId, info.topics);
 * const hub = createHub({
 *   events,
 *   onConnect: (info) => log('connected', info),
 *   onDisconnect: (info, reason) => log(`gone (${reason})`, info),
 * });
 * ```
 */
export interface ConnectionInfo {
  readonly userId: string | undefined;
  readonly topics: readonly string[];
  readonly lastEventId: string | undefined;
}

/**
 * Options of {@link createHub}. Stream options apply to every connection.
 *
 * @example
 * ```ts
 * const options: HubOptions<typeof events> = {
 *   events,
 *   name: 'app', // one hub per process, however many module graphs load this file
 *   replay: { maxEvents: 1000, maxAge: 5 * 60_000 },
 *   heartbeat: 15_000,
 *   limits: { maxConnectionsPerUser: 5 },
 * };
 * export const hub = createHub(options);
 * ```
 */
export interface HubOptions<E extends EventSchema = EventSchema>
  extends Omit<EventStreamOptions<E>, 'lastEventId'> {
  /**
   * Make this the process-wide hub of this name: every `createHub({ name })` with it — from any
   * module graph, bundled copy of the package or dev reload — returns the same open hub (kept on
   * `globalThis`). The way to create a hub in Next.js, which loads route handlers and server
   * actions in separate module graphs: without a name each graph gets its own hub, and publishes
   * from one never reach the other's connections. The first call's options win; later calls
   * with different ones get a `console.warn`. Once the hub is closed, the next call makes a new
   * one. Without a name, every call makes a new hub.
   */
  name?: string;
  /** Bounds of the default in-memory replay log; `false` keeps none. Ignored with `broker`. */
  replay?: ReplayOptions | false;
  /** How publishes are logged and fanned out. @defaultValue {@link createMemoryBroker} */
  broker?: Broker;
  /**
   * Close the broker in {@link Hub.close} — the one it made and one passed as `broker` alike, so
   * `createHub({ broker: createRedisBroker({ url }) })` releases its connections with the hub.
   * Pass `false` for a broker shared with other hubs or closed by the app. @defaultValue `true`
   */
  closeBroker?: boolean;
  /**
   * Epoch of the default broker's ids (random by default). Ignored with `broker`. It must differ
   * on every run: with a constant one, a restarted server reads a client's old id as one of its
   * own and resumes it past events it never sent (no reset). For tests, not production.
   */
  epoch?: string;
  /** Clock of the default broker's age bound. @defaultValue `Date.now` */
  now?: () => number;
  /** Connection caps: 50,000 streams, 100 per user, 1,000 per anonymous address by default. */
  limits?: HubLimits;
  /**
   * How long a new or resuming stream waits for the broker (`readAfter`, `head`), in ms. Past it
   * the read is aborted and the stream ends; its client reconnects later and resumes. Live events
   * held meanwhile count against `maxBufferedBytes`: past it the stream ends too.
   * @defaultValue `10000`
   */
  readTimeout?: number;
  /** A connection joined. */
  onConnect?: (info: ConnectionInfo) => void;
  /** A connection left, and why. */
  onDisconnect?: (info: ConnectionInfo, reason: FinishReason) => void;
  /** An event went out to `recipients` connections (events from other processes too). */
  onPublish?: (event: BrokerEvent, recipients: number) => void;
  /** Where failing hooks and broker reads are reported. @defaultValue `console.error` */
  onError?: (error: unknown) => void;
}

/**
 * Targets of {@link Hub.publish}; both set means the user's connections on that topic. No
 * options means everyone. A target that is present must name someone: `{ to: undefined }` (a
 * missing user id), `''`, `[]` or `{ topic: undefined }` are refused with `invalid-target`,
 * never widened to a broadcast.
 *
 * @example
 * ```ts
 * const toAda: PublishOptions = { to: 'ada' };
 * const toFleet: PublishOptions = { topic: 'fleet-7' };
 * await hub.publish('notification', { id: 'n1', title: 'Hi', unread: 1 }, toAda);
 * await hub.publish('log', { message: 'fleet 7 moved' }, toFleet);
 * ```
 */
export interface PublishOptions {
  /** Only connections that joined this topic (a non-empty string). */
  topic?: string;
  /** Only the connections of this user (or these users): non-empty strings, at least one. */
  to?: string | readonly string[];
}

/**
 * Who a connection belongs to, as decided by `authenticate`.
 *
 * @example What authenticate returns
 * ```ts
 * const identity: Identity = { userId: 'ada', topics: ['fleet-7'] };
 * const handler = createFetchHandler({ hub, authenticate: () => identity });
 * ```
 */
export interface Identity {
  /** The user the connection belongs to: `publish(…, { to: userId })` reaches it. */
  userId?: string | undefined;
  /** Topics the connection joins: `publish(…, { topic })` reaches it. */
  topics?: readonly string[] | undefined;
}

/**
 * What {@link Hub.accept} needs: the identity from `authenticate` and the resume point.
 *
 * @example Connecting a stream by hand (an adapter does this for you)
 * ```ts
 * const request: ConnectRequest = { userId: 'ada', topics: ['fleet-7'], lastEventId: undefined };
 * const stream = hub.accept(request, () => createWebStreamSink());
 * ```
 */
export interface ConnectRequest extends Identity {
  /** The client's `Last-Event-ID`. */
  lastEventId?: string | undefined;
  /** The peer's address, the key of anonymous connections' cap ({@link HubLimits}). */
  address?: string | undefined;
}

/**
 * A snapshot from {@link Hub.stats}.
 *
 * @example A metrics endpoint
 * ```ts
 * app.get('/metrics/sse', (_req, res) => {
 *   const stats: HubStats = hub.stats();
 *   res.json({ connections: stats.connections, buffered: stats.bufferedBytes });
 * });
 * ```
 */
export interface HubStats {
  /** Open streams. */
  connections: number;
  /** Distinct users with an open stream. */
  users: number;
  /** Distinct topics with at least one open stream. */
  topics: number;
  /** Bytes written but not yet read, over all streams. */
  bufferedBytes: number;
  /** Events delivered by the broker since the hub started. */
  published: number;
  /** Streams closed for passing `maxBufferedBytes`. */
  slowConsumers: number;
}

/**
 * Many SSE connections with targeting, replay and shutdown. Made by {@link createHub}.
 *
 * @example
 * ```ts
 * const hub: Hub<typeof events> = createHub({ events });
 * app.get('/api/events', createExpressHandler({ hub, authenticate: (req) => ({ userId: userOf(req) }) }));
 * await hub.publish('notification', { id: 'n1', title: 'Hi', unread: 1 }, { to: 'ada' });
 * console.log(hub.stats().connections);
 * await hub.close(); // on shutdown
 * ```
 */
export interface Hub<E extends EventSchema = EventSchema> {
  /**
   * Publish one event: serialised (and validated, with `validate`) once, given an ordered id,
   * logged for replay and written as the same bytes to every entitled connection.
   * Never throws: every failure rejects the returned promise, and nothing is logged or sent.
   * @returns the event's id.
   * @throws (rejects with) {@link @ssekit/core!ValidationError | ValidationError} for an unknown name, a failing or
   * unserialisable payload; `invalid-field` for a bad or reserved (`ssekit.`) name;
   * `invalid-target` for a `to`/`topic` that names nobody; `event-too-large`; `closed` after
   * {@link close}; or the broker's error.
   *
   * @example
   * ```ts
   * await hub.publish('notification', { id: 'n1', title: 'Hi', unread: 1 }, { to: user.id });
   * await hub.publish('log', { message: 'fleet 7 is back' }, { topic: 'fleet-7' });
   * await hub.publish('user.deleted', { id: 'u9' }); // everyone
   * ```
   */
  publish<K extends EventName<E>>(
    type: K,
    data: EventInput<E, K>,
    options?: PublishOptions,
  ): Promise<string>;
  /**
   * Admit a connection (limits, closed hub), open its sink, replay what it missed after
   * `lastEventId` and then stream live events. Adapters call this; `openSink` runs only when
   * the connection is admitted.
   */
  accept(request: ConnectRequest, openSink: () => StreamSink): EventStreamWriter<E> | Refusal;
  /** Counters for logs and metrics. */
  stats(): HubStats;
  /**
   * End every stream cleanly (its client reconnects after `retry`, to this server or another)
   * and refuse new ones with 503; stops the heartbeat, so nothing of the hub keeps the process
   * alive, and closes the broker (`closeBroker`). A named hub leaves the registry: the next
   * `createHub({ name })` makes a new one. To let a Node server close too, see `drainOnSignal` in
   * `@ssekit/server/node`.
   */
  close(): Promise<void>;
  /** True after {@link close}. */
  readonly closed: boolean;
}
