import type { ConnectOptions, EventMeta } from '@ssekit/client';
import type {
  EventData,
  EventName,
  EventOf,
  EventSchema,
  ResetNotice,
  SsekitError,
} from '@ssekit/core';
import type { ReactNode } from 'react';
import type { ConnectionStatus } from './store/connectionStatus';
import type { ServerEventsSnapshot } from './store/eventLog';
import type { ConnectFn } from './store/sharedConnection';

/**
 * The events of `E` whose name is one of `T`.
 *
 * @example
 * ```ts
 * type LogEvent = EventsOf<typeof events, 'log' | 'sync.progress'>;
 * function describe(event: LogEvent): string {
 *   return event.type === 'log' ? event.data.message : `page ${event.data.page}`;
 * }
 * ```
 */
export type EventsOf<E extends EventSchema, T extends EventName<E>> = Extract<
  EventOf<E>,
  { type: T }
>;

/**
 * What every hook takes: which stream, and whether to listen to it now.
 *
 * @example A second stream, and a pause
 * ```tsx
 * function JobProgress({ jobId, visible }: { jobId: string; visible: boolean }) {
 *   // Its own connection, with the provider's headers; none at all while hidden.
 *   const { state } = useServerEvents({
 *     url: `/api/jobs/${jobId}/events`,
 *     enabled: visible,
 *     types: ['sync.progress'],
 *     reduce: (_, e) => e.data.page / e.data.totalPages,
 *     initial: 0,
 *   });
 *   return <progress value={state} />;
 * }
 * ```
 */
export interface HookOptions {
  /**
   * Listen to this stream instead of the provider's (or the factory's) `url`: an app with two
   * streams uses one set of hooks. Each URL gets its own shared connection, with the provider's
   * headers, options and `credentialsKey`.
   * @defaultValue the provider's `url`, else the factory's
   */
  url?: string | URL;
  /**
   * `false` stops listening without unmounting: the hook lets go of the connection (which closes
   * `gracePeriod` ms after its last listener lets go, as on unmount), reports the `idle` status
   * and calls no handler; `true` again listens again (a new connection if the old one closed,
   * starting from live events). `useServerEvents` keeps the events it had.
   * @defaultValue `true`
   */
  enabled?: boolean;
}

/**
 * Which errors a `useStreamError` handler gets: `transport` — the connection failed or is
 * failing (`http-status`, `content-type`, `network`, `timeout`, `buffer-overflow`,
 * `retries-exhausted`, …; also in `useConnectionStatus().error`); `event` — one event was skipped
 * or lost its id on a connection that goes on (`schema-mismatch`, `invalid-json`,
 * `unknown-event`, `invalid-field`).
 *
 * @example
 * ```tsx
 * const kind: StreamErrorKind = 'event';
 * useStreamError((err) => console.warn('skipped an event', err), { kind });
 * ```
 */
export type StreamErrorKind = 'transport' | 'event';

/**
 * Options of `useStreamError`.
 *
 * @example Only transport errors
 * ```tsx
 * useStreamError((err) => setBanner(err.message), { kind: 'transport' });
 * ```
 */
export interface StreamErrorOptions extends HookOptions {
  /** Only errors of this kind. @defaultValue every error */
  kind?: StreamErrorKind;
}

/**
 * Options of `useServerEvents` that keep a list of recent events.
 *
 * @example
 * ```tsx
 * function Logs() {
 *   const options: KeepOptions<typeof events, 'log'> = { types: ['log'], keep: 100 };
 *   const { events: lines } = useServerEvents(options);
 *   return <LogList lines={lines} />;
 * }
 * ```
 */
export interface KeepOptions<E extends EventSchema, T extends EventName<E>> extends HookOptions {
  /**
   * How many of the most recent events to keep in `events` (older ones are dropped, so memory is
   * bounded however long the page stays open). Read on every event.
   * @defaultValue `50`, or `0` when `reduce` is given
   */
  keep?: number;
  /** Only these event names; the result is narrowed to them. @defaultValue every event */
  types?: readonly T[];
}

/**
 * Options of `useServerEvents` that fold events into state.
 *
 * @example
 * ```tsx
 * function Progress() {
 *   const options: ReduceOptions<typeof events, 'sync.progress', number> = {
 *     types: ['sync.progress'],
 *     reduce: (_, event) => event.data.page / event.data.totalPages,
 *     initial: 0,
 *   };
 *   const { state: done } = useServerEvents(options);
 *   return <progress value={done} />;
 * }
 * ```
 */
