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
import type { ConnectionStatus } from './connectionStatus';
import type { ServerEventsSnapshot } from './eventLog';
import type { ConnectFn } from './sharedConnection';

/** The events of `E` whose name is one of `T`. */
export type EventsOf<E extends EventSchema, T extends EventName<E>> = Extract<
  EventOf<E>,
  { type: T }
>;

/** Options of `useServerEvents` that keep a list of recent events. */
export interface KeepOptions<E extends EventSchema, T extends EventName<E>> {
  /**
   * How many of the most recent events to keep in `events` (older ones are dropped, so memory is
   * bounded however long the page stays open). Read on every event.
   * @defaultValue `50`, or `0` when `reduce` is given
   */
  keep?: number;
  /** Only these event names; the result is narrowed to them. @defaultValue every event */
  types?: readonly T[];
}

/** Options of `useServerEvents` that fold events into state. */
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

/** Options of `useConnectionStatus`. */
export interface ConnectionStatusOptions {
  /**
   * Report a connection as lost only after it has been down for this many ms: until then the
   * last `open` status is returned, so a quick reconnect does not make an indicator flicker.
   * @defaultValue `0` (report every change)
   */
  lostAfter?: number;
}

/** Props of the provider returned by `createServerEventsHooks`. */
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
  options?: Omit<ConnectOptions<E>, 'events' | 'signal' | 'headers'>;
  /** Opens the stream (a test stream's `connect` in tests). Must be stable. */
  connect?: ConnectFn<E>;
}

/** The provider and hooks made by `createServerEventsHooks` for the schema `E`. */
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
  useResetEvent(handler: (notice: ResetNotice) => void): void;

  /**
   * Call `handler` for every error the stream reports: an invalid payload (skipped), an HTTP
   * error, a timeout, giving up.
   *
   * @example Log invalid payloads
   * ```tsx
   * useStreamError((err) => console.warn(err.code, err.message));
   * ```
   */
  useStreamError(handler: (error: SsekitError) => void): void;

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
}
