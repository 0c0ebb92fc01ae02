/**
 * React hooks for Server-Sent Events, typed from the schema shared with the server:
 * {@link createServerEventsHooks} makes a provider and `useServerEvents`, `useServerEvent`,
 * `useResetEvent`, `useStreamError`, `useConnectionStatus` and `useReconnect` for one schema;
 * every hook may name its own `url` and pause with `enabled: false`. A thin layer over
 * `@ssekit/client`: one shared, ref-counted connection per (URL, credentials key), read with
 * `useSyncExternalStore`, SSR-safe. Test streams for your component tests are in
 * `@ssekit/react/testing`.
 *
 * @module \@ssekit/react
 */
'use client';
export {
  createServerEventsHooks,
  type ServerEventsHooksOptions,
} from './createServerEventsHooks';
export type {
  ConnectionStatusOptions,
  EventsOf,
  HookOptions,
  KeepOptions,
  ReduceOptions,
  ServerEventsHooks,
  ServerEventsProviderProps,
  StreamErrorKind,
  StreamErrorOptions,
} from './serverEventsHooks';
export {
  type ConnectionState,
  type ConnectionStatus,
  IDLE_STATUS,
} from './store/connectionStatus';
export type { ServerEventsSnapshot } from './store/eventLog';
export type { ConnectFn } from './store/sharedConnection';
