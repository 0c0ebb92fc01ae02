/**
 * The notifications example driven in headless chromium: two users in two browser contexts,
 * messages that reach only the addressed user (every tab of theirs), an unread badge that counts
 * and clears, a connection indicator through a server-side drop, and bearer auth on the stream.
 */
import { fileURLToPath } from 'node:url';
import { findService, launchChromium } from '@ssekit/test-utils';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotificationsServer, start } from '../src/server';

const executablePath = findService('chromium');
const screenshotPath = fileURLToPath(new URL('../screenshots/inbox.png', import.meta.url));

describe.skipIf(!executablePath)('notifications example in chromium', () => {
  let browser: Browser;
  let server: NotificationsServer;

  beforeAll(async () => {
    // A short reconnection time: the drop test holds the reconnect itself for as long as it needs.
    [server, browser] = await Promise.all([
      start({ port: 0, retry: 100 }),
      launchChromium(executablePath!),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page signed in with `token` (a new browser context unless given), connected. */
  const signIn = async (token: string, context?: BrowserContext): Promise<Page> => {
    const page = await (context ?? (await browser.newContext())).newPage();
    await page.goto(server.url);
    await page.fill('#token', token);
    await page.click('#sign-in button');
    await connected(page);
    return page;
  };
  const connected = (page: Page) =>
    page.locator('#connection[data-state="open"]').waitFor({ timeout: 10_000 });
  const badge = (page: Page) => page.textContent('#unread');
  const waitForBadge = (page: Page, count: number) =>
    page.locator(`#unread[data-count="${count}"]`).waitFor({ timeout: 10_000 });
  const inbox = (page: Page) => page.locator('#inbox li').allTextContents();
  const send = (token: string, to: string, text: string) =>
    fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to, text }),
    });

  let ada: Page;
  let grace: Page;
  let graceTab2: Page;

  it('delivers a message only to the addressed user, in every tab of theirs', async () => {
    ada = await signIn('ada-token');
    grace = await signIn('grace-token');
    graceTab2 = await signIn('grace-token', grace.context());
    expect(await ada.textContent('#user')).toBe('ada');
    expect(await grace.textContent('#user')).toBe('grace');
    expect(server.hub.stats()).toMatchObject({ connections: 3, users: 2 });

    // Ada writes to Grace through the page's form.
    await ada.selectOption('#to', 'grace');
    await ada.fill('#text', 'Engine 7 needs a check');
    await ada.click('#send button');
    await ada.locator('#sent', { hasText: 'Sent to grace.' }).waitFor();

    for (const page of [grace, graceTab2]) {
      await waitForBadge(page, 1);
      expect(await inbox(page)).toEqual(['Message from ada: Engine 7 needs a check']);
    }
    // Grace writes back: now Ada has one, Grace still has hers.
    expect((await send('grace-token', 'ada', 'On it')).status).toBe(201);
    await waitForBadge(ada, 1);
    expect(await inbox(ada)).toEqual(['Message from grace: On it']);
    expect(await badge(grace)).toBe('1');
    expect(await inbox(grace)).toEqual(['Message from ada: Engine 7 needs a check']);
  });

  it('counts unread notifications and clears them in every tab', async () => {
    expect((await send('ada-token', 'grace', 'Second')).status).toBe(201);
    expect((await send('linus-token', 'grace', 'Third')).status).toBe(201);
    await waitForBadge(grace, 3);
    await waitForBadge(graceTab2, 3);
    // What a busy inbox looks like (git-ignored; for a person to look at).
    await grace.screenshot({ path: screenshotPath, fullPage: true, animations: 'disabled' });
    expect(await inbox(grace)).toEqual([
      'Message from linus: Third',
      'Message from ada: Second',
      'Message from ada: Engine 7 needs a check',
    ]);
    expect(await badge(ada)).toBe('1');

    await graceTab2.click('#mark-read');
    await waitForBadge(grace, 0);
    await waitForBadge(graceTab2, 0);
    expect(await badge(ada)).toBe('1');
  });

  it('shows reconnecting while the server has dropped the stream, then resumes without loss', async () => {
    // Ada's reconnect waits until the message below is published, however soon it comes.
    let release!: () => void;
    const published = new Promise<void>((resolve) => {
      release = resolve;
    });
    const isStream = (url: URL) => url.pathname === '/api/events';
    let held = 0;
    await ada.route(isStream, async (route) => {
      held++;
      await published;
      await route.continue();
    });
    // Every text the connection indicator shows, recorded in the page as the DOM changes: the
    // reconnect wait is short, and the held request that follows it shows 'connecting'.
    await ada.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { shown: string[] }).shown = shown;
      new MutationObserver(() => {
        const text = document.querySelector('#connection')?.textContent ?? '';
        if (shown.at(-1) !== text) shown.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    server.dropConnections();
    await ada.waitForFunction(() =>
      (window as unknown as { shown: string[] }).shown.some((text) =>
        text.includes('reconnecting'),
      ),
    );
    // Published while Ada is away: the replay log hands it over when she reconnects.
    expect((await send('grace-token', 'ada', 'While you were away')).status).toBe(201);
    release();
    await connected(ada);
    await ada.unroute(isStream);
    expect(held).toBeGreaterThan(0);
    await waitForBadge(ada, 2);
    expect(await inbox(ada)).toEqual([
      'Message from grace: While you were away',
      'Message from grace: On it',
    ]);
    await connected(grace);
    expect(await badge(grace)).toBe('0');
  });

  it('refuses the stream and the page without a valid bearer token', async () => {
    const noToken = await fetch(`${server.url}/api/events`);
    expect(noToken.status).toBe(401);
    const wrong = await fetch(`${server.url}/api/events`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
    await noToken.body?.cancel();

    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.fill('#token', 'nope');
    await page.click('#sign-in button');
    await page.locator('#error').waitFor({ timeout: 10_000 });
    expect(await page.textContent('#error')).toContain('401');
    expect(await page.locator('#connection').count()).toBe(0);
  });
});
