import { createClient } from '@redis/client';
import { SsekitError } from '@ssekit/core';
import {
  type Broker,
  type BrokerAppend,
  type BrokerEvent,
  type BrokerGap,
  type BrokerReadOptions,
  type BrokerReadResult,
  type BrokerSubscribeOptions,
  DEFAULT_REPLAY_AGE_MS,
} from '@ssekit/server';
import { HighWater } from './highWater';
import { APPEND_SCRIPT, HEAD_SCRIPT, script } from './luaScripts';
import { readAfter } from './readAfter';
import { describe, publishError, RedisBrokerError } from './redisBrokerError';
import type { RedisClientLike } from './redisClient';
import { abortable, closedError, run } from './redisCommands';
import { entryFields, parsePosition } from './streamEntry';
import { compareStreamIds } from './streamId';
import { StreamReader } from './streamReader';

/**
 * Options of {@link createRedisBroker}: `client` or `url`, then the stream and its bounds.
 *
 * @example
 * ```ts
 * import { createHub } from '@ssekit/server';
 *
 * const options: RedisBrokerOptions = {
 *   url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
 *   stream: 'myapp:events', // one key per app on a shared Redis
 *   maxLen: 50_000,
 *   maxAge: 15 * 60_000,
 *   onError: (error) => console.error('redis broker', error),
 * };
 * const hub = createHub({ events, broker: createRedisBroker(options) });
 * ```
 */
