/**
 * The Redis broker suite: the same broadcasts through the in-memory broker (one hub process) and
 * through Redis (one hub process, then three sharing one stream, the connections spread over
 * them), the replay latency of a client resuming 1,000 events back, and what one Redis stream
 * takes (appends/s, bytes per event) for the sharding figures in packages/redis/README.md.
 */
import { createClient } from '@redis/client';
import { createRedisBroker } from '@ssekit/redis';
import { type RedisServer, startRedisServer } from '@ssekit/test-utils';
import { BenchChild } from '../child';
import { median } from '../stats';

const HUB = new URL('./hubMain.ts', import.meta.url);
const LOAD = new URL('../fanout/loadMain.ts', import.meta.url);
const T = { start: 30_000, connect: 120_000, command: 60_000 };

/** One way of running the hub: its broker and how many processes share the connections. */
export interface RedisContender {
  name: string;
  broker: 'memory' | 'redis';
  processes: number;
}

const REDIS_CONTENDERS: RedisContender[] = [
  { name: 'memory ×1', broker: 'memory', processes: 1 },
  { name: 'redis ×1', broker: 'redis', processes: 1 },
  { name: 'redis ×3', broker: 'redis', processes: 3 },
];

/** The suite's sizes. */
export interface RedisScenario {
  connections: number;
  broadcasts: number;
  burst: number;
  /** Events a resuming client is behind, and how many resumes are timed. */
  replayEvents: number;
  replays: number;
  /** Appends timed on the bare stream, and how many are in flight at once. */
  appends: number;
  inFlight: number;
}

export interface RedisRound {
  contender: string;
  round: number;
  error?: string;
  processes?: number;
  expected?: number;
  received?: number;
  lost?: number;
  eventsPerSec?: number;
  /** CPU (user + system) per delivered event, µs: the hub processes, and redis-server. */
  hubCpuPerDelivery?: number;
  redisCpuPerDelivery?: number;
  p50?: number;
  p99?: number;
  /** Replay of `replayEvents` events after Last-Event-ID: request → last event, ms. */
  replayP50?: number;
  replayP99?: number;
}

export interface StreamFigures {
  appendsPerSec?: number;
  /** redis-server CPU per append, µs: 1e6 / this is what one stream (one Redis core) can take. */
  redisCpuPerAppend?: number;
  bytesPerEvent?: number;
  payloadBytes?: number;
  error?: string;
}

/** What the bench asks of its admin connection. */
interface Admin {
  sendCommand(args: string[]): Promise<unknown>;
  destroy(): void;
}

/** An extra connection for INFO and MEMORY USAGE. */
async function adminOf(redis: RedisServer): Promise<Admin> {
  const admin = createClient({ url: redis.url });
  admin.on('error', () => {});
  await admin.connect();
  return admin as unknown as Admin;
}

/**
 * redis-server's CPU time (user + system), µs, from `INFO cpu` — to the µs, where /proc counts
 * 10 ms ticks (a 200-publish round is a few ms of Redis CPU).
 */
async function redisCpuMicros(admin: Admin): Promise<number | undefined> {
  const info = String(await admin.sendCommand(['INFO', 'cpu']).catch(() => ''));
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  const seconds = field('used_cpu_user') + field('used_cpu_sys');
  return Number.isFinite(seconds) ? Math.round(seconds * 1e6) : undefined;
}

/** Read a resuming stream until `count` tick payloads arrived; ms from request to the last. */
async function timeReplay(url: string, from: string, count: number): Promise<number> {
  const started = performance.now();
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { 'Last-Event-ID': from },
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let seen = 0;
  let carry = '';
  while (seen < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`replay ended after ${seen} of ${count} events`);
    const text = carry + decoder.decode(value, { stream: true });
    const parts = text.split('{"t":');
    seen += parts.length - 1;
    carry = parts.at(-1)!.slice(-5);
  }
  const elapsed = performance.now() - started;
  controller.abort();
  return elapsed;
}

