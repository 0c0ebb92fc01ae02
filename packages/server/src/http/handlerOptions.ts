import { type EventSchema, SsekitError } from '@ssekit/core';
import type { Hub, Identity } from '../hub/hub';
import type { Refusal, refuse } from '../hub/refusal';
import type { EventStreamOptions, EventStreamWriter } from '../stream/eventStream';

/**
 * What `authenticate` returns: an identity, a {@link Refusal}, or nothing (401). Only
 * {@link refuse} makes a refusal; any other object is an identity, so a user row with a `status`
 * field of its own (`{ userId, status: 'active' }`) opens that user's stream. An object with a
 * numeric `status` and no `userId` — a hand-made `{ status: 401 }` — is neither: the handler
 * answers 500 and reports it to `onError`, never opening a stream.
 *
 * @example Every shape authenticate may return
 * ```ts
 * async function authenticate(request: Request): Promise<AuthResult> {
 *   const user = verify(request.headers.get('authorization') ?? undefined);
 *   if (!user) return refuse(401); // or null / undefined / false: 401 too
 *   return { userId: user.id, topics: user.fleets };
 * }
 * ```
 */
export type AuthResult = Identity | Refusal | null | undefined | false;

/**
 * What the client asked for, as parsed by the adapter.
 *
 * @example Granting only some of the requested topics
 * ```ts
 * const handler = createFetchHandler({
 *   hub,
 *   // GET /api/events?topic=fleet-7&topic=fleet-9
 *   authenticate: (request, { topics, lastEventId }: StreamRequest) => {
 *     const user = verify(request.headers.get('authorization') ?? undefined);
 *     if (!user) return refuse(401);
 *     console.debug('resuming after', lastEventId);
 *     return { userId: user.id, topics: topics.filter((topic) => user.fleets.includes(topic)) };
 *   },
 * });
 * ```
 */
