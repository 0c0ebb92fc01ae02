/**
 * A refused stream: the adapter answers `status` with a plain-text body and no stream.
 *
 * @example
 * ```ts
 * const refusal: Refusal = refuse(401, 'Sign in first', { 'WWW-Authenticate': 'Bearer' });
 * refusal.status; // 401
 * ```
 */
export interface Refusal {
  /** The HTTP status, e.g. 401, 403, 429, 503. */
  readonly status: number;
  /** The plain-text body. */
  readonly message: string;
  /** Extra headers, e.g. `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** @internal */
const REFUSAL = Symbol.for('@ssekit/refusal');

/**
 * Build a {@link Refusal} for `authenticate` to return.
 *
 * @example
 * ```ts
 * import { createNodeHandler, refuse } from '@ssekit/server/node';
 *
 * const handler = createNodeHandler({
 *   hub,
 *   authenticate: (req) => (isAdmin(req) ? { userId: 'admin' } : refuse(403, 'Admins only')),
 * });
 * ```
 */
export function refuse(
  status: number,
  message = status === 403 ? 'Forbidden' : 'Unauthorized',
  headers?: Readonly<Record<string, string>>,
): Refusal {
  const refusal: Refusal =
    headers === undefined ? { status, message } : { status, message, headers };
  Object.defineProperty(refusal, REFUSAL, { value: true });
  return refusal;
}

/**
 * True when `value` is a {@link Refusal} made by {@link refuse} (or a hub's limits) — by this
 * copy of `@ssekit/server` or any other in the process (the brand is a `Symbol.for`). The shape
 * alone never makes a refusal: `{ status: 403 }` from a database row is not one.
 *
 * @example
 * ```ts
 * const result = hub.accept({ userId: 'ada' }, () => sink);
 * if (isRefusal(result)) console.warn(result.status, result.message);
 * else result.send('log', { message: 'connected' });
 * ```
 */
export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as any)[REFUSAL] === true;
}