async function runRound(
  contender: RedisContender,
  scenario: RedisScenario,
  redis: RedisServer,
  round: number,
): Promise<RedisRound> {
  const result: RedisRound = { contender: contender.name, round, processes: contender.processes };
  const stream = `bench:${round}:${contender.name.replace(/\W+/g, '')}:${Date.now()}`;
  const hubs = Array.from(
    { length: contender.processes },
    () =>
      new BenchChild(
        HUB,
        contender.broker === 'redis' ? ['redis', redis.url, stream] : ['memory'],
        {
          cpu: 0,
        },
      ),
  );
  const load = new BenchChild(LOAD, [], { cpu: 1 });
  const admin = await adminOf(redis);
  try {
    const ready = await Promise.all(hubs.map((h) => h.next(T.start)));
    await load.next(T.start);
    const ports = ready.map((r) => r.port as number);

    // Replay first, before any connection: a client 1,000 events behind, resuming.
    if (contender.processes === 1) {
      const { from } = await hubs[0]!.request('fill', { count: scenario.replayEvents }, T.command);
      const times: number[] = [];
      for (let i = 0; i < scenario.replays; i++) {
        times.push(
          await timeReplay(
            `http://127.0.0.1:${ports[0]}/events`,
            from as string,
            scenario.replayEvents,
          ),
        );
      }
      times.sort((a, b) => a - b);
      result.replayP50 = median(times);
      result.replayP99 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)];
    }

    // The connections, spread evenly over the hub processes.
    const per = Math.ceil(scenario.connections / hubs.length);
    for (const [i, port] of ports.entries()) {
      const count = Math.min(per, scenario.connections - i * per);
      await load.request('connect', { port, count }, T.connect);
      await hubs[i]!.request('waitFor', { n: count, timeoutMs: T.command }, T.command + 5_000);
    }

    const publishPhase = async (broadcasts: number) => {
      const expected = scenario.connections * broadcasts;
      await load.request('expect', { total: expected }, T.command);
      await Promise.all(hubs.map((h) => h.request('mark', {}, T.command)));
      const redisBefore = await redisCpuMicros(admin);
      const pub = await hubs[0]!.request(
        'broadcast',
        { events: broadcasts, burst: scenario.burst },
        120_000,
      );
      const got = await load.request('collect', { idleMs: 3_000 }, 180_000);
      const cpus = await Promise.all(hubs.map((h) => h.request('cpu', {}, T.command)));
      const redisAfter = await redisCpuMicros(admin);
      return { expected, pub, got, cpus, redisBefore, redisAfter };
    };
    // Warm-up (not measured): hot code paths, as a server that has been up a while.
    const warm = await publishPhase(Math.max(2, Math.round(scenario.broadcasts / 10)));
    if (warm.got.received !== warm.expected) {
      throw new Error(`warm-up lost ${warm.expected - (warm.got.received as number)} frames`);
    }
    const { expected, pub, got, cpus, redisBefore, redisAfter } = await publishPhase(
      scenario.broadcasts,
    );
    const received = got.received as number;
    result.expected = expected;
    result.received = received;
    result.lost = expected - received;
    result.eventsPerSec =
      received / (((got.lastAt as number) - (pub.publishStart as number)) / 1e6);
    const hubCpu = cpus.reduce(
      (sum, c) => sum + (c.userMicros as number) + (c.systemMicros as number),
      0,
    );
    result.hubCpuPerDelivery = hubCpu / received;
    if (contender.broker === 'redis' && redisBefore !== undefined && redisAfter !== undefined) {
      result.redisCpuPerDelivery = (redisAfter - redisBefore) / received;
    }
    result.p50 = got.p50 as number | undefined;
    result.p99 = got.p99 as number | undefined;
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await load.request('close', {}, 5_000).catch(() => undefined);
    await Promise.all(hubs.map((h) => h.request('close', {}, 10_000).catch(() => undefined)));
    await Promise.all([load.stop(), ...hubs.map((h) => h.kill())]);
    admin.destroy();
  }
  return result;
}

/**
 * What one stream takes: `appends` events of the bench's ~100-byte payload published through the
 * broker from one process, `inFlight` at a time; then Redis's own memory per entry.
 */
async function streamFigures(redis: RedisServer, scenario: RedisScenario): Promise<StreamFigures> {
  const stream = `bench:figures:${Date.now()}`;
  const broker = createRedisBroker({ url: redis.url, stream, maxLen: scenario.appends + 1000 });
  const admin = await adminOf(redis);
  try {
    const data = JSON.stringify({ t: 1_700_000_000_000_000, seq: 0, pad: 'x'.repeat(60) });
    const event = { type: 'tick', data, topic: undefined, to: undefined };
    await broker.append(event); // the script is loaded, the connection warm
    let next = 0;
    const cpuBefore = await redisCpuMicros(admin);
    const started = performance.now();
    const worker = async () => {
      while (next++ < scenario.appends) await broker.append(event);
    };
    await Promise.all(Array.from({ length: scenario.inFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = await redisCpuMicros(admin);
    const bytes = Number(await admin.sendCommand(['MEMORY', 'USAGE', stream, 'SAMPLES', '0']));
    const length = Number(await admin.sendCommand(['XLEN', stream]));
    return {
      appendsPerSec: scenario.appends / seconds,
      ...(cpuBefore !== undefined &&
        cpuAfter !== undefined && { redisCpuPerAppend: (cpuAfter - cpuBefore) / scenario.appends }),
      bytesPerEvent: bytes / length,
      payloadBytes: data.length + event.type.length,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await broker.close();
    admin.destroy();
  }
}

/**
 * Round `round` of the suite (every contender once, in the same order each round); the stream
 * figures in the first round only. Skipped, with the reason, without a redis-server binary.
 */
export async function runRedisRound(
  scenario: RedisScenario,
  round: number,
  rounds: number,
  log: (line: string) => void,
): Promise<{ rounds: RedisRound[]; figures?: StreamFigures; skipped?: string }> {
  const redis = await startRedisServer();
  if (!redis) return { rounds: [], skipped: 'redis-server is not installed' };
  try {
    const results: RedisRound[] = [];
    for (const contender of REDIS_CONTENDERS) {
      const started = Date.now();
      const r = await runRound(contender, scenario, redis, round);
      results.push(r);
      log(
        `  redis round ${round + 1}/${rounds} ${contender.name}: ${
          r.error
            ? `ERROR ${r.error}`
            : `${Math.round(r.eventsPerSec ?? 0).toLocaleString('en-US')} ev/s, lost ${r.lost}`
        } (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    const figures = round === 0 ? await streamFigures(redis, scenario) : undefined;
    return { rounds: results, ...(figures && { figures }) };
  } finally {
    await redis.close();
  }
}