export interface ReduceOptions<E extends EventSchema, T extends EventName<E>, S>
  extends KeepOptions<E, T> {
  /**
   * Folds each event into `state`, outside React, as the event arrives (so none is lost in a
   * burst, however renders are batched). Should be pure. May be an inline function: the latest
   * one is used.
   */
  reduce: (state: S, event: EventsOf<E, T>) => S;
  /** The state before the first event (and during server rendering). Read on mount. */
  initial: S;
}

/**
 * Options of `useConnectionStatus`.
 *
 * @example
 * ```tsx
 * function Dot() {
 *   const options: ConnectionStatusOptions = { lostAfter: 2000 }; // blips under 2 s stay green
 *   const { state } = useConnectionStatus(options);
 *   return <span className={state === 'open' ? 'green' : 'red'} />;
 * }
 * ```
 */
export interface ConnectionStatusOptions extends HookOptions {
  /**
   * Report a connection as lost only after it has been down for this many ms: until then the
   * last `open` status is returned, so a quick reconnect does not make an indicator flicker.
   * @defaultValue `0` (report every change)
   */
  lostAfter?: number;
}

/**
 * Props of the provider returned by `createServerEventsHooks`.
 *
 * @example
 * ```tsx
 * function Root() {
 *   const props: ServerEventsProviderProps<typeof events> = {
 *     url: '/api/events',
 *     headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 *     credentialsKey: user.id,
 *   };
 *   return (
 *     <ServerEventsProvider {...props}>
 *       <App />
 *     </ServerEventsProvider>
 *   );
 * }
 * ```
 */
export interface ServerEventsProviderProps<E extends EventSchema> {
  /** The components whose hooks use this provider's connection. */
  children?: ReactNode;
  /** The stream's URL (overrides the factory's `url`). */
  url?: string | URL;
  /**
   * Request headers (e.g. `Authorization`), or a function called on every (re)connect. Not part of
   * the connection's identity: change `credentialsKey` to reconnect with other credentials.
   */
  headers?: ConnectOptions<E>['headers'];
  /** Whose credentials the connection carries; see `ServerEventsHooksOptions.credentialsKey`. */
  credentialsKey?: string;
  /** More client options (retry, inactivityTimeout, …), read when the connection opens. */
  options?: Omit<
    ConnectOptions<E>,
    'events' | 'signal' | 'headers' | 'shareAcrossTabs' | 'shareKey'
  >;
  /** Opens the stream (a test stream's `connect` in tests). Must be stable. */
  connect?: ConnectFn<E>;
  /**
   * `false` pauses every hook below without unmounting anything, as if each had
   * `enabled: false`: the connection closes after the grace period; `true` opens it again.
   * @defaultValue `true`
   */
  enabled?: boolean;
}

/**
 * `shareAcrossTabs`, for the factory and the provider of `@ssekit/react/tabs` (the plain
 * `@ssekit/react` has neither): off, or on with the `credentialsKey` naming whose credentials
 * (cookies or headers) the shared stream uses, such as the user id, so that tabs of different
 * users never share one. With it, the tabs of this origin with the same URL and key elect a
 * leader that alone connects and forwards to the others; when its tab goes, another resumes
 * from the last event id. A provider's `shareAcrossTabs` overrides the factory's and is part of
 * the connection's identity.
 *
 * @example
 * ```ts
 * const sharing: TabSharing = { shareAcrossTabs: true, credentialsKey: user.id };
 * ```
 */
export type TabSharing =
  | { shareAcrossTabs?: false | undefined }
  | { shareAcrossTabs: true; credentialsKey: string };

/**
 * The hooks of `@ssekit/react/tabs`: {@link ServerEventsHooks} whose provider also takes
 * {@link TabSharing}.
 *
 * @example
 * ```tsx
 * declare const hooks: TabsServerEventsHooks<typeof events>;
 * const root = (
 *   <hooks.ServerEventsProvider url="/api/events" shareAcrossTabs credentialsKey={user.id}>
 *     <App />
 *   </hooks.ServerEventsProvider>
 * );
 * ```
 */
export interface TabsServerEventsHooks<E extends EventSchema>
  extends Omit<ServerEventsHooks<E>, 'ServerEventsProvider'> {
  /** {@link ServerEventsHooks.ServerEventsProvider}, with {@link TabSharing}. */
  ServerEventsProvider: (props: ServerEventsProviderProps<E> & TabSharing) => ReactNode;
}

/**
 * The provider and hooks made by `createServerEventsHooks` for the schema `E`.
 *
 * @example
 * ```ts
 * const hooks: ServerEventsHooks<typeof events> = createServerEventsHooks(events, { url: '/api/events' });
 * export const { useServerEvents, useServerEvent, useConnectionStatus } = hooks;
 * ```
 */
