import { type EventSchema, SsekitError } from '@ssekit/core';
import type { Refusal } from '../hub/refusal';
import { isRefusal, refuse } from '../hub/refusal';
import { createEventStream } from '../stream/createEventStream';
import type { EventStreamWriter } from '../stream/eventStream';
import type { StreamSink } from '../stream/streamSink';
import {
  type AuthResult,
  DEFAULT_AUTHENTICATE_TIMEOUT_MS,
  type HandlerOptions,
  type StreamContext,
  type StreamRequest,
} from './handlerOptions';

/**
 * The one core function every adapter calls: authenticate, then open the sink (only once the
 * client is accepted, so a refusal never leaves a half-open stream) and start the stream.
 *
 * `authenticate` gets `request` with a `signal` added, aborted past `authenticateTimeout`; the
 * client is then refused with 503 and `onError` told (code `timeout`).
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
): Promise<Refusal | EventStreamWriter<E>> {
  const auth = options.authenticate ? await authenticateInTime(options, req, request) : {};
  if (auth === TIMED_OUT) return refuse(503, 'Service Unavailable', { 'Retry-After': '1' });
  if (auth === null || auth === undefined || auth === false) return refuse(401);
  // Only `refuse()` makes a refusal (its brand, shared by every copy of the package): any other
  // object is an identity, so a user row with a `status` field is never taken for one.
  if (isRefusal(auth)) return refuse(auth.status, auth.message, auth.headers);
  assertIdentity(auth);
  const granted = auth.topics ?? [];
  const { userId } = auth;
  if (options.hub !== undefined) {
    const { lastEventId } = request;
    const result = options.hub.accept(
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

/** @internal What {@link authenticateInTime} resolves to when the time is up. */
const TIMED_OUT = Symbol('ssekit.authenticateTimedOut');

/**
 * @internal Run `authenticate` within `authenticateTimeout`: a hung auth backend would otherwise
 * hold the request, its socket and (on HTTP/2) a stream of the session for good.
 */
async function authenticateInTime<Req, E extends EventSchema, Info extends StreamRequest>(
  options: HandlerOptions<Req, E, Info>,
  req: Req,
  request: Info,
): Promise<AuthResult | typeof TIMED_OUT> {
  const ms = options.authenticateTimeout ?? DEFAULT_AUTHENTICATE_TIMEOUT_MS;
  const controller = new AbortController();
  // Assigned, not spread: an adapter's request may hold getters (Node's lazy `address`).
  Object.assign(request, { signal: controller.signal });
  const answer = Promise.resolve(options.authenticate!(req, request));
  if (ms === Infinity) return answer;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const result = await Promise.race([answer, timeUp]);
    if (result === TIMED_OUT) {
      answer.catch(() => {}); // a late failure has nobody to tell
      const error = new SsekitError(
        'timeout',
        `authenticate did not answer within authenticateTimeout (${ms} ms): the client got 503. Check the auth backend, or raise authenticateTimeout.`,
      );
      controller.abort(error);
      (options.onError ?? console.error)(error);
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @internal Fail closed on what looks like a hand-made refusal (`{ status: 401 }` with no user):
 * opening it as an anonymous stream would let through a client the app meant to refuse.
 */
function assertIdentity(auth: object): void {
  const { status } = auth as { status?: unknown };
  if (typeof status === 'number' && !('userId' in auth)) {
    throw new SsekitError(
      'invalid-option',
      `authenticate returned an object with status ${status} and no userId: a refusal must be made with refuse(status, message) from @ssekit/server; any other object is an identity ({ userId, topics }). Nothing was opened.`,
    );
  }
}

/** @internal Run `onStream`; a stand-alone stream ends when it settles. */
function runOnStream<Req, E extends EventSchema, Info extends StreamRequest>(
  options: HandlerOptions<Req, E, Info>,
  stream: EventStreamWriter<E>,
  context: StreamContext<Req, Info>,
  closeWhenSettled: boolean,
): void {
  const report = options.onError ?? ((error: unknown) => console.error(error));
  const run = new Promise<unknown>((resolve) => resolve(options.onStream!(stream, context)));
  run.catch(report).finally(() => {
    if (closeWhenSettled) stream.close();
  });
}
