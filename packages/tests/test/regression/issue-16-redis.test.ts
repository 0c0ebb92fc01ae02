/**
 * Issue #16 — many server processes as one hub, on Redis Streams. Real hub processes (child
 * processes, each on its own port, see ../fixtures/redisHubProcess.ts) share one redis-server
 * of this file's own; real clients read them over HTTP on 127.0.0.1. Every wait is for a count of
 * events (bounded only as a failure timeout), never for a stretch of time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { connect, type EventStream } from '@ssekit/client';
import type { ResetNotice } from '@ssekit/core';
import { compareStreamIds } from '@ssekit/redis';
import {
  fuzzSeed,
  type RedisServer,
  seededRandom,
  startRedisServer,
  untilStream,
} from '@ssekit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisEvents } from '../fixtures/redisEvents';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const HUB_PROCESS = fileURLToPath(new URL('../fixtures/redisHubProcess.ts', import.meta.url));

/** One hub server process, driven over IPC. */
class HubProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: any) => void>();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    let started!: () => void;
    this.ready = new Promise((resolve) => {
      started = resolve;
    });
    child.on('message', (msg: any) => {
      if (msg.ready) started();
      else this.pending.get(msg.id)?.(msg);
    });
  }

  static start(): HubProcess {
    const child = spawn(
      process.execPath,
      ['--conditions=@ssekit/source', '--import', 'tsx', HUB_PROCESS],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    return new HubProcess(child);
  }

  async request(cmd: string, body: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    const reply = new Promise<any>((resolve) => this.pending.set(id, resolve));
    this.child.send({ id, cmd, ...body });
    const answer = await reply;
    this.pending.delete(id);
    if (answer.error) throw new Error(answer.error);
    return answer.result;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    return exited;
  }
}

/** A hub of one process, on a stream. */
interface RemoteHub {
  url: string;
  publish(n: number, options?: { to?: string | string[]; topic?: string }): Promise<Published>;
  cut(): Promise<void>;
  stats(): Promise<{ connections: number }>;
}

type Published = { n: number; id?: string; failed?: string; maybePublished?: boolean };

let redis: RedisServer | undefined;
const processes: HubProcess[] = [];
const cleanup: (() => unknown)[] = [];
let streams = 0;

beforeAll(async () => {
  redis = await startRedisServer();
  if (!redis) return;
  for (let i = 0; i < 3; i++) processes.push(HubProcess.start());
  await Promise.all(processes.map((p) => p.ready));
}, 60_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await redis?.close();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const fn of cleanup.splice(0).reverse()) await fn();
  if (redis && !redis.running) await redis.start();
});

/** A hub in each process, all on one new stream. */
async function hubsOn(
  options: { url?: string; maxLen?: number } = {},
  stream = `issue16-${++streams}`,
): Promise<RemoteHub[]> {
  return Promise.all(
    processes.map(async (p) => {
      const { hub, port } = await p.request('open', {
        url: options.url ?? redis!.url,
        stream,
        maxLen: options.maxLen,
      });
      cleanup.push(() => p.request('close', { hub }));
      return {
        url: `http://127.0.0.1:${port}/events`,
        publish: async (n, target) => ({
          n,
          ...(await p.request('publish', { hub, n, options: target })),
        }),
        cut: () => p.request('cut', { hub }),
        stats: () => p.request('stats', { hub }),
      } satisfies RemoteHub;
    }),
  );
}

type Seen = { kind: 'event'; id: string; n: number } | { kind: 'reset'; notice: ResetNotice };

/**
 * A real client, recording everything in arrival order. `route()` decides where each (re)connect
 * goes, as a load balancer does; `null` refuses it (the client keeps retrying).
 */
function client(
  url: string | (() => string | null),
  who: { user?: string; topics?: string[] } = {},
) {
  const route = typeof url === 'string' ? () => url : url;
  const query = (who.topics ?? []).map((t) => `topic=${t}`).join('&');
  const routes: string[] = [];
  const stream = connect('http://lb.invalid/events', {
    events: redisEvents,
    retry: { initial: 10, max: 50 },
    headers: who.user ? { 'x-user': who.user } : {},
    fetch: (_input, init) => {
      const target = route();
      if (target === null) return Promise.reject(new TypeError('no upstream'));
      routes.push(target);
      return fetch(query ? `${target}?${query}` : target, init);
    },
  });
  const seen: Seen[] = [];
  stream.onEvent((e) => {
    if (e.type === 'n') seen.push({ kind: 'event', id: e.id!, n: (e.data as { n: number }).n });
  });
  stream.onReset((notice) => seen.push({ kind: 'reset', notice }));
  cleanup.push(() => stream.close());
  const events = () => seen.filter((s): s is Seen & { kind: 'event' } => s.kind === 'event');
  return { stream, seen, events, routes, who };
}

