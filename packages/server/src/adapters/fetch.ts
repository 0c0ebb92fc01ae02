/**
 * Server-Sent Events for Fetch-style handlers — `(request) => Response` in Hono, Next.js route
 * handlers, Bun, Deno and Cloudflare Workers. Web standards only: no Node import in this entry.
 *
 * @module \@ssekit/server/fetch
 */
import type { EventSchema } from '@ssekit/core';
import { acceptStream } from '../http/acceptStream';
import {
  assertHandlerOptions,
  type HandlerOptions,
  type StreamRequest,
} from '../http/handlerOptions';
import { isRefusal, type Refusal } from '../hub/refusal';
import { createEventStream } from '../stream/createEventStream';
import type { EventStreamOptions, EventStreamWriter } from '../stream/eventStream';
import { SSE_HEADERS } from '../stream/sseHeaders';
import { WebStreamSink } from '../stream/webStreamSink';

export * from './sharedExports';

/**
 * Options of {@link createFetchHandler}.
 *
 * @example
 * ```ts
 * const options: FetchHandlerOptions<typeof events> = {
 *   hub,
 *   authenticate: (request) => ({ userId: userOf(request) }),
 * };
 * export const GET = createFetchHandler(options);
 * ```
 */
export type FetchHandlerOptions<E extends EventSchema = EventSchema> = HandlerOptions<Request, E>;

/**
 * What {@link createFetchStream} returns.
 *
 * @example
 * ```ts
 * export async function GET(request: Request): Promise<Response> {
 *   const { stream, response }: FetchStream<typeof events> = createFetchStream(request, { events });
 *   void runSync((progress) => stream.send('sync.progress', progress), stream.signal).then(
 *     (result) => {
 *       stream.send('sync.complete', result);
 *       stream.close({ reconnect: false });
 *     },
 *   );
 *   return response;
 * }
 * ```
 */
export interface FetchStream<E extends EventSchema = EventSchema> {
  /** The writer. */
  stream: EventStreamWriter<E>;
  /** The `Response` to return from the handler; its body is the stream. */
  response: Response;
}

/** @internal Topics and `Last-Event-ID` from a Fetch request. */
function fetchStreamRequest(request: Request): StreamRequest {
  return {
    topics: new URL(request.url).searchParams.getAll('topic'),
    // An empty Last-Event-ID means "no id".
    lastEventId: request.headers.get('last-event-id') || undefined,
  };
}

/** @internal What React's `postpone()` throws (an object, not an Error). */
const REACT_POSTPONE = Symbol.for('react.postpone');

/**
 * A framework's control-flow signal, not a failure: the framework catches it to redirect, answer
 * 404 or end a prerender early, so a handler that reported it and answered 500 would break the
 * framework. React marks such errors with a string `digest`, and Next.js tags every one it throws
 * that way (`NEXT_REDIRECT;…`, `NEXT_HTTP_ERROR_FALLBACK;404`, `NEXT_PRERENDER_INTERRUPTED` when a
 * prerender reads `request.url`, `DYNAMIC_SERVER_USAGE`, `HANGING_PROMISE_REJECTION`, …), while
 * ssekit's own errors never carry one; React's `postpone()` throws a `react.postpone` object. An
 * error wrapping one as its `cause` counts too, as Next's `unstable_rethrow` sees it.
 * @returns the signal to rethrow, or undefined.
 * @internal
 */
function controlFlowSignal(error: unknown, depth = 0): unknown {
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  const { digest, $$typeof, cause } = error as {
    digest?: unknown;
    $$typeof?: unknown;
    cause?: unknown;
  };
  if (typeof digest === 'string' || $$typeof === REACT_POSTPONE) return error;
  return controlFlowSignal(cause, depth + 1);
}

/** @internal A plain-text refusal. */
function refusalResponse(refusal: Refusal): Response {
  return new Response(refusal.message, {
    status: refusal.status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      ...refusal.headers,
    },
  });
}

/**
 * Open an SSE stream for a Fetch request. The body is a `ReadableStream` whose `desiredSize`
 * drives backpressure; it ends when `request.signal` aborts or the reader cancels.
 * `Connection` is left to the host (HTTP/2 forbids it).
 *
 * @example A Next.js route handler (app/api/sync/route.ts)
 * ```ts
 * import { createFetchStream } from '@ssekit/server/fetch';
 *
 * export function GET(request: Request) {
 *   const { stream, response } = createFetchStream(request, { events });
 *   runSync((p) => stream.send('sync.progress', p), stream.signal).finally(() => stream.close());
 *   return response;
 * }
 * ```
 */
