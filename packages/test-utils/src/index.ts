/**
 * @module @ssekit/test-utils
 *
 * Private helpers shared by the packages' tests: external services (a redis-server of a test's
 * own), headless chromium, seeded randomness and real servers on 127.0.0.1.
 */

export { ensurePackagesBuilt, repoRoot } from './builtPackages';
export { CHROMIUM_ARGS, launchChromium } from './launchChromium';
export { readSse, type SseReader } from './readSse';
export { type RedisServer, type RedisServerOptions, startRedisServer } from './redisServer';
export { fuzzSeed, seededRandom } from './seededRandom';
export { findService, INSTALL_HINT, SERVICES, type Service } from './services';
export { createTestCertificate, type TestCertificate } from './testCertificate';
export { createTestHttp2Server, http2Fetch, type TestHttp2Server } from './testHttp2Server';
export { createTestServer, listen, type TestServer } from './testServer';
export { untilStream, type WatchableStream } from './untilStream';
