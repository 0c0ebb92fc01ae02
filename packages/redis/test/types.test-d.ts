import { createClient } from '@redis/client';
import type { Broker } from '@ssekit/server';
import { describe, expectTypeOf, it } from 'vitest';
import { createRedisBroker, type RedisBroker, type RedisClientLike } from '../src/index';

describe('createRedisBroker types', () => {
  it('takes a node-redis client as it is, and is a Broker', () => {
    expectTypeOf(createClient()).toExtend<RedisClientLike>();
    expectTypeOf(createRedisBroker({ client: createClient() })).toEqualTypeOf<RedisBroker>();
    expectTypeOf<RedisBroker>().toExtend<Broker>();
    expectTypeOf(createRedisBroker({ url: 'redis://localhost' }).head()).resolves.toBeString();
  });
});