type Client = ReturnType<typeof client>;

/** Resolve once `check` holds (see `untilStream`), with a longer bound for Redis restarts. */
const until = (stream: EventStream<any>, check: () => boolean, what: string) =>
  untilStream(stream, check, what, 30_000);

const opened = (c: Client) =>
  until(
    c.stream,
    () => c.stream.status.state === 'open' && c.stream.lastEventId !== undefined,
    'open with a resume point',
  );

/** Whether a publish's targets include this client. */
function entitled(
  c: Client,
  target: { to?: string | string[] | undefined; topic?: string | undefined } = {},
) {
  const to = typeof target.to === 'string' ? [target.to] : target.to;
  if (to !== undefined && (c.who.user === undefined || !to.includes(c.who.user))) return false;
  return target.topic === undefined || (c.who.topics ?? []).includes(target.topic);
}

/**
 * Never silent loss: the client's events are in id order with no duplicate; it received nothing
 * that was refused; and every acknowledged event it was entitled to and did not receive is
 * followed by a reset after the last event it received before it.
 */
function expectNoSilentLoss(
  c: Client,
  published: (Published & { target?: Parameters<typeof entitled>[1] })[],
) {
  const events = c.events();
  for (let i = 1; i < events.length; i++) {
    expect(compareStreamIds(events[i - 1]!.id, events[i]!.id), 'in order, once').toBeLessThan(0);
  }
  const received = new Set(events.map((e) => e.n));
  const refused = published.filter((p) => p.failed && !p.maybePublished).map((p) => p.n);
  expect(
    refused.filter((n) => received.has(n)),
    'refused publishes never arrive',
  ).toEqual([]);
  for (const p of published) {
    if (p.id === undefined || !entitled(c, p.target) || received.has(p.n)) continue;
    // the last event before the missing one, and a reset somewhere after it
    let at = -1;
    c.seen.forEach((s, i) => {
      if (s.kind === 'event' && compareStreamIds(s.id, p.id!) < 0) at = i;
    });
    const reset = c.seen.findIndex((s, i) => i > at && s.kind === 'reset');
    expect(reset, `event ${p.id} (n=${p.n}) missing without a reset`).toBeGreaterThan(-1);
  }
}