export interface ServerEventsHooks<E extends EventSchema> {
  /**
   * Gives the hooks below a URL, headers and credentials key at run time (e.g. from the signed-in
   * user). Optional when the factory was given a `url`.
   *
   * @example Authenticated stream
   * ```tsx
   * <ServerEventsProvider url="/api/events" credentialsKey={user.id}
   *   headers={() => ({ Authorization: `Bearer ${getToken()}` })}>
   *   <App />
   * </ServerEventsProvider>
   * ```
   */
  ServerEventsProvider: (props: ServerEventsProviderProps<E>) => ReactNode;

  /**
   * The connection's status and the recent events, typed: keeps the last `keep` events, or folds
   * them into state with `reduce`. Events are taken as they arrive, outside React, and the
   * component renders once per task however many arrived.
   *
   * @example Recent log lines and a folded counter
   * ```tsx
   * function Logs() {
   *   const { events, status } = useServerEvents({ types: ['log'], keep: 100 });
   *   return <ul data-state={status.state}>{events.map((e) => <li key={e.id}>{e.data.message}</li>)}</ul>;
   * }
   * function Unread() {
   *   const { state } = useServerEvents({
   *     types: ['notification'],
   *     reduce: (count, e) => e.data.unread,
   *     initial: 0,
   *   });
   *   return <span>{state}</span>;
   * }
   * ```
   */
  useServerEvents<S, const T extends EventName<E> = EventName<E>>(
    options: ReduceOptions<E, T, S>,
  ): ServerEventsSnapshot<EventsOf<E, T>, S>;
  useServerEvents<const T extends EventName<E> = EventName<E>>(
    options?: KeepOptions<E, T>,
  ): ServerEventsSnapshot<EventsOf<E, T>>;

  /**
   * Call `handler` for every `type` event. The handler may be a new inline function on every
   * render: the latest one is called, and nothing reconnects or resubscribes. Renders nothing
   * by itself.
   *
   * @example Toast on each notification
   * ```tsx
   * useServerEvent('notification', (data, meta) => toast(`${data.title} (${meta.id})`));
   * ```
   */
  useServerEvent<K extends EventName<E>>(
    type: K,
    handler: (data: EventData<E, K>, meta: EventMeta) => void,
    options?: HookOptions,
  ): void;

  /**
   * Call `handler` when the hub says events were lost (its `ssekit.reset` control event: the
   * client's last event id was older than the replay log, or from before a server restart), so
   * the app can refetch its state.
   *
   * @example Refetch the list
   * ```tsx
   * useResetEvent(() => queryClient.invalidateQueries({ queryKey: ['users'] }));
   * ```
   */
  useResetEvent(handler: (notice: ResetNotice) => void, options?: HookOptions): void;

  /**
   * Call `handler` for every error the stream reports, or with `kind` only for one kind:
   * `'transport'` (an HTTP error, a network cut, a timeout, giving up: the connection is
   * failing) or `'event'` (an invalid payload, skipped: the connection goes on). See
   * {@link StreamErrorKind} for the codes of each.
   *
   * @example Report bad payloads to the team, show connection trouble to the user
   * ```tsx
   * useStreamError((err) => reportBug(err), { kind: 'event' }); // a ValidationError: event, issues
   * useStreamError((err) => toast(`Live updates: ${err.message}`), { kind: 'transport' });
   * ```
   */
  useStreamError(handler: (error: SsekitError) => void, options?: StreamErrorOptions): void;

  /**
   * The connection's status: `state` (`idle | connecting | open | reconnecting | closed`),
   * `error`, `attempt` and `retryAt` (epoch ms of the next attempt, for "retrying in 4 s").
   *
   * @example A connection dot that ignores blips under 2 s
   * ```tsx
   * function Dot() {
   *   const { state, retryAt } = useConnectionStatus({ lostAfter: 2000 });
   *   return <span className={state === 'open' ? 'green' : 'red'} title={retryAt ? `retrying at ${new Date(retryAt).toLocaleTimeString()}` : state} />;
   * }
   * ```
   */
  useConnectionStatus(options?: ConnectionStatusOptions): ConnectionStatus;

  /**
   * A stable function that reconnects the shared connection now, instead of at the next drop:
   * after a token refresh, so the new `headers` are used at once. It resumes from the last event
   * id (nothing is missed) and starts the backoff over; a connection that had given up for good
   * (retries exhausted, a refused 401/403) is opened afresh. Does nothing while no hook listens.
   *
   * @example Use a refreshed token at once
   * ```tsx
   * import { useEffect } from 'react';
   *
   * function TokenWatcher() {
   *   const reconnect = useReconnect();
   *   useEffect(() => auth.onTokenRefreshed(reconnect), [reconnect]);
   *   return null;
   * }
   * ```
   */
  useReconnect(options?: Pick<HookOptions, 'url'>): () => void;
}
