/**
 * @ssekit/client in a real browser: the client bundled (esbuild) into a page served next to a
 * real hub on 127.0.0.1, run in Debian's headless chromium through playwright-core.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineEvents } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { findService, launchChromium, listen, type TestServer } from '@ssekit/test-utils';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const executablePath = findService('chromium');

/** Server-side view of the schema the page defines (validated in the browser, not here). */
const passThrough = {
  '~standard': { version: 1 as const, vendor: 'test', validate: (v: unknown) => ({ value: v }) },
};
const events = defineEvents({ count: passThrough, note: passThrough });

const PAGE = `<!doctype html><meta charset="utf-8"><title>ssekit client</title>
<script type="module">
  import { connect, defineEvents } from '/client.js';
  // A hand-written Standard Schema, so validation runs in the browser without a library.
  const count = { '~standard': { version: 1, vendor: 'page', validate: (v) =>
    typeof v?.n === 'number' ? { value: v } : { issues: [{ message: 'n must be a number', path: ['n'] }] } } };
  const note = { '~standard': { version: 1, vendor: 'page', validate: (v) => ({ value: v }) } };
  const events = defineEvents({ count, note });
  const stream = connect('/events', {
    events,
    headers: async ({ attempt }) => ({ Authorization: 'Bearer browser-token', 'X-Attempt': String(attempt) }),
    retry: { min: 20, jitter: 0 },
  });
  window.received = [];
  window.errors = [];
  window.states = [];
  stream.on('count', (data, meta) => window.received.push({ type: meta.type, n: data.n, id: meta.id }));
  stream.on('note', (data, meta) => window.received.push({ type: meta.type, text: data.text, id: meta.id }));
  stream.onError((error) => window.errors.push({ name: error.name, code: error.code }));
  stream.subscribe(() => window.states.push(stream.status.state));
  window.stream = stream;
</script>`;

describe.skipIf(!executablePath)('client in headless chromium', () => {
  let browser: Browser;
  let http: TestServer;
  let page: Page;
  const hub = createHub({ events, retry: 20, heartbeat: false, validate: false });
  const seen: { authorization?: string; lastEventId?: string; attempt?: string }[] = [];
  let drop: () => void;
  const RAW_ID = 'é🎉-ключ';
  const rawIds: string[] = [];

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents: "export * from '@ssekit/client'; export { defineEvents } from '@ssekit/core';",
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@ssekit/source'],
      write: false,
      logLevel: 'silent',
    });
    const clientJs = bundle.outputFiles[0]!.text;
    const handler = createNodeHandler({
      hub,
      authenticate: (req) =>
        req.headers.authorization === 'Bearer browser-token' ? { userId: 'browser' } : null,
    });
    const server = createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      } else if (req.url === '/client.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientJs);
      } else if (req.url === '/raw') {
        // First answer: one event with a non-ASCII id, then the end; later: remember the header.
        const header = req.headers['last-event-id'];
        if (typeof header === 'string') rawIds.push(Buffer.from(header, 'latin1').toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (rawIds.length === 0) res.end(`retry: 0\nid: ${RAW_ID}\ndata: x\n\n`);
        else res.write(': resumed\n\n');
      } else if (req.url === '/events') {
        const header = (name: string) => {
          const value = req.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        seen.push({
          authorization: header('authorization'),
          lastEventId: header('last-event-id'),
          attempt: header('x-attempt'),
        });
        void handler(req, res);
      } else res.writeHead(404).end();
    });
    drop = () => server.closeAllConnections();
    http = await listen(server);
    browser = await launchChromium(executablePath!);
    page = await browser.newPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(`${http.url}/`);
    for (const started = Date.now(); hub.stats().connections !== 1; ) {
      if (Date.now() - started > 10_000) {
        throw new Error(`the page never connected: ${pageErrors.join('; ') || 'no page error'}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub.close();
    await http?.close();
  });

  it('sends its auth header from a headers function', () => {
    expect(seen[0]).toMatchObject({ authorization: 'Bearer browser-token', attempt: '0' });
    expect(seen[0]!.lastEventId).toBeUndefined();
  });

  it('receives typed, validated events and reports an invalid one as a typed error', async () => {
    const first = await hub.publish('count', { n: 1 });
    await hub.publish('count', { n: 'many' });
    await hub.publish('note', { text: 'hi' });
    await page.waitForFunction(() => (window as any).received.length === 2);
    const received = await page.evaluate(() => (window as any).received);
    expect(received).toEqual([
      { type: 'count', n: 1, id: first },
      { type: 'note', text: 'hi', id: expect.any(String) },
    ]);
    expect(await page.evaluate(() => (window as any).errors)).toEqual([
      { name: 'ValidationError', code: 'schema-mismatch' },
    ]);
  });

  it('reconnects with Last-Event-ID after the server drops it, missing nothing', async () => {
    const before = await page.evaluate(() => (window as any).received.length as number);
    const lastId = await page.evaluate(() => (window as any).stream.lastEventId as string);
    drop();
    // Published while the browser is disconnected: the hub replays them after its Last-Event-ID.
    await hub.publish('count', { n: 2 });
    await hub.publish('count', { n: 3 });
    await page.waitForFunction((n) => (window as any).received.length === n, before + 2);
    await expect.poll(() => seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[1]).toMatchObject({
      authorization: 'Bearer browser-token',
      lastEventId: lastId,
      attempt: '1',
    });
    const tail = await page.evaluate(() => (window as any).received.slice(-2));
    expect(tail.map((e: { n: number }) => e.n)).toEqual([2, 3]);
    const states = await page.evaluate(() => (window as any).states as string[]);
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('open');
  });

  it('sends a non-ASCII Last-Event-ID as UTF-8 bytes', async () => {
    // A string, so vitest does not rewrite the page's dynamic import.
    await page.evaluate(`import('/client.js').then(({ connect, textSerializer }) => {
      window.raw = connect('/raw', { serializer: textSerializer, retry: { min: 10 } });
    })`);
    for (const started = Date.now(); rawIds.length === 0 && Date.now() - started < 5000; ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await page.evaluate(() => (window as any).raw.close());
    expect(rawIds[0]).toBe(RAW_ID);
  });
});
