/**
 * Behind a real nginx (Debian's package, started by the test on a free port): unbuffered delivery
 * with nginx's defaults, a heartbeat that keeps a stream alive under `proxy_read_timeout`, the
 * client's hint for a buffering proxy and for a stream cut by a proxy's idle timeout (issue #12).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@ssekit/client';
import { defineEvents, type SsekitError, type } from '@ssekit/core';
import { createHub, type Hub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { createTestServer, findService, type TestServer } from '@ssekit/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const nginx = findService('nginx');
const events = defineEvents({ m: type<{ n: number }>() });

/** A free loopback port (closed again before nginx binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('nginx did not start listening');
}

describe.skipIf(!nginx)('behind nginx', () => {
  let hub: Hub<typeof events>;
  let upstream: TestServer;
  let quietHub: Hub<typeof events>;
  let quietUpstream: TestServer;
  let proxy: ChildProcess;
  let base: string;
  let dir: string;
  const streams: { close(): void }[] = [];

  beforeAll(async () => {
    hub = createHub({ events, heartbeat: 200, retry: 50 });
    upstream = await createTestServer(createNodeHandler({ hub }));
    quietHub = createHub({ events, heartbeat: false, retry: 50 });
    quietUpstream = await createTestServer(createNodeHandler({ hub: quietHub }));
    const quietUp = quietUpstream.url.replace('http://', '');
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'ssekit-nginx-'));
    const up = upstream.url.replace('http://', '');
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((name) => `${name}_temp_path ${dir}/${name};`)
      .join(' ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off; ${temp}
  server {
    listen 127.0.0.1:${port};
    # nginx's defaults: proxy_buffering on, HTTP/1.0 upstream, 60 s read timeout
    location /default/ { proxy_pass http://${up}/; }
    location /short-timeout/ {
      proxy_pass http://${up}/; proxy_http_version 1.1; proxy_set_header Connection '';
      proxy_read_timeout 2s;
    }
    location /quiet/ {
      proxy_pass http://${quietUp}/; proxy_http_version 1.1; proxy_set_header Connection '';
      proxy_read_timeout 31s;
    }
    # a proxy that buffers: gzip holds output until its buffer fills, whatever the upstream says
    location /buffered/ {
      proxy_pass http://${up}/; proxy_http_version 1.1; proxy_set_header Connection '';
      proxy_ignore_headers X-Accel-Buffering;
      gzip on; gzip_types text/event-stream; gzip_min_length 0; gzip_proxied any;
    }
  }
}
`,
    );
    proxy = spawn(
      nginx!,
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort(port, proxy);
    base = `http://127.0.0.1:${port}`;
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(async () => {
    proxy?.kill('SIGKILL');
    await hub?.close();
    await upstream?.close();
    await quietHub?.close();
    await quietUpstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function open(path: string, options: Parameters<typeof connect>[1] = {}) {
    const stream = connect(`${base}${path}`, { events, ...options });
    const got: number[] = [];
    const errors: SsekitError[] = [];
    const attempts: number[] = [];
    stream.on('m', (data) => got.push(data.n));
    stream.onError((error) => errors.push(error));
    stream.subscribe(() => {
      if (stream.status.state === 'connecting' && stream.status.attempt > 0)
        attempts.push(stream.status.attempt);
    });
    streams.push(stream);
    return { stream, got, errors, attempts };
  }

  /** Poll a condition; `ms` is only a failure bound. */
  const until = async (check: () => boolean, what: string, ms = 15_000) => {
    for (let i = 0; i < ms / 10 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!check()) throw new Error(`timed out: ${what}`);
  };

  it('delivers each event at once with nginx defaults (X-Accel-Buffering: no)', async () => {
    const c = open('/default/');
    await until(
      () => c.stream.status.state === 'open' && c.stream.lastEventId !== undefined,
      'open',
    );
    // One small event: a buffering proxy would hold it (far below any buffer size).
    await hub.publish('m', { n: 1 });
    await until(() => c.got.length === 1, 'the event through nginx');
    await hub.publish('m', { n: 2 });
    await until(() => c.got.length === 2, 'the second event');
    expect(c.got).toEqual([1, 2]);
  });

  it('a heartbeat shorter than proxy_read_timeout keeps the stream open', async () => {
    const c = open('/short-timeout/');
    await until(() => c.stream.status.state === 'open', 'open');
    // Three times nginx's 2 s read timeout: without heartbeats it would cut the stream twice. A
    // heartbeat every 200 ms leaves a tenfold margin for a busy machine's late timers.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await hub.publish('m', { n: 7 });
    await until(() => c.got.length === 1, 'an event after the quiet period');
    expect(c.attempts).toEqual([]); // never reconnected
    expect(c.errors).toEqual([]);
  });

  it('names a proxy idle timeout when nginx cuts a quiet stream', async () => {
    // The upstream sends no heartbeat; nginx's proxy_read_timeout cuts the stream. The client
    // names an idle timeout only after a quiet line as long as common proxy timeouts (30 s), so
    // this waits the 31 s nginx is given.
    const c = open('/quiet/', { retry: { initial: 50 } });
    await until(() => c.stream.status.state === 'open', 'open');
    await until(() => c.attempts.length > 0, 'the cut and a reconnect', 90_000);
    const error = c.stream.status.error ?? c.errors[0];
    expect(error?.message).toMatch(/proxy's idle timeout|ended the stream/);
    expect(c.errors.map((e) => e.message).join('\n')).toMatch(
      /quiet for \d+ s, a proxy's idle timeout/,
    );
  }, 120_000);

  it('points at proxy buffering when no byte arrives', async () => {
    const c = open('/buffered/', { firstByteTimeout: 300 });
    await until(() => c.errors.length > 0, 'the buffering hint').catch((error) => {
      throw new Error(
        `${error.message}: ${JSON.stringify({ status: c.stream.status, got: c.got })}`,
      );
    });
    expect(c.errors[0]).toMatchObject({ code: 'timeout' });
    expect(c.errors[0]!.message).toMatch(/buffering/);
    expect(c.got).toEqual([]); // the proxy still holds the first bytes
    expect(c.stream.status.state).toBe('connecting');
    expect(c.stream.status.error?.message).toMatch(/buffering/);
  });
});
