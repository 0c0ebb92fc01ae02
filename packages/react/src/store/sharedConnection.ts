import {
  type ConnectOptions,
  createListeners,
  type EventStream,
  type Listeners,
} from '@ssekit/client';
import type { EventOf, EventSchema, ResetNotice, SsekitError } from '@ssekit/core';
import { type ConnectionStatus, IDLE_STATUS } from './connectionStatus';

/**
 * Opens a stream: `connect` from `@ssekit/client`, or a test stream's `connect`.
 *
 * @example Logging every connection the hooks open
 * ```ts
 * import { connect } from '@ssekit/client';
 *
 * const loggedConnect: ConnectFn<typeof events> = (url, options) => {
 *   console.debug('opening', url);
 *   return connect(url, options);
 * };
 * export const hooks = createServerEventsHooks(events, { url: '/api/events', connect: loggedConnect });
 * ```
 */
export type ConnectFn<E extends EventSchema> = (
  url: string,
  options: ConnectOptions<E>,
) => EventStream<E>;

/**
 * Everything needed to find or open one shared connection. Made during render (it opens
 * nothing); `key` is built from primitives only, so re-renders with new option objects still
 * find the same connection.
 * @internal
 */
export interface ConnectionTarget<E extends EventSchema> {
  /** Registry key: factory id, connect function id, url and credentials key. */
  readonly key: string;
  readonly url: string;
  readonly credentialsKey: string;
  readonly connect: ConnectFn<E>;
  /** `shareAcrossTabs`: part of the key, so a tab's shared and own connections never mix. */
  readonly share: boolean;
  /** `false` under a provider with `enabled={false}`: hooks do not listen. */
  readonly enabled: boolean;
  /** Milliseconds the connection outlives its last consumer. */
  readonly gracePeriod: number;
  /** The latest options; `headers` is read from here on every (re)connect. */
  options: ConnectOptions<E>;
}

/** @internal What a consumer can listen to on a shared connection. */
interface Channels<E extends EventSchema> {
  event: EventOf<E>;
  reset: ResetNotice;
  error: SsekitError;
  status: undefined;
}

/** @internal */
type Channel = keyof Channels<EventSchema>;

/**
 * One throwing handler must not starve the other components: rethrow its error on a task of its
 * own, like the browser reports an uncaught error in an event listener.
 * @internal
 */
const reportLater = (error: unknown) =>
  setTimeout(() => {
    throw error;
  });

/** @internal Every open shared connection, by {@link ConnectionTarget.key}. */
const registry = new Map<string, SharedConnection<any>>();

/**
 * One client stream shared by every component with the same target. Each listener is a
 * reference: the stream opens with the first and closes `gracePeriod` ms after the last leaves,
 * so StrictMode's mount/unmount/mount and route changes reuse it instead of reconnecting.
 * @internal
 */
class SharedConnection<E extends EventSchema> {
  stream!: EventStream<E>;
  private readonly sets: { [C in Channel]: Listeners<Channels<E>[C]> } = {
    event: createListeners(reportLater),
    reset: createListeners(reportLater),
    error: createListeners(reportLater),
    status: createListeners(reportLater),
  };
  private refs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  /** Unsubscribes from the current stream's listeners. */
  private off!: () => void;

  /** The target of the latest consumer: its provider's options are the freshest. */
  target: ConnectionTarget<E>;

  constructor(target: ConnectionTarget<E>) {
    this.target = target;
    this.open();
  }

  private open(): void {
    const { target } = this;
    const { share, credentialsKey } = target;
    let stream: EventStream<E>;
    try {
      stream = target.connect(target.url, {
        ...target.options,
        // Without a credentialsKey, no shareKey: the client refuses to share (fail closed: tabs
        // may hold different users' cookies or tokens, and only the key tells them apart).
        shareAcrossTabs: share,
        shareKey: credentialsKey || undefined,
        // A function, so a provider's latest headers (a refreshed token) are used on reconnect.
        headers: (ctx) => {
          const h = this.target.options.headers;
          return typeof h === 'function' ? h(ctx) : (h ?? {});
        },
      });
    } catch (error) {
      // Options that cannot work (shareAcrossTabs without a credentialsKey, or on the plain
      // @ssekit/react): thrown here, from a subscribe, they would unmount the app. The status
      // reports them instead, as a stream that failed before it started.
      const status = { state: 'closed', error, reason: 'failed', attempt: 0 };
      this.stream = { getSnapshot: () => status, closed: true, close() {} } as never;
      this.off = () => {};
      return;
    }
    this.stream = stream;
    const offs = [
      stream.onEvent((e) => this.emit('event', e)),
      stream.onReset((n) => this.emit('reset', n)),
      stream.onError((err) => this.emit('error', err)),
      stream.subscribe(() => this.emit('status', undefined)),
    ];
    this.off = () => {
      for (const off of offs) off();
    };
  }

  /**
   * Reconnect now; a stream that gave up (`closed`: retries exhausted, a refused 401/403) is
   * replaced by a fresh one, so new credentials get a new chance without remounting.
   */
  reconnect(): void {
    if (!this.stream.closed) this.stream.reconnect();
    else {
      // A test stream's `connect` returns the same object: drop the old listeners first.
      this.off();
      this.open();
      this.emit('status', undefined);
    }
  }

  listen<C extends Channel>(channel: C, fn: (value: Channels<E>[C]) => void): () => void {
    // Each call is its own subscription: the same function listening twice counts as two references.
    const off = this.sets[channel].add(fn);
    this.refs++;
    clearTimeout(this.timer);
    return () => {
      if (!off()) return;
      if (--this.refs === 0) this.timer = setTimeout(() => this.close(), this.target.gracePeriod);
    };
  }

  private emit<C extends Channel>(channel: C, value: Channels<E>[C]): void {
    // A superseded (closed) connection's late events never reach the components.
    if (!this.done) this.sets[channel].emit(value);
  }

  private close(): void {
    this.done = true;
    if (registry.get(this.target.key) === this) registry.delete(this.target.key);
    this.stream.close();
  }
}

/**
 * Listen on the shared connection for `target`, opening it if needed. Call only from effects or
 * `useSyncExternalStore`'s subscribe (never during render): this is what connects.
 *
 * @returns the function that stops listening and releases the reference.
 * @internal
 */
export function listen<E extends EventSchema, C extends Channel>(
  target: ConnectionTarget<E>,
  channel: C,
  fn: (value: Channels<E>[C]) => void,
): () => void {
  let connection = registry.get(target.key) as SharedConnection<E> | undefined;
  if (!connection) {
    connection = new SharedConnection(target);
    registry.set(target.key, connection);
  }
  connection.target = target;
  return connection.listen(channel, fn);
}

/**
 * Reconnect `target`'s connection now, if one is open (see {@link EventStream.reconnect}).
 * @internal
 */
export function reconnect(target: ConnectionTarget<any>): void {
  registry.get(target.key)?.reconnect();
}

/**
 * The current status of `target`'s connection, or {@link IDLE_STATUS} when none is open. Pure:
 * safe in render and as a `getSnapshot`.
 * @internal
 */
export function statusOf(target: ConnectionTarget<any>): ConnectionStatus {
  return registry.get(target.key)?.stream.getSnapshot() ?? IDLE_STATUS;
}
