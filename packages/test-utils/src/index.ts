/**
 * @module @ssekit/test-utils
 *
 * Private helpers shared by the packages' tests: external services and real servers on 127.0.0.1.
 */

export { readSse, type SseReader } from './readSse';
export { findService } from './services';
export { createTestServer, listen, type TestServer } from './testServer';
