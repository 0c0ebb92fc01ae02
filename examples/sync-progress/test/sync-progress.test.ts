/**
 * The product-sync example driven in headless chromium: the page's Start button runs the job on
 * a real server, the progress bar follows it to 100 %, Cancel stops the job on the server, and a
 * wrong token is refused with 401 and shown.
 */
import { fileURLToPath } from 'node:url';
import { findService, launchChromium } from '@ssekit/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SyncServer, start } from '../src/server';

const executablePath = findService('chromium');
const screenshotPath = fileURLToPath(new URL('../screenshots/sync-complete.png', import.meta.url));

describe.skipIf(!executablePath)('sync-progress example in chromium', () => {
  let browser: Browser;
  let fast: SyncServer;
  let slow: SyncServer;

  beforeAll(async () => {
    [fast, slow, browser] = await Promise.all([
      start({ port: 0, sync: { totalPages: 8, pageDelayMs: 20 } }),
      // Slow enough that the job is surely still running when the test cancels it.
      start({ port: 0, sync: { totalPages: 200, pageDelayMs: 100 } }),
      launchChromium(executablePath!),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([fast?.close(), slow?.close()]);
  });

  const open = async (server: SyncServer): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator('#start').waitFor();
    return page;
  };

  it('streams progress to 100 % and shows the result', async () => {
    const page = await open(fast);
    const requests: { url: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/sync/'))
        requests.push({ url: request.url(), authorization: request.headers().authorization });
    });
    await page.click('#start');
    await page.locator('#result').waitFor({ timeout: 15_000 });
    expect(await page.textContent('#result')).toContain('Sync complete: 792 products');
    expect(await page.getAttribute('[role=progressbar]', 'aria-valuenow')).toBe('100');
    expect(await page.textContent('#progress')).toContain('Page 8 of 8');
    // One request, the token in its header and not in the URL.
    expect(requests).toHaveLength(1);
    expect(requests[0]!.authorization).toBe('Bearer demo-token');
    expect(requests[0]!.url).not.toContain('demo-token');

    const job = fast.jobs.list().at(-1)!;
    expect(job).toMatchObject({ userId: 'ada', state: 'complete', pagesProcessed: 8 });
    // The stream ended with the job and the client stays closed rather than reconnecting (which
    // would ask for the job again): Cancel goes away only once the connection is `closed`.
    await page.locator('#cancel').waitFor({ state: 'detached' });
    await page.locator('#start:enabled').waitFor();
    expect(await page.getAttribute('section[aria-label=sync]', 'data-phase')).toBe('complete');
    // What the finished page looks like (git-ignored; for a person to look at).
    await page.screenshot({ path: screenshotPath, fullPage: true, animations: 'disabled' });
    await page.close();
  });

  it('stops the job on the server when the page cancels', async () => {
    const page = await open(slow);
    await page.click('#start');
    await page.waitForFunction(
      () => Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')) > 0,
      undefined,
      { timeout: 15_000 },
    );
    const job = slow.jobs.list().at(-1)!;
    expect(job.state).toBe('running');
    expect(await page.isDisabled('#start')).toBe(true);
    await page.click('#cancel');
    await page.locator('#cancelled').waitFor();
    expect(await page.isEnabled('#start')).toBe(true);

    await expect.poll(() => job.state, { timeout: 10_000 }).toBe('cancelled');
    const stoppedAt = job.pagesProcessed;
    expect(stoppedAt).toBeLessThan(200);
    // Several page delays later the counter has not moved: the job really stopped.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(job.pagesProcessed).toBe(stoppedAt);
    await page.close();
  });

  it('shows the upstream failure sent as sync.error', async () => {
    const page = await open(fast);
    await page.check('input[type=checkbox]');
    await page.click('#start');
    await page.locator('#error').waitFor({ timeout: 15_000 });
    expect(await page.textContent('#error')).toBe(
      'Sync failed: Upstream catalogue failed on page 3',
    );
    expect(fast.jobs.list().at(-1)).toMatchObject({ state: 'failed', pagesProcessed: 2 });
    await page.close();
  });

  it('refuses a wrong token with 401 and the page says so', async () => {
    const page = await open(fast);
    const before = fast.jobs.list().length;
    const statuses: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/sync/')) statuses.push(response.status());
    });
    await page.fill('#token', 'not-the-token');
    await page.click('#start');
    await page.locator('#error').waitFor({ timeout: 15_000 });
    expect(await page.textContent('#error')).toBe('Not authorised (401): check the token.');
    expect(statuses).toEqual([401]);
    expect(fast.jobs.list()).toHaveLength(before);
    await page.close();
  });
});
