/**
 * Cloudflare Workers, on workerd itself (the runtime of Workers, from npm): the built packages
 * bundled as wrangler bundles a Worker (`fixtures/worker.mjs`). A Worker streams one job per
 * request with `createFetchStream`; the Node-side client (`@ssekit/client`) and a client running
 * inside the Worker read it. Also the regression for heartbeats that died with the request that
 * started them (two overlapping streams).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@ssekit/client';
import { defineEvents, type } from '@ssekit/core';
import { ensurePackagesBuilt, readSse, type SseReader } from '@ssekit/test-utils';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, findRuntime, type RuntimeProcess, startRuntime } from './runtimes';

const workerd = findRuntime('workerd');
const AUTH = { Authorization: 'Bearer s3cret' };
const events = defineEvents({
  progress: type<{ step: number; of: number }>(),
  done: type<{ steps: number }>(),
  note: type<{ text: string }>(),
});

interface JobRecord {
  lastEventId: string | null;
  sent: number[];
  end: 'server-closed' | 'client-left' | null;
}

/** A port nobody listens on right now (workerd takes its address from the config). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Poll `check` every 10 ms until it returns a value; fail after `ms` (a bound, not a pace). */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!workerd)('workerd', () => {
  let dir: string;
  let url: string;
  let worker: RuntimeProcess;
  const readers: SseReader[] = [];

  beforeAll(async () => {
    await ensurePackagesBuilt('runtimes');
    dir = mkdtempSync(join(tmpdir(), 'ssekit-workerd-'));
    // As wrangler bundles a Worker: these conditions, then `import` → the packages' dist/*.js.
    await build({
      entryPoints: [join(FIXTURES, 'worker.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      outfile: join(dir, 'worker.js'),
      logLevel: 'warning',
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
  durableObjectNamespaces = [ (className = "Room", uniqueKey = "ssekit-room") ],
  durableObjectStorage = (inMemory = void),
  bindings = [
    (name = "SELF", service = "main"),
    (name = "ROOM", durableObjectNamespace = "Room"),
  ],
);
`,
    );
    worker = startRuntime(workerd!, ['serve', 'config.capnp', '--verbose'], {
      cwd: dir,
      timeoutMs: 120_000,
      scope: 'file',
    });
    await until('workerd to answer', async () => {
      if (worker.child.exitCode !== null) throw new Error(`workerd exited:\n${worker.output()}`);
      const response = await fetch(`${url}/status`).catch(() => undefined);
      return response?.ok ? true : undefined;
    });
  }, 300_000);

  afterEach(() => {
    for (const reader of readers.splice(0)) reader.close();
  });

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await worker?.exited;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function status(job: string): Promise<JobRecord[]> {
    const all = (await (await fetch(`${url}/status`)).json()) as Record<string, JobRecord[]>;
    return all[job] ?? [];
  }

  async function open(job: string, query: string): Promise<SseReader> {
    const reader = await readSse(`${url}/job?job=${job}&${query}`, { headers: AUTH });
    readers.push(reader);
    return reader;
  }

  it('refuses a request without the token with 401', async () => {
    const response = await fetch(`${url}/job?job=refused`);
    expect(response.status).toBe(401);
    expect(await status('refused')).toEqual([]);
  });

  it('streams a job to the client, which resumes it after a cut with no loss and no duplicate', async () => {
    const got: { step: number; id: string | undefined }[] = [];
    const stream = connect(`${url}/job?job=resume&steps=6&cut=3`, {
      events,
      headers: AUTH,
      retry: { initial: 10 },
    });
    stream.on('progress', (data, meta) => got.push({ step: data.step, id: meta.id }));
    let done: { steps: number } | undefined;
    stream.on('done', (data) => {
      done = data;
    });
    await until('the job to end', async () =>
      stream.status.state === 'closed' ? true : undefined,
    );
    expect(stream.status.reason).toBe('ended-by-server');
    expect(done).toEqual({ steps: 6 });
    expect(got.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    // The Worker saw the cut and the resume point.
    expect(await status('resume')).toEqual([
      { lastEventId: null, sent: [1, 2, 3], end: 'server-closed' },
      { lastEventId: '3', sent: [4, 5, 6], end: 'server-closed' },
    ]);
  });

  it('runs @ssekit/client inside the Worker, reading a job of the same Worker', async () => {
    const response = await fetch(`${url}/client`);
    expect(await response.json()).toEqual({
      steps: [1, 2, 3, 4, 5, 6],
      ids: ['1', '2', '3', '4', '5', '6'],
      done: { steps: 6 },
      state: 'closed',
      reason: 'ended-by-server',
      errors: [],
    });
    // workerd warns about an event listener that returns a promise (it ignores it): the client's
    // abort listener must not, or every closed stream logs a warning in the user's Worker.
    expect(worker.output()).not.toContain('An event handler returned a promise');
  });

  it('sends heartbeats, and the Worker sees the client leave when it aborts', async () => {
    const sse = await open('beat', 'steps=0&heartbeat=50');
    expect(sse.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await sse.until((r) => r.comments.length >= 2);
    expect(await status('beat')).toEqual([{ lastEventId: null, sent: [], end: null }]);
    sse.close();
    await until('the Worker to see the client leave', async () => {
      const [record] = await status('beat');
      return record?.end === 'client-left' ? true : undefined;
    });
  });

  it('keeps heartbeats on a stream when an earlier, overlapping stream ends', async () => {
    const first = await open('first', 'steps=0&heartbeat=50');
    await first.until((r) => r.comments.length >= 1);
    const second = await open('second', 'steps=0&heartbeat=50');
    await second.until((r) => r.comments.length >= 2);
    first.close();
    await until('the Worker to see the first client leave', async () => {
      const [record] = await status('first');
      return record?.end === 'client-left' ? true : undefined;
    });
    // The second stream's heartbeats go on after the first stream's request has ended…
    const seen = second.comments.length;
    await second.until((r) => r.comments.length >= seen + 3);
    // …so it notices its own client leaving too.
    second.close();
    await until('the Worker to see the second client leave', async () => {
      const [record] = await status('second');
      return record?.end === 'client-left' ? true : undefined;
    });
  });

  describe('a hub in a Durable Object', () => {
    async function publish(text: string): Promise<{ connections: number }> {
      return (await fetch(`${url}/room/publish?text=${text}`)).json() as Promise<{
        connections: number;
      }>;
    }
    async function connections(): Promise<number> {
      const stats = (await (await fetch(`${url}/room/stats`)).json()) as { connections: number };
      return stats.connections;
    }

    it('serves many clients from one hub, with resume and heartbeats after the first leaves', async () => {
      expect((await fetch(`${url}/room/events`)).status).toBe(401);
      const notes: Record<string, string[]> = { a: [], b: [] };
      const streams = Object.fromEntries(
        (['a', 'b'] as const).map((name) => {
          const stream = connect(`${url}/room/events`, { events, headers: AUTH });
          stream.on('note', (data) => notes[name]!.push(data.text));
          return [name, stream];
        }),
      );
      await until('both clients', async () => ((await connections()) === 2 ? true : undefined));
      // A publish in one request reaches the streams of two others.
      await publish('one');
      await until('both to get it', async () =>
        notes.a!.length === 1 && notes.b!.length === 1 ? true : undefined,
      );
      // The first stream's request started the hub's timer; its client leaves, the hub sees it…
      streams.a!.close();
      await until('the hub to drop a', async () =>
        (await connections()) === 1 ? true : undefined,
      );
      // …and a raw reader still gets heartbeats from the same hub.
      const raw = await readSse(`${url}/room/events`, { headers: AUTH });
      readers.push(raw);
      await raw.until((r) => r.comments.length >= 3);
      raw.close();
      // b leaves; two notes are published while it is away; it resumes from its last id.
      const lastEventId = streams.b!.lastEventId;
      streams.b!.close();
      await until('the hub to drop b', async () =>
        (await connections()) === 0 ? true : undefined,
      );
      await publish('two');
      await publish('three');
      const resumed: string[] = [];
      const again = connect(`${url}/room/events`, { events, headers: AUTH, lastEventId });
      again.on('note', (data) => resumed.push(data.text));
      await until('the missed notes', async () => (resumed.length === 2 ? true : undefined));
      again.close();
      expect(notes).toEqual({ a: ['one'], b: ['one'] });
      expect(resumed).toEqual(['two', 'three']);
    });
  });
});
