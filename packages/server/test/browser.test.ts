/**
 * The hub with the browser's own EventSource (headless chromium via playwright-core): the
 * browser's native reconnect sends Last-Event-ID and the hub replays what it missed.
 */
import { createServer } from 'node:http';
import { defineEvents, RESET_EVENT, type } from '@ssekit/core';
import { findService, launchChromium, listen, type TestServer } from '@ssekit/test-utils';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHandler } from '../src/adapters/node';
import { createHub, type EventStreamWriter } from '../src/index';

const executablePath = findService('chromium');

const events = defineEvents({ tick: type<{ n: number }>() });

const PAGE = `<!doctype html><meta charset="utf-8"><title>native EventSource</title>
<script>
  window.got = [];
  window.resets = [];
  window.opens = 0;
  const es = new EventSource('/events?topic=t');
  es.onopen = () => window.opens++;
  es.addEventListener('tick', (e) => window.got.push([e.lastEventId, JSON.parse(e.data).n]));
  es.addEventListener('${RESET_EVENT}', (e) => window.resets.push([e.lastEventId, JSON.parse(e.data)]));
</script>`;

describe.skipIf(!executablePath)('hub with the native EventSource of headless chromium', () => {
  let browser: Browser;
  let server: TestServer;
  const streams: EventStreamWriter<typeof events>[] = [];
  const resumedFrom: (string | undefined)[] = [];
  /** A hub and its handler; a test swaps them to simulate a server restart. */
  const boot = (epoch: string) => {
    const hub = createHub({ events, retry: 50, heartbeat: false, epoch });
    const handler = createNodeHandler({
      hub,
      authenticate: (_req, { topics, lastEventId }) => {
        resumedFrom.push(lastEventId);
        return { topics };
      },
      onStream: (stream) => {
        streams.push(stream);
      },
    });
    return { hub, handler };
  };
  let current = boot('first');

  beforeAll(async () => {
    server = await listen(
      createServer((req, res) => {
        if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        else if (req.url?.startsWith('/events')) void current.handler(req, res);
        else res.writeHead(404).end();
      }),
    );
    browser = await launchChromium(executablePath!);
  });

  afterAll(async () => {
    await browser?.close();
    await current.hub.close();
    await server?.close();
  });

  it('replays the events published while the server had cut the connection', async () => {
    const { hub } = current;
    resumedFrom.length = 0;
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (window as any).opens === 1);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push(await hub.publish('tick', { n }, { topic: 't' }));
    await page.waitForFunction(() => (window as any).got.length === 3);

    // cut the stream, publish while the browser waits its retry, then let it resume
    streams.at(-1)!.close();
    for (let n = 3; n < 6; n++) ids.push(await hub.publish('tick', { n }, { topic: 't' }));
    await page.waitForFunction(() => (window as any).opens === 2);
    for (let n = 6; n < 8; n++) ids.push(await hub.publish('tick', { n }, { topic: 't' }));
    await page.waitForFunction(() => (window as any).got.length === 8);

    expect(resumedFrom).toEqual([undefined, ids[2]]);
    expect(await page.evaluate(() => (window as any).got)).toEqual(ids.map((id, n) => [id, n]));
    expect(await page.evaluate(() => (window as any).resets)).toEqual([]);
    await page.close();
  });

  it('gets a reset event, not a silent gap, after a restart with a new epoch', async () => {
    const before = current.hub;
    resumedFrom.length = 0;
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (window as any).opens === 1);
    const lost = await before.publish('tick', { n: 1 }, { topic: 't' });
    await page.waitForFunction(() => (window as any).got.length === 1);

    current = boot('second');
    await before.close(); // the "restart": every stream ends, the browser reconnects
    await page.waitForFunction(() => (window as any).resets.length === 1);
    const live = await current.hub.publish('tick', { n: 2 }, { topic: 't' });
    await page.waitForFunction(() => (window as any).got.length === 2);

    expect(resumedFrom).toEqual([undefined, lost]);
    expect(await page.evaluate(() => (window as any).resets)).toEqual([
      ['second-0', { reason: 'epoch', lastEventId: lost }],
    ]);
    expect(await page.evaluate(() => (window as any).got)).toEqual([
      [lost, 1],
      [live, 2],
    ]);
    await page.close();
  });
});
