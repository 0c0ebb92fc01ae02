import { SsekitError } from '@ssekit/core';
import type { BrokerEvent, BrokerGap } from '@ssekit/server';
import type { HighWater } from './highWater';
import type { RedisClientLike } from './redisClient';
import { parseRange, parseRead, type StreamEntry } from './streamEntry';

/** @internal What a reader needs from its broker. */
export interface StreamReaderOptions {
  readonly stream: string;
  /** A new blocking connection (a duplicate of the broker's client), not yet connected. */
  readonly connect: () => RedisClientLike;
  /** Run the head script on `client`: the newest entry (a marker in an empty stream). */
  readonly head: (client: RedisClientLike) => Promise<{ id: string; n: number }>;
  /** How long one XREAD blocks, in ms. */
  readonly blockMs: number;
  readonly onEvent: (event: BrokerEvent) => void;
  readonly onGap: (gap: BrokerGap) => void;
  /** An outage (once per outage) or an entry skipped because it cannot be decoded. */
  readonly onError: (error: unknown) => void;
  /** The subscription has its place again after an outage (once per outage), `ms` after it began. */
  readonly onRecover: (ms: number) => void;
  /** Where the entries it reads are noted, for the rewind check of the scripts. */
  readonly seen: HighWater;
}

/** @internal Entries per XREAD: large enough that a busy stream is read in few round trips. */
const BATCH = 1000;
/**
 * @internal A command that has not answered this long (after its block, for XREAD) on a
 * connected socket: the socket is half-open (no RST ever came), so it is dropped.
 */
const STALL_MS = 5000;

/**
 * The subscription of one broker: blocking XREADs on a connection of its own, from the last
 * entry it delivered. It knows the position (`id` and `n`) of that entry, so:
 *
 * - it goes live at the stream's head (a real entry) and resolves {@link live}: the broker's
 *   reads wait for that, so no position handed to a client is older than the subscription;
 * - after any reconnection it checks that its entry still exists before reading on; if Redis
 *   lost it (a restart without persistence, a restore from an older snapshot), it reports a gap
 *   and goes on from just before the first entry newer than it — the marker that begins the new
 *   numbering — so every event appended since Redis came back is delivered;
 * - every entry must be numbered its predecessor's + 1: a jump means entries were trimmed before
 *   it read them, reported as a gap at that entry; a marker means a new numbering;
 * - an entry it cannot decode is reported once and skipped with a gap (it may have been anyone's):
 *   it never blocks the stream.
 *
 * Nothing is delivered twice: the position only moves forward, and a reply from a connection
 * that reconnected since the position was checked is thrown away and read again.
 * @internal
 */