describe('#16 three hub processes on one Redis', () => {
  it('a publish on any one reaches the entitled clients of all three, and no one else', async (t) => {
    if (!redis) return t.skip();
    const hubs = await hubsOn();
    const clients = hubs.flatMap((hub) => [
      client(hub.url),
      client(hub.url, { user: 'ana', topics: ['t'] }),
      client(hub.url, { user: 'bob', topics: ['u'] }),
    ]);
    await Promise.all(clients.map(opened));
    const sent = [
      { ...(await hubs[0]!.publish(1)), target: {} },
      { ...(await hubs[1]!.publish(2, { to: 'ana' })), target: { to: 'ana' } },
      { ...(await hubs[2]!.publish(3, { topic: 'u' })), target: { topic: 'u' } },
      {
        ...(await hubs[1]!.publish(4, { to: 'bob', topic: 't' })),
        target: { to: 'bob', topic: 't' },
      },
    ];
    const fence = await hubs[2]!.publish(5);
    for (const c of clients) {
      await until(c.stream, () => c.events().some((e) => e.n === 5), 'the fence');
      const expected = sent.filter((s) => entitled(c, s.target)).map((s) => s.id);
      expect(c.events().map((e) => e.id)).toEqual([...expected, fence.id]);
    }
  });

  it('a client cut from A and reconnected to C gets every missed event once, in order, while publishes go on', async (t) => {
    if (!redis) return t.skip();
    const [a, b, c] = await hubsOn();
    let target = a!.url;
    const reader = client(() => target);
    await opened(reader);
    const published: Published[] = [];
    const total = 300;
    const publishing = (async () => {
      for (let n = 1; n <= total; n++) published.push(await b!.publish(n));
    })();
    await until(reader.stream, () => reader.events().length >= 50, '50 events');
    target = c!.url; // the load balancer sends the next connection to C
    await a!.cut();
    await until(reader.stream, () => reader.routes.includes(c!.url), 'a reconnect to C');
    await publishing;
    await until(reader.stream, () => reader.events().length >= total, `${total} events`);
    expect(published.every((p) => p.id !== undefined)).toBe(true);
    expect(reader.events().map((e) => e.id)).toEqual(published.map((p) => p.id));
    expect(reader.seen.filter((s) => s.kind === 'reset')).toEqual([]);
    expect(reader.routes.at(-1)).toBe(c!.url);
  });

  it('leaks nothing across processes (seeded isolation fuzz over users × topics)', async (t) => {
    if (!redis) return t.skip();
    const seed = fuzzSeed();
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const users = ['u0', 'u1', 'u2', 'u3', undefined];
    const topics = ['a', 'b', 'c'];
    const hubs = await hubsOn();
    const clients = Array.from({ length: 24 }, (_, i) => {
      const user = pick(users);
      return client(hubs[i % 3]!.url, {
        ...(user && { user }),
        topics: topics.filter(() => random() < 0.5),
      });
    });
    await Promise.all(clients.map(opened));
    const sent: (Published & { target: { to?: string[]; topic?: string } })[] = [];
    for (let n = 1; n <= 150; n++) {
      const target: { to?: string[]; topic?: string } = {};
      if (random() < 0.5) target.to = [pick(users.slice(0, -1)) as string];
      if (random() < 0.5) target.topic = pick(topics);
      sent.push({ ...(await pick(hubs).publish(n, target)), target });
    }
    const fence = await hubs[0]!.publish(0);
    for (const c of clients) {
      await until(c.stream, () => c.events().some((e) => e.n === 0), 'the fence');
      const expected = sent.filter((s) => entitled(c, s.target)).map((s) => s.id);
      expect(
        c.events().map((e) => e.id),
        `seed ${seed}`,
      ).toEqual([...expected, fence.id]);
    }
  });
});

