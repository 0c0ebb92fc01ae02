import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Messages between the orchestrator and a child: `{ id, cmd, ... }` requests, `{ id, ... }` replies. */
export interface Reply {
  id?: number;
  error?: string;
  [key: string]: unknown;
}

let tasksetPath: string | null | undefined;

/** `taskset` when it exists and the machine has 2+ cores to pin to; otherwise `null`. */
export function taskset(): string | null {
  if (tasksetPath !== undefined) return tasksetPath;
  try {
    tasksetPath = execFileSync('which', ['taskset'], { encoding: 'utf8' }).trim() || null;
  } catch {
    tasksetPath = null;
  }
  if (availableParallelism() < 2) tasksetPath = null;
  return tasksetPath;
}

/**
 * Raise the soft fd limit as far as the hard limit allows (10,000 sockets need it), then exec the
 * command, so the child inherits both the limit and the IPC channel fd.
 */
const RAISE_FD_LIMIT =
  'h=$(ulimit -Hn); if [ "$h" = unlimited ] || [ "$h" -gt 65536 ]; then h=65536; fi; ulimit -n "$h"; exec "$@"';

export interface SpawnOptions {
  /** CPU core to pin the child to (`taskset -c`), when pinning is available. */
  cpu?: number | undefined;
  /** Extra node flags (e.g. `--expose-gc`). */
  nodeFlags?: string[];
}

/** A bench child process with request/reply over IPC. */
export class BenchChild {
  readonly process: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private exited: string | undefined;
  /** Unsolicited messages (no id), e.g. `ready`. */
  private readonly events: Reply[] = [];
  private eventWaiters: ((reply: Reply) => void)[] = [];

  constructor(script: URL, args: string[], options: SpawnOptions = {}) {
    const node = [
      process.execPath,
      '--conditions=@ssekit/source',
      '--import',
      'tsx',
      ...(options.nodeFlags ?? []),
      fileURLToPath(script),
      ...args,
    ];
    const pin = options.cpu !== undefined ? taskset() : null;
    const command = pin ? [pin, '-c', String(options.cpu), ...node] : node;
    this.process = spawn('bash', ['-c', RAISE_FD_LIMIT, 'bash', ...command], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (msg: Reply) => {
      if (typeof msg.id === 'number') {
        const resolve = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        resolve?.(msg);
      } else {
        const waiter = this.eventWaiters.shift();
        if (waiter) waiter(msg);
        else this.events.push(msg);
      }
    });
    // A send to a child that just died fails asynchronously; the 'exit' handler reports it.
    this.process.on('error', () => {});
    this.process.on('exit', (code, signal) => {
      this.exited = `child ${script.pathname.split('/').pop()} exited (code ${code}, signal ${signal})`;
      const fail = { error: this.exited };
      for (const resolve of this.pending.values()) resolve(fail);
      this.pending.clear();
      for (const waiter of this.eventWaiters) waiter(fail);
      this.eventWaiters = [];
    });
  }

  /** Wait for the next unsolicited message (e.g. `{ ready: true, port }`). */
  next(timeoutMs: number): Promise<Reply> {
    const queued = this.events.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exited) return Promise.reject(new Error(this.exited));
    return withTimeout(
      new Promise<Reply>((resolve) => this.eventWaiters.push(resolve)),
      timeoutMs,
      'waiting for a child message',
    ).then(check);
  }

  /** Send a command and wait for its reply; rejects on `error`, exit or timeout. */
  request(cmd: string, body: Record<string, unknown>, timeoutMs: number): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => this.pending.set(id, resolve));
    this.process.send({ id, cmd, ...body }, (error) => {
      if (error) this.pending.get(id)?.({ error: `sending ${cmd}: ${error.message}` });
    });
    return withTimeout(reply, timeoutMs, `command ${cmd}`).then(check);
  }

  /** Wait up to `ms` for the child to exit by itself. */
  async exit(ms: number): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    await withTimeout(exited, ms, 'waiting for the child to exit').catch(() => undefined);
  }

  /** Kill the child at once and wait for it to exit. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGKILL');
    await exited;
  }

  /** Stop the child (SIGKILL after a grace period) and wait for it to exit. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

function check(reply: Reply): Reply {
  if (reply.error) throw new Error(reply.error);
  return reply;
}

/** Reject with a clear message when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Serve IPC commands in a child: `handlers[cmd](msg)` result is sent back with the request id;
 * a thrown error is sent back as `{ error }`.
 */
export function serveCommands(
  handlers: Record<string, (msg: Record<string, any>) => unknown | Promise<unknown>>,
): void {
  process.on('message', async (msg: Record<string, any>) => {
    const handler = handlers[msg.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${msg.cmd}`);
      const result = (await handler(msg)) ?? {};
      process.send?.({ id: msg.id, ...(result as object) });
    } catch (error) {
      process.send?.({ id: msg.id, error: error instanceof Error ? error.stack : String(error) });
    }
  });
  // The orchestrator going away must never leave a child (and its 10,000 sockets) behind.
  process.on('disconnect', () => process.exit(0));
  process.on('error', () => process.exit(0));
}
