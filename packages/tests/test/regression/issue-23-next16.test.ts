/**
 * Issue 23, items 1 and 2: what `create-next-app@latest` (16.4.3) scaffolds, with the route and
 * instrumentation files of docs/deployment.md, builds clean. The scaffold turns `cacheComponents`
 * on: the docs' `export const dynamic = 'force-dynamic'` was then a build error, and without it
 * the Fetch handler caught Next's prerender bail-out (`NEXT_PRERENDER_INTERRUPTED`, thrown by
 * `request.url`), logged it and answered 500. The documented `instrumentation.ts` made Turbopack
 * warn about `process.once` in the Edge runtime. The fixture (`packages/tests/fixtures/next16`)
 * holds the scaffold's config files as it wrote them, plus `turbopack.root`, so `next`, react and
 * the built `@ssekit/*` resolve from the workspace.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensurePackagesBuilt } from '@ssekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSamples } from '../../../../scripts/check-samples.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const APP = join(ROOT, 'packages/tests/fixtures/next16');
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  NEXT_TELEMETRY_DISABLED: '1',
};
const run = promisify(execFile);

/** Lines of Next's output that report a problem. */
const PROBLEM = /error|warn|⚠|⨯|✗|failed|not supported|Internal Server Error|\b500\b/i;
/** Under `CI=true` Next advises a build cache (a fresh clone has none): about CI, not the app. */
const CI_CACHE_ADVICE = /nextjs\.org\/docs\/messages\/no-cache/;

/** The docs' Next.js files, by the path their first line names (`// app/api/events/route.ts`). */
function documentedFiles(): Map<string, string> {
  const page = 'docs/deployment.md';
  const files = new Map<string, string>();
  for (const sample of extractSamples(page, readFileSync(join(ROOT, page), 'utf8'))) {
    const named = /^\/\/ ((?:app|lib|instrumentation)[\w./-]*\.ts)\n/.exec(sample.code);
    if (named) files.set(named[1]!, `${sample.code.slice(named[0].length)}\n`);
  }
  return files;
}

/** A port nobody listens on right now (`next start -p 0` does not say which port it got). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('issue 23: a create-next-app 16 scaffold with the documented SSE route', () => {
  let build: { ok: boolean; output: string };
  let server: ChildProcess | undefined;
  let serverOutput = '';

  beforeAll(async () => {
    await ensurePackagesBuilt('issue-23-next16');
    rmSync(join(APP, '.next'), { recursive: true, force: true });
    try {
      const { stdout, stderr } = await run(process.execPath, [nextBin, 'build'], {
        cwd: APP,
        env,
        timeout: 240_000,
      });
      build = { ok: true, output: stdout + stderr };
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      build = { ok: false, output: stdout + stderr };
    }
  }, 300_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
  });

  it('holds the files docs/deployment.md shows', () => {
    const documented = documentedFiles();
    for (const file of [
      'lib/hub.ts',
      'app/api/events/route.ts',
      'instrumentation.ts',
      'instrumentation-node.ts',
    ]) {
      expect(readFileSync(join(APP, file), 'utf8'), file).toBe(documented.get(file));
    }
  });

  it('builds with no error or warning line, every stream route dynamic', () => {
    const problems = build.output
      .split('\n')
      .filter((line) => PROBLEM.test(line) && !CI_CACHE_ADVICE.test(line));
    expect({ ok: build.ok, problems }, build.output).toEqual({ ok: true, problems: [] });
    expect(build.output).toContain('Cache Components enabled');
    expect(build.output).toMatch(/ƒ \/api\/events\b/);
    expect(build.output).toMatch(/ƒ \/api\/bare\b/);
  });

  it('streams text/event-stream from both routes under next start, and exits on SIGTERM', async () => {
    expect(build.ok).toBe(true);
    const port = await freePort();
    server = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: APP,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = server;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        serverOutput += chunk;
        if (/Ready in/.test(serverOutput)) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk) => (serverOutput += chunk));
      void exited.then((code) =>
        reject(new Error(`next start exited with ${code}:\n${serverOutput}`)),
      );
    });

    for (const path of ['/api/events', '/api/bare']) {
      const abort = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: abort.signal });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe('text/event-stream; charset=utf-8');
      const { value } = await response.body!.getReader().read();
      expect(new TextDecoder().decode(value), path).toMatch(/^(retry|:|id|event|data)/);
      abort.abort();
    }

    // A stream left open: instrumentation-node.ts closes the hub on SIGTERM, so Next exits.
    const open = await fetch(`http://127.0.0.1:${port}/api/events`);
    await open.body!.getReader().read();
    child.kill('SIGTERM');
    await exited;
    const problems = serverOutput
      .split('\n')
      .filter((line) => PROBLEM.test(line) && !CI_CACHE_ADVICE.test(line));
    expect(problems, serverOutput).toEqual([]);
  }, 90_000);
});
