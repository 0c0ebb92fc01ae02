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
export type {
  Broker,
  BrokerAppend,
  BrokerEvent,
  BrokerGap,
  BrokerReadOptions,
  BrokerReadResult,
  BrokerSubscribeOptions,
} from './broker/broker';
export { createMemoryBroker, type MemoryBrokerOptions } from './broker/memoryBroker';
export {
  DEFAULT_REPLAY_AGE_MS,
  DEFAULT_REPLAY_EVENTS,
  type ReplayOptions,
} from './broker/replayLog';
export { acceptStream } from './http/acceptStream';
export type {
  AuthResult,
  HandlerOptions,
  StreamContext,
  StreamRequest,
} from './http/handlerOptions';
export { DEFAULT_AUTHENTICATE_TIMEOUT_MS } from './http/handlerOptions';
export { createHub } from './hub/createHub';
export type {
  ConnectionInfo,
  ConnectRequest,
  Hub,
  HubLimits,
  HubOptions,
  HubStats,
  Identity,
  PublishOptions,
} from './hub/hub';
export { isRefusal, type Refusal, refuse } from './hub/refusal';
export { createEventStream } from './stream/createEventStream';
export type {
  CloseOptions,
  EventStreamOptions,
  EventStreamWriter,
  FinishReason,
  SendOptions,
} from './stream/eventStream';
export { DEFAULT_HEARTBEAT_MS } from './stream/heartbeat';
export { SSE_HEADERS, SSE_HEADERS_HTTP1, sseHeaders } from './stream/sseHeaders';
export {
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_RETRY_MS,
} from './stream/streamSettings';
export type { SinkEvents, StreamSink } from './stream/streamSink';
export {
  createWebStreamSink,
  WebStreamSink,
  type WebStreamSinkOptions,
} from './stream/webStreamSink';