export class StreamReader {
  /** Resolves once the subscription has a position (and every later entry will come). */
  readonly live: Promise<void>;
  isLive = false;
  private markLive!: () => void;
  private position: { id: string; n: number } | undefined;
  private client: RedisClientLike | undefined;
  /** Socket generations of {@link client} ('ready' events), and the one the position was checked on. */
  private generation = 0;
  private checked = -1;
  private running = false;
  private stopped = false;
  private failing = false;
  private failedAt = 0;
  private attempt = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: StreamReaderOptions) {
    this.live = new Promise((resolve) => {
      this.markLive = resolve;
    });
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stop reading and close the blocking connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    this.wake?.();
    this.dropClient();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
      } catch (error) {
        if (this.stopped) return;
        // One report per outage, not one per retry.
        if (!this.failing) {
          this.failing = true;
          this.failedAt = Date.now();
          this.options.onError(error);
        }
        await this.pause(Math.min(2000, 50 * 2 ** this.attempt++));
      }
    }
  }

  /** The position is checked on a working connection: an outage, if any, is over. */
  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.attempt = 0;
    this.options.onRecover(Date.now() - this.failedAt);
  }

  /** One round: connect if needed, make sure of the position, read and deliver a batch. */
  private async step(): Promise<void> {
    const client = await this.connection();
    // Reconnecting by itself: wait rather than queue commands that would all run at once later.
    if (!client.isReady) await this.until(client, 'ready');
    const generation = this.generation;
    if (this.position === undefined) {
      this.position = await this.bounded(client, this.options.head(client), STALL_MS);
      this.options.seen.note(this.position);
      this.checked = generation;
      this.isLive = true;
      this.markLive();
    } else if (this.checked !== generation) {
      await this.recheck(client, generation);
    }
    if (this.stopped) return;
    this.recovered();
    const reply = await this.bounded(
      client,
      client.sendCommand([
        'XREAD',
        'COUNT',
        String(BATCH),
        'BLOCK',
        String(this.options.blockMs),
        'STREAMS',
        this.options.stream,
        this.position.id,
      ]),
      this.options.blockMs + STALL_MS,
    );
    // Answered over a connection that came back since the position was checked (by a Redis that
    // may have restarted empty): check first, then read again.
    if (this.stopped || this.generation !== this.checked) return;
    for (const entry of parseRead(reply)) this.take(entry);
  }

  /**
   * After a reconnection: does the entry we stopped at still exist (with its number)? If not,
   * Redis lost entries: report a gap and go on from {@link resumePoint}. The head script runs
   * first: a stream rewound behind what this process saw gets its new numbering now, so every
   * process sees the rewind.
   */
  private async recheck(client: RedisClientLike, generation: number): Promise<void> {
    const at = this.position!;
    const head = await this.bounded(client, this.options.head(client), STALL_MS);
    const range = client.sendCommand(['XRANGE', this.options.stream, at.id, at.id]);
    const found = parseRange(await this.bounded(client, range, STALL_MS))[0];
    if (found?.id !== at.id || (found.bad === undefined && found.n !== at.n)) {
      const position = await this.resumePoint(client, at, head);
      if (this.stopped) return;
      this.position = position;
      this.options.onGap({ reason: 'epoch', after: at.id, position: position.id });
    }
    this.checked = generation;
  }

  /**
   * Where to go on after `at` was lost: every entry newer than it was appended after Redis came
   * back, so from just before the first of them — itself when it is a marker (a numbering's
   * first entry), else the entry before it (a survivor of the old numbering). With none, the head.
   */
  private async resumePoint(
    client: RedisClientLike,
    at: { id: string; n: number },
    head: { id: string; n: number },
  ): Promise<{ id: string; n: number }> {
    const { stream } = this.options;
    const after = client.sendCommand(['XRANGE', stream, `(${at.id}`, '+', 'COUNT', '1']);
    const next = parseRange(await this.bounded(client, after, STALL_MS))[0];
    if (next === undefined) return head;
    if (next.event === undefined && next.bad === undefined) return next;
    const before = client.sendCommand(['XREVRANGE', stream, `(${next.id}`, '-', 'COUNT', '1']);
    return parseRange(await this.bounded(client, before, STALL_MS))[0] ?? next;
  }

  private take(entry: StreamEntry): void {
    const at = this.position!;
    if (entry.bad !== undefined) {
      // Another tool's entry, a bug, a version skew: skip it, say so once, and reset every
      // connection (it may have been anyone's). The numbering goes on across it.
      this.position = { id: entry.id, n: Number.isSafeInteger(entry.n) ? entry.n : at.n };
      this.options.onError(
        new SsekitError(
          'invalid-field',
          `Skipped entry ${entry.id} of the Redis stream ${this.options.stream}: ${entry.bad}. Only the broker should write to its stream (another tool, or another version of @ssekit/redis?); the connections it could have reached got an ssekit.reset.`,
        ),
      );
      this.options.onGap({ reason: 'unknown', after: at.id, position: entry.id });
      return;
    }
    this.options.seen.note(entry);
    if (entry.n !== at.n + 1) {
      // Entries between `at` and this one are gone (trimmed while this reader lagged, or the
      // stream was begun again): clients reset to this entry, whose effect their refetch covers.
      // A marker begins a new numbering: nothing of the new one is skipped.
      this.position = entry;
      this.options.onGap({
        reason: entry.event !== undefined && entry.n > at.n ? 'evicted' : 'epoch',
        after: at.id,
        position: entry.id,
      });
      return;
    }
    this.position = entry;
    if (entry.event !== undefined) this.options.onEvent(entry.event);
  }

  /**
   * A command on the blocking connection, bounded: one that stays silent on a connected socket
   * past `ms` means a half-open socket, so the connection is dropped and a new one made.
   */
  private bounded<T>(client: RedisClientLike, command: Promise<T>, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (client.isReady) this.dropClient();
        reject(new Error(`Redis did not answer on ${this.options.stream} within ${ms} ms`));
      }, ms);
      command.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Resolve on `client`'s next `event`, or when the reader stops. */
  private until(client: RedisClientLike, event: 'ready'): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        client.off(event, done);
        this.wake = undefined;
        resolve();
      };
      client.on(event, done);
      this.wake = done;
    });
  }

  private async connection(): Promise<RedisClientLike> {
    if (this.client !== undefined) return this.client;
    const client = this.options.connect();
    this.client = client;
    // Errors are reported by the loop; without a listener an 'error' event would crash.
    client.on('error', () => {});
    client.on('ready', () => {
      this.generation++;
    });
    try {
      await client.connect();
    } catch (error) {
      if (this.client === client) this.dropClient();
      throw error;
    }
    return client;
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    this.checked = -1; // a new connection: check the position again
    try {
      client.destroy();
    } catch {
      // already closed
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
