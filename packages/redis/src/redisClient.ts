/**
 * What the broker uses of a node-redis client (`createClient()` of `redis` or `@redis/client`,
 * version 5 or later). A structural type, so a client from the app's own copy of node-redis fits
 * even when it is another version than this package's.
 *
 * @example Your own node-redis client
 * ```ts
 * import { createHub } from '@ssekit/server';
 * import { createClient } from '@redis/client';
 *
 * const client: RedisClientLike = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const hub = createHub({ events, broker: createRedisBroker({ client }) });
 * // the broker never closes a client you pass: close it after hub.close()
 * ```
 */
export interface RedisClientLike {
  /** Connected, or connecting/reconnecting (not closed). */
  readonly isOpen: boolean;
  /** Connected and able to run commands now. */
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sendCommand(
    args: readonly string[],
    options?: { abortSignal?: AbortSignal; timeout?: number },
  ): Promise<unknown>;
  /** A new client with the same options, not connected: the subscription's blocking connection. */
  duplicate(): RedisClientLike;
  on(event: 'error' | 'ready', listener: (...args: any[]) => void): unknown;
  off(event: 'error' | 'ready', listener: (...args: any[]) => void): unknown;
  /** Close after the pending replies. */
  close(): Promise<unknown>;
  /** Close at once, failing the pending commands. */
  destroy(): void;
}
