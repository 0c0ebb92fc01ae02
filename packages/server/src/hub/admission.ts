import type { ConnectionIndex } from './connectionIndex';
import type { ConnectRequest, HubLimits } from './hub';
import { type Refusal, refuse } from './refusal';

/**
 * @internal The cap on anonymous connections per address, if any: `maxConnectionsPerAddress`,
 * else `maxConnectionsPerUser` (see {@link HubLimits}).
 */
export function addressCapOf(limits: HubLimits | undefined): number | undefined {
  return limits?.maxConnectionsPerAddress ?? limits?.maxConnectionsPerUser;
}

/**
 * @internal The key a connection counts under in the per-address cap: kept (and read: it can
 * cost the host a lookup) only for an anonymous connection when there is a cap.
 */
export function addressKey(
  request: ConnectRequest,
  addressCap: number | undefined,
): string | undefined {
  return request.userId === undefined && addressCap !== undefined
    ? (request.address ?? '')
    : undefined;
}

/**
 * @internal Whether `request` may open one more stream beside those in `index`: the
 * {@link Refusal} to answer with (503 past `maxConnections`, 429 past a user's or an address's
 * cap), or `undefined` to admit it.
 */
export function admit(
  index: ConnectionIndex,
  limits: HubLimits | undefined,
  addressCap: number | undefined,
  request: ConnectRequest,
): Refusal | undefined {
  if (limits === undefined) return undefined;
  if (limits.maxConnections !== undefined && index.all.size >= limits.maxConnections) {
    return limitRefusal(limits, 503, 'Too many open event streams on this server.');
  }
  const { userId } = request;
  if (userId !== undefined) {
    const cap = limits.maxConnectionsPerUser;
    if (cap !== undefined && index.countUser(userId) >= cap)
      return limitRefusal(limits, 429, 'Too many open event streams for this user.');
    return undefined;
  }
  // Anonymous connections are capped per address, or a per-user cap could be skipped by not
  // logging in. An unknown address shares one budget: fail closed.
  if (addressCap !== undefined && index.countAddress(request.address ?? '') >= addressCap)
    return limitRefusal(limits, 429, 'Too many open event streams from this address.');
  return undefined;
}

/** @internal A refusal of the hub's own, with `Retry-After` (`limits.retryAfter`, 10 s). */
export function limitRefusal(
  limits: HubLimits | undefined,
  status: number,
  message: string,
): Refusal {
  return refuse(status, message, { 'Retry-After': String(limits?.retryAfter ?? 10) });
}
