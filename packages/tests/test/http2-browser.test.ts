/**
 * The six-connection limit, in headless chromium: one page opens ten EventSource streams to one
 * origin served by a hub through `@ssekit/server/node`. Over HTTP/2 (node:http2, TLS with a
 * throwaway certificate) all ten share one connection and all receive events; over HTTP/1.1 the
 * browser holds the seventh and later ones back: only six requests ever reach the server.
 * Asserted by state (requests seen, events received), never by elapsed time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { defineEvents, type } from '@ssekit/core';
import { createHub, type Hub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import {
  createTestCertificate,
  createTestHttp2Server,
  findService,
  launchChromium,
  type TestServer,
} from '@ssekit/test-utils';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const executablePath = findService('chromium');

const events = defineEvents({ tick: type<{ n: number }>() });
const STREAMS = 10;
/** Events each connected stream must receive before the stalled ones are checked. */
const N = 5;

/** Ten native EventSource streams to this origin; counts per stream. */
const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<title>${STREAMS} streams</title>
<script>
  window.got = Array.from({ length: ${STREAMS} }, () => 0);
  window.opened = [];
  window.sources = [];
  for (let i = 0; i < ${STREAMS}; i++) {
    const es = new EventSource('/events?i=' + i);
    es.onopen = () => window.opened.push(i);
    es.addEventListener('tick', () => window.got[i]++);
    window.sources.push(es);
  }
</script>`;

interface Origin {
  hub: Hub<typeof events>;
  server: TestServer;
  /** Every /events request the server saw: its `?i=` and HTTP version. */
  requests: { i: number; httpVersion: string; session: Http2Session | undefined }[];
}

/** The page at `/`, the hub at `/events`, behind one `(req, res)` handler for both servers. */
function app(hub: Hub<typeof events>, requests: Origin['requests']) {
  const sse = createNodeHandler({ hub });
  return (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (url.pathname === '/events') {
      const session = 'stream' in req ? req.stream.session : undefined;
      requests.push({
        i: Number(url.searchParams.get('i')),
        httpVersion: req.httpVersion,
        session,
      });
      void sse(req, res);
    } else if (url.pathname === '/') {
      (res as ServerResponse).writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else {
      (res as ServerResponse).writeHead(404);
      res.end();
    }
  };
}

/** An HTTP/2 origin (node:http2 over TLS). */
async function http2Origin(): Promise<Origin> {
  const hub = createHub({ events, heartbeat: false, retry: 60_000 });
  const requests: Origin['requests'] = [];
  const server = await createTestHttp2Server(app(hub, requests));
  return { hub, server, requests };
}

/** The same app as an HTTP/1.1 origin (node:https, its own throwaway certificate). */
async function http1Origin(): Promise<Origin> {
  const hub = createHub({ events, heartbeat: false, retry: 60_000 });
  const requests: Origin['requests'] = [];
  const server = createHttpsServer(createTestCertificate(), app(hub, requests));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hub,
    requests,
    server: {
      url: `https://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    },
  };
}

const got = (page: Page) => page.evaluate(() => (window as any).got as number[]);
const opened = (page: Page) => page.evaluate(() => (window as any).opened as number[]);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe.skipIf(!executablePath)(`${STREAMS} EventSource streams to one origin in chromium`, () => {
  let browser: Browser;
  let context: BrowserContext;
  const origins: Origin[] = [];

  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
    // The certificates are self-signed, made by the test.
    context = await browser.newContext({ ignoreHTTPSErrors: true });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    for (const { hub, server } of origins) {
      await hub.close();
      await server.close();
    }
  });

  it('over HTTP/2: all ten open on one connection and all receive every event', async () => {
    const origin = await http2Origin();
    origins.push(origin);
    const { hub, requests } = origin;
    const page = await context.newPage();
    await page.goto(origin.server.url);
    await page.waitForFunction((n) => (window as any).opened.length === n, STREAMS);

    expect(requests).toHaveLength(STREAMS);
    expect(requests.map((r) => r.httpVersion)).toEqual(Array(STREAMS).fill('2.0'));
    expect(new Set(requests.map((r) => r.session)).size).toBe(1); // one TLS connection
    expect(hub.stats().connections).toBe(STREAMS);

    for (let n = 0; n < N; n++) await hub.publish('tick', { n });
    await page.waitForFunction((n) => (window as any).got.every((c: number) => c === n), N);
    expect(await got(page)).toEqual(Array(STREAMS).fill(N));
    await page.close();
  });

  it('over HTTP/1.1: six open, the seventh and later stall until one of the six closes', async () => {
    const origin = await http1Origin();
    origins.push(origin);
    const { hub, requests } = origin;
    const page = await context.newPage();
    await page.goto(origin.server.url);
    await page.waitForFunction(() => (window as any).opened.length === 6);

    for (let n = 0; n < N; n++) await hub.publish('tick', { n });
    // The six open streams received every event: whatever the others were going to do, the
    // browser has had all that time and traffic to do it in.
    await page.waitForFunction(
      (n) => (window as any).got.filter((c: number) => c === n).length === 6,
      N,
    );
    expect(requests.map((r) => r.httpVersion)).toEqual(Array(6).fill('1.1'));
    // Which six go first is the browser's choice; that only six ever reached the server is not.
    const six = requests.map((r) => r.i);
    expect(new Set(six).size).toBe(6);
    const stalled = range(0, STREAMS).filter((i) => !six.includes(i));
    expect(hub.stats().connections).toBe(6);
    expect([...(await opened(page))].sort((a, b) => a - b)).toEqual([...six].sort((a, b) => a - b));
    const counts = await got(page);
    for (const i of six) expect(counts[i]).toBe(N);
    for (const i of stalled) expect(counts[i]).toBe(0);
    const states = await page.evaluate(() =>
      (window as any).sources.map((es: EventSource) => es.readyState),
    );
    for (const i of stalled) expect(states[i]).toBe(0); // CONNECTING, for ever

    // Not failed, only queued: closing one of the six lets a seventh through.
    await page.evaluate((i) => (window as any).sources[i].close(), six[0]!);
    await page.waitForFunction(() => (window as any).opened.length === 7);
    expect(requests).toHaveLength(7);
    const seventh = requests[6]!.i;
    expect(stalled).toContain(seventh);
    await hub.publish('tick', { n: N });
    await page.waitForFunction((i) => (window as any).got[i] === 1, seventh);
    const after = await got(page);
    for (const i of stalled) expect(after[i]).toBe(i === seventh ? 1 : 0);
    await page.close();
  });
});
