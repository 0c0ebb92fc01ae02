/**
 * Test streams for your own component tests: {@link createTestStream} makes a typed, in-memory
 * stream you drive by hand (`push`, `drop`, `reconnect`, `fail`, `close`), so components using the
 * `@ssekit/react` hooks can be tested without a server.
 *
 * @module \@ssekit/react/testing
 */
export { createTestStream, type TestStream, type TestStreamOptions } from './testStream';
