import type { SsekitError } from '@ssekit/core';

/**
 * Longest wait the client ever schedules, in ms (10 minutes). A server's `retry:` and a
 * `Retry-After` above it are clamped to it: browsers' timers overflow past 2^31 - 1 ms and fire at
 * once, which turned `retry: 99999999999` into a reconnect hot loop in other clients.
 *
 * @example
 * ```ts
 * const stream = connect('/api/events', { events, retry: { max: MAX_RETRY_DELAY } }); // 10 minutes at most
 * ```
 */
export const MAX_RETRY_DELAY = 600_000;

/**
 * How the client waits between connection attempts. Every field is optional.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = {
 *   initial: 1000, // the first reconnect after a drop
 *   max: 30_000, // backoff caps at 30 s
 *   maxAttempts: 20, // then the stream closes with 'retries-exhausted'
 *   shouldRetry: (error) => !(error instanceof HttpError && error.status === 404),
 * };
 * const stream = connect('/api/events', { events, retry });
 * ```
 */
export interface RetryOptions {
  /**
   * Reconnection time before the server sends `retry:`, in ms. A server `retry:` replaces it.
   * @defaultValue `1000`
   */
  initial?: number;
  /**
   * Lower bound of the reconnection time, in ms: a `retry: 0` waits this long, never less.
   * @defaultValue `100`
   */
  min?: number;
  /**
   * Cap of the exponential backoff, in ms. A server `retry:` above it still wins (the client
   * may wait longer than the reconnection time, never shorter), up to {@link MAX_RETRY_DELAY}.
   * @defaultValue `30000`
   */
  max?: number;
  /**
   * Growth of the delay per consecutive failure: `retry × factor^(failures - 1)`.
   * @defaultValue `2`
   */
  factor?: number;
  /**
   * Random extra delay as a fraction of the delay (`0.3` adds 0–30 %), a server's `Retry-After`
   * included. It only ever adds, so no reconnect comes sooner than the reconnection time or the
   * `Retry-After`.
   * @defaultValue `0.3`
   */
  jitter?: number;
  /**
   * Give up after this many reconnection attempts in a row without an open stream (the first
   * request does not count; `0` never retries). The stream then closes with a
   * `retries-exhausted` error whose `cause` is the last failure.
   * @defaultValue `Infinity`
   */
  maxAttempts?: number;
  /**
   * Give up when reconnecting has lasted this long, in ms, since the stream was last open (or
   * created).
   * @defaultValue `Infinity`
   */
  maxElapsed?: number;
  /**
   * A connection that stayed open at least this long, in ms, was healthy: the backoff resets
   * and the next reconnect comes after about the reconnection time again.
   * @defaultValue `5000`
   */
  healthyAfter?: number;
  /**
   * Decide whether to retry after a failure that would be retried. `error` is `undefined`
   * when the server ended the stream cleanly; `attempt` is the attempt about to be made.
   * Return `false` to close the stream (with `error`).
   */
  shouldRetry?: (error: SsekitError | undefined, attempt: number) => boolean;
  /**
   * Source of randomness for the jitter, returning `[0, 1)`; inject one to make timing
   * deterministic in tests.
   * @defaultValue `Math.random`
   */
  random?: () => number;
}

/**
 * The wait before the next attempt: the reconnection time `base` (clamped to
 * `[min, MAX_RETRY_DELAY]`) grown by `factor` per consecutive failure beyond the first, capped at
 * `max(max, base)`, at least the server's `Retry-After` (`after`), plus jitter that only adds.
 * The jitter applies on top of `Retry-After` too: clients the server refused together (a 503 to
 * everyone) would otherwise all come back at the same instant, and be refused together again.
 * Defaults are applied here (destructuring, so an explicit `undefined` keeps the default).
 * @internal
 */
export function backoff(options: RetryOptions, base: number, failures: number, after = 0): number {
  const { min = 100, max = 30_000, factor = 2, jitter = 0.3, random = Math.random } = options;
  const floor = Math.min(Math.max(base, min), MAX_RETRY_DELAY);
  const delay = Math.max(Math.min(floor * factor ** (failures - 1), Math.max(floor, max)), after);
  return Math.min(delay * (1 + jitter * random()), MAX_RETRY_DELAY);
}

/**
 * A `Retry-After` header (delay-seconds or an HTTP date) in ms from now, clamped to
 * `[0, MAX_RETRY_DELAY]`; `0` when absent or unreadable.
 * @internal
 */
export function retryAfter(value: string | null): number {
  if (!value) return 0;
  const ms = /^\d+$/.test(value) ? +value * 1000 : Date.parse(value) - Date.now();
  return ms > 0 ? Math.min(ms, MAX_RETRY_DELAY) : 0;
}
