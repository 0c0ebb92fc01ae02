import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The repository's root folder. A function, not a constant: this module is also loaded (through
 * the package's index) by tests in a DOM environment, where `import.meta.url` is not a file URL.
 */
function repoRoot(): string {
  return fileURLToPath(new URL('../../..', import.meta.url));
}

/** The public packages whose `dist/` the built-output tests load. */
const PACKAGES = ['core', 'server', 'client', 'react', 'redis'];

/** Where the build lock lives while one test file builds (`mkdir` is atomic). */
function lockDir(): string {
  return join(repoRoot(), 'node_modules', '.cache', 'ssekit-build.lock');
}

/** Newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return time;
}

/** The packages whose `dist/` is missing or older than their `src/`. */
function stalePackages(): string[] {
  return PACKAGES.filter((name) => {
    const dir = join(repoRoot(), 'packages', name);
    const dist = join(dir, 'dist');
    return !existsSync(join(dist, 'index.js')) || newest(join(dir, 'src')) > newest(dist);
  });
}

/** True while the process that wrote the lock is alive. */
async function lockHolderAlive(): Promise<boolean> {
  try {
    const pid = Number(await readFile(join(lockDir(), 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // No pid file yet (the holder is between mkdir and write): count it as alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Tests that load the packages as a user does (through their `exports` to `dist/`, not the
 * repository's `@ssekit/source` condition) call this first: it runs `npm run build` when a
 * `dist/` is missing or older than its `src/`, so `npm test` on a fresh clone needs no manual
 * build and never runs stale package code. Test files running in parallel take a lock, so one
 * builds and the others wait for it, then find nothing stale.
 */
export async function ensurePackagesBuilt(label = 'tests'): Promise<void> {
  if (stalePackages().length === 0) return;
  const deadline = Date.now() + 300_000;
  const LOCK = lockDir();
  mkdirSync(join(repoRoot(), 'node_modules', '.cache'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await lockHolderAlive())) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${LOCK} held for 300 s`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    writeFileSync(join(LOCK, 'pid'), String(process.pid));
    const stale = stalePackages();
    if (stale.length === 0) return;
    console.log(`[${label}] building the packages (${stale.join(', ')}: dist/ missing or stale)`);
    await run('npm', ['run', 'build'], { cwd: repoRoot(), env: process.env, timeout: 240_000 });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
