import type { StreamState, StreamStatus } from '@ssekit/client';

/**
 * Where a shared connection is, as the React layer sees it: the client's {@link StreamState}, plus
 * `idle` before any component has opened the connection and during server rendering.
 *
 * @example
 * ```tsx
 * const label: Record<ConnectionState, string> = {
 *   idle: 'Paused',
 *   connecting: 'Connecting…',
 *   open: 'Live',
 *   reconnecting: 'Reconnecting…',
 *   closed: 'Offline',
 * };
 * function Status() {
 *   return <span>{label[useConnectionStatus().state]}</span>;
 * }
 * ```
 */
export type ConnectionState = 'idle' | StreamState;

/**
 * An immutable snapshot of a connection's status: a new object on every change, so it can be
 * compared with `===` and returned from `useSyncExternalStore`.
 *
 * @example
 * ```tsx
 * function Banner() {
 *   const status: ConnectionStatus = useConnectionStatus();
 *   if (status.state !== 'reconnecting') return null;
 *   return <p role="status">Connection lost (attempt {status.attempt}): {status.error?.message}</p>;
 * }
 * ```
 */
export interface ConnectionStatus extends Omit<StreamStatus, 'state'> {
  /** `idle | connecting | open | reconnecting | closed`. */
  readonly state: ConnectionState;
}

/**
 * The status before a connection exists. One frozen object, used as the server snapshot and as
 * the first client snapshot alike, so hydration always matches.
 *
 * @example
 * ```tsx
 * function Dot() {
 *   const status = useConnectionStatus({ enabled: settings.liveUpdates });
 *   return <span>{status === IDLE_STATUS ? 'live updates off' : status.state}</span>;
 * }
 * ```
 */
export const IDLE_STATUS: ConnectionStatus = Object.freeze({
  state: 'idle',
  error: undefined,
  attempt: 0,
  retryAt: undefined,
  lastEventId: undefined,
});
