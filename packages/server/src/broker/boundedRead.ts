import { SsekitError } from '@ssekit/core';
import type { BrokerReadOptions } from './broker';

/** @internal A thenable, without trusting `instanceof Promise` across realms. */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Run a broker read bounded by `timeoutMs`: past it the read's signal aborts (the broker should
 * stop and release what it holds) and the promise rejects with a `timeout` error. A synchronous
 * answer is returned as it is, with no timer. `track` is told the controller while the read is
 * pending (so the caller can abort it early) and returns what to run when it settles.
 * @internal
 */
export function boundedRead<T>(
  run: (options: BrokerReadOptions) => T | Promise<T>,
  timeoutMs: number,
  track: (controller: AbortController) => () => void,
): T | Promise<T> {
  const controller = new AbortController();
  let result: T | Promise<T>;
  try {
    result = run({ signal: controller.signal });
  } catch (error) {
    return Promise.reject(error);
  }
  if (!isPromise(result)) return result;
  const untrack = track(controller);
  const pending = result;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.abort(
        new SsekitError(
          'timeout',
          `The broker did not answer within readTimeout (${timeoutMs} ms); the stream ends and its client resumes later.`,
        ),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      untrack();
    };
    controller.signal.addEventListener('abort', () => {
      done();
      reject(controller.signal.reason);
    });
    pending.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
