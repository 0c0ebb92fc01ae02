/**
 * Past one process (`--only scale`, opt-in: it is long and heavy). Hub processes on the Redis
 * broker (a real redis-server), each with `perProcess` open connections from a load-generator
 * process of its own (the per-process descriptor limit is ~20,000), a broadcast every second for
 * `seconds` from the first hub, then a burst; against the same on the in-memory broker with one
 * process. Figures per process: CPU per delivered frame, heap and RSS per connection; latency
 * over every frame of every process (the load generators' histograms merged).
 */
import { createClient } from '@redis/client';
import { type RedisServer, startRedisServer } from '@ssekit/test-utils';
import { BenchChild } from '../child';
import { LatencyHistogram } from '../stats';

const HUB = new URL('../redis/hubMain.ts', import.meta.url);
const LOAD = new URL('../fanout/loadMain.ts', import.meta.url);
const T = { start: 60_000, connect: 600_000, command: 60_000 };

/** The suite's sizes. */
export interface ScaleScenario {
  /** Open connections per hub process. */
  perProcess: number;
  /** Hub processes on the Redis broker. */
  processes: number;
  /** Seconds of one broadcast per second. */
  seconds: number;
  /** Broadcasts of the final burst (10 per event-loop turn). */
  burst: number;
}

/** One phase (paced or burst) of one contender. Times in µs. */
export interface ScalePhase {
  expected: number;
  received: number;
  lost: number;
  closedEarly: number;
  p50?: number;
  p99?: number;
  max?: number;
  /** CPU (user + system) per delivered frame of each hub process, µs. */
  cpuPerFrame: number[];
  /** redis-server CPU per delivered frame (all processes), µs. */
  redisCpuPerFrame?: number;
}

export interface ScaleRound {
  contender: string;
  broker: 'memory' | 'redis';
  processes: number;
  connections: number;
  error?: string;
  /** Heap and RSS per connection of each hub process (10% → all), bytes. */
  heapPerConnection?: number[];
  rssPerConnection?: number[];
  /** RSS of each hub process with every connection open, bytes. */
  rss?: number[];
  paced?: ScalePhase;
  burst?: ScalePhase;
  /** Seconds per phase. */
  phases?: Record<string, number>;
}

async function redisCpuMicros(admin: {
  sendCommand(args: string[]): Promise<unknown>;
}): Promise<number | undefined> {
  const info = String(await admin.sendCommand(['INFO', 'cpu']).catch(() => ''));
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  const seconds = field('used_cpu_user') + field('used_cpu_sys');
  return Number.isFinite(seconds) ? Math.round(seconds * 1e6) : undefined;
}