export interface RedisBrokerOptions {
  /**
   * A node-redis client (v5+) of the app's. The broker runs its commands on it and makes one
   * `duplicate()` for its blocking reads. Connect it yourself; the broker never closes it (it
   * closes only the duplicate). Give it an `'error'` listener, as node-redis asks of every client.
   */
  client?: RedisClientLike | undefined;
  /**
   * `redis[s]://[[user][:password]@]host[:port][/db]`: the broker makes, connects and (in
   * `close()`) closes its own two connections.
   */
  url?: string | undefined;
  /**
   * The stream key: every hub process that shares clients uses the same one. In a Redis Cluster
   * wrap the shared part in `{…}` (a hash tag) to choose the slot. @defaultValue `'ssekit:events'`
   */
  stream?: string | undefined;
  /**
   * Most events kept for replay, approximately (`XADD … MAXLEN ~`): Redis trims whole nodes of
   * its stream (100 entries by default), so at least this many stay. `false`: no length bound.
   * @defaultValue `10000`
   */
  maxLen?: number | false | undefined;
  /**
   * Oldest event kept for replay, in ms (`XTRIM … MINID ~`, on Redis's clock, at each publish).
   * `false`: no age bound. @defaultValue `300000` (5 minutes, as the in-memory log)
   */
  maxAge?: number | false | undefined;
  /**
   * How long a publish waits for an unreachable Redis to come back before it rejects with a
   * {@link RedisBrokerError} (`maybePublished: false`: it was not sent, retrying is safe).
   * @defaultValue `2000`
   */
  publishTimeout?: number | undefined;
  /**
   * How long one blocking read (`XREAD BLOCK`) waits for new entries, in ms. A read silent for
   * this plus 5 s on a connected socket marks the socket dead and makes a new one.
   * @defaultValue `5000`
   */
  blockTimeout?: number | undefined;
  /**
   * Where the subscription reports what goes wrong: Redis lost (a {@link RedisBrokerError}, once
   * per outage), Redis back (a `RedisBrokerError` with `recovered: true`, once), an entry skipped
   * because it cannot be decoded (a `SsekitError`, code `invalid-field`, once per entry). Reads
   * and publishes reject to their callers instead. @defaultValue the hub's `onError` (which
   * defaults to `console.error`)
   */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * A {@link Broker} on a Redis stream, made by {@link createRedisBroker}.
 *
 * @example
 * ```ts
 * import { createHub } from '@ssekit/server';
 *
 * const broker: RedisBroker = createRedisBroker({ url: 'redis://127.0.0.1:6379' });
 * const hub = createHub({ events, broker });
 * console.log(await broker.head()); // the newest id in the stream
 * await hub.close(); // closes the broker too
 * ```
 */
export interface RedisBroker extends Broker {
  /** The stream key. */
  readonly stream: string;
  append(event: BrokerAppend): Promise<string>;
  head(options?: BrokerReadOptions): Promise<string>;
  readAfter(lastEventId: string, options?: BrokerReadOptions): Promise<BrokerReadResult>;
  /** Stop the subscription and close the connections the broker made. Idempotent. */
  close(): Promise<void>;
}

/**
 * Default {@link RedisBrokerOptions.stream}.
 *
 * @example
 * ```ts
 * const broker = createRedisBroker({ url: 'redis://127.0.0.1:6379', stream: `${DEFAULT_STREAM}:staging` });
 * ```
 */
export const DEFAULT_STREAM = 'ssekit:events';
/**
 * Default {@link RedisBrokerOptions.maxLen}.
 *
 * @example
 * ```ts
 * const broker = createRedisBroker({ url: 'redis://127.0.0.1:6379', maxLen: DEFAULT_MAX_LEN * 5 });
 * ```
 */
export const DEFAULT_MAX_LEN = 10_000;
/**
 * Default {@link RedisBrokerOptions.publishTimeout}, in ms.
 *
 * @example
 * ```ts
 * const broker = createRedisBroker({ url: 'redis://127.0.0.1:6379', publishTimeout: DEFAULT_PUBLISH_TIMEOUT_MS / 4 });
 * ```
 */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 2000;
/**
 * Default {@link RedisBrokerOptions.blockTimeout}, in ms.
 *
 * @example
 * ```ts
 * const broker = createRedisBroker({ url: 'redis://127.0.0.1:6379', blockTimeout: DEFAULT_BLOCK_TIMEOUT_MS * 2 });
 * ```
 */
export const DEFAULT_BLOCK_TIMEOUT_MS = 5000;

/**
 * @internal After `publishTimeout`, how long a publish that was already sent may still wait for
 * Redis's answer before it is reported as of unknown outcome.
 */
const SENT_GRACE_MS = 1000;

/** @internal */
const appendScript = script(APPEND_SCRIPT);
/** @internal */
const headScript = script(HEAD_SCRIPT);

/**
 * A {@link Broker} on Redis Streams, so several server processes are one hub: each publish is an
 * `XADD` (Redis assigns the ids: ordered and shared by every process), every process reads new
 * entries with blocking `XREAD`s on its own connection and fans them out locally, and a client
 * that reconnects to any process resumes with an `XRANGE` after its `Last-Event-ID`. History is
 * bounded by `maxLen` and `maxAge`; an id older than it gets a reset. Needs Redis 6.2 or later.
 *
 * Faults: a publish waits up to `publishTimeout` for an unreachable Redis, then rejects with a
 * {@link RedisBrokerError}; reads fail fast while Redis is unreachable (the stream ends, its client
 * resumes later); the subscription reconnects and goes on from the last entry it delivered — or,
 * if Redis lost entries meanwhile (a restart without persistence, a restore from an older
 * snapshot), reports a gap so the hub resets its clients, then delivers every event appended
 * since. An entry it cannot decode is reported and skipped with a reset. Nothing is delivered
 * twice. `hub.close()` closes the broker (and the connections it made).
 *
 * @example
 * ```ts
 * import { createHub } from '@ssekit/server';
 * import { createRedisBroker } from '@ssekit/redis';
 *
 * const hub = createHub({
 *   events,
 *   broker: createRedisBroker({ url: process.env.REDIS_URL, stream: 'app:events' }),
 * });
 * ```
 */
export function createRedisBroker(options: RedisBrokerOptions): RedisBroker {
  const settings = resolveOptions(options);
  const { stream, publishTimeout } = settings;
  /** The subscription's reports: to `onError`, else to each subscriber's (the hub's). */
  const report = (error: unknown) => {
    if (options.onError !== undefined) return options.onError(error);
    let told = false;
    for (const s of subscribers) {
      if (s.onError === undefined) continue;
      told = true;
      s.onError(error);
    }
    if (!told) console.error('[@ssekit/redis]', error);
  };
  const seen = new HighWater();
  const ownsClient = options.client === undefined;
  const client: RedisClientLike =
    options.client ?? (createClient({ url: options.url }) as unknown as RedisClientLike);

  // Reads fail fast while Redis is unreachable: the client saw an error and is not ready again.
  let lastError: unknown;
  const onClientError = (error: unknown) => {
    lastError = error;
  };
  const onClientReady = () => {
    lastError = undefined;
  };
  client.on('error', onClientError);
  client.on('ready', onClientReady);
  let connecting = !ownsClient;
  /**
   * Connect our own client at first use, not at creation: a broker made and never used (a second
   * module graph's, when a named hub is shared) holds no connection. node-redis keeps
   * reconnecting on its own; commands wait in its offline queue meanwhile.
   */
  function use(): void {
    if (connecting) return;
    connecting = true;
    client.connect().catch(() => {});
  }

  const subscribers = new Set<{
    listener: (event: BrokerEvent) => void;
    onGap: ((gap: BrokerGap) => void) | undefined;
    onError: ((error: unknown) => void) | undefined;
  }>();
  /** The head script with this process's high-water mark: it marks a rewound stream. */
  const headOn = async (on: RedisClientLike, o?: { abortSignal?: AbortSignal }) => {
    const position = parsePosition(await run(on, stream, headScript, seen.args(), o));
    seen.note(position);
    return position;
  };
  const reader = new StreamReader({
    stream,
    blockMs: settings.blockTimeout,
    connect: () => client.duplicate(),
    head: (on) => headOn(on),
    seen,
    onEvent(event) {
      for (const s of subscribers) guard(() => s.listener(event));
    },
    onGap(gap) {
      for (const s of subscribers) guard(() => s.onGap?.(gap));
    },
    onError(error) {
      report(
        error instanceof SsekitError
          ? error
          : new RedisBrokerError(
              `The subscription to ${stream} lost Redis (${describe(error)}); it reconnects by itself and goes on from its last entry. Publishes reject meanwhile; open streams stay open.`,
              { cause: error },
            ),
      );
    },
    onRecover(ms) {
      report(
        new RedisBrokerError(
          `Redis is back: the subscription to ${stream} has its place again after ${ms} ms (an ssekit.reset went out if Redis lost entries meanwhile).`,
          { recovered: true },
        ),
      );
    },
  });
  let closing: Promise<void> | undefined;

  function guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      report(error);
    }
  }

  /** Before a read: closed and unreachable fail at once; a subscription not yet live is awaited. */
  async function ready(signal: AbortSignal | undefined): Promise<void> {
    if (closing !== undefined) throw closedError('read');
    signal?.throwIfAborted();
    use();
    if (lastError !== undefined && !client.isReady) {
      throw new RedisBrokerError(
        `Redis is unreachable (${describe(lastError)}); the stream ends and its client resumes once Redis is back.`,
        { cause: lastError },
      );
    }
    if (subscribers.size > 0 && !reader.isLive) await abortable(reader.live, signal);
  }

  /** A read command, bounded by the hub's signal; unreachable Redis becomes a typed error. */
  async function read(
    args: string[] | ((o: { abortSignal?: AbortSignal }) => Promise<unknown>),
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const commandOptions = signal === undefined ? {} : { abortSignal: signal };
    const command =
      typeof args === 'function' ? args(commandOptions) : client.sendCommand(args, commandOptions);
    try {
      return await abortable(command, signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw new RedisBrokerError(`Redis read on ${stream} failed: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  async function headId(signal: AbortSignal | undefined): Promise<string> {
    return ((await read((o) => headOn(client, o), signal)) as { id: string }).id;
  }

  const broker: RedisBroker = {
    stream,

    async append(event) {
      if (closing !== undefined) throw closedError('publish');
      use();
      const args = [
        settings.maxLen === false ? '' : String(settings.maxLen),
        settings.maxAge === false ? '' : String(Math.ceil(settings.maxAge)),
        ...seen.args(),
        ...entryFields(event),
      ];
      // node-redis drops the command from its offline queue at `timeout` (never sent: safe to
      // retry); one already sent gets a little longer to answer, then is of unknown outcome.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RedisBrokerError(
                `Redis did not answer a publish to ${stream} within ${publishTimeout + SENT_GRACE_MS} ms; it may or may not have been stored.`,
                { maybePublished: true },
              ),
            ),
          publishTimeout + SENT_GRACE_MS,
        );
      });
      try {
        const reply = await Promise.race([
          run(client, stream, appendScript, args, { timeout: publishTimeout }),
          late,
        ]);
        const position = parsePosition(reply);
        seen.note(position);
        return position.id;
      } catch (error) {
        throw publishError(error, stream, publishTimeout);
      } finally {
        clearTimeout(timer);
      }
    },

    subscribe(listener, subscribeOptions?: BrokerSubscribeOptions) {
      const subscriber = {
        listener,
        onGap: subscribeOptions?.onGap,
        onError: subscribeOptions?.onError,
      };
      subscribers.add(subscriber);
      use();
      reader.start();
      return () => {
        subscribers.delete(subscriber);
      };
    },

    async head(readOptions) {
      await ready(readOptions?.signal);
      return headId(readOptions?.signal);
    },

    async readAfter(lastEventId, readOptions) {
      const signal = readOptions?.signal;
      await ready(signal);
      // The head first: its script marks a stream rewound behind what this process saw, so
      // the replay below meets the new numbering instead of reused numbers.
      const head = await headId(signal);
      return readAfter((args) => read(args, signal), stream, lastEventId, head);
    },

    compare: compareStreamIds,

    close() {
      closing ??= (async () => {
        await reader.stop();
        client.off('error', onClientError);
        client.off('ready', onClientReady);
        if (!ownsClient || !connecting) return;
        // Pending replies get a moment (close() resolves to undefined); a Redis that is down gets
        // none: anything else than a clean close ends in destroy().
        let timer: ReturnType<typeof setTimeout> | undefined;
        const gaveUp = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), 1000);
        });
        const closed = client.isReady ? client.close().catch(() => 'failed') : 'down';
        if ((await Promise.race([closed, gaveUp])) !== undefined) client.destroy();
        clearTimeout(timer);
      })();
      return closing;
    },
  };
  return broker;
}

/** @internal Checked options with defaults applied; misuse fails at construction. */
function resolveOptions(options: RedisBrokerOptions) {
  const fail = (message: string) => {
    throw new SsekitError('invalid-option', `createRedisBroker: ${message}`);
  };
  if ((options.client === undefined) === (options.url === undefined)) {
    fail(
      'pass either `url` (the broker makes and closes its own connections) or `client` (a connected node-redis client of yours), not both and not neither.',
    );
  }
  const stream = options.stream ?? DEFAULT_STREAM;
  if (typeof stream !== 'string' || stream === '') fail('`stream` must be a non-empty key.');
  const maxLen = options.maxLen ?? DEFAULT_MAX_LEN;
  if (maxLen !== false && !(Number.isSafeInteger(maxLen) && maxLen > 0)) {
    fail(`maxLen must be a positive integer or false, got ${String(maxLen)}.`);
  }
  const maxAge = options.maxAge ?? DEFAULT_REPLAY_AGE_MS;
  if (maxAge !== false && !(maxAge > 0 && Number.isFinite(maxAge))) {
    fail(`maxAge must be a positive number of ms or false, got ${String(maxAge)}.`);
  }
  if (maxLen === false && maxAge === false) {
    fail('with maxLen and maxAge both false the stream grows without bound; keep one of them.');
  }
  const publishTimeout = options.publishTimeout ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const blockTimeout = options.blockTimeout ?? DEFAULT_BLOCK_TIMEOUT_MS;
  for (const [key, value] of [
    ['publishTimeout', publishTimeout],
    ['blockTimeout', blockTimeout],
  ] as const) {
    if (!(Number.isSafeInteger(value) && value > 0 && value <= 2 ** 31 - 1)) {
      fail(`${key} must be a positive integer number of ms, got ${String(value)}.`);
    }
  }
  return { stream, maxLen, maxAge, publishTimeout, blockTimeout };
}