export function createFetchStream<E extends EventSchema = EventSchema>(
  request: Request,
  options: EventStreamOptions<E> = {},
): FetchStream<E> {
  const sink = new WebStreamSink({ signal: request.signal, highWaterMark: options.highWaterMark });
  const stream = createEventStream(sink, {
    lastEventId: request.headers.get('last-event-id') || undefined,
    ...options,
  });
  return { stream, response: new Response(sink.body, { status: 200, headers: SSE_HEADERS }) };
}

/**
 * Bun's `Server`, the second argument of `Bun.serve`'s `fetch`: it closes a connection that
 * sends nothing for `idleTimeout` seconds (10 by default, under the 15 s heartbeat), and
 * `timeout(request, 0)` lifts that for one request. Recognised by Bun-only methods, so another
 * host's second argument (Deno's connection info, a Worker's `env`) is never called.
 * @internal
 */
interface BunServer {
  timeout(request: Request, seconds: number): void;
  upgrade(...args: unknown[]): unknown;
  requestIP(...args: unknown[]): unknown;
}

/** @internal Lift Bun's idle timeout for a stream's request; a no-op on other hosts. */
function keepStreamOpen(request: Request, host: unknown): void {
  const server = host as Partial<BunServer> | null | undefined;
  if (
    typeof server?.timeout === 'function' &&
    typeof server.upgrade === 'function' &&
    typeof server.requestIP === 'function'
  ) {
    server.timeout(request, 0);
  }
}

/**
 * A `(request, server?) => Promise<Response>` handler: authenticate, then open a stream and pass
 * it to `onStream`. A refusal becomes a plain-text 401/403/… `Response`; a throwing
 * `authenticate` a 500, reported to `onError`. A framework's control-flow error (one with a
 * string `digest`, as Next's `redirect()`, `notFound()`, `headers()` or `connection()` throw
 * while prerendering, also as the `cause` of your own) is rethrown, unreported, for the
 * framework to handle.
 *
 * Pass Bun's `server` (the second argument of `Bun.serve`'s `fetch`, or Hono's `c.env` on Bun)
 * and a stream is exempt from Bun's `idleTimeout`, which would otherwise cut a quiet stream
 * after 10 s, before its first heartbeat. Other hosts' second arguments are ignored.
 *
 * @example In Hono
 * ```ts
 * import { Hono } from 'hono';
 * import { createFetchHandler, refuse } from '@ssekit/server/fetch';
 *
 * const sse = createFetchHandler({
 *   events,
 *   authenticate: (request) => (request.headers.get('authorization') ? { userId: 'u1' } : refuse(401)),
 *   onStream: (stream) => {
 *     stream.send('notification', { id: '1', title: 'hi', unread: 1 });
 *   },
 * });
 * new Hono().get('/events', (c) => sse(c.req.raw));
 * ```
 *
 * @example On Bun
 * ```ts no-check
 * const sse = createFetchHandler({ hub });
 * Bun.serve({ fetch: (request, server) => sse(request, server) });
 * ```
 */
export function createFetchHandler<E extends EventSchema = EventSchema>(
  options: FetchHandlerOptions<E>,
): (request: Request, server?: unknown) => Promise<Response> {
  assertHandlerOptions(options, 'createFetchHandler');
  return async (request, server) => {
    // Outside the try: reading the request is the host's business. During a Next.js prerender,
    // `request.url` throws the host's own bail-out, which must reach the host.
    const ask = fetchStreamRequest(request);
    let sink: WebStreamSink | undefined;
    try {
      const result = await acceptStream(options, request, ask, () => {
        sink = new WebStreamSink({ signal: request.signal, highWaterMark: options.highWaterMark });
        return sink;
      });
      if (isRefusal(result)) return refusalResponse(result);
      keepStreamOpen(request, server);
      return new Response(sink!.body, { status: 200, headers: SSE_HEADERS });
    } catch (error) {
      // Nobody will read a body we never return: end it, so its stream leaves the hub.
      sink?.abort();
      const control = controlFlowSignal(error);
      if (control !== undefined) throw control;
      (options.onError ?? console.error)(error);
      return refusalResponse({ status: 500, message: 'Internal Server Error' });
    }
  };
}