describe('#16 Redis faults', () => {
  /**
   * Publish continuously, round-robin over the hubs, while `during()` runs; then a fence every
   * client must receive: the hubs recovered.
   */
  async function publishThrough(
    hubs: RemoteHub[],
    clients: Client[],
    during: (published: Published[]) => Promise<void>,
  ) {
    const published: Published[] = [];
    let stop = false;
    let n = 0;
    const publishing = (async () => {
      while (!stop) {
        const hub = hubs[n % hubs.length]!;
        published.push(await hub.publish(++n));
      }
    })();
    await during(published);
    stop = true;
    await publishing;
    let fence: Published | undefined;
    for (let i = 0; fence?.id === undefined; i++) {
      // a publish racing the reconnection may still be refused: try the next hub
      fence = await hubs[i % hubs.length]!.publish(-1);
      expect(i).toBeLessThan(100);
    }
    // Received, or behind the client's place: a hub whose subscription came back after the fence
    // was published resets its clients to a position at or past it.
    const at = fence.id!;
    for (const c of clients) {
      await until(
        c.stream,
        () =>
          c.events().some((e) => e.n === -1) ||
          compareStreamIds(c.stream.lastEventId ?? '', at) >= 0,
        'the fence after recovery',
      );
    }
    return [...published, fence];
  }

  /** Wait until `count` more publishes were acknowledged (or refused, with `failed`). */
  function after(published: Published[], count: number, failed = false): Promise<void> {
    const start = published.length;
    return vi.waitFor(
      () => {
        const since = published.slice(start);
        const matching = since.filter((p) => (failed ? p.failed : p.id) !== undefined);
        if (matching.length < count) throw new Error(`${matching.length}/${count}`);
      },
      { timeout: 30_000, interval: 5 },
    );
  }

  it('Redis restarting with its data: every acknowledged event arrives once, in order, no reset', async (t) => {
    if (!redis) return t.skip();
    const persistent = await startRedisServer({ persist: true });
    cleanup.push(() => persistent!.close());
    const hubs = await hubsOn({ url: persistent!.url });
    const clients = hubs.flatMap((hub) => [client(hub.url), client(hub.url, { user: 'ana' })]);
    await Promise.all(clients.map(opened));
    const published = await publishThrough(hubs, clients, async (list) => {
      await after(list, 50);
      await persistent!.stop();
      await after(list, 3, true);
      await persistent!.start();
      await after(list, 50);
    });
    const acked = published.filter((p) => p.id !== undefined).map((p) => p.n);
    const refused = published.filter((p) => p.failed && !p.maybePublished).length;
    expect(refused).toBeGreaterThan(0); // Redis really was away
    for (const c of clients) {
      expectNoSilentLoss(c, published);
      expect(c.seen.filter((s) => s.kind === 'reset')).toEqual([]);
      const got = c.events().map((e) => e.n);
      expect(acked.filter((n) => !got.includes(n))).toEqual([]);
    }
  });

  it('Redis restarting empty: clients get what survived, and a reset for what was lost', async (t) => {
    if (!redis) return t.skip();
    const hubs = await hubsOn();
    const clients = hubs.flatMap((hub) => [client(hub.url), client(hub.url, { user: 'ana' })]);
    await Promise.all(clients.map(opened));
    const published = await publishThrough(hubs, clients, async (list) => {
      await after(list, 50);
      await redis!.stop('SIGKILL');
      await after(list, 3, true);
      await redis!.start();
      await after(list, 50);
    });
    for (const c of clients) {
      expectNoSilentLoss(c, published);
      // the hubs' subscriptions found their place gone: every live client was told
      expect(c.seen.some((s) => s.kind === 'reset')).toBe(true);
    }
  });

  it('history trimmed while a client was away: a reset, then live events, nothing silent', async (t) => {
    if (!redis) return t.skip();
    const hubs = await hubsOn({ maxLen: 100 });
    let target: string | null = hubs[0]!.url;
    const reader = client(() => target);
    await opened(reader);
    const published: Published[] = [];
    for (let n = 1; n <= 10; n++) published.push(await hubs[1]!.publish(n));
    await until(reader.stream, () => reader.events().length === 10, '10 events');
    target = null; // away: every reconnect fails
    await hubs[0]!.cut();
    for (let n = 11; n <= 1000; n++) published.push(await hubs[2]!.publish(n));
    target = hubs[1]!.url;
    await until(reader.stream, () => reader.seen.some((s) => s.kind === 'reset'), 'a reset');
    published.push(await hubs[0]!.publish(1001));
    await until(reader.stream, () => reader.events().some((e) => e.n === 1001), 'a live event');
    expectNoSilentLoss(reader, published);
    const reset = reader.seen.find((s) => s.kind === 'reset') as { notice: ResetNotice };
    expect(reset.notice).toMatchObject({ reason: 'evicted', lastEventId: published[9]!.id });
    expect(reader.events().at(-1)?.n).toBe(1001);
  });
});

describe('#16 two module graphs in one process (Next.js)', () => {
  it('two hubs on one Redis stream both deliver a publish made through either', async (t) => {
    if (!redis) return t.skip();
    vi.stubEnv('SSEKIT_TEST_REDIS_URL', redis.url);
    vi.stubEnv('SSEKIT_TEST_REDIS_STREAM', `graphs-${++streams}`);
    type App = typeof import('../fixtures/redisAppHub');
    const load = async (): Promise<App> => {
      vi.resetModules();
      const app = await import('../fixtures/redisAppHub');
      cleanup.push(() => app.hub.close());
      return app;
    };
    const routeA = await load(); // app/events/route.ts
    const actions = await load(); // the server actions' graph
    expect(actions.hub).not.toBe(routeA.hub);
    const urls = await Promise.all([routeA, actions].map((app) => route(app.GET)));
    const readers = urls.map((url) => client(url));
    await Promise.all(readers.map(opened));
    const one = await actions.notify(1);
    const two = await routeA.notify(2);
    for (const r of readers) {
      await until(r.stream, () => r.events().length >= 2, 'both publishes');
      expect(r.events().map((e) => e.id)).toEqual([one, two]);
    }
  });
});

/** Serve a Fetch route handler on 127.0.0.1, as `next start` does. */
async function route(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
}
