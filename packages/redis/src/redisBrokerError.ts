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
  /**
   * True on the one report of the subscription (through `onError`) that Redis is back after an
   * outage: a notice, not a failure — log it at info level. False on every other error.
   */
  readonly recovered: boolean;

  constructor(
    message: string,
    options: { maybePublished?: boolean; recovered?: boolean; cause?: unknown } = {},
  ) {
    super('broker-unavailable', message, { cause: options.cause });
    this.name = 'RedisBrokerError';
    this.maybePublished = options.maybePublished ?? false;
    this.recovered = options.recovered ?? false;
  }
}

/** @internal Errors of node-redis that mean the command never reached Redis. */
const NOT_SENT = new Set(['TimeoutError', 'ClientClosedError', 'ClientOfflineError', 'AbortError']);
/** @internal Errors Redis answered with: the command ran and failed, nothing was stored. */
const REFUSED = new Set(['ErrorReply', 'SimpleError', 'BlobError']);

/** @internal A publish failure as a {@link RedisBrokerError} that says whether to retry. */
export function publishError(
  error: unknown,
  stream: string,
  publishTimeout: number,
): RedisBrokerError {
  if (error instanceof RedisBrokerError) return error;
  const kinds = classesOf(error);
  if (kinds.some((kind) => NOT_SENT.has(kind))) {
    return new RedisBrokerError(
      `Redis did not take the publish to ${stream} within publishTimeout (${publishTimeout} ms): ${describe(error)}. It was not published; retrying is safe.`,
      { cause: error },
    );
  }
  if (kinds.some((kind) => REFUSED.has(kind))) {
    return new RedisBrokerError(`Redis refused the publish to ${stream}: ${describe(error)}`, {
      cause: error,
    });
  }
  return new RedisBrokerError(
    `The connection to Redis failed during a publish to ${stream} (${describe(error)}); it may or may not have been stored.`,
    { cause: error, maybePublished: true },
  );
}

/**
 * @internal The class names of an error, up its prototype chain: node-redis's errors leave `name`
 * as `Error`, and a client from another copy of node-redis fails `instanceof`.
 */
function classesOf(error: unknown): string[] {
  const names: string[] = [];
  for (
    let proto = error instanceof Object ? Object.getPrototypeOf(error) : null;
    proto !== null && proto !== Error.prototype && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    names.push((proto.constructor as { name?: string } | undefined)?.name ?? '');
  }
  return names;
}

/** @internal */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const kind = classesOf(error)[0] || error.name;
  return error.message ? `${kind}: ${error.message}` : kind;
}
