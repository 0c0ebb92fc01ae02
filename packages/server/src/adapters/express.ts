/**
 * @module @ssekit/server/express
 *
 * Server-Sent Events as Express 4 and 5 middleware: {@link createExpressStream} for one response,
 * {@link createExpressHandler} for a route with `authenticate`, {@link drainOnSignal} for a clean
 * shutdown of `app.listen()`'s server. Works behind `compression()`: each write is flushed
 * through its `res.flush()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventSchema } from '@ssekit/core';
import {
  acceptStream,
  assertHandlerOptions,
  type HandlerOptions,
  isRefusal,
} from '../acceptStream';
import type { EventStream, EventStreamOptions } from '../createEventStream';
import { nodeStreamRequest, writeRefusal } from '../nodeRequest';
import { openNodeSink } from '../nodeSink';
import { createNodeStream } from './node';

/**
 * The request type handlers see. Express's `Request` extends it, so no `@types/express` is
 * needed to use this entry.
 */
export type ExpressRequest = IncomingMessage;
/** The response type handlers see (Express's `Response` extends it). */
export type ExpressResponse = ServerResponse;
/** Express's `next`. */
export type ExpressNext = (error?: unknown) => void;

export {
  type AuthResult,
  type Identity,
  isRefusal,
  type Refusal,
  refuse,
  type StreamContext,
  type StreamRequest,
} from '../acceptStream';
export type {
  CloseOptions,
  EventStream,
  EventStreamOptions,
  SendOptions,
} from '../createEventStream';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  type DrainOptions,
  type DrainResult,
  drainOnSignal,
  type ServerDrain,
} from '../drainOnSignal';

/** Options of {@link createExpressHandler}. */
export type ExpressHandlerOptions<E extends EventSchema = EventSchema> = HandlerOptions<
  ExpressRequest,
  E
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
): EventStream<E> {
  return createNodeStream(req, res, options);
}

/**
 * Express 4/5 middleware: authenticate, then open a stream and pass it to `onStream`. A refusal
 * is answered with its status and a plain body; a throwing `authenticate` goes to `next(err)`.
 *
 * @example A bearer-authenticated stream
 * ```ts
 * import express from 'express';
 * import { createExpressHandler, refuse } from '@ssekit/server/express';
 *
 * const app = express();
 * app.get('/events', createExpressHandler({
 *   events,
 *   authenticate: (req) => verify(req.headers.authorization) ?? refuse(401),
 *   onStream: (stream) => stream.send('notification', { id: '1', title: 'hi', unread: 1 }),
 * }));
 * ```
 */
export function createExpressHandler<E extends EventSchema = EventSchema>(
  options: ExpressHandlerOptions<E>,
): (req: ExpressRequest, res: ExpressResponse, next: ExpressNext) => void {
  assertHandlerOptions(options, 'createExpressHandler');
  return (req, res, next) => {
    // `req.ip` honours the app's `trust proxy` setting; without Express it is the socket's.
    const request = { ...nodeStreamRequest(req), address: (req as { ip?: string }).ip };
    if (request.address === undefined) request.address = req.socket?.remoteAddress;
    acceptStream(options, req, request, () => openNodeSink(req, res)).then((result) => {
      if (isRefusal(result)) writeRefusal(res, result);
    }, next);
  };
}