export interface StreamRequest {
  /** Topics requested by the client (`?topic=a&topic=b`); `authenticate` decides which to grant. */
  readonly topics: readonly string[];
  /** The `Last-Event-ID` request header, if any. */
  readonly lastEventId: string | undefined;
  /**
   * The peer's address when the host exposes it (Node: the socket's; Express: `req.ip`), the key
   * of the hub's cap on anonymous connections.
   */
  readonly address?: string | undefined;
  /**
   * Aborted when `authenticate` runs past {@link HandlerOptions.authenticateTimeout}: pass it to
   * the work `authenticate` waits on (`fetch(url, { signal })`) so it stops too. Set by
   * `acceptStream` before `authenticate` is called.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Passed to `onStream` with the open stream: what `authenticate` got (`Info`: the
 * {@link StreamRequest}, plus `res` on Node and Express) and what it decided.
 *
 * @example What onStream gets
 * ```ts
 * createFetchHandler({
 *   events,
 *   authenticate: () => ({ userId: 'ada' }),
 *   onStream: (stream, context: StreamContext<Request>) => {
 *     stream.send('log', { message: `hello ${context.userId}, topics: ${context.granted.join()}` });
 *   },
 * });
 * ```
 */
export type StreamContext<Req, Info extends StreamRequest = StreamRequest> = Info & {
  /** The host's request object. */
  readonly req: Req;
  /** The user `authenticate` returned, if any. */
  readonly userId: string | undefined;
  /** The topics granted by `authenticate` (not the requested ones). */
  readonly granted: readonly string[];
};

/**
 * Options shared by every adapter's `create…Handler`. `Req` is the host's request; `Info` is the
 * second argument of `authenticate`: a {@link StreamRequest}, which Node and Express extend with
 * their `res`.
 *
 * @example The options every adapter takes
 * ```ts
 * const options: HandlerOptions<Request, typeof events> = {
 *   hub,
 *   authenticate: (request) => ({ userId: userOf(request) }),
 *   onError: (error) => console.error('stream handler failed', error),
 * };
 * const handler = createFetchHandler(options);
 * ```
 */
export interface HandlerOptions<
  Req,
  E extends EventSchema = EventSchema,
  Info extends StreamRequest = StreamRequest,
> extends EventStreamOptions<E> {
  /**
   * Decide who the client is before any byte of the stream is sent. Return an {@link Identity},
   * `refuse(403, 'Forbidden')`, or `null`/`undefined`/`false` for 401. Without it every client is
   * anonymous with no topics.
   */
  authenticate?: (req: Req, request: Info) => AuthResult | Promise<AuthResult>;
  /**
   * How long, in ms, `authenticate` may take. Past it the client gets 503 with `Retry-After`,
   * `request.signal` aborts, `onError` gets an `SsekitError` with code `timeout`, and a late
   * answer is ignored: a hung auth backend cannot hold sockets (and their hub slots) without
   * bound. `Infinity` turns it off.
   * @defaultValue `10000` ({@link DEFAULT_AUTHENTICATE_TIMEOUT_MS})
   */
  authenticateTimeout?: number;
  /**
   * Connect every accepted client to this hub: it gets the events published to everyone, to
   * its granted topics and to its user, with replay after `Last-Event-ID`. The hub's stream
   * options (heartbeat, retry, limits…) apply, not this handler's.
   */
  hub?: Hub<E>;
  /**
   * Called with each opened stream. Without a hub this is the whole handler: the stream closes
   * when the returned promise settles (or right after a synchronous return). With a hub the
   * stream stays open until the client leaves or the hub closes. What it returns other than a
   * promise is ignored, so `(stream) => stream.send(…)` is fine.
   */
  onStream?: (stream: EventStreamWriter<E>, context: StreamContext<Req, Info>) => unknown;
  /** Where a throwing `authenticate` or `onStream` is reported. @defaultValue `console.error` */
  onError?: (error: unknown) => void;
  /**
   * The client's address, for the hub's `limits.maxConnectionsPerAddress` on anonymous streams.
   * Node and Express read it from the request; Fetch hosts do not expose it, so pass it from your
   * host (Hono's `getConnInfo(c).remote.address`, Bun's `server.requestIP(request)`). Only trust
   * `X-Forwarded-For` behind a proxy you run.
   * @defaultValue the socket's address (Node), `req.ip` (Express), none (Fetch)
   */
  address?: (req: Req) => string | undefined;
}

/**
 * Default {@link HandlerOptions.authenticateTimeout}: 10 s, far above a healthy token check or
 * session lookup (milliseconds) and below the 30–60 s after which proxies and browsers give up
 * on a response head anyway.
 *
 * @example
 * ```ts
 * const handler = createFetchHandler({
 *   hub,
 *   authenticateTimeout: DEFAULT_AUTHENTICATE_TIMEOUT_MS / 2, // a fast auth service: 5 s
 *   authenticate: async (request, { signal }) => {
 *     // the signal stops the lookup when the time is up
 *     const res = await fetch('https://auth.internal/session', { headers: request.headers, signal });
 *     return res.ok ? { userId: (await res.json()).id } : refuse(401);
 *   },
 * });
 * ```
 */
export const DEFAULT_AUTHENTICATE_TIMEOUT_MS = 10_000;

/** @internal Throw at construction when a handler could never do anything. */
export function assertHandlerOptions(options: HandlerOptions<any, any, any>, name: string): void {
  if (
    typeof options !== 'object' ||
    options === null ||
    (options.hub === undefined && typeof options.onStream !== 'function')
  ) {
    throw new SsekitError(
      'invalid-option',
      `${name}: pass \`hub\` to connect clients to a hub, or \`onStream(stream, context)\` to use each stream.`,
    );
  }
  const timeout = options.authenticateTimeout;
  if (timeout !== undefined && !(timeout > 0 && (timeout <= 2 ** 31 - 1 || timeout === Infinity))) {
    throw new SsekitError(
      'invalid-option',
      `${name}: authenticateTimeout must be a number of ms from 1 to 2147483647 (Infinity for none), got ${String(timeout)}.`,
    );
  }
}
