import { SsekitError } from '@ssekit/core';

/**
 * Redis could not be reached, or did not answer in time. `hub.publish()` rejects with it (after
 * waiting up to `publishTimeout` for Redis to come back), and broker reads fail fast with it
 * while Redis is unreachable (the waiting stream ends; its client resumes later).
 *
 * @example Retry a publish only when it cannot have been stored
 * ```ts
 * try {
 *   await hub.publish('notification', payload, { to: userId });
 * } catch (error) {
 *   if (error instanceof RedisBrokerError && !error.maybePublished) queueForRetry(payload);
 *   else throw error;
 * }
 * ```
 */
export class RedisBrokerError extends SsekitError {
  /**
   * True when Redis may have stored the event: the connection failed after the command was sent,
   * so retrying could publish it twice. False when it certainly was not stored (never sent, or
   * refused by Redis): retrying is safe.
   */
  readonly maybePublished: boolean;

  constructor(message: string, options: { maybePublished?: boolean; cause?: unknown } = {}) {
    super('broker-unavailable', message, { cause: options.cause });
    this.name = 'RedisBrokerError';
    this.maybePublished = options.maybePublished ?? false;
  }
}