async function runContender(
  name: string,
  broker: 'memory' | 'redis',
  processes: number,
  scenario: ScaleScenario,
  redis: RedisServer | undefined,
  log: (line: string) => void,
): Promise<ScaleRound> {
  const n = scenario.perProcess;
  const result: ScaleRound = { contender: name, broker, processes, connections: n * processes };
  const phases: Record<string, number> = {};
  result.phases = phases;
  let mark = performance.now();
  const phase = (label: string) => {
    const now = performance.now();
    phases[label] = Math.round(now - mark) / 1000;
    mark = now;
    log(`  scale ${name}: ${label} ${phases[label]} s`);
  };
  const stream = `bench:scale:${Date.now()}`;
  const hubs = Array.from(
    { length: processes },
    () =>
      new BenchChild(HUB, broker === 'redis' ? ['redis', redis!.url, stream] : ['memory'], {
        cpu: 0,
        nodeFlags: ['--expose-gc'],
      }),
  );
  const loads = Array.from({ length: processes }, () => new BenchChild(LOAD, [], { cpu: 1 }));
  const admin = redis ? createClient({ url: redis.url }) : undefined;
  admin?.on('error', () => {});
  await admin?.connect();
  try {
    const ready = await Promise.all(hubs.map((h) => h.next(T.start)));
    await Promise.all(loads.map((l) => l.next(T.start)));
    const ports = ready.map((r) => r.port as number);
    phase('start');
    // Connect 10% on every process, measure, then the rest: memory is the marginal cost.
    const warm = Math.round(n / 10);
    const connectAll = async (count: number, total: number) => {
      await Promise.all(
        loads.map((l, i) =>
          l.request('connect', { port: ports[i], count, concurrency: 256 }, T.connect),
        ),
      );
      await Promise.all(
        hubs.map((h) => h.request('waitFor', { n: total, timeoutMs: T.connect }, T.connect)),
      );
    };
    await connectAll(warm, warm);
    const memA = await Promise.all(hubs.map((h) => h.request('memory', {}, T.command)));
    await connectAll(n - warm, n);
    const memB = await Promise.all(hubs.map((h) => h.request('memory', {}, T.command)));
    result.heapPerConnection = memB.map(
      (m, i) => ((m.heapUsed as number) - (memA[i]!.heapUsed as number)) / (n - warm),
    );
    result.rssPerConnection = memB.map(
      (m, i) => ((m.rss as number) - (memA[i]!.rss as number)) / (n - warm),
    );
    result.rss = memB.map((m) => m.rss as number);
    phase('connect');

    const run = async (command: string, body: Record<string, unknown>, events: number) => {
      const expected = n * events;
      await Promise.all(loads.map((l) => l.request('expect', { total: expected }, T.command)));
      await Promise.all(hubs.map((h) => h.request('mark', {}, T.command)));
      const redisBefore = admin ? await redisCpuMicros(admin as never) : undefined;
      await hubs[0]!.request(command, body, events * 2_000 + T.command);
      const got = await Promise.all(
        loads.map((l) => l.request('collect', { idleMs: 3_000 }, 300_000)),
      );
      const cpus = await Promise.all(hubs.map((h) => h.request('cpu', {}, T.command)));
      const redisAfter = admin ? await redisCpuMicros(admin as never) : undefined;
      const merged = new LatencyHistogram();
      for (const l of loads) {
        const { pairs } = await l.request('histogram', {}, T.command);
        for (const [us, count] of pairs as [number, number][]) merged.record(us, count);
      }
      const received = got.map((g) => g.received as number);
      const total = received.reduce((a, b) => a + b, 0);
      const out: ScalePhase = {
        expected: expected * processes,
        received: total,
        lost: expected * processes - total,
        closedEarly: got.reduce((a, g) => a + (g.closedEarly as number), 0),
        p50: merged.percentile(0.5),
        p99: merged.percentile(0.99),
        max: merged.percentile(1),
        cpuPerFrame: cpus.map(
          (c, i) => ((c.userMicros as number) + (c.systemMicros as number)) / received[i]!,
        ),
      };
      if (redisBefore !== undefined && redisAfter !== undefined)
        out.redisCpuPerFrame = (redisAfter - redisBefore) / total;
      return out;
    };
    // Warm-up: a few broadcasts, hot code paths.
    const warmup = await run('broadcast', { events: 3, burst: 1 }, 3);
    if (warmup.lost !== 0) throw new Error(`warm-up lost ${warmup.lost} frames`);
    phase('warmup');
    result.paced = await run('paced', { events: scenario.seconds, rate: 1 }, scenario.seconds);
    phase('paced');
    result.burst = await run('broadcast', { events: scenario.burst, burst: 10 }, scenario.burst);
    phase('burst');
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await Promise.all(loads.map((l) => l.request('close', {}, 10_000).catch(() => undefined)));
    await Promise.all(hubs.map((h) => h.request('close', {}, 30_000).catch(() => undefined)));
    await Promise.all([...loads.map((l) => l.stop()), ...hubs.map((h) => h.kill())]);
    admin?.destroy();
  }
  return result;
}

/**
 * The suite: `redis ×processes` then `memory ×1`, once (it is not repeated in rounds). Skipped,
 * with the reason, without a redis-server binary.
 */
export async function runScale(
  scenario: ScaleScenario,
  log: (line: string) => void,
): Promise<{ rounds: ScaleRound[]; skipped?: string }> {
  const redis = await startRedisServer();
  if (!redis) return { rounds: [], skipped: 'redis-server is not installed' };
  try {
    const rounds: ScaleRound[] = [];
    rounds.push(
      await runContender(
        `redis ×${scenario.processes}`,
        'redis',
        scenario.processes,
        scenario,
        redis,
        log,
      ),
    );
    rounds.push(await runContender('memory ×1', 'memory', 1, scenario, undefined, log));
    return { rounds };
  } finally {
    await redis.close();
  }
}
