/**
 * Mock an ssekit stream with [msw](https://mswjs.io) 2.12+ in your app's tests:
 * {@link sseHandler} is msw's `sse()` handler with a client typed by your event schema, which
 * validates every payload before sending it, so a mock cannot drift from the real server.
 * `msw` is an optional peer dependency, needed by this entry only.
 *
 * @module \@ssekit/client/msw
 */
export {
  createSseClient,
  type RawSseClient,
  type SseClientOptions,
  type SseHandlerInfo,
  type SseHandlerOptions,
  sseHandler,
  type TypedSseClient,
} from './sseHandler';
