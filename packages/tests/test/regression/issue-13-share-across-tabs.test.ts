/**
 * Issue 13: one connection per browser. Pages of one headless-chromium context (the tabs of one
 * profile) open the same stream with `shareAcrossTabs`, against a real hub on 127.0.0.1 over
 * HTTP/1.1; the client is bundled from src with esbuild. The server counts the connections and
 * knows which tab holds the group's connection (each tab sends its name in a header).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { defineEvents } from '@ssekit/core';
import { createHub } from '@ssekit/server';
import { createNodeHandler } from '@ssekit/server/node';
import { findService, launchChromium, listen, type TestServer } from '@ssekit/test-utils';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const executablePath = findService('chromium');

const passThrough = {
  '~standard': { version: 1 as const, vendor: 'test', validate: (v: unknown) => ({ value: v }) },
};
const events = defineEvents({ count: passThrough });

/**
 * A tab: `start(share)` opens the stream (so pages load before any stream holds a socket);
 * `window.got` is every `count` payload in arrival order, with its arrival time.
 */
const PAGE = `<!doctype html><meta charset="utf-8"><title>tab</title>
<script type="module">
  import { connect, defineEvents } from '/client.js';
  const count = { '~standard': { version: 1, vendor: 'page', validate: (v) =>
    typeof v?.n === 'number' ? { value: v } : { issues: [{ message: 'n must be a number' }] } } };
  const events = defineEvents({ count });
  const tab = new URLSearchParams(location.search).get('tab');
  const gen = new URLSearchParams(location.search).get('gen');
  window.got = [];
  window.at = [];
  window.states = [];
  window.errors = [];
  window.start = (share) => {
    const stream = connect('/events', {
      events,
      shareAcrossTabs: share,
      shareKey: 'user-1',
      headers: () => ({ 'x-tab': tab, 'x-gen': gen }),
      retry: { initial: 50, min: 20, jitter: 0 },
    });
    stream.on('count', (data) => { window.got.push(data.n); window.at.push(Date.now()); });
    stream.onError((e) => window.errors.push(e.code));
    stream.subscribe(() => window.states.push(stream.status.state));
    window.state = () => stream.status.state;
    window.stream = stream;
  };
  window.ready = true;
</script>`;

/** The same tab in React: the provider of `@ssekit/react/tabs` with `shareAcrossTabs`. */
const REACT_PAGE = `<!doctype html><meta charset="utf-8"><title>react tab</title>
<div id="root"></div><script type="module" src="/react.js"></script>`;
const REACT_APP = `
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { defineEvents } from '@ssekit/core';
import { createServerEventsHooks } from '@ssekit/react/tabs';
const count = { '~standard': { version: 1, vendor: 'page', validate: (v) => ({ value: v }) } };
const { ServerEventsProvider, useServerEvent, useConnectionStatus } = createServerEventsHooks(
  defineEvents({ count }),
  { url: '/events', retry: { initial: 50, min: 20, jitter: 0 } },
);
const tab = new URLSearchParams(location.search).get('tab');
const gen = new URLSearchParams(location.search).get('gen');
window.got = [];
window.at = [];
let state = 'idle';
window.state = () => state;
function Tab() {
  useServerEvent('count', (data) => { window.got.push(data.n); window.at.push(Date.now()); });
  state = useConnectionStatus().state;
  return null;
}
window.start = (share) => createRoot(document.getElementById('root')).render(
  createElement(ServerEventsProvider, {
    shareAcrossTabs: share,
    credentialsKey: 'user-1',
    headers: () => ({ 'x-tab': tab, 'x-gen': gen }),
  }, createElement(Tab)),
);
window.ready = true;
`;

