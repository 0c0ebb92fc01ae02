/**
 * A reconnecting, fetch-based Server-Sent Events reader: {@link connect} returns an
 * {@link EventStream} with auth headers (a function of the attempt, for refreshed tokens), resume
 * with `Last-Event-ID`, exponential backoff that honours `retry:` and `Retry-After`, an inactivity
 * timeout, typed and validated payloads, `for await` with backpressure and a status store for UIs.
 * Runs in browsers, Node 20+, Deno, Bun and Workers.
 *
 * @module \@ssekit/client
 */
export { DEFAULT_MAX_EVENT_SIZE } from '@ssekit/core';
export { connect } from './connect';
export { ITERATOR_HIGH_WATER_MARK } from './consumer/fanout';
// @internal: the listener primitive @ssekit/react's stores share (typedoc hides it).
export { createListeners, type Listeners } from './consumer/listeners';
export { ContentTypeError, HttpError } from './errors';
export { textSerializer } from './textSerializer';
export { MAX_RETRY_DELAY, type RetryOptions } from './transport/retryPolicy';
export type {
  AttemptContext,
  CloseReason,
  ConnectOptions,
  EventMeta,
  EventStream,
  StreamState,
  StreamStatus,
} from './types';
