/**
 * Issue 23, item 5: a real Fastify app, written as docs/deployment.md's Fastify section shows it
 * (the `// fastify-server.ts` block, run as it stands under tsx). With the node handler on
 * `reply.raw` alone, headers Fastify holds for its own reply (`reply.header()`, an `onRequest`
 * hook such as @fastify/cors) never reached the stream, and `drainOnSignal(app.server)` let the
 * process go without Fastify's `onClose` hooks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSamples } from '../../../../scripts/check-samples.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const PAGE = 'docs/deployment.md';
const FILE = '// fastify-server.ts\n';
const ORIGIN = 'https://app.example.com';

/** The page's Fastify block, without its file-name line. */
function documentedServer(): string {
  const samples = extractSamples(PAGE, readFileSync(join(ROOT, PAGE), 'utf8'));
  const sample = samples.find((candidate) => candidate.code.startsWith(FILE));
  if (!sample) throw new Error(`${PAGE} has no block opening with ${FILE.trim()}`);
  return sample.code.slice(FILE.length);
}

describe('issue 23: Fastify with the documented recipe', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let url: string;

  /** Resolves with the first output line matching `pattern`; rejects if the process exits. */
  function line(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          resolve(match);
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then(() => reject(new Error(`exited before ${pattern}; output:\n${output}`)));
      check();
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ssekit-fastify-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    copyFileSync(join(ROOT, 'scripts/samples/events.ts'), join(dir, 'events.ts'));
    writeFileSync(join(dir, 'fastify-server.ts'), `${documentedServer()}\n`);
    child = spawn(
      process.execPath,
      ['--conditions=@ssekit/source', '--import', 'tsx', 'fastify-server.ts'],
      { cwd: dir, env: { ...process.env, PORT: '0', NODE_ENV: 'production' } },
    );
    exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    url = (await line(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends the CORS header of @fastify/cors on the SSE response', async () => {
    const abort = new AbortController();
    const response = await fetch(`${url}/api/events`, {
      headers: { origin: ORIGIN },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const { value } = await response.body!.getReader().read();
    expect(new TextDecoder().decode(value)).toMatch(/^retry: \d+\n/);
    abort.abort();
  });

  it("on SIGTERM ends the open stream, runs Fastify's onClose hooks and exits 0", async () => {
    const response = await fetch(`${url}/api/events`, { headers: { origin: ORIGIN } });
    const reader = response.body!.getReader();
    await reader.read(); // the stream is open
    child.kill('SIGTERM');
    // The stream ends cleanly (the hub closed it), not by the process dying under it.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).toContain('onClose hooks ran');
    // Fastify's logger: no warning or error (level 40 and up), such as a reply sent twice.
    const problems = output
      .split('\n')
      .filter((entry) => /"level":(4|5|6)\d/.test(entry) || /^\s*(Error|at) /.test(entry));
    expect(problems, output).toEqual([]);
  }, 30_000);
});
