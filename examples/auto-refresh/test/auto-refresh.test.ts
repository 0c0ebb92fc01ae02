/**
 * The auto-refresh example as it ships: `next build`, `next start`, two pages in headless
 * chromium. Users created and deleted through the page's server actions and through the webhook
 * route reach every page without polling or reload; the stream, the actions and the routes share
 * one hub; a closed tab and a SIGTERM end their streams cleanly.
 */
import { fileURLToPath } from 'node:url';
import { ensurePackagesBuilt, findService, launchChromium } from '@ssekit/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NextServer, nextBuild, nextStart } from './nextApp';

const executablePath = findService('chromium');
const screenshotPath = fileURLToPath(new URL('../screenshots/users.png', import.meta.url));

describe.skipIf(!executablePath)('auto-refresh example (next build + next start)', () => {
  let browser: Browser;
  let server: NextServer;
  let pageA: Page;
  let pageB: Page;
  let buildOutput: string;

  beforeAll(async () => {
    const launching = launchChromium(executablePath!);
    await ensurePackagesBuilt('auto-refresh');
    buildOutput = await nextBuild();
    [server, browser] = await Promise.all([nextStart(), launching]);
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  const stats = async () =>
    (await (await fetch(`${server.url}/api/stats`)).json()) as {
      connections: number;
      published: number;
    };
  const webhook = (method: 'POST' | 'DELETE', body?: object, query = '') =>
    fetch(`${server.url}/api/users${query}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
  /** A page with the list loaded and its stream open, marked so a reload would show. */
  const open = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator('#connection[data-state="open"]').waitFor({ timeout: 15_000 });
    await page.evaluate(() => {
      (window as any).__notReloaded = true;
    });
    return page;
  };
  const names = (page: Page) => page.locator('#users li .name').allTextContents();
  /** Wait until the page lists exactly `expected`, in order (the updates come from the stream). */
  const waitForList = async (page: Page, expected: string[]) => {
    await page.waitForFunction(
      (want) =>
        JSON.stringify(
          [...document.querySelectorAll('#users li .name')].map((el) => el.textContent),
        ) === JSON.stringify(want),
      expected,
      { timeout: 10_000 },
    );
    expect(await names(page)).toEqual(expected);
    expect(await page.evaluate(() => (window as any).__notReloaded)).toBe(true);
  };

  it('builds with cacheComponents (as create-next-app sets it) and no error or warning line', () => {
    expect(buildOutput).toContain('Cache Components enabled');
    const problems = buildOutput
      .split('\n')
      .filter((line) => /error|warn|⚠|⨯|not supported|\b500\b/i.test(line))
      // Under `CI=true` Next advises a build cache (a fresh clone has none): about CI, not the app.
      .filter((line) => !line.includes('nextjs.org/docs/messages/no-cache'));
    expect(problems, buildOutput).toEqual([]);
  });

  it('shows users created by a server action and by the webhook route on every page', async () => {
    [pageA, pageB] = await Promise.all([open(), open()]);
    expect(await pageA.textContent('#empty')).toBe('No users yet.');
    await expect.poll(async () => (await stats()).connections).toBe(2);

    await pageA.fill('#create [name="name"]', 'Ada');
    await pageA.fill('#create [name="email"]', 'ada@example.com');
    await pageA.click('#create button');
    await pageA.locator('#created', { hasText: 'Created Ada.' }).waitFor();

    const grace = await webhook('POST', { name: 'Grace', email: 'grace@example.com' });
    expect(grace.status).toBe(201);
    expect(await grace.json()).toMatchObject({ id: 'u2', name: 'Grace', source: 'webhook' });

    for (const page of [pageA, pageB]) await waitForList(page, ['Ada', 'Grace']);
    expect(await pageB.textContent('#users li[data-id="u1"] .source')).toBe('via action');
    // What the page looks like with a few users (git-ignored; for a person to look at).
    await pageA.screenshot({ path: screenshotPath, fullPage: true, animations: 'disabled' });
  });

  it('drops deleted users from every page, deleted by a server action or the webhook route', async () => {
    await pageB.click('#users li[data-id="u1"] button');
    for (const page of [pageA, pageB]) await waitForList(page, ['Grace']);

    expect((await webhook('POST', { name: 'Linus', email: 'linus@example.com' })).status).toBe(201);
    for (const page of [pageA, pageB]) await waitForList(page, ['Grace', 'Linus']);
    expect((await webhook('DELETE', undefined, '?id=u3')).status).toBe(204);
    expect((await webhook('DELETE', undefined, '?id=u3')).status).toBe(404);
    for (const page of [pageA, pageB]) await waitForList(page, ['Grace']);
  });

  it('runs one hub for the stream, the server actions and the routes', async () => {
    // Five publishes from two module graphs (actions, the users route), counted by the hub that
    // a third (the stats route) sees, which also holds both pages' streams.
    expect(await stats()).toMatchObject({ connections: 2, published: 5 });
    expect(server.output()).not.toMatch(/another hub|createHub\(\{ name/i);
  });

  it('lets a new page resume from the rendered list and counts a closed tab out', async () => {
    const pageC = await open();
    await waitForList(pageC, ['Grace']);
    await expect.poll(async () => (await stats()).connections).toBe(3);
    await pageC.close();
    await pageB.close();
    await expect.poll(async () => (await stats()).connections, { timeout: 10_000 }).toBe(1);
  });

  it('exits promptly on SIGTERM and ends the open stream cleanly, not as a network error', async () => {
    // Record every status the remaining page goes through from here on.
    await pageA.evaluate(() => {
      const dot = document.querySelector('#connection')!;
      const log: string[] = [];
      (window as any).__statuses = log;
      new MutationObserver(() =>
        log.push(`${dot.getAttribute('data-state')}:${dot.getAttribute('data-error')}`),
      ).observe(dot, { attributes: true, attributeFilter: ['data-state', 'data-error'] });
    });

    const started = performance.now();
    server.child.kill('SIGTERM');
    const code = await Promise.race([
      server.exited,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no exit 10 s after SIGTERM:\n${server.output()}`)),
          10_000,
        ),
      ),
    ]);
    // Next exits with 128 + 15 on SIGTERM, once its server has closed.
    expect(code).toBe(143);
    expect(performance.now() - started).toBeLessThan(3_000); // tens of ms here; over 5 s means a kept-alive connection held it

    await pageA.waitForFunction(() => (window as any).__statuses.length > 0, undefined, {
      timeout: 10_000,
    });
    const statuses: string[] = await pageA.evaluate(() => (window as any).__statuses);
    // The hub ended the stream (`closed`); only the retry after that meets a closed port.
    expect(statuses[0]).toBe('reconnecting:closed');
  });
});
