import { type EventSchema, SsekitError } from '@ssekit/core';
import type { Hub } from '../hub/hub';
import {
  createEventStream,
  type EventStream,
  type EventStreamOptions,
} from '../stream/createEventStream';
import type { StreamSink } from '../stream/streamSink';

/**
 * Who a connection belongs to, as decided by `authenticate`.
 *
 * @example What authenticate returns
 * ```ts
 * const identity: Identity = { userId: 'ada', topics: ['fleet-7'] };
 * const handler = createFetchHandler({ hub, authenticate: () => identity });
 * ```
 */
export interface Identity {
  /** The user the connection belongs to: `publish(…, { to: userId })` reaches it. */
  userId?: string | undefined;
  /** Topics the connection joins: `publish(…, { topic })` reaches it. */
  topics?: readonly string[] | undefined;
}

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

/**
 * What `authenticate` returns: an identity, a {@link Refusal}, or nothing (401).
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
  onStream?: (stream: EventStream<E>, context: StreamContext<Req, Info>) => unknown;
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
 * True when `value` is a {@link Refusal} made by {@link refuse} (or a hub's limits).
 *
 * @example
 * ```ts
 * const result = hub.connect({ userId: 'ada' }, () => sink);
 * if (isRefusal(result)) console.warn(result.status, result.message);
 * else result.send('log', { message: 'connected' });
 * ```
 */
export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as any)[REFUSAL] === true;
}

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
}

/**
 * The one core function every adapter calls: authenticate, then open the sink (only once the
 * client is accepted, so a refusal never leaves a half-open stream) and start the stream.
 *
 * @returns the open stream, or the {@link Refusal} the adapter must answer with.
 * @throws whatever `authenticate` throws (the adapter answers 500).
 *
 * @example The core of an adapter for another host
 * ```ts
 * // A handler for a host with its own request type: parse the ask, let acceptStream run
 * // authenticate and the hub, and answer a refusal yourself.
 * type MyRequest = { headers: Record<string, string>; query: URLSearchParams };
 *
 * async function handle(req: MyRequest, openSink: () => StreamSink) {
 *   const ask = { topics: req.query.getAll('topic'), lastEventId: req.headers['last-event-id'] };
 *   const result = await acceptStream<MyRequest, typeof events, StreamRequest>(
 *     { hub, authenticate: (r) => ({ userId: r.headers['x-user'] }) },
 *     req,
 *     ask,
 *     openSink,
 *   );
 *   return isRefusal(result) ? { status: result.status } : { status: 200 };
 * }
 * ```
 */
export async function acceptStream<Req, E extends EventSchema, Info extends StreamRequest>(
  options: HandlerOptions<Req, E, Info>,
  req: Req,
  request: Info,
  openSink: () => StreamSink,
): Promise<Refusal | EventStream<E>> {
  const auth = options.authenticate ? await options.authenticate(req, request) : {};
  if (auth === null || auth === undefined || auth === false) return refuse(401);
  if ('status' in auth) {
    const refusal = auth as Refusal;
    return refuse(refusal.status, refusal.message, refusal.headers);
  }
  const granted = auth.topics ?? [];
  const { userId } = auth;
  if (options.hub !== undefined) {
    const { lastEventId } = request;
    const result = options.hub.connect(
      {
        userId,
        topics: granted,
        lastEventId,
        // Asked for only by a hub that caps anonymous connections per address.
        get address() {
          return options.address?.(req) ?? request.address;
        },
      },
      openSink,
    );
    if (!isRefusal(result) && options.onStream !== undefined)
      runOnStream(options, result, { ...request, req, userId, granted }, false);
    return result;
  }
  const stream = createEventStream<E>(openSink(), { ...options, lastEventId: request.lastEventId });
  runOnStream(options, stream, { ...request, req, userId, granted }, true);
  return stream;
}

/** @internal Run `onStream`; a stand-alone stream ends when it settles. */
function runOnStream<Req, E extends EventSchema, Info extends StreamRequest>(
  options: HandlerOptions<Req, E, Info>,
  stream: EventStream<E>,
  context: StreamContext<Req, Info>,
  closeWhenSettled: boolean,
): void {
  const report = options.onError ?? ((error: unknown) => console.error(error));
  const run = new Promise<unknown>((resolve) => resolve(options.onStream!(stream, context)));
  run.catch(report).finally(() => {
    if (closeWhenSettled) stream.close();
  });
}
