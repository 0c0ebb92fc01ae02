'use client';
import { type ConnectOptions, connect as clientConnect } from '@ssekit/client';
import type { EventSchema } from '@ssekit/core';
import { createContext } from 'react';
import type { Binding, TargetChoice } from './binding';
import { useServerEventsProvider } from './ServerEventsProvider';
import type { ServerEventsHooks } from './serverEventsHooks';
import type { ConnectFn, ConnectionTarget } from './store/sharedConnection';
import { useChannelListener } from './useChannelListener';
import { useConnectionStatus } from './useConnectionStatus';
import { useReconnect } from './useReconnect';
import { useServerEvents } from './useServerEvents';

/**
 * Options of {@link createServerEventsHooks}: connection defaults for every hook.
 *
 * @example
 * ```ts
 * const options: ServerEventsHooksOptions<typeof events> = {
 *   url: '/api/events',
 *   credentialsKey: user.id, // a new user gets a new connection
 *   headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
 *   gracePeriod: 1000,
 * };
 * export const hooks = createServerEventsHooks(events, options);
 * ```
 */
export interface ServerEventsHooksOptions<E extends EventSchema>
  extends Omit<ConnectOptions<E>, 'events' | 'signal' | 'shareKey' | 'shareAcrossTabs'> {
  /**
   * The stream's URL. Optional here when every consumer is inside a `ServerEventsProvider` that
   * gives one; a hook with no URL from either throws.
   */
  url?: string | URL;
  /**
   * Whose credentials the connection carries (a user id, a session id): components with the same
   * URL and key share one connection; a new key (login, logout) opens a new one. Never a token
   * object: keys are compared as strings.
   * @defaultValue `''`
   */
  credentialsKey?: string;
  /**
   * Opens the stream. Swap in a test stream's `connect` from `@ssekit/react/testing`. Must be a
   * stable function (module level): connections are shared per `connect` function.
   * @defaultValue `connect` from `@ssekit/client`
   */
  connect?: ConnectFn<E>;
  /**
   * How long (ms) a connection outlives its last consumer, so StrictMode's double mount and a
   * route change that unmounts then remounts a consumer reuse the connection.
   * @defaultValue `1000`
   */
  gracePeriod?: number;
}

/** @internal Ids that make registry keys unique per factory and per `connect` function. */
let ids = 0;
const connectIds = new WeakMap<object, number>();

/**
 * Make the provider and hooks for one event schema. Call it once, at module level in a client
 * module, and import the hooks from there: they are typed from the schema, with no generics at
 * call sites. Every hook shares one connection per (URL, `credentialsKey`), opened in an effect
 * (never during render or on the server) and closed `gracePeriod` ms after its last consumer
 * unmounts.
 *
 * @example Typed hooks for a schema
 * ```tsx
 * 'use client';
 * import { createServerEventsHooks } from '@ssekit/react';
 * import { events } from './events';
 *
 * export const { ServerEventsProvider, useServerEvents, useServerEvent, useConnectionStatus } =
 *   createServerEventsHooks(events, { url: '/api/events' });
 *
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
export function createServerEventsHooks<E extends EventSchema>(
  events: E,
  options: ServerEventsHooksOptions<E> = {},
): ServerEventsHooks<E> {
  const id = ++ids;
  const {
    url,
    credentialsKey = '',
    connect = clientConnect,
    gracePeriod = 1000,
    shareAcrossTabs = false,
    ...rest
  } = options as ServerEventsHooksOptions<E> & { shareAcrossTabs?: boolean };
  const defaults: ConnectOptions<E> = { ...rest, events };
  const keyOf = (href: string, key: string, fn: ConnectFn<E>, share: boolean) => {
    let fnId = connectIds.get(fn);
    if (fnId === undefined) {
      fnId = ++ids;
      connectIds.set(fn, fnId);
    }
    // Primitives only; NUL cannot appear in a URL, so the parts cannot run into each other.
    return `${id}\0${fnId}\0${href}\0${key}\0${share}`;
  };
  const target = ({
    url: href,
    credentialsKey: key,
    connect: fn,
    enabled,
    share,
  }: TargetChoice<E>): ConnectionTarget<E> => ({
    key: keyOf(href, key, fn, share),
    url: href,
    credentialsKey: key,
    connect: fn,
    share,
    enabled,
    gracePeriod,
    options: defaults,
  });
  const binding: Binding<E> = {
    events,
    Context: createContext<ConnectionTarget<E> | undefined>(undefined),
    fallback: target({
      url: url === undefined ? '' : String(url),
      credentialsKey,
      connect,
      enabled: true,
      share: shareAcrossTabs,
    }),
    defaults,
    target,
    // The prototype is `base`: `options` (the provider's latest headers) are read through it.
    derive: (base, href) =>
      Object.assign(Object.create(base), {
        url: href,
        key: keyOf(href, base.credentialsKey, base.connect, base.share),
      }),
  };
  return {
    // biome-ignore lint/correctness/noComponentHookFactories: made once per schema, at module level
    ServerEventsProvider: (props) => useServerEventsProvider(binding, props),
    useServerEvents: (opts?: any) => useServerEvents(binding, opts),
    useServerEvent: (type, handler, opts) =>
      useChannelListener(binding, 'event', handler, opts, type),
    useResetEvent: (handler, opts) => useChannelListener(binding, 'reset', handler, opts),
    useStreamError: (handler, opts) => useChannelListener(binding, 'error', handler, opts),
    useConnectionStatus: (opts) => useConnectionStatus(binding, opts),
    useReconnect: (opts) => useReconnect(binding, opts),
  } as ServerEventsHooks<E>;
}
