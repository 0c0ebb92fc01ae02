/**
 * The live-logs example driven in headless chromium: two viewers see the same lines in order; the
 * indicator turns red while the listener is down and green when it is back, with every line
 * published meanwhile shown exactly once, in order (the hub and its replay log stayed up); and a
 * real restart of the server process (SIGTERM → drainOnSignal, then a new process on the same
 * port) shows the "history reset" notice, then the new process's lines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { findService, launchChromium } from '@ssekit/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveLogsServer, start } from '../src/server';

const executablePath = findService('chromium');
const exampleDir = new URL('..', import.meta.url);
const screenshots = new URL('../screenshots/', import.meta.url);

/** The messages of the log lines a page shows, in order. */
const messages = (page: Page) =>
  page.locator('#logs li[data-kind="line"] .message').allTextContents();
/** Wait until the page shows exactly `expected` as its log. */
const waitForLog = async (page: Page, expected: string[]) => {
  await page.waitForFunction(
    (n) => document.querySelectorAll('#logs li[data-kind="line"]').length >= n,
    expected.length,
    { timeout: 10_000 },
  );
  expect(await messages(page)).toEqual(expected);
};
const indicator = (page: Page, state: string) =>
  page.locator(`#connection[data-state="${state}"]`).waitFor({ timeout: 15_000 });

describe.skipIf(!executablePath)('live-logs example in chromium', () => {
  let browser: Browser;
  let server: LiveLogsServer;
  let viewers: Page[];

  beforeAll(async () => {
    // No scrape loop: the test publishes the lines itself. A short reconnection time.
    [server, browser] = await Promise.all([
      start({ port: 0, retry: 100, loopMs: false }),
      launchChromium(executablePath!),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const publish = async (from: number, to: number) => {
    for (let i = from; i <= to; i++)
      await server.scraper.log(i % 5 === 0 ? 'warning' : 'info', `line ${i}`);
  };
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

  it('shows every viewer the same lines, in order, validated by the shared schema', async () => {
    viewers = [];
    for (let i = 0; i < 2; i++) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(server.url);
      await indicator(page, 'open');
      viewers.push(page);
    }
    expect(server.hub.stats().connections).toBe(2);
    await publish(1, 6);
    for (const page of viewers) await waitForLog(page, range(1, 6));
    expect(await viewers[0]!.locator('#logs li[data-level="warning"]').count()).toBe(1);

    // The hub checks every publish against the schema the page uses.
    await expect(
      server.hub.publish('log', { level: 'fatal', message: 'x', source: 's', at: '' } as never),
    ).rejects.toMatchObject({ code: 'schema-mismatch' });

    // Progress: the bar follows the newest `scraping_progress`.
    await server.hub.publish('scraping_progress', {
      runId: 'run-9',
      status: 'progress',
      source: 'spys.one',
      page: 3,
      total: 12,
      proxiesFound: 41,
    });
    for (const page of viewers) {
      await page.locator('#progress[aria-valuenow="25"]').waitFor({ timeout: 10_000 });
      expect(await page.textContent('#proxies')).toBe('41');
    }
  });

  it('turns red while the listener is down and green after, with every line once, in order', async () => {
    await server.stopListening();
    for (const page of viewers) await indicator(page, 'reconnecting');
    // Published while nobody can connect: the hub's replay log keeps them.
    await publish(7, 12);
    for (const page of viewers) {
      expect(await page.getAttribute('#connection', 'data-state')).not.toBe('open');
    }
    await server.listen();
    for (const page of viewers) {
      await indicator(page, 'open');
      await waitForLog(page, range(1, 12));
    }
    await publish(13, 14);
    for (const page of viewers) {
      await waitForLog(page, range(1, 14));
      expect(await page.locator('#reset-notice').count()).toBe(0);
      expect(await page.locator('#logs li[data-kind="reset"]').count()).toBe(0);
    }
  });

  it('shows "history reset" after a restart of the server process, then the new lines', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let child = await startProcess(port);
    const page = await (
      await browser.newContext({ viewport: { width: 1000, height: 1100 } })
    ).newPage();
    await page.goto(url);
    await indicator(page, 'open');
    const first = (await page.textContent('#instance'))!;
    await page.waitForFunction(
      () => document.querySelectorAll('#logs li[data-kind="line"]').length >= 3,
    );

    await stopProcess(child); // SIGTERM: drainOnSignal ends every stream cleanly
    await indicator(page, 'reconnecting');
    const before = await messages(page);
    child = await startProcess(port);
    try {
      await indicator(page, 'open');
      await page.locator('#reset-notice').waitFor({ timeout: 10_000 });
      expect(await page.textContent('#reset-notice')).toContain('History reset');
      await page.waitForFunction(
        (old) => document.querySelector('#instance')?.textContent !== old,
        first,
      );
      // The new process's lines come after the marker, the old ones stay above it, each once.
      await page.waitForFunction(
        () => document.querySelector('#logs li[data-kind="reset"] ~ li[data-kind="line"]') !== null,
        undefined,
        { timeout: 10_000 },
      );
      const after = await messages(page);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(await page.locator('#logs li[data-kind="reset"]').count()).toBe(1);
      const ids = await page
        .locator('#logs li[data-kind="line"]')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-id')));
      expect(new Set(ids).size).toBe(ids.length);

      await page.locator('#page').waitFor();
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({
        path: new URL('live-logs.png', screenshots).pathname,
        fullPage: true,
      });
    } finally {
      await stopProcess(child);
    }
  });
});

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `npm run dev` as its own process (without npm), on `port`; resolves once it listens. */
function startProcess(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@ssekit/source', '--import', 'tsx', 'src/server.ts'],
    { cwd: exampleDir, env: { ...process.env, PORT: String(port), TICK_MS: '150' }, stdio: 'pipe' },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Live logs example on')) resolve(child);
    });
    child.stderr!.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** SIGTERM, and wait for the process to exit. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
