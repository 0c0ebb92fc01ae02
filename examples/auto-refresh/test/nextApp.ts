/**
 * Build and start the example as a user would: `next build`, then `next start` on a free port, as
 * a child process the test can SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(exampleDir, '../..');
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
/** The packages the app imports; Next resolves them to their built `dist/`. */
const PACKAGES = ['core', 'server', 'client', 'react'];
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  NEXT_TELEMETRY_DISABLED: '1',
};

/** Newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return time;
}

/**
 * Next.js resolves `@ssekit/*` like any app would, through their `exports` to `dist/` (it does not
 * know the repository's `@ssekit/source` condition). Build them when a `dist/` is missing or
 * older than its `src/`, so the app never runs stale package code.
 */
export async function ensurePackagesBuilt(): Promise<void> {
  const stale = PACKAGES.filter((name) => {
    const dir = join(repoRoot, 'packages', name);
    const dist = join(dir, 'dist');
    return !existsSync(join(dist, 'index.js')) || newest(join(dir, 'src')) > newest(dist);
  });
  if (stale.length === 0) return;
  console.log(`[auto-refresh] building the packages (${stale.join(', ')}: dist/ missing or stale)`);
  await run('npm', ['run', 'build'], { cwd: repoRoot, env: process.env, timeout: 240_000 });
}

/** `next build` in the example's folder. */
export async function nextBuild(): Promise<void> {
  try {
    await run(process.execPath, [nextBin, 'build'], { cwd: exampleDir, env, timeout: 240_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`next build failed:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A running `next start`. */
export interface NextServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the server printed. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

/** `next start -p <free port>`; resolves once it answers. */
export async function nextStart(): Promise<NextServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: exampleDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next start not ready:\n${output}`)), 60_000);
    const ready = () => {
      if (!/Ready in/.test(output)) return;
      clearTimeout(timer);
      child.stdout.off('data', ready);
      resolve();
    };
    child.stdout.on('data', ready);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`next start exited with ${code}:\n${output}`));
    });
  });
  return { url, child, output: () => output, exited };
}
