/**
 * docs/getting-started.md runs as written: its titled blocks (```ts [server.ts], …) are written
 * to a folder as the files a newcomer makes, `server.ts` and `client.ts` run under tsx as the page
 * says (`npx tsx server.ts`), and `main.tsx` + `App.tsx` are bundled (esbuild, as Vite would)
 * into a page that headless Chromium opens behind a proxy of `/api` to the server. The page's
 * code is never edited: the port comes from `PORT=0`, the client's URL from its argument.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestServer, findService, launchChromium, type TestServer } from '@ssekit/test-utils';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSamples } from '../../../scripts/check-samples.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PAGE = 'docs/getting-started.md';
const files = extractSamples(PAGE, readFileSync(join(ROOT, PAGE), 'utf8')).filter(
  (sample) => sample.title && !sample.skip,
);
const executablePath = findService('chromium');

/** A sample file run the way the page says (`npx tsx <file>`), its output kept line by line. */
class Program {
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly child: ChildProcess;

  constructor(cwd: string, file: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(
      process.execPath,
      ['--conditions=@ssekit/source', '--import', 'tsx', file, ...args],
      { cwd, env: { ...process.env, ...env, NODE_ENV: 'development' } },
    );
    let partial = '';
    const read = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.waiters) wake();
    };
    this.child.stdout!.on('data', read);
    this.child.stderr!.on('data', read);
    this.child.on('exit', () => {
      for (const wake of this.waiters) wake();
    });
  }

  /** Wait until a line matches (a generous bound only for failure; the lines drive it). */
  async line(pattern: RegExp, timeout = 30_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const line of this.lines) {
        const match = pattern.exec(line);
        if (match) return match;
      }
      if (this.exited || Date.now() > deadline) {
        throw new Error(`no line matched ${pattern}; output:\n${this.lines.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 1000);
        this.waiters.add(wake);
      });
    }
  }

  /** Exited, by itself or by a signal. */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

describe('the getting-started page, run as written', () => {
  let dir: string;
  let server: Program;
  let serverUrl: string;
  const programs: Program[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ssekit-getting-started-'));
    // The folder resolves packages as an app would: from node_modules (the workspace's).
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const file of files) writeFileSync(join(dir, file.title!), `${file.code}\n`);
    server = new Program(dir, 'server.ts', [], { PORT: '0' });
    programs.push(server);
    serverUrl = (await server.line(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(programs.map((program) => program.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has the files the page tells a newcomer to make', () => {
    expect(files.map((file) => file.title).sort()).toEqual([
      'App.tsx',
      'client.ts',
      'events.ts',
      'main.tsx',
      'server.ts',
    ]);
  });

  it('client.ts receives the typed event that POST /api/notify publishes', async () => {
    const client = new Program(dir, 'client.ts', [`${serverUrl}/api/events`]);
    programs.push(client);
    await client.line(/^status: open$/);
    const response = await fetch(`${serverUrl}/api/notify`, { method: 'POST' });
    expect(response.status).toBe(204);
    const [, title, unread, id] = await client.line(/^(Hello #\d+): (\d+) unread \(id (.+)\)$/);
    expect(title).toBe(`Hello #${unread}`);
    expect(id).not.toBe('undefined');
    await client.stop();
  }, 60_000);

  it('the raw stream is SSE: headers, then event/data frames', async () => {
    const response = await fetch(`${serverUrl}/api/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Read until the first frame (retry:) is in, then publish and read until the event is.
    while (!/retry: \d+\n/.test(text)) text += decoder.decode((await reader.read()).value);
    await fetch(`${serverUrl}/api/notify`, { method: 'POST' });
    while (!/event: notification\n/.test(text)) text += decoder.decode((await reader.read()).value);
    while (!/data: \{.*\}\n\n/.test(text)) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(
      /event: notification\nid: .+\ndata: \{"title":"Hello #\d+","unread":\d+\}\n\n/,
    );
    await reader.cancel();
  }, 60_000);

  describe.skipIf(!executablePath)('App.tsx in headless Chromium', () => {
    let browser: Browser;
    let web: TestServer;

    beforeAll(async () => {
      const bundle = await build({
        entryPoints: [join(dir, 'main.tsx')],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        jsx: 'automatic',
        conditions: ['@ssekit/source'],
        define: { 'process.env.NODE_ENV': '"development"' },
        write: false,
        logLevel: 'silent',
      });
      const js = bundle.outputFiles[0]!.text;
      const html = `<!doctype html><meta charset="utf-8"><title>getting started</title>
<div id="root"></div><script type="module" src="/main.js"></script>`;
      const target = new URL(serverUrl);
      // What Vite's `server.proxy: { '/api': … }` does: `/api` passes through, streamed.
      web = await createTestServer((req, res) => {
        if (req.url?.startsWith('/api/')) {
          const upstream = httpRequest(
            {
              host: target.hostname,
              port: target.port,
              path: req.url,
              method: req.method,
              headers: req.headers,
            },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on('error', () => res.destroy());
          res.on('close', () => upstream.destroy());
          req.pipe(upstream);
        } else if (req.url === '/main.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
        } else {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        }
      });
      browser = await launchChromium(executablePath!);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await web?.close();
    });

    it('shows the connection open and each notification a click publishes, in every tab', async () => {
      const context = await browser.newContext();
      const errors: Error[] = [];
      const [first, second] = [await context.newPage(), await context.newPage()];
      for (const page of [first!, second!]) {
        page.on('pageerror', (error) => errors.push(error));
        await page.goto(`${web.url}/`);
        await expect
          .poll(() => page.getByTestId('state').textContent(), { timeout: 15_000 })
          .toBe('open');
        expect(await page.getByTestId('last').textContent()).toBe('nothing yet');
      }
      await first!.getByRole('button', { name: 'Notify me' }).click();
      for (const page of [first!, second!]) {
        await expect
          .poll(() => page.getByTestId('last').textContent(), { timeout: 15_000 })
          .toMatch(/^Hello #\d+$/);
      }
      const shown = Number(
        (await first!.getByTestId('last').textContent())!.slice('Hello #'.length),
      );
      await second!.getByRole('button', { name: 'Notify me' }).click();
      for (const page of [first!, second!]) {
        await expect
          .poll(() => page.getByTestId('last').textContent(), { timeout: 15_000 })
          .toBe(`Hello #${shown + 1}`);
      }
      expect(errors).toEqual([]);
      await context.close();
    }, 60_000);
  });
});
