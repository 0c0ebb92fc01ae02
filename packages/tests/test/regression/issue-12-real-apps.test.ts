/**
 * Issue #12 — what real apps need: jobs that end (items 1), the schema on the server (7) and the
 * client's details (8), the way the seed apps met them, over real HTTP servers on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type EventStream } from '@ssekit/client';
import { defineEvents, type SsekitError, type } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeStream } from '@ssekit/server/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

const jobEvents = defineEvents({
  'sync.progress': type<{ page: number; totalPages: number }>(),
  'sync.complete': type<{ synced: number }>(),
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function untilClosed(stream: EventStream<any>): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the stream never closed')), 15_000);
    const check = () => {
      if (stream.status.state !== 'closed') return;
      clearTimeout(timer);
      resolve();
    };
    stream.subscribe(check);
    check();
  });
}

describe('#12.1 streams that end for good', () => {
  /** The seed-001 sync job: three pages of progress, then complete. Counts how often it ran. */
  async function syncServer(end: 'final-close' | 'plain-close') {
    let runs = 0;
    const url = await serve(async (req, res) => {
      runs++;
      const stream = createNodeStream(req, res, { events: jobEvents, retry: 20 });
      for (let page = 1; page <= 3; page++) {
        stream.send('sync.progress', { page, totalPages: 3 });
      }
      stream.send('sync.complete', { synced: 3 });
      stream.close(end === 'final-close' ? { reconnect: false } : undefined);
    });
    return { url, runs: () => runs };
  }

  it('the server says "finished, do not reconnect" and the client honours it', async () => {
    const { url, runs } = await syncServer('final-close');
    const stream = connect(url, { events: jobEvents });
    cleanup.push(() => stream.close());
    const got: string[] = [];
    stream.onEvent((e) => got.push(e.type));
    await untilClosed(stream);
    expect(stream.status.reason).toBe('ended-by-server');
    expect(stream.status.error).toBeUndefined();
    expect(got).toEqual(['sync.progress', 'sync.progress', 'sync.progress', 'sync.complete']);
    await new Promise((resolve) => setTimeout(resolve, 100)); // five retry intervals
    expect(runs()).toBe(1); // the job ran once
  });

  it('closeOn stops the client on the app event, even when the server just closes', async () => {
    const { url, runs } = await syncServer('plain-close');
    const stream = connect(url, { events: jobEvents, closeOn: 'sync.complete' });
    cleanup.push(() => stream.close());
    const done: unknown[] = [];
    stream.on('sync.complete', (data) => done.push(data));
    await untilClosed(stream);
    expect(stream.status.reason).toBe('close-on-event');
    expect(done).toEqual([{ synced: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs()).toBe(1);
  });

  it('without either, a plain close is reconnected (and would run the job again)', async () => {
    const { url, runs } = await syncServer('plain-close');
    const stream = connect(url, { events: jobEvents });
    cleanup.push(() => stream.close());
    await vi.waitFor(() => expect(runs()).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(stream.status.error?.code).toBe('closed'); // "the server ended the stream"
  });

  it('a 204 ends it for good too (what a finished job answers a reconnect)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(204).end();
    });
    const stream = connect(url);
    await untilClosed(stream);
    expect(stream.status.reason).toBe('ended-by-server');
  });

  it('a resumed job stream reattaches to its job instead of restarting it', async () => {
    // The documented pattern: ids carry the job's position; a reconnect with Last-Event-ID
    // continues the same job from there.
    let starts = 0;
    let cut = false;
    let sawTwo!: () => void;
    const clientHasTwo = new Promise<void>((resolve) => {
      sawTwo = resolve;
    });
    const url = await serve(async (req, res) => {
      const stream = createNodeStream(req, res, { events: jobEvents, retry: 20 });
      const from = stream.lastEventId ? Number(stream.lastEventId.split(':')[1]) : 0;
      if (!stream.lastEventId) starts++;
      for (let page = from + 1; page <= 4; page++) {
        stream.send('sync.progress', { page, totalPages: 4 }, { id: `job-1:${page}` });
        if (page === 2 && !cut) {
          cut = true;
          await clientHasTwo;
          res.destroy(); // the proxy cuts the stream mid-job
          return;
        }
      }
      stream.send('sync.complete', { synced: 4 });
      stream.close({ reconnect: false });
    });
    const stream = connect(url, { events: jobEvents });
    const pages: number[] = [];
    stream.on('sync.progress', (p) => {
      pages.push(p.page);
      if (p.page === 2) sawTwo();
    });
    await untilClosed(stream);
    expect(starts).toBe(1);
    expect(pages).toEqual([1, 2, 3, 4]);
  });
});

describe('#12.7 the schema is checked on the server', () => {
  const strict = defineEvents({
    notification: z.object({ id: z.string(), title: z.string(), unread: z.number() }),
  });

  it('validates by default outside production and lists every issue with its path', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    const hub = createHub({ events: strict, heartbeat: false });
    cleanup.push(() => hub.close());
    const error = (await hub
      .publish('notification', { id: 1, title: 'x', unread: '3' } as never)
      .catch((e: unknown) => e)) as SsekitError & { issues: unknown[] };
    expect(error.code).toBe('schema-mismatch');
    expect(error.issues).toHaveLength(2);
    expect(error.message).toMatch(/id: .*; unread: /);
  });

  it('does not validate in production unless asked', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const hub = createHub({ events: strict, heartbeat: false });
    cleanup.push(() => hub.close());
    await expect(hub.publish('notification', { id: 1 } as never)).resolves.toBeTypeOf('string');
    const checked = createHub({ events: strict, heartbeat: false, validate: true });
    cleanup.push(() => checked.close());
    await expect(checked.publish('notification', { id: 1 } as never)).rejects.toMatchObject({
      code: 'schema-mismatch',
    });
  });
});

describe('#12.8 client details', () => {
  it('asks for no-store, as EventSource does', async () => {
    const inits: RequestInit[] = [];
    const stream = connect('http://x.test/', {
      fetch: async (_url, init) => {
        inits.push(init!);
        return new Response(null, { status: 204 });
      },
    });
    await untilClosed(stream);
    expect(inits[0]?.cache).toBe('no-store');
  });

  it('without a schema, data that is not JSON reaches the handler as text; with one, it is invalid-json', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"n":1}\n\ndata: [DONE]\n\nevent: sync.complete\ndata: [DONE]\n\n');
    });
    const plain = connect(url, { closeOn: 'message' as never, retry: { maxAttempts: 0 } });
    const got: unknown[] = [];
    plain.onEvent((e) => got.push(e.data));
    cleanup.push(() => plain.close());
    await vi.waitFor(() => expect(got).toEqual([{ n: 1 }]));
    const all = connect(url, { retry: { maxAttempts: 0 } });
    const texts: unknown[] = [];
    all.onEvent((e) => texts.push(e.data));
    cleanup.push(() => all.close());
    await vi.waitFor(() => expect(texts).toEqual([{ n: 1 }, '[DONE]', '[DONE]']));

    const typed = connect(url, { events: jobEvents, retry: { maxAttempts: 0 } });
    const errors: SsekitError[] = [];
    typed.onError((e) => errors.push(e));
    cleanup.push(() => typed.close());
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toContain('invalid-json'));
  });
});
