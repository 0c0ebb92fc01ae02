/**
 * The runtimes of the matrix: found in this package's optionalDependencies (npm installs each only
 * on the platforms it ships for), started by the tests as child processes that are bounded in
 * time and killed in cleanup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';

const require = createRequire(import.meta.url);

/** The fixtures folder: the scripts each runtime runs. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A runtime of the matrix. */
export type RuntimeName = 'node22' | 'node24' | 'bun' | 'deno' | 'workerd';

/**
 * Candidate binaries of each runtime, as `package/path`: the platform package's binary first
 * (there whether or not the wrapper's install script ran), then the wrapper's own bin.
 */
const CANDIDATES: Record<RuntimeName, string[]> = {
  node22: ['node22/bin/node'],
  node24: ['node24/bin/node'],
  bun: [
    `@oven/bun-${process.platform}-${process.arch === 'x64' ? 'x64' : 'aarch64'}/bin/bun`,
    'bun/bin/bun.exe',
  ],
  deno: ['@deno/linux-x64-glibc/deno', 'deno/deno'],
  workerd: [
    `@cloudflare/workerd-${process.platform}-${process.arch === 'x64' ? '64' : process.arch}/bin/workerd`,
    'workerd/bin/workerd',
  ],
};

/** The file of `pkgPath` (`name/path`), when that package is installed. */
function installed(pkgPath: string): string | undefined {
  const parts = pkgPath.split('/');
  const name = pkgPath.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  try {
    const file = join(dirname(require.resolve(`${name}/package.json`)), pkgPath.slice(name.length));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The binary of `name`. When the platform has none (npm skips optional packages for other
 * platforms), the caller skips with one visible line — or, under `CI=true`, fails, so CI can
 * never go green by skipping.
 */
export function findRuntime(name: RuntimeName): string | undefined {
  for (const candidate of CANDIDATES[name]) {
    const file = installed(candidate);
    if (file) return file;
  }
  const reason = `${name} is not installed (packages/runtimes optionalDependencies; npm ships it for linux-x64 here)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`[ssekit tests] skipping the ${name} runtime: ${reason}`);
  return undefined;
}

/** A started runtime process. */
export interface RuntimeProcess {
  readonly child: ChildProcess;
  /** Everything it printed, stdout and stderr. */
  output(): string;
  /** Its stdout alone. */
  stdout(): string;
  /** Resolves with the exit code once it exited. */
  readonly exited: Promise<number | null>;
}

/** Processes started by a test, killed after it; those started for a whole file, after it. */
const perTest = new Set<ChildProcess>();
const perFile = new Set<ChildProcess>();
afterEach(() => {
  for (const child of perTest) child.kill('SIGKILL');
  perTest.clear();
});
afterAll(() => {
  for (const child of perFile) child.kill('SIGKILL');
  perFile.clear();
});

/**
 * Start `command` with `args`; killed after `timeoutMs` (a failure bound) and after the test that
 * started it — or, with `scope: 'file'` (a server started in `beforeAll`), after the file.
 */
export function startRuntime(
  command: string,
  args: readonly string[],
  {
    cwd = FIXTURES,
    timeoutMs = 60_000,
    scope = 'test',
  }: { cwd?: string; timeoutMs?: number; scope?: 'test' | 'file' } = {},
): RuntimeProcess {
  // NO_COLOR/DENO_NO_UPDATE_CHECK: plain output, and no network call of Deno's own.
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', FORCE_COLOR: '0' };
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const running = scope === 'test' ? perTest : perFile;
  running.add(child);
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, stdout: () => stdout, exited };
}
