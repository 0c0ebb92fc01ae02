/**
 * Server-Sent Events on the server, over web standards: {@link createHub} (targeting, replay with
 * `Last-Event-ID`, slow consumers, limits, a {@link Broker} seam with {@link createMemoryBroker}
 * as default, one process-wide hub per `name`), {@link createEventStream} (the writer for one
 * response) over any {@link StreamSink}, the Web `ReadableStream` sink, the SSE headers and the
 * adapter core ({@link acceptStream}) for writing adapters. Host adapters live in
 * `@ssekit/server/node`, `@ssekit/server/express` and `@ssekit/server/fetch`.
 *
 * @module \@ssekit/server
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
export type {
  Broker,
  BrokerAppend,
  BrokerEvent,
  BrokerGap,
  BrokerReadOptions,
  BrokerReadResult,
  BrokerSubscribeOptions,
} from './broker';
export {
  type CloseOptions,
  createEventStream,
  type EventStream,
  type EventStreamOptions,
  type FinishReason,
  type SendOptions,
} from './createEventStream';
export { createHub } from './createHub';
export { DEFAULT_HEARTBEAT_MS } from './heartbeat';
export type {
  ConnectionInfo,
  ConnectRequest,
  Hub,
  HubLimits,
  HubOptions,
  HubStats,
  PublishOptions,
} from './hub';
export { createMemoryBroker, type MemoryBrokerOptions } from './memoryBroker';
export { DEFAULT_REPLAY_AGE_MS, DEFAULT_REPLAY_EVENTS, type ReplayOptions } from './replayLog';
export { SSE_HEADERS, SSE_HEADERS_HTTP1, sseHeaders } from './sseHeaders';
export type { SinkEvents, StreamSink } from './streamSink';
export {
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_RETRY_MS,
} from './streamWriter';
export {
  createWebStreamSink,
  WebStreamSink,
  type WebStreamSinkOptions,
} from './webStreamSink';