describe.skipIf(!executablePath)('shareAcrossTabs in headless chromium (issue 13)', () => {
  let browser: Browser;
  let http: TestServer;
  let context: BrowserContext | undefined;
  const hub = createHub({
    events,
    retry: 50,
    heartbeat: false,
    validate: false,
    replay: { maxEvents: 5000 },
  });
  /**
   * Every /events request of the current test's tabs, by tab name, with the time it came and
   * whether it is still open. A test's tabs name their context (`gen`), so a request that reaches
   * the server after `afterEach` cleared the list (one of an earlier test's context, such as a
   * tab held back by the 6-per-host limit, under load) is only counted in `strays`, never taken
   * for the current test's.
   */
  const requests: { tab: string; at: number; open: boolean }[] = [];
  let gen = 0;
  let strays = 0;
  const live = () => requests.filter((r) => r.open);
  let clientJs = '';
  let reactJs = '';
  let n = 0;

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents:
          "export { connect } from '@ssekit/client/tabs'; export { defineEvents } from '@ssekit/core';",
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
    clientJs = bundle.outputFiles[0]!.text;
    const reactBundle = await build({
      stdin: {
        contents: REACT_APP,
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'tsx',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@ssekit/source'],
      define: { 'process.env.NODE_ENV': '"production"' },
      write: false,
      logLevel: 'silent',
    });
    reactJs = reactBundle.outputFiles[0]!.text;
    const handler = createNodeHandler({ hub, authenticate: () => ({ userId: 'user-1' }) });
    const server = createServer((req: IncomingMessage, res) => {
      const path = req.url!.split('?')[0];
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      } else if (path === '/react') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(REACT_PAGE);
      } else if (path === '/react.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(reactJs);
      } else if (path === '/client.js') {
        res
          .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=600' })
          .end(clientJs);
      } else if (path === '/events') {
        const entry = { tab: String(req.headers['x-tab']), at: Date.now(), open: true };
        if (req.headers['x-gen'] === String(gen)) requests.push(entry);
        else strays++;
        res.on('close', () => {
          entry.open = false;
        });
        void handler(req, res);
      } else res.writeHead(404).end();
    });
    http = await listen(server);
    browser = await launchChromium(executablePath!);
  }, 60_000);

  afterEach(async () => {
    expect(pageErrors.splice(0)).toEqual([]);
    await context?.close();
    context = undefined;
    requests.length = 0;
    // Wait for the server to see every stream of the closed context go.
    await until(() => hub.stats().connections === 0, 'the streams to end');
  });

  afterAll(async () => {
    await browser?.close();
    await hub.close();
    await http?.close();
  });

  /**
   * Poll a condition; the deadline is only a failure bound. `saw`, when given, says what was seen
   * instead, for the failure message.
   */
  async function until(
    check: () => boolean | Promise<boolean>,
    what: string,
    ms = 20_000,
    saw?: () => Promise<string>,
  ) {
    for (const started = Date.now(); !(await check()); ) {
      if (Date.now() - started > ms) {
        const seen = saw ? `; saw ${await saw().catch((e) => `nothing (${e})`)}` : '';
        throw new Error(`timed out waiting for ${what}${seen}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The requests the server got and each open tab's status, its history and errors. */
  const seen = async (pages: Page[]) => {
    const t0 = requests[0]?.at ?? 0;
    const reqs = requests.map((r) => `tab ${r.tab} +${r.at - t0} ms ${r.open ? 'open' : 'closed'}`);
    const tabs = await Promise.all(
      pages
        .filter((p) => !p.isClosed())
        .map(async (p) => {
          const tab = leaderTabOf(p);
          const s = await p
            .evaluate(() => {
              const w = window as any;
              return {
                state: w.state?.(),
                states: w.states?.join('>'),
                errors: w.errors?.join(','),
                got: w.got?.length,
              };
            })
            .catch((e) => ({ state: `unreadable (${e})` }));
          return `tab ${tab}: ${JSON.stringify(s)}`;
        }),
    );
    return `${requests.length} requests (${live().length} live: ${reqs.join('; ')}), ${strays} of earlier tests; hub connections ${hub.stats().connections}; ${tabs.join('; ')}`;
  };

  /** Errors thrown in any tab: none is expected. */
  const pageErrors: string[] = [];

  async function openTabs(
    count: number,
    share: boolean,
    path = '/',
    setup?: (context: BrowserContext) => Promise<unknown>,
  ): Promise<Page[]> {
    gen++;
    context = await browser.newContext();
    await setup?.(context);
    const pages: Page[] = [];
    for (let i = 0; i < count; i++) {
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`tab ${i}: ${error}`));
      await page.goto(`${http.url}${path}?tab=${i}&gen=${gen}`);
      await page.waitForFunction(() => (window as any).ready === true);
      pages.push(page);
    }
    for (const page of pages) await page.evaluate((s) => (window as any).start(s), share);
    return pages;
  }

  const leaderTabOf = (page: Page) => new URL(page.url()).searchParams.get('tab');
  const got = (page: Page): Promise<number[]> => page.evaluate(() => (window as any).got);
  const stateOf = (page: Page): Promise<string> => page.evaluate(() => (window as any).state());
  const allOpen = async (pages: Page[]) =>
    (await Promise.all(pages.map(stateOf))).every((s) => s === 'open');
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++) await hub.publish('count', { n: ++n });
  };
  /** `from..to`, the sequence each tab must hold exactly. */
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('eight tabs share one connection and all receive every event', async () => {
    const pages = await openTabs(8, true);
    await until(() => allOpen(pages), 'every tab to be open');
    expect(live()).toHaveLength(1);
    expect(requests).toHaveLength(1);
    const first = n + 1;
    await publish(20);
    for (const page of pages) {
      await until(async () => (await got(page)).length >= 20, 'every tab to get 20 events');
    }
    for (const page of pages) expect(await got(page)).toEqual(range(first, n));
    expect(requests).toHaveLength(1);
    expect(hub.stats().connections).toBe(1);
  }, 60_000);

  it('without sharing, the same page stalls the 7th and 8th tab on HTTP/1.1', async () => {
    const pages = await openTabs(8, false);
    await until(() => live().length === 6, 'six streams');
    await publish(1);
    await until(
      async () => (await Promise.all(pages.map(got))).filter((g) => g.length === 1).length === 6,
      'six tabs to get the event',
    );
    // Another event the six get: the two others still hold none, their request still queued.
    await publish(1);
    await until(
      async () => (await Promise.all(pages.map(got))).filter((g) => g.length === 2).length === 6,
      'six tabs to get the second event',
    );
    const counts = (await Promise.all(pages.map(got))).map((g) => g.length);
    expect(counts.filter((c) => c === 0)).toHaveLength(2);
    const stalled = pages.filter((_, i) => counts[i] === 0);
    for (const page of stalled) expect(await stateOf(page)).toBe('connecting');
    expect(live()).toHaveLength(6);
    expect(requests).toHaveLength(6);
  }, 60_000);

  /**
   * Publish at 50/s; after `before` events, `kill` the leader's tab; keep publishing until the
   * new leader has its own connection and `after` more events went out. Every remaining tab
   * must then hold the whole sequence once, in order. Returns the hand-over time.
   */
  async function handOver(
    tabs: number,
    kill: (page: Page) => Promise<number | undefined>,
    path = '/',
  ): Promise<{ toConnect: number; toEvent: number }> {
    const pages = await openTabs(tabs, true, path);
    await until(
      () => allOpen(pages),
      'every tab to be open',
      undefined,
      () => seen(pages),
    );
    const leaderTab = Number(live()[0]!.tab);
    const leader = pages[leaderTab]!;
    const rest = pages.filter((p) => p !== leader);
    const first = n + 1;
    let publishing = true;
    const pump = (async () => {
      while (publishing) {
        await publish(1);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await until(async () => (await got(leader)).length >= 25, 'the leader to get 25 events');
      // One connection so far: the take-over below counts on it (a stray request, or a leader that
      // reconnected, would make it pass early or never).
      expect(requests.length, await seen(pages)).toBe(1);
      const started = Date.now();
      // The moment the leader is gone: `kill` returns it when it comes after a preparation.
      const killedAt = (await kill(leader)) ?? started;
      const gone = Date.now();
      await until(
        () => requests.length === 2 && live().length === 1,
        'a follower to take over',
        15_000,
        () => seen(pages),
      );
      const next = requests[1]!;
      const newLeader = pages[Number(next.tab)]!;
      expect(rest).toContain(newLeader);
      const mark = n;
      await until(() => n >= mark + 25, '25 more events');
      publishing = false;
      await pump;
      for (const page of rest) {
        await until(async () => (await got(page)).at(-1) === n, 'every tab to get the last event');
      }
      for (const page of rest) expect(await got(page)).toEqual(range(first, n));
      const at: number[] = await newLeader.evaluate(() => (window as any).at);
      const firstAfter = at.find((t) => t >= gone)!;
      return { toConnect: next.at - killedAt, toEvent: firstAfter - killedAt };
    } finally {
      publishing = false;
      await pump;
    }
  }

  it('hands over without loss or duplicates when the leader tab closes (50 events/s)', async () => {
    const time = await handOver(4, async (page) => {
      await page.close();
      return undefined;
    });
    console.log(
      `[issue-13] hand-over after close: new connection ${time.toConnect} ms, first event in the new leader ${time.toEvent} ms; ${strays} requests of earlier tests' closed contexts so far`,
    );
    expect(time.toConnect).toBeLessThan(10_000);
  }, 90_000);

  it('hands over when the leader tab is frozen, then crashed', async () => {
    const time = await handOver(3, async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
      // Frozen: its timers and tasks stop, the lock stays held. Let events pile up meanwhile.
      const mark = n;
      await until(() => n >= mark + 10, '10 events while frozen');
      // The session dies with the renderer, so the command never answers: do not wait for it.
      const crashedAt = Date.now();
      cdp.send('Page.crash').catch(() => {});
      await until(
        () => live().every((r) => r.tab !== leaderTabOf(page)),
        'the crash to end the stream',
      );
      return crashedAt;
    });
    console.log(
      `[issue-13] hand-over after freeze+crash: new connection ${time.toConnect} ms, first event in the new leader ${time.toEvent} ms`,
    );
    expect(time.toConnect).toBeLessThan(10_000);
  }, 90_000);

  it("a follower's close() leaves the others connected; the last tab's close ends the stream", async () => {
    const pages = await openTabs(3, true);
    await until(() => allOpen(pages), 'every tab to be open');
    const leader = pages[Number(live()[0]!.tab)]!;
    const [follower, other] = pages.filter((p) => p !== leader) as [Page, Page];
    await follower.evaluate(() => (window as any).stream.close());
    expect(await stateOf(follower)).toBe('closed');
    const first = n + 1;
    await publish(5);
    for (const page of [leader, other]) {
      await until(async () => (await got(page)).at(-1) === n, 'the others to get the events');
      expect((await got(page)).slice(-5)).toEqual(range(first, n));
    }
    expect(await got(follower)).not.toContain(first);
    expect(requests).toHaveLength(1);
    expect(live()).toHaveLength(1);
    // The leader closes: the last tab takes over; when it closes too, the server sees the end.
    await leader.evaluate(() => (window as any).stream.close());
    await until(() => requests.length === 2 && live().length === 1, 'the last tab to take over');
    expect(requests[1]!.tab).toBe(String(pages.indexOf(other)));
    await publish(1);
    await until(async () => (await got(other)).at(-1) === n, 'the last tab to get the event');
    await other.evaluate(() => (window as any).stream.close());
    await until(() => live().length === 0 && hub.stats().connections === 0, 'the stream to end');
    expect(requests).toHaveLength(2);
  }, 60_000);

  it('shares one connection from the React provider, and hands over when the leader tab closes', async () => {
    const time = await handOver(
      3,
      async (page) => {
        await page.close();
        return undefined;
      },
      '/react',
    );
    console.log(
      `[issue-13] React provider, hand-over after close: new connection ${time.toConnect} ms, first event in the new leader ${time.toEvent} ms`,
    );
    expect(time.toConnect).toBeLessThan(10_000);
  }, 90_000);

  it('falls back to a connection per tab where Web Locks are missing, with the same page', async () => {
    const pages = await openTabs(3, true, '/', (ctx) =>
      ctx.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
      }),
    );
    await until(() => live().length === 3, 'three streams');
    const first = n + 1;
    await publish(3);
    for (const page of pages) {
      await until(async () => (await got(page)).at(-1) === n, 'every tab to get the events');
      expect(await got(page)).toEqual(range(first, n));
    }
    expect(requests).toHaveLength(3);
  }, 60_000);
});
