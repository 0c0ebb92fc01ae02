/**
 * Bad Redis entries during a run (issue #24): the soak (`soak.test.ts`) runs on a faulty
 * in-memory broker, so this short run covers the Redis broker's own fault — entries another tool
 * wrote into the stream, injected at seeded random points among a few hundred publishes read by
 * real clients. It ends with 0 lost and 0 duplicated accepted events, one reset and one
 * reported error per bad entry. Replay a failure with `FUZZ_SEED=<seed>`.
 */
import { fuzzSeed, type RedisServer, seededRandom, startRedisServer } from '@ssekit/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisCommand, redisHub } from './fixtures/redisHubHarness';

let redis: RedisServer | undefined;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.close();
});

/** What another tool might write: no number, a broken recipient list, recipients not a list. */
const BAD: string[][] = [
  ['foo', 'bar'],
  ['n', '1', 't', 'n', 'd', '{"n":-1}', 'u', '[oops'],
  ['t', 'n', 'd', '{"n":-1}', 'u', '{"a":1}'],
];

it('delivers every accepted event once to every client while bad entries are injected', {
  timeout: 120_000,
}, async (t) => {
  if (!redis) return t.skip();
  const seed = fuzzSeed();
  const random = seededRandom(seed);
  const app = await redisHub({ url: redis.url, stream: 'redis-faults' });
  try {
    const clients = Array.from({ length: 20 }, () => app.client());
    await Promise.all(clients.map((c) => c.opened()));
    const accepted: number[] = [];
    let injected = 0;
    for (let n = 1; n <= 400; n++) {
      if (random() < 0.03) {
        await redisCommand(redis.url, [
          'XADD',
          app.broker.stream,
          '*',
          ...BAD[injected++ % BAD.length]!,
        ]);
      }
      const result = await app.publish(n);
      if ('id' in result) accepted.push(n);
    }
    for (const c of clients) {
      await c.until(() => c.events().includes(accepted.at(-1)!), `the last event (seed ${seed})`);
      expect(c.events(), `seed ${seed}: 0 lost, 0 duplicated`).toEqual(accepted);
      expect(c.resets(), `seed ${seed}: one reset per bad entry`).toHaveLength(injected);
    }
    const skipped = app.errors.filter((e) => String((e as Error).message).startsWith('Skipped'));
    expect(skipped, `seed ${seed}`).toHaveLength(injected);
  } finally {
    await app.close();
  }
});
