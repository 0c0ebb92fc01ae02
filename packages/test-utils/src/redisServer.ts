import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findService } from './services';

/** A redis-server of a test's own: a free port on 127.0.0.1, a temporary directory. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The working directory (where an append-only file goes with `persist`). */
  readonly dir: string;
  /** True while the process runs. */
  readonly running: boolean;
  /** The process id while it runs (the bench reads its CPU time). */
  readonly pid: number | undefined;
  /**
   * Stop the server: `SIGTERM` (a clean shutdown) or `SIGKILL` (a crash). Without `persist`
   * everything it held is gone, as with a Redis that restarts without persistence.
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Start it again on the same port and directory. */
  start(): Promise<void>;
  /** Stop it for good and remove its directory. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep data across restarts: an append-only file, fsynced on every write. @defaultValue false */
  persist?: boolean;
}

/** @internal A port nobody listens on right now (the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Start a `redis-server` for one test file: a free port, a temporary directory, no system
 * service. Resolves to `undefined` (after printing why) when the binary is missing outside CI; under
 * `CI=true` a missing binary throws (see {@link findService}).
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * if (!redis) return; // skipped, with the reason printed
 * afterAll(() => redis.close());
 * ```
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServer | undefined> {
  const binary = findService('redis-server');
  if (binary === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ssekit-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;

  const args = () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
  ];

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(binary, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          child = proc;
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.resume();
      proc.once('exit', (code) => {
        if (child === proc) child = undefined;
        reject(new Error(`redis-server exited (code ${code}) before it was ready:\n${output}`));
      });
    });

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const proc = child;
    if (proc === undefined) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
    child = undefined;
  };

  // The port was free a moment ago; if another process took it meanwhile, pick another.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      port = await freePort();
    }
  }

  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    stop,
    start: launch,
    async close() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
