/**
 * Server-Sent Events as Express 4 and 5 middleware: {@link createExpressStream} for one response,
 * {@link createExpressHandler} for a route with `authenticate`, {@link drainOnSignal} for a clean
 * shutdown of `app.listen()`'s server. Works behind `compression()`: each write is flushed
 * through its `res.flush()`.
 *
 * Typed with Express's own `Request` and `Response` from `@types/express` (4 or 5, an optional
 * peer dependency): what your app declares on `Express.Request` (`req.user`) and `res.locals`
 * is there in `authenticate` and `onStream`.
 *
 * @module \@ssekit/server/express
 */
import type { EventSchema } from '@ssekit/core';
import type { NextFunction, Request, Response } from 'express';
import { acceptStream } from '../http/acceptStream';
import {
  assertHandlerOptions,
  type HandlerOptions,
  type StreamRequest,
} from '../http/handlerOptions';
import { isRefusal } from '../hub/refusal';
import type { EventStreamOptions, EventStreamWriter } from '../stream/eventStream';
import { createNodeStream } from './node';
import { nodeStreamRequest, writeRefusal } from './node/nodeRequest';
import { openNodeSink } from './node/nodeSink';

/**
 * The request `authenticate`, `address` and `onStream` get: Express's `Request`, with whatever
 * your app merges into the global `Express.Request` interface (passport's `req.user`, say).
 *
 * @example
 * ```ts
 * const authenticate = (req: ExpressRequest) => ({ userId: userOf(req) });
 * app.get('/api/events', createExpressHandler({ hub, authenticate }));
 * ```
 */
export type ExpressRequest = Request;
/**
 * The response the stream is written to: Express's `Response` (`res.locals` included).
 *
 * @example
 * ```ts
 * app.get('/api/jobs/:id', (req, res: ExpressResponse) => {
 *   const stream = createExpressStream(req, res, { events });
 *   stream.send('log', { message: `job ${req.params.id}` });
 *   stream.close({ reconnect: false });
 * });
 * ```
 */
export type ExpressResponse = Response;
/**
 * Express's `next`.
 *
 * @example
 * ```ts
 * const handler = createExpressHandler({ hub });
 * app.get('/api/events', (req, res, next: ExpressNext) => void handler(req, res, next));
 * ```
 */
export type ExpressNext = NextFunction;

/**
 * The second argument of an Express handler's `authenticate`: the client's ask, and the
 * response, to read what earlier middleware left in `res.locals`.
 *
 * @example Reading what earlier middleware left
 * ```ts
 * app.get(
 *   '/api/events',
 *   requireAuth,
 *   createExpressHandler({
 *     hub,
 *     authenticate: (_req, { res, topics }: ExpressStreamRequest) => ({
 *       userId: String(res.locals.userId),
 *       topics,
 *     }),
 *   }),
 * );
 * ```
 */
export interface ExpressStreamRequest extends StreamRequest {
  /** The response the stream will be written to. Read from it; write nothing, the stream owns it. */
  readonly res: ExpressResponse;
}

export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  type DrainableServer,
  type DrainOptions,
  type DrainResult,
  drainOnSignal,
  type ServerDrain,
} from './node/drainOnSignal';
export * from './sharedExports';

/**
 * Options of {@link createExpressHandler}.
 *
 * @example
 * ```ts
 * const options: ExpressHandlerOptions<typeof events> = {
 *   hub,
 *   authenticate: (req) => {
 *     const user = verify(req.headers.authorization);
 *     return user ? { userId: user.id, topics: user.fleets } : refuse(401);
 *   },
 * };
 * app.get('/api/events', createExpressHandler(options));
 * ```
 */
export type ExpressHandlerOptions<E extends EventSchema = EventSchema> = HandlerOptions<
  ExpressRequest,
  E,
  ExpressStreamRequest
>;

/**
 * Open an SSE stream on an Express response (same as `createNodeStream`; flushes through
 * `compression()` when it is installed).
 *
 * @example Product sync progress (seed 001)
 * ```ts
 * import { createExpressStream } from '@ssekit/server/express';
 *
 * app.get('/sync/products/stream', async (req, res) => {
 *   const stream = createExpressStream(req, res, { events });
 *   try {
 *     const result = await syncProducts({
 *       signal: stream.signal,
 *       onPageProgress: (p) => stream.send('sync.progress', p),
 *     });
 *     stream.send('sync.complete', result);
 *   } catch (error) {
 *     stream.send('sync.error', { message: String(error) });
 *   } finally {
 *     stream.close();
 *   }
 * });
 * ```
 */
export function createExpressStream<E extends EventSchema = EventSchema>(
  req: ExpressRequest,
  res: ExpressResponse,
  options: EventStreamOptions<E> = {},
): EventStreamWriter<E> {
  return createNodeStream(req, res, options);
}

/**
 * Express 4/5 middleware: authenticate, then open a stream and pass it to `onStream`. A refusal
 * is answered with its status and a plain body; a throwing `authenticate` goes to `next(err)`.
 * `authenticate(req, { topics, lastEventId, address, res })` gets Express's `Request` and
 * `Response`, so `req.user` (declared by your app) and `res.locals` are typed.
 *
 * @example A bearer-authenticated stream
 * ```ts
 * import express from 'express';
 * import { createExpressHandler, refuse } from '@ssekit/server/express';
 *
 * const app = express();
 * app.get('/events', createExpressHandler({
 *   events,
 *   authenticate: (req) => {
 *     const user = verify(req.headers.authorization);
 *     return user ? { userId: user.id } : refuse(401);
 *   },
 *   onStream: (stream) => {
 *     stream.send('notification', { id: '1', title: 'hi', unread: 1 });
 *   },
 * }));
 * ```
 *
 * @example After your own auth middleware
 * ```ts
 * import { createExpressHandler } from '@ssekit/server/express';
 *
 * app.get('/events', requireAuth, createExpressHandler({
 *   hub,
 *   // requireUser put the user's id in res.locals
 *   authenticate: (_req, { res }) => ({ userId: res.locals.userId }),
 * }));
 * ```
 */
export function createExpressHandler<E extends EventSchema = EventSchema>(
  options: ExpressHandlerOptions<E>,
): (req: ExpressRequest, res: ExpressResponse, next: ExpressNext) => void {
  assertHandlerOptions(options, 'createExpressHandler');
  return (req, res, next) => {
    // `req.ip` honours the app's `trust proxy` setting; without Express it is the socket's.
    const address = (req.ip as string | undefined) ?? req.socket?.remoteAddress;
    const request: ExpressStreamRequest = { ...nodeStreamRequest(req), address, res };
    acceptStream(options, req, request, () => openNodeSink(req, res)).then((result) => {
      if (isRefusal(result)) writeRefusal(req, res, result);
    }, next);
  };
}
