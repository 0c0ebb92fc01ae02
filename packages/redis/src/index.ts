/**
 * Many server processes as one hub, on Redis Streams: {@link createRedisBroker} is a `Broker` for
 * `createHub({ broker })` whose publishes are `XADD`s (ids assigned by Redis, shared by every
 * process), whose subscription is a blocking `XREAD` per process, and whose replay after
 * `Last-Event-ID` is an `XRANGE`. {@link RedisBrokerError} is what publishes and reads fail with
 * when Redis cannot be reached.
 *
 * @module \@ssekit/redis
 */
export {
  createRedisBroker,
  DEFAULT_BLOCK_TIMEOUT_MS,
  DEFAULT_MAX_LEN,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  DEFAULT_STREAM,
  type RedisBroker,
  type RedisBrokerOptions,
} from './createRedisBroker';
export { RedisBrokerError } from './redisBrokerError';
export type { RedisClientLike } from './redisClient';
export { compareStreamIds } from './streamId';
