/**
 * A hub server child of the Redis bench: `createHub` behind `createNodeHandler` on 127.0.0.1, on
 * the in-memory broker (`memory`) or on `createRedisBroker({ url, stream })` (`redis`), driven by
 * the orchestrator over IPC like the fan-out server child.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep, setImmediate as yieldToIo } from 'node:timers/promises';
import { defineEvents, type } from '@ssekit/core';
import { createRedisBroker } from '@ssekit/redis';
import { createHub, createMemoryBroker } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { serveCommands } from '../child';
import { nowMicros } from '../clock';
import { TICK_EVENT, type TickPayload } from '../contender';
import { tick } from '../fanout/payload';

const [kind, url, stream] = process.argv.slice(2);
if (kind !== 'memory' && kind !== 'redis')
  throw new Error('usage: hubMain.ts memory|redis [url stream]');

const events = defineEvents({ [TICK_EVENT]: type<TickPayload>() });
const hub = createHub({
  events,
  // Every load connection is anonymous from 127.0.0.1: no per-address cap (default 1,000).
  limits: { maxConnectionsPerAddress: Number.POSITIVE_INFINITY },
  broker:
    kind === 'redis'
      ? createRedisBroker({ url: url!, stream: stream!, maxLen: 20_000 })
      : createMemoryBroker({ replay: { maxEvents: 20_000 } }),
});
const report = (error: unknown) => console.error('publish failed:', error);
const handler = createNodeHandler({ hub });
const server = createServer((req, res) => void handler(req, res));
await new Promise<void>((resolve) =>
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
);
const address = server.address();
if (!address || typeof address === 'string') throw new Error('no TCP address');

let cpuStart: NodeJS.CpuUsage | undefined;

serveCommands({
  async waitFor(msg) {
    const deadline = Date.now() + msg.timeoutMs;
    while (hub.stats().connections < msg.n && Date.now() < deadline) await sleep(20);
    return { connections: hub.stats().connections };
  },

  /** Heap (after two full GCs; run with --expose-gc) and RSS, bytes. */
  memory() {
    globalThis.gc?.();
    globalThis.gc?.();
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss };
  },

  /** `events` broadcasts at `rate` per second, scheduled against the start. */
  async paced(msg) {
    const { events: count, rate } = msg as { events: number; rate: number };
    const publishStart = nowMicros();
    const startMs = performance.now();
    for (let seq = 0; seq < count; seq++) {
      const wait = startMs + (seq * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      hub.publish(TICK_EVENT, tick(seq)).catch(report);
    }
    return { publishStart, publishEnd: nowMicros() };
  },

  /** Start counting CPU (every hub process, publishing or not). */
  mark() {
    cpuStart = process.cpuUsage();
    return {};
  },

  /** `events` broadcasts, `burst` per event-loop turn, as the fan-out server child does. */
  async broadcast(msg) {
    const { events: count, burst = 10 } = msg as { events: number; burst?: number };
    const publishStart = nowMicros();
    let seq = 0;
    while (seq < count) {
      for (let b = 0; b < burst && seq < count; b++) {
        hub.publish(TICK_EVENT, tick(seq++)).catch(report);
      }
      await yieldToIo();
    }
    return { publishStart, publishEnd: nowMicros() };
  },

  /** Publish `count` events (awaited); answers the id just before them, to resume from. */
  async fill(msg) {
    const from = await hub.publish(TICK_EVENT, tick(-1));
    for (let i = 0; i < msg.count; i++) await hub.publish(TICK_EVENT, tick(i));
    return { from };
  },

  cpu() {
    const used = process.cpuUsage(cpuStart);
    return { userMicros: used.user, systemMicros: used.system };
  },

  async close() {
    await hub.close();
    server.closeAllConnections();
    server.close();
    setImmediate(() => process.exit(0));
    return {};
  },
});

process.send?.({ ready: true, port: address.port });
