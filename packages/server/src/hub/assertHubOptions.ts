import { SsekitError } from '@ssekit/core';
import type { HubOptions } from './hub';

/** @internal Misuse fails at construction, not at the first connection. */
export function assertHubOptions(options: HubOptions<any>): void {
  if (options.broker !== undefined) {
    const ignored = (['replay', 'epoch', 'now'] as const).filter((k) => options[k] !== undefined);
    if (ignored.length > 0) {
      throw new SsekitError(
        'invalid-option',
        `createHub: ${ignored.join(', ')} configure the default in-memory broker and would be ignored with \`broker\`. Pass them to your broker instead (e.g. createMemoryBroker({ replay })).`,
      );
    }
  }
  const readTimeout = options.readTimeout;
  if (readTimeout !== undefined && !(readTimeout > 0 && readTimeout <= 2 ** 31 - 1)) {
    throw new SsekitError(
      'invalid-option',
      `createHub: readTimeout must be a positive number of ms (at most 2147483647), got ${String(readTimeout)}.`,
    );
  }
  for (const key of [
    'maxConnections',
    'maxConnectionsPerUser',
    'maxConnectionsPerAddress',
    'retryAfter',
  ] as const) {
    const value = options.limits?.[key];
    // A cap may be turned off with Infinity; `Retry-After` must be a number of seconds.
    const off = key !== 'retryAfter' && value === Number.POSITIVE_INFINITY;
    if (value !== undefined && !off && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new SsekitError(
        'invalid-option',
        `createHub: limits.${key} must be a non-negative integer${key === 'retryAfter' ? '' : ' or Infinity (no cap)'}, got ${String(value)}.`,
      );
    }
  }
}
