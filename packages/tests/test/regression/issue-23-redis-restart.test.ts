/**
 * Issue #23, item 3 — an event lost after a Redis restart without persistence. A hub in this
 * process on a redis-server of this file's own, a real client over HTTP on 127.0.0.1; the
 * redis-server is killed (`SIGKILL`) and started again empty while publishes go on. The test
 * counts: publishes accepted and refused, and what the client received.
 */
import { isSsekitError } from '@ssekit/core';
import { RedisBrokerError } from '@ssekit/redis';
import { type RedisServer, startRedisServer } from '@ssekit/test-utils';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { redisHub } from '../fixtures/redisHubHarness';

let redis: RedisServer | undefined;
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.close();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  if (redis && !redis.running) await redis.start();
});

type Outcome = { n: number; id: string } | { n: number; error: unknown };

it('delivers every publish accepted after Redis restarts empty, once, after one reset; logs the outage and the recovery once each', {
  timeout: 90_000,
}, async (t) => {
  if (!redis) return t.skip();
  const app = await redisHub({ url: redis.url, stream: 'issue23-restart', publishTimeout: 1000 });
  cleanup.push(() => app.close());
  const c = app.client();
  await c.opened();

  // A publish every 100 ms, each one's outcome recorded in order.
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let n = 0;
  const timer = setInterval(() => {
    const p = app.publish(++n).then((o) => outcomes.push(o));
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  }, 100);
  cleanup.push(() => clearInterval(timer));
  const count = (what: 'id' | 'error', since = 0) =>
    outcomes.slice(since).filter((o) => what in o).length;
  const waitFor = (check: () => boolean, what: string) =>
    vi.waitFor(
      () => {
        if (!check()) throw new Error(`waiting for ${what}`);
      },
      { timeout: 30_000, interval: 5 },
    );

  await waitFor(() => count('id') >= 10, '10 accepted publishes');
  await redis.stop('SIGKILL');
  const killedAt = outcomes.length;
  await waitFor(() => count('error', killedAt) >= 3, '3 refused publishes');
  await redis.start();
  const restartedAt = outcomes.length;
  await waitFor(() => count('id', restartedAt) >= 20, '20 accepted publishes after the restart');
  clearInterval(timer);
  await Promise.all(inFlight);

  const accepted = outcomes.filter((o): o is { n: number; id: string } => 'id' in o);
  const refused = outcomes.filter((o) => 'error' in o);
  expect(refused.length).toBeGreaterThanOrEqual(3); // Redis really was away
  for (const o of refused) expect((o as { error: unknown }).error).toBeInstanceOf(RedisBrokerError);
  // Every publish accepted after the kill went into the new, empty Redis: each must arrive.
  const afterKill = accepted.filter((o) => outcomes.indexOf(o) >= killedAt).map((o) => o.n);
  const last = accepted.at(-1)!.n;
  await c.until(() => c.events().includes(last), 'the last accepted publish');
  const received = c.events();
  expect(
    afterKill.filter((m) => !received.includes(m)),
    'accepted after the restart, lost',
  ).toEqual([]);
  expect(new Set(received).size, 'nothing twice').toBe(received.length);
  expect(
    received.filter((m) => !accepted.some((o) => o.n === m)),
    'refused, delivered',
  ).toEqual([]);
  // The loss of what Redis held is told once, before what came after.
  expect(c.resets()).toHaveLength(1);
  const resetAt = c.seen.findIndex((s) => s.kind === 'reset');
  const firstAfter = c.seen.findIndex((s) => s.kind === 'event' && afterKill.includes(s.n));
  expect(resetAt).toBeLessThan(firstAfter);
  // One report when Redis went away, one when it came back.
  const reports = app.errors.filter((e) => isSsekitError(e, 'broker-unavailable'));
  expect(reports.map((e) => (e as RedisBrokerError).recovered)).toEqual([false, true]);
});
