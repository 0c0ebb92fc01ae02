/**
 * The server child of the fan-out bench: one contender behind `node:http` on 127.0.0.1, driven by
 * the orchestrator over IPC. Run with `--expose-gc` so memory is measured after a full GC.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep, setImmediate as yieldToIo } from 'node:timers/promises';
import { serveCommands } from '../child';
import { nowMicros } from '../clock';
import { loadContender } from '../contender';
import { tick } from './payload';

const [file, mode] = process.argv.slice(2);
if (!file) throw new Error('usage: serverMain.ts <contender file> [targeted]');
const targeted = mode === 'targeted';

const contender = await loadContender('fanout', file);
const sut = await contender.create({ targeted });

const server = createServer((req, res) => {
  const q = req.url?.indexOf('?user=') ?? -1;
  const user = q === -1 ? undefined : req.url!.slice(q + 6);
  sut.handle(req, res, user);
});
// A long backlog: the load generator opens connections in bursts.
await new Promise<void>((resolve) =>
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
);
const address = server.address();
if (!address || typeof address === 'string') throw new Error('no TCP address');

function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
}

let cpuStart: NodeJS.CpuUsage | undefined;
let publishStart = 0;

serveCommands({
  memory: () => memory(),
  count: () => ({ connections: sut.connections() }),

  /** Wait until `n` connections are registered (or the timeout passes). */
  async waitFor(msg) {
    const deadline = Date.now() + msg.timeoutMs;
    while (sut.connections() < msg.n && Date.now() < deadline) await sleep(20);
    return { connections: sut.connections() };
  },

  /**
   * Publish `events` broadcasts. Saturated: `burst` publishes per event-loop turn, yielding to I/O
   * between bursts, as fast as the server can. Paced: one publish every `1000 / rate` ms.
   */
  async broadcast(msg) {
    const { events, burst = 1, rate } = msg as { events: number; burst?: number; rate?: number };
    cpuStart = process.cpuUsage();
    publishStart = nowMicros();
    if (rate) {
      const interval = 1000 / rate;
      const startMs = performance.now();
      // Hand-off: publish call → the next event-loop turn, by which every write (deferred to a
      // microtask or Node's uncork tick) has reached the kernel. The server's own share of the
      // latency, without the load generator's; wall time and CPU time.
      const handoff: number[] = [];
      const handoffCpu: number[] = [];
      for (let seq = 0; seq < events; seq++) {
        // Schedule against the start, so time spent publishing does not slow the rate down.
        const wait = startMs + seq * interval - performance.now();
        if (wait > 0) await sleep(wait);
        const t0 = nowMicros();
        const c0 = process.cpuUsage();
        sut.broadcast(tick(seq));
        await yieldToIo();
        const c = process.cpuUsage(c0);
        handoffCpu.push(c.user + c.system);
        handoff.push(nowMicros() - t0);
      }
      const mid = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
      return {
        publishStart,
        publishEnd: nowMicros(),
        handoff: mid(handoff),
        handoffCpu: mid(handoffCpu),
      };
    } else {
      let seq = 0;
      while (seq < events) {
        for (let b = 0; b < burst && seq < events; b++) sut.broadcast(tick(seq++));
        await yieldToIo();
      }
    }
    return { publishStart, publishEnd: nowMicros() };
  },

  /**
   * Publish `publishes` events, each to one user (round-robin over `users`), `burst` per turn;
   * report the wall time spent publishing (each burst until the next event-loop turn).
   */
  async targeted(msg) {
    const {
      publishes,
      users,
      burst = 10,
    } = msg as {
      publishes: number;
      users: number;
      burst?: number;
    };
    if (!sut.publishTo) throw new Error(`${contender.name} has no publishTo`);
    cpuStart = process.cpuUsage();
    publishStart = nowMicros();
    let inPublish = 0;
    let seq = 0;
    while (seq < publishes) {
      const t0 = performance.now();
      for (let b = 0; b < burst && seq < publishes; b++, seq++) {
        sut.publishTo(`u${seq % users}`, tick(seq));
      }
      // Timed up to the next turn, so work a library defers to microtasks (an async broker)
      // counts as publishing too.
      await yieldToIo();
      inPublish += performance.now() - t0;
    }
    return { publishStart, publishEnd: nowMicros(), publishMicros: inPublish * 1000 };
  },

  /** CPU used since the last broadcast/targeted command started, user and system separately. */
  cpu: () => {
    const used = process.cpuUsage(cpuStart);
    return { userMicros: used.user, systemMicros: used.system };
  },

  async close() {
    await sut.close();
    server.closeAllConnections();
    server.close();
    setImmediate(() => process.exit(0));
  },
});

process.send?.({ ready: true, port: address.port, memory: memory() });
