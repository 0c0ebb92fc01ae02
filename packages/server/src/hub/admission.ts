import type { ConnectionIndex } from './connectionIndex';
import type { ConnectRequest, HubLimits } from './hub';
import { type Refusal, refuse } from './refusal';

/**
 * @internal Default {@link HubLimits.maxConnections}: well past what one process serves in
 * practice (a few thousand to a few tens of thousands), well before it runs out of descriptors.
 */
const DEFAULT_MAX_CONNECTIONS = 50_000;
/** @internal Default {@link HubLimits.maxConnectionsPerUser}: a dozen tabs on a few devices, ×2. */
const DEFAULT_MAX_CONNECTIONS_PER_USER = 100;
/**
 * @internal Default {@link HubLimits.maxConnectionsPerAddress} when no cap is given: anonymous
 * clients behind one NAT or office proxy share an address, so higher than a user's.
 */
const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1000;
/** @internal Default {@link HubLimits.retryAfter}, in seconds. */
const DEFAULT_RETRY_AFTER = 10;

/** @internal {@link HubLimits} with the defaults applied, resolved once per hub. */
export interface Caps {
  readonly maxConnections: number;
  readonly perUser: number;
  readonly perAddress: number;
  /**
   * Whether anonymous streams of unknown address (Fetch hosts without the handler's `address`)
   * share one budget of `perAddress`. Only with a cap the app set: the default would cap every
   * anonymous Fetch stream of the process at 1,000; `maxConnections` bounds them instead.
   */
  readonly capsUnknownAddress: boolean;
  readonly retryAfter: number;
}

/** @internal The caps of a hub: `limits` over the defaults (see {@link HubLimits}). */
export function capsOf(limits: HubLimits | undefined): Caps {
  const perAddress = limits?.maxConnectionsPerAddress ?? limits?.maxConnectionsPerUser;
  return {
    maxConnections: limits?.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    perUser: limits?.maxConnectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER,
    perAddress: perAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    capsUnknownAddress: perAddress !== undefined,
    retryAfter: limits?.retryAfter ?? DEFAULT_RETRY_AFTER,
  };
}

/**
 * @internal The key a connection counts under in the per-address cap (`''`: the unknown
 * address), or `undefined` when it counts under none: kept (and read: it can cost the host a
 * lookup) only for an anonymous connection that a cap applies to.
 */
export function addressKey(request: ConnectRequest, caps: Caps): string | undefined {
  if (request.userId !== undefined || caps.perAddress === Number.POSITIVE_INFINITY)
    return undefined;
  const address = request.address;
  if (address) return address;
  return caps.capsUnknownAddress ? '' : undefined;
}

/**
 * @internal Whether `request` (counted under `address`, see {@link addressKey}) may open one
 * more stream beside those in `index`: the {@link Refusal} to answer with (503 past
 * `maxConnections`, 429 past a user's or an address's cap), or `undefined` to admit it.
 */
export function admit(
  index: ConnectionIndex,
  caps: Caps,
  request: ConnectRequest,
  address: string | undefined,
): Refusal | undefined {
  if (index.all.size >= caps.maxConnections)
    return limitRefusal(caps, 503, 'Too many open event streams on this server.');
  const { userId } = request;
  if (userId !== undefined) {
    if (index.countUser(userId) >= caps.perUser)
      return limitRefusal(caps, 429, 'Too many open event streams for this user.');
    return undefined;
  }
  // Anonymous connections are capped per address, or a per-user cap could be skipped by not
  // logging in. An unknown address shares one budget when the app set a cap: fail closed.
  if (address !== undefined && index.countAddress(address) >= caps.perAddress)
    return limitRefusal(caps, 429, 'Too many open event streams from this address.');
  return undefined;
}

/** @internal A refusal of the hub's own, with `Retry-After` (`limits.retryAfter`, 10 s). */
export function limitRefusal(caps: Caps, status: number, message: string): Refusal {
  return refuse(status, message, { 'Retry-After': String(caps.retryAfter) });
}
