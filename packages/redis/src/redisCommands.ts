import { SsekitError } from '@ssekit/core';
import type { Script } from './luaScripts';
import type { RedisClientLike } from './redisClient';

/**
 * @internal Run `s` on `stream` (its only key): EVALSHA, or EVAL when Redis does not have the
 * script (first use, or after a restart).
 */
export async function run(
  on: RedisClientLike,
  stream: string,
  s: Script,
  args: string[],
  commandOptions?: { abortSignal?: AbortSignal; timeout?: number },
): Promise<unknown> {
  try {
    return await on.sendCommand(['EVALSHA', s.sha1, '1', stream, ...args], commandOptions);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return on.sendCommand(['EVAL', s.source, '1', stream, ...args], commandOptions);
  }
}

/** @internal */
export function closedError(what: 'publish' | 'read'): SsekitError {
  return new SsekitError('closed', `Redis broker ${what} after broker.close() (or hub.close()).`);
}

/**
 * @internal `promise`, or the signal's reason once it aborts (the command's reply, if it ever
 * comes, is dropped: node-redis also removes a command not sent yet).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  promise.catch(() => {}); // a command given up on may still fail later: nobody waits for it
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
