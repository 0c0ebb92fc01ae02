/**
 * @module @ssekit/server
 *
 * Server-Sent Events on the server, over web standards: {@link createEventStream} (the writer for
 * one response) over any {@link StreamSink}, the Web `ReadableStream` sink, the SSE headers and
 * the adapter core ({@link acceptStream}) for writing adapters. Host adapters live in
 * `@ssekit/server/node`, `@ssekit/server/express` and `@ssekit/server/fetch`.
 */
export {
  type AuthResult,
  acceptStream,
  type HandlerOptions,
  type Identity,
  isRefusal,
  type Refusal,
  refuse,
  type StreamContext,
  type StreamRequest,
} from './acceptStream';
export {
  createEventStream,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_RETRY_MS,
  type EventStream,
  type EventStreamOptions,
  type SendOptions,
} from './createEventStream';
export { DEFAULT_HEARTBEAT_MS } from './heartbeat';
export { SSE_HEADERS, SSE_HEADERS_HTTP1, sseHeaders } from './sseHeaders';
export type { SinkEvents, StreamSink } from './streamSink';
export {
  createWebStreamSink,
  WebStreamSink,
  type WebStreamSinkOptions,
} from './webStreamSink';
