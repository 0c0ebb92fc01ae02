/**
 * Server-Sent Events for `node:http`, `node:https` and the `node:http2` compatibility API:
 * {@link createNodeStream} for one response, {@link createNodeHandler} for a `(req, res)` handler
 * with `authenticate`, {@link drainOnSignal} for a clean shutdown.
 *
 * Over HTTP/2 the headers HTTP/2 forbids (`Connection`, `Keep-Alive`, `Transfer-Encoding`, …)
 * are never sent, and removed if set earlier; backpressure and `maxBufferedBytes` apply to each
 * HTTP/2 stream; a client's `RST_STREAM` or the session's end ends the stream; the peer address
 * is the session socket's. The core API's `'stream'` event (`(stream, headers)`) is not
 * supported: {@link createNodeStream} throws an `SsekitError` with code `invalid-option`, and a
 * {@link createNodeHandler} handler reports it to `onError` and answers the stream with 500.
 *
 * @module \@ssekit/server/node
 */
import { type EventSchema, SsekitError } from '@ssekit/core';
import { acceptStream } from '../http/acceptStream';
import {
  assertHandlerOptions,
  type HandlerOptions,
  type StreamRequest,
} from '../http/handlerOptions';
import { isRefusal } from '../hub/refusal';
import { createEventStream } from '../stream/createEventStream';
import type { EventStreamOptions, EventStreamWriter } from '../stream/eventStream';
import { assertNodeResponse, failCoreStream } from './node/nodeHttp2';
import { nodeStreamRequest, writeRefusal } from './node/nodeRequest';
import { openNodeSink } from './node/nodeSink';
import type { NodeRequest, NodeResponse } from './node/nodeTypes';
import { DEFAULT_MAX_STREAMS_PER_SESSION, SessionStreams } from './node/sessionStreams';

export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  type DrainableServer,
  type DrainOptions,
  type DrainResult,
  drainOnSignal,
  type ServerDrain,
} from './node/drainOnSignal';
export { NodeSink, openNodeSink } from './node/nodeSink';
export type { NodeRequest, NodeResponse } from './node/nodeTypes';
export { DEFAULT_MAX_STREAMS_PER_SESSION } from './node/sessionStreams';
export * from './sharedExports';

/**
 * The second argument of a Node handler's `authenticate`: the client's ask, and the response.
 *
 * @example
 * ```ts
 * const handler = createNodeHandler({
 *   hub,
 *   authenticate: (req, { res, lastEventId }: NodeStreamRequest) => {
 *     res.setHeader('X-Resumed', lastEventId ? 'yes' : 'no'); // headers only: the stream owns the body
 *     return { userId: userOf(req) };
 *   },
 * });
 * ```
 */
export interface NodeStreamRequest extends StreamRequest {
  /** The response the stream will be written to. Read from it; write nothing, the stream owns it. */
  readonly res: NodeResponse;
}

/**
 * Options of {@link createNodeHandler}.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * const options: NodeHandlerOptions<typeof events> = {
 *   hub,
 *   authenticate: (req) => (req.headers.authorization ? { userId: userOf(req) } : refuse(401)),
 * };
 * createServer(createNodeHandler(options)).listen(3000);
 * ```
 */
export interface NodeHandlerOptions<E extends EventSchema = EventSchema>
  extends HandlerOptions<NodeRequest, E, NodeStreamRequest> {
  /**
   * Event streams one HTTP/2 connection may have open (or in `authenticate`) at once through
   * this handler; past it the stream is answered 429 (`limit-exceeded` for the client) until one
   * of them ends. A tab needs one stream; a browser shares one connection among all tabs of an
   * origin. HTTP/1.1 is unaffected (one stream per connection). `Infinity` turns it off.
   * @defaultValue `100` ({@link DEFAULT_MAX_STREAMS_PER_SESSION})
   */
  maxStreamsPerSession?: number;
}

/**
 * Open an SSE stream on a Node response: status 200, the SSE headers and a first frame are sent
 * at once. The stream is released when the client disconnects.
 *
 * @example Streaming a job's progress with node:http
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeStream } from '@ssekit/server/node';
 *
 * createServer(async (req, res) => {
 *   const stream = createNodeStream(req, res, { events });
 *   for (let page = 1; page <= 10 && !stream.closed; page++) {
 *     await syncPage(page, stream.signal);
 *     stream.send('sync.progress', { page, totalPages: 10 });
 *   }
 *   stream.close();
 * }).listen(3000);
 * ```
 */
export function createNodeStream<E extends EventSchema = EventSchema>(
  req: NodeRequest,
  res: NodeResponse,
  options: EventStreamOptions<E> = {},
): EventStreamWriter<E> {
  assertNodeResponse(req, res, 'createNodeStream');
  const { lastEventId } = nodeStreamRequest(req);
  return createEventStream(openNodeSink(req, res), { lastEventId, ...options });
}

/**
 * A `(req, res)` handler that authenticates, then opens a stream and passes it to `onStream`.
 * A refusal is answered with its status (401/403/…) and a plain body, never a half-open stream;
 * a throwing `authenticate` gets a 500.
 *
 * @example An authenticated progress stream
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeHandler, refuse } from '@ssekit/server/node';
 *
 * const handler = createNodeHandler({
 *   events,
 *   authenticate: (req) => (req.headers.authorization ? { userId: 'u1' } : refuse(401)),
 *   async onStream(stream) {
 *     stream.send('sync.progress', { page: 1, totalPages: 1 });
 *   },
 * });
 * createServer(handler).listen(3000);
 * ```
 *
 * @example Over HTTP/2 (TLS), every stream of a browser's tabs on one connection
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { createSecureServer } from 'node:http2';
 * import { createNodeHandler } from '@ssekit/server/node';
 *
 * const options = { key: readFileSync('key.pem'), cert: readFileSync('cert.pem'), allowHTTP1: true };
 * createSecureServer(options, createNodeHandler({ hub })).listen(443);
 * ```
 */
export function createNodeHandler<E extends EventSchema = EventSchema>(
  options: NodeHandlerOptions<E>,
): (req: NodeRequest, res: NodeResponse) => Promise<void> {
  assertHandlerOptions(options, 'createNodeHandler');
  const max = options.maxStreamsPerSession ?? DEFAULT_MAX_STREAMS_PER_SESSION;
  if (!(max >= 1)) {
    throw new SsekitError(
      'invalid-option',
      `createNodeHandler: maxStreamsPerSession must be 1 or more (Infinity for no cap), got ${String(max)}.`,
    );
  }
  const sessions = new SessionStreams(max);
  return async (req, res) => {
    try {
      assertNodeResponse(req, res, 'createNodeHandler');
    } catch (error) {
      // Registered on http2's 'stream' event: answer on the stream, never leave it hanging.
      (options.onError ?? console.error)(error);
      failCoreStream(req);
      return;
    }
    if (!sessions.enter(req, res)) {
      const message = `Too many event streams on this HTTP/2 connection (maxStreamsPerSession: ${max}).`;
      writeRefusal(req, res, { status: 429, message, headers: { 'Retry-After': '1' } });
      return;
    }
    try {
      // Assigned, not spread: the request's `address` stays a getter (see nodeStreamRequest).
      const request: NodeStreamRequest = Object.assign(nodeStreamRequest(req), { res });
      const result = await acceptStream(options, req, request, () => openNodeSink(req, res));
      if (isRefusal(result)) writeRefusal(req, res, result);
    } catch (error) {
      (options.onError ?? console.error)(error);
      if (!res.headersSent)
        writeRefusal(req, res, { status: 500, message: 'Internal Server Error' });
      else res.end();
    }
  };
}
