/**
 * The live-balance example driven in headless chromium: two tabs of Alice's account and one of
 * Bob's; a deposit in one of Alice's tabs updates both of hers and nothing of Bob's; Carol's
 * admin page shows statistics refreshing; and no non-admin stream gets `stats_updated`, whatever
 * header, query, topic, cookie or Last-Event-ID it forges.
 */
import { mkdirSync } from 'node:fs';
import { findService, launchChromium } from '@ssekit/test-utils';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveBalanceServer, start } from '../src/server';

const executablePath = findService('chromium');
const SCREENSHOTS = new URL('../screenshots/', import.meta.url);

/** What the page records in `window.seen` (see app.tsx). */
interface Seen {
  balanceEvents: string[];
  statsEvents: number;
}

describe.skipIf(!executablePath)('live-balance example in chromium', () => {
  let browser: Browser;
  let server: LiveBalanceServer;
  /** Every publish with how many streams it reached (the hub's `onPublish`). */
  const published: {
    id: string;
    type: string;
    data: string;
    recipients: number;
  }[] = [];

  beforeAll(async () => {
    // Stats every second rather than 3 s, so "refreshing" is seen quickly; the forged-stream
    // test publishes its own tick too.
    [server, browser] = await Promise.all([
      start({
        port: 0,
        statsInterval: 1000,
        onPublish: (event, recipients) => published.push({ ...event, recipients }),
      }),
      launchChromium(executablePath!),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const newContext = () => browser.newContext({ viewport: { width: 1000, height: 720 } });
  /** A tab signed in as `token` (in a new browser context unless given), connected. */
  const signIn = async (token: string, context?: BrowserContext): Promise<Page> => {
    const page = await (context ?? (await newContext())).newPage();
    await page.goto(server.url);
    await page.click(`button[data-token="${token}"]`);
    await page.locator('#connection[data-state="open"]').waitFor({ timeout: 10_000 });
    return page;
  };
  const cents = async (page: Page) => Number(await page.getAttribute('#balance', 'data-cents'));
  const waitForCents = (page: Page, value: number) =>
    page.locator(`#balance[data-cents="${value}"]`).waitFor({ timeout: 10_000 });
  const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen }).seen);
  const post = (path: string, token: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  /** The publish whose payload is `data`-equal to `match` (a transaction id, a tick). */
  const publishOf = (type: string, match: (data: Record<string, unknown>) => boolean) =>
    published.find((p) => p.type === type && match(JSON.parse(p.data)));

  let aliceTab1: Page;
  let aliceTab2: Page;
  let bob: Page;

  it("updates every tab of the account that deposits, and no other account's tabs", async () => {
    aliceTab1 = await signIn('alice-token');
    aliceTab2 = await signIn('alice-token', aliceTab1.context());
    bob = await signIn('bob-token');
    expect(await aliceTab1.getAttribute('#user', 'data-user')).toBe('alice');
    expect(await bob.getAttribute('#user', 'data-user')).toBe('bob');
    // Alice's two tabs share one connection (shareAcrossTabs): one stream per user here.
    expect(server.hub.stats()).toMatchObject({ connections: 2, users: 2 });
    const alice0 = await cents(aliceTab1);
    const bob0 = await cents(bob);
    const bobText = await bob.textContent('#balance');
    expect(bobText).toBe('$480.50');

    // Alice deposits $25.50 through the form of her first tab.
    await aliceTab1.fill('#amount', '25.50');
    await aliceTab1.click('#deposit');
    await aliceTab1.locator('#operation-result', { hasText: 'Done.' }).waitFor();
    for (const tab of [aliceTab1, aliceTab2]) {
      await waitForCents(tab, alice0 + 2550);
      expect(await tab.textContent('#balance')).toBe('$1,275.50');
      expect(await tab.locator('#transactions li').allTextContents()).toEqual([
        expect.stringMatching(/^Deposit · .*\+\$25\.50 → \$1,275\.50$/),
      ]);
    }
    // The hub sent Alice's balance to her one shared stream (both tabs showed it) and no other.
    const aliceTx = publishOf('balance_updated', (d) => d.accountId === 'ACC-1001');
    expect(aliceTx?.recipients).toBe(1);

    // The fence: Bob deposits. Once his tab shows it, it has had every event before it that was
    // meant for it — and it saw only its own account's.
    expect((await post('/api/deposit', 'bob-token', { amount: 1000 })).status).toBe(201);
    await waitForCents(bob, bob0 + 1000);
    expect((await seen(bob)).balanceEvents).toEqual(['ACC-1002']);
    expect(publishOf('balance_updated', (d) => d.accountId === 'ACC-1002')?.recipients).toBe(1);
    for (const tab of [aliceTab1, aliceTab2]) {
      expect((await seen(tab)).balanceEvents).toEqual(['ACC-1001']);
      expect(await tab.textContent('#balance')).toBe('$1,275.50');
    }

    // A withdrawal from the second tab reaches the first; an overdraft is refused.
    await aliceTab2.fill('#amount', '75.50');
    await aliceTab2.click('#withdraw');
    await waitForCents(aliceTab1, alice0 + 2550 - 7550);
    expect(await aliceTab1.locator('#transactions li').count()).toBe(2);
    expect((await post('/api/withdraw', 'alice-token', { amount: 10_000_000 })).status).toBe(409);
    expect((await post('/api/deposit', 'nope', { amount: 1 })).status).toBe(401);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await aliceTab1.screenshot({
      path: new URL('alice.png', SCREENSHOTS).pathname,
      fullPage: true,
    });
  });

  it('shows admins the statistics, refreshing', async () => {
    const carol = await signIn('carol-token');
    const admin = carol.locator('#admin');
    await carol.waitForFunction(
      () => Number(document.querySelector('#admin')?.getAttribute('data-tick')) > 0,
    );
    const first = Number(await admin.getAttribute('data-tick'));
    await carol.waitForFunction(
      (tick) => Number(document.querySelector('#admin')?.getAttribute('data-tick')) > tick,
      first,
      { timeout: 10_000 },
    );
    // Alice's two tabs (one shared stream), Bob's and Carol's: 3 connections of 3 users.
    await carol.locator('#stat-connections b', { hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    expect(await carol.textContent('#stat-active-clients b')).toBe('3');
    expect(await carol.locator('#balance').count()).toBe(0);
    expect((await seen(carol)).statsEvents).toBeGreaterThanOrEqual(1);
    await carol.screenshot({
      path: new URL('admin.png', SCREENSHOTS).pathname,
      fullPage: true,
    });
    await carol.context().close();

    // Customers' pages never got one.
    for (const tab of [aliceTab1, aliceTab2, bob]) expect((await seen(tab)).statsEvents).toBe(0);
    expect(await bob.locator('#admin').count()).toBe(0);
  });

  it('gives non-admins no statistics, whatever header, query, topic or id they forge', async () => {
    // The REST snapshot: 403 for a customer, forged role headers or not.
    const forged: Record<string, string>[] = [{}, { 'x-role': 'admin', 'x-admin': 'true' }];
    for (const headers of forged) {
      const res = await fetch(`${server.url}/api/admin/stats?role=admin`, {
        headers: { authorization: 'Bearer bob-token', ...headers },
      });
      expect(res.status).toBe(403);
    }
    // A token in the query authenticates nothing.
    const queryToken = await fetch(
      `${server.url}/api/events?topic=admin-stats&token=carol-token&access_token=carol-token`,
    );
    expect(queryToken.status).toBe(401);
    await queryToken.body?.cancel();

    // For the Last-Event-ID attempt: an id from before a deposit of Bob's and a stats tick,
    // both still in the replay log; the replay hands over the deposit and must skip the tick.
    const before = published.at(-1)!.id;
    expect((await post('/api/deposit', 'bob-token', { amount: 1 })).status).toBe(201);
    const tick = await server.publishStats();
    expect(publishOf('stats_updated', (d) => d.tick === tick.tick)).toBeDefined();

    const bobAuth = { authorization: 'Bearer bob-token' };
    const attempts: {
      name: string;
      query: string;
      headers: Record<string, string>;
    }[] = [
      { name: 'topic query', query: '?topic=admin-stats', headers: bobAuth },
      {
        name: 'role headers',
        query: '',
        headers: {
          ...bobAuth,
          'x-role': 'admin',
          'x-admin': 'true',
          'x-user-role': 'admin',
        },
      },
      {
        name: 'everything in the query',
        query:
          '?topic=admin-stats&topic=ADMIN-STATS&topics=admin-stats&role=admin&admin=1&token=carol-token',
        headers: bobAuth,
      },
      {
        name: 'cookie and a second authorization',
        query: '?topic=admin-stats',
        headers: {
          ...bobAuth,
          cookie: 'token=carol-token; role=admin',
          'x-authorization': 'Bearer carol-token',
        },
      },
      {
        name: 'Last-Event-ID from before a stats tick',
        query: '?topic=admin-stats',
        headers: { ...bobAuth, 'last-event-id': before },
      },
    ];
    const streams = await Promise.all(
      attempts.map((a) => openStream(`${server.url}/api/events${a.query}`, a.headers)),
    );
    // The control: an admin's stream, asking the same way, does get the ticks.
    const control = await openStream(`${server.url}/api/events?topic=admin-stats`, {
      authorization: 'Bearer carol-token',
    });

    const stats = await server.publishStats();
    const statsPublish = publishOf('stats_updated', (d) => d.tick === stats.tick)!;
    // Only the control stream: had any forged one joined the topic, this would be more.
    expect(statsPublish.recipients).toBe(1);
    // The fence every Bob stream receives after the tick.
    expect((await post('/api/deposit', 'bob-token', { amount: 2 })).status).toBe(201);

    for (const [i, stream] of streams.entries()) {
      const types = await stream.readUntil('balance_updated', i === 4 ? 2 : 1);
      expect({
        attempt: attempts[i]!.name,
        stats: types.filter((t) => t === 'stats_updated'),
      }).toEqual({
        attempt: attempts[i]!.name,
        stats: [],
      });
      // Each saw the fence (the replay attempt also the deposit before the tick).
      expect(types.filter((t) => t === 'balance_updated').length).toBe(i === 4 ? 2 : 1);
    }
    expect(await control.readUntil('stats_updated', 1)).toContain('stats_updated');
    for (const stream of [...streams, control]) stream.close();
  });
});

/**
 * A raw stream read with fetch: `ready` once the hub's first block (the resume point) arrived;
 * `readUntil(type, n)` reads until the n-th `type` event or 50 events/heartbeats or 10 s, and
 * returns every event type it read.
 */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const types: string[] = [];
  /** Read blocks until `done(blocks)` or a bound; returns false on the bound. */
  const read = async (done: () => boolean): Promise<boolean> => {
    const deadline = Date.now() + 10_000;
    let blocks = 0;
    while (!done()) {
      if (blocks > 50 || Date.now() > deadline) return false;
      const timer = new Promise<'timeout'>((r) =>
        setTimeout(() => r('timeout'), deadline - Date.now()).unref(),
      );
      const chunk = await Promise.race([reader.read(), timer]);
      if (chunk === 'timeout' || chunk.done) return false;
      buffer += chunk.value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        blocks++;
        const type = /^event: ?(.*)$/m.exec(block)?.[1];
        types.push(type ?? (block.startsWith(':') ? 'heartbeat' : 'block'));
      }
    }
    return true;
  };
  // Connected: the hub has registered the stream once its first block is written.
  expect(await read(() => types.length > 0)).toBe(true);
  return {
    readUntil: async (type: string, count: number) => {
      await read(() => types.filter((t) => t === type).length >= count);
      return types;
    },
    close: () => controller.abort(),
  };
}
