/**
 * @module @ssekit/test-utils
 *
 * Private helpers shared by the packages' tests: external services (a redis-server of a test's
 * own), headless chromium, seeded randomness and real servers on 127.0.0.1.
 */

export { ensurePackagesBuilt } from './builtPackages';
export { launchChromium } from './launchChromium';
export { readSse, type SseReader } from './readSse';
export { type RedisServer, startRedisServer } from './redisServer';
export { fuzzSeed, seededRandom } from './seededRandom';
export { findService } from './services';
export { createTestCertificate } from './testCertificate';
export { createTestHttp2Server, http2Fetch, type TestHttp2Server } from './testHttp2Server';
export { createTestServer, listen, type TestServer } from './testServer';
export { untilStream } from './untilStream';
